"""Shared fixtures: a fresh migrated database per test, on SQLite and (when
COOP_TEST_PG_URL is set) on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.adapters import db, roles
from app.services.context import AppContext

EXAMPLES = Path(__file__).parent / "fixtures" / "examples"
IMPORT_ORDER = ("categories", "vendors", "products", "gl-accounts", "gl-reference", "agreements", "receipts")
PG_URL = os.environ.get("COOP_TEST_PG_URL")
BACKENDS = ["sqlite", pytest.param("pg", marks=pytest.mark.pg)]
_TEMPLATE = f"coop_tpl_{os.getpid()}"


def _pg_admin():  # type: ignore[no-untyped-def]
    assert PG_URL
    return create_engine(db.make_engine(PG_URL).url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("COOP_TEST_PG_URL is not set")
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}"'))
        conn.execute(text(f'CREATE DATABASE "{_TEMPLATE}"'))
    url = make_url(str(db.make_engine(PG_URL).url)).set(database=_TEMPLATE)
    engine = db.make_engine(url.render_as_string(hide_password=False))
    db.upgrade(engine)
    engine.dispose()
    yield _TEMPLATE
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)'))
        drop_roles(conn, roles.default_prefix(_TEMPLATE))
    admin.dispose()


def drop_roles(conn, prefix: str) -> None:  # type: ignore[no-untyped-def]
    """The group and owner roles of a test database's prefix (roles belong to the cluster);
    a role still used by a database left behind stays."""
    for name in [roles.group_role(prefix, g) for g in roles.GROUPS] + [roles.owner_role(prefix)]:
        try:
            conn.execute(text(f"DROP ROLE IF EXISTS {roles.quoted(name)}"))
        except DBAPIError:
            pass


def fresh_pg_url(template: str) -> tuple[str, str]:
    name = f"coop_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    url = make_url(str(db.make_engine(PG_URL).url)).set(database=name)  # type: ignore[arg-type]
    return url.render_as_string(hide_password=False), name


def drop_pg(name: str) -> None:
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        drop_roles(conn, roles.default_prefix(name))  # a test that secured it again under its own name
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database at the latest schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'coop.sqlite'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url
        return
    template = request.getfixturevalue("pg_template")
    url, name = fresh_pg_url(template)
    yield url
    drop_pg(name)


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = AppContext.open(db_url, user="tester", upgrade=False)
    yield context
    context.engine.dispose()


def import_example(ctx: AppContext, name: str, kinds: tuple[str, ...] = IMPORT_ORDER) -> None:
    from app.services.imports import import_file

    for kind in kinds:
        with ctx.uow() as uow:
            import_file(uow, kind, EXAMPLES / name / f"{kind}.csv")


def import_text(ctx: AppContext, kind: str, text: str, folder: Path) -> int:
    """`text` written as <folder>/<kind>.csv and imported as `coop import <kind>` does, in one
    transaction; the rows imported."""
    from app.services.imports import import_file

    path = folder / f"{kind}.csv"
    path.write_text(text)
    with ctx.uow() as uow:
        return import_file(uow, kind, path)


def journal_net(path: Path, by: tuple[str, ...], role: str = "REBATE_RECEIVABLE") -> dict[tuple[str, ...], object]:
    """Net debit (credit negative) of one account role in an exported journal CSV, per the
    values of the `by` columns."""
    import csv
    from decimal import Decimal

    net: dict[tuple[str, ...], Decimal] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["account_role"] == role:
                key = tuple(row[c] for c in by)
                net[key] = net.get(key, Decimal(0)) + Decimal(row["debit"] or 0) - Decimal(row["credit"] or 0)
    return net  # type: ignore[return-value]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line for the PostgreSQL tests skipped (instead of a line per test), and how to run them."""
    skipped = terminalreporter.stats.get("skipped", [])
    on_pg = [r for r in skipped if "COOP_TEST_PG_URL is not set" in str(r.longrepr)]
    if on_pg:
        terminalreporter.write_line(
            f"{len(on_pg)} PostgreSQL tests skipped: to run them, set COOP_TEST_PG_URL to a server you may create "
            "databases on, e.g. COOP_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres make test"
        )
    if len(skipped) > len(on_pg):
        terminalreporter.write_line(f"{len(skipped) - len(on_pg)} other tests skipped (pytest -rs says why)")
