"""Accrual at the expected tier (issue 15, item 6) on example C's ladder (0 % to 50,000, 2 % to
100,000, 3 % above, Retro) with an expected volume of 110,000."""

from __future__ import annotations

from decimal import Decimal

from app.domain.expected_tier import adjustment_reference, expected_adjustment, expected_rate, expected_tier
from app.domain.ladder import LadderTerms, Tier

D = Decimal
C = LadderTerms(tiers=(Tier(D(50000), D(0)), Tier(D(100000), D("0.02")), Tier(D(999999999), D("0.03"))), retro=True)


def test_example_c_first_receipt_and_period_end():
    assert (expected_tier(C, D(110000)), expected_rate(C, D(110000))) == (3, D("0.03"))
    # after the first receipt of 30,000 (tier 1, 0 % accrued): 30,000 × 3 %
    assert expected_adjustment(C, D(110000), D(30000), D(0), False) == D("900.00")
    # after 60,000 (50,000 at 0 %, then retro to 2 % at 60,000: 1,200.00 accrued)
    assert expected_adjustment(C, D(110000), D(60000), D("1200.00"), False) == D("600.00")
    # at 110,000 the lines accrued 3 % on all of it themselves: nothing to add
    assert expected_adjustment(C, D(110000), D(110000), D("3300.00"), False) == D("0.00")
    # the period is over: zero, whatever was accrued
    assert expected_adjustment(C, D(110000), D(60000), D("1200.00"), True) == D(0)


def test_an_expected_volume_in_a_lower_tier_can_lower_the_accrual():
    assert (expected_tier(C, D(40000)), expected_rate(C, D(40000))) == (1, D(0))
    assert expected_adjustment(C, D(75000), D(110000), D("3300.00"), False) == D("-1100.00")


def test_references_fit_the_journal():
    ref = adjustment_reference('[1,["G","GYPSUM","ALL","ALL","ALL"],"2026-01-01","2026-12-31"]' * 5, "2026-Q1")
    assert len(ref) <= 60 and ref.endswith(" 2026-Q1")
    assert adjustment_reference("k", "") == "expected tier " + adjustment_reference("k", "").split()[2]
