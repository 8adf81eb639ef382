"""History tab of an agreement (SPEC §7): newest first, filter by line and field, read-only.
One saved change of one line is one event (a created line: one row with its values), numbers
as the grids show them; the selected event opens below, a row per field (old and new), and
its tooltip lists them too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from itertools import groupby

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from app.services import agreements

from .agreement_lines import agreement_columns
from .grid import read_only_view
from .list_model import ListModel, RecordSpec
from .models import Column, fmt_cell
from .operations import Runner

ALL_LINES = "All lines"
ALL_FIELDS = "All fields"

GRID_COLUMNS = {c.name: c for c in (*agreement_columns(True, True), *agreement_columns(False, True))}
GRID_ORDER = {name: i for i, name in enumerate(GRID_COLUMNS)}  # an event's fields in the grid's order


def shown(field: str, value: str | None) -> str:
    """A stored history value as the grid shows that field (2.5 -> 2.50, 999999999 -> no limit)."""
    column = GRID_COLUMNS.get(field)
    if value is None or column is None or column.kind != "decimal":
        return value or ""
    try:
        return fmt_cell(Decimal(value), column)
    except InvalidOperation:
        return value


@dataclass(frozen=True)
class HistoryEvent:
    """The history rows of one save of one line: (field, old, new) each."""

    line_no: int | None
    changes: tuple[tuple[str, str, str], ...]
    user: str
    at: datetime

    @property
    def what(self) -> str:
        if len(self.changes) == 1:
            return self.changes[0][0]
        if all(not old for _f, old, _n in self.changes):
            return f"created ({len(self.changes)} fields)"
        if all(not new for _f, _o, new in self.changes):
            return f"deleted ({len(self.changes)} fields)"
        return f"{len(self.changes)} fields"

    def values(self, which: int) -> str:
        if len(self.changes) == 1:
            return self.changes[0][which]
        return "; ".join(f"{c[0]} {c[which]}" for c in self.changes if c[which])

    @property
    def detail(self) -> str:
        return "\n".join(f"{field}: {old or '—'} → {new or '—'}" for field, old, new in self.changes)


def history_events(rows: Sequence[agreements.HistoryRow]) -> list[HistoryEvent]:
    """Consecutive rows of one line, user and moment (one save) as one event, newest first."""
    events: list[HistoryEvent] = []
    for (line_no, user, at), group in groupby(rows, key=lambda r: (r.line_no, r.user, r.at)):
        ordered = sorted(group, key=lambda r: GRID_ORDER.get(r.field, len(GRID_ORDER)))
        changes = tuple((r.field, shown(r.field, r.old_value), shown(r.field, r.new_value)) for r in ordered)
        events.append(HistoryEvent(line_no, changes, user, at))
    return events


HISTORY_SPEC = RecordSpec(
    columns=(
        Column("Line", width=50, align="center"),
        Column("Field", width=150),
        Column("Old Value", width=330),
        Column("New Value", width=330),
        Column("User", width=120),
        Column("Date/Time", width=160, align="center"),
    ),
    to_row=lambda e: {
        "Line": "" if e.line_no is None else str(e.line_no),
        "Field": e.what,
        "Old Value": e.values(1),
        "New Value": e.values(2),
        "User": e.user,
        "Date/Time": e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if e.at.tzinfo
        else e.at.strftime("%Y-%m-%d %H:%M:%S"),
    },
)


CHANGES_SPEC = RecordSpec(
    columns=(Column("Field", width=150), Column("Old Value", width=330), Column("New Value", width=330)),
    to_row=lambda c: {"Field": c[0], "Old Value": c[1] or "—", "New Value": c[2] or "—"},
)


class HistoryModel(ListModel):
    """The events; each row's tooltip lists every field it changed, old → new."""

    def cell_tip(self, row: int, column: Column) -> str | None:
        return str(self.records[row].detail)


class HistoryView(QWidget):
    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.agreement_id: int | None = None
        self.stale = False
        self.model = HistoryModel(HISTORY_SPEC)
        self.view = read_only_view(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.changes = ListModel(CHANGES_SPEC)  # the selected event, a row per field
        self.changes_view = read_only_view(self.changes, self)
        self.changes_view.horizontalHeader().setStretchLastSection(True)
        self.changes_title = QLabel("")
        self.view.selectionModel().currentRowChanged.connect(lambda current, _p: self._open(current.row()))
        self.line_filter = QComboBox(self)
        self.field_filter = QComboBox(self)
        self.line_filter.setMinimumWidth(110)
        self.field_filter.setMinimumWidth(160)
        self.line_filter.currentIndexChanged.connect(lambda _i: self.refresh(keep_filters=True))
        self.field_filter.currentIndexChanged.connect(lambda _i: self.refresh(keep_filters=True))
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Line:"))
        filters.addWidget(self.line_filter)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Field:"))
        filters.addWidget(self.field_filter)
        filters.addStretch(1)
        below = QWidget(self)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 4, 0, 0)
        below_layout.addWidget(self.changes_title)
        below_layout.addWidget(self.changes_view)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.view)
        split.addWidget(below)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split)

    def _open(self, row: int) -> None:
        """The event at `row` below the list, a row per field it set or changed."""
        if not 0 <= row < len(self.model.records):
            self.changes.set_records([])
            self.changes_title.setText("Select an event to see each field it changed.")
            return
        event: HistoryEvent = self.model.records[row]
        line = "the agreement" if event.line_no is None else f"line {event.line_no}"
        when = event.at.astimezone() if event.at.tzinfo else event.at
        self.changes_title.setText(
            f"{event.what.capitalize()} of {line} by {event.user} on {when:%Y-%m-%d %H:%M:%S}: each field, old → new"
        )
        self.changes.set_records(list(event.changes))

    def set_agreement(self, agreement_id: int | None) -> None:
        """Shown agreement; its history is read when the tab is shown (it can be long)."""
        self.agreement_id = agreement_id
        self.stale = True
        if self.isVisible():
            self.refresh(keep_filters=False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self.stale:
            self.refresh(keep_filters=False)

    def _filters(self) -> tuple[int | None, str | None]:
        line = self.line_filter.currentData()
        field = self.field_filter.currentText()
        return (int(line) if line is not None else None, None if field in ("", ALL_FIELDS) else field)

    def refresh(self, keep_filters: bool = True) -> None:
        if self.agreement_id is None:
            self.stale = False
            self.model.set_records([])
            self._set_choices([])
            return
        self.stale = False
        line, field = self._filters() if keep_filters else (None, None)
        agreement_id = self.agreement_id
        rows = self.runner.call(self, "History", lambda uow: agreements.history(uow, agreement_id, line, field)) or []
        if not keep_filters:
            self._set_choices(rows)
        self.model.set_records(history_events(rows))
        if self.model.records:
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._open(self.view.currentIndex().row() if self.model.records else -1)

    def _set_choices(self, rows: list[agreements.HistoryRow]) -> None:
        for combo in (self.line_filter, self.field_filter):
            combo.blockSignals(True)
            combo.clear()
        self.line_filter.addItem(ALL_LINES, None)
        for line_no in sorted({r.line_no for r in rows if r.line_no is not None}):
            self.line_filter.addItem(f"Line {line_no}", line_no)
        self.field_filter.addItem(ALL_FIELDS)
        self.field_filter.addItems(sorted({r.field for r in rows}))
        for combo in (self.line_filter, self.field_filter):
            combo.blockSignals(False)
