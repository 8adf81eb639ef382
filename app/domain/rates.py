"""Result of an agreement line (SPEC §4.1): additive or degressive sum of rebates."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .money import HUNDRED, ZERO, round_to


def line_result(rebates_pct: Iterable[Decimal | None], degressive: bool) -> Decimal:
    """Exact combined rate as a fraction (2% -> 0.02). Blank rebates are skipped."""
    rates = [r / HUNDRED for r in rebates_pct if r is not None]
    if not degressive:
        return sum(rates, ZERO)
    total = ZERO
    taken = ZERO
    for rate in rates:
        total += rate * (1 - taken)
        taken += rate
    return total


def result_percent(result: Decimal) -> Decimal:
    """Result shown as a percent with three decimals, half-up (0.049125 -> 4.913)."""
    return round_to(result * HUNDRED, 3)
