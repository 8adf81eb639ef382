"""Agreement validation (SPEC §3.3): returns every problem at once, raises nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .ladder import Scope, scope_cats
from .limits import MAX_AMOUNT_MAX, limit_text
from .money import HUNDRED, UNLIMITED, ZERO, decimal_places
from .vocabulary import (
    ACCEPTED,
    ALL,
    DEFAULT_METHOD,
    KIND_NAMES,
    KINDS,
    KINDS_TEXT,
    LUMP_SUM,
    METHODS,
    PERIODIC,
    PERIODS,
    PRICE_PROTECTION,
    STATUSES,
    one_of,
)

CAT_FIELDS = ("CAT1", "CAT2", "CAT3", "CAT4")
REBATE_FIELDS = ("Rebate 1", "Rebate 2", "Rebate 3", "Rebate 4")
# A ladder of the agreement being saved: its scope (Scope.key, a tuple of codes), start and end.
LadderId = tuple[tuple[str, ...], date | None, date | None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which record, which field, what."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.record}, {self.field}" if self.field else self.record
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class LineDraft:
    """An agreement line as typed by a user or read from a file (values already parsed)."""

    label: str
    line_no: int | None = None
    product: str | None = None
    cats: tuple[str | None, str | None, str | None, str | None] = (None, None, None, None)
    max_amount: Decimal | None = None
    start: date | None = None
    end: date | None = None
    rebates: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None] = (
        None,
        None,
        None,
        None,
    )
    method: str | None = DEFAULT_METHOD
    degressive: bool = False
    retro: bool = False
    product_pct: Decimal | None = ZERO
    period: str | None = None

    def scope(self) -> Scope:
        return Scope.of(self.product, self.cats)

    def ladder_id(self) -> LadderId:
        return (self.scope().key, self.start, self.end)


@dataclass(frozen=True)
class OtherLadder:
    """A ladder of another accepted agreement of the same vendor and kind."""

    agreement_no: str
    scope_key: tuple[str, ...]
    start: date
    end: date


@dataclass
class Lookups:
    """What validation needs to know about the database."""

    categories: Mapping[tuple[int, str], str | None]  # (level, code) -> parent code
    products: Mapping[str, tuple[str, tuple[str | None, ...]]]  # code -> (vendor, cats)
    other_ladders: Sequence[OtherLadder] = field(default_factory=tuple)


def _check_percent(value: Decimal | None, label: str, name: str, out: list[Problem]) -> None:
    if value is None:
        return
    if value < ZERO or value > HUNDRED:
        out.append(Problem(label, name, f"must be between 0 and 100 (got {value})"))
    elif decimal_places(value) > 4:
        out.append(Problem(label, name, f"has more than 4 decimals ({value})"))


def validate_scope(line: LineDraft, vendor: str, lookups: Lookups, out: list[Problem]) -> None:
    label = line.label
    if line.product:
        info = lookups.products.get(line.product)
        if info is None:
            out.append(Problem(label, "Product", f"product {line.product} does not exist"))
        elif info[0] != vendor:
            out.append(
                Problem(
                    label,
                    "Product",
                    f"product {line.product} belongs to vendor {info[0]}, not {vendor}",
                )
            )
        return
    cats = scope_cats(tuple(line.cats))
    seen_all = False
    parent: str | None = None
    for level, code in enumerate(cats, start=1):
        name = CAT_FIELDS[level - 1]
        if code == ALL:
            seen_all = True
            continue
        if seen_all:
            out.append(Problem(label, name, f"{code} after ALL: ALL may only end the category chain"))
            continue
        key = (level, code)
        if key not in lookups.categories:
            out.append(Problem(label, name, f"category {code} does not exist at level {level}"))
            parent = None
            continue
        if level > 1 and parent is not None and lookups.categories[key] != parent:
            out.append(
                Problem(
                    label,
                    name,
                    f"category {code} does not belong to {CAT_FIELDS[level - 2]} {parent}",
                )
            )
        parent = code


def validate_line(line: LineDraft, kind: str, ladder_size: int, out: list[Problem]) -> None:
    _check_max_amount(line, out)
    _check_dates(line, out)
    _check_rates(line, ladder_size, out)
    _check_terms(line, kind, out)


def _check_max_amount(line: LineDraft, out: list[Problem]) -> None:
    label, value = line.label, line.max_amount
    if value is None:
        out.append(Problem(label, "Maximum Amount", "is required"))
    elif value <= ZERO:
        out.append(Problem(label, "Maximum Amount", f"must be greater than 0 (got {value})"))
    elif decimal_places(value) > 2:
        out.append(Problem(label, "Maximum Amount", "has more than 2 decimals"))
    elif value > MAX_AMOUNT_MAX:
        out.append(
            Problem(
                label,
                "Maximum Amount",
                f"is too large (got {value}; at most {limit_text(MAX_AMOUNT_MAX)}, and {UNLIMITED:,} means unlimited)",
            )
        )


def _check_dates(line: LineDraft, out: list[Problem]) -> None:
    if line.start is None:
        out.append(Problem(line.label, "Start Date", "is required"))
    if line.end is None:
        out.append(Problem(line.label, "End Date", "is required"))
    if line.start and line.end and line.start > line.end:
        out.append(Problem(line.label, "End Date", f"{line.end} is before the start date {line.start}"))


def _check_rates(line: LineDraft, ladder_size: int, out: list[Problem]) -> None:
    label = line.label
    for value, name in zip(line.rebates, REBATE_FIELDS, strict=True):
        _check_percent(value, label, name, out)
    entered = [r for r in line.rebates if r is not None]
    if not any(r > ZERO for r in entered) and ladder_size < 2:
        out.append(
            Problem(
                label,
                "Rebate 1",
                "enter at least one rebate greater than 0 (a zero rate is only allowed as a tier of a ladder)",
            )
        )
    if line.degressive and len(entered) < 2:
        out.append(Problem(label, "Deg", "degressive needs two or more rebates"))
    if line.product_pct is None:
        out.append(Problem(label, "Product %", "is required (0 to 100)"))
    else:
        _check_percent(line.product_pct, label, "Product %", out)


def _check_terms(line: LineDraft, kind: str, out: list[Problem]) -> None:
    label = line.label
    if line.method not in METHODS:
        out.append(Problem(label, "M", f"must be {one_of(METHODS)} (got {line.method or 'blank'})"))
    if kind == PERIODIC:
        if line.period not in PERIODS:
            out.append(Problem(label, "Period", f"must be {one_of(PERIODS)} (got {line.period or 'blank'})"))
    elif line.period:
        out.append(Problem(label, "Period", f"only {KIND_NAMES[PERIODIC]} agreements have a period"))


def _check_protection(line: LineDraft, out: list[Problem]) -> None:
    """A PRICE_PROTECTION line (SPEC §11.2, §18): a scope, dates and M; no Maximum Amount, no
    rates, no Product %, Deg, Retro or period (a blank or 0 reads as none)."""
    label = line.label
    if line.max_amount:
        out.append(Problem(label, "Maximum Amount", f"a price-protection line has no maximum (got {line.max_amount})"))
    for value, name in zip(line.rebates, REBATE_FIELDS, strict=True):
        if value:
            out.append(Problem(label, name, f"a price-protection line has no rates (got {value})"))
    if line.product_pct:
        out.append(Problem(label, "Product %", f"a price-protection line has no Product % (got {line.product_pct})"))
    for flag, name in ((line.degressive, "Deg"), (line.retro, "Retro")):
        if flag:
            out.append(Problem(label, name, "a price-protection line has no rates: leave it N"))
    _check_terms(line, PRICE_PROTECTION, out)


def validate_agreement(
    vendor: str,
    kind: str,
    status: str,
    lines: Sequence[LineDraft],
    lookups: Lookups,
) -> list[Problem]:
    out: list[Problem] = []
    if kind not in KINDS:
        out.append(Problem("Agreement", "Kind", f"must be {KINDS_TEXT} (got {kind})"))
        return out
    if status not in STATUSES:
        out.append(Problem("Agreement", "Status", f"must be {one_of(STATUSES)} (got {status})"))
    ladders: dict[LadderId, list[LineDraft]] = defaultdict(list)
    for line in lines:
        ladders[line.ladder_id()].append(line)
    if kind == LUMP_SUM:  # its terms are on the agreement (app.domain.lump_sum)
        out.extend(
            Problem(line.label, "Line", "a lump sum has no lines: its amount, dates and M are on the agreement")
            for line in lines
        )
        return out
    for line in lines:
        validate_scope(line, vendor, lookups, out)
        if kind == PRICE_PROTECTION:
            _check_dates(line, out)
            _check_protection(line, out)
        else:
            validate_line(line, kind, len(ladders[line.ladder_id()]), out)
    for members in ladders.values():
        if kind == PRICE_PROTECTION:
            out.extend(
                Problem(line.label, "Start Date", f"{members[0].label} has the same scope and dates")
                for line in members[1:]
            )
        else:
            _validate_ladder(members, out)
    if status == ACCEPTED:
        _validate_overlaps(ladders, lookups.other_ladders, out)
    return out


def _validate_ladder(members: list[LineDraft], out: list[Problem]) -> None:
    if len(members) < 2:
        return
    first = members[0]
    seen: dict[Decimal, str] = {}
    for line in members:
        if line.max_amount is not None:
            if line.max_amount in seen:
                out.append(
                    Problem(
                        line.label,
                        "Maximum Amount",
                        f"tiers of a ladder need strictly increasing maximum amounts; "
                        f"{line.max_amount} is also on {seen[line.max_amount]}",
                    )
                )
            else:
                seen[line.max_amount] = line.label
        for name, attr in (("Retro", "retro"), ("M", "method"), ("Product %", "product_pct"), ("Period", "period")):
            if getattr(line, attr) != getattr(first, attr):
                out.append(
                    Problem(
                        line.label,
                        name,
                        f"every tier of a ladder has the same {name} ({getattr(first, attr)} on {first.label})",
                    )
                )


def _validate_overlaps(
    ladders: Mapping[LadderId, list[LineDraft]],
    others: Sequence[OtherLadder],
    out: list[Problem],
) -> None:
    """Ladders with the same scope must not overlap in dates (sorted sweep per scope)."""
    by_scope: dict[tuple[str, ...], list[tuple[date, date, str, str | None]]] = defaultdict(list)
    for (scope, start, end), members in ladders.items():
        if start is not None and end is not None and start <= end:
            by_scope[scope].append((start, end, members[0].label, None))
    for other in others:
        if other.scope_key in by_scope:
            by_scope[other.scope_key].append((other.start, other.end, "", other.agreement_no))
    for spans in by_scope.values():
        spans.sort(key=lambda s: (s[0], s[1]))
        for i, (start, end, label, agreement_no) in enumerate(spans):
            for start2, end2, label2, agreement_no2 in spans[i + 1 :]:
                if start2 > end:
                    break
                if agreement_no is not None and agreement_no2 is not None:
                    continue  # two other agreements: not this save's business
                mine, theirs = (
                    (label, (start2, end2, label2, agreement_no2))
                    if agreement_no is None
                    else (label2, (start, end, label, agreement_no))
                )
                if theirs[3] is None:
                    out.append(
                        Problem(
                            label2,
                            "Start Date",
                            f"ladder {start2}..{end2} overlaps the ladder {start}..{end} "
                            f"of {label} with the same scope",
                        )
                    )
                else:
                    out.append(
                        Problem(
                            mine,
                            "Start Date",
                            f"overlaps the ladder {theirs[0]}..{theirs[1]} with the same scope "
                            f"in accepted agreement {theirs[3]}",
                        )
                    )
