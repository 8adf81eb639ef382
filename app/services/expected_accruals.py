"""Accrual at the expected tier at the month close (issue 15, item 6; the rule is
app.domain.expected_tier). For each accepted ladder of a vendor with an expected volume, the
adjustment of the period containing the month's end (or the ladder's end) is trued up to
volume to date × the expected tier's rate less what its receipt lines accrued, and the
adjustments of periods that are over (or of ladders no longer accepted) go back to zero. Each
change is an EXPECTED_TIER entry dated the month's last day: Dr REBATE_RECEIVABLE / Cr the
kind's P&L role (reversed for a decrease). An estimate, never invoiced (app.services.close_reads
leaves its lines out). Also the read the estimated report and the statement show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.adapters.entry_writer import OtherEntry
from app.domain.expected_tier import adjustment_reference, expected_adjustment, expected_tier
from app.domain.journal import pnl_role, transfer_lines
from app.domain.ladder import Ladder, Scope, period_end, period_key
from app.domain.money import ZERO, to_units
from app.domain.validation import LineDraft
from app.domain.vocabulary import ACCEPTED, EXPECTED_TIER, REBATE_RECEIVABLE
from app.models import Agreement, AgreementHistory, AgreementLine, JournalEntry, JournalLine, LineAccrual, Product

from .agreement_views import text
from .estimated import EstimatedRow
from .ladders import all_ladders, vendor_ladders


@dataclass(frozen=True)
class ExpectedStanding:
    """A ladder's expected-tier adjustment in one period: where it should stand, where it stands."""

    reference: str
    kind: str
    agreement_no: str | None
    scope: str
    bucket: str
    expected_volume: Decimal | None
    tier: int | None
    volume: Decimal
    accrued: Decimal
    target: Decimal
    posted: Decimal


def expected_volumes(session: Session, ladders: list[Ladder]) -> dict[str, Decimal]:
    """Each ladder's expected volume (the largest given on its lines), by ladder key."""
    ids = [i for ladder in ladders for i in ladder.line_ids]
    if not ids:
        return {}
    given: dict[int, Decimal] = {
        line_id: volume
        for line_id, volume in session.execute(
            select(AgreementLine.id, AgreementLine.expected_volume).where(
                AgreementLine.id.in_(ids), AgreementLine.expected_volume.is_not(None)
            )
        )
        if volume is not None
    }
    out: dict[str, Decimal] = {}
    for ladder in ladders:
        volumes = [given[i] for i in ladder.line_ids if i in given]
        if volumes:
            out[ladder.key] = max(volumes)
    return out


def posted_adjustments(session: Session, vendor_id: int, up_to: date) -> dict[str, tuple[str, str | None, Decimal]]:  # noqa: E501
    """reference -> (kind, agreement number, net receivable) of the vendor's EXPECTED_TIER entries."""
    jl, je = JournalLine, JournalEntry
    rows = session.execute(
        select(je.reference, jl.kind, jl.agreement_no, func.sum(jl.debit), func.sum(jl.credit))
        .join(je, je.id == jl.entry_id)
        .where(je.source == EXPECTED_TIER, jl.role == REBATE_RECEIVABLE, jl.vendor_id == vendor_id,
               je.entry_date <= up_to)
        .group_by(je.reference, jl.kind, jl.agreement_no)
    )  # fmt: skip
    return {ref: (kind or "", number, (dr or ZERO) - (cr or ZERO)) for ref, kind, number, dr, cr in rows}


