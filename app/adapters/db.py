"""Database adapter: engines, SQLite pragmas, the default file, Alembic upgrades."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from app.adapters import roles
from app.paths import migrations_dir

if TYPE_CHECKING:  # Alembic is imported only when the schema has to change (start-up time)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = migrations_dir()


INSUFFICIENT_PRIVILEGE = "42501"


class SchemaTooNew(RuntimeError):
    pass


def default_url() -> str:
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("coop-rebates", "CoopRebates"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'coop.sqlite'}"


def resolve_url(url: str | None) -> str:
    return url or os.environ.get("COOP_DATABASE_URL") or default_url()


# Every SQLite connection: write-ahead log (readers never block the writer), foreign keys,
# no fsync per commit (the log is synced at checkpoints), wait for a busy writer, and a
# 64 MiB page cache (posting updates indexes all over a large file).
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "foreign_keys=ON",
    "synchronous=NORMAL",
    "busy_timeout=60000",
    "cache_size=-65536",
    "wal_autocheckpoint=10000",
)


# The files SQLite keeps beside the database: write-ahead log, shared memory, rollback journal.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def database_files(engine: Engine) -> tuple[Path, ...]:
    """The files that hold a SQLite database (the file itself and its side files, by the
    name given and by the name its links resolve to); none for a server or in-memory database."""
    url = engine.url
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:") or "mode=memory" in name:
        return ()
    if name.startswith("file:"):  # URI filename: file:path?options
        name = name.removeprefix("file:").split("?", 1)[0]
    given = Path(name).absolute()
    return tuple(
        Path(f"{base}{side}") for base in dict.fromkeys((given, given.resolve())) for side in ("", *SQLITE_SIDE_FILES)
    )


UNICODE_LOWER = "coop_lower"  # SQLite's name for app.adapters.filter_sql's fold


def _unicode_lower(value: object) -> str | None:
    return None if value is None else str(value).lower()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(f"PRAGMA {pragma}")
            cur.close()
            # lower() as Python (and PostgreSQL) fold letters: SQLite's own folds ASCII only
            dbapi_conn.create_function(UNICODE_LOWER, 1, _unicode_lower, deterministic=True)

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            # Writers queue up front instead of failing on a lock upgrade.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def transaction_time(conn: Connection) -> datetime:
    """The time of the current transaction, aware. PostgreSQL: the server's transaction start
    (one clock for every workstation, one stamp for everything the transaction writes).
    SQLite: this computer's clock (the database is a file on it)."""
    if conn.dialect.name == "postgresql":
        stamp: datetime = conn.exec_driver_sql("SELECT now()").scalar_one()
        return stamp.astimezone(UTC)
    return datetime.now(UTC)


def one_writer_at_a_time(conn: Connection, table: str) -> None:
    """Until the transaction ends, make every other transaction that calls this for `table`
    wait, and every write to the table; reads go on.

    PostgreSQL: LOCK TABLE in SHARE ROW EXCLUSIVE mode, which conflicts with itself and
    with INSERT/UPDATE/DELETE but not with SELECT. SQLite: nothing to do, every transaction
    begins IMMEDIATE (make_engine), so one writes at a time already.
    """
    if conn.dialect.name == "postgresql":  # through app.adapters.guards: the roles have no UPDATE on it
        conn.exec_driver_sql("SELECT coop_lock_for_writing(%(t)s)", {"t": table})


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


_REVISION = re.compile(r"^revision(?:\s*:[^=]*)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=]*)?\s*=\s*(.*)$", re.MULTILINE)


def script_heads() -> frozenset[str] | None:
    """The head revisions of migrations/versions read from the files' `revision` and
    `down_revision` lines, without importing Alembic or the scripts; None when a file
    cannot be read that way (then the caller asks Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for path in (MIGRATIONS / "versions").glob("*.py"):
            text = path.read_text(encoding="utf-8")
            found, down = _REVISION.findall(text), _DOWN_REVISION.findall(text)
            if len(found) != 1 or len(down) != 1:
                return None
            revisions.add(found[0])
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down[0]))
    except OSError:
        return None
    heads = revisions - parents
    return frozenset(heads) if heads and parents <= revisions else None


def stored_revisions(engine: Engine) -> frozenset[str] | None:
    """The revisions in the database's alembic_version table; None when it has none."""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:  # no alembic_version table: an empty database
        return None
    return frozenset(rows) or None


def stored_user(engine: Engine, login: str) -> tuple[int, tuple[str, bool] | None]:
    """How many users the database holds, and the (role, active) of `login` among them, read
    from app_user as it is stored, whatever the schema's revision (nothing is created or
    migrated): (0, None) when the database has no app_user table (a new, empty database, or
    one from before users)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("app_user"):
            return 0, None
        try:
            count = conn.execute(text("SELECT count(*) FROM app_user")).scalar_one()
            row = conn.execute(text("SELECT role, active FROM app_user WHERE login = :login"), {"login": login}).first()
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
                return 1, None  # a PostgreSQL login without any role in this database: not a user
            raise
        finally:
            conn.rollback()
    return int(count), (str(row[0]), bool(row[1])) if row is not None else None


def needs_upgrade(engine: Engine) -> bool:
    """Whether upgrade() would create or migrate the schema (Alembic is imported only when the
    stored revision is not the scripts' head as read from the files)."""
    if at_head(engine):
        return False
    stored = stored_revisions(engine)
    if stored is None:
        return True  # an empty database: its schema is created
    # A revision this program does not know is a newer schema: upgrade() refuses it for everyone.
    return stored != frozenset({head_revision()}) and all(known_revision(r) for r in stored)


def at_head(engine: Engine) -> bool:
    """True when the schema is known to be at this program's head (no Alembic import)."""
    heads = script_heads()
    return heads is not None and stored_revisions(engine) == heads


CREATED, MIGRATED, CURRENT = "created", "migrated", "current"


def upgrade(engine: Engine, revision: str = "head", prefix: str | None = None) -> str:
    """Create or migrate the schema: CREATED (it had none), MIGRATED or CURRENT (nothing to
    do). Refuses a database newer than this program.

    A database already at head (every start but the first after an update) is
    recognised by one read of alembic_version; Alembic is not even imported then.
    """
    if revision == "head" and prefix is None and at_head(engine):
        return CURRENT
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    cfg = alembic_config()
    with engine.begin() as conn:
        _as_owner(conn, prefix)
        current = MigrationContext.configure(conn).get_current_revision()
        if current is not None and not _known(script, current):
            raise SchemaTooNew(
                f"The database schema (revision {current}) is newer than this program; "
                "install the newer version of the application."
            )
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        if prefix is not None:  # a restore: this database's roles, whatever the backup named
            roles.keep_prefix(conn, prefix)
        after = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        return CREATED
    return MIGRATED if after != current else CURRENT


def _as_owner(conn: Connection, prefix: str | None) -> None:
    """PostgreSQL: a migration runs as the owner role of a secured database (what it creates
    belongs to the owner); `prefix`: that of the database restored into (a backup may name
    another, or be older than the roles)."""
    if prefix is not None:  # read by migration 0013 when it secures the database again
        conn.exec_driver_sql("SELECT set_config('coop.role_prefix', %(p)s, true)", {"p": prefix})
    roles.act_as_owner(conn, prefix)  # a database not secured (a backup older than 0013): as the login


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises ResolutionError for an unknown id
        return False


def known_revision(revision: str) -> bool:
    """Whether this program's migrations know the schema revision (an older one, or head)."""
    from alembic.script import ScriptDirectory

    return _known(ScriptDirectory.from_config(alembic_config()), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        roles.act_as_owner(conn)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
