"""Ladders, tiers and the cumulative rebate G(V) (SPEC §5.1, §5.3, §5.4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .money import CENT, HUNDRED, ZERO, cents

ALL = "ALL"
KINDS = ("COOP", "VOLUME", "PERIODIC")
PERIODS = ("M", "Q", "Y")


@dataclass(frozen=True)
class Tier:
    max_amount: Decimal
    rate: Decimal  # exact fraction (Result of the line)


@dataclass(frozen=True)
class Scope:
    """A product line (product set) or a group line (cats, each a code or ALL)."""

    product: str | None = None
    cats: tuple[str, str, str, str] = (ALL, ALL, ALL, ALL)

    @property
    def rank(self) -> int:
        """Precision for most-precise-wins: product 5, CAT4 4 … CAT1 1, all-ALL 0."""
        if self.product is not None:
            return 5
        for level in (4, 3, 2, 1):
            if self.cats[level - 1] != ALL:
                return level
        return 0

    def contains(self, product: str, product_cats: tuple[str | None, ...]) -> bool:
        if self.product is not None:
            return self.product == product
        return all(c == ALL or c == pc for c, pc in zip(self.cats, product_cats, strict=True))

    @property
    def key(self) -> str:
        return f"P:{self.product}" if self.product is not None else "G:" + "/".join(self.cats)

    @property
    def label(self) -> str:
        return f"Product {self.product}" if self.product is not None else " / ".join(self.cats)


@dataclass(frozen=True)
class LadderTerms:
    tiers: tuple[Tier, ...]  # sorted by max_amount, strictly increasing
    retro: bool = False
    product_pct: Decimal = ZERO
    period: str | None = None  # M, Q, Y for PERIODIC ladders

    def tier_index(self, volume: Decimal) -> int:
        """Index of the tier containing volume: (Max_{i-1}, Max_i]; past the end, the last."""
        for i, tier in enumerate(self.tiers):
            if volume <= tier.max_amount:
                return i
        return len(self.tiers) - 1

    def gain(self, volume: Decimal) -> Decimal:
        """Exact cumulative rebate G(V) of the ladder."""
        if volume <= ZERO:
            return ZERO
        if self.retro:
            t = self.tier_index(volume)
            capped = min(volume, self.tiers[-1].max_amount)
            return capped * self.tiers[t].rate
        total = ZERO
        lower = ZERO
        for tier in self.tiers:
            if volume <= lower:
                break
            total += tier.rate * (min(volume, tier.max_amount) - lower)
            lower = tier.max_amount
        return total

    def gain_at_next_tier(self, volume: Decimal) -> tuple[Decimal, Decimal] | None:
        """(amount still needed, exact G on entering the next tier) or None on the last tier.

        Tier i covers (Max_{i-1}, Max_i], so the next tier starts one cent past Max_i.
        """
        t = self.tier_index(max(volume, ZERO))
        if t >= len(self.tiers) - 1:
            return None
        entry = self.tiers[t].max_amount + CENT
        return entry - max(volume, ZERO), self.gain(entry)


@dataclass(frozen=True)
class Ladder:
    """One ladder: the tiers of one agreement with the same scope and dates (SPEC §5.1)."""

    key: str
    agreement_id: int
    agreement_no: str
    kind: str
    scope: Scope
    start: date
    end: date
    terms: LadderTerms
    method: str = "SC"
    line_ids: tuple[int, ...] = field(default=())

    def covers(self, product: str, cats: tuple[str | None, ...], when: date) -> bool:
        return self.start <= when <= self.end and self.scope.contains(product, cats)


def ladder_key(agreement_id: int, scope: Scope, start: date, end: date) -> str:
    return f"{agreement_id}|{scope.key}|{start.isoformat()}|{end.isoformat()}"


def period_key(period: str | None, when: date) -> str:
    """The volume bucket of a receipt date: the whole ladder, or its calendar M/Q/Y."""
    if period is None:
        return ""
    if period == "M":
        return f"{when.year}-{when.month:02d}"
    if period == "Q":
        return f"{when.year}-Q{(when.month - 1) // 3 + 1}"
    if period == "Y":
        return f"{when.year}"
    raise ValueError(f"unknown period {period!r}")


def choose_ladder(
    ladders: list[Ladder], product: str, cats: tuple[str | None, ...], when: date
) -> Ladder | None:
    """Most precise ladder covering the receipt (product, CAT4 … CAT1, all-ALL)."""
    best: Ladder | None = None
    for ladder in ladders:
        if not ladder.covers(product, cats, when):
            continue
        if best is None or (ladder.scope.rank, -ladder.agreement_id) > (
            best.scope.rank,
            -best.agreement_id,
        ):
            best = ladder
    return best


@dataclass(frozen=True)
class LineAccrual:
    """What one receipt line earns under one ladder."""

    volume_before: Decimal
    volume_after: Decimal
    tier: int  # 1-based tier after the line
    rebate: Decimal  # cents: regular + retro
    retro: Decimal  # cents, retroactive part
    inventory: Decimal  # cents of the regular part applied to product cost

    @property
    def regular(self) -> Decimal:
        return self.rebate - self.retro

    @property
    def pnl(self) -> Decimal:
        return self.rebate - self.inventory


class LadderRun:
    """Walks the lines of one ladder in order, carrying the volume of each period."""

    def __init__(self, terms: LadderTerms, volumes: dict[str, Decimal] | None = None) -> None:
        self.terms = terms
        self.volumes: dict[str, Decimal] = dict(volumes or {})

    def add(self, when: date, amount: Decimal) -> LineAccrual:
        terms = self.terms
        bucket = period_key(terms.period, when)
        before = self.volumes.get(bucket, ZERO)
        after = before + amount
        self.volumes[bucket] = after
        rebate = cents(terms.gain(after)) - cents(terms.gain(before))
        retro = ZERO
        t_before = terms.tier_index(before)
        t_after = terms.tier_index(after)
        if terms.retro and before > ZERO and t_before != t_after:
            rate_old = terms.tiers[t_before].rate
            rate_new = terms.tiers[t_after].rate
            retro = cents((rate_new - rate_old) * min(before, terms.tiers[-1].max_amount))
        regular = rebate - retro
        inventory = cents(regular * terms.product_pct / HUNDRED)
        return LineAccrual(before, after, t_after + 1, rebate, retro, inventory)
