"""Back up and restore (SQLite online backup API; pg_dump / pg_restore on PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, select, text

from app.adapters import db
from app.cli.main import main as coop
from app.services import backup, masterdata, posting, receiving, security
from app.services.backup import BackupError
from app.services.context import AppContext
from app.services.errors import OutputRefused, PermissionDenied
from tests.conftest import import_example


def contents(ctx: AppContext) -> dict[str, list[tuple]]:
    """Every row of every table of the database (found by reflection), in a stable order."""
    meta = MetaData()
    meta.reflect(ctx.engine)
    with ctx.engine.connect() as conn:
        return {
            name: sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
            for name, table in sorted(meta.tables.items())
        }


def suffix(ctx: AppContext) -> str:
    return ".sqlite" if ctx.engine.dialect.name == "sqlite" else ".dump"


@pytest.fixture
def company(ctx: AppContext) -> AppContext:
    import_example(ctx, "C_retro")
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S1"])
    return ctx


def change_everything(ctx: AppContext) -> None:
    with ctx.uow() as uow:
        posting.post_slips(uow)  # journal entries, accruals, slip statuses
    with ctx.uow() as uow:
        masterdata.save_vendors(
            uow, [masterdata.VendorIn("V999", "Added after the backup", None, "", True, label="Row 1")]
        )
    with ctx.uow() as uow:
        receiving.save_slips(
            uow,
            [
                receiving.SlipIn(
                    "LATE", "V100", date(2026, 6, 1), (receiving.SlipLineIn(1, receiving_product(ctx), Decimal(3)),)
                )
            ],
        )
    with ctx.uow() as uow:
        security.save_user(uow, ctx.user, "ADMIN", "After the backup")


def receiving_product(ctx: AppContext) -> str:
    from app.services import queries

    with ctx.uow() as uow:
        return next(p.code for p in queries.products(uow) if p.vendor == "V100")


def test_restore_gives_back_exactly_what_was_backed_up(company: AppContext, tmp_path: Path):
    ctx = company
    before = contents(ctx)
    info = backup.backup(ctx, tmp_path / f"monday{suffix(ctx)}")
    assert info.path.is_file() and info.size > 0 and info.revision == db.head_revision()
    assert info.backend == ctx.engine.dialect.name
    assert not list(tmp_path.glob("*.part"))
    change_everything(ctx)
    assert contents(ctx) != before
    restored = backup.restore(ctx, info.path)
    assert restored.revision == db.head_revision()
    assert contents(ctx) == before
    with ctx.uow() as uow:  # the program carries on working on the restored data
        result = posting.post_slips(uow)
    assert result.slips == 3  # S2-S4 are drafts again; LATE was never there


def test_the_backup_file_kind_follows_the_database(ctx: AppContext):
    sqlite = ctx.engine.dialect.name == "sqlite"
    kind = backup.backup_format(ctx)
    assert kind == backup.BackupFormat(
        "SQLite backup" if sqlite else "PostgreSQL backup", "sqlite" if sqlite else "dump"
    )
    assert backup.suggested_name(ctx, datetime(2026, 3, 2, 9, 5)) == f"coop-2026-03-02-0905{suffix(ctx)}"


def test_a_backup_is_taken_while_another_connection_is_reading(company: AppContext, tmp_path: Path):
    ctx = company
    if ctx.engine.dialect.name == "sqlite":
        reader = sqlite3.connect(str(ctx.engine.url.database), isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM journal_line").fetchone()  # an open read snapshot
        try:
            info = backup.backup(ctx, tmp_path / "busy.sqlite")
        finally:
            reader.close()
    else:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM journal_line"))  # an open transaction
            info = backup.backup(ctx, tmp_path / "busy.dump")
    assert backup.inspect(ctx, info.path).revision == db.head_revision()


@pytest.fixture
def impostors(tmp_path: Path) -> dict[str, Path]:
    random_file = tmp_path / "random.sqlite"
    random_file.write_bytes(os.urandom(4096))
    csv = tmp_path / "vendors.sqlite"
    csv.write_text("code,name,currency\nV100,Acme,CAD\n")
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipe (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO recipe (name) VALUES ('soup')")
    conn.commit()
    conn.close()
    half = tmp_path / "half.sqlite"  # some of our table names, but no schema revision
    conn = sqlite3.connect(half)
    for name in backup.REQUIRED_TABLES[1:]:
        conn.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    return {"random": random_file, "csv": csv, "other": other, "half": half}


@pytest.mark.parametrize("name", ["random", "csv", "other", "half"])
def test_restore_refuses_a_file_that_is_not_a_backup(company: AppContext, impostors, name: str):
    before = contents(company)
    with pytest.raises(BackupError, match="not a backup of this application|no schema revision"):
        backup.restore(company, impostors[name])
    assert contents(company) == before


def test_restore_refuses_a_missing_file(ctx: AppContext, tmp_path: Path):
    with pytest.raises(BackupError, match="does not exist"):
        backup.restore(ctx, tmp_path / "nothing.sqlite")


def test_a_backup_of_the_other_kind_of_database_is_refused(company: AppContext, tmp_path: Path):
    ctx = company
    if ctx.engine.dialect.name == "sqlite":
        foreign = tmp_path / "pg.dump"
        foreign.write_bytes(b"PGDMP\x01\x0e\x00" + os.urandom(512))
    else:
        foreign = tmp_path / "local.sqlite"
        local = AppContext.open(f"sqlite:///{foreign}", user="tester")
        local.engine.dispose()
    before = contents(ctx)
    with pytest.raises(BackupError, match="not a backup of this application"):
        backup.restore(ctx, foreign)
    assert contents(ctx) == before


def test_restore_refuses_a_backup_of_a_newer_program(company: AppContext, tmp_path: Path):
    ctx = company
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    newer = backup.backup(ctx, tmp_path / f"newer{suffix(ctx)}")
    with ctx.engine.begin() as conn:
        conn.execute(text(f"UPDATE alembic_version SET version_num = '{db.head_revision()}'"))
    before = contents(ctx)
    with pytest.raises(BackupError, match="newer version of the program"):
        backup.restore(ctx, newer.path)
    assert contents(ctx) == before


def test_an_older_backup_is_restored_and_migrated(ctx: AppContext, tmp_path: Path):
    head = db.head_revision()
    older = ScriptDirectory.from_config(db.alembic_config()).get_revision(head).down_revision
    assert isinstance(older, str)
    import_example(ctx, "B_marginal", kinds=("categories", "vendors"))
    db.downgrade(ctx.engine, older)
    old_backup = backup.backup(ctx, tmp_path / f"old{suffix(ctx)}")
    assert old_backup.revision == older
    db.upgrade(ctx.engine)
    with ctx.uow() as uow:
        masterdata.save_vendors(uow, [masterdata.VendorIn("V999", "Later", None, "", True, label="Row 1")])
    backup.restore(ctx, old_backup.path)
    assert db.current_revision(ctx.engine) == head
    from app.services import queries

    with ctx.uow() as uow:
        assert "V999" not in {v.code for v in queries.vendors(uow)}
        assert "V100" in {v.code for v in queries.vendors(uow)}


def test_a_clerk_may_neither_back_up_nor_restore(company: AppContext, tmp_path: Path):
    with company.uow() as uow:
        security.save_user(uow, company.user, "ADMIN")
    with company.uow() as uow:
        security.save_user(uow, "carl", "CLERK")
    good = backup.backup(company, tmp_path / f"admin{suffix(company)}")
    clerk = AppContext(company.engine, "carl")
    with pytest.raises(PermissionDenied, match="back up and restore"):
        backup.backup(clerk, tmp_path / f"clerk{suffix(company)}")
    assert not (tmp_path / f"clerk{suffix(company)}").exists()
    before = contents(company)
    with pytest.raises(PermissionDenied):
        backup.restore(clerk, good.path)
    assert contents(company) == before


def test_the_backup_cannot_overwrite_the_database_itself(ctx: AppContext):
    if ctx.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    live = Path(str(ctx.engine.url.database))
    with pytest.raises(OutputRefused, match="database itself"):
        backup.backup(ctx, live, force=True)
    with pytest.raises(BackupError, match="database itself"):
        backup.restore(ctx, live)


def test_without_pg_dump_the_error_says_what_to_install(ctx: AppContext, tmp_path: Path, monkeypatch):
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump was not found on PATH.*postgresql-client"):
        backup.backup(ctx, tmp_path / "x.dump")


def test_coop_backup_and_restore_commands(company: AppContext, db_url: str, tmp_path: Path, capsys):
    file = tmp_path / f"cli{suffix(company)}"
    before = contents(company)
    assert coop(["--db", db_url, "--user", "tester", "backup", str(file)]) == 0
    assert "Backed up" in capsys.readouterr().out
    change_everything(company)
    company.engine.dispose()
    assert coop(["--db", db_url, "--user", "tester", "restore", str(file)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert contents(company) == before
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not,a,backup\n")
    assert coop(["--db", db_url, "--user", "tester", "restore", str(junk)]) == 1
    assert "not a backup of this application" in capsys.readouterr().err
