"""Settlement of co-op invoices (SPEC §14, example M): vendor payments (cheques), vendor credit
notes, write-offs, and the reversal of any of them. One use case, one transaction: a
settlement row, what it applies to each invoice (settlement_line) and one balanced journal
entry, or nothing at all.

Any method may settle any invoice: the invoice's method M says how the vendor is expected to
settle it, but a vendor may send a cheque or a credit note for a `CD` invoice before the next
payment run deducts it (the run then finds less open).

The vendor is locked first (app.adapters.accruals.lock_vendors), then the balances read: two
settlements of one vendor, or a settlement and the month close, run one after the other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.adapters.accruals import lock_vendors
from app.adapters.db import transaction_time
from app.adapters.entry_writer import OtherEntry, write_entries
from app.domain.journal import EntryLine
from app.domain.money import fmt_money, to_units
from app.domain.settlement import (
    REVERSIBLE,
    Applied,
    OpenInvoice,
    amount_problems,
    apply_amount,
    date_problems,
    named_invoice_problems,
    reversal_lines,
    roles_needed,
    settlement_lines,
    write_off_problems,
)
from app.domain.vocabulary import (
    CREDIT_NOTE,
    PAYMENT,
    REVERSAL,
    ROLE_NAMES,
    SOURCE_NAMES,
    WRITE_OFF,
    Permission,
)
from app.models import Company, CoopInvoice, JournalLine, Settlement, SettlementLine, Vendor

from .context import UnitOfWork
from .errors import PermissionDenied, Problem, ValidationFailed
from .gl_accounts import gl_for
from .invoice_views import InvoiceView, balances, invoice_views
from .security import can, current_role, require

REFERENCE_MAX = 60  # settlement.reference, journal_entry.reference


@dataclass(frozen=True)
class SettledInvoice:
    """An invoice after a settlement: what it applied, what is still open, the status."""

    invoice_no: str
    applied: Decimal
    open: Decimal
    status: str


@dataclass(frozen=True)
class SettlementResult:
    settlement_id: int
    kind: str
    vendor_code: str
    settle_date: date
    amount: Decimal
    currency: str
    reference: str
    entry_id: int
    invoices: tuple[SettledInvoice, ...]


def open_invoice(view: InvoiceView) -> OpenInvoice:
    return OpenInvoice(
        view.id, view.invoice_no, view.vendor_id, view.agreement_no, view.kind, view.currency, view.invoice_date,
        view.status, view.open_amount,
    )  # fmt: skip


def open_invoices(uow: UnitOfWork, numbers: Sequence[str]) -> dict[str, OpenInvoice]:
    """The named invoices that exist, with their balances as of now."""
    names = sorted({n for n in numbers if n})
    if not names:
        return {}
    return {v.invoice_no: open_invoice(v) for v in invoice_views(uow.session, [CoopInvoice.invoice_no.in_(names)])}


def record_payment(
    uow: UnitOfWork,
    vendor: str,
    settle_date: date,
    amount: Decimal | None,
    currency: str,
    reference: str,
    invoice_nos: Sequence[str],
    commit: bool = True,
) -> SettlementResult:
    """A vendor's cheque (SC): applied to the named invoices in order; the currency must be
    theirs; more than they have open is refused."""
    require(uow, Permission.SETTLE)
    return _against_invoices(uow, PAYMENT, vendor, settle_date, amount, currency, reference, invoice_nos, commit)


def record_credit_note(
    uow: UnitOfWork,
    vendor: str,
    settle_date: date,
    amount: Decimal | None,
    reference: str,
    invoice_nos: Sequence[str],
    commit: bool = True,
) -> SettlementResult:
    """A vendor's credit note (NC), its number the reference: applied as a payment is, in the
    invoices' currency."""
    require(uow, Permission.SETTLE)
    return _against_invoices(uow, CREDIT_NOTE, vendor, settle_date, amount, None, reference, invoice_nos, commit)


def _label(kind: str, reference: str) -> str:
    return f"{SOURCE_NAMES[kind]} {reference}".strip()


