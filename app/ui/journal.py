"""Journal (SPEC §8): posted journal lines for a date range and source, with the SPEC §9
columns, debit and credit totals, and export to CSV or XLSX for the general ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.money import ZERO
from app.services import reports
from app.services.exports import write_table

from .base import Screen, UiEnv
from .reports_common import OptionalDate, RCol, ReportModel, ReportView, export

SOURCES = ("RECEIPT", "ACCRUAL", "RETRO", "RERATE")
ALL_SOURCES = "All sources"
Filters = tuple[date | None, date | None, str | None]


def _amount(value: Decimal | None) -> Decimal | None:
    return value or None  # a zero side shows blank


JOURNAL_COLUMNS = (
    RCol("Entry", lambda j: j["entry_no"], "int", width=60),
    RCol("Date", lambda j: j["entry_date"], "date", width=86),
    RCol("Source", lambda j: j["source"], width=70),
    RCol("Slip", lambda j: j["slip_no"], width=84),
    RCol("Line", lambda j: j["line_no"], "int", width=44),
    RCol("Account", lambda j: j["account"], width=70),
    RCol("Role", lambda j: j["account_role"], width=170),
    RCol("Debit", lambda j: _amount(j["debit"]), "decimal", width=96),
    RCol("Credit", lambda j: _amount(j["credit"]), "decimal", width=96),
    RCol("Vendor", lambda j: j["vendor_code"], width=86),
    RCol("Product", lambda j: j["product_code"], width=112),
    RCol("Kind", lambda j: j["agreement_kind"], width=70),
    RCol("Memo", lambda j: j["memo"], width=200),
)


class JournalScreen(Screen):
    title = "Journal"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.rows: list[dict[str, object]] = []
        self.loaded: Filters | None = None
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
        for signal in (self.date_from.changed, self.date_to.changed):
            signal.connect(self._filters_changed)
        self.source_box.currentIndexChanged.connect(lambda _i: self._filters_changed())
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(self.refresh)
        self.xlsx_button = QPushButton("XLSX…")
        self.csv_button = QPushButton("CSV…")
        self.xlsx_button.clicked.connect(lambda _c=False: self.export(".xlsx"))
        self.csv_button.clicked.connect(lambda _c=False: self.export(".csv"))
        bar = QHBoxLayout()
        bar.addWidget(self.date_from)
        bar.addSpacing(8)
        bar.addWidget(self.date_to)
        bar.addSpacing(8)
        bar.addWidget(QLabel("Source:"))
        bar.addWidget(self.source_box)
        bar.addWidget(refresh)
        bar.addStretch(1)
        bar.addWidget(QLabel("Export for the general ledger:"))
        bar.addWidget(self.xlsx_button)
        bar.addWidget(self.csv_button)
        self.summary = QLabel("")
        self.summary.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def filters(self) -> Filters:
        return self.date_from.value(), self.date_to.value(), self.source_box.currentData()

    def start(self) -> None:
        self.loaded = None
        self.refresh()

    def _filters_changed(self) -> None:
        if self.filters() != self.loaded:
            self.refresh()

    def refresh(self) -> None:
        wanted = self.filters()
        date_from, date_to, source = wanted

        def work(uow: Any, _job: Any) -> list[dict[str, object]]:
            return reports.journal_rows(uow, date_from, date_to, source)

        self.runner.run(self, "Journal", work, lambda rows: self._loaded(wanted, rows))

    def _loaded(self, wanted: Filters, rows: list[dict[str, object]]) -> None:
        if wanted != self.filters():
            return  # a newer read is on its way
        self.loaded, self.rows = wanted, rows
        self.model.set_records(rows)
        header = self.view.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        debit = sum((r["debit"] for r in rows), ZERO)  # type: ignore[misc]
        credit = sum((r["credit"] for r in rows), ZERO)  # type: ignore[misc]
        entries = len({r["entry_no"] for r in rows})
        balance = "balanced" if debit == credit else f"OUT OF BALANCE by {debit - credit:,.2f}"
        self.summary.setText(f"{len(rows):,} lines in {entries:,} entries · debit {debit:,.2f} · "
                             f"credit {credit:,.2f} · {balance}")

    def export(self, suffix: str) -> bool:
        if self.loaded is None:
            return False
        rows = self.rows
        date_from, date_to, source = self.loaded
        parts = ["journal", *(d.isoformat() for d in (date_from, date_to) if d), *([source.lower()] if source else [])]

        def write(_uow: Any, path: Path) -> int:
            return write_table(path, reports.JOURNAL_COLUMNS, [tuple(r[c] for c in reports.JOURNAL_COLUMNS)
                                                               for r in rows],
                               sheet="Journal", money_columns=("debit", "credit"))

        return export(self.env, self, "Export journal", "-".join(parts) + suffix, [suffix], write,
                      lambda path, n: self.status_message.emit(f"Wrote {n} journal lines to {path}"))
