"""Unknown or disabled users are refused before anything else, migrations included, on every
`coop` command and when a program opens the database; only an administrator migrates
(issue 13, app.services.admission). Each refusal is one line naming the user, exit code 1,
no traceback, and the database is unchanged (every table, and alembic_version: no migration
ran). A new, empty database has no users: whoever opens it first creates the schema and then
adds the first administrator. On SQLite and PostgreSQL (COOP_TEST_PG_URL)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app.adapters import db, roles
from app.cli.main import main as cli_main
from app.models import Agreement, Base
from app.services import connection, security
from app.services.context import AppContext
from tests.conftest import BACKENDS, EXAMPLES, PG_URL, _pg_admin, drop_pg, import_example

UNKNOWN = "stranger is not a user of this database; ask an administrator to add you"
DISABLED = "dana is a disabled user of this database; ask an administrator to enable you"


def snapshot(engine) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        tables = {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }
        tables["alembic_version"] = [tuple(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return tables


def revision(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return set(db.stored_revisions(engine) or ())


def coop(capsys: pytest.CaptureFixture[str], url: str, user: str, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli_main(["--db", url, "--user", user, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def add_users(ctx: AppContext) -> None:
    """root (administrator), carl (clerk), dana (a clerk who left: disabled)."""
    with ctx.uow() as uow:
        security.save_user(uow, "root", "ADMIN")
    root = AppContext(ctx.engine, "root")
    for login in ("carl", "dana"):
        with root.uow() as uow:
            security.save_user(uow, login, "CLERK")
    with root.uow() as uow:
        security.save_user(uow, "dana", "CLERK", active=False)


@pytest.fixture
def company(ctx: AppContext) -> AppContext:
    import_example(ctx, "B_marginal")
    add_users(ctx)
    return ctx


def every_command(tmp: Path) -> list[list[str]]:
    backup = tmp / "kept.dump"
    backup.write_bytes(b"not read: the user is refused first")
    return [
        ["user", "list"],
        ["user", "add", "stranger", "--role", "ADMIN"],
        ["user", "disable", "root"],
        ["db", "upgrade"],
        ["demo", "--if-empty"],
        ["import", "vendors", str(EXAMPLES / "C_retro" / "vendors.csv")],
        ["post"],
        ["rerate", "--full"],
        ["export", "journal", "--new", "--out", str(tmp / "journal.csv")],
        ["report", "estimated", "--out", str(tmp / "estimated.csv")],
        ["statement", "--vendor", "V100", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(tmp / "s.pdf")],
        ["backup", str(tmp / "backup.dump")],
        ["restore", str(backup)],
    ]


@pytest.mark.parametrize(("login", "message"), [("stranger", UNKNOWN), ("dana", DISABLED)])
def test_every_command_refuses_an_unknown_or_disabled_user_first(company, db_url, tmp_path, capsys, login, message):
    files = tmp_path / "files"
    files.mkdir()
    before = snapshot(company.engine)
    for args in every_command(files):
        code, out, err = coop(capsys, db_url, login, *args)
        assert (code, out, err) == (1, "", f"error: {message}\n"), args
    assert snapshot(company.engine) == before
    assert sorted(p.name for p in files.iterdir()) == ["kept.dump"]  # no output file either


def test_active_users_still_work_and_only_an_administrator_runs_db_upgrade(company, db_url, capsys):
    code, out, _err = coop(capsys, db_url, "carl", "user", "list")
    assert code == 0 and "root" in out and "disabled" in out
    before = snapshot(company.engine)
    code, out, err = coop(capsys, db_url, "carl", "db", "upgrade")
    assert (code, out) == (1, "")
    assert err == (
        "error: carl (Clerk) may not upgrade the database schema; ask an administrator to run `coop db upgrade`\n"
    )
    assert snapshot(company.engine) == before
    code, out, _err = coop(capsys, db_url, "root", "db", "upgrade")
    assert code == 0 and "latest schema" in out


def previous_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    down = script.get_revision(db.head_revision()).down_revision
    assert isinstance(down, str)
    return down


def test_only_an_administrator_migrates_an_older_database(company, db_url, capsys):
    """A schema one revision older than this program, with users: a clerk, an unknown and a
    disabled user are refused and nothing migrates; the administrator's command migrates."""
    older = previous_revision()
    company.engine.dispose()
    db.downgrade(company.engine, older)
    assert revision(company.engine) == {older}
    with company.engine.connect() as conn:
        before = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("app_user", "vendor")}
    for login, message in (
        (
            "carl",
            "the database is older than this program and carl (Clerk) may not upgrade the database schema; "
            "ask an administrator to run `coop db upgrade`",
        ),
        ("stranger", UNKNOWN),
        ("dana", DISABLED),
    ):
        for args in (["user", "list"], ["db", "upgrade"], ["post"]):
            assert coop(capsys, db_url, login, *args) == (1, "", f"error: {message}\n"), (login, args)
            assert revision(company.engine) == {older}
    with company.engine.connect() as conn:
        assert {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in before} == before
    code, out, _err = coop(capsys, db_url, "root", "user", "list")  # opening it migrates it
    assert code == 0 and "carl" in out
    assert revision(company.engine) == {db.head_revision()}
    if company.engine.dialect.name == "postgresql":  # 0013 secured it again: the users' logins and groups
        with company.engine.connect() as conn:
            prefix = roles.stored_prefix(conn) or ""
            member = "SELECT pg_has_role(:u, :g, 'MEMBER')"
            assert conn.execute(text(member), {"u": "carl", "g": roles.group_role(prefix, "clerk")}).scalar()
            assert not conn.execute(text(member), {"u": "dana", "g": roles.group_role(prefix, "clerk")}).scalar()


