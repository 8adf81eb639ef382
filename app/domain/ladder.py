"""Ladders, tiers and the cumulative rebate G(V) (SPEC §5.1, §5.3, §5.4)."""

from __future__ import annotations

import calendar
import json
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import NamedTuple

from .money import ZERO, to_units
from .rows import maker
from .vocabulary import ALL, is_all


@dataclass(frozen=True)
class Tier:
    max_amount: Decimal
    rate: Decimal  # exact fraction (Result of the line)


def scope_cats(cats: tuple[str | None, ...]) -> tuple[str, str, str, str]:
    """A group line's four levels as stored and compared: a blank level, or `ALL` in any
    case, is ALL; a code is kept exactly as it is (codes are case-sensitive)."""
    padded = (*cats, None, None, None, None)[:4]
    return tuple(ALL if is_all(c) else c for c in padded)  # type: ignore[return-value]


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

    @cached_property  # asked for every posted line
    def label(self) -> str:
        return f"Product {self.product}" if self.product is not None else " / ".join(self.cats)


@dataclass(frozen=True)
class LadderTerms:
    """A ladder's terms as agreed (Decimal money and exact rates). Every number they give
    comes from one engine, `Units` below, in integer units; these methods are its edges."""

    tiers: tuple[Tier, ...]  # sorted by max_amount, strictly increasing
    retro: bool = False
    product_pct: Decimal = ZERO
    period: str | None = None  # M, Q, Y for PERIODIC ladders

    @cached_property
    def units(self) -> Units:
        return Units.of(self)

    def tier_index(self, volume: Decimal) -> int:
        """Index of the tier containing volume: (Max_{i-1}, Max_i]; past the end, the last."""
        return self.units.tier_index(to_units(volume, 2))

    def beyond_maximum(self, volume: Decimal) -> Decimal | None:
        """The volume past the last tier's Maximum Amount, which earns nothing (Units.gain stops
        there): 0 at the maximum itself; None below it (the maximum not reached)."""
        top = self.tiers[-1].max_amount
        return volume - top if volume >= top else None

    def next_tier(self, volume: Decimal) -> tuple[Decimal, Decimal] | None:
        """(amount still needed to enter the next tier, the rebate in cents entering it would
        add), or None on the last tier. Tier i covers (Max_{i-1}, Max_i], so the next tier
        starts one cent past Max_i."""
        units = self.units
        v = max(to_units(volume, 2), 0)
        t = units.tier_index(v)
        if t >= units.last:
            return None
        entry = units.maxes[t] + 1
        return _dollars(entry - v), _dollars(units.gain(entry, t + 1) - units.gain(v, t))


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
    """The stored form of a ladder's identity (agreement, scope codes, dates), as saved in
    line_accrual and ladder_volume.

    A JSON array, so two different identities never give the same text whatever the codes
    hold (a code may contain `/`, `|` or quotes). It is compared, never parsed.
    """
    return json.dumps(
        [agreement_id, list(scope.key), start.isoformat(), end.isoformat()], ensure_ascii=False, separators=(",", ":")
    )


@lru_cache(maxsize=65536)  # posting asks for millions of lines over a few hundred dates
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


@dataclass(frozen=True)
class LineAccrual:
    """What one receipt line earns under one ladder."""

    volume_after: Decimal
    tier: int  # 1-based tier after the line
    rebate: Decimal  # cents: regular + retro
    retro: Decimal  # cents, retroactive part
    inventory: Decimal  # cents of the regular part applied to product cost

    @property
    def regular(self) -> Decimal:
        return self.rebate - self.retro


def earned_note(terms: LadderTerms, amount: Decimal, earned: LineAccrual) -> str:
    """Why a line earns what it does, when that is not plain from its tier and rate: volume past
    the ladder's last maximum earns nothing; a 0 % tier earns nothing; a return gives back; a
    rebate under half a cent rounds to 0.00. Blank otherwise."""
    top = terms.tiers[-1].max_amount
    before = earned.volume_after - amount
    if amount > 0 and earned.volume_after > top:
        if before >= top:
            return f"above the ladder's maximum ({top:,.2f}): earns nothing"
        return f"{earned.volume_after - top:,.2f} of it is above the ladder's maximum ({top:,.2f}) and earns nothing"
    if amount < 0:
        return "a return: lowers the volume and gives back what it earned"
    tier = terms.tiers[earned.tier - 1]
    if earned.rebate == 0 and tier.rate == 0:
        if earned.tier < len(terms.tiers):
            return f"tier {earned.tier} earns 0 %; tier {earned.tier + 1} starts above {tier.max_amount:,.2f}"
        return f"tier {earned.tier} earns 0 %"
    if earned.rebate == 0 and amount > 0:
        return "the rebate is under half a cent"
    return ""


