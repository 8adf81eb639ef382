"""The grid view shared by the screens: keyboard-first table view (Tab/Enter, Ins, Del,
F2, F4) and its read-only variant. The cell editors are in editors, the lookups and the
vendor box in lookups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMainWindow,
    QTableView,
    QWidget,
)

from .editors import Completions, EditDelegate, GridDelegate
from .list_model import ListModel

# Re-exported for the screens outside this split (agreements, estimated, statements)
# until their imports change over to lookups.
from .models import TableModel


class RowHeader(QHeaderView):
    """The row labels of a grid (line numbers). Its width is the one Qt gives a vertical
    header — the widest of the first and the last hundred labels, laid out in bold — but
    measured on the widest label only, once until the rows or the labels change (as Qt
    keeps its own): Qt lays out all two hundred labels, a third of the first painting of
    a 5,000-line agreement. (The grids' models give the header no font or size of its own.)"""

    SAMPLE = 100  # labels from each end, as QHeaderView::sizeHint
    CHANGES = ("modelReset", "layoutChanged", "rowsInserted", "rowsRemoved", "rowsMoved", "headerDataChanged")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionsClickable(True)  # as QTableView makes its own
        self.setHighlightSections(True)
        self._hint: tuple[tuple[str, str], QSize] | None = None  # (font and style, size)
        self._watched: Any = None

    def setModel(self, model: Any) -> None:  # noqa: N802 - Qt name
        if self._watched is not None:
            for name in self.CHANGES:
                getattr(self._watched, name).disconnect(self._forget)
        super().setModel(model)
        self._watched = model
        if model is not None:
            for name in self.CHANGES:
                getattr(model, name).connect(self._forget)
        self._forget()

    def _forget(self, *_args: Any) -> None:
        self._hint = None

    def _sample(self) -> list[int]:
        count, first, i = self.count(), [], 0
        while len(first) < self.SAMPLE and i < count:
            if not self.isSectionHidden(i):
                first.append(i)
            i += 1
        last, j = [], count - 1
        while j >= max(i, count - self.SAMPLE) and len(last) < self.SAMPLE:
            if not self.isSectionHidden(j):
                last.append(j)
            j -= 1
        return first + last

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        # The font and the style are part of the key: the view asks again while the font is
        # being changed, before the header is told of it.
        look = (self.font().key(), self.style().name())
        if self._hint is None or self._hint[0] != look:
            model, sections = self.model(), self._sample()
            if model is None or not sections:
                return super().sizeHint()
            bold = QFont(self.font())
            bold.setBold(True)
            metrics = QFontMetrics(bold)
            vertical, display = Qt.Orientation.Vertical, Qt.ItemDataRole.DisplayRole
            widths = [metrics.horizontalAdvance(str(model.headerData(i, vertical, display) or "")) for i in sections]
            self._hint = look, self.sectionSizeFromContents(sections[widths.index(max(widths))])
        return QSize(self._hint[1])


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
        self.setEditTriggers(
            triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed | triggers.SelectedClicked
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setVerticalHeader(RowHeader(self))
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)

    def setModel(self, model: Any) -> None:  # noqa: N802 - Qt name
        super().setModel(model)
        if isinstance(model, TableModel):
            for i, column in enumerate(model.columns):
                self.setItemDelegateForColumn(i, self.check_delegate if column.kind == "bool" else None)  # type: ignore[arg-type]
        self.fit_columns()

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:  # noqa: N802 - Qt name
        """The status bar says what the current column means (its header's tooltip)."""
        super().currentChanged(current, previous)
        model = self.model()
        if not isinstance(model, TableModel) or not current.isValid() or current.column() == previous.column():
            return
        column = model.column(current.column())
        window = self.window()
        if column.tip and isinstance(window, QMainWindow):
            window.statusBar().showMessage(f"{column.name}: {column.tip}", 15000)

    def fit_columns(self) -> None:
        model = self.model()
        if not isinstance(model, TableModel):
            return
        metrics = self.horizontalHeader().fontMetrics()
        for i, column in enumerate(model.columns):
            lines = (column.heading or column.name).split("\n")
            header = max(metrics.horizontalAdvance(line) for line in lines) + 14
            self.setColumnWidth(i, max(column.width or 90, header))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if self.state() != QAbstractItemView.State.EditingState and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
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
        """Enter: the next cell that takes a value (read-only cells such as Description are skipped)."""
        following = self._step(self.currentIndex(), 1)
        if following is not None:
            self.setCurrentIndex(following)

    def moveCursor(  # noqa: N802 - Qt name
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Tab and Shift+Tab skip the read-only cells of an editable grid, as Enter does."""
        cursor = QAbstractItemView.CursorAction
        if action in (cursor.MoveNext, cursor.MovePrevious):
            found = self._step(self.currentIndex(), 1 if action == cursor.MoveNext else -1)
            if found is not None:
                return found
        return super().moveCursor(action, modifiers)

    def _step(self, index: QModelIndex, step: int) -> QModelIndex | None:
        """The next (step 1) or previous (-1) cell, row by row, that is editable; in a grid that
        edits nothing (or with none within two rows), simply the next cell; None at the end."""
        model = self.model()
        if not index.isValid() or model is None:
            return None
        columns, rows = model.columnCount(), model.rowCount()
        here = index.row() * columns + index.column()
        editable = Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
        searched = 0 if isinstance(model, TableModel) and model.read_only else 2 * columns
        first = None
        for at in range(here + step, rows * columns if step > 0 else -1, step):
            cell = model.index(at // columns, at % columns)
            if first is None:
                first = cell
            searched -= 1
            if searched < 0 or model.flags(cell) & editable:
                return cell if searched >= 0 else first
        return first

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
