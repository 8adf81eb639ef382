"""The payment run of one vendor (SPEC §15, example N). Pure rules: no SQL.

gross = the matched, unpaid vendor invoice lines due by the run date, plus what earlier runs
held for provisions (released: each run holds the vendor's active provision afresh);
deductions = the open undisputed amount (open − open disputed) of each OPEN or SHORT_PAID
`CD` co-op invoice dated by the run date, oldest first, after the open `CD` credits to the
vendor (a negative total, §13) dated by then, which the run pays with the vendor's invoices
(a negative deduction: it raises the payment); then the active provision is held;
net = gross − deductions − held, never below zero: a deduction is applied in part or not at
all when gross runs out (the rest stays open for the next run), and the provision holds at
most what is left.

The entry: Dr ACCOUNTS_PAYABLE (gross − held) / Cr CASH (net) / Cr CLAIMS_RECEIVABLE (each
deduction; Dr for a credit paid). What is held stays payable (in ACCOUNTS_PAYABLE) until a run releases it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .journal import EntryLine, balanced
from .money import ZERO, to_units
from .vocabulary import ACCOUNTS_PAYABLE, CASH, CLAIMS_RECEIVABLE, CREDIT, OPEN, SHORT_PAID

DEDUCTIBLE_STATUSES = (OPEN, SHORT_PAID)


@dataclass(frozen=True)
class PayableLine:
    """A matched vendor invoice line not yet paid."""

    line_id: int
    vendor_invoice_id: int
    invoice_no: str
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class CoopOpen:
    """A co-op invoice of the vendor with method CD, as the run sees it."""

    invoice_id: int
    invoice_no: str
    invoice_date: date
    kind: str
    status: str
    open: Decimal
    disputed: Decimal  # under open dispute


@dataclass(frozen=True)
class Hold:
    """A provision's hold: placed by this run (amount > 0) or one of an earlier run released (< 0)."""

    provision_id: int
    name: str
    amount: Decimal


@dataclass(frozen=True)
class Deduction:
    invoice_id: int
    invoice_no: str
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class VendorPayment:
    """What a run pays one vendor."""

    lines: tuple[PayableLine, ...]
    released: tuple[Hold, ...]  # earlier holds released into this run (amounts < 0)
    deductions: tuple[Deduction, ...]
    hold: Hold | None  # the active provision held by this run

    @property
    def gross(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO) - sum((h.amount for h in self.released), ZERO)

    @property
    def deducted(self) -> Decimal:
        return sum((d.amount for d in self.deductions), ZERO)

    @property
    def held(self) -> Decimal:
        return self.hold.amount if self.hold is not None else ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.deducted - self.held

    @property
    def empty(self) -> bool:
        return not self.lines and not self.released


def deductible(invoice: CoopOpen, run_date: date) -> Decimal:
    """What a run may deduct of a co-op invoice: its open amount less the open disputes; of a
    credit to the vendor, its open (negative) amount."""
    if invoice.invoice_date > run_date:
        return ZERO
    if invoice.status == CREDIT:
        return min(ZERO, invoice.open)
    if invoice.status not in DEDUCTIBLE_STATUSES:
        return ZERO
    return max(ZERO, invoice.open - invoice.disputed)


def vendor_payment(
    run_date: date,
    lines: Sequence[PayableLine],
    coop: Sequence[CoopOpen],
    provision: Hold | None,
    held_before: Sequence[Hold] = (),
) -> VendorPayment:
    """The vendor's payment in the run: lines due by run_date, earlier holds released, the
    credits paid, the deductions oldest first, the provision held; never below zero."""
    due = tuple(sorted((ln for ln in lines if ln.due_date <= run_date), key=lambda ln: (ln.due_date, ln.line_id)))
    released = tuple(Hold(h.provision_id, h.name, -h.amount) for h in held_before if h.amount)
    gross = sum((ln.amount for ln in due), ZERO) + sum((h.amount for h in held_before), ZERO)
    left = gross
    deductions: list[Deduction] = []
    oldest = [(i, deductible(i, run_date)) for i in sorted(coop, key=lambda i: (i.invoice_date, i.invoice_no))]
    credits = [(i, a) for i, a in oldest if a < ZERO] if due or released else []  # ride with a payment
    for invoice, amount in (*credits, *((i, a) for i, a in oldest if a > ZERO)):
        part = min(left, amount)  # a credit raises what is left; never below zero
        if part:
            deductions.append(Deduction(invoice.invoice_id, invoice.invoice_no, invoice.kind, part))
            left -= part
    hold = None
    # What a provision may hold is what is left of the vendor's own money (the gross less the
    # amounts deducted; never more than `left`, which a credit paid only raises): a credit paid
    # is paid, so that the entry never debits AP below zero.
    holdable = gross - sum((d.amount for d in deductions if d.amount > ZERO), ZERO)
    if provision is not None and provision.amount > ZERO and holdable > ZERO and (due or released):
        hold = Hold(provision.provision_id, provision.name, min(holdable, provision.amount))
    return VendorPayment(due, released, tuple(deductions), hold)


