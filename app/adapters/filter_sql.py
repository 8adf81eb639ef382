"""A grid's column filter (app.domain.filters) as a SQL condition on a column, so that what a
filter keeps is the same whether the rows are filtered in memory or read filtered.

Text is compared case-insensitively through lower() (SQLite's lower() folds ASCII letters
only, so an accented capital matches only its own case there); a NULL text is the blank
text, and LIKE's wildcards in what the user typed are escaped (a `_` is an underscore)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import false, func
from sqlalchemy.sql.elements import ColumnElement

from app.domain.filters import BETWEEN, CONTAINS, ColumnFilter


def filter_condition(column: ColumnElement[Any], f: ColumnFilter) -> ColumnElement[bool]:
    """The rows `f` keeps, as a condition on `column`."""
    if isinstance(f.value, bool):
        return column == f.value
    if isinstance(f.value, str):
        text = func.lower(func.coalesce(column, ""))
        if f.op == CONTAINS:
            return text.contains(f.value, autoescape=True)
        return text == f.value
    value: Decimal = f.value
    if f.op == BETWEEN:
        return column.between(value, f.high)
    comparisons = {
        ">=": column >= value, "<=": column <= value, ">": column > value, "<": column < value, "=": column == value,
    }  # fmt: skip
    return comparisons.get(f.op, false())