def standings(session: Session, vendor_id: int, month_end: date) -> list[ExpectedStanding]:
    """Every adjustment of the vendor at the close of the month ending month_end."""
    ladders = [lad for kind in vendor_ladders(session, vendor_id).values() for lad in kind]
    expected = expected_volumes(session, ladders)
    posted = posted_adjustments(session, vendor_id, month_end)
    out: list[ExpectedStanding] = []
    for ladder in ladders:
        volume_expected = expected.get(ladder.key)
        if volume_expected is None or month_end < ladder.start:
            continue
        day = min(month_end, ladder.end)
        bucket = period_key(ladder.terms.period, day)
        over = (period_end(ladder.terms.period, day) or ladder.end) <= month_end
        volume, accrued = _to_date(session, ladder.key, bucket, month_end)
        ref = adjustment_reference(ladder.key, bucket)
        target = expected_adjustment(ladder.terms, volume_expected, volume, accrued, over)
        out.append(
            ExpectedStanding(
                ref, ladder.kind, ladder.agreement_no, ladder.scope.label, bucket, volume_expected,
                expected_tier(ladder.terms, volume_expected), volume, accrued, target,
                posted.get(ref, ("", None, ZERO))[2],
            )
        )  # fmt: skip
    seen = {s.reference for s in out}
    for ref, (kind, number, net) in posted.items():  # periods over, or ladders gone: back to zero
        if ref not in seen and net:
            out.append(ExpectedStanding(ref, kind, number, "", ref.rsplit(" ", 1)[-1], None, None, ZERO, ZERO, ZERO,
                                        net))  # fmt: skip
    return out


def _to_date(session: Session, ladder_key: str, bucket: str, up_to: date) -> tuple[Decimal, Decimal]:
    la = LineAccrual
    volume, accrued = session.execute(
        select(func.sum(la.amount), func.sum(la.rebate)).where(
            la.ladder_key == ladder_key, la.period_key == bucket, la.received_date <= up_to
        )
    ).one()
    return volume or ZERO, accrued or ZERO


def expected_entries(session: Session, vendor_id: int, month_end: date, month: str) -> list[OtherEntry]:
    """The EXPECTED_TIER entries the close of the month posts for the vendor."""
    out = []
    for s in standings(session, vendor_id, month_end):
        change = to_units(s.target - s.posted, 2)
        if not change:
            continue
        memo = (
            f"{s.kind} expected tier {s.scope} {s.bucket}: {s.volume:,.2f} at tier {s.tier} less {s.accrued:,.2f} "
            f"accrued = {s.target:,.2f}"
            if s.tier is not None
            else f"{s.kind} expected tier {s.bucket}: period over, reversed"
        )
        out.append(
            OtherEntry(
                month_end, EXPECTED_TIER, s.reference, vendor_id, None, s.agreement_no,
                transfer_lines(REBATE_RECEIVABLE, pnl_role(s.kind), change, s.kind, f"{memo} ({month})"[:200]),
            )
        )  # fmt: skip
    return out


def adjustments_by_agreement(session: Session, vendor_ids: list[int]) -> dict[tuple[int, str, str | None], Decimal]:
    """(vendor id, kind, agreement number) -> the expected-tier adjustment standing now."""
    jl, je = JournalLine, JournalEntry
    out: dict[tuple[int, str, str | None], Decimal] = defaultdict(lambda: ZERO)
    for vid, kind, number, dr, cr in session.execute(
        select(jl.vendor_id, jl.kind, jl.agreement_no, func.sum(jl.debit), func.sum(jl.credit))
        .join(je, je.id == jl.entry_id)
        .where(je.source == EXPECTED_TIER, jl.role == REBATE_RECEIVABLE, jl.vendor_id.in_(vendor_ids))
        .group_by(jl.vendor_id, jl.kind, jl.agreement_no)
    ):
        out[(vid or 0, kind or "", number)] += (dr or ZERO) - (cr or ZERO)
    return dict(out)


def expected_vendors(session: Session) -> set[int]:
    """Vendors whose close may post an adjustment: an accepted ladder line with an expected
    volume, or an adjustment posted before (it may have to go back to zero)."""
    with_volume = (
        select(Agreement.vendor_id)
        .join(AgreementLine, AgreementLine.agreement_id == Agreement.id)
        .where(Agreement.status == ACCEPTED, AgreementLine.expected_volume.is_not(None))
    )
    posted = (
        select(JournalLine.vendor_id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.source == EXPECTED_TIER)
    )
    return set(session.scalars(with_volume.union(posted)))


