"""Ladders, tiers and the cumulative rebate G(V) (SPEC §5.1, §5.3, §5.4)."""

from __future__ import annotations

import calendar
import json
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .money import CENT, HUNDRED, ZERO, cents, to_units

ALL = "ALL"
KINDS = ("COOP", "VOLUME", "PERIODIC")
PERIODS = ("M", "Q", "Y")


@dataclass(frozen=True)
class Tier:
    max_amount: Decimal
    rate: Decimal  # exact fraction (Result of the line)


def scope_cats(cats: tuple[str | None, ...]) -> tuple[str, str, str, str]:
    """A group line's four levels as stored and compared: a blank level, or `ALL` in any
    case, is ALL; a code is kept exactly as it is (codes are case-sensitive)."""
    padded = (*cats, None, None, None, None)[:4]
    return tuple(ALL if not c or c.upper() == ALL else c for c in padded)  # type: ignore[return-value]


@dataclass(frozen=True)
class Scope:
    """A product line (product set) or a group line (cats, each a code or ALL)."""

    product: str | None = None
    cats: tuple[str, str, str, str] = (ALL, ALL, ALL, ALL)

    @classmethod
    def of(cls, product: str | None, cats: tuple[str | None, ...] = ()) -> Scope:
        """The scope of an agreement line: its product, else its four category levels."""
        return cls(product=product) if product else cls(cats=scope_cats(cats))

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
    def key(self) -> tuple[str, ...]:
        """The scope's identity: its codes as a tuple (a code may contain any character,
        so the codes are never joined into one string)."""
        return ("P", self.product) if self.product is not None else ("G", *self.cats)

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
    # The terms in integer cents for posting's fast path (None: not exactly representable).
    cents: CentTerms | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cents", CentTerms.of(self.terms))

    def covers(self, product: str, cats: tuple[str | None, ...], when: date) -> bool:
        return self.start <= when <= self.end and self.scope.contains(product, cats)


def ladder_key(agreement_id: int, scope: Scope, start: date, end: date) -> str:
    """The stored form of a ladder's identity (agreement, scope codes, dates), as saved in
    line_accrual and ladder_volume.

    A JSON array, so two different identities never give the same text whatever the codes
    hold (a code may contain `/`, `|` or quotes). It is compared, never parsed.
    """
    return json.dumps([agreement_id, list(scope.key), start.isoformat(), end.isoformat()],
                      ensure_ascii=False, separators=(",", ":"))


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


def period_end(period: str | None, when: date) -> date | None:
    """The last day of the bucket of a receipt date (None: the ladder has one bucket)."""
    if period is None:
        return None
    if period == "M":
        month = when.month
    elif period == "Q":
        month = (when.month - 1) // 3 * 3 + 3
    elif period == "Y":
        month = 12
    else:
        raise ValueError(f"unknown period {period!r}")
    return date(when.year, month, calendar.monthrange(when.year, month)[1])


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
        return self.add_to(period_key(self.terms.period, when), amount)

    def add_to(self, bucket: str, amount: Decimal) -> LineAccrual:
        terms = self.terms
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


# --- The same run in integer cents (posting and re-rating walk millions of lines) -------------

def _units(value: Decimal, places: int) -> int | None:
    """value × 10^places as an exact int, or None if it has more decimals."""
    try:
        return to_units(value, places)
    except ValueError:
        return None


