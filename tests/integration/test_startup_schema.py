"""The start-up schema check: a database already at head is recognised without running
Alembic's upgrade (one read of alembic_version), an older or empty one is migrated, and
a newer one is refused with the same message as before (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from app.adapters import db


def test_the_heads_read_from_the_migration_files_are_alembic_s():
    assert db.script_heads() == frozenset({db.head_revision()})


def test_a_database_at_head_is_not_upgraded_again(db_url, monkeypatch):
    engine = db.make_engine(db_url)
    try:
        assert db.at_head(engine)
        import alembic.command

        def refuse(*_args: object, **_kw: object) -> None:
            raise AssertionError("Alembic's upgrade ran on a database at head")

        monkeypatch.setattr(alembic.command, "upgrade", refuse)
        db.upgrade(engine)  # nothing to do, and Alembic is not asked
    finally:
        engine.dispose()


def test_a_database_newer_than_the_program_is_still_refused(db_url):
    engine = db.make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        assert not db.at_head(engine)
        with pytest.raises(db.SchemaTooNew, match="newer than this program"):
            db.upgrade(engine)
    finally:
        engine.dispose()


def test_an_older_database_is_still_migrated(db_url):
    engine = db.make_engine(db_url)
    try:
        db.downgrade(engine, "0001")
        assert not db.at_head(engine)
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision() and db.at_head(engine)
    finally:
        engine.dispose()


def test_an_empty_database_is_created(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    try:
        assert db.stored_revisions(engine) is None and not db.at_head(engine)
        db.upgrade(engine)
        assert db.at_head(engine)
    finally:
        engine.dispose()


def test_opening_a_database_at_head_does_not_import_alembic(db_url):
    code = (
        "import sys; from app.services.context import AppContext; "
        f"ctx = AppContext.open({db_url!r}, 'tester'); ctx.engine.dispose(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
