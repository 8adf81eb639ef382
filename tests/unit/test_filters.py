"""Issue 17: what a grid's column filter keeps (app.domain.filters)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.domain.filters import BETWEEN, CONTAINS, EQUAL, FLAG, NUMBER, ColumnFilter, FilterError, parse_filter


def keeps(typed: str, kind: str, cells: list[object]) -> list[object]:
    f = parse_filter(typed, kind)
    assert f is not None
    return [c for c in cells if f.matches(c)]


def test_text_is_contained_in_any_case_and_an_equals_sign_asks_for_exactly_it():
    cells = ["GYP-HALF-4X8", "gyp-other", "SPF-2X4-8", None, ""]
    assert keeps("gyp", "text", cells) == ["GYP-HALF-4X8", "gyp-other"]
    assert keeps("=GYP-OTHER", "text", cells) == ["gyp-other"]
    assert keeps("=", "text", cells) == [None, ""]  # a blank cell
    assert keeps("  x4  ", "text", cells) == ["SPF-2X4-8"]
    assert parse_filter("   ", "text") is None


def test_numbers_compare_and_ranges_keep_both_ends():
    cells = [D("1.00"), D("10.00"), D("10.50"), D("20.00"), None]
    assert keeps("10", NUMBER, cells) == [D("10.00")]
    assert keeps("=10.5", NUMBER, cells) == [D("10.50")]
    assert keeps(">10", NUMBER, cells) == [D("10.50"), D("20.00")]
    assert keeps(">=10", NUMBER, cells) == [D("10.00"), D("10.50"), D("20.00")]
    assert keeps("<10", NUMBER, cells) == [D("1.00")]
    assert keeps("<= 10", NUMBER, cells) == [D("1.00"), D("10.00")]
    assert keeps("10..20", NUMBER, cells) == [D("10.00"), D("10.50"), D("20.00")]
    assert keeps("1,000..2,000", NUMBER, [D("999.99"), D("1000"), D("2000.00")]) == [D("1000"), D("2000.00")]
    assert parse_filter("10..20", NUMBER) == ColumnFilter(BETWEEN, D("10"), D("20"))
    assert parse_filter(">=10", NUMBER) == ColumnFilter(">=", D("10"))


def test_yes_no_columns():
    assert keeps("y", FLAG, [True, False, None]) == [True]
    assert keeps("No", FLAG, [True, False, None]) == [False, None]
    assert parse_filter("true", FLAG) == ColumnFilter(EQUAL, True)


@pytest.mark.parametrize(
    ("typed", "kind", "message"),
    [
        ("abc", NUMBER, "'abc' is not a number"),
        (">x", NUMBER, "'x' is not a number"),
        ("20..10", NUMBER, "'20..10': the lower end comes first"),
        ("..10", NUMBER, "'' is not a number"),
        ("nan", NUMBER, "'nan' is not a number"),
        ("maybe", FLAG, "'maybe': type Y or N"),
    ],
)
def test_a_filter_that_cannot_be_read_says_why(typed, kind, message):
    with pytest.raises(FilterError) as caught:
        parse_filter(typed, kind)
    assert str(caught.value) == message


def test_text_filters_are_kept_folded():
    assert parse_filter("GyP", "text") == ColumnFilter(CONTAINS, "gyp")
