"""The estimated rebates report (SPEC §8): per vendor, kind and ladder of the accepted
agreements, what the ladder has earned so far (volume, tier, rebate and its split) and what
the next tier would add; summed in SQL from line_accrual. Formats live in app/reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.adapters.accruals import vendor_accruals
from app.adapters.bulk import rows_in
from app.adapters.planner import index_lookups, work_mem_at_least
from app.domain.ladder import Ladder, LadderTerms, period_key
from app.domain.lump_sum import cumulative
from app.domain.money import ZERO
from app.domain.rates import result_percent
from app.domain.vocabulary import ACCEPTED, KIND_PHRASES, LADDER_KINDS, LUMP_SUM
from app.models import (
    Agreement,
    AgreementLine,
    LineAccrual,
    Product,
    Vendor,
)

from .context import UnitOfWork
from .ladders import build_ladders, vendor_ladders
from .security import Permission, require


@dataclass(frozen=True)
class PeriodEstimate:
    """One period of a periodic ladder with volume (SPEC §5.4: each period's volume reaches its
    own tier): the tier and rate it reached, what it earned, and the volume past the ladder's
    last maximum (None: the maximum not reached)."""

    period_key: str
    volume: Decimal
    tier: int
    rate_pct: Decimal
    rebate: Decimal
    beyond_maximum: Decimal | None
    current: bool


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
    # A LUMP_SUM agreement (SPEC §11.2) is a row with no tiers: its amount, and what is still
    # to accrue after what the even-by-day schedule has accrued to the report date (rebate).
    amount: Decimal | None = None
    to_accrue: Decimal | None = None
    # Accrual at the expected tier (issue 15): the ladder's expected volume and the EXPECTED_TIER
    # adjustment posted for its current period by the report date (None: no expected volume).
    expected_volume: Decimal | None = None
    expected_adjustment: Decimal | None = None
    # A periodic ladder: each period with volume (the row's volume, tier and rate are the
    # current period's; its rebate is the sum over the periods, to date).
    periods: tuple[PeriodEstimate, ...] = ()
    # The volume past the last tier's maximum, which earns nothing (None: not reached).
    beyond_maximum: Decimal | None = None

    @property
    def lump_sum(self) -> bool:
        return self.amount is not None


ESTIMATED_COLUMNS = (
    "vendor_code", "vendor_name", "kind", "agreement_no", "ladder", "start_date", "end_date",
    "method", "retro", "period", "current_period", "volume", "current_tier", "current_rate", "rebate_earned",
    "regular", "retroactive", "applied_to_cost", "to_pnl", "next_tier_threshold",
    "amount_to_next_tier", "rebate_next_tier_adds", "lump_sum_amount", "still_to_accrue",
    "expected_volume", "expected_tier_adjustment", "maximum_reached", "volume_earning_nothing",
)  # fmt: skip


def estimated_row_values(row: EstimatedRow) -> tuple[object, ...]:
    if row.lump_sum:  # no volume, tier or rate
        return (
            row.vendor, row.vendor_name, row.kind, row.agreement_no, row.ladder, row.start, row.end,
            row.method, "N", "", "", None, None, None, row.rebate, row.regular, row.retroactive,
            row.applied_to_cost, row.to_pnl, None, None, None, row.amount, row.to_accrue, None, None, "N", None,
        )  # fmt: skip
    return (
        row.vendor, row.vendor_name, row.kind, row.agreement_no, row.ladder, row.start, row.end,
        row.method, "Y" if row.retro else "N", row.period or "", row.period_key, row.volume, row.tier,
        row.rate_pct, row.rebate, row.regular, row.retroactive, row.applied_to_cost, row.to_pnl,
        row.next_threshold, row.needed_for_next, row.rebate_at_next, None, None, row.expected_volume,
        row.expected_adjustment, "Y" if row.beyond_maximum is not None else "N", row.beyond_maximum,
    )  # fmt: skip


def period_row_values(row: EstimatedRow, p: PeriodEstimate) -> tuple[object, ...]:
    """A period of a periodic ladder as a row under it (XLSX): its volume, tier, rate and what it
    earned; the money split and the next tier are the ladder's, on its own row."""
    return (
        row.vendor, row.vendor_name, row.kind, row.agreement_no, f"{row.ladder} · period {p.period_key}", row.start,
        row.end, row.method, "Y" if row.retro else "N", row.period or "", p.period_key, p.volume, p.tier, p.rate_pct,
        p.rebate, None, None, None, None, None, None, None, None, None, None, None,
        "Y" if p.beyond_maximum is not None else "N", p.beyond_maximum,
    )  # fmt: skip


