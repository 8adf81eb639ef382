"""Back up and restore the whole database (administrators only).

SQLite goes through the online backup API, so a backup is consistent while other
connections read or write, and a restore rewrites the live file in place (other
connections see the new content; nobody holds a stale copy). PostgreSQL goes through
`pg_dump --format=custom` and `pg_restore`, which must be on PATH (the PostgreSQL
client tools, of the server's major version or newer). The mechanics are in
app.adapters.backup.

A file is restored only when it is a backup of this application (its tables are there)
at a schema revision this program knows; an older backup is migrated after the restore.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.adapters import db
from app.adapters.backup import (
    BackupError,
    backend_name,
    backup_label,
    backup_suffix,
    contents,
    restore_backup,
    write_backup,
)

from .context import AppContext
from .outfile import output_file, protected_files
from .security import Permission, require

REQUIRED_TABLES = (
    "alembic_version",
    "company",
    "vendor",
    "agreement",
    "agreement_line",
    "receiving_slip",
    "journal_entry",
    "journal_line",
)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    backend: str  # sqlite or postgresql
    revision: str
    size: int


@dataclass(frozen=True)
class BackupFormat:
    """The files a backup of this database is written to: what they are called and their extension."""

    label: str  # "SQLite backup"
    suffix: str  # without the dot


def backup_format(ctx: AppContext) -> BackupFormat:
    return BackupFormat(backup_label(ctx.engine), backup_suffix(ctx.engine))


def suggested_name(ctx: AppContext, now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y-%m-%d-%H%M")
    return f"coop-{stamp}.{backup_format(ctx).suffix}"


def backup(ctx: AppContext, path: str | Path, *, force: bool = False) -> BackupInfo:
    """Write a complete copy of the database to `path` (replacing a file there only with force)."""
    _require_admin(ctx)
    with output_file(path, force=force, protect=protected_files(ctx)) as partial:
        write_backup(ctx.engine, partial)
        _tables, revision = contents(ctx.engine, partial)  # the copy is readable
        os.chmod(partial, 0o600)  # every record of the company: for its owner only
    target = Path(path)
    return BackupInfo(target, backend_name(ctx.engine), revision or "", target.stat().st_size)


def inspect(ctx: AppContext, path: str | Path) -> BackupInfo:
    """What a backup file holds; refuses a file that this program could not restore."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    tables, revision = contents(ctx.engine, source)
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(
            f"{source.name} is not a backup of this application (no {', '.join(missing)} table); nothing was restored"
        )
    if revision is None:
        raise BackupError(
            f"{source.name} has no schema revision; it is not a complete backup of this "
            "application; nothing was restored"
        )
    if not db.known_revision(revision):
        raise BackupError(
            f"{source.name} was made by a newer version of the program (schema revision "
            f"{revision}); install that version to restore it; nothing was restored"
        )
    return BackupInfo(source, backend_name(ctx.engine), revision, source.stat().st_size)


def restore(ctx: AppContext, path: str | Path) -> BackupInfo:
    """Replace every record of the database by the contents of the backup at `path`."""
    _require_admin(ctx)
    info = inspect(ctx, path)
    ctx.engine.dispose()  # no idle pooled connection keeps the old state or a lock
    restore_backup(ctx.engine, info.path, info.revision)
    ctx.engine.dispose()
    db.upgrade(ctx.engine)  # an older backup is brought to the current schema
    return info


def _require_admin(ctx: AppContext) -> None:
    with ctx.uow() as uow:
        require(uow, Permission.ADMIN)
