"""Vendor actuals (SPEC §13): for an agreement flagged actuals required, the vendor states per
month the amount it expects to be billed (amount, comment, attachments). The month's invoice
of that agreement is made HELD by the close and stays so until an actual is accepted; it is
then billed at the vendor's amount, and the difference from the accrual posts as an ACTUALS
entry dated the decision: REBATE_RECEIVABLE against the kind's P&L role, moved on to
CLAIMS_RECEIVABLE with the invoice. An actual can be rejected (incorrect amount, insufficient
documentation) and a new one submitted. Nothing is ever changed: each submission is a row,
each decision a row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.adapters.accruals import lock_vendors
from app.adapters.db import transaction_time
from app.adapters.entry_writer import OtherEntry, write_entries
from app.domain.invoicing import parse_month
from app.domain.journal import pnl_role, transfer_lines
from app.domain.money import ZERO, decimal_places, to_units
from app.domain.vocabulary import (
    ACCEPTED,
    ACTUAL_DOCUMENT,
    ACTUALS,
    CLAIMS_RECEIVABLE,
    REBATE_RECEIVABLE,
    REJECTED,
    SUBMITTED,
)
from app.models import ActualDecision, Agreement, CoopInvoice, InvoiceLine, JournalLine, Vendor, VendorActual

from .agreement_views import find_agreement
from .context import UnitOfWork
from .documents import Attachment, documents_of, read_documents, store_documents
from .errors import NotFound, Problem, ValidationFailed
from .gl_accounts import gl_for
from .security import Permission, require

OWNER = ACTUAL_DOCUMENT  # document.owner of an actual's attachments


@dataclass(frozen=True)
class ActualView:
    id: int
    vendor_code: str
    kind: str
    agreement_no: str
    month: str
    amount: Decimal
    comment: str
    submitted_date: date
    submitted_by: str
    status: str  # SUBMITTED, ACCEPTED or REJECTED
    reason: str
    documents: int


def _agreement(uow: UnitOfWork, vendor: str, kind: str, number: str | None) -> Agreement:
    agreement_id = find_agreement(uow, vendor, kind, number)
    if agreement_id is None:
        raise NotFound(f"{vendor} has no {kind} agreement{f' {number}' if number else ''}")
    row = uow.session.get(Agreement, agreement_id)
    assert row is not None
    return row


def _label(row: Agreement, month: str) -> str:
    return f"Actual of {row.kind} agreement {row.number} for {month}"


def submit_actual(
    uow: UnitOfWork,
    vendor: str,
    kind: str,
    number: str | None,
    month: str,
    amount: Decimal | None,
    comment: str = "",
    attachments: Sequence[Attachment] = (),
    day: date | None = None,
) -> ActualView:
    """Record what the vendor expects to be billed for the agreement and month."""
    require(uow, Permission.SETTLE)
    row = _agreement(uow, vendor, kind, number)
    lock_vendors(uow.session, {row.vendor_id})
    label = _label(row, month)
    problems: list[Problem] = []
    if parse_month(month) is None:
        problems.append(Problem(label, "month", "must be YYYY-MM (e.g. 2025-02)"))
    if not row.actuals_required:
        problems.append(Problem(label, "agreement", f"agreement {row.number} does not require actuals"))
    if row.status != ACCEPTED:
        problems.append(Problem(label, "agreement", f"agreement {row.number} is {row.status}, not ACCEPTED"))
    if amount is None:
        problems.append(Problem(label, "amount", "is required"))
    elif decimal_places(amount) > 2:
        problems.append(Problem(label, "amount", f"has more than 2 decimals ({amount})"))
    docs, found = read_documents(label, attachments)
    problems.extend(found)
    if not problems:
        current = _latest(uow, row.id, month)
        if current is not None and current.status == ACCEPTED:
            problems.append(Problem(label, "month", f"the actual of {month} is accepted already"))
        elif current is not None and current.status == SUBMITTED:
            problems.append(Problem(label, "month", f"the actual of {month} submitted on "
                                    f"{current.submitted_date} is not decided yet: accept or reject it first"))  # fmt: skip
    if problems:
        raise ValidationFailed(problems)
    assert amount is not None
    session = uow.session
    stamp = transaction_time(session.connection())
    actual = VendorActual(
        agreement_id=row.id, month=month, amount=amount, comment=comment or "", submitted_date=day or date.today(),
        created_by=uow.user, created_at=stamp,
    )  # fmt: skip
    session.add(actual)
    session.flush()
    store_documents(session, OWNER, actual.id, docs, uow.user, stamp)
    session.flush()
    view = _latest(uow, row.id, month)
    uow.commit()
    assert view is not None
    return view


def decide_actual(
    uow: UnitOfWork,
    vendor: str,
    kind: str,
    number: str | None,
    month: str,
    status: str,
    reason: str = "",
    day: date | None = None,
) -> ActualView:
    """Accept (the held invoice is billed at the vendor's amount; the difference posts as
    ACTUALS) or reject (reason required) the month's submitted actual."""
    require(uow, Permission.SETTLE)
    if status not in (ACCEPTED, REJECTED):
        raise ValidationFailed([Problem(f"Actual of {kind} agreement {number or ''}", "status",
                                        f"must be {ACCEPTED} or {REJECTED} (got {status})")])  # fmt: skip
    row = _agreement(uow, vendor, kind, number)
    session = uow.session
    lock_vendors(session, {row.vendor_id})
    label = _label(row, month)
    current = _latest(uow, row.id, month)
    if current is None or current.status != SUBMITTED:
        state = "no actual was submitted" if current is None else f"its actual is {current.status} already"
        raise ValidationFailed([Problem(label, "month", f"{state} for {month}")])
    if status == REJECTED and not reason.strip():
        raise ValidationFailed([Problem(label, "reason", "is required to reject an actual")])
    day = day or date.today()
    entry_id = None
    if status == ACCEPTED:
        entry_id = _post_difference(uow, row, month, current, day, label)
    session.add(
        ActualDecision(
            actual_id=current.id, status=status, reason=reason.strip(), decided_date=day, entry_id=entry_id,
            created_by=uow.user, created_at=transaction_time(session.connection()),
        )
    )  # fmt: skip
    session.flush()
    view = _latest(uow, row.id, month)
    uow.commit()
    assert view is not None
    return view


