"""PostgreSQL functions and triggers of a secured database (migration 0013, app.adapters.roles):

- `coop_db_user()`: the login acting. The role set with SET ROLE when that role is a login (a
  superuser acting as a user, tests and setting up), else `session_user` (the login that
  connected; also when an administrator acts as the owner role). No client can claim it.
- `coop_stamp_<table>()`, BEFORE INSERT on the append-only tables that name who wrote a row:
  the column is set to `coop_db_user()`, whatever the client sent; a superuser is taken at the
  word of the user the program named (it may act as any user; tests and setting up).
- `coop_posted_slip_unchanged()`, BEFORE UPDATE OR DELETE on receiving slips and their lines:
  a posted slip and its lines are the journal's basis (re-rating reads their quantities), so
  they are refused for everyone, as the journal is (a clerk edits and deletes drafts only).
- `coop_lock_vendors(ids)` and `coop_lock_for_writing(table)`, SECURITY DEFINER: the locks
  posting and numbered exports take (FOR NO KEY UPDATE on vendor rows, LOCK TABLE … SHARE ROW
  EXCLUSIVE) need UPDATE on the table; these take them for roles that have none.

Nothing here imports the models: migration 0013 uses it.
"""

from __future__ import annotations

from sqlalchemy import Connection

from app.domain.vocabulary import POSTED

from .roles import DB_USER, LOCK_TABLE, LOCK_VENDORS, STAMPED

LOCKABLE = ("journal_export",)  # the tables coop_lock_for_writing locks
POSTED_GUARD = "coop_posted_slip_unchanged"


def _path(conn: Connection) -> str:
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    return f'SET search_path = pg_catalog, "{schema}", pg_temp'


# Who wrote a row: the login acting; a superuser (who may act as any user, and may do anything
# in the database anyway) is taken at the word of the user the program named (`coop.app_user`).
STAMP_USER = (
    "CASE WHEN current_setting('is_superuser') = 'on' AND coalesce(current_setting('coop.app_user', true), '') <> '' "
    f"THEN current_setting('coop.app_user', true) ELSE {DB_USER}() END"
)


def _stamp_needed(column: str) -> str:
    """When the stamp function must run: unless a daily login (no SET ROLE, no superuser)
    sent its own name, as the program does. The condition is evaluated without calling the
    function: posting a million lines pays almost nothing for it."""
    return (
        f'NEW."{column}" IS DISTINCT FROM session_user '
        "OR pg_catalog.current_setting('role') <> 'none' OR pg_catalog.current_setting('is_superuser') = 'on'"
    )


def stamp_function(table: str) -> str:
    return f"coop_stamp_{table}"


def create_stamp(conn: Connection, table: str, column: str) -> None:
    """PostgreSQL: `table.column` is set by the database to the login acting (who wrote the row)."""
    conn.exec_driver_sql(
        f"CREATE FUNCTION {stamp_function(table)}() RETURNS trigger LANGUAGE plpgsql {_path(conn)} AS $$ "
        f'BEGIN NEW."{column}" := {STAMP_USER}; RETURN NEW; END $$'
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER {table}_stamp_user BEFORE INSERT ON {table} FOR EACH ROW WHEN ({_stamp_needed(column)}) "
        f"EXECUTE FUNCTION {stamp_function(table)}()"
    )


def drop_stamp(conn: Connection, table: str) -> None:
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_stamp_user ON {table}")
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {stamp_function(table)}()")


def create(conn: Connection) -> None:
    path = _path(conn)
    conn.exec_driver_sql(
        f"CREATE FUNCTION {DB_USER}() RETURNS text LANGUAGE sql STABLE {path} AS $$ "
        "SELECT CASE current_setting('role') WHEN 'none' THEN session_user::text ELSE coalesce("
        "(SELECT rolname::text FROM pg_roles WHERE rolname = current_setting('role') AND rolcanlogin), "
        "session_user::text) END $$"
    )
    for table, column in STAMPED.items():
        create_stamp(conn, table, column)
    conn.exec_driver_sql(
        f"CREATE FUNCTION {LOCK_VENDORS}(ids bigint[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER {path} AS $$ "
        "BEGIN PERFORM id FROM vendor WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE; END $$"
    )
    conn.exec_driver_sql(
        f"CREATE FUNCTION {POSTED_GUARD}() RETURNS trigger LANGUAGE plpgsql {path} AS $$ BEGIN "
        "IF TG_TABLE_NAME = 'receiving_slip' THEN "
        "RAISE EXCEPTION 'receiving slip %% is posted: it cannot be changed or deleted', OLD.slip_no; END IF; "
        f"IF EXISTS (SELECT 1 FROM receiving_slip s WHERE s.id = OLD.slip_id AND s.status = '{POSTED}') THEN "
        "RAISE EXCEPTION 'line %% of a posted receiving slip cannot be changed or deleted', OLD.line_no; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER receiving_slip_posted BEFORE UPDATE OR DELETE ON receiving_slip "
        f"FOR EACH ROW WHEN (OLD.status = '{POSTED}') EXECUTE FUNCTION {POSTED_GUARD}()"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER receipt_line_posted BEFORE UPDATE OR DELETE ON receipt_line "
        f"FOR EACH ROW EXECUTE FUNCTION {POSTED_GUARD}()"
    )
    allowed = ", ".join(f"'{t}'" for t in LOCKABLE)
    conn.exec_driver_sql(
        f"CREATE FUNCTION {LOCK_TABLE}(name text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER {path} AS $$ "
        f"BEGIN IF name NOT IN ({allowed}) THEN RAISE EXCEPTION '%% may not be locked this way', name; END IF; "
        "EXECUTE format('LOCK TABLE %%I IN SHARE ROW EXCLUSIVE MODE', name); END $$"
    )


def drop(conn: Connection) -> None:
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS receiving_slip_posted ON receiving_slip")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS receipt_line_posted ON receipt_line")
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {POSTED_GUARD}()")
    for table in STAMPED:
        drop_stamp(conn, table)
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {LOCK_VENDORS}(bigint[])")
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {LOCK_TABLE}(text)")
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {DB_USER}()")


def create_append_only(conn: Connection, table: str) -> None:
    """UPDATE and DELETE on the table refused by a trigger (as migration 0001's journal tables;
    PostgreSQL: its coop_append_only() function)."""
    if conn.dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    else:
        conn.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION coop_append_only()"
        )