AccrualParts = list[tuple[str, Decimal, Decimal, Decimal, Decimal]]  # period key, amount, rebate, retro, inventory
NO_MONEY = Decimal("0.00")
_NOTHING: AccrualParts = [("", ZERO, ZERO, ZERO, ZERO)]  # a ladder with nothing received


class _Def(NamedTuple):
    """What the report needs of a ladder; tuples of these sort in report order (the key is unique)."""

    kind: str
    agreement_no: str
    rank: int  # scope precision
    key: str
    label: str
    start: date
    end: date
    method: str
    terms: LadderTerms


def _def(ladder: Ladder) -> _Def:
    return _Def(
        ladder.kind,
        ladder.agreement_no,
        ladder.scope.rank,
        ladder.key,
        ladder.scope.label,
        ladder.start,
        ladder.end,
        ladder.method,
        ladder.terms,
    )


def _row(vendor_code: str, vendor_name: str, ladder: _Def, parts: AccrualParts, as_of: date) -> EstimatedRow:
    """The estimate of one ladder from its line_accrual sums per period."""
    terms = ladder.terms
    if len(parts) == 1:
        pkey, volume, rebate, retro, inventory = parts[0]
    else:
        rebate = retro = inventory = volume = ZERO
        for _pkey, a, r, rr, i in parts:
            volume += a
            rebate += r
            retro += rr
            inventory += i
        pkey = ""
    if terms.period:
        current = period_key(terms.period, min(as_of, ladder.end))
        if pkey != current or len(parts) != 1:
            volume = sum((p[1] for p in parts if p[0] == current), ZERO)
    else:
        current = ""
    tiers = terms.tiers
    t = terms.tier_index(volume if volume > ZERO else ZERO)
    needed = at_next = threshold = None
    following = terms.next_tier(volume)
    if following is not None:
        needed, at_next = following
        threshold = tiers[t].max_amount
    return EstimatedRow(
        vendor_code, vendor_name, ladder.kind, ladder.agreement_no, ladder.label, ladder.start,
        ladder.end, ladder.method, terms.retro, terms.period, current, volume, t + 1, len(tiers),
        result_percent(tiers[t].rate), rebate, rebate - retro, retro, inventory,
        rebate - inventory, threshold, needed, at_next,
        periods=_periods(terms, parts, current) if terms.period else (),
        beyond_maximum=terms.beyond_maximum(volume),
    )  # fmt: skip


def _periods(terms: LadderTerms, parts: AccrualParts, current: str) -> tuple[PeriodEstimate, ...]:
    """The periods of a periodic ladder that have volume (or a rebate), in order."""
    out = []
    for pkey, volume, rebate, _retro, _inventory in sorted(parts):
        if not pkey or not (volume or rebate):
            continue
        t = terms.tier_index(volume if volume > ZERO else ZERO)
        rate = result_percent(terms.tiers[t].rate)
        out.append(PeriodEstimate(pkey, volume, t + 1, rate, rebate, terms.beyond_maximum(volume), pkey == current))
    return tuple(out)


REPORT_WORK_MEM_KB = 64 * 1024


