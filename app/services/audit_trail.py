"""The audit trail (issue 13): every change to master data, users and roles, GL accounts and the
GL reference and the company's settings, as the database recorded it (app.adapters.trail):
searched by table, user, dates and text, newest first. Administrators and accountants see it
(Permission.AUDIT_TRAIL)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from app.adapters import trail
from app.models import AuditTrail, Base

from .context import UnitOfWork
from .reports import posted_window
from .security import Permission, require

# The audited tables (migration 0012 lists them), as users name them.
TABLES = {
    "company": "Company settings",
    "category": "Categories",
    "vendor": "Vendors",
    "product": "Products",
    "gl_account": "GL accounts",
    "gl_reference": "GL reference",
    "app_user": "Users and roles",
}
# The column that names a record better than its key (the key is shown with it).
NAMED_BY = {"vendor": "code", "product": "code", "category": "code", "gl_account": "number", "app_user": "login"}
LIMIT = 5_000
COLUMNS = (
    "changed_at",
    "db_user",
    "app_user",
    "table",
    "action",
    "record",
    "changes",
    "old_values",
    "new_values",
)


@dataclass(frozen=True)
class TrailRow:
    id: int
    changed_at: datetime  # aware, UTC
    db_user: str | None  # the database login (PostgreSQL): the one the database vouches for
    app_user: str | None  # the user the program named (None: a change made behind it)
    table: str
    action: str  # INSERT, UPDATE or DELETE
    record: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None

    @property
    def changes(self) -> str:
        """What changed, on one line: `name: 'Old' → 'New'; …` (an insert or a delete: its values)."""
        if self.old is not None and self.new is not None:
            names = [n for n in self.new if self.old.get(n) != self.new[n]]
            names += [n for n in self.old if n not in self.new]
            return "; ".join(f"{n}: {shown(self.old.get(n))} → {shown(self.new.get(n))}" for n in names)
        values = self.new if self.new is not None else self.old or {}
        return "; ".join(f"{n}: {shown(v)}" for n, v in values.items() if v not in (None, ""))

    def values(self) -> tuple[object, ...]:
        """The row as COLUMNS lists it (files: the time in UTC, ISO)."""
        return (
            self.changed_at.isoformat(timespec="seconds"),
            self.db_user or "",
            self.app_user or "",
            self.table,
            self.action,
            self.record,
            self.changes,
            _json_text(self.old),
            _json_text(self.new),
        )


def shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _json_text(values: Mapping[str, Any] | None) -> str:
    """The values as JSON (decimals as text, exactly)."""
    return "" if values is None else json.dumps(values, default=str, ensure_ascii=False)


def search(
    uow: UnitOfWork,
    table: str | None = None,
    user: str | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
    text: str | None = None,
    limit: int | None = LIMIT,
) -> list[TrailRow]:
    """The recorded changes, newest first: of one table; by one user (the application user
    or the database login, exactly); changed from/to a day (whole days, this computer's
    time zone) or a time; whose values or key contain `text` (any case; values as stored:
    on SQLite a decimal is its scaled integer). At most `limit` rows (None: all)."""
    require(uow, Permission.AUDIT_TRAIL)
    t = AuditTrail
    query = select(t)
    if table:
        query = query.where(t.table_name == table)
    if user:
        query = query.where(or_(t.app_user == user, t.db_user == user))
    start, end = posted_window(date_from, date_to)
    if start is not None:
        query = query.where(t.changed_at >= start)
    if end is not None:
        query = query.where(t.changed_at < end)
    if text:
        query = query.where(
            or_(*(c.icontains(text, autoescape=True) for c in (t.record_key, t.old_values, t.new_values)))
        )
    query = query.order_by(t.changed_at.desc(), t.id.desc())
    if limit is not None:
        query = query.limit(limit)
    read = trail.value_reader(uow.session)
    return [_row(r, read) for r in uow.session.scalars(query)]


def _row(r: AuditTrail, read: Any) -> TrailRow:
    table = Base.metadata.tables.get(r.table_name)
    old, new = read(r.old_values, table), read(r.new_values, table)
    record = r.record_key
    field = NAMED_BY.get(r.table_name)
    name = (new or old or {}).get(field) if field else None
    if name not in (None, "") and str(name) != record:
        record = f"{name} (#{record})"
    return TrailRow(r.id, r.changed_at, r.db_user, r.app_user, r.table_name, r.action, record, old, new)


def text_lines(rows: list[TrailRow]) -> Iterator[str]:
    """The rows as `coop audit-trail` prints them (local time)."""
    for r in rows:
        who = r.app_user or "-"
        if r.db_user:
            who = f"{who} (login {r.db_user})"
        when = r.changed_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        yield f"{when}  {who}  {r.table} {r.action} {r.record}: {r.changes}"
