"""The one place that owns money: exact decimals and the half-up cent rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
UNLIMITED = Decimal("999999999.00")


def D(value: object) -> Decimal:
    """Exact decimal from str/int/Decimal. Floats are refused: they are not exact."""
    if isinstance(value, float):
        raise TypeError("float is not allowed for money or rates; pass a str or Decimal")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("bool is not a decimal")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return result
    raise TypeError(f"cannot make a decimal from {type(value).__name__}")


def to_units(value: object, scale: int) -> int:
    """value as an exact integer of 10^-scale units (cents for scale 2); floats and values
    with more decimals are refused, never rounded."""
    if type(value) is not Decimal:
        if isinstance(value, float):
            raise TypeError("float is not allowed in a decimal column")
        value = Decimal(value)  # type: ignore[arg-type]
    shifted = value.scaleb(scale)
    whole = int(shifted)
    if whole != shifted:
        raise ValueError(f"{value} has more than {scale} decimals")
    return whole


def cents(value: Decimal) -> Decimal:
    """Round to the cent, half-up (the single rounding policy of the application)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def fmt_money(value: Decimal) -> str:
    return f"{cents(value):,.2f}"


def units_text(units: int, scale: int) -> str:
    """An integer of 10^-scale units as messages show it: 1,234.56 (cents), 2,000,000.0000 (scale 4)."""
    return f"{Decimal(units).scaleb(-scale):,}"
