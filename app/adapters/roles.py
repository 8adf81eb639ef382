"""PostgreSQL roles of a secured database (issue 13): who owns the schema, what each
application role may do, and the login roles of the users. Nothing to do on SQLite.

Role names start with the database's role prefix, stored in `db_security` (one row, copied
with the database; never derived from the database's name at run time): `<prefix>_owner`
(NOLOGIN, CREATEROLE, owns every table, sequence and function) and the NOLOGIN group roles
`<prefix>_clerk`, `_manager`, `_accountant`, `_admin`. A user's login role is named exactly
as the user and is a member of the group role of its application role. `<prefix>_admin` is a
NOINHERIT member of the owner: an administrator's login has the administrator's privileges for
daily work, and the program takes the owner's (SET ROLE) for migrations, restores and user
administration (`act_as_owner`).

Only SELECT and INSERT on the append-only tables (journal, history, exports, audit trail), at
most: no UPDATE, DELETE, TRUNCATE or TRIGGER, and, not owning them, no ALTER TABLE.

Nothing here imports the models: migration 0013 uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, inspect

GROUPS = ("clerk", "manager", "accountant", "admin")  # the application roles, lower case
SETTINGS_TABLE = "db_security"
LOCK_VENDORS = "coop_lock_vendors"  # SECURITY DEFINER: posting locks vendor rows without UPDATE on vendor
LOCK_TABLE = "coop_lock_for_writing"  # SECURITY DEFINER: LOCK TABLE … SHARE ROW EXCLUSIVE without UPDATE
DB_USER = "coop_db_user"  # the login acting: the role set with SET ROLE when it is a login, else session_user
STAMP = "coop_stamp_user"  # BEFORE INSERT: who wrote the row, whatever the client sent

# Who wrote a row of an append-only table: filled by the database (STAMP).
STAMPED = {"journal_entry": "created_by", "agreement_history": "user", "journal_export": "exported_by"}
# Month close and settlement (SPEC §13–§14, migration 0015): append-only, INSERT only.
SETTLING = (
    "month_close",
    "vendor_close",
    "coop_invoice",
    "invoice_line",
    "settlement",
    "settlement_line",
    "dispute",
    "dispute_resolution",
    "vendor_actual",
    "actual_decision",
    "document",
)
# Payables (SPEC §15–§16, migration 0016): append-only, INSERT only.
PAYING = (
    "vendor_invoice",
    "vendor_invoice_line",
    "invoice_resolution",
    "payment_run",
    "payment_run_vendor",
    "payment_run_line",
    "provision",
)
APPEND_ONLY = (
    "journal_entry",
    "journal_line",
    "agreement_history",
    "journal_export",
    "journal_export_line",
    "price_change",
    *SETTLING,
    *PAYING,
)
NOT_READ = ("audit_trail", "audit_context")  # SELECT on the trail: accountants and administrators

# Posting (and the re-rating a posting or an acceptance does): every role that posts.
POSTING = {
    "journal_entry": "INSERT",
    "journal_line": "INSERT",
    "number_series": "UPDATE",
    "line_accrual": "INSERT, UPDATE, DELETE",
    "ladder_volume": "INSERT, UPDATE, DELETE",
    "vendor_rating": "INSERT, UPDATE, DELETE",
    "product": "UPDATE (received_qty, received_net)",  # running totals of what was received
    "receiving_slip": "UPDATE (status, posted_by, posted_at)",
}
WRITE = "INSERT, UPDATE, DELETE"
DAILY: dict[str, dict[str, str]] = {
    "clerk": {"receiving_slip": WRITE, "receipt_line": WRITE},
    "manager": {
        "agreement": WRITE,
        "agreement_line": WRITE,
        "agreement_history": "INSERT",
        "vendor": WRITE,
        "product": WRITE,
        "category": WRITE,
        "provisional_rate": WRITE,  # SPEC §12
        "waiver": WRITE,
        "price_change": "INSERT",  # SPEC §11.2: append-only
        # Write-offs above the tolerance (SPEC §14) are a manager's.
        "settlement": "INSERT",
        "settlement_line": "INSERT",
    },
    "accountant": {
        "gl_account": WRITE,
        "gl_reference": WRITE,
        "price_change": "INSERT",
        "product": "UPDATE (unit_cost)",  # a price change sets the product's cost
        "journal_export": "INSERT",
        "journal_export_line": "INSERT",
        "audit_trail": "SELECT",
        **{table: "INSERT" for table in SETTLING},
        **{table: "INSERT" for table in PAYING},
        "number_series": "INSERT, UPDATE",  # a year's first Dispute ID starts its series
    },
    "admin": {"company": "INSERT, UPDATE", "audit_trail": "SELECT", "terms_template": WRITE},
}
FUNCTIONS = {"accountant": (LOCK_TABLE,), "admin": (LOCK_TABLE,)}


@dataclass(frozen=True)
class Login:
    """Who is connected to a PostgreSQL database."""

    name: str  # session_user
    superuser: bool


def quoted(name: str) -> str:
    """A role or table name in SQL (logins are named as the users: any characters)."""
    return '"' + name.replace('"', '""') + '"'


def default_prefix(database: str) -> str:
    """`coop_<database>`, in lower-case letters, digits and underscores, short enough that
    every role name fits PostgreSQL's 63 characters."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", database.lower())
    return f"coop_{cleaned}"[:52]