class LadderRun:
    """The engine's run (`Run`) with Decimal money at its edges: the slip preview and the
    benchmark's checks walk a ladder's lines with it. Amounts are whole cents."""

    def __init__(self, terms: LadderTerms, volumes: dict[str, Decimal] | None = None) -> None:
        self.terms = terms
        self.run = Run(terms.units, {k: to_units(v, 2) for k, v in (volumes or {}).items()})

    @property
    def volumes(self) -> dict[str, Decimal]:
        return {k: _dollars(v) for k, v in self.run.volumes.items()}

    def add(self, when: date, amount: Decimal) -> LineAccrual:
        return self.add_to(period_key(self.terms.period, when), amount)

    def add_to(self, bucket: str, amount: Decimal) -> LineAccrual:
        after, tier, rebate, retro, inventory = self.run.add(bucket, to_units(amount, 2))
        return LineAccrual(_dollars(after), tier, _dollars(rebate), _dollars(retro), _dollars(inventory))


def _dollars(units: int) -> Decimal:
    """Cents as Decimal dollars (exponent -2, so 0 is 0.00)."""
    return Decimal(units).scaleb(-2)


# --- The engine: a ladder in integer units (posting and re-rating walk millions of lines) ------


def _round_div(value: int, unit: int) -> int:
    """value / unit rounded half-up (away from zero on a tie), like `cents` on Decimals."""
    half = unit // 2
    if value >= 0:
        return (value + half) // unit
    return -((half - value) // unit)


class Units:
    """LadderTerms with money in cents and rates scaled to exact integers (a rate with p
    decimals times 10^p; Python integers do not overflow), so G(V), the retro split and
    Product % are integer arithmetic with the one half-up rounding of SPEC §5.3."""

    __slots__ = ("maxes", "rates", "unit", "retro", "pct", "pct_unit", "period", "base", "last")

    def __init__(
        self,
        maxes: list[int],
        rates: list[int],
        places: int,
        retro: bool,
        pct: int,
        pct_places: int,
        period: str | None,
    ) -> None:
        self.maxes = maxes
        self.rates = rates
        self.unit = 10**places  # G in 10^-places cents
        self.retro = retro
        self.pct = pct
        self.pct_unit = 100 * 10**pct_places
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
    def of(cls, terms: LadderTerms) -> Units:
        """The terms in units; a Maximum Amount must be whole cents (ValueError otherwise)."""
        places = max(_places(t.rate) for t in terms.tiers)
        pct_places = _places(terms.product_pct)
        maxes = [to_units(t.max_amount, 2) for t in terms.tiers]
        rates = [to_units(t.rate, places) for t in terms.tiers]
        return cls(maxes, rates, places, terms.retro, to_units(terms.product_pct, pct_places), pct_places, terms.period)

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


class Earned(NamedTuple):
    """What one line earns under a ladder, in cents: `Run.add`'s result."""

    volume: int  # the bucket's volume after the line
    tier: int  # 1-based, after the line
    rebate: int  # regular + retro
    retro: int
    inventory: int  # the Product % part of the regular rebate

    @property
    def result(self) -> tuple[int, int, int, int]:
        """(tier, rebate, retro, inventory): what line_accrual keeps of it."""
        return self[1:]


_earned = maker(Earned)


class Run:
    """Walks the lines of one ladder in order, carrying the volume of each period bucket
    (cents); add() gives what each line earns (`Earned`)."""

    __slots__ = ("terms", "volumes", "_gains")

    def __init__(self, terms: Units, volumes: dict[str, int] | None = None) -> None:
        self.terms = terms
        self.volumes: dict[str, int] = dict(volumes or {})
        self._gains: dict[str, tuple[int, int]] = {}  # bucket -> (tier, rounded G) at its volume

    def add(self, bucket: str, amount: int) -> Earned:
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
            retro = _round_div(
                (terms.rates[t_after] - terms.rates[t_before]) * (before if before < top else top), terms.unit
            )
        regular = rebate - retro
        inventory = _round_div(regular * terms.pct, terms.pct_unit) if terms.pct else 0
        return _earned((after, t_after + 1, rebate, retro, inventory))


def _places(value: Decimal) -> int:
    """Decimal places of an exact decimal (rates and percents are finite decimals)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite decimal: {value}")
    return max(0, -exponent)
