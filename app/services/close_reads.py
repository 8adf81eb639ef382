"""What the month close reads (SPEC §13): a vendor's REBATE_RECEIVABLE journal lines on no
invoice yet, with the ladder scope, tier, rate and method that decide and explain their
invoice; the lump sums a close accrues. Reads only (app.services.month_close writes)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from app.adapters.accruals import raw_rows
from app.adapters.close_queries import uninvoiced
from app.domain.invoicing import last_day
from app.domain.ladder import Ladder
from app.domain.money import ZERO
from app.domain.month_close import ClaimLine, lump_sum_due
from app.domain.provisional import PROVISIONAL, is_provisional_key
from app.domain.vocabulary import (
    ACCEPTED,
    DEFAULT_METHOD,
    LUMP_SUM,
    LUMP_SUM_SOURCE,
    PROVISIONAL_KINDS,
    REBATE_RECEIVABLE,
)
from app.models import (
    Agreement,
    AgreementLine,
    JournalEntry,
    JournalLine,
    ProvisionalRate,
    Vendor,
    VendorClose,
    VendorRating,
)

from .ladders import all_ladders, vendor_ladders

__all__ = ["uninvoiced"]  # the query lives with the raw reads (app.adapters.close_queries)


def uninvoiced_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The rows of `uninvoiced` as the driver returns them (integers, strings): a year's first
    close reads every receivable line of the year."""
    return raw_rows(session, query)


def lump_sums(session: Session, month_end: date, vendor_id: int | None) -> dict[int, list[tuple[int, str, Decimal]]]:
    """(agreement id, number, amount to accrue) of each vendor's accepted lump sums."""
    a = Agreement
    query = select(a.vendor_id, a.id, a.number, a.amount, a.start_date, a.end_date).where(
        a.kind == LUMP_SUM, a.status == ACCEPTED, a.start_date <= month_end
    )
    if vendor_id is not None:
        query = query.where(a.vendor_id == vendor_id)
    agreements = session.execute(query).all()
    if not agreements:
        return {}
    jl, je = JournalLine, JournalEntry
    accrued = {
        (vid, number): (debit or ZERO) - (credit or ZERO)
        for vid, number, debit, credit in session.execute(
            select(jl.vendor_id, jl.agreement_no, func.sum(jl.debit), func.sum(jl.credit))
            .join(je, je.id == jl.entry_id)
            .where(je.source == LUMP_SUM_SOURCE, jl.role == REBATE_RECEIVABLE, jl.kind == LUMP_SUM)
            .group_by(jl.vendor_id, jl.agreement_no)
        )
    }
    out: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for vid, aid, number, amount, start, end in agreements:
        if amount is None or start is None or end is None:
            continue
        due = lump_sum_due(amount, start, end, month_end, accrued.get((vid, number), ZERO))
        if due:
            out[vid].append((aid, number, due))
    return dict(out)


def _first_line_method() -> ScalarSelect[Any]:
    return (
        select(AgreementLine.method)
        .where(AgreementLine.agreement_id == Agreement.id)
        .order_by(AgreementLine.line_no)
        .limit(1)
        .scalar_subquery()
    )


def methods(session: Session, vendor_id: int) -> tuple[str, dict[tuple[str, str], str]]:
    """The vendor's default method (provisional invoices) and each agreement's method (its
    header's M, else its first line's), by (kind, number)."""
    cache = session.info.setdefault("close_methods", {})
    if vendor_id in cache:
        return cache[vendor_id]  # type: ignore[no-any-return]
    default = session.scalar(select(Vendor.default_method).where(Vendor.id == vendor_id)) or DEFAULT_METHOD
    methods = {
        (kind, number): header or line or default
        for kind, number, header, line in session.execute(
            select(Agreement.kind, Agreement.number, Agreement.method, _first_line_method()).where(
                Agreement.vendor_id == vendor_id
            )
        )
    }
    cache[vendor_id] = (default, methods)
    return default, methods


Signature = tuple[object, ...]


@dataclass
class VendorTerms:
    """Every vendor's ladders and methods, read once for a close (a few statements for all
    vendors); `claims` uses a vendor's under its lock when its signature (default method, and
    id, version, status and method of each agreement: saving an agreement moves its version)
    is still the one read, else reads them again."""

    signatures: dict[int, Signature]
    ladders: dict[int, dict[str, Ladder]]
    methods: dict[int, tuple[str, dict[tuple[str, str], str]]]


