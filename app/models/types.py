"""Exact decimal columns on every database.

PostgreSQL stores NUMERIC(p, s). SQLite has no exact decimal type (SQLAlchemy's
Numeric goes through float there), so the value is stored as a scaled 64-bit
integer (cents for money): exact, and SUM() in SQL stays exact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ScaledDecimal(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int, precision: int = 18) -> None:
        super().__init__(precision, scale)
        self.scale = scale
        self.precision = precision
        self._unit = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("float is not allowed in a decimal column")
        value = Decimal(value)
        scaled = value.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        if dialect.name == "sqlite":
            return int(scaled)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):  # only an aggregate the engine turned into REAL
                raise TypeError("inexact aggregate over a decimal column")
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._unit)
        return Decimal(value).quantize(self._unit)

    def __repr__(self) -> str:
        return f"ScaledDecimal({self.scale}, {self.precision})"


def Money() -> ScaledDecimal:  # noqa: N802 - reads like a type
    return ScaledDecimal(2)


def Percent() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(4, 9)


def Quantity() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(4)
