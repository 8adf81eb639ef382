"""Reports › Provisional Exposure (SPEC §12): per vendor and kind, the receipts accrued at
provisional rates, their accrual and the months they span; export to PDF, XLSX or CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.vocabulary import KIND_NAMES
from app.services import masterdata, provisional_report
from app.services.provisional_report import ExposureRow

from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView, export

COLUMNS = (
    RCol("Vendor", lambda r: r.vendor, width=80),
    RCol("Name", lambda r: r.vendor_name, width=220),
    RCol("Kind", lambda r: KIND_NAMES.get(r.kind, r.kind), width=130),
    RCol("Lines", lambda r: r.lines, "int", width=70),
    RCol("Receipts", lambda r: r.receipts, "decimal", width=120),
    RCol("Provisional accrual", lambda r: r.provisional, "decimal", width=130),
    RCol("First month", lambda r: r.first_month, width=90),
    RCol("Last month", lambda r: r.last_month, width=90),
    RCol("Months", lambda r: r.months, "int", width=70),
)


class ExposureScreen(Screen):
    title = "Provisional Exposure"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.as_of = QDateEdit(QDate.currentDate())
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.dateChanged.connect(lambda _d: self.refresh())
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(self.refresh)
        self.add_shortcut("Refresh", "F5", self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(heading(self.title))
        bar.addStretch(1)
        bar.addWidget(QLabel("Receipts to:"))
        bar.addWidget(self.as_of)
        bar.addWidget(refresh)
        for suffix, text in ((".pdf", "PDF…"), (".xlsx", "Excel…"), (".csv", "CSV…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, s=suffix: self.export(s))
            bar.addWidget(button)
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.total = QLabel()
        note = QLabel(
            "Receipt lines that no accepted agreement of their kind covers, accrued at the provisional rate of "
            "their received date. Accepting an agreement that covers them re-rates them to its rates."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.total)
        self.rows: list[ExposureRow] = []

    def start(self) -> None:
        self.refresh()

    def _day(self) -> date:
        return self.as_of.date().toPython()  # type: ignore[no-any-return]

    def refresh(self) -> None:
        as_of = self._day()
        rows = self.runner.call(self, self.title, lambda uow: provisional_report.provisional_exposure(uow, as_of))
        self.rows = rows or []
        self.model.set_records(self.rows)
        grand = provisional_report.exposure_totals(self.rows)[-1]
        vendors = f"{grand.vendors} vendor{'' if grand.vendors == 1 else 's'}"
        self.total.setText(f"{vendors} · provisional accrual {grand.provisional:,.2f}")

    def export(self, suffix: str) -> bool:
        as_of, rows = self._day(), list(self.rows)

        def write(uow: Any, path: Path) -> int:
            from app.reports.provisional_pdf import write_exposure

            return write_exposure(path, rows, company=masterdata.company(uow).name, as_of=as_of)

        return export(
            self.env, self, "Export provisional exposure", f"provisional-exposure-{as_of}{suffix}", [suffix], write
        )
