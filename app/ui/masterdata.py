"""Vendors, Products, Categories (and the GL account list): simple grids with Add and Save
through the masterdata services, problems shown on their row and cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.filters import ColumnFilter
from app.services.errors import ValidationFailed

from .base import ProblemList, Screen, UiEnv, heading
from .filter_header import FilterHeader
from .grid import GridView
from .list_model import LONG_TEXT
from .models import Column, TableModel, map_problems, row_label_number
from .record_specs import ACCOUNTS, CATEGORIES, PRODUCTS, VENDORS, GridSpec

__all__ = ["ACCOUNTS", "CATEGORIES", "PRODUCTS", "VENDORS", "GridSpec", "RecordsModel", "RecordsPanel", "RecordsScreen"]

ROW_PREFIX = "Row"
SAVED, CHANGED = "_saved", "_changed"


PAGE = 2_000  # rows a searchable grid reads at a time


class RecordsModel(TableModel):
    """Rows of records, read a page at a time when searchable; the key of a saved row is not
    editable; changed rows are marked."""

    pages_read = Signal()

    def __init__(self, spec: GridSpec) -> None:
        super().__init__(spec.columns)
        self.spec = spec
        # the next page of saved rows, from a position (set while there may be more; None
        # returned when it could not be read); its rows go after those read
        self.next_page: Callable[[int], list[dict[str, Any]] | None] | None = None
        self.read = 0  # saved rows read: rows[:read]; the rows added and not saved follow
        self.busy: Callable[[], bool] = lambda: False  # a save is running

    def held(self) -> bool:
        """No page is read while rows are added and not saved, problems are shown or a save
        runs: the rows keep their places, so "Row N" in a message and a new row the user is
        typing in stay where they are."""
        return len(self.rows) != self.read or bool(self.problems) or self.busy()

    def canFetchMore(self, parent: QModelIndex) -> bool:  # noqa: N802 - Qt name
        return self.next_page is not None and not parent.isValid() and not self.held()

    def fetchMore(self, parent: QModelIndex) -> None:  # noqa: N802 - Qt name
        """Qt asks when the grid is scrolled to its end: the next page of saved rows."""
        if self.next_page is None or parent.isValid() or self.held():
            return
        page, self.next_page = self.next_page, None
        rows = page(self.read)
        if rows is None:  # not read (the error was shown): asked again at the next scroll
            self.next_page = page
            return
        if len(rows) > PAGE:
            rows, self.next_page = rows[:PAGE], page
        if not rows:
            return
        at = self.read
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self.rows[at:at] = [{**r, SAVED: True} for r in rows]
        self._shift_problems(at, len(rows))
        self.read += len(rows)
        self.endInsertRows()
        self.pages_read.emit()

    def is_editable(self, row: int, column: Column) -> bool:
        if column.name == self.spec.key and self.rows[row].get(SAVED):
            return False
        return super().is_editable(row, column)

    def set_values(self, row: int, values: dict[str, Any]) -> None:
        super().set_values(row, values)
        self.rows[row][CHANGED] = True

    def cell_tip(self, row: int, column: Column) -> str | None:
        """A long text (an address) shows whole in its tooltip."""
        value = self.rows[row].get(column.name)
        return str(value) if column.kind == "text" and value and len(str(value)) > LONG_TEXT else None

    def row_header(self, row: int) -> str:
        mark = "*" if self.rows[row].get(CHANGED) else ""
        return f"{row + 1}{mark}"

    def changed(self) -> list[tuple[str, dict[str, Any]]]:
        """(label, row) of every new or changed row."""
        return [(f"{ROW_PREFIX} {i + 1}", row) for i, row in enumerate(self.rows) if row.get(CHANGED)]


class RecordsPanel(QWidget):
    def __init__(self, env: UiEnv, spec: GridSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env, self.spec = env, spec
        self.model = RecordsModel(spec)
        self.model.busy = lambda: self.env.runner.busy
        self.narrowed = False
        self.last_filters: dict[str, ColumnFilter] = {}  # the filters of the rows shown
        self.model.pages_read.connect(self._count)
        self.view = GridView(self)
        self.filter_row: FilterHeader | None = None
        if spec.search is not None:
            self.filter_row = FilterHeader(self.view)
            self.view.setHorizontalHeader(self.filter_row)
            self.filter_row.set_columns(spec.columns)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.insert_requested.connect(self.add)
        self.problems = ProblemList(self._go_to)
        add = QPushButton("Add (Ins)")
        add.clicked.connect(self.add)
        reload_button = QPushButton("Reload")
        reload_button.clicked.connect(lambda: self.reload())
        self.save_button = QPushButton("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        bar = QHBoxLayout()
        bar.addWidget(heading(spec.title))
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(spec.search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(max(260, self.search.fontMetrics().horizontalAdvance(spec.search_hint) + 40))
        self.search.setVisible(spec.search is not None)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(300)  # typing pauses, then one read
        self.search_timer.timeout.connect(lambda: self.reload())
        self.search.textEdited.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(lambda: self.reload())
        if self.filter_row is not None:
            self.filter_row.edited.connect(self.search_timer.start)
            self.filter_row.applied.connect(lambda: self.reload())
        self.shown = QLabel("")
        self.shown.setStyleSheet("color: #555;")
        bar.addWidget(self.search)
        bar.addWidget(self.shown)
        bar.addStretch(1)
        for button in (add, reload_button, self.save_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        self.on_saved: Callable[[], None] | None = None

    def reload(self, force: bool = False) -> None:
        """Read the rows again (those the search finds); changes not saved are discarded only
        when the user agrees (force: they are, after a save or a discard)."""
        self.search_timer.stop()
        filters, wrong = self.filter_row.filters() if self.filter_row is not None else ({}, [])
        if wrong and not force:  # the rows shown stay; the box is marked and the line says why
            self.shown.setText("; ".join(wrong))
            return
        if (
            not force
            and self.model.changed()
            and not self.env.interaction.confirm(self, self.spec.title, "Discard the changes not saved?")
        ):
            return
        search, text = self.spec.search, self.search.text()
        if search is None:
            rows = self.env.runner.call(self, self.spec.title, self.spec.load) or []
            self.shown.setText("")
        else:
            if wrong:  # after a save or a discard: the rows of the filters last read
                filters = self.last_filters

            def page(start: int) -> list[dict[str, Any]] | None:
                return self.env.runner.call(
                    self, self.spec.title, lambda uow: search(uow, text, filters, PAGE + 1, start)
                )

            self.narrowed, self.last_filters = bool(filters or text.strip()), filters
            rows = page(0) or []
            self.model.next_page = page if len(rows) > PAGE else None
            rows = rows[:PAGE]
        self.model.set_rows([{**r, SAVED: True} for r in rows])
        self.model.read = len(rows)
        self._count()
        self.problems.show_problems([])

    def _count(self) -> None:
        """How many rows are read, and whether there are more."""
        if self.spec.search is None:
            return
        n = self.model.read
        if self.model.next_page is not None:
            more = "save the rows added to read more" if self.model.held() else "scroll down for more"
            self.shown.setText(f"first {n:,} read: {more}, or search or filter to narrow")
            return
        noun = self.spec.one if n == 1 else self.spec.title.lower()
        self.shown.setText(f"{n:,} {noun}" + (" (filtered)" if self.narrowed else ""))

    def add(self) -> None:
        position = self.model.insert_row(len(self.model.rows), {CHANGED: True})
        self.view.go_to(position, 0)
        self._count()

    def save(self) -> None:
        if self.env.runner.busy:
            return
        self.view.commit_editor()
        changed = self.model.changed()
        if not changed:
            return
        self.env.runner.run(
            self,
            f"Saving {self.spec.title.lower()}",
            lambda uow, _job: self.spec.save(uow, [{**row, "label": label} for label, row in changed]),
            self._saved,
            on_error=self._failed,
        )

    def _saved(self, count: int) -> None:
        self.reload(force=True)
        if self.on_saved:
            self.on_saved()

    def _failed(self, exc: BaseException) -> bool:
        if not isinstance(exc, ValidationFailed):
            return False
        self.model.set_problems(map_problems(exc.problems, self.model, ROW_PREFIX))
        self.problems.show_problems(exc.problems)
        return True

    def _go_to(self, record: str, field: str) -> None:
        row = row_label_number(record, ROW_PREFIX)
        if row is not None:
            self.view.go_to(row, self.model.column_index(field))


class RecordsScreen(Screen):
    def __init__(self, env: UiEnv, spec: GridSpec, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.title = spec.title
        self.panel = RecordsPanel(env, spec, self)
        QVBoxLayout(self).addWidget(self.panel)

    def start(self) -> None:
        self.panel.reload(force=True)

    def is_dirty(self) -> bool:
        return self.panel.model.dirty

    def save(self) -> None:
        self.panel.save()

    def discard(self) -> None:
        self.panel.reload(force=True)
