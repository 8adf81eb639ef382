"""What the Invoices screen reads (SPEC §13–§14): invoices found by number, agreement, vendor,
date and status; the settlements applied to one invoice, its disputes and their resolutions,
and its history in time order; the counts on the Home screen. Reads only; balances and
statuses come from app.services.invoice_views, backup rows from app.services.invoice_backup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from app.domain.money import ZERO
from app.domain.vocabulary import HELD, OPEN, SHORT_PAID, SOURCE_NAMES
from app.models import (
    CoopInvoice,
    Dispute,
    DisputeResolution,
    Settlement,
    SettlementLine,
    Vendor,
    VendorClose,
)

from . import month_close
from .context import UnitOfWork
from .disputes import dispute_views
from .errors import NotFound
from .invoice_views import InvoiceView, invoice_by_number, invoice_views
from .security import Permission, can, require

SEARCH_LIMIT = 2000


@dataclass(frozen=True)
class InvoiceSearch:
    """What the Invoices screen searches by; blank fields match everything."""

    invoice_no: str = ""  # part of the number
    agreement_no: str = ""
    vendor: str = ""  # the vendor's code, or part of its name
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None


def find_invoices(uow: UnitOfWork, search: InvoiceSearch, limit: int = SEARCH_LIMIT) -> list[InvoiceView]:
    """The invoices that match, by invoice date and number (at most `limit`)."""
    require(uow, Permission.REPORTS)
    inv = CoopInvoice
    where: list[object] = []
    if search.invoice_no.strip():
        where.append(inv.invoice_no.ilike(f"%{search.invoice_no.strip()}%"))
    if search.agreement_no.strip():
        where.append(inv.agreement_no == search.agreement_no.strip())
    vendor = search.vendor.strip()
    if vendor:
        where.append(or_(Vendor.code == vendor.upper(), Vendor.name.ilike(f"%{vendor}%")))
    if search.date_from is not None:
        where.append(inv.invoice_date >= search.date_from)
    if search.date_to is not None:
        where.append(inv.invoice_date <= search.date_to)
    if search.status == HELD:
        where.append(inv.held.is_(True))  # a held invoice may be billed already: checked below
    if search.status is None:
        return invoice_views(uow.session, where, limit)
    # the status follows from what settles an invoice: read, then keep the invoices of the status
    return [v for v in invoice_views(uow.session, where) if v.status == search.status][:limit]


def invoice_or_refuse(uow: UnitOfWork, invoice_no: str) -> InvoiceView:
    require(uow, Permission.REPORTS)
    view = invoice_by_number(uow.session, invoice_no)
    if view is None:
        raise NotFound(f"Invoice {invoice_no} does not exist")
    return view


@dataclass(frozen=True)
class AppliedSettlement:
    """A settlement's part applied to the invoice (negative on a reversal)."""

    settlement_id: int
    settle_date: date
    kind: str
    reference: str
    reason: str
    amount: Decimal  # the settlement's whole amount
    applied: Decimal  # applied to this invoice
    created_by: str
    created_at: datetime


def settlements_of(uow: UnitOfWork, invoice_id: int) -> list[AppliedSettlement]:
    require(uow, Permission.REPORTS)
    s, sl = Settlement, SettlementLine
    rows = uow.session.execute(
        select(s.id, s.settle_date, s.kind, s.reference, s.reason, s.amount, sl.amount, s.created_by, s.created_at)
        .join(sl, sl.settlement_id == s.id)
        .where(sl.invoice_id == invoice_id)
        .order_by(s.settle_date, s.id, sl.id)
    ).all()
    return [AppliedSettlement(*r) for r in rows]


@dataclass(frozen=True)
class DisputeRow:
    dispute_no: str
    filed_date: date
    reason: str
    amount: Decimal
    title: str
    summary: str
    created_by: str
    created_at: datetime
    status: str  # OPEN until answered, then ACCEPTED or REJECTED
    resolved_date: date | None
    resolved_amount: Decimal | None
    resolution_reason: str
    resolved_by: str | None
    resolved_at: datetime | None


