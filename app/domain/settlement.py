"""Settlement of co-op invoices (SPEC §14): what a cheque, a vendor credit note, a write-off or a
dispute's credit memo may settle, how an amount is applied to the invoices it names, and the
one place each settlement's journal entry is shaped. Pure rules: no SQL.

Entry lines are in cents (app.domain.journal.EntryLine); amounts elsewhere are Decimal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .journal import EntryLine, balanced, pnl_role
from .limits import MAX_AMOUNT_MAX, limit_text
from .money import ZERO, decimal_places, fmt_money, to_units
from .validation import Problem
from .vocabulary import (
    ACCOUNTS_PAYABLE,
    CASH,
    CLAIMS_RECEIVABLE,
    CREDIT,
    CREDIT_NOTE,
    DISPUTE_CREDIT,
    HELD,
    PAID,
    PAYMENT,
    REBATE_WRITE_OFF,
    WRITE_OFF,
)

# The role each kind of settlement debits against CLAIMS_RECEIVABLE (a dispute's credit memo:
# the invoice kind's P&L role).
DEBIT_ROLES = {PAYMENT: CASH, CREDIT_NOTE: ACCOUNTS_PAYABLE, WRITE_OFF: REBATE_WRITE_OFF}
# What a user may reverse (a payment run's deductions are reversed with their run).
REVERSIBLE = (PAYMENT, CREDIT_NOTE, WRITE_OFF, DISPUTE_CREDIT)
# A dispute not answered within this many days of its filing is overdue (SPEC §14).
ANSWER_DAYS = 30


@dataclass(frozen=True)
class OpenInvoice:
    """An invoice as a settlement sees it: whose, in which currency, its status and open amount."""

    invoice_id: int
    invoice_no: str
    vendor_id: int
    agreement_no: str | None
    kind: str
    currency: str
    invoice_date: date
    status: str
    open: Decimal


@dataclass(frozen=True)
class Applied:
    """The part of a settlement applied to one invoice."""

    invoice: OpenInvoice
    amount: Decimal


def amount_problems(label: str, amount: Decimal | None, field: str = "amount") -> list[Problem]:
    """An amount of money a user gave: present, > 0, at most 2 decimals, not absurdly large."""
    if amount is None:
        return [Problem(label, field, "is required")]
    if amount <= ZERO:
        return [Problem(label, field, f"must be greater than 0 (got {amount})")]
    if decimal_places(amount) > 2:
        return [Problem(label, field, f"{amount} has more than 2 decimals")]
    if amount > MAX_AMOUNT_MAX:
        return [Problem(label, field, f"is too large (got {amount}; at most {limit_text(MAX_AMOUNT_MAX)})")]
    return []


def settleable_problems(label: str, invoice: OpenInvoice, field: str = "invoice") -> list[Problem]:
    """Why an invoice cannot be settled: held for its actual, a credit to the vendor, or paid."""
    no = invoice.invoice_no
    if invoice.status == HELD:
        return [Problem(label, field, f"invoice {no} is HELD until the vendor's actual is accepted")]
    if invoice.status == CREDIT:
        return [Problem(label, field, f"invoice {no} is a credit to the vendor, not an amount it owes")]
    if invoice.status == PAID or invoice.open <= ZERO:
        return [Problem(label, field, f"invoice {no} has nothing open")]
    return []


def named_invoice_problems(
    label: str,
    names: Sequence[str],
    found: Mapping[str, OpenInvoice],
    vendor_id: int,
    vendor_code: str,
    currency: str | None,
) -> list[Problem]:
    """Every paid invoice must be named, exist, be the vendor's, settleable, in the currency."""
    if not names:
        return [Problem(label, "invoice", "names no invoice: every invoice it settles must be named")]
    out: list[Problem] = []
    seen: set[str] = set()
    for no in names:
        if no in seen:
            out.append(Problem(label, "invoice", f"invoice {no} is named twice"))
            continue
        seen.add(no)
        invoice = found.get(no)
        if invoice is None:
            out.append(Problem(label, "invoice", f"invoice {no} does not exist"))
        elif invoice.vendor_id != vendor_id:
            out.append(Problem(label, "invoice", f"invoice {no} is not an invoice of vendor {vendor_code}"))
        else:
            out.extend(settleable_problems(label, invoice))
            if currency is not None and invoice.currency != currency:
                out.append(
                    Problem(label, "currency", f"{currency} is not the currency of invoice {no} ({invoice.currency})")
                )
    return out


