"""Settlement › Vendor Invoices and Settlement › Payment Run (SPEC §15–§16).

Vendor Invoices: every vendor invoice line with its state (matched, held with its defect,
resolved); Enter Invoice… keys one invoice (app.ui.vendor_invoice_entry: a header and a grid
of lines, filled from a slip); Resolve… closes a held line (a credit note, a corrected invoice, or a late
receipt that matches it now), with the note kept as history.

Payment Run: a date, Preview (per vendor: gross, each co-op invoice deducted, the provision
held, net), Run (pays it, one transaction per vendor), then Remittances… writes the remittance
advice (PDF and CSV per vendor) into a folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.vocabulary import HELD, RESOLUTIONS
from app.services import payment_run, remittances, vendor_invoice_lines
from app.services.payment_run import RunResult, VendorRun
from app.services.vendor_invoice_lines import LineView

from .bars import hbox
from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView, date_edit
from .settlement_dialogs import ActionDialog, day_of
from .vendor_invoice_entry import EnterInvoiceDialog

DialogT = TypeVar("DialogT", bound=ActionDialog)
LINE_COLUMNS = (
    RCol("Vendor", lambda v: v.vendor_code, width=92),
    RCol("Invoice", lambda v: v.invoice_no, width=90),
    RCol("Date", lambda v: v.invoice_date, "date", width=86),
    RCol("Due", lambda v: v.due_date, "date", width=86),
    RCol("Line", lambda v: v.line_no, "number", width=44),
    RCol("Slip", lambda v: v.slip_no, width=70),
    RCol("Slip line", lambda v: v.slip_line_no, "number", width=60),
    RCol("Product", lambda v: v.product_code, width=110),
    RCol("Quantity", lambda v: v.quantity, "decimal", width=80),
    RCol("Unit cost", lambda v: v.unit_cost, "decimal", width=76),
    RCol("Amount", lambda v: v.amount, "decimal", width=96),
    RCol("Received value", lambda v: v.received_value, "decimal", width=100),
    RCol("State", lambda v: v.state, width=80),
    RCol("Defect", lambda v: v.defect or "", width=200),
    RCol("Resolution", lambda v: v.resolution, width=130, tip=lambda v: v.note),
    RCol("Paid", lambda v: "yes" if v.paid else "", width=44),
)
RUN_COLUMNS = (
    RCol("Vendor", lambda v: v.vendor_code, width=92),
    RCol("Name", lambda v: v.vendor_name, width=250),
    RCol("Gross", lambda v: v.payment.gross, "decimal", width=100),
    RCol("Deductions", lambda v: v.payment.deducted, "decimal", width=96),
    RCol(
        "Co-op invoices deducted",
        lambda v: ", ".join(f"{d.invoice_no} {d.amount:,.2f}" for d in v.payment.deductions),
        width=330,
    ),
    RCol(
        "Provision", lambda v: v.payment.held, "decimal", width=90, tip=lambda v: v.payment.hold and v.payment.hold.name
    ),
    RCol("Net", lambda v: v.payment.net, "decimal", width=100),
)


class ResolveDialog(ActionDialog):
    def __init__(self, env: UiEnv, line: LineView, parent: QWidget | None = None) -> None:
        super().__init__(
            env, "Resolve Held Line",
            f"Line {line.line_no} of {line.vendor_code} invoice {line.invoice_no} is held: {line.defect}. A late "
            "receipt matches it again now; a credit note or a corrected invoice (entered as a new invoice) closes it.",
            parent,
        )  # fmt: skip
        self.line_id = line.line_id
        self.resolution = self.add_row("Resolution:", QComboBox(self), "resolution")
        for name in RESOLUTIONS:
            self.resolution.addItem(name.replace("_", " ").capitalize(), name)
        self.note = self.add_row("Note:", QLineEdit(self), "note")
        self.day = self.add_row("Date:", date_edit(self, date.today()), "date")
        self.action.setText("Resolve")

    def work(self) -> Callable[[Any], Any] | None:
        line_id, resolution, note, day = self.line_id, self.resolution.currentData(), self.note.text(), day_of(self.day)
        return lambda uow: vendor_invoice_lines.resolve_line(uow, line_id, resolution, note, day)


class VendorInvoicesScreen(Screen):
    title = "Vendor Invoices"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(lambda _c=False: self.refresh())
        self.add_shortcut("Refresh", "F5", self.refresh)
        self.model = ReportModel(LINE_COLUMNS)
        self.view = ReportView(self.model, self)
        self.enter_button = QPushButton("Enter Invoice…")
        self.enter_button.clicked.connect(lambda _c=False: self.enter())
        self.resolve_button = QPushButton("Resolve…")
        self.resolve_button.clicked.connect(lambda _c=False: self.resolve())
        self.summary = QLabel("")
        self.view.selectionModel().currentRowChanged.connect(lambda _n, _o: self._enable())
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(heading(self.title), None, refresh))
        layout.addWidget(self.view, 1)
        layout.addLayout(hbox((self.summary, 1), self.enter_button, 12, self.resolve_button))
        self._enable()

    def start(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(self, "Vendor invoices", lambda uow, _job: vendor_invoice_lines.list_lines(uow), self._loaded)

    def _loaded(self, rows: list[LineView]) -> None:
        self.model.set_records(rows)
        held = sum(1 for r in rows if r.state == HELD)
        self.summary.setText(f"{len(rows):,} line{'' if len(rows) == 1 else 's'} · {held:,} held")
        self._enable()

    def selected(self) -> LineView | None:
        record = self.view.record()
        return record if isinstance(record, LineView) else None

    def _enable(self) -> None:
        chosen = self.selected()
        self.resolve_button.setEnabled(chosen is not None and chosen.state == HELD)

    def enter(self) -> EnterInvoiceDialog:
        return self._open(EnterInvoiceDialog(self.env, self))

    def resolve(self) -> ResolveDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.state != HELD:
            return None
        return self._open(ResolveDialog(self.env, chosen, self))

    def _open(self, dialog: DialogT) -> DialogT:
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog


class PaymentRunScreen(Screen):
    title = "Payment Run"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.day = date_edit(self, date.today())
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(lambda _c=False: self.preview())
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(lambda _c=False: self.run())
        self.remit_button = QPushButton("Remittances…")
        self.remit_button.clicked.connect(lambda _c=False: self.write_remittances())
        self.model = ReportModel(RUN_COLUMNS)
        self.view = ReportView(self.model, self)
        self.summary = QLabel("")
        self.result: RunResult | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(heading(self.title), None, "Run date:", self.day, self.preview_button))
        layout.addWidget(self.view, 1)
        layout.addLayout(hbox((self.summary, 1), self.run_button, 12, self.remit_button))
        self.run_button.setEnabled(False)
        self.remit_button.setEnabled(False)

    def start(self) -> None:
        self.preview()

    def preview(self) -> None:
        day = day_of(self.day)
        self.result = None
        self.runner.run(
            self, "Payment run preview", lambda uow, _job: payment_run.preview_payment_run(uow, day), self._previewed
        )

    def _previewed(self, rows: list[VendorRun]) -> None:
        self._show(rows, "to pay (preview)")
        self.run_button.setEnabled(bool(rows))
        self.remit_button.setEnabled(False)

    def _show(self, rows: list[VendorRun] | tuple[VendorRun, ...], what: str) -> None:
        self.model.set_records(list(rows))
        net = sum((r.payment.net for r in rows), Decimal(0))
        self.summary.setText(f"{len(rows):,} vendor{'' if len(rows) == 1 else 's'} {what} · net {net:,.2f}")

    def run(self) -> None:
        day = day_of(self.day)
        if not self.env.interaction.confirm(self, "Payment run", f"Pay the vendors shown for {day.isoformat()}?"):
            return
        self.run_button.setEnabled(False)
        self.runner.run(self, "Payment run", lambda uow, _job: payment_run.run_payments(uow, day), self._ran)

    def _ran(self, result: RunResult) -> None:
        self.result = result
        self._show(result.vendors, "paid")
        self.remit_button.setEnabled(bool(result.vendors))

    def write_remittances(self, folder: str | None = None) -> None:
        result = self.result
        if result is None:
            return
        folder = folder or self.env.interaction.folder_path(self, "Remittance advice folder", str(Path.home()))
        if not folder:
            return
        target = Path(folder)
        self.runner.run(
            self, "Remittance advice",
            lambda uow, _job: remittances.write_remittances(uow, result.run_date, result.vendors, target),
            lambda paths: self.summary.setText(f"Wrote {len(paths) // 2} remittance advices to {target}"),
        )  # fmt: skip
