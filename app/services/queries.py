"""Read-only lists the screens need (pick lists, lookups, slip lists). Nothing here writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from app.adapters.filter_sql import filter_condition
from app.domain.filters import ColumnFilter, parse_filter
from app.domain.ladder import Scope, period_key
from app.domain.ladder import ladder_key as make_ladder_key
from app.domain.money import ZERO
from app.domain.vocabulary import ACCEPTED, DRAFT, PENDING, POSTED, REBATE_RECEIVABLE, ROLES, is_all
from app.models import (
    Category,
    GlAccount,
    JournalEntry,
    JournalLine,
    LineAccrual,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
)

from .context import UnitOfWork

# The Estimated Rebates screen's reads live in app.services.estimated_views; re-exported for its callers.
from .estimated_views import EstimatedLadder as EstimatedLadder
from .estimated_views import LadderLine as LadderLine
from .estimated_views import estimated_ladders as estimated_ladders
from .estimated_views import ladder_lines as ladder_lines
from .gl_accounts import roles_to_accounts
from .reports import journal_rows
from .security import Permission, require


@dataclass(frozen=True)
class VendorRow:
    code: str
    name: str
    currency: str
    address: str
    active: bool
    # SPEC §11.1, §18
    billing_address: str = ""
    email: str = ""
    default_method: str = "CD"
    terms_days: int = 30


@dataclass(frozen=True)
class ProductRow:
    code: str
    description: str
    vendor: str
    cats: tuple[str | None, str | None, str | None, str | None]
    unit_cost: Decimal
    vendor_item_code: str | None = None  # SPEC §18


@dataclass(frozen=True)
class CategoryRow:
    level: int
    code: str
    parent: str | None
    description: str


@dataclass(frozen=True)
class AccountRow:
    number: str
    name: str
    type: str


@dataclass(frozen=True)
class SlipRow:
    slip_no: str
    vendor: str
    received: date
    reference: str
    status: str
    lines: int
    total: Decimal


@dataclass(frozen=True)
class JournalRow:
    entry_no: int
    entry_date: date
    source: str
    line_no: int | None
    account: str
    role: str
    debit: Decimal
    credit: Decimal
    product: str | None
    kind: str | None
    memo: str


def vendors(uow: UnitOfWork, active_only: bool = False) -> list[VendorRow]:
    """Every vendor by code. Columns, not ORM objects: the screens list every vendor each
    time they open (a thousand vendors cost 6 ms as objects, 2 ms as rows)."""
    v = Vendor.__table__.c
    query = select(
        v.code, v.name, v.currency, v.address, v.active, v.billing_address, v.email, v.default_method, v.terms_days
    ).order_by(v.code)
    if active_only:
        query = query.where(v.active.is_(True))
    return [
        VendorRow(code, name, currency, address, active, billing or "", email or "", method or "CD", terms)
        for code, name, currency, address, active, billing, email, method, terms in uow.session.execute(query)
    ]


def has_vendors(uow: UnitOfWork) -> bool:
    return uow.session.scalar(select(Vendor.id).limit(1)) is not None


def products(
    uow: UnitOfWork,
    vendor: str | None = None,
    search: str = "",
    limit: int | None = None,
    filters: Mapping[str, ColumnFilter] | None = None,
    offset: int = 0,
) -> list[ProductRow]:
    """Every product, or the products a vendor supplies, by code (a Core select: the
    screens ask on opening, and it compiles in a third of the time of its ORM form);
    `search`: those whose code, description, vendor or vendor item code contains it (any
    case), in SQL; `filters`: those each filter keeps, by field (PRODUCT_FIELDS), in SQL;
    `limit`: at most that many, from `offset` (a screen's pages, by code)."""
    p, v = Product.__table__.c, Vendor.__table__.c
    query = (
        select(p.code, p.description, v.code, p.cat1, p.cat2, p.cat3, p.cat4, p.unit_cost, p.vendor_item_code)
        .join_from(Product.__table__, Vendor.__table__, v.id == p.vendor_id)
        .order_by(p.code)
    )
    if vendor is not None:
        query = query.where(v.code == vendor)
    if search.strip():
        wanted = parse_filter(search)
        assert wanted is not None
        searched = (p.code, p.description, v.code, p.vendor_item_code)
        query = query.where(or_(*(filter_condition(c, wanted) for c in searched)))
    fields = {
        "code": p.code, "description": p.description, "vendor_code": v.code, "cat1": p.cat1, "cat2": p.cat2,
        "cat3": p.cat3, "cat4": p.cat4, "unit_cost": p.unit_cost, "vendor_item_code": p.vendor_item_code,
    }  # fmt: skip
    for field, f in (filters or {}).items():
        query = query.where(filter_condition(fields[field], f))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [ProductRow(r[0], r[1], r[2], (r[3], r[4], r[5], r[6]), r[7], r[8]) for r in uow.session.execute(query)]


def categories(uow: UnitOfWork, level: int | None = None, parents: tuple[str | None, ...] = ()) -> list[CategoryRow]:
    """Categories by level and code. With `parents` (the codes of levels 1..level-1, ALL or
    blank meaning any), only those under that chain."""
    parent = Category.__table__.alias("p")
    query = (
        select(Category.level, Category.code, parent.c.code, Category.description)
        .outerjoin(parent, parent.c.id == Category.parent_id)
        .order_by(Category.level, Category.code)
    )
    if level is not None:
        query = query.where(Category.level == level)
    rows = [CategoryRow(lv, code, pcode, desc) for lv, code, pcode, desc in uow.session.execute(query)]
    chain = [p for p in parents if not is_all(p)]
    if level is None or not chain or len(parents) < level - 1:
        return rows
    # Keep a category only if its ancestors match every code given in the chain.
    parent_of = {(r.level, r.code): r.parent for r in categories(uow)}
    out = []
    for row in rows:
        ok = True
        code: str | None = row.code
        for lvl in range(level - 1, 0, -1):
            code = parent_of.get((lvl + 1, code or ""))
            wanted = parents[lvl - 1]
            if not is_all(wanted) and code != wanted:
                ok = False
                break
        if ok:
            out.append(row)
    return out


def accounts(uow: UnitOfWork) -> list[AccountRow]:
    return [
        AccountRow(a.number, a.name, a.type) for a in uow.session.scalars(select(GlAccount).order_by(GlAccount.number))
    ]


def gl_reference(uow: UnitOfWork) -> dict[str, str | None]:
    """Every account role (SPEC §6.1) -> account number, None where not set."""
    mapped = roles_to_accounts(uow.session)
    return {role: mapped[role][1] if role in mapped else None for role in ROLES}


def slips(uow: UnitOfWork, vendor: str | None = None, status: str | None = None) -> list[SlipRow]:
    """Receiving slips, newest first, with their line count and total."""
    query = (
        select(ReceivingSlip.slip_no, Vendor.code, ReceivingSlip.received_date, ReceivingSlip.reference,
               ReceivingSlip.status, func.count(ReceiptLine.id), func.sum(ReceiptLine.amount))
        .join(Vendor, Vendor.id == ReceivingSlip.vendor_id)
        .outerjoin(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
        .group_by(ReceivingSlip.id, ReceivingSlip.slip_no, Vendor.code, ReceivingSlip.received_date,
                  ReceivingSlip.reference, ReceivingSlip.status)
        .order_by(ReceivingSlip.received_date.desc(), ReceivingSlip.slip_no.desc())
    )  # fmt: skip
    if vendor:
        query = query.where(Vendor.code == vendor)
    if status:
        query = query.where(ReceivingSlip.status == status)
    return [
        SlipRow(no, vcode, received, ref, st, count, total or ZERO)
        for no, vcode, received, ref, st, count, total in uow.session.execute(query)
    ]


def slip_status(uow: UnitOfWork, slip_no: str) -> str | None:
    """DRAFT, POSTED, or None when there is no such slip."""
    return uow.session.scalar(select(ReceivingSlip.status).where(ReceivingSlip.slip_no == slip_no))


def slip_journal(uow: UnitOfWork, slip_no: str) -> list[JournalRow]:
    """Every journal line carrying a slip's number (RECEIPT, ACCRUAL, RETRO, RERATE)."""
    query = (
        select(JournalEntry.id, JournalEntry.entry_date, JournalEntry.source, JournalLine.line_no,
               GlAccount.number, JournalLine.role, JournalLine.debit, JournalLine.credit,
               Product.code, JournalLine.kind, JournalLine.memo)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(GlAccount, GlAccount.id == JournalLine.account_id)
        .outerjoin(Product, Product.id == JournalLine.product_id)
        .where(JournalLine.slip_no == slip_no)
        .order_by(JournalEntry.id, JournalLine.id)
    )  # fmt: skip
    return [JournalRow(*row) for row in uow.session.execute(query)]


# -- report screens (read-only; SPEC §8) ----------------------------------------------------


def receipt_line_journal(uow: UnitOfWork, slip_no: str, line_no: int) -> list[dict[str, object]]:
    """The journal lines of one receipt line (RECEIPT, ACCRUAL, RETRO, RERATE), keyed by
    `reports.JOURNAL_COLUMNS` like `reports.journal_rows`."""
    return journal_rows(uow, slip_no=slip_no, line_no=line_no)


@dataclass(frozen=True)
class LadderProgress:
    """Volume and rebate to date of one ladder (of its current period for a periodic one)."""

    ladder_key: str
    period_key: str
    volume: Decimal
    rebate: Decimal
    lines: int
    # a periodic ladder: (period key, volume) of every period with volume, to date, in order
    periods: tuple[tuple[str, Decimal], ...] = ()


def ladder_progress(
    uow: UnitOfWork,
    agreement_id: int,
    product: str | None,
    cats: tuple[str | None, ...],
    start: date,
    end: date,
    period: str | None = None,
    as_of: date | None = None,
) -> LadderProgress:
    """The accrued volume of the ladder an agreement line belongs to (same scope and dates):
    the sum of line_accrual.amount for its key, received by as_of (default today)."""
    require(uow, Permission.REPORTS)
    key = make_ladder_key(agreement_id, Scope.of(product, cats), start, end)
    as_of = as_of or date.today()
    t = LineAccrual
    where = [t.ladder_key == key, t.received_date <= as_of]
    pkey = ""
    if period:
        pkey = period_key(period, min(max(as_of, start), end))
        where.append(t.period_key == pkey)
    volume, rebate, count = uow.session.execute(
        select(func.sum(t.amount), func.sum(t.rebate), func.count()).where(*where)
    ).one()
    periods: tuple[tuple[str, Decimal], ...] = ()
    if period:  # each period reaches its own tier: the chart marks them all
        by_period = uow.session.execute(
            select(t.period_key, func.sum(t.amount))
            .where(t.ladder_key == key, t.received_date <= as_of)
            .group_by(t.period_key)
            .order_by(t.period_key)
        )
        periods = tuple((k, v) for k, v in by_period if v)
    return LadderProgress(key, pkey, volume or ZERO, rebate or ZERO, count, periods)


@dataclass(frozen=True)
class Overview:
    """What the Home screen shows: the company and what is waiting."""

    company: str
    currency: str
    vendors: int
    products: int
    accepted: dict[str, int]  # kind -> accepted agreements
    pending: int  # agreements waiting for acceptance
    draft_slips: int
    draft_lines: int
    posted_lines: int
    last_received: date | None
    accrued: Decimal | None  # net rebate receivable posted (None: no reports permission)


def overview(uow: UnitOfWork) -> Overview:
    from app.models import Agreement, Company

    from .security import can

    session = uow.session
    company = session.get(Company, 1)
    accepted = dict(
        session.execute(
            select(Agreement.kind, func.count()).where(Agreement.status == ACCEPTED).group_by(Agreement.kind)
        ).all()
    )
    drafts = session.execute(
        select(func.count(func.distinct(ReceivingSlip.id)), func.count(ReceiptLine.id))
        .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
        .where(ReceivingSlip.status == DRAFT)
    ).one()
    posted = session.execute(
        select(func.count(ReceiptLine.id), func.max(ReceivingSlip.received_date))
        .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
        .where(ReceivingSlip.status == POSTED)
    ).one()
    accrued = None
    if can(uow, Permission.REPORTS):
        debit, credit = session.execute(
            select(func.sum(JournalLine.debit), func.sum(JournalLine.credit)).where(
                JournalLine.role == REBATE_RECEIVABLE
            )
        ).one()
        accrued = (debit or ZERO) - (credit or ZERO)
    return Overview(
        company=company.name if company else "", currency=company.currency if company else "CAD",
        vendors=session.scalar(select(func.count()).select_from(Vendor)) or 0,
        products=session.scalar(select(func.count()).select_from(Product)) or 0,
        accepted={k: int(v) for k, v in accepted.items()},
        pending=session.scalar(select(func.count()).select_from(Agreement).where(Agreement.status == PENDING)) or 0,
        draft_slips=int(drafts[0] or 0), draft_lines=int(drafts[1] or 0),
        posted_lines=int(posted[0] or 0), last_received=posted[1], accrued=accrued,
    )  # fmt: skip