def group_role(prefix: str, role: str) -> str:
    return f"{prefix}_{role.lower()}"


def owner_role(prefix: str) -> str:
    return f"{prefix}_owner"


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def stored_prefix(conn: Connection) -> str | None:
    """The database's role prefix; None on SQLite and before the database was secured."""
    if not is_postgres(conn) or not inspect(conn).has_table(SETTINGS_TABLE):
        return None
    value = conn.exec_driver_sql(f"SELECT role_prefix FROM {SETTINGS_TABLE} WHERE id = 1").scalar()
    return str(value) if value else None


def login(engine: Engine) -> Login | None:
    """The PostgreSQL login of the engine's connections; None on SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        name, superuser = conn.exec_driver_sql(
            "SELECT session_user, rolsuper FROM pg_roles WHERE rolname = session_user"
        ).one()
        conn.rollback()
    return Login(str(name), bool(superuser))


def may_create_roles(conn: Connection) -> bool:
    return bool(
        conn.exec_driver_sql("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user").scalar_one()
    )


def _role_exists(conn: Connection, name: str) -> bool:
    return bool(conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).first())


def ensure_login(conn: Connection, user: str) -> None:
    """A user's login role, unless it exists; logins are the whole server's, so a name another
    transaction is creating at once (unique violation) is caught and taken as made."""
    if _role_exists(conn, user):
        return
    name, tag = quoted(user), "$coop$"
    while tag in name:  # the body's quote must not occur in the name
        tag = tag[:-1] + "_$"
    conn.exec_driver_sql(
        f"DO {tag} BEGIN CREATE ROLE {name} LOGIN; "
        f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END {tag}"
    )


def create_roles(conn: Connection, prefix: str) -> None:
    """The owner and group roles, unless they exist (roles belong to the whole cluster)."""
    owner = owner_role(prefix)
    if not _role_exists(conn, owner):
        conn.exec_driver_sql(f"CREATE ROLE {quoted(owner)} NOLOGIN CREATEROLE")
    for group in GROUPS:
        name = group_role(prefix, group)
        if not _role_exists(conn, name):
            conn.exec_driver_sql(f"CREATE ROLE {quoted(name)} NOLOGIN{' NOINHERIT' if group == 'admin' else ''}")
        if group != "admin":  # the owner administers the groups' memberships (PostgreSQL 16 asks for
            # ADMIN OPTION; not on the admin group, which is a member of the owner: no cycles)
            conn.exec_driver_sql(f"GRANT {quoted(name)} TO {quoted(owner)} WITH ADMIN OPTION")
    conn.exec_driver_sql(f"GRANT {quoted(owner)} TO {quoted(group_role(prefix, 'admin'))}")


def _objects(conn: Connection) -> tuple[list[str], list[str], list[str]]:
    """The schema's tables, sequences and functions (with their argument types)."""
    tables = [
        str(r[0])
        for r in conn.exec_driver_sql(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind IN ('r', 'p', 'v') ORDER BY 1"
        )
    ]
    sequences = [
        str(r[0])
        for r in conn.exec_driver_sql(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
            "AND d.objid = c.oid AND d.deptype IN ('a', 'i')) ORDER BY 1"
        )
    ]
    functions = [
        str(r[0])
        for r in conn.exec_driver_sql(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "WHERE p.pronamespace = current_schema()::regnamespace ORDER BY 1"
        )
    ]
    return tables, sequences, functions


