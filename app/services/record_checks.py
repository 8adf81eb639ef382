"""The checks every master-data record gets: a code's shape, and text that fits its column;
and the steps every batch of keyed records shares (checking each key, creating missing rows)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.bulk import rows_in

from .errors import Problem


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


RecordT = TypeVar("RecordT", bound=_Labelled)
RowT = TypeVar("RowT")

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$")


def check_code(value: str, label: str, name: str, out: list[Problem], column: object = None) -> bool:
    if not value:
        out.append(Problem(label, name, "is required"))
        return False
    if not CODE_RE.match(value):
        out.append(Problem(label, name, f"{value!r} is not a valid code (letters, digits, . _ / -)"))
        return False
    return check_length(value, label, name, out, column)


def check_key(value: str, label: str, name: str, out: list[Problem], column: object, seen: dict[str, str]) -> bool:
    """A record's key: a valid code (check_code) that the file has once; seen maps each key
    to the label of the record that had it first."""
    if not check_code(value, label, name, out, column):
        return False
    if value in seen:
        out.append(Problem(label, name, f"{value} is repeated (also on {seen[value]})"))
    seen[value] = label
    return True


def check_name(value: str, label: str, name: str, out: list[Problem], column: object) -> None:
    """A name: required, and within its column once stripped of surrounding blanks."""
    if not value.strip():
        out.append(Problem(label, name, "is required"))
    check_length(value.strip(), label, name, out, column)


def keyed_records(
    records: Iterable[RecordT],
    key: Callable[[RecordT], str],
    name: str,
    noun: str,
    column: object,
    out: list[Problem],
    seen: dict[str, str],
) -> Iterator[tuple[RecordT, str]]:
    """Each record whose key (`key`, the field `name`) passes check_key, with its label: the
    record's own, or "{noun} {key}"."""
    for rec in records:
        value = key(rec)
        label = rec.label or f"{noun} {value}"
        if check_key(value, label, name, out, column, seen):
            yield rec, label


def existing_rows(session: Session, model: type[RowT], key: str, keys: Iterable[str]) -> dict[str, RowT]:
    """The saved rows of model whose column `key` is one of keys, by that key."""
    column = getattr(model, key)
    return {getattr(row, key): row for (row,) in rows_in(session, select(model), column, sorted(set(keys)))}


def saved_rows(session: Session, model: type[RowT], key: str, keys: Sequence[str]) -> list[RowT]:
    """The row of each key, in order: the saved one, or a new one (model(key=…)) added to the session."""
    rows = existing_rows(session, model, key, keys)
    return [row_for(session, rows, value, partial(model, **{key: value})) for value in keys]


def row_for(session: Session, rows: dict[str, RowT], key: str, new: Callable[[], RowT]) -> RowT:
    """The row saved under key, or a new one (made by `new`) added to the session and to rows."""
    row = rows.get(key)
    if row is None:
        row = rows[key] = new()
        session.add(row)
    return row


def check_length(value: str, label: str, name: str, out: list[Problem], column: object) -> bool:
    """Text longer than its column is refused here (PostgreSQL would fail, SQLite would keep it)."""
    limit = getattr(getattr(column, "type", None), "length", None)
    if limit is not None and len(value) > limit:
        out.append(Problem(label, name, f"is too long ({len(value)} characters; at most {limit})"))
        return False
    return True


def missing_code(session: Session, what: str, column: Any, code: str) -> str:
    """ "vendor X does not exist", with "(did you mean FRASERLUM?)" when a code differs from
    it only by case (codes are exact; a clerk types them in any case)."""
    text = f"{what} {code or '(blank)'} does not exist"
    if code:
        key = ("codes by upper case", str(column))
        codes = session.info.get(key)
        if codes is None:  # one read per transaction, however many codes a big file gets wrong
            codes = session.info[key] = {str(c).upper(): c for c in session.scalars(select(column))}
        found = codes.get(code.upper())
        if found is not None and found != code:
            text += f" (did you mean {found}?)"
    return text
