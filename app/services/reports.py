"""Report data (SPEC §8): journal lines and estimated rebates. Formats live in app/reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.ladder import Ladder, period_key
from app.domain.money import ZERO, cents
from app.domain.rates import result_percent
from app.models import GlAccount, JournalEntry, JournalLine, LineAccrual, Product, Vendor

from .context import UnitOfWork
from .ladders import vendor_ladders
from .security import Permission, require

JOURNAL_COLUMNS = (
    "entry_no", "entry_date", "source", "slip_no", "line_no", "account", "account_role",
    "debit", "credit", "vendor_code", "product_code", "agreement_kind", "memo",
)  # fmt: skip


def journal_rows(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, source: str | None = None,
    *, slip_no: str | None = None, line_no: int | None = None,
) -> list[dict[str, object]]:
    """Journal lines keyed by JOURNAL_COLUMNS, optionally for a date range, a source, a slip
    or one receipt line."""
    require(uow, Permission.REPORTS)
    query = (
        select(JournalEntry.id, JournalEntry.entry_date, JournalEntry.source, JournalLine.slip_no,
               JournalLine.line_no, GlAccount.number, JournalLine.role, JournalLine.debit,
               JournalLine.credit, Vendor.code, Product.code, JournalLine.kind, JournalLine.memo)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(GlAccount, GlAccount.id == JournalLine.account_id)
        .outerjoin(Vendor, Vendor.id == JournalLine.vendor_id)
        .outerjoin(Product, Product.id == JournalLine.product_id)
        .order_by(JournalEntry.id, JournalLine.id)
    )  # fmt: skip
    if date_from:
        query = query.where(JournalEntry.entry_date >= date_from)
    if date_to:
        query = query.where(JournalEntry.entry_date <= date_to)
    if source:
        query = query.where(JournalEntry.source == source)
    if slip_no is not None:
        query = query.where(JournalLine.slip_no == slip_no)
    if line_no is not None:
        query = query.where(JournalLine.line_no == line_no)
    return [dict(zip(JOURNAL_COLUMNS, row, strict=True)) for row in uow.session.execute(query)]


@dataclass(frozen=True)
class EstimatedRow:
    vendor: str
    vendor_name: str
    kind: str
    agreement_no: str
    ladder: str
    start: date
    end: date
    method: str
    retro: bool
    period: str | None
    period_key: str
    volume: Decimal
    tier: int
    tiers: int
    rate_pct: Decimal
    rebate: Decimal
    regular: Decimal
    retroactive: Decimal
    applied_to_cost: Decimal
    to_pnl: Decimal
    next_threshold: Decimal | None
    needed_for_next: Decimal | None
    rebate_at_next: Decimal | None


ESTIMATED_COLUMNS = (
    "vendor_code", "vendor_name", "kind", "agreement_no", "ladder", "start_date", "end_date",
    "method", "retro", "period", "current_period", "volume", "current_tier", "current_rate", "rebate_earned",
    "regular", "retroactive", "applied_to_cost", "to_pnl", "next_tier_threshold",
    "amount_to_next_tier", "rebate_next_tier_adds",
)  # fmt: skip


def estimated_row_values(row: EstimatedRow) -> tuple[object, ...]:
    return (
        row.vendor, row.vendor_name, row.kind, row.agreement_no, row.ladder, row.start, row.end,
        row.method, "Y" if row.retro else "N", row.period or "", row.period_key, row.volume, row.tier,
        row.rate_pct, row.rebate, row.regular, row.retroactive, row.applied_to_cost, row.to_pnl,
        row.next_threshold, row.needed_for_next, row.rebate_at_next,
    )  # fmt: skip


def _row(vendor: Vendor, ladder: Ladder, sums: tuple[Decimal, Decimal, Decimal, Decimal],
         volume: Decimal, pkey: str) -> EstimatedRow:
    terms = ladder.terms
    t = terms.tier_index(max(volume, ZERO))
    nxt = terms.gain_at_next_tier(volume)
    needed = at_next = threshold = None
    if nxt is not None:
        needed, gain_next = nxt
        threshold = terms.tiers[t].max_amount
        at_next = cents(gain_next) - cents(terms.gain(volume))
    _amount, rebate, retro, inventory = sums
    return EstimatedRow(
        vendor.code, vendor.name, ladder.kind, ladder.agreement_no, ladder.scope.label, ladder.start,
        ladder.end, ladder.method, terms.retro, terms.period, pkey, volume, t + 1, len(terms.tiers),
        result_percent(terms.tiers[t].rate), rebate, rebate - retro, retro, inventory,
        rebate - inventory, threshold, needed, at_next,
    )  # fmt: skip


def ladder_estimates(session: Session, vendor: Vendor, as_of: date, date_from: date | None = None,
                     ladders: dict[str, list[Ladder]] | None = None) -> list[tuple[Ladder, EstimatedRow]]:
    """The vendor's accepted ladders started by as_of, each with its estimate, in report order."""
    t = LineAccrual
    where = [t.vendor_id == vendor.id, t.received_date <= as_of]
    if date_from:
        where.append(t.received_date >= date_from)
    by_ladder: dict[str, list[tuple[str, tuple[Decimal, Decimal, Decimal, Decimal]]]] = {}
    for key, pkey, a, r, rr, i in session.execute(
        select(t.ladder_key, t.period_key, func.sum(t.amount), func.sum(t.rebate), func.sum(t.retro),
               func.sum(t.inventory)).where(*where).group_by(t.ladder_key, t.period_key)
    ):
        by_ladder.setdefault(key, []).append((pkey, (a, r, rr, i)))
    if ladders is None:
        ladders = vendor_ladders(session, vendor.id)
    result: list[tuple[Ladder, EstimatedRow]] = []
    for _kind, kind_ladders in sorted(ladders.items()):
        for ladder in sorted(kind_ladders, key=lambda lad: (lad.agreement_no, lad.scope.rank, lad.key)):
            if ladder.start > as_of:
                continue
            parts = by_ladder.get(ladder.key, [])
            total = tuple(sum((p[1][i] for p in parts), ZERO) for i in range(4))
            if ladder.terms.period:
                current = period_key(ladder.terms.period, min(as_of, ladder.end))
                volume = sum((p[1][0] for p in parts if p[0] == current), ZERO)
            else:
                current, volume = "", total[0]
            result.append((ladder, _row(vendor, ladder, total, volume, current)))  # type: ignore[arg-type]
    return result


def estimated_rebates(uow: UnitOfWork, as_of: date | None = None, vendor: str | None = None,
                      date_from: date | None = None) -> list[EstimatedRow]:
    """Per vendor, kind and ladder of accepted agreements started by as_of."""
    session = uow.session
    require(uow, Permission.REPORTS)
    as_of = as_of or date.today()
    vendors = session.scalars(select(Vendor).order_by(Vendor.code)
                              .where(*([Vendor.code == vendor] if vendor else [])))
    return [row for v in vendors for _ladder, row in ladder_estimates(session, v, as_of, date_from)]
