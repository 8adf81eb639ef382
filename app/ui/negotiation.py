"""Reports › Negotiation Preview (issue 14): pick a vendor, a kind and one of its agreements
(a pending one, typically) and a window of receipts; the screen shows, per ladder and tier,
what the agreement would have earned on them beside what they earn today. Export to PDF,
XLSX or CSV. Nothing is posted."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.vocabulary import KIND_NAMES, LADDER_KINDS
from app.services import agreement_views, masterdata, negotiation, queries
from app.services.negotiation import NegotiationPreview

from .base import Screen, UiEnv, heading
from .lookups import VendorBox
from .reports_common import RCol, ReportModel, ReportView, export


def _rows(data: NegotiationPreview) -> list[dict[str, Any]]:
    out = []
    for lad in data.ladders:
        for t in lad.tiers:
            out.append(
                {"ladder": lad.ladder, "tier": t.tier, "max": t.max_amount, "rate": t.rate_pct, "volume": t.volume,
                 "reached": "◂" if t.tier == lad.tier and lad.lines else "",
                 "would": lad.would_earn if t.tier == 1 else None, "now": lad.earns_now if t.tier == 1 else None,
                 "diff": lad.difference if t.tier == 1 else None}
            )  # fmt: skip
    return out


COLUMNS = (
    RCol("Ladder (scope)", lambda r: r["ladder"], width=200),
    RCol("Tier", lambda r: r["tier"], "int", width=50),
    RCol("Maximum", lambda r: r["max"], "decimal", width=110),
    RCol("Rate %", lambda r: r["rate"], "decimal", places=3, width=70),
    RCol("Volume in tier", lambda r: r["volume"], "decimal", width=110),
    RCol("Reached", lambda r: r["reached"], width=60),
    RCol("Would have earned", lambda r: r["would"], "decimal", width=120),
    RCol("Earns today", lambda r: r["now"], "decimal", width=100),
    RCol("Difference", lambda r: r["diff"], "decimal", width=100),
)


class NegotiationScreen(Screen):
    title = "Negotiation Preview"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.vendor_box = VendorBox(self)
        self.vendor_box.vendor_chosen.connect(lambda _c: self._fill_agreements())
        self.kind_box = QComboBox()
        for kind in LADDER_KINDS:
            self.kind_box.addItem(KIND_NAMES[kind], kind)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._fill_agreements())
        self.agreement_box = QComboBox()
        self.agreement_box.setMinimumWidth(160)
        today = date.today()
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit, day in ((self.date_from, today - timedelta(days=364)), (self.date_to, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(day.year, day.month, day.day))
        run = QPushButton("Preview (F5)")
        run.clicked.connect(self.refresh)
        self.add_shortcut("Preview", "F5", self.refresh)
        top = QHBoxLayout()
        top.addWidget(heading(self.title))
        for label, widget in (
            ("Vendor:", self.vendor_box),
            ("Kind:", self.kind_box),
            ("Agreement:", self.agreement_box),
        ):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addStretch(1)
        window = QHBoxLayout()
        window.addWidget(QLabel("Receipts from:"))
        window.addWidget(self.date_from)
        window.addWidget(QLabel("to:"))
        window.addWidget(self.date_to)
        window.addWidget(run)
        window.addStretch(1)
        for suffix, text in ((".pdf", "PDF…"), (".xlsx", "Excel…"), (".csv", "CSV…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, s=suffix: self.export(s))
            window.addWidget(button)
        self.summary = QLabel("Choose a vendor, a kind and an agreement, then Preview.")
        self.summary.setWordWrap(True)
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self, sorting=None)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(window)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.data: NegotiationPreview | None = None

    def start(self) -> None:
        vendors = self.runner.call(self, "Vendors", lambda uow: queries.vendors(uow)) or []
        self.vendor_box.set_vendors([(v.code, v.name) for v in vendors])

    def _fill_agreements(self) -> None:
        self.agreement_box.clear()
        vendor, kind = self.vendor_box.code(), self.kind_box.currentData()
        if not vendor:
            return
        found = self.runner.call(self, "Agreements", lambda uow: agreement_views.list_agreements(uow, vendor, kind))
        for a in found or []:
            self.agreement_box.addItem(f"{a.number} ({a.status.lower()})", a.id)

    def refresh(self) -> None:
        agreement_id = self.agreement_box.currentData()
        if agreement_id is None:
            return
        start, end = self.date_from.date().toPython(), self.date_to.date().toPython()
        data = self.runner.call(
            self, self.title, lambda uow: negotiation.preview_agreement(uow, agreement_id, start, end)
        )
        if data is None:
            return
        self.data = data
        self.model.set_records(_rows(data))
        difference = data.difference
        self.summary.setText(
            f"On {data.receipts:,.2f} of posted receipts from {data.date_from} to {data.date_to}, agreement "
            f"{data.agreement_no} ({data.status.lower()}) would have earned {data.would_earn:,.2f}; the same receipts "
            f"earn {data.earns_now:,.2f} today: a difference of {difference:,.2f}. Nothing is posted."
        )

    def export(self, suffix: str) -> bool:
        data = self.data
        if data is None:
            return False

        def write(uow: Any, path: Path) -> int:
            from app.reports.negotiation_pdf import write_negotiation

            return write_negotiation(path, data, company=masterdata.company(uow).name)

        name = f"negotiation-{data.vendor}-{data.kind}-{data.agreement_no}{suffix}"
        return export(self.env, self, "Export negotiation preview", name, [suffix], write)
