"""The cell editors of the grids: a decimal line edit, and the delegates that pick the
editor by column kind and draw and toggle the check boxes of bool columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRegularExpression,
    Qt,
    QTimer,
)
from PySide6.QtGui import QPainter, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QDateEdit,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from .models import Column, TableModel, parse_decimal

Index = QModelIndex | QPersistentModelIndex
Completions = Callable[[Index], Sequence[str]]


class DecimalEdit(QLineEdit):
    """Text checked as a decimal number as it is typed; the value is a Decimal, never a float."""

    def __init__(self, parent: QWidget | None = None, places: int = 2, negative: bool = False) -> None:
        super().__init__(parent)
        sign = "-?" if negative else ""
        pattern = rf"^{sign}[0-9,]*(\.[0-9]{{0,{places}}})?$"
        self.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.hint = f"a number{'' if negative else ' of 0 or more'}, at most {places} decimals"
        self.inputRejected.connect(self.said_no)  # a letter, or one decimal too many: said, not dropped silently

    def said_no(self) -> None:
        QToolTip.showText(self.mapToGlobal(QPoint(0, self.height())), f"Not taken: {self.hint}", self)

    def decimal(self) -> Decimal | None:
        try:
            return parse_decimal(self.text())
        except ValueError:
            return None


class EditDelegate(QStyledItemDelegate):
    """Editors by column kind: decimal line edit, date with calendar, choice combo, code
    with completion (from `completions`, which the screen provides). Cells are painted by
    Qt itself (no Python call per painted cell)."""

    def __init__(self, parent: QWidget | None = None, completions: Completions | None = None) -> None:
        super().__init__(parent)
        self.completions = completions

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model: TableModel = index.model()  # type: ignore[assignment]
        column: Column = model.column(index)
        if column.kind == "decimal":
            editor = DecimalEdit(parent, column.max_places or column.places, column.negative)
            if hasattr(model, "set_preview"):
                row, name = index.row(), column.name
                editor.textEdited.connect(lambda _t: model.set_preview(row, name, editor.decimal()))  # type: ignore[attr-defined]
            return editor
        if column.kind == "date":
            date_edit = QDateEdit(parent)
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("yyyy-MM-dd")
            # Typing 20260131 fills the year, month and day in turn.
            QTimer.singleShot(0, lambda: date_edit.setSelectedSection(QDateEdit.Section.YearSection))
            return date_edit
        if column.kind == "choice":
            combo = QComboBox(parent)
            combo.addItems(list(column.choices))
            return combo
        line = QLineEdit(parent)
        if column.kind == "code" and self.completions is not None:
            codes = list(self.completions(index))
            line.setProperty("known_codes", codes)  # read once: the completer's, and the check when left
            completer = QCompleter(codes, line)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            line.setCompleter(completer)
        return line

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QDateEdit):
            editor.setDate(value if isinstance(value, QDate) and value.isValid() else QDate.currentDate())
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(str(value or ""))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QDateEdit):
            model.setData(index, editor.date())
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text())
            self._check_code(model, index, editor.text(), editor.property("known_codes"))

    def _check_code(self, model: Any, index: Index, text: str, codes: Sequence[str] | None) -> None:
        """A code the lookup does not know (the codes its editor offered) is flagged in its cell
        as soon as it is left (Save checks it again); a known one clears the flag."""
        column: Column = model.column(index)
        if column.kind != "code" or not codes or not hasattr(model, "problems"):
            return
        known = {c.upper() for c in codes}
        key = (index.row(), column.problem_field)
        code = text.strip().upper()
        if code and known and code not in known:
            model.problems[key] = f"{column.name}: {code} is not known here (F4 lists the codes)"
        elif key in model.problems and model.problems[key].startswith(f"{column.name}: "):
            del model.problems[key]
        else:
            return
        model.dataChanged.emit(index, index, [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])


class GridDelegate(EditDelegate):
    """EditDelegate with the check boxes of bool columns (Deg, Retro, Active) drawn centred
    and toggled by a click anywhere in the cell or by Space; GridView sets it on those
    columns only."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if not _is_bool(index):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        state = index.data(Qt.ItemDataRole.CheckStateRole)
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        box = QStyleOptionViewItem(opt)
        size = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, opt, opt.widget)
        box.rect = QRect(0, 0, size, size)
        box.rect.moveCenter(option.rect.center())
        box.state = box.state & ~QStyle.StateFlag.State_HasFocus
        box.state |= QStyle.StateFlag.State_On if state == Qt.CheckState.Checked else QStyle.StateFlag.State_Off
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, box, painter, opt.widget)

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: Index) -> bool:
        """A check box cell toggles on a click anywhere in it, or on Space."""
        if not _is_bool(index) or not index.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return super().editorEvent(event, model, option, index)
        toggle = event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton  # type: ignore[attr-defined]
        toggle = toggle or (
            event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select)
        )  # type: ignore[attr-defined]
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            return True
        if not toggle:
            return False
        checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        new = Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked
        return model.setData(index, new, Qt.ItemDataRole.CheckStateRole)


def _is_bool(index: Index) -> bool:
    model = index.model()
    return isinstance(model, TableModel) and model.column(index).kind == "bool"
