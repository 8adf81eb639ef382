"""Disputes of co-op invoices (SPEC §14): a vendor contests (part of) an invoice and an
accountant files it with its reason, amount, title, summary and documents; it gets a Dispute ID
(`DSP-2025-000001`, numbered per year of filing); it is answered once: ACCEPTED for all or part
of the amount (a credit memo, DISPUTE_CREDIT: Dr the kind's P&L role / Cr CLAIMS_RECEIVABLE) or
REJECTED with a reason. An open dispute not answered within 30 days is overdue. What is under
open dispute is not deducted by a payment run (open_disputed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.accruals import lock_vendors
from app.adapters.bulk import BulkWriter
from app.adapters.db import transaction_time
from app.domain.money import ZERO, fmt_money
from app.domain.settlement import (
    Applied,
    OpenInvoice,
    amount_problems,
    answer_deadline,
    is_overdue,
    settleable_problems,
    within_window,
)
from app.domain.vocabulary import (
    ACCEPTED,
    DISPUTE_CREDIT,
    DISPUTE_DOCUMENT,
    DISPUTE_REASONS,
    OPEN,
    REJECTED,
    Permission,
    one_of,
)
from app.models import Company, CoopInvoice, Dispute, DisputeResolution, Vendor

from .context import UnitOfWork
from .documents import Attachment, read_documents, store_documents
from .errors import Problem, ValidationFailed
from .invoice_views import open_disputed
from .security import require
from .settlement import open_invoices, write_settlement

TITLE_MAX = 200  # dispute.title


@dataclass(frozen=True)
class DisputeView:
    """A dispute as lists show it; status OPEN, ACCEPTED or REJECTED."""

    id: int
    dispute_no: str
    invoice_no: str
    vendor: str
    reason: str
    amount: Decimal
    title: str
    filed_date: date
    deadline: date
    overdue: bool
    status: str
    resolved_amount: Decimal | None
    resolved_date: date | None
    resolution_reason: str


def dispute_number(year: int, sequence: int) -> str:
    return f"DSP-{year:04d}-{sequence:06d}"


def file_dispute(
    uow: UnitOfWork,
    invoice_no: str,
    reason: str,
    amount: Decimal | None,
    title: str,
    summary: str,
    attachments: Sequence[Attachment],
    day: date,
    commit: bool = True,
) -> DisputeView:
    """Record a vendor's dispute of an invoice, with its documents; refused as a whole,
    writing nothing, when anything is wrong."""
    require(uow, Permission.SETTLE)
    session = uow.session
    label = f"Dispute of {invoice_no or '(no invoice)'}"
    reason = (reason or "").strip().upper()
    title, summary = (title or "").strip(), (summary or "").strip()
    problems = []
    if reason not in DISPUTE_REASONS:
        problems.append(Problem(label, "reason", f"must be {one_of(DISPUTE_REASONS)} (got {reason or 'blank'})"))
    problems.extend(amount_problems(label, amount))
    if not title:
        problems.append(Problem(label, "title", "is required"))
    elif len(title) > TITLE_MAX:
        problems.append(Problem(label, "title", f"is longer than {TITLE_MAX} characters"))
    if not summary:
        problems.append(Problem(label, "summary", "is required"))
    docs, unread = read_documents(label, attachments)  # files read before the vendor is locked
    problems.extend(unread)
    vendor_id = session.scalar(select(CoopInvoice.vendor_id).where(CoopInvoice.invoice_no == invoice_no))
    if vendor_id is None:
        raise ValidationFailed(
            [Problem(label, "invoice", f"invoice {invoice_no or '(blank)'} does not exist"), *problems]
        )
    lock_vendors(session, {vendor_id})
    invoice = open_invoices(uow, [invoice_no])[invoice_no]
    problems.extend(dispute_invoice_problems(uow, label, invoice, amount, day))
    if problems:
        raise ValidationFailed(problems)
    assert amount is not None
    bulk = BulkWriter(session)
    series = f"dispute-{day.year}"
    bulk.start_series(series)
    (sequence,) = bulk.next_numbers(series, 1)
    stamp = transaction_time(session.connection())
    row = Dispute(
        dispute_no=dispute_number(day.year, sequence), invoice_id=invoice.invoice_id, reason=reason, amount=amount,
        title=title, summary=summary, filed_date=day, created_by=uow.user, created_at=stamp,
    )  # fmt: skip
    session.add(row)
    session.flush()
    store_documents(session, DISPUTE_DOCUMENT, row.id, docs, uow.user, stamp)
    session.flush()
    view = _views(session, [Dispute.id == row.id], day)[0]
    if commit:
        uow.commit()
    return view


def dispute_invoice_problems(
    uow: UnitOfWork, label: str, invoice: OpenInvoice, amount: Decimal | None, day: date
) -> list[Problem]:
    """The invoice may be disputed on that day, for that amount: settleable, inside the filing
    window, the amount at most what is open and not under another open dispute."""
    found = settleable_problems(label, invoice)
    if found:
        return found
    company = uow.session.get(Company, 1)
    window = company.dispute_window_days if company is not None else 60
    no = invoice.invoice_no
    if not within_window(invoice.invoice_date, day, window):
        last = invoice.invoice_date + timedelta(days=window)
        return [
            Problem(
                label, "date",
                f"{day} is outside the filing window of invoice {no}: {window} days from its date, "
                f"{invoice.invoice_date} to {last}",
            )
        ]  # fmt: skip
    disputed = open_disputed(uow.session, [invoice.invoice_id]).get(invoice.invoice_id, ZERO)
    free = invoice.open - disputed
    if amount is not None and amount > ZERO and amount > free:
        under = f" ({fmt_money(disputed)} of it under open dispute already)" if disputed else ""
        return [Problem(label, "amount", f"{fmt_money(amount)} is more than the open {fmt_money(free)} of {no}{under}")]
    return []


def _dispute(uow: UnitOfWork, label: str, dispute_no: str) -> tuple[Dispute, int]:
    """The dispute and its invoice's vendor, the vendor locked; refused when it is unknown or
    answered already."""
    session = uow.session
    row = session.scalar(select(Dispute).where(Dispute.dispute_no == dispute_no))
    if row is None:
        raise ValidationFailed([Problem(label, "dispute", f"dispute {dispute_no or '(blank)'} does not exist")])
    vendor_id = session.scalar(select(CoopInvoice.vendor_id).where(CoopInvoice.id == row.invoice_id))
    assert vendor_id is not None
    lock_vendors(session, {vendor_id})
    status = session.scalar(select(DisputeResolution.status).where(DisputeResolution.dispute_id == row.id))
    if status is not None:
        raise ValidationFailed([Problem(label, "dispute", f"dispute {dispute_no} is {status} already")])
    return row, vendor_id


def accept_dispute(
    uow: UnitOfWork, dispute_no: str, amount: Decimal | None = None, day: date | None = None, commit: bool = True
) -> DisputeView:
    """Accept all (amount None) or part of a dispute: a credit memo of that amount settles the
    invoice (Dr the invoice kind's P&L role / Cr CLAIMS_RECEIVABLE)."""
    require(uow, Permission.SETTLE)
    day = day or date.today()
    label = f"Dispute {dispute_no}"
    row, vendor_id = _dispute(uow, label, dispute_no)
    invoice_no = uow.session.scalar(select(CoopInvoice.invoice_no).where(CoopInvoice.id == row.invoice_id))
    assert invoice_no is not None
    invoice = open_invoices(uow, [invoice_no])[invoice_no]
    credit = row.amount if amount is None else amount
    problems = amount_problems(label, credit)
    if not problems and credit > row.amount:
        problems.append(
            Problem(label, "amount", f"{fmt_money(credit)} is more than disputed ({fmt_money(row.amount)})")
        )
    if not problems:
        problems.extend(settleable_problems(label, invoice))
    if not problems and credit > invoice.open:
        problems.append(
            Problem(
                label, "amount", f"{fmt_money(credit)} is more than the open {fmt_money(invoice.open)} of {invoice_no}"
            )
        )
    problems.extend(_answer_date_problems(label, row, day))
    if problems:
        raise ValidationFailed(problems)
    memo = write_settlement(uow, DISPUTE_CREDIT, vendor_id, day, invoice.currency, dispute_no, row.title,
                            [Applied(invoice, credit)])  # fmt: skip
    _resolve(uow, row, ACCEPTED, credit, "", day, memo.settlement_id)
    view = _views(uow.session, [Dispute.id == row.id], day)[0]
    if commit:
        uow.commit()
    return view


def reject_dispute(
    uow: UnitOfWork, dispute_no: str, reason: str, day: date | None = None, commit: bool = True
) -> DisputeView:
    """Reject a dispute, with the reason: nothing is credited."""
    require(uow, Permission.SETTLE)
    day = day or date.today()
    label = f"Dispute {dispute_no}"
    row, _vendor_id = _dispute(uow, label, dispute_no)
    problems = [] if (reason or "").strip() else [Problem(label, "reason", "is required")]
    problems.extend(_answer_date_problems(label, row, day))
    if problems:
        raise ValidationFailed(problems)
    _resolve(uow, row, REJECTED, ZERO, reason.strip(), day, None)
    view = _views(uow.session, [Dispute.id == row.id], day)[0]
    if commit:
        uow.commit()
    return view


def _answer_date_problems(label: str, row: Dispute, day: date) -> list[Problem]:
    if day < row.filed_date:
        return [Problem(label, "date", f"{day} is before the dispute was filed ({row.filed_date})")]
    return []


def _resolve(
    uow: UnitOfWork, row: Dispute, status: str, amount: Decimal, reason: str, day: date, settlement_id: int | None
) -> None:
    session = uow.session
    session.add(
        DisputeResolution(
            dispute_id=row.id, status=status, amount=amount, reason=reason, resolved_date=day,
            settlement_id=settlement_id, created_by=uow.user, created_at=transaction_time(session.connection()),
        )
    )  # fmt: skip
    session.flush()


def dispute_views(session: Session, today: date, where: Iterable[object] = ()) -> list[DisputeView]:
    """Every dispute (or those matching the SQL conditions on Dispute / CoopInvoice / Vendor):
    the open ones first, by deadline; then the answered ones, newest first."""
    rows = _views(session, where, today)
    open_rows = sorted((r for r in rows if r.status == OPEN), key=lambda r: (r.deadline, r.dispute_no))
    answered = sorted((r for r in rows if r.status != OPEN), key=lambda r: r.dispute_no, reverse=True)
    return open_rows + answered


def _views(session: Session, where: Iterable[object], today: date) -> list[DisputeView]:
    d, r = Dispute, DisputeResolution
    query = (
        select(d.id, d.dispute_no, CoopInvoice.invoice_no, Vendor.code, d.reason, d.amount, d.title, d.filed_date,
               r.status, r.amount, r.resolved_date, r.reason)
        .join(CoopInvoice, CoopInvoice.id == d.invoice_id)
        .join(Vendor, Vendor.id == CoopInvoice.vendor_id)
        .outerjoin(r, r.dispute_id == d.id)
        .order_by(d.id)
    )  # fmt: skip
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    out = []
    for (
        did,
        no,
        invoice_no,
        vendor,
        reason,
        amount,
        title,
        filed,
        status,
        resolved,
        resolved_date,
        why,
    ) in session.execute(query):
        answered = status is not None
        out.append(
            DisputeView(
                did, no, invoice_no, vendor, reason, amount, title, filed, answer_deadline(filed),
                not answered and is_overdue(filed, today), status or OPEN, resolved, resolved_date, why or "",
            )
        )  # fmt: skip
    return out