def set_expected_volumes(
    session: Session, agreement_id: int, given: list[tuple[LineDraft, Decimal]], user: str, stamp: datetime
) -> None:
    """The expected volume of the ladders of the agreement's file lines (0 clears it), on every
    line of each ladder; each change noted in the agreement's history."""
    wanted: dict[tuple[object, ...], Decimal | None] = {}
    for draft, volume in given:
        wanted[draft.ladder_id()] = volume or None
    if not wanted:
        return
    product_codes = dict(
        session.execute(
            select(AgreementLine.id, Product.code)
            .join(Product, Product.id == AgreementLine.product_id)
            .where(AgreementLine.agreement_id == agreement_id)
        ).all()
    )
    for line in session.scalars(select(AgreementLine).where(AgreementLine.agreement_id == agreement_id)):
        key = (Scope.of(product_codes.get(line.id), (line.cat1, line.cat2, line.cat3, line.cat4)).key, line.start_date,
               line.end_date)  # fmt: skip
        if key in wanted and line.expected_volume != wanted[key]:
            session.add(
                AgreementHistory(
                    agreement_id=agreement_id, line_no=line.line_no, field="Expected Volume",
                    old_value=text(line.expected_volume), new_value=text(wanted[key]), user=user, at=stamp,
                )
            )  # fmt: skip
            line.expected_volume = wanted[key]
    session.flush()


def with_expected(
    session: Session, rows: list[tuple[str, EstimatedRow]], as_of: date
) -> list[tuple[str, EstimatedRow]]:
    """The estimated report's rows (ladder key, row) with the expected volume of their ladder and
    the adjustment posted for its current period by as_of; as they are when no ladder has one."""
    any_expected = select(AgreementLine.id).where(AgreementLine.expected_volume.is_not(None)).limit(1)
    if not any(key for key, _row in rows) or session.scalar(any_expected) is None:
        return rows
    ladders = [lad for kinds in all_ladders(session).values() for kind in kinds.values() for lad in kind]
    volumes = expected_volumes(session, ladders)
    jl, je = JournalLine, JournalEntry
    posted: dict[str, Decimal] = {
        ref: (dr or ZERO) - (cr or ZERO)
        for ref, dr, cr in session.execute(
            select(je.reference, func.sum(jl.debit), func.sum(jl.credit))
            .join(je, je.id == jl.entry_id)
            .where(je.source == EXPECTED_TIER, jl.role == REBATE_RECEIVABLE, je.entry_date <= as_of)
            .group_by(je.reference)
        )
    }
    out = []
    for key, row in rows:
        if key in volumes:
            standing = posted.get(adjustment_reference(key, row.period_key), ZERO)
            row = replace(row, expected_volume=volumes[key], expected_adjustment=standing)
        out.append((key, row))
    return out


def standing_by_kind(session: Session, vendor_id: int, as_of: date) -> tuple[tuple[str, Decimal], ...]:
    """(kind, the expected-tier adjustments standing at as_of) of the vendor, kinds with one."""
    jl, je = JournalLine, JournalEntry
    rows = session.execute(
        select(jl.kind, func.sum(jl.debit), func.sum(jl.credit))
        .join(je, je.id == jl.entry_id)
        .where(je.source == EXPECTED_TIER, jl.role == REBATE_RECEIVABLE, jl.vendor_id == vendor_id,
               je.entry_date <= as_of)
        .group_by(jl.kind)
        .order_by(jl.kind)
    )  # fmt: skip
    return tuple((kind or "", (dr or ZERO) - (cr or ZERO)) for kind, dr, cr in rows if (dr or ZERO) != (cr or ZERO))