def _accrual_sums(
    session: Session, as_of: date, date_from: date | None, vendor_id: int | None = None
) -> dict[str, AccrualParts]:
    """line_accrual summed per ladder and period key in SQL: {ladder key: [(period key, amount,
    rebate, retro, inventory), ...]}, received by as_of; with date_from, the rebates are those
    of the lines received from that date, while the amount stays the ladder's whole volume to
    as_of (the tier, its rate and the next tier depend on the whole volume).

    Grouped by period_key first: on SQLite, GROUP BY ladder_key would walk ix_line_accrual_ladder
    and fetch every row through it (a third slower at a million lines than the plain scan).
    On PostgreSQL the aggregate gets a larger work_mem for this transaction: with line_accrual
    not analysed (autovacuum off) the planner expects many groups and sorts millions of rows
    on disk instead of hashing a few thousand groups in memory.
    """
    t = LineAccrual.__table__.c
    where = [t.received_date <= as_of]
    if vendor_id is not None:
        where.append(vendor_accruals(vendor_id))
    money: tuple[ColumnElement[Any], ...] = (t.rebate, t.retro, t.inventory)
    if date_from:  # the volume (and so the tier) stays the whole ladder's; the money is the window's
        money = tuple(type_coerce(case((t.received_date >= date_from, c)), c.type) for c in money)
    query = (select(t.ladder_key, t.period_key, func.sum(t.amount), *(func.sum(c) for c in money))
             .where(*where).group_by(t.period_key, t.ladder_key))  # fmt: skip
    # All vendors: one grouped scan (memory for the hash); one vendor: through its receipt lines.
    with work_mem_at_least(session, REPORT_WORK_MEM_KB) if vendor_id is None else index_lookups(session):
        rows = session.execute(query).all()
    by_ladder: dict[str, AccrualParts] = {}
    for key, pkey, a, r, rr, i in rows:
        # NULL: nothing received in the window (a zero sum is kept as it is: 0.00, not 0)
        sums = (pkey, a, *(NO_MONEY if v is None else v for v in (r, rr, i)))
        parts = by_ladder.get(key)
        if parts is None:
            by_ladder[key] = [sums]
        else:
            parts.append(sums)
    return by_ladder


def ladder_estimates(
    session: Session,
    vendor: Vendor,
    as_of: date,
    date_from: date | None = None,
    ladders: dict[str, list[Ladder]] | None = None,
) -> list[tuple[Ladder, EstimatedRow]]:
    """The vendor's accepted ladders started by as_of, each with its estimate, in report order."""
    by_ladder = _accrual_sums(session, as_of, date_from, vendor.id)
    if ladders is None:
        ladders = vendor_ladders(session, vendor.id)
    chosen = sorted((_def(lad), lad) for kind_ladders in ladders.values() for lad in kind_ladders if lad.start <= as_of)
    return [(lad, _row(vendor.code, vendor.name, d, by_ladder.get(d.key, _NOTHING), as_of)) for d, lad in chosen]


def _report_ladders(session: Session, as_of: date, vendor_id: int | None = None) -> dict[int, list[_Def]]:
    """The accepted ladders started by as_of (of every vendor, or one), by vendor id, in report order:
    `ladders.build_ladders` over Core rows (no ORM objects for thousands of agreement lines)."""
    a, al, p = Agreement.__table__, AgreementLine.__table__, Product.__table__
    of_vendor = [a.c.vendor_id == vendor_id] if vendor_id is not None else []
    accepted = (a.c.status == ACCEPTED, a.c.kind.in_(LADDER_KINDS))  # the kinds with ladders
    agreements = session.execute(select(a.c.id, a.c.number, a.c.kind, a.c.vendor_id).where(*accepted, *of_vendor)).all()
    lines = session.execute(
        select(al).join(a, a.c.id == al.c.agreement_id).where(*accepted, al.c.start_date <= as_of, *of_vendor)
    ).all()
    product_ids = sorted({line.product_id for line in lines if line.product_id is not None})
    codes = dict(rows_in(session, select(p.c.id, p.c.code), p.c.id, product_ids))
    vendor_of = {agreement.id: agreement.vendor_id for agreement in agreements}
    result: dict[int, list[_Def]] = {}
    for ladder in build_ladders(agreements, lines, codes):  # type: ignore[arg-type]
        result.setdefault(vendor_of[ladder.agreement_id], []).append(_def(ladder))
    for defs in result.values():
        defs.sort()
    return result