def signatures(session: Session, vendor_id: int | None = None) -> dict[int, Signature]:
    a = Agreement
    query = select(Vendor.id, Vendor.default_method, a.id, a.version, a.status, a.method).outerjoin(
        a, a.vendor_id == Vendor.id
    )
    if vendor_id is not None:
        query = query.where(Vendor.id == vendor_id)
    found: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    for vid, *rest in session.execute(query):
        found[vid].append(tuple(rest))
    return {vid: tuple(sorted(rows, key=repr)) for vid, rows in found.items()}


def vendor_terms(session: Session) -> VendorTerms:
    ladders = {
        vid: {lad.key: lad for kind_ladders in kinds.values() for lad in kind_ladders}
        for vid, kinds in all_ladders(session).items()
    }
    defaults = {vid: m or DEFAULT_METHOD for vid, m in session.execute(select(Vendor.id, Vendor.default_method))}
    by_vendor: dict[int, tuple[str, dict[tuple[str, str], str]]] = {vid: (d, {}) for vid, d in defaults.items()}
    query = select(Agreement.vendor_id, Agreement.kind, Agreement.number, Agreement.method, _first_line_method())
    for vid, kind, number, header, line in session.execute(query):
        by_vendor[vid][1][(kind, number)] = header or line or defaults[vid]
    return VendorTerms(signatures(session), ladders, by_vendor)


def claims(
    session: Session,
    vendor_id: int,
    rows: list[tuple],  # type: ignore[type-arg]
    known: VendorTerms | None = None,
) -> list[ClaimLine]:
    """The vendor's uninvoiced lines (rows of `uninvoiced` without the vendor id) as ClaimLines:
    method, scope, tier and rate from the ladder the receipt line accrues under now when it is
    the line's agreement's. Lines of one kind, agreement, ladder and tier share those. `known`:
    the ladders and methods read before, used when the vendor's are unchanged since."""
    if not rows:
        return []
    if known is not None and known.signatures.get(vendor_id) == signatures(session, vendor_id).get(vendor_id):
        default, by_agreement = known.methods.get(vendor_id, (DEFAULT_METHOD, {}))
        ladders = known.ladders.get(vendor_id, {})
    else:
        default, by_agreement = methods(session, vendor_id)
        ladders = {lad.key: lad for kind_ladders in vendor_ladders(session, vendor_id).values() for lad in kind_ladders}
    rates = provisional_rates(session)
    terms: dict[tuple[object, ...], tuple[bool, str, str, int | None, Decimal | None]] = {}
    out = []
    for line_id, kind, agreement_no, debit, credit, ladder_key, tier in rows:
        key = (kind, agreement_no, ladder_key, tier)
        found = terms.get(key)
        if found is None:
            found = terms[key] = _terms(kind, agreement_no, ladder_key, tier, default, by_agreement, ladders, rates)
        provisional, method, scope, shown_tier, rate = found
        out.append(ClaimLine(line_id, kind, agreement_no, provisional, method, debit - credit, scope, shown_tier, rate))
    return out


def _terms(
    kind: str,
    agreement_no: str | None,
    ladder_key: str | None,
    tier: int | None,
    default: str,
    by_agreement: dict[tuple[str, str], str],
    ladders: dict[str, Ladder],
    rates: dict[tuple[str, str, str, str], Decimal],
) -> tuple[bool, str, str, int | None, Decimal | None]:
    """(provisional, method, scope, tier, rate) of a line of this kind, agreement, ladder and tier."""
    provisional = agreement_no is None and kind in PROVISIONAL_KINDS
    method = default if provisional else by_agreement.get((kind, agreement_no or ""), default)
    scope, rate, shown_tier = "", None, None
    ladder = ladders.get(ladder_key) if ladder_key else None
    if ladder is not None and ladder.agreement_no == agreement_no and ladder.kind == kind:
        method, scope = ladder.method, ladder.scope.label
        if tier:
            shown_tier = tier
            rate = ladder.terms.tiers[min(tier, len(ladder.terms.tiers)) - 1].rate * 100
    elif provisional and is_provisional_key(ladder_key):
        _p, p_kind, cat1, start, end = json.loads(ladder_key)  # type: ignore[arg-type]
        scope, rate = f"{PROVISIONAL} ({cat1})", rates.get((p_kind, cat1, start, end))
    return provisional, method, scope, shown_tier, rate


