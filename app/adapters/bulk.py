"""Bulk writes at the driver's own speed, inside the session's transaction.

Posting and re-rating write millions of journal rows. SQLAlchemy's executemany spends most
of its time building parameter dictionaries; here the rows are plain tuples, converted with
the columns' own bind processors (so SQLite gets the same scaled integers and date strings
as through the ORM) and handed to the driver: `sqlite3.executemany` on SQLite, `COPY` on
PostgreSQL. Same connection, same transaction: a failure rolls everything back.

Lists of keys (`IN (...)`) go in slices (`slices`): PostgreSQL's protocol counts a
statement's parameters in 16 bits (at most 65,535) and SQLite allows 32,766 in its default
build, so an import of 120,000 slips cannot name them all in one statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import partial
from itertools import islice
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import Date, Row, Select, String, Table, text
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeEngine

from app.adapters.types import ScaledDecimal, from_units

from .planner import index_lookups

# A date as SQLAlchemy stores it on SQLite (its DATE storage format is ISO 8601), done by the
# driver in C. Registered explicitly: Python 3.12 deprecates the implicit default adapter.
sqlite3.register_adapter(date, date.isoformat)

T = TypeVar("T")
Rows = Sequence[Sequence[Any]]  # tuples in the order of the columns they go with
TypeT = TypeVar("TypeT", bound=TypeEngine[Any])
Ts = TypeVarTuple("Ts")
# Keys per IN list: far below both backends' limits on parameters, and large enough that a
# slice costs one round trip per 5,000 keys.
KEYS_PER_STATEMENT = 5000
# Tables whose ids are numbered gap-free from a counter row (BulkWriter.next_numbers), by the
# name of their number series; the column's own default (a sequence) is never used for them.
NUMBERED = {"journal_entry": "journal_entry"}


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Table of a mapped class (declarative typing only promises a FromClause)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a Table")
    return table


def column_type(model: type[DeclarativeBase], column: str, kind: type[TypeT]) -> TypeT:
    """The type of a mapped class's column, checked to be a kind (String, ScaledDecimal...),
    for its parameters (a String's length, a ScaledDecimal's max_units)."""
    found = table_of(model).c[column].type
    if not isinstance(found, kind):
        raise TypeError(f"{model.__name__}.{column} is {type(found).__name__}, not {kind.__name__}")
    return found


def string_length(model: type[DeclarativeBase], column: str) -> int:
    """The most characters a mapped class's String column holds."""
    length = column_type(model, column, String).length
    if length is None:
        raise TypeError(f"{model.__name__}.{column} has no length")
    return length


def slices(values: Iterable[T], size: int = KEYS_PER_STATEMENT) -> Iterator[list[T]]:
    """The values in lists of at most size, in their order (sort them first where the
    statements lock rows: one order for every transaction)."""
    it = iter(values)
    while part := list(islice(it, size)):
        yield part


def rows_in(
    session: Session,
    query: Select[*Ts],
    column: Any,
    values: Iterable[Any],
    size: int = KEYS_PER_STATEMENT,
) -> list[Row[*Ts]]:
    """The rows of query where column (a mapped attribute or a Column) is one of values, a
    slice of the values per statement."""
    return [row for part in slices(values, size) for row in session.execute(query.where(column.in_(part)))]


def by_distinct_value(rows: Rows, procs: Sequence[tuple[int, Callable[[Any], Any]]]) -> list[tuple[Any, ...]]:
    """The rows with column i converted by proc, for each (i, proc): column by column, each
    distinct value once (amounts, dates and stamps repeat), the rest by zip and map in C.
    None stays None."""
    if not rows:
        return []
    cols = list(zip(*rows, strict=True))
    for i, proc in procs:
        done = {value: proc(value) for value in set(cols[i]) if value is not None}
        done[None] = None
        cols[i] = tuple(map(done.__getitem__, cols[i]))
    return list(zip(*cols, strict=True))


def _each(template: str, columns: Sequence[str], sep: str = ", ") -> str:
    """template ({c} standing for the column's name) for each column, joined by sep: the
    SET lists and key conditions of the statements below."""
    return sep.join(template.format(c=c) for c in columns)