def _against_invoices(
    uow: UnitOfWork,
    kind: str,
    vendor: str,
    settle_date: date,
    amount: Decimal | None,
    currency: str | None,
    reference: str,
    invoice_nos: Sequence[str],
    commit: bool,
) -> SettlementResult:
    session = uow.session
    reference = (reference or "").strip()
    label = _label(kind, reference)
    names = [n.strip() for n in invoice_nos if n and n.strip()]
    vendor_id = session.scalar(select(Vendor.id).where(Vendor.code == vendor))
    if vendor_id is None:
        raise ValidationFailed([Problem(label, "vendor", f"vendor {vendor or '(blank)'} does not exist")])
    lock_vendors(session, {vendor_id})
    found = open_invoices(uow, names)
    problems = amount_problems(label, amount)
    if not reference:
        problems.append(Problem(label, "reference", "is required"))
    elif len(reference) > REFERENCE_MAX:
        problems.append(Problem(label, "reference", f"is longer than {REFERENCE_MAX} characters"))
    problems.extend(named_invoice_problems(label, names, found, vendor_id, vendor, currency))
    ours = [found[n] for n in dict.fromkeys(names) if n in found and found[n].vendor_id == vendor_id]
    problems.extend(date_problems(label, settle_date, ours))
    if currency is None and not problems and len({found[n].currency for n in names}) > 1:
        problems.append(Problem(label, "invoice", "names invoices in different currencies"))
    if problems:
        raise ValidationFailed(problems)
    assert amount is not None
    applied = apply_amount(label, amount, [found[n] for n in names])
    if isinstance(applied, Problem):
        raise ValidationFailed([applied])
    result = write_settlement(
        uow, kind, vendor_id, settle_date, currency or found[names[0]].currency, reference, "", applied
    )
    if commit:
        uow.commit()
    return result


def write_off(
    uow: UnitOfWork, invoice_no: str, amount: Decimal | None, reason: str, day: date, commit: bool = True
) -> SettlementResult:
    """Write off (part of) an invoice's open amount, with a reason: up to the company's
    tolerance by whoever may write off, above it only by a manager or an administrator."""
    require(uow, Permission.WRITE_OFF)
    session = uow.session
    label = f"{SOURCE_NAMES[WRITE_OFF]} {invoice_no}"
    vendor_id = session.scalar(select(CoopInvoice.vendor_id).where(CoopInvoice.invoice_no == invoice_no))
    if vendor_id is None:
        raise ValidationFailed([Problem(label, "invoice", f"invoice {invoice_no or '(blank)'} does not exist")])
    lock_vendors(session, {vendor_id})
    invoice = open_invoices(uow, [invoice_no])[invoice_no]
    problems = write_off_problems(label, invoice, amount, reason or "") + date_problems(label, day, [invoice])
    if problems:
        raise ValidationFailed(problems)
    assert amount is not None
    company = session.get(Company, 1)
    tolerance = company.write_off_tolerance if company is not None else Decimal("5.00")
    if amount > tolerance and not can(uow, Permission.WRITE_OFF_ANY):
        raise PermissionDenied(
            f"{uow.user} ({ROLE_NAMES[current_role(uow)]}) may not write off {fmt_money(amount)} of invoice "
            f"{invoice_no}: above the company's tolerance of {fmt_money(tolerance)} only a manager or an "
            "administrator may; nothing was written"
        )
    result = write_settlement(
        uow, WRITE_OFF, vendor_id, day, invoice.currency, invoice_no, reason.strip(), [Applied(invoice, amount)]
    )
    if commit:
        uow.commit()
    return result


def write_settlement(
    uow: UnitOfWork,
    kind: str,
    vendor_id: int,
    day: date,
    currency: str,
    reference: str,
    reason: str,
    applied: Sequence[Applied],
) -> SettlementResult:
    """The settlement, its lines and its entry (Dr the kind's role / Cr CLAIMS_RECEIVABLE),
    refused when a role it posts to has no account. The caller has locked the vendor and
    checked the amounts."""
    session = uow.session
    gl = gl_for(session, roles_needed(kind, [a.invoice.kind for a in applied]), "nothing was recorded")
    memo = _label(kind, reference)
    lines = settlement_lines(kind, applied, memo)
    return _write(uow, kind, vendor_id, day, currency, reference, reason, applied, lines, gl, None)


