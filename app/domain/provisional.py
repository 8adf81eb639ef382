"""Provisional rates and waivers (SPEC §12), in one place.

A receipt line that no accepted ladder of a kind covers (COOP, DAMAGE, FREIGHT) accrues at
the provisional rate of its received date: `round(line amount × rate)` half-up per line (a
return the same amount negative), no tiers, no Product %, all to the kind's P&L role. A
`CAT1` rate beats an `ALL` rate; a waiver of the vendor and kind on that date means no
provisional rate. The engine (app.domain.accrual) treats a provisional rate as a flat
"ladder" without an agreement: `Provisional` answers what the engine asks a ladder (its key,
agreement, label) and what one line earns (`earned`).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .ladder import Earned, Ladder, Scope, _round_div
from .money import to_units
from .validation import Problem
from .vocabulary import ALL, PROVISIONAL_KINDS, PROVISIONAL_KINDS_TEXT, is_all

PROVISIONAL = "provisional"  # the first element of a provisional accrual's key
RATE_PLACES = 4  # a rate is a percent with up to four places
_RATE_UNIT = 100 * 10**RATE_PLACES  # cents × rate units / this = cents


@dataclass(frozen=True)
class ProvisionalRate:
    """One row of the company's table: kind, dates (both ends included), CAT1 code or ALL, percent."""

    kind: str
    start: date
    end: date
    cat1: str
    rate: Decimal

    @property
    def label(self) -> str:
        return f"{self.kind} {self.cat1} {self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class Waiver:
    """A vendor waived from a kind's provisional rate between two dates (both included)."""

    vendor_id: int
    kind: str
    start: date
    end: date


@dataclass(frozen=True)
class Provisional:
    """A provisional rate as the engine applies it: a flat ladder with no agreement."""

    kind: str
    cat1: str
    start: date
    end: date
    rate: Decimal  # percent
    key: str = field(init=False)
    units: int = field(init=False, repr=False)  # the rate in 1/10,000 of a percent
    agreement_id: None = None
    agreement_no: None = None

    def __post_init__(self) -> None:
        identity = [PROVISIONAL, self.kind, self.cat1, self.start.isoformat(), self.end.isoformat()]
        object.__setattr__(self, "key", json.dumps(identity, ensure_ascii=False, separators=(",", ":")))
        object.__setattr__(self, "units", to_units(self.rate, RATE_PLACES))

    @property
    def scope(self) -> Scope:
        return Scope.of(None, (self.cat1,))

    @property
    def label(self) -> str:
        """How journal memos and reports name it: `provisional 2.000% (ALL)`."""
        return f"provisional {shown_rate(self.rate)}% ({self.cat1})"

    def earned(self, amount: int) -> Earned:
        """What a line of `amount` cents earns: round half-up, away from zero for a return."""
        return Earned(0, 0, _round_div(amount * self.units, _RATE_UNIT), 0, 0)


def shown_rate(rate: Decimal) -> Decimal:
    """A provisional rate as shown: three decimals, four when it has four (0.0333 stays 0.0333)."""
    three = rate.quantize(Decimal("0.001"))
    return three if three == rate else rate.quantize(Decimal(1).scaleb(-RATE_PLACES))


def where(ladder: Ladder | Provisional, tier: int) -> str:
    """How a journal memo names what a line accrues under: `GYPSUM / ALL / ALL / ALL tier 2`,
    or `provisional 2.000% (ALL)`."""
    if isinstance(ladder, Provisional):
        return ladder.label
    return f"{ladder.scope.label} tier {tier}"


def is_provisional_key(ladder_key: str | None) -> bool:
    """Whether a stored accrual's key is a provisional rate's (not a ladder's)."""
    return ladder_key is not None and ladder_key.startswith(f'["{PROVISIONAL}"')


