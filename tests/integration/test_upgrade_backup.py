"""Installing a newer build over an older one (issue 18): a SQLite file behind the
program's migrations is copied beside itself before it is migrated; one at head, a new
one and one newer than the program are not copied, and the newer one is still refused.
Real files, the real migrations, the real `coop` command."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from app.adapters import db
from app.adapters.backup import BackupError, backup_before_upgrade
from app.services import masterdata
from app.services.context import AppContext

PREVIOUS = "0015"  # the revision before head: an older build's database


def _revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def _company(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name FROM company").fetchone()[0]
    finally:
        conn.close()


def _older_database(folder: Path) -> Path:
    """A database made by this program with a company name, then taken back to PREVIOUS."""
    path = folder / "coop.sqlite"
    ctx = AppContext.open(f"sqlite:///{path}", "tester")
    with ctx.uow() as uow:
        masterdata.set_company(uow, "Older Build Supply", "CAD", "")
    db.downgrade(ctx.engine, PREVIOUS)
    ctx.close_connections()
    assert _revision(path) == PREVIOUS
    return path


def _copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.bak-*"))


def test_head_is_after_the_older_revision():
    assert db.head_revision() != PREVIOUS and db.known_revision(PREVIOUS)


def test_an_older_database_is_copied_beside_itself_then_migrated(tmp_path):
    path = _older_database(tmp_path)
    ctx = AppContext.open(f"sqlite:///{path}", "tester")
    try:
        copy = ctx.upgrade_backup
        assert copy is not None and _copies(path) == [copy]
        assert copy.parent == path.parent and copy.name.startswith(f"coop.sqlite.bak-{PREVIOUS}-")
        assert not list(tmp_path.glob("*.partial"))
        # The copy is the database as it was (older revision, same records), complete in one file.
        assert _revision(copy) == PREVIOUS and _company(copy) == "Older Build Supply"
        assert not Path(f"{copy}-wal").exists()
        # The database itself is migrated and keeps its records.
        assert db.current_revision(ctx.engine) == db.head_revision()
        assert _company(path) == "Older Build Supply"
    finally:
        ctx.close_connections()
    # The next start finds it at head: no second copy.
    again = AppContext.open(f"sqlite:///{path}", "tester")
    again.close_connections()
    assert again.upgrade_backup is None and len(_copies(path)) == 1


def test_a_new_database_is_not_copied(tmp_path):
    path = tmp_path / "coop.sqlite"
    ctx = AppContext.open(f"sqlite:///{path}", "tester")
    ctx.close_connections()
    assert ctx.upgrade_backup is None and _copies(path) == []
    assert _revision(path) == db.head_revision()


def test_a_database_newer_than_the_program_is_refused_and_not_copied(tmp_path):
    path = tmp_path / "coop.sqlite"
    AppContext.open(f"sqlite:///{path}", "tester").close_connections()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    with pytest.raises(db.SchemaTooNew, match="newer than this program"):
        AppContext.open(f"sqlite:///{path}", "tester")
    assert _copies(path) == [] and _revision(path) == "9999_future"


def _coop(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli.main", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_the_command_line_says_where_the_copy_is_and_refuses_a_newer_database(tmp_path):
    path = _older_database(tmp_path)
    done = _coop("--db", f"sqlite:///{path}", "--user", "tester", "db", "upgrade")
    assert done.returncode == 0, done.stderr
    (copy,) = _copies(path)
    assert f"The database was copied to {copy} before it was migrated" in done.stderr
    assert _revision(path) == db.head_revision() and _revision(copy) == PREVIOUS

    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    refused = _coop("--db", f"sqlite:///{path}", "--user", "tester", "db", "upgrade")
    assert refused.returncode == 1
    assert "newer than this program" in refused.stderr and "install the newer version" in refused.stderr
    assert _copies(path) == [copy]


def test_a_copy_that_cannot_be_made_leaves_the_database_as_it_was(tmp_path):
    path = _older_database(tmp_path)
    now = datetime(2026, 12, 6, 15, 30, 0)
    taken = path.with_name(f"coop.sqlite.bak-{PREVIOUS}-20261206-153000")
    (taken / "something").mkdir(parents=True)  # the copy's name is a folder that is not empty
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with pytest.raises(BackupError, match="before migrating it to this version; it was not migrated"):
            backup_before_upgrade(engine, now)
        assert not list(tmp_path.glob("*.partial")) and taken.is_dir()
        assert db.current_revision(engine) == PREVIOUS
        # Once the name is free it is made, and it is the database as it was.
        (taken / "something").rmdir()
        taken.rmdir()
        assert backup_before_upgrade(engine, now) == taken and _revision(taken) == PREVIOUS
    finally:
        engine.dispose()
