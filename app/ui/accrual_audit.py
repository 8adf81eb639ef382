"""Reports › Accrual Audit (SPEC §16, as `coop audit`): Run reads the lists vendor by vendor in
the background: receipt lines whose posted accrual differs from the desired state (empty after
a re-rate), receipt lines no accepted ladder and no provisional rate covers, co-op invoices
whose backup does not add up, accepted agreements with no receipts, and the journal's own
check of its accrual cache. Export to Excel or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import audit
from app.services.audit import TITLES, AuditReport, AuditRow

from .bars import hbox
from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView, export

COLUMNS = (
    RCol("List", lambda r: r.list, width=120, tip=lambda r: TITLES[r.list]),
    RCol("Vendor", lambda r: r.vendor_code, width=80),
    RCol("Agreement", lambda r: r.agreement_no, width=80),
    RCol("Invoice", lambda r: r.invoice_no, width=150),
    RCol("Slip", lambda r: r.slip_no, width=80),
    RCol("Line", lambda r: r.line_no, "number", width=44),
    RCol("Kind", lambda r: r.kind, width=90),
    RCol("Field", lambda r: r.field, width=80),
    RCol("Value", lambda r: r.value, width=100),
    RCol("Expected", lambda r: r.expected, width=100),
)


class AccrualAuditScreen(Screen):
    title = "Accrual Audit"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.report: AuditReport | None = None
        run = QPushButton("Run (F5)")
        run.clicked.connect(lambda _c=False: self.refresh())
        self.add_shortcut("Run", "F5", self.refresh)
        buttons = []
        for suffix, text in ((".xlsx", "Excel…"), (".csv", "CSV…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, s=suffix: self.export(s))
            buttons.append(button)
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel("Run the audit to list what it finds.")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(heading(self.title), 12, run, None, *buttons))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def start(self) -> None:
        """Opened from the menu: nothing read until Run (the audit reads every accrual)."""

    def refresh(self) -> None:
        def work(uow: Any, job: Any) -> AuditReport:
            return audit.accrual_audit(uow, progress=job.progress)

        self.runner.run(self, self.title, work, self._loaded)

    def _loaded(self, report: AuditReport) -> None:
        self.report = report
        rows: list[AuditRow] = [row for _name, found in report.sections() for row in found]
        self.model.set_records(rows)
        counts = " · ".join(f"{name} {len(found) or 'none'}" for name, found in report.sections())
        verdict = "FAILED: a re-rate has something to post" if report.failed else "passed"
        self.summary.setText(f"{counts} — the audit {verdict}")

    def export(self, suffix: str) -> bool:
        report = self.report
        if report is None:
            self.env.interaction.error(self, self.title, "Run the audit first.")
            return False

        def write(_uow: Any, path: Path) -> int:
            from app.services.exports import write_table

            return write_table(path, audit.COLUMNS, report.rows(), sheet="Audit")

        return export(self.env, self, "Export the accrual audit", f"accrual-audit{suffix}", [suffix], write)
