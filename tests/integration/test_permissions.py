"""Roles are enforced by the services: a denied call raises PermissionDenied and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.validation import LineDraft
from app.models import Base
from app.services import agreements, estimated, imports, masterdata, posting, receiving, security
from app.services.context import AppContext
from app.services.errors import PermissionDenied, ValidationFailed
from tests.conftest import EXAMPLES, import_example

LINE = LineDraft(
    label="Line",
    cats=("GYPSUM", "ALL", "ALL", "ALL"),
    max_amount=Decimal("999999999"),
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    rebates=(Decimal(2), None, None, None),
)


def snapshot(ctx: AppContext) -> dict[str, list[tuple]]:
    with ctx.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture
def company(ctx: AppContext, db_url: str):
    import_example(ctx, "B_marginal")  # single-user mode: everything allowed
    with ctx.uow() as uow:
        security.save_user(uow, "root", "ADMIN")  # the first user: an administrator
    for login, role in (("carl", "CLERK"), ("maria", "MANAGER"), ("anna", "ACCOUNTANT")):
        with AppContext(ctx.engine, "root").uow() as uow:
            security.save_user(uow, login, role)
    return {login: AppContext(ctx.engine, login) for login in ("root", "carl", "maria", "anna", "stranger")}


def accept_pending(uow):
    view = agreements.save_agreement(uow, vendor="V100", kind="VOLUME", status="PENDING", lines=[LINE])
    return agreements.set_status(uow, view.id, "ACCEPTED", expected_version=view.version)


def gl_change(uow):
    return masterdata.save_gl_reference(uow, [("Role", "ADVERTISING", "4810")])


def post_s1(uow):
    return posting.post_slips(uow, ["S1"])


def rerate(uow):
    return posting.rerate(uow)


def new_slip(uow):
    return receiving.save_slips(
        uow, [receiving.SlipIn("S9", "V100", date(2026, 3, 1), (receiving.SlipLineIn(1, "GYP-OTHER", Decimal(5)),))]
    )


def new_vendor(uow):
    return masterdata.save_vendors(uow, [masterdata.VendorIn("V200", "Other")])


def add_user(uow):
    return security.save_user(uow, "newbie", "CLERK")


def report(uow):
    return estimated.estimated_rebates(uow)


ACTIONS = {
    "accept": accept_pending,
    "gl": gl_change,
    "post": post_s1,
    "rerate": rerate,
    "slip": new_slip,
    "vendor": new_vendor,
    "user": add_user,
    "report": report,
}
ALLOWED = {
    "carl": {"slip"},
    "maria": {"accept", "vendor", "report"},
    "anna": {"gl", "post", "rerate", "report"},
    "root": set(ACTIONS),
    "stranger": set(),
}


@pytest.mark.parametrize("login", sorted(ALLOWED))
def test_each_role_is_denied_what_it_may_not_do_and_nothing_is_written(company, login):
    ctx = company[login]
    for action, call in ACTIONS.items():
        if action in ALLOWED[login]:
            continue
        before = snapshot(ctx)
        with ctx.uow() as uow, pytest.raises(PermissionDenied, match=login):
            call(uow)
        assert snapshot(ctx) == before, action


@pytest.mark.parametrize("login", ["carl", "maria", "anna"])
def test_each_role_can_do_its_work(company, login):
    ctx = company[login]
    for action in sorted(ALLOWED[login]):
        with ctx.uow() as uow:
            ACTIONS[action](uow)


def test_history_and_journal_carry_the_real_user(company):
    with company["maria"].uow() as uow:
        view = accept_pending(uow)
    with company["anna"].uow() as uow:
        posting.post_slips(uow, ["S1"])
    with company["root"].uow() as uow:
        assert {h.user for h in agreements.history(uow, view.id)} == {"maria"}
        from app.models import JournalEntry

        assert set(uow.session.scalars(select(JournalEntry.created_by))) == {"anna"}


def test_the_first_user_must_be_an_administrator_and_the_last_cannot_be_demoted(ctx):
    with ctx.uow() as uow, pytest.raises(ValidationFailed, match="first user"):
        security.save_user(uow, "carl", "CLERK")
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
    with ctx.uow() as uow, pytest.raises(ValidationFailed, match="last active administrator"):
        security.save_user(uow, "tester", "CLERK")


def test_a_clerk_import_of_agreements_is_denied(company):
    before = snapshot(company["carl"])
    with company["carl"].uow() as uow, pytest.raises(PermissionDenied):
        imports.import_file(uow, "agreements", EXAMPLES / "C_retro" / "agreements.csv")
    assert snapshot(company["carl"]) == before


def test_cli_user_commands(db_url, capsys):
    from app.cli.main import main

    assert main(["--db", db_url, "--user", "boss", "user", "add", "boss", "--role", "admin"]) == 0
    assert main(["--db", db_url, "--user", "boss", "user", "add", "carl", "--role", "CLERK"]) == 0
    assert main(["--db", db_url, "--user", "carl", "user", "add", "carl", "--role", "ADMIN"]) == 1
    assert "may not maintain users" in capsys.readouterr().err
    assert main(["--db", db_url, "--user", "boss", "user", "list"]) == 0
    out = capsys.readouterr().out
    assert "boss" in out and "CLERK" in out
