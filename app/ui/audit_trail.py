"""Maintenance > Audit Trail (issue 13): the changes the database recorded to master data, users
and roles, the GL setup and the company's settings, searched by table, user, dates and text,
newest first; read-only (nothing in the trail can be changed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.services import audit_trail
from app.services.audit_trail import TABLES, TrailRow

from .bars import hbox
from .base import Screen, UiEnv
from .reports_common import OptionalDate, RCol, ReadsOnFilters, ReportModel, ReportView

ALL_TABLES = "All tables"
Filters = tuple[str | None, str, date | None, date | None, str]


def _when(row: TrailRow) -> str:
    return row.changed_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _values(row: TrailRow) -> str:
    """The tooltip of What changed: the whole row before and after."""
    parts = []
    for label, values in (("Before", row.old), ("After", row.new)):
        if values is not None:
            parts.append(f"{label}: " + ", ".join(f"{n} {audit_trail.shown(v)}" for n, v in values.items()))
    return "\n".join(parts)


TRAIL_COLUMNS = (
    RCol("When", lambda r: r.changed_at.isoformat(), width=140, text=_when),
    RCol("DB login", lambda r: r.db_user, width=90),
    RCol("User", lambda r: r.app_user, width=90),
    RCol("Table", lambda r: r.table, width=90),
    RCol("Action", lambda r: r.action, width=60),
    RCol("Record", lambda r: r.record, width=130),
    RCol("What changed", lambda r: r.changes, width=420, tip=_values),
)


class AuditTrailScreen(ReadsOnFilters[Filters], Screen):
    title = "Audit Trail"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.rows: list[TrailRow] = []
        self.model = ReportModel(TRAIL_COLUMNS)
        self.view = ReportView(self.model, self, sorting="model")  # newest first until a header is clicked
        self.view.horizontalHeader().setStretchLastSection(True)
        self.add_shortcut("Refresh", "F5", self.refresh)
        self.table_box = QComboBox(self)
        self.table_box.addItem(ALL_TABLES, None)
        for name, label in TABLES.items():
            self.table_box.addItem(label, name)
        self.user_edit = QLineEdit(self)
        self.user_edit.setPlaceholderText("user or login")
        self.user_edit.setToolTip("Only the changes by this user (as the program named it) or database login")
        self.date_from = OptionalDate("From", self, None)
        self.date_to = OptionalDate("To", self, None)
        self.text_edit = QLineEdit(self)
        self.text_edit.setPlaceholderText("text")
        self.text_edit.setToolTip("Only the changes whose record or values contain this text (any case)")
        for signal in (self.date_from.changed, self.date_to.changed):
            signal.connect(self._filters_changed)
        self.table_box.currentIndexChanged.connect(lambda _i: self._filters_changed())
        for edit in (self.user_edit, self.text_edit):
            edit.editingFinished.connect(self._filters_changed)
        search = QPushButton("Search (F5)")
        search.clicked.connect(self.refresh)
        bar = hbox(
            "Table:",
            self.table_box,
            8,
            "User:",
            self.user_edit,
            8,
            self.date_from,
            8,
            self.date_to,
            8,
            "Text:",
            self.text_edit,
            search,
            None,
        )
        self.summary = QLabel("")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def filters(self) -> Filters:
        return (
            self.table_box.currentData(),
            self.user_edit.text().strip(),
            self.date_from.value(),
            self.date_to.value(),
            self.text_edit.text().strip(),
        )

    def start(self) -> None:
        self.reload()

    def refresh(self) -> None:
        wanted = self.filters()
        table, user, date_from, date_to, text = wanted

        def work(uow: Any, _job: Any) -> list[TrailRow]:
            return audit_trail.search(uow, table, user or None, date_from, date_to, text or None)

        self.runner.run(self, "Audit trail", work, lambda rows: self._loaded(wanted, rows))

    def _loaded(self, wanted: Filters, rows: list[TrailRow]) -> None:
        if self.is_stale(wanted):
            return
        self.loaded, self.rows = wanted, rows
        self.model.set_records(rows)
        header = self.view.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        limited = len(rows) >= audit_trail.LIMIT
        self.summary.setText(
            f"{len(rows):,} change{'s' if len(rows) != 1 else ''}"
            + (f" (the newest {audit_trail.LIMIT:,}: narrow the search to see older ones)" if limited else "")
        )