def transfer_ownership(conn: Connection, to_role: str) -> None:
    """Every table, sequence and function of the schema to `to_role`."""
    tables, sequences, functions = _objects(conn)
    for table in tables:
        conn.exec_driver_sql(f"ALTER TABLE {quoted(table)} OWNER TO {quoted(to_role)}")
    for sequence in sequences:
        conn.exec_driver_sql(f"ALTER SEQUENCE {quoted(sequence)} OWNER TO {quoted(to_role)}")
    for function in functions:
        conn.exec_driver_sql(f"ALTER FUNCTION {function} OWNER TO {quoted(to_role)}")


def _groups(prefix: str) -> str:
    return ", ".join(quoted(group_role(prefix, g)) for g in GROUPS)


def apply_grants(conn: Connection, prefix: str) -> None:
    """The privileges of each group role on the schema's objects (after a migration that adds
    a table, or a restore, they are applied again; granting twice changes nothing)."""
    groups = _groups(prefix)
    schema = quoted(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
    tables, _sequences, _functions = _objects(conn)
    conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {quoted(owner_role(prefix))}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {groups}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC, {groups}")
    read = [quoted(t) for t in tables if t not in NOT_READ]
    conn.exec_driver_sql(f"GRANT SELECT ON {', '.join(read)} TO {groups}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {groups}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {LOCK_VENDORS}(bigint[]), {DB_USER}() TO {groups}")
    for group in GROUPS:
        name = quoted(group_role(prefix, group))
        for table, privileges in _privileges(group).items():
            if table in tables:
                for privilege in privileges:
                    conn.exec_driver_sql(f"GRANT {privilege} ON {quoted(table)} TO {name}")
        for function in FUNCTIONS.get(group, ()):
            conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {function}(text) TO {name}")


def _privileges(group: str) -> dict[str, list[str]]:
    """Table → privileges (each a GRANT's list) of one group: posting, plus the group's own;
    an administrator has every daily role's."""
    found: dict[str, list[str]] = {}
    own = [g for g in GROUPS if g != "admin"] + ["admin"] if group == "admin" else [group]
    for source in (POSTING, *(DAILY[g] for g in own)):
        for table, privilege in source.items():
            if privilege not in found.setdefault(table, []):
                found[table].append(privilege)
    return found


def grant_database(conn: Connection, prefix: str) -> None:
    """Only the group roles and the owner connect (and make temporary tables: bulk updates)."""
    database = quoted(conn.exec_driver_sql("SELECT current_database()").scalar_one())
    conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {_groups(prefix)}")
    conn.exec_driver_sql(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {quoted(owner_role(prefix))}")


def owns_database(conn: Connection) -> bool:
    """Whether the current role may grant privileges on the database (superuser or its owner)."""
    return bool(
        conn.exec_driver_sql(
            "SELECT r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER') FROM pg_roles r, pg_database d "
            "WHERE r.rolname = current_user AND d.datname = current_database()"
        ).scalar_one()
    )


def revoke_grants(conn: Connection, prefix: str, *, database: bool = True) -> None:
    """What apply_grants and grant_database (with `database`) gave, taken back; PUBLIC's
    defaults given back."""
    groups = f"{_groups(prefix)}, {quoted(owner_role(prefix))}"
    schema = quoted(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {groups}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {groups}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM {groups}")
    conn.exec_driver_sql(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO PUBLIC")
    conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA {schema} FROM {groups}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO PUBLIC")
    if database:
        name = quoted(conn.exec_driver_sql("SELECT current_database()").scalar_one())
        conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {name} FROM {groups}")
        conn.exec_driver_sql(f"GRANT CONNECT, TEMPORARY ON DATABASE {name} TO PUBLIC")


# --- acting as the owner -------------------------------------------------------------------


def act_as_owner(conn: Connection, prefix: str | None = None) -> None:
    """For the rest of the transaction, act as the owner role (migrations, restores, user
    administration) when the database is secured, so that what is created belongs to the owner.
    A login that is no member of the owner role (all but administrators and superusers) is
    refused by PostgreSQL. `prefix`: the database's, known before a restore replaced its
    tables (then an administrator could not read it)."""
    if not is_postgres(conn):
        return
    if prefix is None or _superuser(conn):  # a superuser reads whether it is secured (still)
        prefix = stored_prefix(conn)
    if prefix is not None:
        conn.exec_driver_sql("SELECT set_config('role', %(r)s, true)", {"r": owner_role(prefix)})


def _superuser(conn: Connection) -> bool:
    return bool(conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").scalar_one())


def keep_prefix(conn: Connection, prefix: str) -> None:
    """After a restore: the database's own prefix stored again, its grants applied again."""
    conn.exec_driver_sql(
        f"INSERT INTO {SETTINGS_TABLE} (id, role_prefix) VALUES (1, %(p)s) "
        "ON CONFLICT (id) DO UPDATE SET role_prefix = excluded.role_prefix",
        {"p": prefix},
    )
    apply_grants(conn, prefix)


# --- users ---------------------------------------------------------------------------------


def set_user(conn: Connection, user: str, role: str, active: bool, password: str | None = None) -> None:
    """The login role of an application user: created if missing (LOGIN, INHERIT), a member of
    exactly the group role of `role` while `active` (no member of any when disabled: then it
    cannot even connect), with `password` when one is given. Runs as the owner."""
    prefix = stored_prefix(conn)
    if prefix is None:
        return
    act_as_owner(conn)
    ensure_login(conn, user)
    member_of = {
        str(r[0])
        for r in conn.exec_driver_sql(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %(u)s",
            {"u": user},
        )
    }
    wanted = group_role(prefix, role) if active else None
    for group in GROUPS:
        name = group_role(prefix, group)
        if name in member_of and name != wanted:
            conn.exec_driver_sql(f"REVOKE {quoted(name)} FROM {quoted(user)}")
    if wanted is not None and wanted not in member_of:
        conn.exec_driver_sql(f"GRANT {quoted(wanted)} TO {quoted(user)}")
    if password is not None:
        set_password(conn, user, password)


def set_password(conn: Connection, user: str, password: str) -> bool:
    """The login's password (PostgreSQL keeps its hash; the program stores nothing); False
    when the database has no logins (SQLite, or not secured)."""
    if stored_prefix(conn) is None:
        return False
    act_as_owner(conn)
    literal = conn.exec_driver_sql("SELECT quote_literal(%(p)s)", {"p": password}).scalar_one()
    conn.exec_driver_sql(f"ALTER ROLE {quoted(user)} PASSWORD {literal}")
    return True


def map_users(conn: Connection, prefix: str, users: Iterable[tuple[str, str, bool]]) -> None:
    """Login roles and memberships of existing users (login, role, active)."""
    for user, role, active in users:
        ensure_login(conn, user)
        if active:
            conn.exec_driver_sql(f"GRANT {quoted(group_role(prefix, role))} TO {quoted(user)}")
