"""Backups of the whole database as files: SQLite's online backup API, PostgreSQL's
`pg_dump --format=custom` and `pg_restore` (the client tools must be on PATH, of the
server's major version or newer). The dialect is the engine's; app.services.backup holds
the use cases (who may, which file, what a backup must contain).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from app.adapters import db, roles
from app.services.errors import ServiceError

SQLITE_MAGIC = b"SQLite format 3\x00"
TIMEOUT_S = 3600


class BackupError(ServiceError):
    """A backup or restore that was refused or failed; the database is as it was."""


def backend_name(engine: Engine) -> str:
    """The kind of database: sqlite or postgresql."""
    return engine.dialect.name


def backup_suffix(engine: Engine) -> str:
    """The usual extension of a backup file of this database."""
    return "sqlite" if engine.dialect.name == "sqlite" else "dump"


def backup_label(engine: Engine) -> str:
    """What a backup file of this database is called in a file dialog."""
    return "SQLite backup" if engine.dialect.name == "sqlite" else "PostgreSQL backup"


def write_backup(engine: Engine, partial: Path) -> None:
    """A complete copy of the database into the (new, empty) file `partial`."""
    if engine.dialect.name == "sqlite":
        _sqlite_backup(sqlite_file(engine), partial)
    elif engine.dialect.name == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-password",
                *_as_owner(_prefix(engine)),
                f"--file={partial}",
                f"--dbname={_conninfo(engine.url)}",
            ],
            _pg_env(engine.url),
            "pg_dump",
        )
    else:
        raise BackupError(f"Backups of a {engine.dialect.name} database are not supported")


def contents(engine: Engine, path: Path) -> tuple[set[str], str | None]:
    """The tables of a backup file and its schema revision."""
    if engine.dialect.name == "sqlite":
        return _sqlite_contents(path)
    if engine.dialect.name == "postgresql":
        return _pg_contents(path, engine.url)
    raise BackupError(f"Backups of a {engine.dialect.name} database are not supported")


def restore_backup(engine: Engine, path: Path, revision: str) -> None:
    """Replace every record of the database by the backup's (at schema `revision`)."""
    if engine.dialect.name == "sqlite":
        live = sqlite_file(engine)
        if live.resolve() == path.resolve():
            raise BackupError("This file is the database itself, not a backup of it")
        _sqlite_restore(path, live)
    else:
        _pg_restore(engine, path, revision)


def sqlite_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("Only a SQLite database stored in a file can be backed up or restored")
    return Path(name)


# -- SQLite


def backup_before_upgrade(engine: Engine, now: datetime | None = None) -> Path | None:
    """A SQLite file behind this program's migrations (a newer build installed over an older
    one): a complete copy of it beside it, `<file>.bak-<its revision>-<YYYYmmdd-HHMMSS>`,
    before db.upgrade migrates it. Nothing (None) for a server database (its administrators
    back it up: `coop backup`), a new empty database, one at this program's head, or one
    newer than the program (db.upgrade refuses it). A copy that fails is said so and the
    database is left as it is (not migrated)."""
    files = db.database_files(engine)
    if not files or db.stored_revisions(engine) is None or not db.needs_upgrade(engine):
        return None
    live = files[0]
    revision = "+".join(sorted(db.stored_revisions(engine) or ()))
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = live.with_name(f"{live.name}.bak-{revision}-{stamp}")
    partial = target.with_name(f"{target.name}.partial")
    try:
        _sqlite_backup(live, partial)
        os.chmod(partial, 0o600)  # every record of the company: for its owner only
        partial.replace(target)
    except (BackupError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"Cannot back up {live} before migrating it to this version; it was not migrated: {exc}"
        ) from exc
    return target


def _sqlite_copy(src: sqlite3.Connection, target: str | Path, failure: str, *, self_contained: bool = False) -> None:
    """Copy a whole SQLite database into target with SQLite's backup API (one write
    transaction on the target: all or nothing); src is closed afterwards."""
    try:
        dst = sqlite3.connect(target, timeout=60)
        try:
            src.backup(dst)
            if self_contained:
                dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{failure}: {exc}") from exc
    finally:
        src.close()


