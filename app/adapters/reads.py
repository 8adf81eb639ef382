"""Reads of many typed rows without SQLAlchemy's per-cell conversion.

A Core select returns every cell through its column type's result processor (on SQLite a
ScaledDecimal's integer becomes a Decimal, an ISO text a date). For thousands of rows whose
values repeat (an agreement of 5,000 lines has a few hundred distinct amounts, rates and
dates), the driver's values are read as they are and each column is converted by its type's
own processor once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Dialect, FromClause, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from app.adapters.bulk import by_distinct_value


def result_converter(column: ColumnElement[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would do to a value the driver returned for `column`: the column
    type's own result conversion (None: the driver's value as it is)."""
    convert: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).result_processor(dialect, None)
    return convert


def typed_rows(
    session: Session, columns: Sequence[ColumnElement[Any]], source: FromClause, *where: ColumnElement[bool]
) -> list[tuple[Any, ...]]:
    """The columns of the rows of source that match where, as tuples of typed values (as a
    Core select would return them), each column converted once per distinct value."""
    dialect = session.get_bind().dialect
    converters = [result_converter(c, dialect) for c in columns]
    raw = [c if convert is None else type_coerce(c, NullType()) for c, convert in zip(columns, converters, strict=True)]
    stored = session.execute(select(*raw).select_from(source).where(*where)).all()
    return by_distinct_value(stored, [(i, convert) for i, convert in enumerate(converters) if convert is not None])
