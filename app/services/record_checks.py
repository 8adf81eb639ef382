"""The checks every master-data record gets: a code's shape, and text that fits its column."""

from __future__ import annotations

import re

from .errors import Problem

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


def check_length(value: str, label: str, name: str, out: list[Problem], column: object) -> bool:
    """Text longer than its column is refused here (PostgreSQL would fail, SQLite would keep it)."""
    limit = getattr(getattr(column, "type", None), "length", None)
    if limit is not None and len(value) > limit:
        out.append(Problem(label, name, f"is too long ({len(value)} characters; at most {limit})"))
        return False
    return True
