"""Accepting and rejecting (SPEC §11.1, §18): `coop agreement accept|reject`, who decided and
when (kept, in history), the right to accept agreements on every path, the refusals (one
line, exit code 1, the database unchanged); on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.cli.main import main as cli_main
from app.models import Agreement, Base
from app.services import agreements, imports, posting, security
from app.services.context import AppContext
from app.services.errors import ImportFailed, PermissionDenied
from app.services.reports import journal_rows
from tests.conftest import EXAMPLES, import_example

MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference")
B_AGREEMENTS = (EXAMPLES / "B_marginal" / "agreements.csv").read_text()


def snapshot(ctx: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with ctx.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def agreements_file(folder: Path, status: str) -> Path:
    path = folder / f"agreements-{status.lower()}.csv"
    path.write_text(B_AGREEMENTS.replace("ACCEPTED", status))
    return path


@pytest.fixture
def pending_posted(ctx: AppContext, tmp_path: Path) -> int:
    """Example B with V100's COOP agreement 1 pending, its receipts posted (nothing accrued)."""
    import_example(ctx, "B_marginal", MASTER)
    with ctx.uow() as uow:
        imports.import_file(uow, "agreements", agreements_file(tmp_path, "PENDING"))
    with ctx.uow() as uow:
        imports.import_file(uow, "receipts", EXAMPLES / "B_marginal" / "receipts.csv")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2026, 3, 1))
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", None)
    assert agreement_id is not None
    return agreement_id


def coop(db_url: str, *args: str, user: str = "tester") -> int:
    return cli_main(["--db", db_url, "--user", user, *args])


def receivable(ctx: AppContext, source: str) -> dict[date, Decimal]:
    with ctx.uow() as uow:
        rows = [r for r in journal_rows(uow) if r["source"] == source and r["account_role"] == "REBATE_RECEIVABLE"]
    net: dict[date, Decimal] = {}
    for r in rows:
        day = r["entry_date"]
        assert isinstance(day, date)
        net[day] = net.get(day, Decimal(0)) + Decimal(str(r["debit"] or 0)) - Decimal(str(r["credit"] or 0))
    return net


def test_coop_agreement_accept_records_who_and_when_and_rerates(ctx, db_url, pending_posted, capsys):
    assert receivable(ctx, "ACCRUAL") == {}  # pending: nothing accrued
    capsys.readouterr()
    assert coop(db_url, "agreement", "accept", "--vendor", "V100", "--kind", "COOP", "--date", "2026-03-05") == 0
    assert capsys.readouterr().out == "COOP agreement 1 of V100 is accepted (by tester on 2026-03-05)\n"
    # The re-rate of the same use case: example B's 1,375.00, dated the day given.
    assert receivable(ctx, "RERATE") == {date(2026, 3, 5): Decimal("1375.00")}
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, pending_posted)
        decisions = [
            (h.old_value, h.new_value, h.user) for h in agreements.history(uow, pending_posted, field="Decision")
        ]
    assert view.status == "ACCEPTED" and view.decided_by == "tester"
    assert view.decided_at is not None and view.decided_at.astimezone().date() == date(2026, 3, 5)
    assert decisions == [(None, "Accepted by tester on 2026-03-05", "tester")]


def test_rejecting_an_accepted_agreement_is_refused_in_one_line(ctx, db_url, pending_posted, capsys):
    assert coop(db_url, "agreement", "accept", "--vendor", "V100", "--kind", "COOP", "--no", "1") == 0
    before = snapshot(ctx)
    capsys.readouterr()
    assert coop(db_url, "agreement", "reject", "--vendor", "V100", "--kind", "COOP", "--no", "1") == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (
        "error: Agreement 1, Status: agreement 1 of V100 is accepted: an accepted agreement can never become "
        "REJECTED (amend its lines instead); nothing was written\n"
    )
    assert snapshot(ctx) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("accept", "--no", "1"), "error: Agreement 1, Status: agreement 1 of V100 is already ACCEPTED"),
        (("accept", "--no", "7"), "error: V100 has no COOP agreement 7"),
        (("reject", "--no", "1"), "error: Agreement 1, Status: agreement 1 of V100 is accepted"),
    ],
)
def test_bad_decisions_write_nothing(ctx, db_url, pending_posted, capsys, args, message):
    assert coop(db_url, "agreement", "accept", "--vendor", "V100", "--kind", "COOP") == 0
    before = snapshot(ctx)
    capsys.readouterr()
    verb, *rest = args
    assert coop(db_url, "agreement", verb, "--vendor", "V100", "--kind", "COOP", *rest) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(ctx) == before


