"""Issue 13, items 1, 2 and 5 on a real PostgreSQL server: each user logs in with their own
login, made the way the README says (`coop user add LOGIN --role ROLE`), and the database
enforces what each role may do. Every attack fails with a clear error and changes nothing;
every role's daily work still runs. PostgreSQL only (COOP_TEST_PG_URL); the logins are named
uniquely per run and dropped afterwards (roles belong to the whole cluster)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.adapters import roles
from app.cli.main import main
from app.services import agreements, estimated, posting, receiving, security
from app.services.context import AppContext
from app.services.errors import PermissionDenied
from tests.conftest import _pg_admin, drop_pg, fresh_pg_url, import_example
from tests.integration.test_bad_input import snapshot
from tests.integration.test_permissions import LINE

pytestmark = pytest.mark.pg
ROLES = {"admin": "ADMIN", "clerk": "CLERK", "manager": "MANAGER", "acct": "ACCOUNTANT"}


@dataclass
class Company:
    url: str  # as the superuser (postgres)
    logins: dict[str, str]  # "clerk" → the login's name
    su: AppContext

    def url_of(self, who: str) -> str:
        return make_url(self.url).set(username=self.logins.get(who, who)).render_as_string(hide_password=False)

    def open(self, who: str) -> AppContext:
        return AppContext.open(self.url_of(who), upgrade=False)


def as_superuser(url: str):  # type: ignore[no-untyped-def]
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


@pytest.fixture
def company(pg_template: str) -> Iterator[Company]:
    url, name = fresh_pg_url(pg_template)
    run = uuid.uuid4().hex[:6]
    logins = {key: f"t{run}_{key}" for key in ROLES}
    engine = as_superuser(url)
    with engine.connect() as conn:
        # CONNECT is the database's own (not copied from the template): taken from PUBLIC here
        # as the first `coop db upgrade` of a new database does.
        roles.grant_database(conn, roles.stored_prefix(conn) or "")
    su = AppContext.open(url, user="setup", upgrade=False)
    import_example(su, "B_marginal", ("categories", "vendors", "products", "gl-accounts", "gl-reference"))
    # The README's steps: the superuser adds the first administrator, who adds the others.
    assert main(["--db", url, "user", "add", logins["admin"], "--role", "ADMIN"]) == 0
    for key, role in ROLES.items():
        if key != "admin":
            admin_url = make_url(url).set(username=logins["admin"]).render_as_string(hide_password=False)
            assert main(["--db", admin_url, "user", "add", logins[key], "--role", role]) == 0
    su = AppContext(su.engine, logins["admin"])  # the superuser acting as the administrator
    try:
        yield Company(url, logins, su)
    finally:
        su.engine.dispose()
        engine.dispose()
        drop_pg(name)
        engine = _pg_admin()
        with engine.connect() as conn:
            for login in [*logins.values(), f"t{run}_stranger", f"t{run}_newbie"]:
                conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        engine.dispose()


def run_sql(company: Company, who: str, statement: str) -> None:
    engine = as_superuser(company.url_of(who))
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


# --- (1) identity: the login is the user ------------------------------------------------------


def test_a_clerk_cannot_claim_another_user(company, capsys, monkeypatch):
    before = snapshot(company.su)
    clerk = company.url_of("clerk")
    acct = company.logins["acct"]
    assert main(["--db", clerk, "--user", acct, "user", "list"]) == 1
    assert f"logged in to the database as {company.logins['clerk']} and may not act as {acct}" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("COOP_USER", acct)
    assert main(["--db", clerk, "report", "estimated", "--out", "/nonexistent/x.csv"]) == 1
    assert "may not act as" in capsys.readouterr().err
    monkeypatch.delenv("COOP_USER")
    assert main(["--db", clerk, "user", "add", "x_evil", "--role", "ADMIN"]) == 1
    assert f"{company.logins['clerk']} (Clerk) may not maintain users" in capsys.readouterr().err
    with pytest.raises(PermissionDenied, match="may not act as"):
        AppContext.open(clerk, user=acct, upgrade=False)
    own = company.open("clerk")
    try:  # a context made in code, naming another user: its first transaction is refused
        with AppContext(own.engine, acct).uow() as uow, pytest.raises(PermissionDenied, match="may not act as"):
            security.list_users(uow)
    finally:
        own.close_connections()
    assert snapshot(company.su) == before


def test_naming_ones_own_login_is_accepted(company, capsys):
    clerk = company.logins["clerk"]
    assert main(["--db", company.url_of("clerk"), "--user", clerk, "user", "list"]) == 0
    assert clerk in capsys.readouterr().out


# --- (2) the database enforces append-only and ownership --------------------------------------

ATTACKS = [
    "ALTER TABLE journal_line DISABLE TRIGGER ALL",
    "ALTER TABLE journal_line DISABLE TRIGGER journal_line_append_only",
    "UPDATE journal_line SET debit = debit + 1",
    "DELETE FROM journal_line",
    "TRUNCATE journal_line CASCADE",
    "UPDATE journal_entry SET created_by = 'someone_else'",
    "DELETE FROM journal_entry",
    "TRUNCATE journal_entry CASCADE",
    "UPDATE agreement_history SET \"user\" = 'someone_else'",
    "DELETE FROM agreement_history",
    "TRUNCATE agreement_history",
    "UPDATE audit_trail SET app_user = 'someone_else'",
    "DELETE FROM audit_trail",
    "TRUNCATE audit_trail",
    "UPDATE receipt_line SET quantity = quantity + 1",  # posted slips: re-rating would launder it
    "DELETE FROM receipt_line",
    "UPDATE receiving_slip SET status = 'DRAFT'",
    "DELETE FROM receiving_slip",
    "UPDATE app_user SET role = 'ADMIN'",
    "INSERT INTO app_user (login, name, role, active) VALUES ('x_evil', '', 'ADMIN', true)",
    "DROP TRIGGER journal_line_append_only ON journal_line",
    "SET ROLE {owner}",
    "UPDATE line_accrual SET tier = 9 WHERE false; ALTER TABLE line_accrual DISABLE TRIGGER ALL",
]


@pytest.fixture
def posted(company: Company) -> Company:
    """S1 and S2 posted by the accountant; an accepted agreement by the manager (history rows)."""
    with company.su.uow() as uow:
        from app.services import imports
        from tests.conftest import EXAMPLES

        imports.import_file(uow, "agreements", EXAMPLES / "B_marginal" / "agreements.csv")
        imports.import_file(uow, "receipts", EXAMPLES / "B_marginal" / "receipts.csv")
    acct = company.open("acct")
    with acct.uow() as uow:
        posting.post_slips(uow)
    acct.close_connections()
    manager = company.open("manager")
    with manager.uow() as uow:
        view = agreements.save_agreement(uow, vendor="V100", kind="VOLUME", status="PENDING", lines=[LINE])
        agreements.set_status(uow, view.id, "ACCEPTED", expected_version=view.version)
    manager.close_connections()
    return company


@pytest.mark.parametrize("who", ["clerk", "manager", "acct", "admin"])
def test_no_daily_login_can_change_the_books_behind_the_program(posted, who):
    before = snapshot(posted.su)
    assert before["journal_line"] and before["agreement_history"] and before["audit_trail"]
    owner = roles.owner_role(_prefix(posted))
    for attack in ATTACKS if who != "admin" else ATTACKS[:-2] + ATTACKS[-1:]:  # an administrator may be the owner
        with pytest.raises(
            DBAPIError, match="permission denied|must be owner|append-only|posted receiving slip|is posted"
        ) as failure:
            run_sql(posted, who, attack.format(owner=owner))
        refused = str(failure.value)  # by the privileges; UPDATE and DELETE perhaps by a trigger first
        assert "permission denied" in refused or "must be owner" in refused or attack.startswith(("UPDATE", "DELETE"))
    assert snapshot(posted.su) == before


def _prefix(company: Company) -> str:
    with company.su.engine.connect() as conn:
        return roles.stored_prefix(conn) or ""


@pytest.mark.parametrize("who", ["clerk", "acct"])
def test_who_wrote_an_entry_is_the_login_whatever_the_client_sends(posted, who):
    login = posted.logins[who]
    run_sql(
        posted,
        who,
        "INSERT INTO journal_entry (id, entry_date, source, reference, created_by, created_at) "
        "VALUES (900001, '2026-03-01', 'MANUAL', 'forged', 'someone_else', now())",
    )
    with posted.su.engine.connect() as conn:
        assert conn.execute(text("SELECT created_by FROM journal_entry WHERE id = 900001")).scalar_one() == login
        # The entries posted through the program name the login too.
        writers = set(conn.execute(text("SELECT DISTINCT created_by FROM journal_entry WHERE id < 900001")).scalars())
        history = set(conn.execute(text('SELECT DISTINCT "user" FROM agreement_history')).scalars())
        trail = set(conn.execute(text("SELECT DISTINCT db_user FROM audit_trail")).scalars())
    # The administrator imported the agreements, the accountant posted, the manager accepted.
    assert writers == {posted.logins["acct"], posted.logins["manager"]}
    assert history == {posted.logins["admin"], posted.logins["manager"]}
    # The superuser set the company up; the administrator added users (as the owner role: the
    # trail names the login acting, not the owner role).
    assert trail == {"postgres", posted.logins["admin"]}
    run_sql(posted, "manager", "UPDATE vendor SET name = 'Renamed behind the program'")
    with posted.su.engine.connect() as conn:
        last = conn.execute(text("SELECT db_user, app_user FROM audit_trail ORDER BY id DESC LIMIT 1")).one()
    assert tuple(last) == (posted.logins["manager"], None)


# --- (5) unknown logins -----------------------------------------------------------------------


def test_an_unknown_login_is_refused_before_anything(company, capsys):
    stranger = company.logins["admin"].replace("_admin", "_stranger")
    company.logins["stranger"] = stranger
    engine = as_superuser(company.url)
    with engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{stranger}" LOGIN'))
    before = snapshot(company.su)
    # Not a member of any of the database's roles: it cannot even connect.
    assert main(["--db", company.url_of("stranger"), "db", "upgrade"]) == 1
    assert "permission denied for database" in capsys.readouterr().err
    # Made a member of the clerks' group behind the program, but no user of the database.
    with engine.connect() as conn:
        conn.execute(text(f'GRANT "{roles.group_role(_prefix(company), "clerk")}" TO "{stranger}"'))
    engine.dispose()
    for command in (["db", "upgrade"], ["user", "list"]):
        assert main(["--db", company.url_of("stranger"), *command]) == 1
        assert f"{stranger} is not a user of this database" in capsys.readouterr().err
    # A clerk may not migrate either.
    assert main(["--db", company.url_of("clerk"), "db", "upgrade"]) == 1
    assert "may not upgrade the database schema" in capsys.readouterr().err
    assert snapshot(company.su) == before


# --- daily work under the login's own privileges ----------------------------------------------


def test_a_clerk_saves_and_posts_own_slip(company):
    import_example(company.su, "B_marginal", ("agreements",))
    clerk = company.open("clerk")
    slip = receiving.SlipIn("S9", "V100", date(2026, 2, 1), (receiving.SlipLineIn(1, "GYP-OTHER", Decimal(25000)),))
    with clerk.uow() as uow:
        assert receiving.save_and_post(uow, slip) == "S9"
    with clerk.uow() as uow:
        view = receiving.load_slip(uow, "S9")
    clerk.close_connections()
    assert (view.status, view.total) == ("POSTED", Decimal("25000.00"))
    with company.su.engine.connect() as conn:
        rows = conn.execute(text("SELECT created_by, posted_by FROM receiving_slip WHERE slip_no = 'S9'")).one()
        entries = conn.execute(text("SELECT DISTINCT created_by FROM journal_entry")).scalars().all()
    assert tuple(rows) == (company.logins["clerk"], company.logins["clerk"])
    assert entries == [company.logins["clerk"]]


def test_an_accountant_rerates_reports_and_exports(posted, tmp_path):
    acct = posted.url_of("acct")
    assert main(["--db", acct, "rerate", "--full"]) == 0
    assert main(["--db", acct, "audit"]) == 0
    assert main(["--db", acct, "report", "estimated", "--out", str(tmp_path / "est.csv")]) == 0
    assert main(["--db", acct, "export", "journal", "--new", "--out", str(tmp_path / "gl.csv")]) == 0
    assert main(["--db", acct, "audit-trail", "--out", str(tmp_path / "trail.csv")]) == 0
    with posted.su.engine.connect() as conn:
        exported_by = conn.execute(text("SELECT exported_by FROM journal_export")).scalars().all()
    assert exported_by == [posted.logins["acct"]]
    ctx = posted.open("acct")
    with ctx.uow() as uow:
        assert estimated.estimated_rebates(uow, date(2026, 12, 31))
        posting.rerate(uow)
    ctx.close_connections()


def test_an_administrator_manages_users(company, capsys):
    admin = company.url_of("admin")
    assert main(["--db", admin, "db", "upgrade", "--company", "Renamed Co"]) == 0  # an administrator's command
    newbie = company.logins["admin"].replace("_admin", "_newbie")
    company.logins["newbie"] = newbie
    assert main(["--db", admin, "user", "add", newbie, "--role", "CLERK"]) == 0
    assert main(["--db", company.url_of("newbie"), "user", "list"]) == 0  # may log in
    assert main(["--db", admin, "user", "add", newbie, "--role", "MANAGER"]) == 0
    assert _groups(company, newbie) == {roles.group_role(_prefix(company), "manager")}
    assert main(["--db", admin, "user", "disable", newbie]) == 0
    assert _groups(company, newbie) == set()
    capsys.readouterr()
    assert main(["--db", company.url_of("newbie"), "user", "list"]) == 1
    assert "permission denied for database" in capsys.readouterr().err
    assert main(["--db", admin, "user", "enable", newbie]) == 0
    assert _groups(company, newbie) == {roles.group_role(_prefix(company), "manager")}
    with company.su.uow() as uow:
        assert security.get_user(uow, newbie).role == "MANAGER"


def test_an_administrator_sets_a_password_read_from_stdin(company, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["--db", company.url_of("admin"), "user", "password", company.logins["clerk"]]) == 0
    with as_superuser(company.url).connect() as conn:
        stored = conn.execute(
            text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": company.logins["clerk"]}
        ).scalar_one()
    assert stored.startswith(("SCRAM-SHA-256$", "md5"))  # a hash, never the password


def _groups(company: Company, login: str) -> set[str]:
    with company.su.engine.connect() as conn:
        return set(
            conn.execute(
                text(
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                    "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :u"
                ),
                {"u": login},
            ).scalars()
        )


def test_an_administrator_backs_up_and_restores(posted, tmp_path: Path):
    admin = posted.url_of("admin")
    before = snapshot(posted.su)
    assert main(["--db", admin, "backup", str(tmp_path / "b.dump")]) == 0
    clerk = posted.open("clerk")
    with clerk.uow() as uow:
        receiving.save_slips(
            uow, [receiving.SlipIn("S9", "V100", date(2026, 3, 1), (receiving.SlipLineIn(1, "GYP-OTHER", Decimal(5)),))]
        )
    clerk.close_connections()
    assert main(["--db", admin, "restore", str(tmp_path / "b.dump")]) == 0
    after = snapshot(posted.su)
    assert {k: v for k, v in after.items() if k != "audit_trail"} == {
        k: v for k, v in before.items() if k != "audit_trail"
    }
    with as_superuser(posted.url).connect() as conn:
        owners = set(
            conn.execute(
                text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
        )
    assert owners == {roles.owner_role(_prefix(posted))}
    # The grants are there again: the clerk works, and still cannot change the journal.
    clerk = posted.open("clerk")
    with clerk.uow() as uow:
        assert receiving.save_and_post(
            uow, receiving.SlipIn("S9", "V100", date(2026, 3, 1), (receiving.SlipLineIn(1, "GYP-OTHER", Decimal(5)),))
        )
    clerk.close_connections()
    with pytest.raises(DBAPIError, match="permission denied"):
        run_sql(posted, "clerk", "DELETE FROM journal_line")


def test_a_login_that_may_not_create_roles_cannot_secure_a_database(company):
    """Migration 0013 fails at once, saying what to run, and the database stays as it was."""
    from app.adapters import db

    login = company.logins["admin"].replace("_admin", "_stranger")
    company.logins["stranger"] = login
    engine = as_superuser(company.url)
    db.downgrade(company.su.engine, "0012")  # as the superuser: back to before the roles
    company.su.engine.dispose()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{login}" LOGIN NOCREATEROLE'))
        conn.execute(text(f'GRANT CREATE ON SCHEMA public TO "{login}"'))
        conn.execute(text(f'GRANT SELECT ON alembic_version TO "{login}"'))
    engine.dispose()
    before = rows_of(company.su.engine)
    weak = db.make_engine(company.url_of("stranger"))
    try:
        with pytest.raises(RuntimeError, match="run `coop db upgrade` once as the database superuser"):
            db.upgrade(weak)
    finally:
        weak.dispose()
    assert db.current_revision(company.su.engine) == "0012"
    assert rows_of(company.su.engine) == before


def rows_of(engine) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of every table there is (at an older revision: not all of the models')."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        return {
            t: sorted(tuple(map(str, r)) for r in conn.execute(text(f'SELECT * FROM "{t}"')))
            for t in inspect(conn).get_table_names()
        }


def test_a_manager_maintains_provisional_rates_and_a_clerk_cannot(posted, tmp_path):
    """Issue 14: provisional rates re-rate posted receipts in the manager's own transaction
    (the posting privileges); no other daily login may write the table behind the program."""
    rates = tmp_path / "rates.csv"
    rates.write_text("kind,from_date,to_date,cat1,rate\nCOOP,2026-01-01,2026-12-31,LUMBER,2\n", encoding="utf-8")
    waivers = tmp_path / "waivers.csv"
    waivers.write_text("vendor_code,kind,from_date,to_date\nV100,FREIGHT,2026-01-01,2026-12-31\n", encoding="utf-8")
    assert main(["--db", posted.url_of("manager"), "import", "provisional-rates", str(rates)]) == 0
    assert main(["--db", posted.url_of("manager"), "import", "waivers", str(waivers)]) == 0
    before = snapshot(posted.su)
    for who in ("clerk", "acct"):
        for attack in (
            "INSERT INTO provisional_rate (kind, from_date, to_date, cat1, rate) "
            "VALUES ('COOP', '2027-01-01', '2027-12-31', 'ALL', 50)",
            "DELETE FROM provisional_rate",
            "DELETE FROM waiver",
            "UPDATE price_change SET claim = 1",
        ):
            with pytest.raises(DBAPIError, match="permission denied"):
                run_sql(posted, who, attack)
    assert snapshot(posted.su) == before
    with posted.su.engine.connect() as conn:
        assert conn.execute(text("SELECT kind, cat1 FROM provisional_rate")).all() == [("COOP", "LUMBER")]
        trail = conn.execute(
            text("SELECT db_user, action FROM audit_trail WHERE table_name IN ('provisional_rate', 'waiver')")
        ).all()
    assert sorted(trail) == [(posted.logins["manager"], "INSERT")] * 2


def test_accountants_and_managers_enter_price_changes_under_their_own_login(posted, tmp_path):
    """SPEC §11.2: the claim's entry, the product's new cost and the price_change row are
    written with the login's own privileges, and stamped with it; a clerk is refused."""
    from app.services import imports, price_changes
    from tests.integration.test_bad_input import PROTECTION_ROW, lump_sum_csv

    (tmp_path / "agreements.csv").write_text(lump_sum_csv({}, base=PROTECTION_ROW))
    with posted.su.uow() as uow:
        imports.import_file(uow, "agreements", tmp_path / "agreements.csv")
    changes = {
        "acct": price_changes.PriceChangeIn("GYP-OTHER", date(2026, 4, 1), Decimal("0.90"), Decimal("100")),
        "manager": price_changes.PriceChangeIn("GYP-HALF-4X8", date(2026, 4, 2), Decimal("0.95"), Decimal("20")),
    }
    clerk = posted.open("clerk")
    before = snapshot(posted.su)
    with clerk.uow() as uow, pytest.raises(PermissionDenied):
        price_changes.enter_price_changes(uow, [changes["acct"]])
    clerk.close_connections()
    assert snapshot(posted.su) == before
    claims = {}
    for who, change in changes.items():
        ctx = posted.open(who)
        with ctx.uow() as uow:
            (result,) = price_changes.enter_price_changes(uow, [change])
        ctx.close_connections()
        claims[who] = (result.claim, result.agreement_no)
    assert claims == {"acct": (Decimal("10.00"), "P1"), "manager": (Decimal("1.00"), "P1")}
    with posted.su.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT p.code, c.created_by, e.created_by, p.unit_cost FROM price_change c "
                 "JOIN product p ON p.id = c.product_id JOIN journal_entry e ON e.id = c.entry_id ORDER BY c.id")
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        ("GYP-OTHER", posted.logins["acct"], posted.logins["acct"], Decimal("0.9000")),
        ("GYP-HALF-4X8", posted.logins["manager"], posted.logins["manager"], Decimal("0.9500")),
    ]


def test_two_databases_adding_the_same_login_at_once_both_succeed(pg_template):
    """Login roles belong to the whole server: while one transaction has created a login and
    not yet committed, another adding the same login waits, then goes on with it instead of
    failing on the name (roles.ensure_login)."""
    import threading

    login = f"t_{uuid.uuid4().hex[:10]}_shared"
    admin = _pg_admin()
    server = create_engine(admin.url)  # transactions, not autocommit
    first, second = server.connect(), server.connect()
    try:
        first_tx = first.begin()
        roles.ensure_login(first, login)  # created, not committed: the name is held
        outcome: list[object] = []

        def add_again() -> None:
            try:
                with second.begin():
                    roles.ensure_login(second, login)
                    outcome.append(
                        second.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": login}).scalar()
                    )
            except Exception as exc:  # noqa: BLE001 - the test reports whatever it was
                outcome.append(exc)

        thread = threading.Thread(target=add_again)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive()  # waiting on the first transaction's name
        first_tx.commit()
        thread.join(30)
        assert outcome == [1]
    finally:
        first.close()
        second.close()
        server.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()