def provisional_rates(session: Session) -> dict[tuple[str, str, str, str], Decimal]:
    cache = session.info.get("close_rates")
    if cache is None:
        pr = ProvisionalRate
        cache = session.info["close_rates"] = {
            (kind, cat1, start.isoformat(), end.isoformat()): rate
            for kind, cat1, start, end, rate in session.execute(
                select(pr.kind, pr.cat1, pr.from_date, pr.to_date, pr.rate)
            )
        }
    return cache


@dataclass
class ClosingRead:
    """The uninvoiced lines of every vendor not closed yet, read once (one scan) for the plans and
    kept for the vendors' own transactions. Under a vendor's lock only what was posted since is
    read again (journal entries after last_entry: their ids are taken in commit order); a vendor
    re-rated or posted to since the read (its rating stamp moved, or a journal line of it after
    last_entry) is read again in full."""

    last_entry: int
    rows: dict[int, list[tuple]]  # type: ignore[type-arg]  # vendor id -> rows of uninvoiced() but the vendor
    stamps: dict[int, tuple[str, object]]  # vendor id -> vendor_rating (fingerprint, rated_at)
    done: set[int]  # vendors closed for the month already
    terms: VendorTerms | None = None  # ladders and methods (close_reads.claims)
    estimating: set[int] = field(default_factory=set)  # expected_vendors() at the read


def closing_read(session: Session, month: str) -> ClosingRead:
    month_end = last_day(month)
    last_entry = session.scalar(select(func.coalesce(func.max(JournalEntry.id), 0))) or 0
    stamps = stamps_of(session)
    done = set(session.scalars(select(VendorClose.vendor_id).where(VendorClose.month == month)))
    rows: dict[int, list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    for row in uninvoiced_rows(session, uninvoiced(session, month_end)):
        if row[0] not in done:
            rows[row[0]].append(row[1:])
    return ClosingRead(last_entry, dict(rows), stamps, done)


def stamps_of(session: Session, vendor_id: int | None = None) -> dict[int, tuple[str, object]]:
    query = select(VendorRating.vendor_id, VendorRating.fingerprint, VendorRating.rated_at)
    if vendor_id is not None:
        query = query.where(VendorRating.vendor_id == vendor_id)
    return {vid: (fp, at) for vid, fp, at in session.execute(query)}


def vendor_rows(
    session: Session, month_end: date, vendor_id: int, read: ClosingRead | None, changed: bool, newer: bool
) -> list:  # type: ignore[type-arg]
    """The vendor's uninvoiced lines now (under its lock): those read before, with the lines of the
    entries written since when there are (the lump sums just accrued), or all read again."""
    if read is not None and not changed and not newer:
        return read.rows.get(vendor_id, [])
    query = uninvoiced(session, month_end, vendor_id)
    if read is None or changed:
        return [r[1:] for r in uninvoiced_rows(session, query)]
    more = uninvoiced_rows(session, query.where(JournalLine.entry_id > read.last_entry))
    return read.rows.get(vendor_id, []) + [r[1:] for r in more]


def may_estimate(session: Session, vendor_id: int, read: ClosingRead | None, changed: bool) -> bool:
    """Whether the vendor's close may post an expected-tier adjustment (expected_vendors): it did at
    the read, or it has an expected volume now, or journal lines of it came since (a close of
    another workstation is the only writer of adjustments, and it holds the vendor's lock)."""
    if read is None or changed or vendor_id in read.estimating:
        return True
    with_volume = (
        select(AgreementLine.id)
        .join(Agreement, Agreement.id == AgreementLine.agreement_id)
        .where(
            Agreement.vendor_id == vendor_id, Agreement.status == ACCEPTED, AgreementLine.expected_volume.is_not(None)
        )
    )
    return session.scalar(with_volume.limit(1)) is not None


def changed_since(session: Session, vendor_id: int, read: ClosingRead | None) -> bool:
    """Whether the vendor's lines may differ from the read: posted to or re-rated since."""
    if read is None:
        return True
    if stamps_of(session, vendor_id).get(vendor_id) != read.stamps.get(vendor_id):
        return True
    newer = select(JournalLine.id).where(JournalLine.entry_id > read.last_entry, JournalLine.vendor_id == vendor_id)
    return session.scalar(newer.limit(1)) is not None
