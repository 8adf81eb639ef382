"""Where a tier chart's axis ends (the statement's chart and the agreement screen's):
plain Decimal arithmetic, without reportlab, so the screen does not load it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from app.domain.money import UNLIMITED, ZERO


def is_unlimited(amount: Decimal) -> bool:
    return amount >= UNLIMITED


def _nice_step(span: Decimal) -> Decimal:
    """A round tick step giving about five intervals over span (1, 2, 2.5 or 5 x 10^k)."""
    raw = span / 5
    power = Decimal(1).scaleb(raw.adjusted())
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def axis_end(thresholds: Sequence[Decimal], volume: Decimal) -> Decimal:
    """Where the axis stops: past the volume and the last finite threshold, never at 999,999,999.

    An unlimited last tier is shown to 1.5 x the last finite threshold (or past the volume).
    """
    finite = [t for t in thresholds if not is_unlimited(t)]
    volume = max(volume, ZERO)
    if finite and len(finite) == len(thresholds):
        end = max(finite[-1] * Decimal("1.1"), volume * Decimal("1.05"))
    elif finite:
        end = max(finite[-1] * Decimal("1.5"), volume * Decimal("1.1"))
    else:
        end = volume * Decimal("1.5")
    if end <= ZERO:
        end = Decimal(1000)
    step = _nice_step(end)
    return (end / step).to_integral_value(rounding=ROUND_CEILING) * step
