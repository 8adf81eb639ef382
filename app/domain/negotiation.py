"""The negotiation preview (issue 14): what a proposed (pending) agreement would have earned on
a vendor's receipts of a window, ladder by ladder and tier by tier, beside what those receipts
earn today under the agreements in force (or the provisional rates). The same engine as
posting (`Run`, `LadderIndex`): the proposed ladders are applied to the window's receipts
whatever their own dates (the question is "had these terms applied to last year's receipts"),
the most precise ladder of a kind winning as in §5.2. Nothing is posted. Money in cents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .accrual_rows import PostingLine
from .ladder import Ladder, Run, period_key
from .ladder_index import LadderIndex


@dataclass(frozen=True)
class TierOutcome:
    tier: int  # 1-based
    max_amount: int  # cents
    rate: Decimal  # the tier's Result, an exact fraction (2% = 0.02)
    volume: int  # cents of the window's volume falling in the tier's band (summed over periods)


@dataclass(frozen=True)
class LadderOutcome:
    ladder: Ladder
    lines: int
    volume: int  # cents: the receipts the ladder would hold
    tier: int  # the tier reached by the last line (of the last period for a periodic ladder)
    would_earn: int  # cents
    earns_now: int  # cents: what the same lines accrue today under the kind
    tiers: tuple[TierOutcome, ...]

    @property
    def difference(self) -> int:
        return self.would_earn - self.earns_now


def _band_volumes(ladder: Ladder, volumes: Mapping[str, int]) -> tuple[TierOutcome, ...]:
    units = ladder.terms.units
    out = []
    lower = 0
    for i, top in enumerate(units.maxes):
        inside = sum(max(0, min(v, top) - lower) for v in volumes.values())
        out.append(TierOutcome(i + 1, top, ladder.terms.tiers[i].rate, inside))
        lower = top
    return tuple(out)


def move_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February: the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_onto(ladders: Sequence[Ladder], first: date, last: date) -> int:
    """By how many whole years the agreement's dates move to lie over the window first..last:
    0 when one of its ladders already overlaps it (last year's receipts under next year's terms: -1)."""
    if any(lad.start <= last and lad.end >= first for lad in ladders):
        return 0
    start, end = min(lad.start for lad in ladders), max(lad.end for lad in ladders)
    middle = start + (end - start) / 2
    return round(((first + (last - first) / 2) - middle).days / 365.2425)


def negotiation_preview(
    ladders: Sequence[Ladder],
    lines: Sequence[PostingLine],
    earned_now: Mapping[tuple[int, str], int],
    window: tuple[date, date],
) -> list[LadderOutcome]:
    """Per proposed ladder (in the order given): the window's lines it would hold, their volume,
    the tier reached, what it would earn and what the same lines earn now (`earned_now`, by
    (receipt line id, kind), in cents). `lines` in position order (received, slip, line). The
    ladders keep their dates, moved by whole years onto the window when none overlaps it, so that
    an agreement whose rates change during the year keeps its split."""
    if not ladders or not lines:
        return [LadderOutcome(lad, 0, 0, 1, 0, 0, _band_volumes(lad, {})) for lad in ladders]
    years = years_onto(ladders, *window)
    always = [replace(lad, start=move_years(lad.start, years), end=move_years(lad.end, years)) for lad in ladders]
    by_kind: dict[str, list[Ladder]] = defaultdict(list)
    for lad in always:
        by_kind[lad.kind].append(lad)
    vendor_id = lines[0].vendor_id
    index = LadderIndex({vendor_id: dict(by_kind)})
    members: dict[str, list[PostingLine]] = defaultdict(list)
    for line in lines:
        for _kind, lad in index.ladders_of(vendor_id, line.product, line.cats, line.received):
            members[lad.key].append(line)
    out = []
    for original, lad in zip(ladders, always, strict=True):
        run = Run(lad.terms.units)
        held = members.get(lad.key, [])
        would = now = 0
        tier = 1
        for line in held:
            earned = run.add(period_key(lad.terms.period, line.received), line.amount)
            would += earned.rebate
            tier = earned.tier
            now += earned_now.get((line.id, lad.kind), 0)
        volume = sum(line.amount for line in held)
        out.append(LadderOutcome(original, len(held), volume, tier, would, now, _band_volumes(lad, run.volumes)))
    return out
