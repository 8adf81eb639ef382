"""Accrual at the expected tier (issue 15, item 6): a volume rebate recognised systematically
toward the milestone the buyer expects to reach. A ladder may carry an expected volume for its
period; at each month close an EXPECTED_TIER adjustment brings what the ladder's receipt lines
accrued in the period to date up (or down) to volume to date × the rate of the expected tier.
The adjustment is trued up at every close and reaches zero at the close of the month in which
the period ends; the receipt-line accruals of SPEC §5–§6 stay as they are. Pure rules."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from .ladder import LadderTerms
from .money import ZERO, cents


def expected_tier(terms: LadderTerms, expected_volume: Decimal) -> int:
    """The tier (1-based) the expected volume reaches."""
    return terms.tier_index(expected_volume) + 1


def expected_rate(terms: LadderTerms, expected_volume: Decimal) -> Decimal:
    """The rate (a fraction) of the tier the expected volume reaches."""
    return terms.tiers[expected_tier(terms, expected_volume) - 1].rate


def expected_adjustment(
    terms: LadderTerms, expected_volume: Decimal, volume: Decimal, accrued: Decimal, period_over: bool
) -> Decimal:
    """What the adjustment should stand at: round(volume × expected rate) − accrued, half-up;
    zero once the period is over (the receipt lines then hold what was earned)."""
    if period_over or volume == ZERO:
        return ZERO
    return cents(volume * expected_rate(terms, expected_volume)) - accrued


def adjustment_reference(ladder_key: str, bucket: str) -> str:
    """The journal reference of a ladder's adjustments in one period (at most 60 characters):
    a ladder key is long, so it is named by a digest."""
    digest = hashlib.sha256(ladder_key.encode()).hexdigest()[:16]
    return f"expected tier {digest} {bucket}".rstrip()
