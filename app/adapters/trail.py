"""The audit trail's database side (issue 13): row triggers that record every change to an
audited table in `audit_trail` (who, when, old and new values as JSON), the application user
those rows name, and the stored values read back.

The triggers, not the program, write the trail, so a change made behind the application (psql,
sqlite3) is recorded too. Per row changed: the table, INSERT/UPDATE/DELETE, the record's primary
key, and the row before and after as JSON (an UPDATE that changes none of the recorded columns
writes nothing).

- PostgreSQL: one function, `coop_audit()`, SECURITY DEFINER (a daily login needs no INSERT on
  audit_trail, only SELECT) with a fixed search_path (pg_temp last: no temporary table can stand
  in for audit_trail). `db_user` is `session_user`, the login that connected, which no client can
  claim; `app_user` is what the program set for the transaction (`coop.app_user`, set_config
  local to the transaction): informative, since a client may set any name there.
- SQLite: three triggers per table with the columns listed (generated from the table as it is),
  `db_user` NULL (a file has no logins), `app_user` read from the one-row table audit_context,
  which the program fills at the start of each transaction and clears before it commits (one
  writer at a time; a trigger of the schema cannot read a temporary table).

A migration adds a table to the trail with `create_triggers(conn, table, ignored)`, and after
changing an audited table's columns drops and creates its triggers again (SQLite lists the
columns; on PostgreSQL a table rebuilt or retyped may need the same). Nothing here imports the
models: the migrations use it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Connection, Table, event, inspect
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.services.errors import PermissionDenied

from .types import ScaledDecimal

APP_USER = "coop.app_user"  # the PostgreSQL setting the program names its user in
FUNCTION = "coop_audit"
ACTIONS = ("INSERT", "UPDATE", "DELETE")
TRAIL_COLUMNS = "changed_at, db_user, app_user, table_name, action, record_key, old_values, new_values"
# SQLite: the instant as SQLAlchemy stores a DateTime (UTC, microseconds).
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain SQL name: {name!r}")
    return f'"{name}"'


def _columns(conn: Connection, table: str) -> tuple[list[str], list[str]]:
    """The table's columns and primary key columns, as the database has them now."""
    found = inspect(conn)
    columns = [c["name"] for c in found.get_columns(table)]
    key = list(found.get_pk_constraint(table)["constrained_columns"])
    return columns, key or columns[:1]


def create_function(conn: Connection, who: str = "session_user") -> None:
    """PostgreSQL: the trigger function of every audited table (nothing on SQLite), created or
    replaced; `who` is the SQL expression of the database login recorded (migration 0013: the
    login acting, app.adapters.roles.DB_USER).

    Its arguments: the primary key columns, comma-separated, then the columns not recorded.
    """
    if conn.dialect.name != "postgresql":
        return
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    conn.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        f"SET search_path = pg_catalog, {_quoted(schema)}, pg_temp AS $$\n"
        "DECLARE\n"
        "  ignored text[] := TG_ARGV[1:];\n"
        "  old_row jsonb;\n"
        "  new_row jsonb;\n"
        "  record_key text;\n"
        "BEGIN\n"
        "  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD) - ignored; END IF;\n"
        "  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW) - ignored; END IF;\n"
        "  IF old_row IS NOT DISTINCT FROM new_row THEN RETURN NULL; END IF;\n"
        "  SELECT string_agg(coalesce(coalesce(new_row, old_row) ->> k, ''), '/' ORDER BY n) INTO record_key\n"
        "    FROM unnest(string_to_array(TG_ARGV[0], ',')) WITH ORDINALITY AS pk(k, n);\n"
        f"  INSERT INTO {_quoted(schema)}.audit_trail ({TRAIL_COLUMNS})\n"
        f"  VALUES (now(), {who}, nullif(current_setting('{APP_USER}', true), ''), TG_TABLE_NAME, TG_OP,\n"
        "          record_key, old_row::text, new_row::text);\n"
        "  RETURN NULL;\n"
        "END $$"
    )