def _copy(cursor: Any, into: str, columns: Sequence[str], data: Iterable[Sequence[Any]]) -> None:
    """COPY the rows into a table (PostgreSQL), through an open cursor."""
    with cursor.copy(f"COPY {into} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in data:
            copy.write_row(row)


# (table name, columns, units, stored): see BulkWriter._processors.
_ProcKey = tuple[str, tuple[str, ...], bool, tuple[str, ...]]


class BulkWriter:
    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.dialect = connection.dialect
        self.sqlite = self.dialect.name == "sqlite"
        self.raw: Any = connection.connection.driver_connection
        self.session = session
        self.mark = "?" if self.sqlite else "%s"
        self._procs: dict[_ProcKey, list[tuple[int, Callable[[Any], Any]]]] = {}

    def stored(self, table: Table, column: str, value: Any) -> Any:
        """A value as the driver receives it for the column (pass its column in `stored`)."""
        proc = table.c[column].type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return value if proc is None or value is None else proc(value)

    def _processors(
        self, table: Table, columns: Sequence[str], units: bool = False, stored: tuple[str, ...] = ()
    ) -> list[tuple[int, Callable[[Any], Any]]]:
        """(index, converter) per column that needs one. units: the decimal columns carry the
        integers SQLite stores (ScaledDecimal units), so SQLite takes them as they are;
        stored: columns whose values come converted already (BulkWriter.stored)."""
        key: _ProcKey = (table.name, tuple(columns), units, stored)
        procs = self._procs.get(key)
        if procs is None:
            procs = []
            for i, name in enumerate(columns):
                if name in stored:
                    continue
                column_type = table.c[name].type
                if units and isinstance(column_type, ScaledDecimal):
                    if not self.sqlite:
                        procs.append((i, partial(from_units, places=-column_type.scale)))
                    continue
                if self.sqlite and type(column_type) is Date:  # sqlite3 adapts it (below): YYYY-MM-DD
                    continue
                proc = column_type.dialect_impl(self.dialect).bind_processor(self.dialect)
                if proc is not None:
                    procs.append((i, proc))
            self._procs[key] = procs
        return procs

    def _converted(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Rows,
        units: bool = False,
        stored: tuple[str, ...] = (),
    ) -> Iterable[Sequence[Any]]:
        procs = self._processors(table, columns, units, stored)
        if procs:
            return by_distinct_value(rows, procs)
        if rows and type(rows[0]) is not tuple:
            # Named rows (NamedTuple) as plain tuples: sqlite3 binds an exact tuple by index and
            # any other sequence item by item, half again as slow (measured on 200,000 rows).
            return list(map(tuple, rows))
        return rows

    def insert(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Rows,
        units: bool = False,
        stored: tuple[str, ...] = (),
    ) -> None:
        """INSERT the rows (tuples in column order, Python values; see _processors for units
        and stored)."""
        if not rows:
            return
        data = self._converted(table, columns, rows, units, stored)
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", data)
            return
        with self.raw.cursor() as cur:
            _copy(cur, table.name, columns, data)

    def upsert(
        self,
        table: Table,
        columns: Sequence[str],
        key_columns: Sequence[str],
        rows: Rows,
        units: bool = False,
    ) -> None:
        """INSERT the rows; where the key exists already, set the other columns instead."""
        sets = _each("{c} = excluded.{c}", [c for c in columns if c not in key_columns])
        marks = ", ".join([self.mark] * len(columns))
        self._many(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {sets}",
            table,
            columns,
            rows,
            units,
        )

    def update(
        self,
        table: Table,
        set_columns: Sequence[str],
        key_columns: Sequence[str],
        rows: Rows,
        units: bool = False,
    ) -> None:
        """UPDATE table SET set_columns WHERE key_columns, one row per tuple (set values, then keys)."""
        columns = [*set_columns, *key_columns]
        if self.sqlite:
            sets = _each("{c} = ?", set_columns)
            keys = _each("{c} = ?", key_columns, " AND ")
            self._many(f"UPDATE {table.name} SET {sets} WHERE {keys}", table, columns, rows, units)
            return
        if not rows:
            return
        # PostgreSQL: COPY into a temporary table, then one UPDATE … FROM.
        temp = f"tmp_{table.name}_upd"
        with self.raw.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {temp}")
            cur.execute(
                f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table.name} WITH NO DATA"
            )
            _copy(cur, temp, columns, self._converted(table, columns, rows, units))
            sets = _each("{c} = u.{c}", set_columns)
            keys = _each("t.{c} = u.{c}", key_columns, " AND ")
            # The keys are a batch's rows, a small part of the table: one index lookup each. Left
            # alone, the planner (no statistics on the new temp table) hashes the whole table,
            # a scan of every row per batch (line_accrual: 2.2M rows, ~1 s, for 45k updates).
            with index_lookups(self.session):
                cur.execute(f"UPDATE {table.name} AS t SET {sets} FROM {temp} AS u WHERE {keys}")

    def add_to(self, table: Table, columns: Sequence[str], key: str, rows: Rows, units: bool = False) -> None:
        """UPDATE table SET c = c + ? … WHERE key = ?, one row per tuple (increments, then key)."""
        sets = _each("{c} = {c} + " + self.mark, columns)
        self._many(f"UPDATE {table.name} SET {sets} WHERE {key} = {self.mark}", table, [*columns, key], rows, units)

    def delete(self, table: Table, key_columns: Sequence[str], rows: Rows) -> None:
        keys = _each("{c} = " + self.mark, key_columns, " AND ")
        self._many(f"DELETE FROM {table.name} WHERE {keys}", table, key_columns, rows)

    def _many(self, sql: str, table: Table, columns: Sequence[str], rows: Rows, units: bool = False) -> None:
        """sql once per row (the rows converted for columns, see _converted), through the
        driver's executemany; nothing without rows."""
        if not rows:
            return
        data = self._converted(table, columns, rows, units)
        if self.sqlite:
            self.raw.executemany(sql, data)
        else:
            with self.raw.cursor() as cur:
                cur.executemany(sql, data)

    def next_ids(self, table: Table, count: int) -> list[int]:
        """Ids for count new rows of table (its integer primary key `id`). A numbered table
        (NUMBERED: the journal's entries) takes them from its counter row (next_numbers)."""
        if count <= 0:
            return []
        if table.name in NUMBERED:
            return self.next_numbers(NUMBERED[table.name], count)
        if self.sqlite:  # the write transaction (BEGIN IMMEDIATE) holds the database lock
            top = self.session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table.name}")).scalar_one()
            return list(range(int(top) + 1, int(top) + 1 + count))
        with self.raw.cursor() as cur:
            cur.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %s)", (count,)
            )
            return [row[0] for row in cur.fetchall()]

    def start_series(self, series: str, first: int = 1) -> None:
        """A series made on its first use (`dispute-2025`: a year's Dispute IDs), starting at
        first; nothing when it exists. Two writers starting it at once: the second waits for
        the first's commit and goes on with its row."""
        self.session.execute(
            text("INSERT INTO number_series (name, next_value) VALUES (:series, :first) ON CONFLICT (name) DO NOTHING"),
            {"series": series, "first": first},
        )

    def next_numbers(self, series: str, count: int) -> list[int]:
        """The next count numbers of a series (NumberSeries), gap-free: one UPDATE of its
        counter row. The row stays locked until the transaction ends (PostgreSQL: a row lock;
        SQLite: the write transaction's database lock), so numbers are handed out in commit
        order and a rollback, or a client killed mid-way, gives them back. Take them as late
        as the transaction allows: another writer of the series waits from here to the commit."""
        if count <= 0:
            return []
        top = self.session.execute(
            text("UPDATE number_series SET next_value = next_value + :n WHERE name = :series RETURNING next_value"),
            {"n": count, "series": series},
        ).scalar_one_or_none()
        if top is None:
            raise LookupError(f"number series {series!r} is missing: the database is not upgraded")
        return list(range(int(top) - count, int(top)))