def estimated_rebates(
    uow: UnitOfWork, as_of: date | None = None, vendor: str | None = None, date_from: date | None = None
) -> list[EstimatedRow]:
    """Per vendor, kind and ladder of accepted agreements started by as_of.

    Summed in SQL once for all vendors (line_accrual per ladder and period); the ladders are
    read once; vendors by code, then kind, agreement, scope precision and ladder key."""
    return [row for _key, row in keyed_estimates(uow, as_of, vendor, date_from)]


def keyed_estimates(
    uow: UnitOfWork, as_of: date | None = None, vendor: str | None = None, date_from: date | None = None
) -> list[tuple[str, EstimatedRow]]:
    """The rows of estimated_rebates, each with its ladder key (for a drill-down)."""
    session = uow.session
    require(uow, Permission.REPORTS)
    as_of = as_of or date.today()
    v = Vendor.__table__.c
    vendors = session.execute(
        select(v.id, v.code, v.name).order_by(v.code).where(*([v.code == vendor] if vendor else []))
    ).all()
    if not vendors:
        return []
    vendor_id = vendors[0].id if vendor else None
    ladders = _report_ladders(session, as_of, vendor_id)
    by_ladder = _accrual_sums(session, as_of, date_from, vendor_id)
    from .estimated_provisional import provisional_rows

    provisional = provisional_rows(session, as_of, date_from, vendor_id)
    lump_sums = lump_sum_estimates(session, as_of, date_from, vendor_id)
    rows: list[tuple[str, EstimatedRow]] = []
    for vid, code, name in vendors:
        rows.extend((d.key, _row(code, name, d, by_ladder.get(d.key, _NOTHING), as_of)) for d in ladders.get(vid, ()))
        rows.extend(provisional.get(vid, ()))  # what no accepted ladder covers (SPEC §12)
        rows.extend(("", row) for row in lump_sums.get(vid, ()))  # no ladder to drill into
    from .expected_accruals import with_expected

    return with_expected(session, rows, as_of)


def lump_sum_estimates(
    session: Session, as_of: date, date_from: date | None = None, vendor_id: int | None = None
) -> dict[int, list[EstimatedRow]]:
    """The accepted LUMP_SUM agreements started by as_of, by vendor id, in agreement order:
    the amount, what the even-by-day schedule has accrued by as_of (from date_from: what it
    accrued in that window) and what is still to accrue after as_of (SPEC §11.2)."""
    a, v = Agreement.__table__.c, Vendor.__table__.c
    query = (
        select(a.vendor_id, v.code, v.name, a.number, a.amount, a.start_date, a.end_date, a.method)
        .join_from(Agreement.__table__, Vendor.__table__, v.id == a.vendor_id)
        .where(a.status == ACCEPTED, a.kind == LUMP_SUM, a.start_date <= as_of, a.amount.is_not(None))
        .order_by(a.vendor_id, a.number, a.id)
    )
    if vendor_id is not None:
        query = query.where(a.vendor_id == vendor_id)
    out: dict[int, list[EstimatedRow]] = {}
    for vid, code, name, number, amount, start, end, method in session.execute(query):
        accrued = cumulative(amount, start, end, as_of)
        earned = accrued - cumulative(amount, start, end, date_from - timedelta(days=1)) if date_from else accrued
        out.setdefault(vid, []).append(
            EstimatedRow(
                code, name, LUMP_SUM, number, f"{KIND_PHRASES[LUMP_SUM]} of {amount:,.2f}", start, end,
                method or "", False, None, "", ZERO, 0, 0, ZERO, earned, earned, ZERO, ZERO, earned,
                None, None, None, amount, amount - accrued,
            )
        )  # fmt: skip
    return out