def drop_function(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def trigger_names(table: str) -> list[str]:
    return [f"{table}_audit_{action.lower()}" for action in ACTIONS]


def create_triggers(conn: Connection, table: str, ignored: Sequence[str] = ()) -> None:
    """Record every change to `table` in the trail, but for the `ignored` columns (derived
    values, such as running totals, which are neither recorded nor a change on their own)."""
    columns, key = _columns(conn, table)
    kept = [c for c in columns if c not in ignored]
    make = _pg_triggers if conn.dialect.name == "postgresql" else _sqlite_triggers
    for statement in make(table, kept, key, ignored):
        conn.exec_driver_sql(statement)


def drop_triggers(conn: Connection, table: str) -> None:
    for name in trigger_names(table):
        on = f" ON {_quoted(table)}" if conn.dialect.name == "postgresql" else ""
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{on}")


def _pg_triggers(table: str, kept: Sequence[str], key: Sequence[str], ignored: Sequence[str]) -> list[str]:
    args = ", ".join(f"'{a}'" for a in (",".join(key), *ignored))
    for name in (table, *key, *ignored):
        _quoted(name)  # plain names only: they are written into the SQL
    if ignored:  # only the recorded columns make a change (evaluated without calling the function)
        dropped = "".join(f" - '{c}'::text" for c in ignored)
        changed = f"(to_jsonb(OLD){dropped}) IS DISTINCT FROM (to_jsonb(NEW){dropped})"
    else:
        changed = "OLD.* IS DISTINCT FROM NEW.*"
    insert_update_delete = [
        ("INSERT", ""),
        ("UPDATE", f" WHEN ({changed})"),
        ("DELETE", ""),
    ]
    return [
        f"CREATE TRIGGER {name} AFTER {action} ON {_quoted(table)} FOR EACH ROW{when} "
        f"EXECUTE FUNCTION {FUNCTION}({args})"
        for name, (action, when) in zip(trigger_names(table), insert_update_delete, strict=True)
    ]


def _sqlite_triggers(table: str, kept: Sequence[str], key: Sequence[str], _ignored: Sequence[str]) -> list[str]:
    def values(row: str) -> str:
        return "json_object(" + ", ".join(f"'{c}', {row}.{_quoted(c)}" for c in kept) + ")"

    def record_key(row: str) -> str:
        return " || '/' || ".join(f"coalesce(CAST({row}.{_quoted(k)} AS TEXT), '')" for k in key)

    changed = " OR ".join(f"OLD.{_quoted(c)} IS NOT NEW.{_quoted(c)}" for c in kept)
    shapes = [
        ("INSERT", "", "NEW", "NULL", values("NEW")),
        ("UPDATE", f" WHEN {changed}", "NEW", values("OLD"), values("NEW")),
        ("DELETE", "", "OLD", values("OLD"), "NULL"),
    ]
    return [
        f"CREATE TRIGGER {name} AFTER {action} ON {_quoted(table)} FOR EACH ROW{when} BEGIN "
        f"INSERT INTO audit_trail ({TRAIL_COLUMNS}) VALUES ({SQLITE_NOW}, NULL, "
        f"(SELECT app_user FROM audit_context WHERE id = 1), '{table}', '{action}', {record_key(row)}, {old}, {new}); "
        "END"
        for name, (action, when, row, old, new) in zip(trigger_names(table), shapes, strict=True)
    ]


# --- the application user of each transaction -------------------------------------------------

_USER = "audit_app_user"  # Session.info: the user the unit of work acts for
_SQLITE = "audit_sqlite_connection"  # Session.info: the SQLite connection whose audit_context was set


def record_app_user(sessions: sessionmaker[Session]) -> None:
    """Have every transaction of these sessions name its application user (`name_user`) for
    the audit trail, on whichever path it writes (ORM, Core or the driver's cursor)."""
    event.listen(sessions, "after_begin", _began)
    event.listen(sessions, "before_commit", _committing)
    event.listen(sessions, "after_transaction_end", _ended)


def name_user(session: Session, user: str) -> None:
    session.info[_USER] = user


# PostgreSQL, at the start of each transaction, in one statement: the application user named for
# the audit trail, whether the login may act as that user (its login, or any user for a
# superuser), and, for a superuser acting as an active user of the database who is a PostgreSQL
# login, SET LOCAL ROLE to that login: the database then applies that user's privileges and
# records that user as the writer (tests; setting up).
_PG_BEGIN = (
    f"SELECT r.rolsuper OR %(user)s IN ('', session_user::text), session_user::text, "
    f"set_config('{APP_USER}', %(user)s, true), "
    "CASE WHEN r.rolsuper AND %(user)s <> session_user::text AND EXISTS ("
    "SELECT 1 FROM app_user a JOIN pg_roles l ON l.rolname = a.login "
    "WHERE a.login = %(user)s AND a.active AND l.rolcanlogin) "
    "THEN set_config('role', %(user)s, true) END "
    "FROM pg_roles r WHERE r.rolname = session_user"
)


def _began(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    user = session.info.get(_USER) or None
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute(_PG_BEGIN, {"user": user or ""})
            row = cur.fetchone()
        if row is not None and not row[0]:
            raise PermissionDenied(
                f"the database login {row[1]} may not act as {user}: the user is the login "
                "(only a superuser login may name any user)"
            )
        return
    try:
        raw.execute("UPDATE audit_context SET app_user = ? WHERE id = 1 AND app_user IS NOT ?", (user, user))
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # a schema from before the trail (being opened, migrated, restored)
            return
        raise
    session.info[_SQLITE] = raw


def _committing(session: Session) -> None:
    """SQLite: the user is cleared as the transaction commits, so that a change made later
    behind the program (the sqlite3 shell) is not recorded under this user's name."""
    raw = session.info.pop(_SQLITE, None)
    if raw is not None:
        session.flush()  # the changes still pending are recorded under the user (commit flushes after this)
        raw.execute("UPDATE audit_context SET app_user = NULL WHERE id = 1 AND app_user IS NOT NULL")


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back (or committed): nothing left to clear
        session.info.pop(_SQLITE, None)


# --- the values read back ----------------------------------------------------------------------


def value_reader(session: Session) -> Callable[[str | None, Table | None], dict[str, Any] | None]:
    """A function that reads a row's recorded values (the JSON text) as the program's values,
    in the order of the table's columns: decimals as Decimal (SQLite records the stored
    integer), flags as bool; columns the program's table does not know as recorded, last."""
    dialect = session.get_bind().dialect
    sqlite = dialect.name == "sqlite"

    def read(text: str | None, table: Table | None) -> dict[str, Any] | None:
        if text is None:
            return None
        values: dict[str, Any] = json.loads(text, parse_float=Decimal)
        if table is None:
            return values
        order = {name: i for i, name in enumerate(table.c.keys())}  # the table's order (jsonb sorts its keys)
        values = dict(sorted(values.items(), key=lambda item: order.get(item[0], len(order))))
        for name, value in values.items():
            if value is None or isinstance(value, str) or name not in table.c:
                continue
            kind = table.c[name].type
            if isinstance(kind, ScaledDecimal):
                values[name] = kind.process_result_value(value if sqlite else Decimal(value), dialect)
            elif isinstance(kind, Boolean):
                values[name] = bool(value)
        return values

    return read
