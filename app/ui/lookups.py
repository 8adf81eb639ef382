"""The lookup widgets: the F4 list of codes and descriptions (LookupDialog, choose) and
the vendor selection box with completion (VendorBox)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .list_model import ListModel, RecordSpec
from .models import Column

LOOKUP_SPEC = RecordSpec(
    columns=(Column("Code", width=160), Column("Description", width=300)),
    to_row=lambda r: {"Code": r[0], "Description": r[1]},
)


class LookupDialog(QDialog):
    """F4: a filterable list of (code, description); Enter or double-click picks."""

    def __init__(
        self, parent: QWidget | None, title: str, rows: Sequence[tuple[str, str]], current: str | None = None
    ) -> None:
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
        if current:
            self.open_on(current)

    def open_on(self, value: str) -> None:
        """Start on the cell's value: its row selected; a value that is no code filters the list."""
        codes = [str(code).upper() for code, _description in self.model.records]
        if value.upper() in codes:
            row = self.proxy.mapFromSource(self.model.index(codes.index(value.upper()), 0)).row()
            self.view.selectRow(row)
            self.view.scrollTo(self.proxy.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        else:
            self.filter.setText(value)

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


def choose(
    parent: QWidget | None, title: str, rows: Sequence[tuple[str, str]], current: str | None = None
) -> str | None:
    dialog = LookupDialog(parent, title, rows, current)
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