def _sqlite_backup(live: Path, partial: Path) -> None:
    _sqlite_copy(sqlite3.connect(live, timeout=60), partial, f"Cannot back up {live}", self_contained=True)


def _sqlite_contents(path: Path) -> tuple[set[str], str | None]:
    with path.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(
                f"{path.name} is not a backup of this application (not a SQLite database); nothing was restored"
            )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open {path.name}: {exc}") from exc
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{path.name} is damaged (the SQLite integrity check failed); nothing was restored")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return tables, revision
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} is not a backup of this application ({exc}); nothing was restored") from exc
    finally:
        conn.close()


def _sqlite_restore(source: Path, live: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    _sqlite_copy(src, live, f"Cannot restore into {live}")


# -- PostgreSQL


def _pg_contents(path: Path, url: URL) -> tuple[set[str], str | None]:
    env = _pg_env(url)
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_S,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(
            f"{path.name} is not a backup of this application (not a PostgreSQL custom-format "
            f"archive: {_last_line(listing.stderr)}); nothing was restored"
        )
    tables = {m.group(2) for m in re.finditer(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", listing.stdout, re.MULTILINE)}
    revision = None
    if "alembic_version" in tables:
        data = _run(
            [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)], env, "pg_restore"
        )
        found = re.search(
            r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)^\\\.", data, re.MULTILINE | re.DOTALL
        )
        rows = found.group(1).split() if found else []
        revision = rows[0] if rows else None
    return tables, revision


def _prefix(engine: Engine) -> str | None:
    with engine.connect() as conn:
        prefix = roles.stored_prefix(conn)
        conn.rollback()
    return prefix


def _as_owner(prefix: str | None) -> list[str]:
    """pg_dump and pg_restore act as the owner role of a secured database: it reads every
    table, and what a restore creates belongs to it."""
    return [f"--role={roles.owner_role(prefix)}"] if prefix else []


def _pg_restore(engine: Engine, path: Path, revision: str) -> None:
    """The backup's objects are restored as the owner role's (--no-owner), without the
    backup's grants (--no-privileges, they name its roles): this database's grants and role
    prefix are applied again after the restore, with the migrations to head. (A backup older
    than the roles: the database is first downgraded to its revision, which gives the objects
    to the login, a superuser; restored as the login, then secured again under its prefix.)"""
    prefix = _prefix(engine)
    current = db.current_revision(engine)
    if current is not None and current != revision and db.known_revision(current):
        # Objects of a newer schema are not in the archive, so --clean would leave them.
        db.downgrade(engine, revision)
        engine.dispose()
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            *(["--no-privileges", *_as_owner(_prefix(engine))] if prefix else []),
            "--single-transaction",
            "--no-password",
            f"--dbname={_conninfo(engine.url)}",
            str(path),
        ],
        _pg_env(engine.url),
        "pg_restore",
    )
    if prefix:
        engine.dispose()
        db.upgrade(engine, prefix=prefix)


def _connect_args(url: URL) -> dict[str, str]:
    from sqlalchemy import create_engine

    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        _args, kwargs = engine.dialect.create_connect_args(engine.url)
    finally:
        engine.dispose()
    return {k: str(v) for k, v in kwargs.items() if isinstance(v, str | int) and not isinstance(v, bool)}


def _conninfo(url: URL) -> str:
    from psycopg.conninfo import make_conninfo

    args = _connect_args(url)
    args.pop("password", None)  # given through the environment, never on a command line
    return make_conninfo(**args)


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    password = _connect_args(url).get("password")
    if password:
        env["PGPASSWORD"] = password
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools "
            "(Debian/Ubuntu: postgresql-client) of the server's version or newer"
        )
    return found


def _run(command: Sequence[str], env: dict[str, str], name: str) -> str:
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, env=env, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{name} did not finish within {TIMEOUT_S // 60} minutes") from exc
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip() or f'exit status {done.returncode}'}")
    return done.stdout


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("pg_restore: error: ") if lines else "unreadable"
