"""Report data (SPEC §8): journal lines and estimated rebates. Formats live in app/reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm import Session

from app.adapters.accruals import vendor_accruals
from app.adapters.bulk import rows_in
from app.adapters.planner import index_lookups, work_mem_at_least
from app.domain.ladder import Ladder, LadderTerms, period_key
from app.domain.money import ZERO
from app.domain.rates import result_percent
from app.domain.vocabulary import ACCEPTED
from app.models import (
    Agreement,
    AgreementLine,
    GlAccount,
    JournalEntry,
    JournalExportLine,
    JournalLine,
    LineAccrual,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
)

from .context import UnitOfWork
from .ladders import build_ladders, vendor_ladders
from .security import Permission, require

JOURNAL_COLUMNS = (
    "entry_no", "entry_date", "source", "slip_no", "line_no", "account", "account_role",
    "debit", "credit", "vendor_code", "product_code", "agreement_kind", "memo",
    "agreement_no", "posted_at", "export_no",
)  # fmt: skip

Moment = date | datetime  # a whole local day, or an instant (naive: local time)


def posted_at_text(when: datetime, zone: tzinfo | None = None) -> str:
    """posted_at as exported: local time (or zone's) to the second, with its UTC offset."""
    return when.astimezone(zone).isoformat(timespec="seconds")


def _instant(moment: Moment, zone: tzinfo | None) -> datetime:
    """A day's start or a time as a UTC instant; naive: local time (or zone's)."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    if moment.tzinfo is None:
        moment = moment.astimezone() if zone is None else moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def posted_window(
    posted_from: Moment | None, posted_to: Moment | None, zone: tzinfo | None = None
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC of a --posted-from/--posted-to selection. Both ends inclusive, to
    the second as posted_at shows it: a date is the whole local day, a time its whole second."""
    start = end = None
    if posted_from is not None:
        start = _instant(posted_from, zone).replace(microsecond=0)
    if posted_to is not None:
        if isinstance(posted_to, datetime):
            end = _instant(posted_to, zone).replace(microsecond=0) + timedelta(seconds=1)
        else:
            end = _instant(posted_to + timedelta(days=1), zone)
    return start, end


def journal_lines(
    uow: UnitOfWork,
    date_from: date | None = None,
    date_to: date | None = None,
    source: str | None = None,
    *,
    slip_no: str | None = None,
    line_no: int | None = None,
    posted_from: Moment | None = None,
    posted_to: Moment | None = None,
    unexported: bool = False,
    export_no: int | None = None,
) -> list[tuple[int, tuple[object, ...]]]:
    """(journal line id, values in JOURNAL_COLUMNS order) in journal order, selected by entry
    date, source, slip or receipt line, posting time (see posted_window), not yet exported,
    or carried by one export."""
    require(uow, Permission.REPORTS)
    query = (
        select(JournalLine.id, JournalEntry.id, JournalEntry.entry_date, JournalEntry.source, JournalLine.slip_no,
               JournalLine.line_no, GlAccount.number, JournalLine.role, JournalLine.debit,
               JournalLine.credit, Vendor.code, Product.code, JournalLine.kind, JournalLine.memo,
               JournalLine.agreement_no, JournalEntry.created_at, JournalExportLine.export_no)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(GlAccount, GlAccount.id == JournalLine.account_id)
        .outerjoin(Vendor, Vendor.id == JournalLine.vendor_id)
        .outerjoin(Product, Product.id == JournalLine.product_id)
        .outerjoin(JournalExportLine, JournalExportLine.line_id == JournalLine.id)
        .order_by(JournalEntry.id, JournalLine.id)
    )  # fmt: skip
    if date_from:
        query = query.where(JournalEntry.entry_date >= date_from)
    if date_to:
        query = query.where(JournalEntry.entry_date <= date_to)
    if source:
        query = query.where(JournalEntry.source == source)
    start, end = posted_window(posted_from, posted_to)
    if start is not None:
        query = query.where(JournalEntry.created_at >= start)
    if end is not None:
        query = query.where(JournalEntry.created_at < end)
    if unexported:
        query = query.where(JournalExportLine.line_id.is_(None))  # the anti-join
    if export_no is not None:
        query = query.where(JournalExportLine.export_no == export_no)
    if slip_no is not None:
        # Through the receipt lines (journal_line's receipt_line_id index), not a scan of the journal.
        lines = (
            select(ReceiptLine.id)
            .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
            .where(ReceivingSlip.slip_no == slip_no)
        )
        if line_no is not None:
            lines = lines.where(ReceiptLine.line_no == line_no)
        query = query.where(JournalLine.receipt_line_id.in_(lines))
    elif line_no is not None:
        query = query.where(JournalLine.line_no == line_no)
    text_of: dict[datetime, str] = {}  # an entry's lines share one stamp, a posting's entries too
    out = []
    for line_id, *values in uow.session.execute(query):
        stamp = values[-2]
        shown = text_of.get(stamp)
        if shown is None:
            shown = text_of[stamp] = posted_at_text(stamp)
        values[-2] = shown
        out.append((line_id, tuple(values)))
    return out


def journal_rows(
    uow: UnitOfWork,
    date_from: date | None = None,
    date_to: date | None = None,
    source: str | None = None,
    *,
    slip_no: str | None = None,
    line_no: int | None = None,
    posted_from: Moment | None = None,
    posted_to: Moment | None = None,
    unexported: bool = False,
    export_no: int | None = None,
) -> list[dict[str, object]]:
    """Journal lines keyed by JOURNAL_COLUMNS, selected as journal_lines."""
    lines = journal_lines(
        uow,
        date_from,
        date_to,
        source,
        slip_no=slip_no,
        line_no=line_no,
        posted_from=posted_from,
        posted_to=posted_to,
        unexported=unexported,
        export_no=export_no,
    )
    return [dict(zip(JOURNAL_COLUMNS, values, strict=True)) for _id, values in lines]


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
    )  # fmt: skip


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
    money = (t.rebate, t.retro, t.inventory)
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
    agreements = session.execute(
        select(a.c.id, a.c.number, a.c.kind, a.c.vendor_id).where(a.c.status == ACCEPTED, *of_vendor)
    ).all()
    lines = session.execute(
        select(al)
        .join(a, a.c.id == al.c.agreement_id)
        .where(a.c.status == ACCEPTED, al.c.start_date <= as_of, *of_vendor)
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
    rows: list[tuple[str, EstimatedRow]] = []
    for vid, code, name in vendors:
        rows.extend((d.key, _row(code, name, d, by_ladder.get(d.key, _NOTHING), as_of)) for d in ladders.get(vid, ()))
    return rows
