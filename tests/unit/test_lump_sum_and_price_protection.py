"""SPEC §11.2 in the domain: the lump-sum schedule (example J) and the price-protection claim
(example K), with the validation of their terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.journal import UnbalancedEntry, balanced, claim_lines
from app.domain.ladder import Scope
from app.domain.lump_sum import LumpSum, cumulative, lump_sum_problems, month_accrual, schedule
from app.domain.price_protection import ProtectionScope, change_problems, claim, protecting
from app.domain.validation import LineDraft, Lookups, validate_agreement
from app.domain.vocabulary import ACCEPTED, INVENTORY, LUMP_SUM, PRICE_PROTECTION, REBATE_RECEIVABLE

D = Decimal
YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def test_example_j_schedule():
    months = schedule(D("12000.00"), *YEAR)
    assert [amount for _end, amount in months[:4]] == [D("1019.18"), D("920.55"), D("1019.17"), D("986.31")]
    assert [end for end, _a in months] == [
        date(2025, m, d) for m, d in zip(range(1, 13), (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), strict=True)
    ]
    assert sum(amount for _e, amount in months) == D("12000.00")
    assert month_accrual(D("12000.00"), *YEAR, 2025, 2) == D("920.55")


def test_cumulative_counts_both_ends_and_stops_at_the_dates():
    amount = D("12000.00")
    assert cumulative(amount, *YEAR, date(2024, 12, 31)) == 0
    assert cumulative(amount, *YEAR, date(2025, 1, 1)) == D("32.88")  # 12,000 / 365
    assert cumulative(amount, *YEAR, date(2025, 1, 31)) == D("1019.18")
    assert cumulative(amount, *YEAR, date(2025, 12, 31)) == amount
    assert cumulative(amount, *YEAR, date(2026, 6, 30)) == amount
    one_day = (date(2025, 3, 5), date(2025, 3, 5))
    assert schedule(D("100.00"), *one_day) == [(date(2025, 3, 31), D("100.00"))]


def test_a_schedule_across_years_adds_up():
    start, end = date(2025, 11, 15), date(2026, 2, 10)
    months = schedule(D("1000.01"), start, end)
    assert [e for e, _a in months] == [date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]
    assert sum(a for _e, a in months) == D("1000.01")
    assert months[0][1] == D("181.82")  # 16 of 88 days: 1000.01 x 16 / 88 = 181.82


def test_lump_sum_terms_refused_with_the_field_named():
    ok = LumpSum(D("12000.00"), *YEAR, "SC")
    assert lump_sum_problems("Agreement 1", ok) == []
    found = {(p.field, p.message) for p in lump_sum_problems("row 2", LumpSum(None, None, None, "XX"))}
    assert found == {
        ("Amount", "is required for a lump sum"),
        ("Start Date", "is required"),
        ("End Date", "is required"),
        ("M", "must be SC, NC or CD (got XX)"),
    }
    assert [str(p) for p in lump_sum_problems("row 2", LumpSum(D(0), *YEAR, "CD"))] == [
        "row 2, Amount: must be greater than 0 (got 0)"
    ]
    assert [p.field for p in lump_sum_problems("row 2", LumpSum(D("-5"), YEAR[1], YEAR[0], "CD"))] == [
        "Amount",
        "End Date",
    ]
    assert [p.message for p in lump_sum_problems("r", LumpSum(D("1.005"), *YEAR, "CD"))] == [
        "has more than 2 decimals (1.005)"
    ]


def test_example_k_claim():
    assert claim(D("10.00"), D("9.25"), D("120")) == D("90.00")
    assert claim(D("10.00"), D("10.50"), D("120")) == 0  # an increase never claims
    assert claim(D("10.00"), D("10.00"), D("120")) == 0
    assert claim(D("1.0005"), D("1.0000"), D("3")) == D("0.00")  # 0.0015 rounds half-up to 0.00
    assert claim(D("1.005"), D("1.000"), D("1")) == D("0.01")  # 0.005 rounds half-up
    lines = claim_lines(PRICE_PROTECTION, 9000, "memo")
    assert [(ln.role, ln.debit, ln.credit, ln.kind) for ln in lines] == [
        (REBATE_RECEIVABLE, 9000, 0, PRICE_PROTECTION),
        (INVENTORY, 0, 9000, PRICE_PROTECTION),
    ]
    with pytest.raises(UnbalancedEntry):
        balanced("x", lines[:1])


def test_the_most_precise_protecting_scope_wins_and_dates_count():
    cats = ("GYPSUM", "GYP-BOARD", "GYP-REG", "GYP-REG-HALF")
    scopes = [
        ProtectionScope(1, "1", Scope.of(None, ("ALL",)), *YEAR),
        ProtectionScope(2, "2", Scope.of(None, ("GYPSUM", "GYP-BOARD")), *YEAR),
        ProtectionScope(3, "3", Scope.of("GYP-HALF-4X8"), date(2025, 6, 1), date(2025, 6, 30)),
        ProtectionScope(4, "4", Scope.of(None, ("LUMBER",)), *YEAR),
    ]
    assert protecting(scopes, "GYP-HALF-4X8", cats, date(2025, 4, 1)).agreement_no == "2"  # type: ignore[union-attr]
    assert protecting(scopes, "GYP-HALF-4X8", cats, date(2025, 6, 30)).agreement_no == "3"  # type: ignore[union-attr]
    assert protecting(scopes, "OTHER", ("PAINT", None, None, None), date(2025, 4, 1)).agreement_no == "1"  # type: ignore[union-attr]
    assert protecting(scopes, "GYP-HALF-4X8", cats, date(2026, 1, 1)) is None


def test_price_change_values_refused():
    assert change_problems("row 2", D("9.25"), D("0")) == []
    found = [str(p) for p in change_problems("row 2", D("0"), D("-1"))]
    assert found == [
        "row 2, new_unit_cost: must be greater than 0 (got 0)",
        "row 2, on_hand: cannot be negative (got -1)",
    ]
    assert [p.field for p in change_problems("row 3", None, None)] == ["new_unit_cost", "on_hand"]
    assert [p.message for p in change_problems("r", D("1.00001"), D("1"))] == ["has more than 4 decimals (1.00001)"]


LOOKUPS = Lookups(categories={(1, "GYPSUM"): None}, products={"P1": ("V1", ("GYPSUM", None, None, None))})


def test_price_protection_lines_have_no_rates_or_maximum():
    ok = LineDraft(
        "Line 1", cats=("GYPSUM", None, None, None), max_amount=None, start=YEAR[0], end=YEAR[1], method="CD"
    )
    assert validate_agreement("V1", PRICE_PROTECTION, ACCEPTED, [ok], LOOKUPS) == []
    zero = LineDraft(
        "Line 2", product="P1", max_amount=D(0), start=YEAR[0], end=YEAR[1], rebates=(D(0), None, None, None)
    )
    assert validate_agreement("V1", PRICE_PROTECTION, ACCEPTED, [zero], LOOKUPS) == []
    bad = LineDraft(
        "row 2", cats=("GYPSUM", None, None, None), max_amount=D(1000), start=YEAR[1], end=YEAR[0],
        rebates=(D(2), None, None, None), method="XX", period="M",
    )  # fmt: skip
    found = {(p.record, p.field) for p in validate_agreement("V1", PRICE_PROTECTION, ACCEPTED, [bad], LOOKUPS)}
    assert found == {("row 2", "Maximum Amount"), ("row 2", "Rebate 1"), ("row 2", "End Date"), ("row 2", "M"),
                     ("row 2", "Period")}  # fmt: skip
    twice = validate_agreement(
        "V1", PRICE_PROTECTION, ACCEPTED, [ok, LineDraft(**{**ok.__dict__, "label": "Line 9"})], LOOKUPS
    )
    assert {(p.record, p.field) for p in twice} >= {("Line 9", "Start Date")}


def test_a_lump_sum_has_no_lines():
    line = LineDraft("row 2", cats=("GYPSUM", None, None, None), max_amount=D(1), start=YEAR[0], end=YEAR[1])
    assert [str(p) for p in validate_agreement("V1", LUMP_SUM, ACCEPTED, [line], LOOKUPS)] == [
        "row 2, Line: a lump sum has no lines: its amount, dates and M are on the agreement"
    ]
    assert validate_agreement("V1", LUMP_SUM, ACCEPTED, [], LOOKUPS) == []
