"""An accepted agreement's ladders must not overlap another accepted agreement's ladder of the
same scope (SPEC §3.3). The other ladders arrive keyed by Scope.key, a tuple of codes, and the
check must find them under the same key as the ladders being saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.ladder import Scope
from app.domain.validation import LineDraft, Lookups, OtherLadder, Problem, validate_agreement
from app.domain.vocabulary import ACCEPTED, VOLUME

CATS = {(1, "A/B"): None, (2, "C"): "A/B"}
PRODUCTS = {"P-1": ("V100", ("A/B", "C", None, None))}


def draft(product: str | None = None, cats: tuple[str | None, ...] = ()) -> LineDraft:
    padded = (*cats, None, None, None, None)[:4]
    return LineDraft(
        label="row 2",
        product=product,
        cats=(padded[0], padded[1], padded[2], padded[3]),
        max_amount=Decimal("1000"),
        start=date(2026, 6, 1),
        end=date(2027, 5, 31),
        rebates=(Decimal("2"), None, None, None),
    )


def other(scope: Scope, start: date = date(2026, 1, 1), end: date = date(2026, 12, 31)) -> OtherLadder:
    return OtherLadder("A-7", scope.key, start, end)


def problems(line: LineDraft, *others: OtherLadder) -> list[Problem]:
    return validate_agreement("V100", VOLUME, ACCEPTED, [line], Lookups(CATS, PRODUCTS, others))


OVERLAP = Problem(
    "row 2", "Start Date", "overlaps the ladder 2026-01-01..2026-12-31 with the same scope in accepted agreement A-7"
)


def test_a_group_ladder_overlapping_another_agreement_of_the_same_scope_is_refused() -> None:
    # Typed with blanks and "all"; the other ladder was stored with ALL: one scope.
    line = draft(cats=("A/B", "C", "all", ""))
    assert problems(line, other(Scope.of(None, ("A/B", "C", "ALL", "ALL")))) == [OVERLAP]


def test_a_product_ladder_overlapping_another_agreement_of_the_same_product_is_refused() -> None:
    assert problems(draft(product="P-1"), other(Scope.of("P-1"))) == [OVERLAP]


def test_other_scopes_and_other_dates_do_not_overlap() -> None:
    line = draft(cats=("A/B", "C"))
    assert problems(line, other(Scope.of(None, ("A/B",)))) == []  # a wider group is another scope
    assert problems(line, other(Scope.of("P-1"))) == []  # a product inside the group, too
    assert problems(line, other(Scope.of(None, ("A/B", "C")), date(2025, 1, 1), date(2026, 5, 31))) == []
    # Two other agreements overlapping each other are not this save's business.
    earlier = other(Scope.of(None, ("A/B", "C")), date(2025, 6, 1), date(2026, 2, 1))
    assert problems(line, other(Scope.of(None, ("A/B", "C"))), earlier) == [OVERLAP]
