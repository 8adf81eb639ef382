"""One co-op invoice in the Invoices screen (SPEC §13–§14): its header, and tabs for its Backup
(the journal lines it holds, frozen at the close), the Settlements applied to it, its Disputes
and their resolutions, and its History (who made it and when, then what settled or disputed
it, in time order)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.domain.money import ZERO
from app.domain.vocabulary import ACCRUAL, KIND_NAMES, OPEN, RERATE, RETRO, SHORT_PAID, SOURCE_NAMES
from app.services import invoice_backup, invoice_detail, invoice_documents, settlement
from app.services.invoice_backup import BackupRow
from app.services.invoice_detail import AppliedSettlement, DisputeRow, HistoryEvent
from app.services.invoice_views import InvoiceView

from .bars import hbox
from .base import UiEnv
from .dispute_wizard import DisputeWizard
from .reports_common import RCol, ReportModel, ReportView, export
from .settlement_dialogs import AnswerDialog, PaymentDialog, WriteOffDialog

# The backup's split (SPEC §13): an accrual is regular, a retro catch-up retroactive, a re-rate.
BACKUP_SOURCES = {ACCRUAL: "regular", RETRO: "retroactive", RERATE: "re-rate"}


REVERSE = "Reverse Settlement…"


def _quantity(value: Any) -> str:
    if value is None:
        return ""
    exact = value.normalize()
    return f"{exact.quantize(1) if exact == exact.to_integral_value() else exact:,}"


def _source(row: BackupRow) -> str:
    return BACKUP_SOURCES.get(row.source) or SOURCE_NAMES.get(row.source, row.source)


def _stamp(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else ""


BACKUP_COLUMNS = (
    RCol("Slip", lambda b: b.slip_no, width=80),
    RCol("Line", lambda b: b.line_no, "number", width=40),
    RCol("Received", lambda b: b.received_date, "date", width=84),
    RCol("Product", lambda b: b.product_code, width=110),
    RCol("Vendor item", lambda b: b.vendor_item_code, width=90),
    RCol("Quantity", lambda b: b.quantity, "decimal", width=80, text=lambda b: _quantity(b.quantity)),
    RCol("Extended", lambda b: b.extended_amount, "decimal", width=96),
    RCol("Agreement", lambda b: b.agreement_no, width=70),
    RCol("Scope", lambda b: b.scope, width=230, tip=lambda b: f"{b.scope}\n{b.memo}"),
    RCol("Tier", lambda b: b.tier, "int", width=36),
    RCol("Rate %", lambda b: b.rate, "decimal", places=3, width=60),
    RCol("Source", _source, width=80),
    RCol("Prov.", lambda b: "Y" if b.provisional else "", width=40, tip=lambda b: "accrued at a provisional rate"),
    RCol("Amount", lambda b: b.amount, "decimal", width=90),
)
SETTLEMENT_COLUMNS = (
    RCol("Date", lambda s: s.settle_date, "date", width=86),
    RCol("Kind", lambda s: SOURCE_NAMES.get(s.kind, s.kind), width=150),
    RCol("Reference", lambda s: s.reference, width=140),
    RCol("Applied", lambda s: s.applied, "decimal", width=100),
    RCol("Settlement amount", lambda s: s.amount, "decimal", width=130),
    RCol("Recorded by", lambda s: s.created_by, width=100),
    RCol("Recorded at", lambda s: s.created_at, width=130, text=lambda s: _stamp(s.created_at)),
    RCol("Reason", lambda s: s.reason, width=200),
)
DISPUTE_COLUMNS = (
    RCol("Dispute ID", lambda d: d.dispute_no, width=120),
    RCol("Filed", lambda d: d.filed_date, "date", width=86),
    RCol("Reason", lambda d: d.reason, width=100),
    RCol("Amount", lambda d: d.amount, "decimal", width=96),
    RCol("Title", lambda d: d.title, width=200, tip=lambda d: d.summary),
    RCol("Status", lambda d: d.status, width=80),
    RCol("Resolved", lambda d: d.resolved_date, "date", width=86),
    RCol("Credited", lambda d: d.resolved_amount, "decimal", width=96),
    RCol("Resolution", lambda d: d.resolution_reason, width=200),
)
HISTORY_COLUMNS = (
    RCol("When", lambda e: e.at, width=130, text=lambda e: _stamp(e.at)),
    RCol("Who", lambda e: e.by, width=100),
    RCol("Date", lambda e: e.day, "date", width=86),
    RCol("What", lambda e: e.what, width=420),
    RCol("Amount", lambda e: e.amount, "decimal", width=100),
)


@dataclass(frozen=True)
class Detail:
    view: InvoiceView
    backup: list[BackupRow]
    settlements: list[AppliedSettlement]
    disputes: list[DisputeRow]
    history: list[HistoryEvent]


def read_detail(uow: Any, invoice_no: str) -> Detail:
    view = invoice_detail.invoice_or_refuse(uow, invoice_no)
    return Detail(
        view,
        list(invoice_backup.invoice_backup(uow, invoice_no).rows),
        invoice_detail.settlements_of(uow, view.id),
        invoice_detail.disputes_of(uow, view.id),
        invoice_detail.history_of(uow, invoice_no),
    )


def header_text(v: InvoiceView) -> str:
    agreement = "provisional accruals" if v.provisional else f"agreement {v.agreement_no or '—'}"
    return (
        f"<b>{v.invoice_no}</b> · {v.vendor_code} {v.vendor_name} · {KIND_NAMES.get(v.kind, v.kind)}, {agreement}"
        f" · method {v.method} · dated {v.invoice_date.isoformat()}, due {v.due_date.isoformat()}"
        f" · amount {v.amount:,.2f} {v.currency} · open <b>{v.open_amount:,.2f}</b> · <b>{v.status}</b>"
    )


class InvoiceDetailPanel(QWidget):
    """The invoice opened from the list (empty until one is), with its settlement actions; after
    one, the panel reads the invoice again and `changed` is emitted."""

    changed = Signal(str)

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.detail: Detail | None = None
        self.header = QLabel("Open an invoice of the list (Enter or double-click) to see its backup and history.")
        self.header.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.backup = ReportModel(BACKUP_COLUMNS)
        self.settlements = ReportModel(SETTLEMENT_COLUMNS)
        self.disputes = ReportModel(DISPUTE_COLUMNS)
        self.history = ReportModel(HISTORY_COLUMNS)
        self.views: dict[str, ReportView] = {}
        for name, model in (
            ("Backup", self.backup),
            ("Settlements", self.settlements),
            ("Disputes", self.disputes),
            ("History", self.history),
        ):
            view = ReportView(model, self)
            view.horizontalHeader().setStretchLastSection(True)
            self.views[name] = view
            self.tabs.addTab(view, name)
        self.totals = QLabel("")
        self.file_button = QPushButton("Backup or PDF…")
        self.file_button.setToolTip("The invoice's backup to XLSX or CSV, or the invoice PDF with its backup")
        self.file_button.clicked.connect(lambda _c=False: self.write_file())
        self.file_button.setEnabled(False)
        self.action_buttons: dict[str, QPushButton] = {}
        for text, slot in (
            ("Record Payment…", self.record_payment),
            ("Credit Note…", self.credit_note),
            ("Write Off…", self.write_off),
            ("File Dispute…", self.file_dispute),
            (REVERSE, self.reverse_settlement),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, slot=slot: slot())
            button.setEnabled(False)
            self.action_buttons[text] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(hbox((self.totals, 1), *self.action_buttons.values(), 12, self.file_button))

    def open_invoice(self, invoice_no: str) -> None:
        self.env.runner.run(
            self, f"Invoice {invoice_no}", lambda uow, _job: read_detail(uow, invoice_no), self.show_detail
        )

    def show_detail(self, detail: Detail) -> None:
        self.detail = detail
        self.file_button.setEnabled(True)
        owed = detail.view.status in (OPEN, SHORT_PAID)
        for text, button in self.action_buttons.items():
            if text == REVERSE:  # a mistake is undone by a reversing record, whatever the status
                button.setEnabled(bool(detail.settlements))
                button.setToolTip("Reverse the settlement selected on the Settlements tab (it stays, undone)")
                continue
            button.setEnabled(owed)
            button.setToolTip("" if owed else f"Invoice {detail.view.invoice_no} is {detail.view.status}: nothing owed")
        self.header.setText(header_text(detail.view))
        self.backup.set_records(detail.backup)
        self.settlements.set_records(detail.settlements)
        self.disputes.set_records(detail.disputes)
        self.history.set_records(detail.history)
        for i, (name, count) in enumerate(
            (
                ("Backup", len(detail.backup)),
                ("Settlements", len(detail.settlements)),
                ("Disputes", len(detail.disputes)),
                ("History", len(detail.history)),
            )
        ):
            self.tabs.setTabText(i, f"{name} ({count})")
        backup_total = sum((b.amount for b in detail.backup), ZERO)
        self.totals.setText(
            f"Backup: {len(detail.backup):,} lines, {backup_total:,.2f}"
            f" · settled {detail.view.balance.settled:,.2f} · open {detail.view.open_amount:,.2f}"
        )

    def write_file(self) -> bool:
        """The backup (.xlsx, .csv) or the invoice PDF (.pdf) of the invoice shown."""
        if self.detail is None:
            return False
        number = self.detail.view.invoice_no

        def write(uow: Any, path: Path, force: bool) -> int:
            return invoice_documents.write_backup(uow, number, path, force=force)

        return export(
            self.env,
            self,
            f"Invoice {number}",
            f"{number}.xlsx",
            [".xlsx", ".csv", ".pdf"],
            None,  # type: ignore[arg-type]
            lambda path, n: self.totals.setText(f"Wrote {path} ({n:,} backup lines)"),
            writes_itself=write,
        )

    # -- settlement (SPEC §14)
    def record_payment(self) -> QDialog | None:
        return self._open_dialog(lambda v: PaymentDialog(self.env, v, parent=self))

    def credit_note(self) -> QDialog | None:
        return self._open_dialog(lambda v: PaymentDialog(self.env, v, credit_note=True, parent=self))

    def write_off(self) -> QDialog | None:
        return self._open_dialog(lambda v: WriteOffDialog(self.env, v, self))

    def file_dispute(self) -> QDialog | None:
        return self._open_dialog(lambda v: DisputeWizard(self.env, v, self))

    def reverse_settlement(self) -> QDialog | None:
        """A reversing record of the settlement selected on the Settlements tab (SPEC §14)."""
        if self.detail is None or not self.detail.settlements:
            return None
        view = self.views["Settlements"]
        row = view.currentIndex().row() if view.currentIndex().isValid() else len(self.detail.settlements) - 1
        chosen = self.detail.settlements[row]
        note = (
            f"Reverse {SOURCE_NAMES.get(chosen.kind, chosen.kind).lower()} {chosen.reference or chosen.settlement_id} "
            f"of {chosen.settle_date} ({chosen.amount:,.2f}): a new record and entry undo it; the original stays."
        )

        def call(uow: Any, _amount: Any, reason: str, day: Any) -> Any:
            return settlement.reverse_settlement(uow, chosen.settlement_id, day, reason)

        return self._open_dialog(lambda _v: AnswerDialog(self.env, "Reverse Settlement", note, call,
                                                         needs_reason=True, parent=self))  # fmt: skip

    def _open_dialog(self, make: Any) -> QDialog | None:
        """The dialog of an action on the invoice shown, window-modal; once it has written
        something (accepted, or a dispute filed) the invoice is read again."""
        if self.detail is None:
            return None
        number = self.detail.view.invoice_no
        dialog: QDialog = make(self.detail.view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(dialog, DisputeWizard):  # filed on its last page, before Finish
            dialog.dispute_filed.connect(lambda _view: self._after_action(number))
        else:
            dialog.accepted.connect(lambda: self._after_action(number))
        dialog.open()
        return dialog

    def _after_action(self, number: str) -> None:
        self.open_invoice(number)
        self.changed.emit(number)

    def tab_named(self, name: str) -> ReportView:
        return self.views[name]