def payment_lines(payment: VendorPayment, memo: str) -> tuple[EntryLine, ...]:
    """Dr ACCOUNTS_PAYABLE (gross − held) / Cr CASH (net) / Cr CLAIMS_RECEIVABLE each deduction
    (the co-op invoice's kind on it)."""
    out = []
    if payment.gross - payment.held:
        out.append(EntryLine(ACCOUNTS_PAYABLE, to_units(payment.gross - payment.held, 2), 0, None, memo))
    if payment.net:
        out.append(EntryLine(CASH, 0, to_units(payment.net, 2), None, memo))
    out.extend(
        EntryLine(CLAIMS_RECEIVABLE, to_units(max(-d.amount, ZERO), 2), to_units(max(d.amount, ZERO), 2), d.kind,
                  f"{memo} {d.invoice_no}")
        for d in payment.deductions
    )  # fmt: skip
    return balanced(memo, tuple(out))


def roles_needed(payment: VendorPayment) -> tuple[str, ...]:
    return (ACCOUNTS_PAYABLE, *((CASH,) if payment.net else ()), *((CLAIMS_RECEIVABLE,) if payment.deductions else ()))


def moves_money(payment: VendorPayment) -> bool:
    """Whether the payment needs an entry: something paid from AP, or deductions (a credit paid
    can offset an amount deducted to nothing, and both must still post, by kind)."""
    return bool(payment.gross - payment.held or payment.deductions)


@dataclass(frozen=True)
class RemittanceRow:
    """One row of a remittance advice: what (a vendor invoice paid, a co-op invoice deducted, a
    provision held or released, a total), its reference and date, the amount (a deduction or a
    hold as a negative amount: it lowers the payment)."""

    item: str
    reference: str
    day: date | None
    amount: Decimal


INVOICE_PAID, DEDUCTED, CREDITED, HOLD, RELEASED = (
    "Invoice paid",
    "Deducted: co-op invoice",
    "Credit paid: co-op invoice",
    "Provision held",
    "Provision released",
)
GROSS, DEDUCTIONS, PROVISION, NET = "Gross", "Deductions", "Provision", "Net paid"


def remittance_rows(payment: VendorPayment) -> list[RemittanceRow]:
    """The vendor invoices paid (their lines summed per invoice, by due date), each deduction by
    co-op invoice number, each provision by name, then gross, deductions, provision and net."""
    paid: dict[str, tuple[date, Decimal]] = {}
    for ln in payment.lines:
        due, amount = paid.get(ln.invoice_no, (ln.due_date, ZERO))
        paid[ln.invoice_no] = (due, amount + ln.amount)
    rows = [RemittanceRow(INVOICE_PAID, no, due, amount) for no, (due, amount) in paid.items()]
    rows += [RemittanceRow(RELEASED, h.name, None, -h.amount) for h in payment.released]
    rows += [
        RemittanceRow(DEDUCTED if d.amount > 0 else CREDITED, d.invoice_no, None, -d.amount) for d in payment.deductions
    ]
    if payment.hold is not None:
        rows.append(RemittanceRow(HOLD, payment.hold.name, None, -payment.hold.amount))
    return rows + [
        RemittanceRow(GROSS, "", None, payment.gross),
        RemittanceRow(DEDUCTIONS, "", None, -payment.deducted),
        RemittanceRow(PROVISION, "", None, -payment.held),
        RemittanceRow(NET, "", None, payment.net),
    ]
