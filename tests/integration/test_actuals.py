"""Vendor actuals (SPEC §13): an agreement flagged actuals required has its month's invoice
HELD until the vendor's actual is accepted; then the invoice bills the vendor's amount and
the difference posts as ACTUALS. Rejected actuals can be submitted again. Both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import ActualDecision, Agreement, Document, JournalEntry, JournalLine, VendorActual
from app.services import actuals, month_close, posting
from app.services.errors import ValidationFailed
from app.services.imports import import_file
from app.services.invoice_views import invoice_views
from tests.conftest import EXAMPLES, import_example, import_text

D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def held(ctx, tmp_path):  # type: ignore[no-untyped-def]
    """Example L's ladder flagged actuals required (by the import's actuals_required column);
    S2 and S3 posted; March closed: one HELD invoice of 900.00."""
    import_example(ctx, "L_invoices")
    flagged = tmp_path / "agreements.csv"
    rows = (EXAMPLES / "L_invoices" / "agreements.csv").read_text().splitlines()
    flagged.write_text("\n".join([rows[0] + ",actuals_required"] + [r + ",Y" for r in rows[1:]]) + "\n")
    with ctx.uow() as uow:
        import_file(uow, "agreements", flagged)
    with ctx.uow() as uow:
        assert uow.session.scalars(select(Agreement.actuals_required)).all() == [True]
        posting.post_slips(uow, ["S2", "S3"], today=date(2026, 3, 1))
    month_close.close_month(ctx, "2026-03", date(2026, 4, 1))
    return ctx


def state(ctx):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        (view,) = invoice_views(uow.session)
        return view.amount, view.balance.billed, view.status


def counts(ctx) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(t))  # type: ignore[misc]
            for t in (VendorActual, ActualDecision, Document, JournalEntry)
        )


def submit(ctx, amount: str, **kw):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return actuals.submit_actual(uow, "V100", "COOP", "1", "2026-03", D(amount), day=date(2026, 4, 3), **kw)


def decide(ctx, status: str, reason: str = ""):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return actuals.decide_actual(uow, "V100", "COOP", "1", "2026-03", status, reason, day=date(2026, 4, 7))


def test_held_until_accepted_then_billed_at_the_vendors_amount(held):
    ctx = held
    assert state(ctx) == (D("900.00"), D("900.00"), "HELD")
    first = submit(ctx, "880.00", comment="our figures", attachments=[("proof.png", PNG)])
    assert (first.status, first.documents) == ("SUBMITTED", 1)
    with pytest.raises(ValidationFailed, match="not decided yet"):
        submit(ctx, "870.00")
    rejected = decide(ctx, "REJECTED", "insufficient documentation")
    assert (rejected.status, rejected.reason) == ("REJECTED", "insufficient documentation")
    assert state(ctx)[2] == "HELD"
    submit(ctx, "875.50")
    accepted = decide(ctx, "ACCEPTED")
    assert accepted.status == "ACCEPTED" and accepted.amount == D("875.50")
    assert state(ctx) == (D("900.00"), D("875.50"), "OPEN")
    jl, je = JournalLine, JournalEntry
    with ctx.uow() as uow:
        lines = uow.session.execute(
            select(jl.role, jl.debit, jl.credit).join(je, je.id == jl.entry_id).where(je.source == "ACTUALS")
            .order_by(jl.id)
        ).all()  # fmt: skip
    assert [tuple(r) for r in lines] == [
        ("REBATE_RECEIVABLE", D("0.00"), D("24.50")),
        ("ADVERTISING", D("24.50"), D("0.00")),
        ("CLAIMS_RECEIVABLE", D("0.00"), D("24.50")),
        ("REBATE_RECEIVABLE", D("24.50"), D("0.00")),
    ]
    with pytest.raises(ValidationFailed, match="accepted already"):
        submit(ctx, "1.00")


def test_bad_actuals_write_nothing(held):
    ctx = held
    before = counts(ctx)
    with pytest.raises(ValidationFailed, match="more than 2 decimals"):
        submit(ctx, "1.001")
    with pytest.raises(ValidationFailed, match="attachment"):
        submit(ctx, "880.00", attachments=[("run.exe", b"MZ" + b"\x00" * 64)])
    with pytest.raises(ValidationFailed, match="no actual was submitted"):
        decide(ctx, "ACCEPTED")
    submit(ctx, "880.00")
    with pytest.raises(ValidationFailed, match="reason"):
        decide(ctx, "REJECTED", "  ")
    assert counts(ctx) == (before[0] + 1, *before[1:])


def test_actuals_through_coop(held, db_url, capsys):
    from app.cli.main import main

    def coop(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", db_url, "--user", "tester", *args])
        out, err = capsys.readouterr()
        return code, out, err

    base = ("--vendor", "V100", "--kind", "COOP", "--month", "2026-03")
    assert coop("actual", "accept", *base)[0] == 1
    code, out, _ = coop("actual", "submit", *base, "--amount", "910.00", "--comment", "per our ledger")
    assert code == 0 and "910.00 SUBMITTED" in out
    code, out, _ = coop("actual", "reject", *base, "--reason", "incorrect amount")
    assert code == 0 and "REJECTED (incorrect amount)" in out
    coop("actual", "submit", *base, "--amount", "910.00")
    code, out, _ = coop("actual", "accept", *base, "--date", "2026-04-08")
    assert code == 0 and "910.00 ACCEPTED" in out
    assert state(held) == (D("900.00"), D("910.00"), "OPEN")


def test_an_actual_bills_its_amount_once_over_the_months_held_invoices(ctx, tmp_path):
    """An agreement whose ladders settle by different methods has two held invoices a month;
    the accepted actual bills the vendor's amount once over both, the difference on the first."""
    import_example(ctx, "L_invoices")
    rows = (EXAMPLES / "L_invoices" / "agreements.csv").read_text().splitlines()
    product_ladder = rows[1].replace("GYPSUM,ALL,ALL,ALL,,30000", ",,,,GYP-HALF-4X8,999999999").replace(",CD,", ",SC,")
    path = tmp_path / "agreements.csv"
    path.write_text("\n".join([rows[0] + ",actuals_required", *(r + ",Y" for r in (*rows[1:], product_ladder))]) + "\n")
    with ctx.uow() as uow:
        import_file(uow, "agreements", path)
    import_text(ctx, "receipts", "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
                "S9,V100,2026-03-05,1,GYP-HALF-4X8,1000,1.00\n", tmp_path)  # fmt: skip
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S2", "S3", "S9"], today=date(2026, 3, 5))
    month_close.close_month(ctx, "2026-03", date(2026, 4, 1))
    with ctx.uow() as uow:
        found = [(v.method, v.amount, v.status) for v in invoice_views(uow.session)]
    assert found == [("CD", D("900.00"), "HELD"), ("SC", D("20.00"), "HELD")]
    submit(ctx, "950.00")
    decide(ctx, "ACCEPTED")
    with ctx.uow() as uow:
        billed = [(v.method, v.balance.billed, v.status) for v in invoice_views(uow.session)]
        claims = uow.session.scalar(
            select(func.sum(JournalLine.debit) - func.sum(JournalLine.credit)).where(
                JournalLine.role == "CLAIMS_RECEIVABLE"
            )
        )
    assert billed == [("CD", D("930.00"), "OPEN"), ("SC", D("20.00"), "OPEN")]
    assert claims == D("950.00")
