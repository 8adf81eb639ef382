"""A grid's column filter (app.domain.filters) as a SQL condition on a column, so that what a
filter keeps is the same whether the rows are filtered in memory or read filtered.

Text is compared case-insensitively through `fold`: lower() on PostgreSQL, and on SQLite the
function app.adapters.db registers on every connection (Python's str.lower, which the rule
uses too; SQLite's own lower() folds ASCII letters only); a NULL text is the blank text, and
LIKE's wildcards in what the user typed are escaped (a `_` is an underscore)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import String, false, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import GenericFunction

from app.adapters.db import UNICODE_LOWER
from app.adapters.types import ScaledDecimal
from app.domain.filters import BETWEEN, CONTAINS, ColumnFilter


class fold(GenericFunction[str]):  # noqa: N801 - a SQL function's name
    """lower(text), as Python folds letters, on every database."""

    type = String()
    inherit_cache = True


@compiles(fold)
def _fold(element: fold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_sqlite(element: fold, compiler: Any, **kw: Any) -> str:
    return f"{UNICODE_LOWER}({compiler.process(element.clauses, **kw)})"


def filter_condition(column: ColumnElement[Any], f: ColumnFilter) -> ColumnElement[bool]:
    """The rows `f` keeps, as a condition on `column`."""
    if isinstance(f.value, bool):  # a blank is no, as in the rule
        return func.coalesce(column, False) == f.value
    if isinstance(f.value, str):
        text = fold(func.coalesce(column, ""))
        if f.op == CONTAINS:
            return text.contains(f.value, autoescape=True)
        return text == f.value
    value: Decimal = f.value
    if isinstance(column.type, ScaledDecimal):
        return _in_units(column, column.type, f.op, value, f.high)
    if f.op == BETWEEN:
        return column.between(value, f.high)
    return _compare(column, f.op, value)


def _compare(column: ColumnElement[Any], op: str, value: Decimal) -> ColumnElement[bool]:
    comparisons = {
        ">=": column >= value, "<=": column <= value, ">": column > value, "<": column < value, "=": column == value,
    }  # fmt: skip
    return comparisons.get(op, false())


def _in_units(
    column: ColumnElement[Any], kind: ScaledDecimal, op: str, value: Decimal, high: Decimal | None
) -> ColumnElement[bool]:
    """The comparison on a column of whole units of 10^-scale, at most max_units either way."""
    unit = Decimal(1).scaleb(-kind.scale)
    largest: Decimal = kind.max_units * unit

    def held(v: Decimal) -> Decimal:  # beyond either end acts as just past it (and stays quantizable)
        bounded: Decimal = min(max(v, -largest - 1), largest + 1)
        return bounded

    def up(v: Decimal) -> Decimal:  # the smallest stored value >= v
        return held(v).quantize(unit, rounding=ROUND_CEILING)

    def down(v: Decimal) -> Decimal:  # the largest stored value <= v
        return held(v).quantize(unit, rounding=ROUND_FLOOR)

    if op == BETWEEN:
        assert high is not None
        low, top = max(up(value), -largest), min(down(high), largest)
        return column.between(low, top) if low <= top else false()
    if op == "=":
        return column == value if abs(value) <= largest and up(value) == value else false()
    if op in (">", ">="):
        bound = up(value) if op == ">=" or up(value) != held(value) else up(value) + unit
        return false() if bound > largest else column >= max(bound, -largest)
    bound = down(value) if op == "<=" or down(value) != held(value) else down(value) - unit
    return false() if bound < -largest else column <= min(bound, largest)
