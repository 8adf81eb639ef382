"""The dialogs of a co-op invoice's settlement (SPEC §14): a vendor's cheque (SC), its credit
note (NC), a write-off, and the small amount and reason dialogs of the Disputes and Vendor
Actuals screens. Each runs one service call in the background; a refusal is listed in the
dialog itself, naming the field (the field is focused), with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.validation import Problem
from app.services import settlement, settlement_reads
from app.services.errors import ServiceError, ValidationFailed
from app.services.invoice_views import InvoiceView

from .base import ProblemList, UiEnv
from .editors import DecimalEdit
from .reports_common import date_edit

W = TypeVar("W", bound=QWidget)


def refusal_problems(title: str, exc: BaseException) -> list[Problem] | None:
    """What a service refused, as problems to list (None: not a refusal, an unexpected error)."""
    if isinstance(exc, ValidationFailed):
        return list(exc.problems)
    if isinstance(exc, ServiceError):  # PermissionDenied, PostingRefused, NotFound…
        return [Problem(title, "", str(exc))]
    return None


def day_of(edit: QDateEdit) -> date:
    day = edit.date().toPython()
    assert isinstance(day, date)
    return day


class ActionDialog(QDialog):
    """A form whose action is one service call: the note on top, the fields, the problems of a
    refusal, then the action button and Cancel. `fields` maps a Problem's field to its widget."""

    def __init__(self, env: UiEnv, title: str, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.result_value: Any = None
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.problems = ProblemList(self._go_to, self)
        self.action = QPushButton("OK")
        self.action.setDefault(True)
        self.action.clicked.connect(self.submit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.action)
        buttons.addWidget(cancel)
        label = QLabel(note)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)

    def add_row(self, label: str, widget: W, *fields: str) -> W:
        self.form.addRow(label, widget)
        for name in fields:
            self.fields[name] = widget
        return widget

    def work(self) -> Callable[[Any], Any] | None:
        """The service call to run (None: refused on the screen already)."""
        raise NotImplementedError

    def submit(self) -> None:
        if self.env.runner.busy:
            return
        call = self.work()
        if call is None:
            return
        self.problems.show_problems([])
        self.action.setEnabled(False)
        self.env.runner.run(self, self.windowTitle(), lambda uow, _job: call(uow), self._done, on_error=self._refused)

    def _done(self, result: Any) -> None:
        self.action.setEnabled(True)
        self.result_value = result
        self.accept()

    def _refused(self, exc: BaseException) -> bool:
        self.action.setEnabled(True)
        problems = refusal_problems(self.windowTitle(), exc)
        if problems is None:
            return False
        self.show_problems(problems)
        return True

    def show_problems(self, problems: list[Problem]) -> None:
        self.problems.show_problems(problems)
        if problems:
            self._go_to(problems[0].record, problems[0].field)

    def _go_to(self, _record: str, field: str) -> None:
        widget = self.fields.get(field) or self.fields.get(field.split(" ")[0])
        if widget is not None:
            widget.setFocus()


def invoice_list(views: list[InvoiceView], chosen: str) -> QListWidget:
    """The vendor's invoices with an amount owed, each to tick; `chosen` ticked and first."""
    box = QListWidget()
    box.setMaximumHeight(110)
    ordered = sorted(views, key=lambda v: v.invoice_no != chosen)
    for v in ordered:
        item = QListWidgetItem(
            f"{v.invoice_no} · dated {v.invoice_date.isoformat()} · open {v.open_amount:,.2f} {v.currency}"
        )
        item.setData(Qt.ItemDataRole.UserRole, v.invoice_no)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if v.invoice_no == chosen else Qt.CheckState.Unchecked)
        box.addItem(item)
    return box


