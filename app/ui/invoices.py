"""Settlement › Co-op Invoices (SPEC §13–§14): find invoices by number, agreement, vendor,
invoice date and status; the list shows what each bills, what is open and its status. Enter or
a double-click opens an invoice below: its backup, settlements, disputes and history."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.domain.money import ZERO
from app.domain.vocabulary import INVOICE_STATUSES, KIND_NAMES
from app.services import invoice_detail
from app.services.invoice_detail import SEARCH_LIMIT, InvoiceSearch
from app.services.invoice_views import InvoiceView

from .bars import hbox
from .base import Screen, UiEnv, heading
from .invoice_detail import InvoiceDetailPanel
from .reports_common import OptionalDate, RCol, ReadsOnFilters, ReportModel, ReportView

ALL_STATUSES = "All"


def _agreement(v: InvoiceView) -> str:
    return "provisional" if v.provisional else (v.agreement_no or "")


COLUMNS = (
    RCol("Invoice", lambda v: v.invoice_no, width=200),
    RCol("Date", lambda v: v.invoice_date, "date", width=80),
    RCol("Due", lambda v: v.due_date, "date", width=80),
    RCol("Vendor", lambda v: v.vendor_code, width=88),
    RCol("Name", lambda v: v.vendor_name, width=170, tip=lambda v: v.vendor_name),
    RCol("Kind", lambda v: KIND_NAMES.get(v.kind, v.kind), width=126),
    RCol("Agreement", lambda v: _agreement(v), width=72),
    RCol("Method", lambda v: v.method, width=56),
    RCol("Currency", lambda v: v.currency, width=60),
    RCol("Amount", lambda v: v.amount, "decimal", width=96),
    RCol("Open", lambda v: v.open_amount, "decimal", width=96),
    RCol("Status", lambda v: v.status, width=86),
)


class InvoicesScreen(ReadsOnFilters[InvoiceSearch], Screen):
    title = "Co-op Invoices"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.found: list[InvoiceView] = []
        self.number_edit = QLineEdit(self)
        self.number_edit.setPlaceholderText("part of the number")
        self.agreement_edit = QLineEdit(self)
        self.agreement_edit.setMaximumWidth(70)
        self.vendor_edit = QLineEdit(self)
        self.vendor_edit.setPlaceholderText("code or name")
        self.date_from = OptionalDate("From", self, None)
        self.date_to = OptionalDate("To", self, None)
        self.status_box = QComboBox(self)
        self.status_box.addItem(ALL_STATUSES, None)
        for status in INVOICE_STATUSES:
            self.status_box.addItem(status, status)
        for edit in (self.number_edit, self.agreement_edit, self.vendor_edit):
            edit.returnPressed.connect(self.refresh)
        for signal in (self.date_from.changed, self.date_to.changed):
            signal.connect(self._filters_changed)
        self.status_box.currentIndexChanged.connect(lambda _i: self._filters_changed())
        search = QPushButton("Search (F5)")
        search.clicked.connect(lambda _c=False: self.refresh())
        self.add_shortcut("Search", "F5", self.refresh)
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.activated.connect(self._open_at)
        self.summary = QLabel("")
        self.summary.setStyleSheet("font-weight: bold;")
        self.detail = InvoiceDetailPanel(env, self)
        self.detail.changed.connect(lambda _number: self.refresh(reopen=False))
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.view, 1)
        top_layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(self.detail)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(
            hbox(
                heading(self.title), 12, "Invoice:", (self.number_edit, 2), "Agreement:", self.agreement_edit,
                "Vendor:", (self.vendor_edit, 2), self.date_from, self.date_to, "Status:", self.status_box, search,
            )
        )  # fmt: skip
        layout.addWidget(splitter, 1)

    def filters(self) -> InvoiceSearch:
        return InvoiceSearch(
            self.number_edit.text().strip(),
            self.agreement_edit.text().strip(),
            self.vendor_edit.text().strip(),
            self.date_from.value(),
            self.date_to.value(),
            self.status_box.currentData(),
        )

    def set_status(self, status: str | None) -> None:
        self.status_box.setCurrentIndex(self.status_box.findData(status) if status else 0)

    def start(self) -> None:
        self.reload()

    def refresh(self, reopen: bool = True) -> None:
        """Read the list; a single invoice found is opened below (unless `reopen` is False:
        the list read again after an action on the invoice opened)."""
        wanted = self.filters()

        def work(uow: Any, _job: Any) -> list[InvoiceView]:
            return invoice_detail.find_invoices(uow, wanted)

        self.runner.run(self, "Co-op invoices", work, lambda found: self._loaded(wanted, found, reopen))

    def show_invoice(self, invoice_no: str) -> None:
        """Search for the one invoice (the other filters cleared) and open it."""
        for edit in (self.agreement_edit, self.vendor_edit):
            edit.clear()
        self.date_from.set_value(None)
        self.date_to.set_value(None)
        self.status_box.blockSignals(True)
        self.set_status(None)
        self.status_box.blockSignals(False)
        self.number_edit.setText(invoice_no)
        self.refresh()

    def _loaded(self, wanted: InvoiceSearch, found: list[InvoiceView], reopen: bool = True) -> None:
        if self.is_stale(wanted):
            return
        self.loaded, self.found = wanted, found
        self.model.set_records(found)
        amount = sum((v.amount for v in found), ZERO)
        open_amount = sum((v.open_amount for v in found), ZERO)
        more = f" (the first {SEARCH_LIMIT:,}: narrow the search)" if len(found) >= SEARCH_LIMIT else ""
        self.summary.setText(
            f"{len(found):,} invoice{'' if len(found) == 1 else 's'}{more} · amount {amount:,.2f} · open {open_amount:,.2f}"
        )
        if len(found) == 1 and reopen:
            self.open_invoice(found[0].invoice_no)

    def _open_at(self, index: QModelIndex) -> None:
        record = self.view.record(index)
        if record is not None:
            self.open_invoice(record.invoice_no)

    def open_invoice(self, invoice_no: str) -> None:
        self.detail.open_invoice(invoice_no)
        self.status_message.emit(f"Invoice {invoice_no}")
