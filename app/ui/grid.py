"""The grid widgets shared by the screens: keyboard-first table view, editors, lookups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPainter, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .list_model import ListModel, RecordSpec
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
            completer = QCompleter(list(self.completions(index)), line)
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
        toggle = (event.type() == QEvent.Type.MouseButtonRelease
                  and event.button() == Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        toggle = toggle or (event.type() == QEvent.Type.KeyPress
                            and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select))  # type: ignore[attr-defined]
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


class GridView(QTableView):
    """Tab/Enter move, Ins adds a row, Del removes, F2 defaults (else edits), F4 looks up;
    Esc (not editing) goes up to the screen."""

    insert_requested = Signal()
    delete_requested = Signal()
    lookup_requested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None, completions: Completions | None = None) -> None:
        super().__init__(parent)
        self.f2_handler: Callable[[QModelIndex], bool] | None = None
        self.setItemDelegate(EditDelegate(self, completions))
        self.check_delegate = GridDelegate(self, completions)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed
                             | triggers.SelectedClicked)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)

    def setModel(self, model: Any) -> None:  # noqa: N802 - Qt name
        super().setModel(model)
        if isinstance(model, TableModel):
            for i, column in enumerate(model.columns):
                self.setItemDelegateForColumn(i, self.check_delegate if column.kind == "bool" else None)  # type: ignore[arg-type]
        self.fit_columns()

    def fit_columns(self) -> None:
        model = self.model()
        if not isinstance(model, TableModel):
            return
        metrics = self.horizontalHeader().fontMetrics()
        for i, column in enumerate(model.columns):
            header = metrics.horizontalAdvance(column.name) + 14
            self.setColumnWidth(i, max(column.width or 90, header))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if self.state() != QAbstractItemView.State.EditingState and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            if key == Qt.Key.Key_Insert:
                self.insert_requested.emit()
                return
            if key == Qt.Key.Key_Delete:
                self.delete_requested.emit()
                return
            if key == Qt.Key.Key_F2 and self.f2_handler is not None and self.f2_handler(self.currentIndex()):
                return
            if key == Qt.Key.Key_F4:
                self.lookup_requested.emit(self.currentIndex())
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.move_next()
                return
            if key == Qt.Key.Key_Escape:
                event.ignore()
                return
        super().keyPressEvent(event)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:  # noqa: N802
        model = self.model()
        if hasattr(model, "clear_preview"):
            model.clear_preview()
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:  # Enter: commit, move on
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_next()
            return
        super().closeEditor(editor, hint)

    def move_next(self) -> None:
        index = self.currentIndex()
        model = self.model()
        if not index.isValid() or model is None:
            return
        row, col = index.row(), index.column() + 1
        if col >= model.columnCount():
            row, col = row + 1, 0
        if row < model.rowCount():
            self.setCurrentIndex(model.index(row, col))

    def commit_editor(self) -> None:
        """Commit a cell being edited (before Save)."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.viewport():
            editor = editor.parentWidget()
        if editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.selectionModel().selectedIndexes()} if self.selectionModel() else set()
        if not rows and self.currentIndex().isValid():
            rows = {self.currentIndex().row()}
        return sorted(rows)

    def go_to(self, row: int, column: int) -> None:
        model = self.model()
        if model is not None and 0 <= row < model.rowCount():
            index = model.index(row, max(column, 0))
            self.setCurrentIndex(index)
            self.scrollTo(index)
            self.setFocus()


def read_only_view(model: ListModel, parent: QWidget | None = None) -> GridView:
    view = GridView(parent)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.setModel(model)
    return view


LOOKUP_SPEC = RecordSpec(
    columns=(Column("Code", width=160), Column("Description", width=300)),
    to_row=lambda r: {"Code": r[0], "Description": r[1]},
)


class LookupDialog(QDialog):
    """F4: a filterable list of (code, description); Enter or double-click picks."""

    def __init__(self, parent: QWidget | None, title: str, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(520, 420)
        self.model = ListModel(LOOKUP_SPEC, rows)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Type to filter on code or description")
        self.filter.textChanged.connect(self._filter)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, 160)
        self.view.doubleClicked.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        if rows:
            self.view.selectRow(0)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if self.proxy.rowCount():
            self.view.selectRow(0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.filter.hasFocus():
            self.view.setFocus()
            self.view.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def chosen(self) -> str | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.index(index.row(), 0).data()


def choose(parent: QWidget | None, title: str, rows: Sequence[tuple[str, str]]) -> str | None:
    dialog = LookupDialog(parent, title, rows)
    return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


class VendorBox(QComboBox):
    """Vendor selection with completion on code and name. Emits the vendor code."""

    vendor_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumWidth(330)
        self.setMaxVisibleItems(20)
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.lineEdit().setPlaceholderText("Vendor code or name")
        self._current: str | None = None
        self.activated.connect(self._activated)
        self.lineEdit().returnPressed.connect(self._typed)
        completer.activated[str].connect(lambda _t: self._typed())

    def set_vendors(self, vendors: Sequence[tuple[str, str]]) -> None:
        self.blockSignals(True)
        self.clear()
        for code, name in vendors:
            self.addItem(f"{code} — {name}", code)
        self.setCurrentIndex(-1)
        self.blockSignals(False)
        self._current = None

    def code(self) -> str | None:
        return self._current

    def set_code(self, code: str | None, notify: bool = True) -> bool:
        i = self.findData(code) if code else -1
        if i < 0:
            return False
        self.setCurrentIndex(i)
        self._choose(code, notify)  # type: ignore[arg-type]
        return True

    def _activated(self, i: int) -> None:
        self._choose(self.itemData(i), True)

    def _typed(self) -> None:
        text = self.currentText().strip().lower()
        if not text:
            return
        for i in range(self.count()):
            code = str(self.itemData(i))
            if code.lower() == text or self.itemText(i).lower() == text:
                self.set_code(code)
                return
        for i in range(self.count()):
            if text in self.itemText(i).lower():
                self.set_code(str(self.itemData(i)))
                return

    def _choose(self, code: str | None, notify: bool) -> None:
        if code is None:
            return
        i = self.findData(code)
        if i >= 0 and self.currentText() != self.itemText(i):
            self.setEditText(self.itemText(i))
        self.lineEdit().setCursorPosition(0)
        if code != self._current:
            self._current = code
            if notify:
                self.vendor_chosen.emit(code)