def ticked(box: QListWidget) -> list[str]:
    return [
        str(box.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(box.count())
        if box.item(i).checkState() == Qt.CheckState.Checked
    ]


class PaymentDialog(ActionDialog):
    """A vendor's cheque (credit_note False) or credit note: applied to the ticked invoices in
    the order listed (the invoice opened first)."""

    def __init__(self, env: UiEnv, invoice: InvoiceView, credit_note: bool = False, parent: QWidget | None = None):
        what = "credit note" if credit_note else "payment (cheque)"
        super().__init__(
            env,
            "Credit Note" if credit_note else "Record Payment",
            f"A vendor {what} of {invoice.vendor_code} {invoice.vendor_name}, applied to the ticked invoices in the "
            "order listed; less than they have open leaves the rest open, more is refused.",
            parent,
        )
        self.invoice, self.credit_note = invoice, credit_note
        views = env.runner.call(
            self, "Open invoices", lambda uow: settlement_reads.payable_invoices(uow, invoice.vendor_code)
        )
        if not any(v.invoice_no == invoice.invoice_no for v in views or []):
            views = [invoice, *(views or [])]
        self.day = self.add_row("Date:", date_edit(self), "date")
        self.amount = self.add_row("Amount:", DecimalEdit(self), "amount")
        self.currency = QLineEdit(invoice.currency, self)
        self.currency.setMaxLength(3)
        if not credit_note:
            self.add_row("Currency:", self.currency, "currency")
        self.reference = self.add_row(
            "Credit note number:" if credit_note else "Reference:", QLineEdit(self), "reference"
        )
        self.invoices = self.add_row("Invoices paid:", invoice_list(views or [], invoice.invoice_no), "invoice")
        self.action.setText("Record")
        self.amount.setFocus()

    def work(self) -> Callable[[Any], Any] | None:
        vendor, day, amount = self.invoice.vendor_code, day_of(self.day), self.amount.decimal()
        reference, names = self.reference.text(), ticked(self.invoices)
        if self.credit_note:
            return lambda uow: settlement.record_credit_note(uow, vendor, day, amount, reference, names)
        currency = self.currency.text().strip().upper()
        return lambda uow: settlement.record_payment(uow, vendor, day, amount, currency, reference, names)


class WriteOffDialog(ActionDialog):
    """Write off (part of) the invoice's open amount, with a reason."""

    def __init__(self, env: UiEnv, invoice: InvoiceView, parent: QWidget | None = None) -> None:
        super().__init__(
            env,
            "Write Off",
            f"Write off an open amount of {invoice.invoice_no} (open {invoice.open_amount:,.2f} {invoice.currency}). "
            "Above the company's tolerance only a manager or an administrator may.",
            parent,
        )
        self.invoice = invoice
        self.day = self.add_row("Date:", date_edit(self), "date")
        self.amount = self.add_row("Amount:", DecimalEdit(self), "amount")
        self.amount.setText(f"{invoice.open_amount:.2f}")
        self.reason = self.add_row("Reason:", QLineEdit(self), "reason")
        self.action.setText("Write Off")

    def work(self) -> Callable[[Any], Any] | None:
        number, amount = self.invoice.invoice_no, self.amount.decimal()
        reason, day = self.reason.text(), day_of(self.day)
        return lambda uow: settlement.write_off(uow, number, amount, reason, day)


class AnswerDialog(ActionDialog):
    """An amount (accepting all or part of something) or a reason (rejecting it), and a date:
    `call(uow, amount, reason, day)` is the service call."""

    def __init__(
        self,
        env: UiEnv,
        title: str,
        note: str,
        call: Callable[[Any, Decimal | None, str, date], Any],
        amount: Decimal | None = None,
        needs_reason: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(env, title, note, parent)
        self.call = call
        self.day = self.add_row("Date:", date_edit(self), "date")
        self.amount: DecimalEdit | None = None
        self.reason: QPlainTextEdit | None = None
        if amount is not None:
            self.amount = DecimalEdit(self)
            self.amount.setText(f"{amount:.2f}")
            self.add_row("Amount:", self.amount, "amount")
        if needs_reason:
            self.reason = QPlainTextEdit(self)
            self.reason.setMaximumHeight(70)
            self.add_row("Reason:", self.reason, "reason")
        self.action.setText(title.split(" ")[0])

    def work(self) -> Callable[[Any], Any] | None:
        amount = self.amount.decimal() if self.amount is not None else None
        reason = self.reason.toPlainText() if self.reason is not None else ""
        day, call = day_of(self.day), self.call
        if self.amount is not None and amount is None:
            self.show_problems([Problem(self.windowTitle(), "amount", "is required")])
            return None
        return lambda uow: call(uow, amount, reason, day)