def test_the_program_s_start_refuses_them_too(company, db_url):
    """The main window opens its database through connection.open_context (app.ui.startup)."""
    before = snapshot(company.engine)
    shown = connection.display_url(db_url)
    for login, message in (("stranger", UNKNOWN), ("dana", DISABLED)):
        with pytest.raises(connection.CannotConnect) as info:
            connection.open_context(db_url, login)
        assert str(info.value) == f"Cannot use {shown}: {message}"
    opened = connection.open_context(db_url, "carl")
    opened.close_connections()
    assert snapshot(company.engine) == before
    older = previous_revision()
    pg = company.engine.dialect.name == "postgresql"
    company.engine.dispose()
    db.downgrade(company.engine, older)
    with pytest.raises(connection.CannotConnect, match="carl \\(Clerk\\) may not upgrade the database schema"):
        connection.open_context(db_url, "carl")
    assert revision(company.engine) == {older}
    connection.open_context(db_url, "root").close_connections()
    after = snapshot(company.engine)
    # db_security: when the downgrade went below 0013, made again under this database's own name
    # (a copy of the tests' template before); nothing else changed.
    own = [(1, roles.default_prefix(company.engine.url.database or ""))] if pg else []
    assert after.pop("db_security") == (own if older < "0013" else before["db_security"])
    # The agreements' decision and terms (migration 0014) went with a downgrade below 0014 and
    # came back as their defaults: the previous schema has no place for them.
    if older < "0014":
        columns = [c.name for c in Agreement.__table__.columns]
        lost = {columns.index(n): v for n, v in (("decided_by", None), ("decided_at", None), ("terms", ""))}
        before["agreement"] = [tuple(lost.get(i, v) for i, v in enumerate(r)) for r in before["agreement"]]
    assert after == {name: rows for name, rows in before.items() if name != "db_security"}


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even a schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("COOP_TEST_PG_URL is not set")
    name = f"coop_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield make_url(str(db.make_engine(PG_URL).url)).set(database=name).render_as_string(hide_password=False)
    drop_pg(name)


def test_the_first_upgrade_of_an_empty_database_makes_its_administrator(empty_url, capsys):
    """As the README's first steps: `coop db upgrade` by whoever sets it up (no users yet:
    single-user mode), who then adds themselves as the first administrator; from then on an
    unknown user is refused."""
    code, out, err = coop(capsys, empty_url, "first", "db", "upgrade", "--company", "Northshore")
    assert code == 0, err
    code, _out, err = coop(capsys, empty_url, "first", "demo", "--if-empty")
    assert code == 0, err
    assert coop(capsys, empty_url, "first", "user", "add", "first", "--role", "ADMIN")[0] == 0
    assert coop(capsys, empty_url, "first", "user", "add", "carl", "--role", "CLERK")[0] == 0
    assert coop(capsys, empty_url, "stranger", "user", "list") == (1, "", f"error: {UNKNOWN}\n")
    code, out, _err = coop(capsys, empty_url, "carl", "user", "list")
    assert code == 0 and "first" in out


def test_the_console_script_prints_one_line_and_no_traceback(company, db_url):
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "--db", db_url, "--user", "stranger", "db", "upgrade"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],  # this checkout's app
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"error: {UNKNOWN}\n")