class ProvisionalTable:
    """The provisional rates and the waivers in force, asked per receipt line (SPEC §12)."""

    def __init__(self, rates: Iterable[ProvisionalRate] = (), waivers: Iterable[Waiver] = ()) -> None:
        self.rates: dict[str, list[Provisional]] = defaultdict(list)
        for r in sorted(rates, key=lambda r: (r.kind, r.cat1, r.start)):
            self.rates[r.kind].append(Provisional(r.kind, ALL if is_all(r.cat1) else r.cat1, r.start, r.end, r.rate))
        self.waivers: dict[tuple[int, str], list[tuple[date, date]]] = defaultdict(list)
        for w in waivers:
            self.waivers[(w.vendor_id, w.kind)].append((w.start, w.end))
        every = sorted((p.key, str(p.rate)) for kind_rates in self.rates.values() for p in kind_rates)
        self._digest = hashlib.sha256(repr(every).encode()).hexdigest()

    def __bool__(self) -> bool:
        return bool(self.rates)

    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in PROVISIONAL_KINDS if k in self.rates)

    def rate_for(self, vendor_id: int, kind: str, cat1: str | None, when: date) -> Provisional | None:
        """The provisional rate a line of the vendor, CAT1 and date gets under `kind`: the CAT1
        rate, else the ALL rate; None when there is none or the vendor is waived then."""
        found = None
        for p in self.rates.get(kind, ()):
            if p.start <= when <= p.end:
                if p.cat1 == cat1:
                    found = p
                    break
                if p.cat1 == ALL and found is None:
                    found = p
        if found is None:
            return None
        for start, end in self.waivers.get((vendor_id, kind), ()):
            if start <= when <= end:
                return None
        return found

    def covers(self, vendor_id: int, kind: str, cat1: str | None, when: date) -> bool:
        """Whether a line no ladder covers is accounted for under `kind`: a provisional rate
        applies, or the vendor is waived from the kind then (SPEC §16's audit)."""
        if self.rate_for(vendor_id, kind, cat1, when) is not None:
            return True
        return any(start <= when <= end for start, end in self.waivers.get((vendor_id, kind), ()))

    def fingerprint(self, vendor_id: int) -> str:
        """What of the table decides a vendor's accruals: every rate, and the vendor's waivers."""
        if not self.rates:
            return ""
        waived = sorted((k, sorted(v)) for (vid, k), v in self.waivers.items() if vid == vendor_id)
        return self._digest + repr(waived)


def rate_problems(label: str, rate: ProvisionalRate, others: Iterable[ProvisionalRate]) -> list[Problem]:
    """Why a provisional rate may not be saved beside `others` (SPEC §12, §3.3's style): a kind
    that has no provisional rate, dates out of order, a rate outside 0–100 or with more than four
    places, dates overlapping another rate of the same kind and CAT1."""
    out = []
    if rate.kind not in PROVISIONAL_KINDS:
        out.append(Problem(label, "kind", f"must be {PROVISIONAL_KINDS_TEXT} (got {rate.kind or 'blank'})"))
    if rate.start > rate.end:
        out.append(Problem(label, "to_date", f"{rate.end} is before from_date {rate.start}"))
    if not Decimal(0) <= rate.rate <= Decimal(100):
        out.append(Problem(label, "rate", f"must be between 0 and 100 (got {rate.rate})"))
    elif rate.rate != rate.rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        out.append(Problem(label, "rate", f"at most {RATE_PLACES} decimals (got {rate.rate})"))
    cat1 = ALL if is_all(rate.cat1) else rate.cat1
    for other in others:
        other_cat1 = ALL if is_all(other.cat1) else other.cat1
        if other.kind == rate.kind and other_cat1 == cat1 and other.start <= rate.end and rate.start <= other.end:
            out.append(
                Problem(
                    label, "from_date", f"overlaps the {rate.kind} rate for {cat1} from {other.start} to {other.end}"
                )
            )
            break
    return out


def waiver_problems(label: str, waiver: Waiver) -> list[Problem]:
    out = []
    if waiver.kind not in PROVISIONAL_KINDS:
        out.append(Problem(label, "kind", f"must be {PROVISIONAL_KINDS_TEXT} (got {waiver.kind or 'blank'})"))
    if waiver.start > waiver.end:
        out.append(Problem(label, "to_date", f"{waiver.end} is before from_date {waiver.start}"))
    return out