def test_accepting_without_the_right_is_refused_on_every_path(ctx, db_url, pending_posted, tmp_path, capsys):
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
    for login, role in (("carl", "CLERK"), ("anna", "ACCOUNTANT")):
        with ctx.uow() as uow:
            security.save_user(uow, login, role)
    before = snapshot(ctx)
    capsys.readouterr()
    assert coop(db_url, "agreement", "accept", "--vendor", "V100", "--kind", "COOP", user="carl") == 1
    assert capsys.readouterr().err == "error: carl (Clerk) may not accept agreements\n"
    with AppContext(ctx.engine, "anna").uow() as uow, pytest.raises(PermissionDenied, match="may not accept"):
        agreements.decide(uow, "V100", "COOP", None, "ACCEPTED")
    with AppContext(ctx.engine, "carl").uow() as uow, pytest.raises(PermissionDenied):
        imports.import_file(uow, "agreements", agreements_file(tmp_path, "ACCEPTED"))
    assert snapshot(ctx) == before


def test_reject_then_reopen_clears_the_decision(ctx, db_url, pending_posted, tmp_path):
    assert coop(db_url, "agreement", "reject", "--vendor", "V100", "--kind", "COOP", "--date", "2026-02-10") == 0
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, pending_posted)
    assert (view.status, view.decided_by) == ("REJECTED", "tester")
    assert view.decided_at is not None and view.decided_at.astimezone().date() == date(2026, 2, 10)
    assert receivable(ctx, "RERATE") == {}  # rejecting accrues nothing
    with ctx.uow() as uow:  # reopened by an import file
        imports.import_file(uow, "agreements", agreements_file(tmp_path, "PENDING"))
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, pending_posted)
        decisions = [(h.old_value, h.new_value) for h in agreements.history(uow, pending_posted, field="Decision")]
    assert (view.status, view.decided_by, view.decided_at) == ("PENDING", None, None)
    assert decisions == [("Rejected by tester on 2026-02-10", None), (None, "Rejected by tester on 2026-02-10")]


def test_an_agreement_imported_as_accepted_records_the_decision(ctx, tmp_path):
    import_example(ctx, "B_marginal", (*MASTER, "agreements"))
    with ctx.uow() as uow:
        row = uow.session.scalars(select(Agreement)).one()
        assert (row.status, row.decided_by) == ("ACCEPTED", "tester")
        assert row.decided_at is not None
        day = row.decided_at.astimezone().date().isoformat()
        decisions = [h.new_value for h in agreements.history(uow, row.id, field="Decision")]
    assert decisions == [f"Accepted by tester on {day}"]


def test_coop_agreement_confirmation_pdf(ctx, db_url, pending_posted, tmp_path, capsys):
    assert coop(db_url, "agreement", "accept", "--vendor", "V100", "--kind", "COOP", "--date", "2026-03-05") == 0
    out = tmp_path / "confirmation.pdf"
    capsys.readouterr()
    assert coop(db_url, "agreement", "confirmation", "--vendor", "V100", "--kind", "COOP", "--out", str(out)) == 0
    assert capsys.readouterr().out == f"Wrote the confirmation of COOP agreement 1 of V100 (1 pages) to {out}\n"
    reader = PdfReader(out)
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    assert "Agreement confirmation" in text and "Northern Gypsum" in text
    assert "Accepted by tester on 2026-03-05" in text
    # The three tiers of example B with their Result, 3 decimals.
    for tier, upto, result in (("1", "30,000.00", "2.000"), ("2", "50,000.00", "3.000"), ("3", "no limit", "3.500")):
        assert re.search(rf"GYPSUM / ALL / ALL / ALL {tier} {upto} 2026-01-01 2026-12-31 [\d.]+ {result} SC", text), (
            tier
        )
    assert "Terms and conditions" in text and "Co-op advertising: the vendor pays" in text
    assert "For the vendor" in text and "For the company" in text and "Signature" in text
    before = snapshot(ctx)
    assert coop(db_url, "agreement", "confirmation", "--vendor", "V100", "--kind", "COOP", "--out", str(out)) == 2
    assert "exists" in capsys.readouterr().err and snapshot(ctx) == before


def test_import_of_a_clerk_is_denied_even_as_pending(ctx, tmp_path):
    import_example(ctx, "B_marginal", MASTER)
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
        security.save_user(uow, "carl", "CLERK")
    with AppContext(ctx.engine, "carl").uow() as uow, pytest.raises((PermissionDenied, ImportFailed)):
        imports.import_file(uow, "agreements", agreements_file(tmp_path, "PENDING"))