def _round_div(value: int, unit: int) -> int:
    """value / unit rounded half-up (away from zero on a tie), like `cents` on Decimals."""
    half = unit // 2
    if value >= 0:
        return (value + half) // unit
    return -((half - value) // unit)


# Rates with more decimals than this (never from stored percentages) use the Decimal run.
MAX_RATE_PLACES = 16


class CentTerms:
    """LadderTerms with money in cents and rates scaled to integers: the exact same results
    as LadderRun for amounts in whole cents, at integer speed. None from `of` when the
    terms cannot be represented exactly (then LadderRun is used)."""

    __slots__ = ("maxes", "rates", "unit", "retro", "pct", "pct_unit", "period", "base", "last")

    def __init__(self, maxes: list[int], rates: list[int], places: int, retro: bool, pct: int,
                 pct_places: int, period: str | None) -> None:
        self.maxes = maxes
        self.rates = rates
        self.unit = 10 ** places  # G in 10^-places cents
        self.retro = retro
        self.pct = pct
        self.pct_unit = 100 * 10 ** pct_places
        self.period = period
        self.last = len(maxes) - 1
        # Marginal: G at the start of each tier.
        base, total, lower = [], 0, 0
        for top, rate in zip(maxes, rates, strict=True):
            base.append(total)
            total += rate * (top - lower)
            lower = top
        self.base = base

    @classmethod
    def of(cls, terms: LadderTerms) -> CentTerms | None:
        places = 0
        for tier in terms.tiers:
            exponent = tier.rate.as_tuple().exponent
            if not isinstance(exponent, int):
                return None
            places = max(places, -exponent)
        pct_exp = terms.product_pct.as_tuple().exponent
        if places > MAX_RATE_PLACES or not isinstance(pct_exp, int):
            return None
        pct_places = max(0, -pct_exp)
        maxes = [_units(t.max_amount, 2) for t in terms.tiers]
        rates = [_units(t.rate, places) for t in terms.tiers]
        pct = _units(terms.product_pct, pct_places)
        if None in maxes or None in rates or pct is None:
            return None
        return cls(maxes, rates, places, terms.retro, pct, pct_places, terms.period)  # type: ignore[arg-type]

    def tier_index(self, volume: int) -> int:
        i = bisect_left(self.maxes, volume)
        return i if i <= self.last else self.last

    def gain(self, volume: int, tier: int) -> int:
        """round(G(V)) in cents; tier = tier_index(volume)."""
        if volume <= 0:
            return 0
        if self.retro:
            top = self.maxes[self.last]
            return _round_div((volume if volume < top else top) * self.rates[tier], self.unit)
        lower = self.maxes[tier - 1] if tier else 0
        if volume > self.maxes[tier]:  # past the last maximum: nothing more
            volume = self.maxes[tier]
        return _round_div(self.base[tier] + self.rates[tier] * (volume - lower), self.unit)


class CentRun:
    """LadderRun in cents. add() returns (volume_after, tier 1-based, rebate, retro, inventory)."""

    __slots__ = ("terms", "volumes", "_gains")

    def __init__(self, terms: CentTerms, volumes: dict[str, int] | None = None) -> None:
        self.terms = terms
        self.volumes: dict[str, int] = dict(volumes or {})
        self._gains: dict[str, tuple[int, int]] = {}  # bucket -> (tier, rounded G) at its volume

    def add(self, bucket: str, amount: int) -> tuple[int, int, int, int, int]:
        terms = self.terms
        before = self.volumes.get(bucket, 0)
        after = before + amount
        self.volumes[bucket] = after
        known = self._gains.get(bucket)
        if known is None:
            t_before = terms.tier_index(before)
            g_before = terms.gain(before, t_before)
        else:
            t_before, g_before = known
        t_after = terms.tier_index(after)
        g_after = terms.gain(after, t_after)
        self._gains[bucket] = (t_after, g_after)
        rebate = g_after - g_before
        retro = 0
        if terms.retro and before > 0 and t_before != t_after:
            top = terms.maxes[terms.last]
            retro = _round_div((terms.rates[t_after] - terms.rates[t_before]) * (before if before < top else top),
                               terms.unit)
        regular = rebate - retro
        inventory = _round_div(regular * terms.pct, terms.pct_unit) if terms.pct else 0
        return after, t_after + 1, rebate, retro, inventory


class _DecimalCentRun:
    """LadderRun behind CentRun's interface, for terms CentTerms cannot hold exactly."""

    def __init__(self, terms: LadderTerms, volumes: dict[str, int]) -> None:
        self.run = LadderRun(terms, {k: Decimal(v).scaleb(-2) for k, v in volumes.items()})

    @property
    def volumes(self) -> dict[str, int]:
        return {k: int(v.scaleb(2)) for k, v in self.run.volumes.items()}

    def add(self, bucket: str, amount: int) -> tuple[int, int, int, int, int]:
        acc = self.run.add_to(bucket, Decimal(amount).scaleb(-2))
        return (int(acc.volume_after.scaleb(2)), acc.tier, int(acc.rebate.scaleb(2)), int(acc.retro.scaleb(2)),
                int(acc.inventory.scaleb(2)))


def cent_run(ladder: Ladder, volumes: dict[str, int] | None = None) -> CentRun | _DecimalCentRun:
    """The run of a ladder in integer cents (volumes per period bucket, in cents)."""
    if ladder.cents is not None:
        return CentRun(ladder.cents, volumes)
    return _DecimalCentRun(ladder.terms, volumes or {})