def disputes_of(uow: UnitOfWork, invoice_id: int) -> list[DisputeRow]:
    require(uow, Permission.REPORTS)
    d, r = Dispute, DisputeResolution
    rows = uow.session.execute(
        select(
            d.dispute_no, d.filed_date, d.reason, d.amount, d.title, d.summary, d.created_by, d.created_at,
            r.status, r.resolved_date, r.amount, r.reason, r.created_by, r.created_at,
        )
        .outerjoin(r, r.dispute_id == d.id)
        .where(d.invoice_id == invoice_id)
        .order_by(d.filed_date, d.id)
    ).all()  # fmt: skip
    return [
        DisputeRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or OPEN, r[9], r[10], r[11] or "", r[12], r[13])
        for r in rows
    ]


@dataclass(frozen=True)
class HistoryEvent:
    """Something that happened to an invoice: when (recorded), by whom, what, the date it bears."""

    at: datetime
    by: str
    what: str
    day: date
    amount: Decimal | None


def history_of(uow: UnitOfWork, invoice_no: str) -> list[HistoryEvent]:
    """Who made the invoice and when, its settlements and its disputes, in time order."""
    view = invoice_or_refuse(uow, invoice_no)
    by, at = uow.session.execute(
        select(CoopInvoice.created_by, CoopInvoice.created_at).where(CoopInvoice.id == view.id)
    ).one()
    events = [HistoryEvent(at, by, f"Made by the close of {view.month}", view.invoice_date, view.amount)]
    for s in settlements_of(uow, view.id):
        what = SOURCE_NAMES.get(s.kind, s.kind) + (f" {s.reference}" if s.reference else "")
        what += f": {s.reason}" if s.reason else ""
        events.append(HistoryEvent(s.created_at, s.created_by, what, s.settle_date, s.applied))
    for d in disputes_of(uow, view.id):
        what = f"Dispute {d.dispute_no} filed ({d.reason}): {d.title}"
        events.append(HistoryEvent(d.created_at, d.created_by, what, d.filed_date, d.amount))
        if d.resolved_at is not None and d.resolved_date is not None:
            what = f"Dispute {d.dispute_no} {d.status.lower()}" + (
                f": {d.resolution_reason}" if d.resolution_reason else ""
            )
            events.append(HistoryEvent(d.resolved_at, d.resolved_by or "", what, d.resolved_date, d.resolved_amount))
    return sorted(events, key=lambda e: e.at)


@dataclass(frozen=True)
class InvoiceCounts:
    """The Home screen's invoice figures."""

    due: int  # open or short-paid, past the due date
    due_amount: Decimal
    short_paid: int
    held: int
    disputes_due: int = 0  # open disputes to answer within DISPUTE_WARNING_DAYS (overdue ones included)
    disputes_overdue: int = 0


DISPUTE_WARNING_DAYS = 7  # Home warns of disputes whose answer is due within a week


def invoice_counts(uow: UnitOfWork, today: date) -> InvoiceCounts | None:
    """None for a user without the reports permission."""
    if not can(uow, Permission.REPORTS):
        return None
    due = short = held = 0
    due_amount = ZERO
    for view in invoice_views(uow.session):
        if view.status in (OPEN, SHORT_PAID) and view.due_date < today:
            due += 1
            due_amount += view.open_amount
        short += view.status == SHORT_PAID
        held += view.status == HELD
    near = today + timedelta(days=DISPUTE_WARNING_DAYS)
    open_disputes = [d for d in dispute_views(uow.session, today) if d.status == OPEN]
    return InvoiceCounts(
        due, due_amount, short, held,
        sum(d.deadline <= near for d in open_disputes), sum(d.overdue for d in open_disputes),
    )  # fmt: skip


def invoices_made(uow: UnitOfWork, month: str, numbers: list[str]) -> list[InvoiceView]:
    """The invoices of the month among `numbers` (what a close made)."""
    wanted = set(numbers)
    return [v for v in invoice_views(uow.session, [CoopInvoice.month == month]) if v.invoice_no in wanted]


def last_month_closed(uow: UnitOfWork) -> str | None:
    """The last month closed in full (the Month Close screen offers the next one)."""
    return month_close.last_closed(uow.session)


def month_is_closed(uow: UnitOfWork, month: str) -> bool:
    return month_close.is_closed(uow.session, month)


def vendors_closed(uow: UnitOfWork, month: str) -> list[tuple[str, str]]:
    """(code, name) of the vendors whose part of the month's close is done (a cancelled close
    says which)."""
    rows = uow.session.execute(
        select(Vendor.code, Vendor.name)
        .join(VendorClose, VendorClose.vendor_id == Vendor.id)
        .where(VendorClose.month == month)
        .order_by(Vendor.code)
    ).all()
    return [(code, name) for code, name in rows]
