"""Exact decimal columns on every database.

PostgreSQL stores NUMERIC(p, s). SQLite has no exact decimal type (SQLAlchemy's
Numeric goes through float there), so the value is stored as a scaled 64-bit
integer (cents for money): exact, and SUM() in SQL stays exact. A column holds, on
both, at most `max_units` units; app.domain.limits sizes the inputs to that.

Instants (UtcDateTime) are stored in UTC on every database and read back as aware
UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Numeric, String, cast, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.domain.money import to_units

INT64_MAX = 2**63 - 1  # SQLite's INTEGER


def from_units(value: Any, places: int) -> Decimal:
    """The Decimal of a stored integer (exponent = places, so 0 reads 0.00)."""
    if type(value) is not int:
        if isinstance(value, float):  # only an aggregate the engine turned into REAL
            raise TypeError("inexact aggregate over a decimal column")
        value = int(value)
    return Decimal(value).scaleb(places)


def stored_units(expr: Any, scale: int, dialect: Dialect) -> ColumnElement[int]:
    """expr (a decimal column, or a SUM of one) read as an integer of 10^-scale units:
    SQLite's stored integer as it is, PostgreSQL's NUMERIC shifted and cast (exact)."""
    if dialect.name == "sqlite":
        return type_coerce(expr, BigInteger)
    return cast(expr * (10**scale), BigInteger)


class ScaledDecimal(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int, precision: int = 18) -> None:
        super().__init__(precision, scale)
        self.scale = scale
        self.precision = precision
        self._unit = Decimal(1).scaleb(-scale)
        # The largest |value| in 10^-scale units that every database holds: NUMERIC(p, s)
        # holds 10^p - 1 of them, SQLite's 64-bit integer 2^63 - 1 (19 digits).
        self.max_units = min(10**precision - 1, INT64_MAX)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        whole = to_units(value, self.scale)  # refuses floats and extra decimals on every database
        if dialect.name == "sqlite":
            return whole
        return value if type(value) is Decimal else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return from_units(value, -self.scale)
        return Decimal(value).quantize(self._unit)

    # The processors SQLAlchemy (and app.adapters.bulk) call per value: the same conversions
    # as above, without the per-call dialect test, since posting and reports convert millions.
    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        scale = self.scale

        def process(value: Any) -> int | None:
            return None if value is None else to_units(value, scale)

        return process

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            # The driver returns NUMERIC as Decimal already (Numeric's own processor would
            # only look at the cursor's type code): quantized to the column's scale.
            unit = self._unit

            def quantized(value: Any) -> Decimal | None:
                return None if value is None else Decimal(value).quantize(unit)

            return quantized
        places = -self.scale

        def process(value: Any) -> Decimal | None:
            return None if value is None else from_units(value, places)

        return process

    def __repr__(self) -> str:
        return f"ScaledDecimal({self.scale}, {self.precision})"


def Money() -> ScaledDecimal:  # noqa: N802 - reads like a type
    return ScaledDecimal(2)


def Percent() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(4, 9)


def Quantity() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(4)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC and read back as an aware UTC datetime.

    SQLite has no time zones: SQLAlchemy stores the wall-clock digits and drops the zone,
    so an instant must be turned to UTC before it is stored, or a local time would be
    read back as UTC (and comparisons in SQL would be off by the offset). PostgreSQL's
    timestamptz returns the session's zone: turned to UTC too, so both read alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:  # which zone a naive time is in is a guess: refused
            raise ValueError(f"an instant needs a time zone: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value  # DateTime's own processor has made it a datetime
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)

    def __repr__(self) -> str:
        return "UtcDateTime()"


# Running totals (a ladder's volume, a product's received quantity and net) grow with every
# posted line: 19 digits on PostgreSQL, so that both databases hold the same 2^63 - 1 units
# (migration 0009; app.domain.limits says why no accepted input reaches that).
def MoneyTotal() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(2, 19)


def QuantityTotal() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(4, 19)


def KindName() -> TypeEngine[str]:  # noqa: N802
    """An agreement kind or a journal source: up to 20 characters (PRICE_PROTECTION). SQLite
    databases keep the VARCHAR(10) their tables were made with (migration 0014): SQLite does
    not enforce a VARCHAR's length, and changing the declaration would copy the journal."""
    return String(20).with_variant(String(10), "sqlite")