def _post_difference(
    uow: UnitOfWork, row: Agreement, month: str, actual: ActualView, day: date, label: str
) -> int | None:
    """The ACTUALS entry of the vendor's amount less the held invoice's accrual (None: no difference)."""
    session = uow.session
    held = session.execute(
        select(CoopInvoice.id, CoopInvoice.invoice_no, CoopInvoice.amount)
        .where(CoopInvoice.agreement_id == row.id, CoopInvoice.month == month, CoopInvoice.held.is_(True))
        .order_by(CoopInvoice.id)
    ).all()
    if not held:
        raise ValidationFailed(
            [Problem(label, "month", f"{month} has no held invoice of agreement {row.number}: close the month first")]
        )
    # The vendor's amount over every held invoice of the month (one per method); the difference
    # goes on the first (invoice_views.held_groups bills it there).
    invoice_id, invoice_no = held[0][0], held[0][1]
    accrued = sum((amount for _id, _no, amount in held), ZERO)
    difference = to_units(actual.amount - accrued, 2)
    if not difference:
        return None
    gl = gl_for(session, (REBATE_RECEIVABLE, CLAIMS_RECEIVABLE, pnl_role(row.kind)), "the actual was not accepted")
    memo = f"vendor actual {month} of agreement {row.number}: {actual.amount:,.2f} billed on {invoice_no}"
    lines = transfer_lines(REBATE_RECEIVABLE, pnl_role(row.kind), difference, row.kind, memo) + transfer_lines(
        CLAIMS_RECEIVABLE, REBATE_RECEIVABLE, difference, row.kind, memo
    )
    entry = OtherEntry(day, ACTUALS, invoice_no, row.vendor_id, None, row.number, lines)
    entry_id = write_entries(session, [entry], gl, uow.user, transaction_time(session.connection()))[0]
    # Its receivable lines (the difference accrued, then moved on) belong to the held invoice:
    # every REBATE_RECEIVABLE line is on one invoice, and the invoice's lines still add up to it.
    session.add_all(
        InvoiceLine(journal_line_id=line_id, invoice_id=invoice_id, scope=memo[:200])
        for line_id in session.scalars(
            select(JournalLine.id).where(JournalLine.entry_id == entry_id, JournalLine.role == REBATE_RECEIVABLE)
        )
    )
    session.flush()
    return entry_id


def _latest(uow: UnitOfWork, agreement_id: int, month: str) -> ActualView | None:
    found = actual_views(uow, [VendorActual.agreement_id == agreement_id, VendorActual.month == month])
    return found[-1] if found else None


def actual_views(uow: UnitOfWork, where: Sequence[object] = ()) -> list[ActualView]:
    """Submitted actuals with their decisions, oldest first."""
    va, ad = VendorActual, ActualDecision
    query = (
        select(va.id, Vendor.code, Agreement.kind, Agreement.number, va.month, va.amount, va.comment,
               va.submitted_date, va.created_by, ad.status, ad.reason)
        .join(Agreement, Agreement.id == va.agreement_id)
        .join(Vendor, Vendor.id == Agreement.vendor_id)
        .outerjoin(ad, ad.actual_id == va.id)
        .order_by(va.id)
    )  # fmt: skip
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    out = []
    for aid, vendor, kind, number, month, amount, comment, submitted, by, status, reason in uow.session.execute(query):
        out.append(
            ActualView(
                aid, vendor, kind, number, month, amount, comment, submitted, by, status or SUBMITTED, reason or "",
                len(documents_of(uow.session, OWNER, aid)),
            )
        )  # fmt: skip
    return out
