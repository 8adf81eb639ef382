"""Back up and restore the whole database (administrators only).

SQLite goes through the online backup API, so a backup is consistent while other
connections read or write, and a restore rewrites the live file in place (other
connections see the new content; nobody holds a stale copy). PostgreSQL goes through
`pg_dump --format=custom` and `pg_restore`, which must be on PATH (the PostgreSQL
client tools, of the server's major version or newer).

A file is restored only when it is a backup of this application (its tables are there)
at a schema revision this program knows; an older backup is migrated after the restore.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from app import db

from .context import AppContext
from .errors import ServiceError
from .outfile import output_file, protected_files
from .security import Permission, require

REQUIRED_TABLES = ("alembic_version", "company", "vendor", "agreement", "agreement_line",
                   "receiving_slip", "journal_entry", "journal_line")
SQLITE_MAGIC = b"SQLite format 3\x00"
TIMEOUT_S = 3600


class BackupError(ServiceError):
    """A backup or restore that was refused or failed; the database is as it was."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    backend: str  # sqlite or postgresql
    revision: str
    size: int


def suggested_name(ctx: AppContext, now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y-%m-%d-%H%M")
    return f"coop-{stamp}.{'sqlite' if ctx.dialect == 'sqlite' else 'dump'}"


def backup(ctx: AppContext, path: str | Path, *, force: bool = False) -> BackupInfo:
    """Write a complete copy of the database to `path` (replacing a file there only with force)."""
    _require_admin(ctx)
    with output_file(path, force=force, protect=protected_files(ctx)) as partial:
        if ctx.dialect == "sqlite":
            _sqlite_backup(_sqlite_file(ctx), partial)
        elif ctx.dialect == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={partial}",
                  f"--dbname={_conninfo(ctx.engine.url)}"], _pg_env(ctx.engine.url), "pg_dump")
        else:
            raise BackupError(f"Backups of a {ctx.dialect} database are not supported")
        _tables, revision = _contents(ctx, partial)  # the copy is readable
        os.chmod(partial, 0o600)  # every record of the company: for its owner only
    target = Path(path)
    return BackupInfo(target, ctx.dialect, revision or "", target.stat().st_size)


def inspect(ctx: AppContext, path: str | Path) -> BackupInfo:
    """What a backup file holds; refuses a file that this program could not restore."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    tables, revision = _contents(ctx, source)
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(f"{source.name} is not a backup of this application (no {', '.join(missing)} "
                          "table); nothing was restored")
    if revision is None:
        raise BackupError(f"{source.name} has no schema revision; it is not a complete backup of this "
                          "application; nothing was restored")
    if not _known_revision(revision):
        raise BackupError(f"{source.name} was made by a newer version of the program (schema revision "
                          f"{revision}); install that version to restore it; nothing was restored")
    return BackupInfo(source, ctx.dialect, revision, source.stat().st_size)


def restore(ctx: AppContext, path: str | Path) -> BackupInfo:
    """Replace every record of the database by the contents of the backup at `path`."""
    _require_admin(ctx)
    info = inspect(ctx, path)
    ctx.engine.dispose()  # no idle pooled connection keeps the old state or a lock
    if ctx.dialect == "sqlite":
        live = _sqlite_file(ctx)
        if live.resolve() == info.path.resolve():
            raise BackupError("This file is the database itself, not a backup of it")
        _sqlite_restore(info.path, live)
    else:
        _pg_restore(ctx, info)
    ctx.engine.dispose()
    db.upgrade(ctx.engine)  # an older backup is brought to the current schema
    return info


def _contents(ctx: AppContext, path: Path) -> tuple[set[str], str | None]:
    """The tables of the backup file and its schema revision."""
    if ctx.dialect == "sqlite":
        return _sqlite_contents(path)
    if ctx.dialect == "postgresql":
        return _pg_contents(path, ctx)
    raise BackupError(f"Backups of a {ctx.dialect} database are not supported")


# -- SQLite

def _sqlite_file(ctx: AppContext) -> Path:
    name = ctx.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("Only a SQLite database stored in a file can be backed up or restored")
    return Path(name)


def _sqlite_backup(live: Path, partial: Path) -> None:
    src = sqlite3.connect(live, timeout=60)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot back up {live}: {exc}") from exc
    finally:
        src.close()


def _sqlite_contents(path: Path) -> tuple[set[str], str | None]:
    with path.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path.name} is not a backup of this application (not a SQLite database); "
                              "nothing was restored")
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
    try:
        dst = sqlite3.connect(live, timeout=60)
        try:
            src.backup(dst)  # one write transaction on the live file: all or nothing
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot restore into {live}: {exc}") from exc
    finally:
        src.close()


# -- PostgreSQL

def _pg_contents(path: Path, ctx: AppContext) -> tuple[set[str], str | None]:
    env = _pg_env(ctx.engine.url)
    listing = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True,
                             env=env, timeout=TIMEOUT_S, check=False)
    if listing.returncode != 0:
        raise BackupError(f"{path.name} is not a backup of this application (not a PostgreSQL custom-format "
                          f"archive: {_last_line(listing.stderr)}); nothing was restored")
    tables = {m.group(2) for m in re.finditer(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", listing.stdout, re.MULTILINE)}
    revision = None
    if "alembic_version" in tables:
        data = _run([_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)],
                    env, "pg_restore")
        found = re.search(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)^\\\.", data,
                          re.MULTILINE | re.DOTALL)
        rows = found.group(1).split() if found else []
        revision = rows[0] if rows else None
    return tables, revision


def _pg_restore(ctx: AppContext, info: BackupInfo) -> None:
    current = db.current_revision(ctx.engine)
    if current is not None and current != info.revision and _known_revision(current):
        # Objects of a newer schema are not in the archive, so --clean would leave them.
        db.downgrade(ctx.engine, info.revision)
        ctx.engine.dispose()
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--no-password", f"--dbname={_conninfo(ctx.engine.url)}", str(info.path)],
         _pg_env(ctx.engine.url), "pg_restore")


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
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools "
                          "(Debian/Ubuntu: postgresql-client) of the server's version or newer")
    return found


def _run(command: Sequence[str], env: dict[str, str], name: str) -> str:
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, env=env, timeout=TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{name} did not finish within {TIMEOUT_S // 60} minutes") from exc
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip() or f'exit status {done.returncode}'}")
    return done.stdout


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("pg_restore: error: ") if lines else "unreadable"


# -- common

def _require_admin(ctx: AppContext) -> None:
    with ctx.uow() as uow:
        require(uow, Permission.ADMIN)


def _known_revision(revision: str) -> bool:
    script = ScriptDirectory.from_config(db.alembic_config())
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises ResolutionError for an unknown id
        return False
