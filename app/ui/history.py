"""History tab of an agreement (SPEC §7): newest first, filter by line and field, read-only."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services import agreements

from .grid import read_only_view
from .list_model import ListModel, RecordSpec
from .models import Column
from .operations import Runner

ALL_LINES = "All lines"
ALL_FIELDS = "All fields"

HISTORY_SPEC = RecordSpec(
    columns=(
        Column("Line", width=50, align="center"),
        Column("Field", width=140),
        Column("Old Value", width=330),
        Column("New Value", width=330),
        Column("User", width=120),
        Column("Date/Time", width=160, align="center"),
    ),
    to_row=lambda h: {
        "Line": "" if h.line_no is None else str(h.line_no),
        "Field": h.field,
        "Old Value": h.old_value or "",
        "New Value": h.new_value or "",
        "User": h.user,
        "Date/Time": h.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if h.at.tzinfo
        else h.at.strftime("%Y-%m-%d %H:%M:%S"),
    },
)


class HistoryView(QWidget):
    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.agreement_id: int | None = None
        self.stale = False
        self.model = ListModel(HISTORY_SPEC)
        self.view = read_only_view(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
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
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view)

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
        self.model.set_records(rows)

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
