"""Settlement › Vendor Balances (SPEC §15): for a day, each vendor's receivable (accrued not
invoiced, open co-op invoices, less open disputes) against its payable (open vendor invoices,
received not invoiced), its active provision and the debit-balance flag. Enter or a
double-click lists the documents below: the co-op invoices open, the vendor invoices open, and
the provisions placed and reversed."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.services import vendor_balances
from app.services.vendor_balances import BalanceDocuments, BalanceRow

from .bars import hbox
from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView, date_edit

DEBIT_BALANCE = "Debit balance"

COLUMNS = (
    RCol("Vendor", lambda r: r.balance.vendor_code, width=80),
    RCol("Name", lambda r: r.balance.vendor_name, width=200),
    RCol("Accrued\nnot invoiced", lambda r: r.balance.accrued_not_invoiced, "decimal", width=110),
    RCol("Open co-op\ninvoices", lambda r: r.balance.open_invoices, "decimal", width=110),
    RCol("Open\ndisputes", lambda r: r.balance.open_disputes, "decimal", width=96),
    RCol("Receivable", lambda r: r.balance.receivable, "decimal", width=100),
    RCol("Open vendor\ninvoices", lambda r: r.balance.open_vendor_invoices, "decimal", width=110),
    RCol("Received\nnot invoiced", lambda r: r.balance.received_not_invoiced, "decimal", width=110),
    RCol("Payable", lambda r: r.balance.payable, "decimal", width=100),
    RCol("Provision", lambda r: r.provision, "decimal", width=96, tip=lambda r: r.provision_name),
    RCol("Flag", lambda r: DEBIT_BALANCE if r.balance.debit_balance else "", width=100),
)
COOP_COLUMNS = (
    RCol("Invoice", lambda c: c.invoice_no, width=180),
    RCol("Date", lambda c: c.invoice_date, "date", width=80),
    RCol("Due", lambda c: c.due_date, "date", width=80),
    RCol("Kind", lambda c: c.kind, width=90),
    RCol("Method", lambda c: c.method, width=56),
    RCol("Billed", lambda c: c.billed, "decimal", width=96),
    RCol("Open", lambda c: c.open, "decimal", width=96),
    RCol("Disputed", lambda c: c.disputed, "decimal", width=96),
)
VENDOR_INVOICE_COLUMNS = (
    RCol("Vendor invoice", lambda v: v.invoice_no, width=160),
    RCol("Date", lambda v: v.invoice_date, "date", width=80),
    RCol("Due", lambda v: v.due_date, "date", width=80),
    RCol("Open", lambda v: v.open, "decimal", width=96),
)
PROVISION_COLUMNS = (
    RCol("Provision", lambda p: p[0], width=260),
    RCol("Date", lambda p: p[1], "date", width=80),
    RCol("Amount", lambda p: p[2], "decimal", width=96),
)


class VendorBalancesScreen(Screen):
    title = "Vendor Balances"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.rows: list[BalanceRow] = []
        self.reads = 0  # the reads of the balances started: only the latest one is shown
        self.day = date_edit(self, date.today())
        self.day.editingFinished.connect(self.refresh)
        self.debit_only = QCheckBox("Debit balances only", self)
        self.debit_only.toggled.connect(lambda _on: self._show())
        show = QPushButton("Show (F5)")
        show.clicked.connect(lambda _c=False: self.refresh())
        self.add_shortcut("Show", "F5", self.refresh)
        self.model = ReportModel(COLUMNS, emphasis=lambda r: r.balance.debit_balance)
        self.view = ReportView(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.activated.connect(self._open_at)
        self.summary = QLabel("")
        self.summary.setStyleSheet("font-weight: bold;")
        self.documents_title = QLabel("")
        self.coop = ReportModel(COOP_COLUMNS)
        self.vendor_invoices = ReportModel(VENDOR_INVOICE_COLUMNS)
        self.provisions = ReportModel(PROVISION_COLUMNS)
        self.tabs = QTabWidget(self)
        for model, name in ((self.coop, "Co-op invoices"), (self.vendor_invoices, "Vendor invoices"),
                            (self.provisions, "Provisions")):  # fmt: skip
            self.tabs.addTab(ReportView(model, self), name)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.view, 1)
        top_layout.addWidget(self.summary)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.documents_title)
        bottom_layout.addWidget(self.tabs, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(heading(self.title), 12, "On:", self.day, self.debit_only, show, None))
        layout.addWidget(splitter, 1)

    def on(self) -> date:
        day: date = self.day.date().toPython()  # type: ignore[assignment]
        return day

    def start(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        on = self.on()
        self.reads += 1
        read = self.reads

        def work(uow: Any, _job: Any) -> list[BalanceRow]:
            return vendor_balances.balance_rows(uow, on)

        self.runner.run(self, "Vendor balances", work, lambda rows: self._loaded(rows, read))

    def _loaded(self, rows: list[BalanceRow], read: int = 0) -> None:
        if read and read != self.reads:
            return  # an earlier read finishing late: the balances of the latest read stay
        self.rows = rows
        self._show()

    def _show(self) -> None:
        shown = [r for r in self.rows if r.balance.debit_balance or not self.debit_only.isChecked()]
        self.model.set_records(shown)
        debit = sum(1 for r in self.rows if r.balance.debit_balance)
        self.summary.setText(
            f"{len(shown):,} vendor{'' if len(shown) == 1 else 's'} · {debit:,} in debit balance "
            f"(the vendor owes more than we owe it)"
        )

    def _open_at(self, index: QModelIndex) -> None:
        record = self.view.record(index)
        if record is not None:
            self.open_vendor(record)

    def open_vendor(self, row: BalanceRow) -> None:
        on, vendor_id = self.on(), row.balance.vendor_id

        def work(uow: Any, _job: Any) -> BalanceDocuments:
            return vendor_balances.balance_documents(uow, vendor_id, on)

        def done(found: BalanceDocuments) -> None:
            self.documents_title.setText(f"{row.balance.vendor_code} {row.balance.vendor_name} on {on.isoformat()}")
            self.coop.set_records(found.coop_invoices)
            self.vendor_invoices.set_records(found.vendor_invoices)
            self.provisions.set_records(found.provisions)

        self.runner.run(self, "Vendor balance documents", work, done)