def date_problems(label: str, day: date | None, invoices: Sequence[OpenInvoice]) -> list[Problem]:
    """A settlement is dated on or after the invoices it settles."""
    if day is None:
        return [Problem(label, "date", "is required (YYYY-MM-DD)")]
    return [
        Problem(label, "date", f"{day} is before the date of invoice {i.invoice_no} ({i.invoice_date})")
        for i in invoices
        if day < i.invoice_date
    ]


def apply_amount(label: str, amount: Decimal, invoices: Sequence[OpenInvoice]) -> list[Applied] | Problem:
    """The amount applied to the invoices in the order named, each up to its open amount: less
    than their open total leaves the rest open (the last ones untouched); more is refused."""
    total = sum((i.open for i in invoices), ZERO)
    if amount > total:
        named = ", ".join(i.invoice_no for i in invoices)
        return Problem(label, "amount", f"{fmt_money(amount)} is more than the open {fmt_money(total)} of {named}")
    out: list[Applied] = []
    left = amount
    for invoice in invoices:
        part = min(left, invoice.open)
        if part > ZERO:
            out.append(Applied(invoice, part))
        left -= part
    return out


def write_off_problems(label: str, invoice: OpenInvoice, amount: Decimal | None, reason: str) -> list[Problem]:
    """A write-off: a reason, and an amount up to the invoice's open amount."""
    out = [] if reason.strip() else [Problem(label, "reason", "is required")]
    wrong = amount_problems(label, amount) + settleable_problems(label, invoice)
    if not wrong and amount is not None and amount > invoice.open:
        wrong.append(Problem(label, "amount", f"{fmt_money(amount)} is more than the open {fmt_money(invoice.open)}"))
    return out + wrong


def within_window(invoice_date: date, day: date, window_days: int) -> bool:
    """The filing window: from the invoice date to window_days after it, both ends."""
    return invoice_date <= day <= invoice_date + timedelta(days=window_days)


def answer_deadline(filed: date) -> date:
    return filed + timedelta(days=ANSWER_DAYS)


def is_overdue(filed: date, today: date) -> bool:
    """Unanswered more than ANSWER_DAYS days after it was filed."""
    return today > answer_deadline(filed)


# --- journal entries -----------------------------------------------------------------------


def _pair(debit_role: str, applied: Sequence[Applied], memo: str) -> tuple[EntryLine, ...]:
    """Dr debit_role the total / Cr CLAIMS_RECEIVABLE each invoice's part (its kind on it)."""
    credits = [
        EntryLine(CLAIMS_RECEIVABLE, 0, to_units(a.amount, 2), a.invoice.kind, f"{memo} {a.invoice.invoice_no}")
        for a in applied
    ]
    kinds = {a.invoice.kind for a in applied}
    total = sum(line.credit for line in credits)
    debit = EntryLine(debit_role, total, 0, kinds.pop() if len(kinds) == 1 else None, memo)
    return balanced(memo, (debit, *credits))


def settlement_lines(kind: str, applied: Sequence[Applied], memo: str) -> tuple[EntryLine, ...]:
    """The entry of a settlement: PAYMENT Dr CASH, CREDIT_NOTE Dr ACCOUNTS_PAYABLE, WRITE_OFF Dr
    REBATE_WRITE_OFF, DISPUTE_CREDIT Dr the invoice kind's P&L role (one invoice); each Cr
    CLAIMS_RECEIVABLE the part applied to each invoice."""
    if kind == DISPUTE_CREDIT:
        (only,) = applied
        return _pair(pnl_role(only.invoice.kind), applied, memo)
    return _pair(DEBIT_ROLES[kind], applied, memo)


def roles_needed(kind: str, invoice_kinds: Sequence[str]) -> tuple[str, ...]:
    """The account roles a settlement's entry posts to (each must have an account, SPEC §18)."""
    debit = [pnl_role(k) for k in invoice_kinds] if kind == DISPUTE_CREDIT else [DEBIT_ROLES[kind]]
    return tuple(dict.fromkeys([*debit, CLAIMS_RECEIVABLE]))


def reversal_lines(lines: Sequence[EntryLine], memo: str) -> tuple[EntryLine, ...]:
    """A reversal: the original's lines with debit and credit swapped."""
    return balanced(memo, tuple(EntryLine(ln.role, ln.credit, ln.debit, ln.kind, f"{memo}: {ln.memo}") for ln in lines))