def _write(
    uow: UnitOfWork,
    kind: str,
    vendor_id: int,
    day: date,
    currency: str,
    reference: str,
    reason: str,
    applied: Sequence[Applied],
    lines: tuple[EntryLine, ...],
    gl: dict[str, int],
    reverses_id: int | None,
) -> SettlementResult:
    session = uow.session
    stamp = transaction_time(session.connection())
    agreements = {a.invoice.agreement_no for a in applied}
    agreement_no = agreements.pop() if len(applied) == 1 else None
    entry = OtherEntry(day, kind, reference[:REFERENCE_MAX], vendor_id, None, agreement_no, lines)
    (entry_id,) = write_entries(session, [entry], gl, uow.user, stamp)
    total = sum((a.amount for a in applied), Decimal("0.00"))
    row = Settlement(
        vendor_id=vendor_id, kind=kind, settle_date=day, amount=total, currency=currency,
        reference=reference[:REFERENCE_MAX], reason=reason, reverses_id=reverses_id, entry_id=entry_id,
        created_by=uow.user, created_at=stamp,
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.add_all(
        SettlementLine(settlement_id=row.id, invoice_id=a.invoice.invoice_id, amount=a.amount) for a in applied
    )
    session.flush()
    after = balances(session, [a.invoice.invoice_id for a in applied])
    vendor_code = session.scalar(select(Vendor.code).where(Vendor.id == vendor_id)) or ""
    settled = tuple(
        SettledInvoice(a.invoice.invoice_no, a.amount, after[a.invoice.invoice_id].open,
                       after[a.invoice.invoice_id].status)
        for a in applied
    )  # fmt: skip
    return SettlementResult(row.id, kind, vendor_code, day, total, currency, row.reference, entry_id, settled)


def reverse_settlement(
    uow: UnitOfWork, settlement_id: int, day: date, reason: str, commit: bool = True
) -> SettlementResult:
    """Undo a payment, credit note, write-off or dispute credit: a REVERSAL settlement that
    applies the negative amounts and posts the original entry's lines swapped, to the same
    accounts. A settlement is reversed at most once."""
    if not can(uow, Permission.WRITE_OFF):  # before anything is read; the right the kind needs: below
        require(uow, Permission.SETTLE)
    session = uow.session
    label = f"{SOURCE_NAMES[REVERSAL]} of settlement {settlement_id}"
    original = session.get(Settlement, settlement_id)
    if original is None:
        raise ValidationFailed([Problem(label, "settlement", f"settlement {settlement_id} does not exist")])
    require(uow, Permission.WRITE_OFF if original.kind == WRITE_OFF else Permission.SETTLE)
    lock_vendors(session, {original.vendor_id})
    problems = []
    if original.kind not in REVERSIBLE:
        problems.append(
            Problem(label, "settlement", f"a {SOURCE_NAMES.get(original.kind, original.kind)} is not reversed")
        )
    elif session.scalar(select(Settlement.id).where(Settlement.reverses_id == settlement_id)) is not None:
        problems.append(Problem(label, "settlement", f"settlement {settlement_id} is reversed already"))
    if not (reason or "").strip():
        problems.append(Problem(label, "reason", "is required"))
    if day < original.settle_date:
        problems.append(Problem(label, "date", f"{day} is before the settlement's date {original.settle_date}"))
    if problems:
        raise ValidationFailed(problems)
    parts = session.execute(
        select(SettlementLine.invoice_id, SettlementLine.amount)
        .where(SettlementLine.settlement_id == settlement_id)
        .order_by(SettlementLine.id)
    ).all()
    views = {v.id: v for v in invoice_views(session, [CoopInvoice.id.in_([i for i, _a in parts])])}
    applied = [Applied(open_invoice(views[iid]), -amount) for iid, amount in parts]
    jl = JournalLine
    original_lines = session.execute(
        select(jl.role, jl.debit, jl.credit, jl.kind, jl.memo, jl.account_id)
        .where(jl.entry_id == original.entry_id)
        .order_by(jl.id)
    ).all()
    lines = reversal_lines(
        [
            EntryLine(role, to_units(dr, 2), to_units(cr, 2), kind, memo)
            for role, dr, cr, kind, memo, _a in original_lines
        ],
        f"{SOURCE_NAMES[REVERSAL]} of {original.reference}",
    )
    gl = {role: account for role, _dr, _cr, _kind, _memo, account in original_lines}
    result = _write(
        uow, REVERSAL, original.vendor_id, day, original.currency, original.reference, reason.strip(), applied, lines,
        gl, original.id,
    )  # fmt: skip
    if commit:
        uow.commit()
    return result
