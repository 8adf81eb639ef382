"""Journal (SPEC §8, §9): posted journal lines for a date range and source, with the SPEC §9
columns, debit and credit totals, and export to CSV or XLSX; below, the numbered exports
for the general ledger (`--new`): export the lines not yet exported, or print an export again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import ZERO
from app.domain.vocabulary import SOURCES
from app.services import journal_exports, reports
from app.services.journal_exports import ExportRecord

from .bars import hbox
from .base import Screen, UiEnv, heading
from .reports_common import OptionalDate, RCol, ReadsOnFilters, ReportModel, ReportView, export

ALL_SOURCES = "All sources"
GL_FORMATS = [".csv", ".xlsx"]
Filters = tuple[date | None, date | None, str | None, bool]


def _amount(value: Decimal | None) -> Decimal | None:
    return value or None  # a zero side shows blank


def _posted(text: object) -> str:
    """posted_at (ISO with offset) as the grid shows it: local date and time."""
    return str(text or "")[:19].replace("T", " ")


JOURNAL_COLUMNS = (
    RCol("Entry", lambda j: j["entry_no"], "number", width=60),
    RCol("Date", lambda j: j["entry_date"], "date", width=86),
    RCol("Source", lambda j: j["source"], width=70),
    RCol("Slip", lambda j: j["slip_no"], width=84),
    RCol("Line", lambda j: j["line_no"], "number", width=44),
    RCol("Account", lambda j: j["account"], width=70),
    RCol("Role", lambda j: j["account_role"], width=170),
    RCol("Debit", lambda j: _amount(j["debit"]), "decimal", width=96),
    RCol("Credit", lambda j: _amount(j["credit"]), "decimal", width=96),
    RCol("Vendor", lambda j: j["vendor_code"], width=86),
    RCol("Product", lambda j: j["product_code"], width=112),
    RCol("Kind", lambda j: j["agreement_kind"], width=70),
    RCol("Agreement", lambda j: j["agreement_no"], width=76),
    RCol(
        "Posted at",
        lambda j: j["posted_at"],
        width=140,
        text=lambda j: _posted(j["posted_at"]),
        tip=lambda j: str(j["posted_at"]),
    ),
    RCol("Export", lambda j: j["export_no"], "number", width=56),
    RCol("Memo", lambda j: j["memo"], width=200),
)

EXPORT_COLUMNS = (
    RCol("No.", lambda e: e.export_no, "number", width=50),
    RCol(
        "Exported at",
        lambda e: e.exported_at,
        width=140,
        text=lambda e: e.exported_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
    ),
    RCol("By", lambda e: e.exported_by, width=90),
    RCol("Lines", lambda e: e.line_count, "int", width=70),
    RCol("Debit", lambda e: e.total_debit, "decimal", width=110),
    RCol("Credit", lambda e: e.total_credit, "decimal", width=110),
    RCol("File", lambda e: e.file_name, width=300),
)


class JournalScreen(ReadsOnFilters[Filters], Screen):
    title = "Journal"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.rows: list[dict[str, object]] = []
        self.model = ReportModel(JOURNAL_COLUMNS)
        self.view = ReportView(self.model, self, sorting="model")  # can be a long list
        self.view.horizontalHeader().setStretchLastSection(True)
        self.add_shortcut("Refresh", "F5", self.refresh)
        today = date.today()
        self.date_from = OptionalDate("From", self, date(today.year, today.month, 1))
        self.date_to = OptionalDate("To", self, today)
        self.date_from.check.setChecked(False)
        self.date_to.check.setChecked(False)
        self.source_box = QComboBox(self)
        self.source_box.addItem(ALL_SOURCES, None)
        for source in SOURCES:
            self.source_box.addItem(source, source)
        self.unexported_check = QCheckBox("Not yet exported", self)
        self.unexported_check.setToolTip("Only the lines no numbered export has carried yet")
        for signal in (self.date_from.changed, self.date_to.changed):
            signal.connect(self._filters_changed)
        self.source_box.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.unexported_check.toggled.connect(lambda _on: self._filters_changed())
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(self.refresh)
        self.xlsx_button = QPushButton("XLSX…")
        self.csv_button = QPushButton("CSV…")
        self.xlsx_button.setToolTip("Export the lines shown to a file (not recorded as an export)")
        self.csv_button.setToolTip(self.xlsx_button.toolTip())
        self.xlsx_button.clicked.connect(lambda _c=False: self.export(".xlsx"))
        self.csv_button.clicked.connect(lambda _c=False: self.export(".csv"))
        bar = hbox(
            self.date_from,
            8,
            self.date_to,
            8,
            "Source:",
            self.source_box,
            8,
            self.unexported_check,
            refresh,
            None,
            self.xlsx_button,
            self.csv_button,
        )
        self.summary = QLabel("")
        self.summary.setStyleSheet("font-weight: bold;")

        # the numbered exports for the general ledger
        self.exports: list[ExportRecord] = []
        self.exports_model = ReportModel(EXPORT_COLUMNS)
        self.exports_view = ReportView(self.exports_model, self, sorting=None)  # latest first
        self.exports_view.horizontalHeader().setStretchLastSection(True)
        self.exports_view.activated.connect(self._reprint_at)
        self.pending = QLabel("")
        self.new_button = QPushButton("Export new lines…")
        self.new_button.setToolTip(
            "Every journal line not yet exported, back-dated ones included, to a file, "
            "recorded as the next numbered export: no line is exported twice"
        )
        self.reprint_button = QPushButton("Re-print…")
        self.reprint_button.setToolTip("Write the lines of the chosen export again, with their export number")
        self.new_button.clicked.connect(lambda _c=False: self.export_new())
        self.reprint_button.clicked.connect(lambda _c=False: self.reprint())
        exports_bar = hbox(
            heading("Exports for the general ledger"), 12, self.pending, None, self.new_button, self.reprint_button
        )

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.view, 1)
        top_layout.addWidget(self.summary)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(exports_bar)
        bottom_layout.addWidget(self.exports_view, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def filters(self) -> Filters:
        return (
            self.date_from.value(),
            self.date_to.value(),
            self.source_box.currentData(),
            self.unexported_check.isChecked(),
        )

    def start(self) -> None:
        self.reload()

    def refresh(self) -> None:
        wanted = self.filters()
        date_from, date_to, source, unexported = wanted

        def work(uow: Any, _job: Any) -> tuple[list[dict[str, object]], list[ExportRecord], int]:
            return (
                reports.journal_rows(uow, date_from, date_to, source, unexported=unexported),
                journal_exports.list_exports(uow),
                journal_exports.lines_not_exported(uow),
            )

        self.runner.run(self, "Journal", work, lambda result: self._loaded(wanted, *result))

    def _loaded(
        self, wanted: Filters, rows: list[dict[str, object]], exports: list[ExportRecord], pending: int
    ) -> None:
        self._show_exports(exports, pending)
        if self.is_stale(wanted):
            return
        self.loaded, self.rows = wanted, rows
        self.model.set_records(rows)
        header = self.view.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        debit = sum((r["debit"] for r in rows), ZERO)  # type: ignore[misc]
        credit = sum((r["credit"] for r in rows), ZERO)  # type: ignore[misc]
        entries = len({r["entry_no"] for r in rows})
        balance = "balanced" if debit == credit else f"OUT OF BALANCE by {debit - credit:,.2f}"
        self.summary.setText(
            f"{len(rows):,} lines in {entries:,} entries · debit {debit:,.2f} · credit {credit:,.2f} · {balance}"
        )

    def _show_exports(self, exports: list[ExportRecord], pending: int) -> None:
        chosen = self.chosen_export()
        self.exports = exports
        self.exports_model.set_records(exports)
        for row, record in enumerate(exports):
            if chosen is not None and record.export_no == chosen.export_no:
                self.exports_view.selectRow(row)
        self.pending.setText(
            f"{pending:,} journal line{'s' if pending != 1 else ''} not yet exported"
            if pending
            else "Every journal line is in an export"
        )

    def export(self, suffix: str) -> bool:
        """The lines shown, to a file (not an export of record)."""
        if self.loaded is None:
            return False
        rows = self.rows
        date_from, date_to, source, unexported = self.loaded
        parts = [
            "journal",
            *(d.isoformat() for d in (date_from, date_to) if d),
            *([source.lower()] if source else []),
            *(["not-exported"] if unexported else []),
        ]

        def write(_uow: Any, path: Path) -> int:
            return journal_exports.write_journal(path, [tuple(r[c] for c in reports.JOURNAL_COLUMNS) for r in rows])

        return export(
            self.env,
            self,
            "Export journal",
            "-".join(parts) + suffix,
            [suffix],
            write,
            lambda path, n: self.status_message.emit(f"Wrote {n} journal lines to {path}"),
        )

    def export_new(self) -> bool:
        """Every line not yet exported to a file the user picks, recorded as the next export."""
        following = max((e.export_no for e in self.exports), default=0) + 1  # the name only: the number is
        # given when the export is recorded (another workstation may export first)

        def write(uow: Any, path: Path, force: bool) -> ExportRecord | None:
            return journal_exports.export_new(uow, path, replace=force)  # asks before replacing a file

        return export(
            self.env,
            self,
            "Export new journal lines",
            f"journal-export-{following:04d}.csv",
            GL_FORMATS,
            None,
            self._exported,
            writes_itself=write,
        )  # type: ignore[arg-type]

    def _exported(self, path: Path, record: ExportRecord | None) -> None:
        if record is None:
            self.env.interaction.inform(
                self,
                "Export new journal lines",
                "There is no journal line to export: every line is in an export "
                "already. No file was written and no export recorded.",
            )
        else:
            self.status_message.emit(f"Export {record.export_no}: wrote {record.line_count:,} journal lines to {path}")
        self.refresh()

    def chosen_export(self) -> ExportRecord | None:
        return self.exports_view.record()  # type: ignore[no-any-return]

    def _reprint_at(self, index: QModelIndex) -> None:
        self.exports_view.setCurrentIndex(index)
        self.reprint()

    def reprint(self) -> bool:
        """Write the lines of the chosen export again (with their export number)."""
        record = self.chosen_export()
        if record is None:
            self.env.interaction.inform(self, "Re-print an export", "Choose an export in the list first.")
            return False
        number = record.export_no

        def write(uow: Any, path: Path) -> int:
            return journal_exports.reprint(uow, number, path)

        return export(
            self.env,
            self,
            f"Re-print export {number}",
            f"journal-export-{number:04d}.csv",
            GL_FORMATS,
            write,
            lambda path, n: self.status_message.emit(f"Wrote export {number} again: {n:,} journal lines to {path}"),
        )
