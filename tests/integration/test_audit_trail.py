"""The audit trail (issue 13) on SQLite and PostgreSQL: every change to master data, users and
roles, the GL setup and the company's settings is recorded by the database (who, when, old,
new), also when it is made behind the program; the trail is append-only; a save that changes
nothing records nothing; `coop audit-trail` prints and writes it; accountants and
administrators see it."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.cli.main import main
from app.services import audit_trail, masterdata, security
from app.services.audit_trail import TrailRow
from app.services.context import AppContext
from app.services.errors import PermissionDenied
from app.services.masterdata import VendorIn
from tests.conftest import EXAMPLES, import_example

EXAMPLE = EXAMPLES / "B_marginal"
V100 = {
    "id": 1,
    "code": "V100",
    "name": "Northern Gypsum Ltd",
    "currency": "CAD",
    "address": "",
    "active": True,
    "billing_address": "",  # SPEC §11.1, §18 (migration 0014)
    "email": "",
    "default_method": "CD",
    "terms_days": 30,
}
INSERTED = "id: 1; code: 'V100'; name: 'Northern Gypsum Ltd'; currency: 'CAD'; active: yes; default_method: 'CD'; terms_days: 30"


# The company row as the trail records it (migration 0015 added the settlement settings).
COMPANY = {
    "id": 1, "name": "My Company", "currency": "CAD", "address": "", "remit_to": "",
    "write_off_tolerance": Decimal("5.00"), "dispute_window_days": 60,
}  # fmt: skip


def search(ctx: AppContext, **filters: Any) -> list[TrailRow]:
    with ctx.uow() as uow:
        return audit_trail.search(uow, limit=None, **filters)


def login(ctx: AppContext) -> str | None:
    """The database login (PostgreSQL's session_user); SQLite has none."""
    if ctx.engine.dialect.name != "postgresql":
        return None
    with ctx.engine.connect() as conn:
        return str(conn.execute(text("SELECT session_user")).scalar_one())


def test_saving_a_vendor_records_the_row_before_and_after_and_who_saved_it(ctx):
    import_example(ctx, "B_marginal", ("vendors",))
    with ctx.uow() as uow:
        masterdata.save_vendors(uow, [VendorIn("V100", "Northern Gypsum Inc", address="1 Mill Rd")])
    rows = search(ctx)  # newest first
    who = login(ctx)
    assert [(r.table, r.action, r.record, r.app_user, r.db_user) for r in rows] == [
        ("vendor", "UPDATE", "V100 (#1)", "tester", who),
        ("vendor", "INSERT", "V100 (#1)", "tester", who),
        ("company", "INSERT", "1", "tester", who),  # the import made the company row
    ]
    update, insert = rows[0], rows[1]
    assert update.old == V100 and insert.new == V100 and insert.old is None
    assert update.new == {**V100, "name": "Northern Gypsum Inc", "address": "1 Mill Rd"}
    assert update.changes == "name: 'Northern Gypsum Ltd' → 'Northern Gypsum Inc'; address: '' → '1 Mill Rd'"
    assert insert.changes == INSERTED
    assert rows[2].new == COMPANY
    assert rows[0].changed_at >= rows[1].changed_at >= rows[2].changed_at


def test_coop_import_products_records_each_product(ctx, db_url):
    import_example(ctx, "B_marginal", ("categories", "vendors"))
    assert main(["--db", db_url, "--user", "tester", "import", "products", str(EXAMPLE / "products.csv")]) == 0
    rows = sorted(search(ctx, table="product"), key=lambda r: r.record)
    assert [(r.action, r.record, r.app_user, r.old) for r in rows] == [
        ("INSERT", "GYP-HALF-4X8 (#1)", "tester", None),
        ("INSERT", "GYP-OTHER (#2)", "tester", None),
        ("INSERT", "SPF-2X4-8 (#3)", "tester", None),
    ]
    assert rows[0].new == {
        "id": 1,
        "code": "GYP-HALF-4X8",
        "description": "Gypsum 1/2 x 4 x 8",
        "vendor_id": 1,
        "cat1": "GYPSUM",
        "cat2": "GYP-BOARD",
        "cat3": "GYP-REG",
        "cat4": "GYP-REG-HALF",
        "unit_cost": Decimal("1.0000"),
        "vendor_item_code": None,
    }  # the running totals (received_qty, received_net) are not recorded
    assert str(rows[2].new["unit_cost"]) == "1.0000"  # type: ignore[index]


def test_a_change_made_behind_the_program_is_recorded_without_a_user(ctx):
    import_example(ctx, "B_marginal", ("vendors",))  # committed by the program, as tester
    with ctx.engine.begin() as conn:  # then psql or sqlite3: no application user
        conn.execute(text("UPDATE vendor SET active = :no WHERE code = 'V100'"), {"no": False})
        conn.execute(text("DELETE FROM company"))
    who = login(ctx)
    rows = search(ctx)
    assert [(r.table, r.action, r.app_user, r.db_user, r.changes) for r in rows[:2]] == [
        (
            "company",
            "DELETE",
            None,
            who,
            "id: 1; name: 'My Company'; currency: 'CAD'; write_off_tolerance: 5.00; dispute_window_days: 60",
        ),
        ("vendor", "UPDATE", None, who, "active: yes → no"),
    ]
    assert rows[0].old == COMPANY and rows[0].new is None
    if who is not None:  # PostgreSQL: a client may claim any user; the login beside it is the database's
        with ctx.engine.begin() as conn:
            conn.execute(text("SELECT set_config('coop.app_user', 'admin', true)"))
            conn.execute(text("UPDATE vendor SET name = 'Claimed' WHERE code = 'V100'"))
        assert [(r.app_user, r.db_user, r.changes) for r in search(ctx)[:1]] == [
            ("admin", who, "name: 'Northern Gypsum Ltd' → 'Claimed'")
        ]


@pytest.mark.parametrize("statement", ["UPDATE audit_trail SET app_user = 'someone else'", "DELETE FROM audit_trail"])
def test_the_trail_is_append_only(ctx, statement):
    import_example(ctx, "B_marginal", ("vendors",))
    before = search(ctx)
    assert len(before) == 2
    with pytest.raises(DBAPIError, match="append-only"), ctx.engine.begin() as conn:
        conn.execute(text(statement))
    assert search(ctx) == before


def test_a_save_that_changes_nothing_records_nothing(ctx):
    import_example(ctx, "B_marginal", ("categories", "vendors", "products"))
    before = search(ctx)
    assert len(before) == 1 + 1 + 8 + 3  # the company, V100, 8 categories, 3 products
    with ctx.uow() as uow:
        masterdata.save_vendors(uow, [VendorIn("V100", "Northern Gypsum Ltd")])
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE vendor SET name = name, active = active"))
        # what posting keeps on a product (the journal records it): not a change of master data
        conn.execute(text("UPDATE product SET received_qty = received_qty + 10000, received_net = received_net + 100"))
    assert search(ctx) == before


def test_every_audited_table_is_recorded_and_accountants_and_administrators_see_it(ctx):
    import_example(ctx, "B_marginal", ("categories", "vendors", "products", "gl-accounts", "gl-reference"))
    with ctx.uow() as uow:
        masterdata.set_company(uow, "Building Supply Co", "CAD", "1 Main St")
    for user, role, name in [("tester", "ADMIN", ""), ("carl", "CLERK", ""), ("acct", "ACCOUNTANT", "")]:
        with ctx.uow() as uow:
            security.save_user(uow, user, role, name)
    with ctx.uow() as uow:
        security.save_user(uow, "carl", "MANAGER", "Carl")
    everything = search(ctx)
    assert {r.table for r in everything} == set(audit_trail.TABLES)
    assert [r.changes for r in everything if r.table == "company" and r.action == "UPDATE"] == [
        "name: 'My Company' → 'Building Supply Co'; address: '' → '1 Main St'"
    ]
    with AppContext(ctx.engine, "acct").uow() as uow:
        users = audit_trail.search(uow, table="app_user")
    assert [(r.action, r.record, r.app_user) for r in users] == [
        ("UPDATE", "carl (#2)", "tester"),
        ("INSERT", "acct (#3)", "tester"),
        ("INSERT", "carl (#2)", "tester"),
        ("INSERT", "tester (#1)", "tester"),
    ]
    assert users[0].changes == "name: '' → 'Carl'; role: 'CLERK' → 'MANAGER'"
    for who in ("carl", "nobody"):  # a manager now; not a user
        with AppContext(ctx.engine, who).uow() as uow, pytest.raises(PermissionDenied):
            audit_trail.search(uow)
    with AppContext(ctx.engine, "carl").uow() as uow, pytest.raises(PermissionDenied, match="view the audit trail"):
        audit_trail.search(uow)


def test_the_search_filters(ctx):
    import_example(ctx, "B_marginal", ("categories", "vendors", "products"))
    everything = search(ctx)
    today = date.today()
    assert search(ctx, date_from=today, date_to=today) == everything
    assert search(ctx, date_to=today - timedelta(days=1)) == []
    assert search(ctx, date_from=today + timedelta(days=1)) == []
    assert search(ctx, user="tester") == everything
    assert search(ctx, user="nobody") == []
    assert [r.record for r in search(ctx, text="gyp-other")] == ["GYP-OTHER (#2)"]
    assert search(ctx, text="%") == []  # a literal percent sign, not a wildcard
    assert [r.record for r in search(ctx, table="vendor")] == ["V100 (#1)"]
    with ctx.uow() as uow:
        assert len(audit_trail.search(uow, limit=2)) == 2


def test_coop_audit_trail_prints_the_changes_and_writes_them_to_a_file(ctx, db_url, tmp_path, capsys):
    import_example(ctx, "B_marginal", ("vendors",))
    with ctx.uow() as uow:
        masterdata.save_vendors(uow, [VendorIn("V100", "Northern Gypsum Inc")])
    capsys.readouterr()

    def coop(*args: str) -> int:
        return main(["--db", db_url, "--user", "tester", "audit-trail", *args])

    assert coop("--table", "vendor") == 0
    out = capsys.readouterr()
    who = "tester" if login(ctx) is None else f"tester (login {login(ctx)})"
    assert [line.split("  ", 1)[1] for line in out.out.splitlines()] == [
        f"{who}  vendor UPDATE V100 (#1): name: 'Northern Gypsum Ltd' → 'Northern Gypsum Inc'",
        f"{who}  vendor INSERT V100 (#1): {INSERTED}",
    ]
    assert out.err == "2 changes\n"

    target = tmp_path / "trail.csv"
    assert coop("--text", "NORTHERN", "--out", str(target)) == 0
    assert capsys.readouterr().out == f"Wrote 2 changes to {target}\n"
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(audit_trail.COLUMNS)
    assert [(r["db_user"], r["app_user"], r["table"], r["action"], r["record"], r["changes"]) for r in rows] == [
        (login(ctx) or "", "tester", "vendor", "UPDATE", "V100 (#1)", "name: 'Northern Gypsum Ltd' → 'Northern Gypsum Inc'"),
        (login(ctx) or "", "tester", "vendor", "INSERT", "V100 (#1)", INSERTED),
    ]  # fmt: skip
    assert json.loads(rows[0]["old_values"]) == V100
    assert json.loads(rows[0]["new_values"]) == {**V100, "name": "Northern Gypsum Inc"}
    assert rows[1]["old_values"] == ""
    assert date.fromisoformat(rows[0]["changed_at"][:10]) >= date.today() - timedelta(days=1)

    assert coop("--out", str(target)) == 2  # there already: only with --force
    assert capsys.readouterr().err == f"error: {target} already exists; use --force to replace it\n"
    assert coop("--out", str(target), "--force", "--table", "company") == 0
    with target.open(newline="", encoding="utf-8") as fh:
        assert [(r["table"], r["action"], r["record"]) for r in csv.DictReader(fh)] == [("company", "INSERT", "1")]
    capsys.readouterr()
    assert coop("--from", "2026-02-02", "--to", "2026-02-01") == 2
    assert capsys.readouterr().err == "error: --from is after --to\n"
    with pytest.raises(SystemExit):  # not an audited table
        coop("--table", "journal_line")


def test_a_login_without_rights_on_the_trail_is_recorded_under_its_own_name(ctx):
    """PostgreSQL: the triggers write the trail with their owner's rights, so a login that may
    change vendors but only read the trail has its change recorded, under its login, and
    cannot write the trail itself."""
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("database logins are PostgreSQL's")
    import_example(ctx, "B_marginal", ("vendors",))
    role = f"coop_trail_{uuid.uuid4().hex[:8]}"
    with ctx.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'secret'"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT SELECT, UPDATE ON vendor TO {role}"))
        conn.execute(text(f"GRANT SELECT ON audit_trail TO {role}"))
    clerk = create_engine(ctx.engine.url.set(username=role, password="secret"))
    try:
        with clerk.begin() as conn:
            conn.execute(text("UPDATE vendor SET name = 'Renamed by a login' WHERE code = 'V100'"))
        with pytest.raises(DBAPIError, match="permission denied"), clerk.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_trail (changed_at, table_name, action, record_key) "
                    "VALUES (now(), 'vendor', 'UPDATE', '1')"
                )
            )
    finally:
        clerk.dispose()
        with ctx.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
    assert [(r.db_user, r.app_user, r.changes) for r in search(ctx)[:1]] == [
        (role, None, "name: 'Northern Gypsum Ltd' → 'Renamed by a login'")
    ]
    assert len(search(ctx)) == 3  # the company, V100, the rename: nothing the login wrote itself
