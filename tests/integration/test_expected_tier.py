"""Accrual at the expected tier (issue 15, item 6) through the import and the month close, on
example C's ladder (0 % to 50,000, 2 % to 100,000, 3 % above, Retro; 2026) with an expected
volume of 110,000 (tier 3, 3 %): after the first receipt of 30,000 the adjustment is 900.00;
receipts that accrue by themselves lower it; at the close of the month the period ends it is 0.
The receipt lines' accruals stay as they are; the adjustment is never invoiced. Both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import AgreementHistory, AgreementLine, CoopInvoice, JournalEntry, JournalLine, LineAccrual
from app.reports.statement_pdf import write_statement_pdf
from app.services import estimated, month_close, posting, statements
from app.services.errors import ImportFailed
from app.services.imports import import_file
from tests.conftest import EXAMPLES, import_example
from tests.integration.test_reports_pdf import pdf_text

D = Decimal
ROLES = "role,account_number\nCLAIMS_RECEIVABLE,1320\n"


def expected_file(tmp_path, volume: str) -> object:  # type: ignore[no-untyped-def]
    rows = (EXAMPLES / "C_retro" / "agreements.csv").read_text().splitlines()
    path = tmp_path / "agreements.csv"
    path.write_text("\n".join([rows[0] + ",expected_volume"] + [r + f",{volume}" for r in rows[1:]]) + "\n")
    return path


@pytest.fixture
def example_c(ctx, tmp_path):  # type: ignore[no-untyped-def]
    import_example(ctx, "C_retro")
    (tmp_path / "gl-accounts.csv").write_text("number,name,type\n1320,Claims receivable,ASSET\n")
    (tmp_path / "gl-reference.csv").write_text(ROLES)
    with ctx.uow() as uow:
        import_file(uow, "gl-accounts", tmp_path / "gl-accounts.csv")
    with ctx.uow() as uow:
        import_file(uow, "gl-reference", tmp_path / "gl-reference.csv")
    with ctx.uow() as uow:
        import_file(uow, "agreements", expected_file(tmp_path, "110000"))
    return ctx


def adjustments(ctx) -> list[tuple[date, Decimal, Decimal]]:  # type: ignore[no-untyped-def]
    """(entry date, receivable, ADVERTISING) of each EXPECTED_TIER entry."""
    jl, je = JournalLine, JournalEntry
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(je.entry_date, jl.role, jl.debit - jl.credit).join(je, je.id == jl.entry_id)
            .where(je.source == "EXPECTED_TIER").order_by(je.id, jl.id)
        ).all()  # fmt: skip
    out = []
    for i in range(0, len(rows), 2):
        (day, r1, a1), (_d, r2, a2) = rows[i], rows[i + 1]
        assert (r1, r2) == ("REBATE_RECEIVABLE", "ADVERTISING")
        out.append((day, a1, a2))
    return out


def close(ctx, month: int) -> None:  # type: ignore[no-untyped-def]
    run = date(2027, 1, 1) if month == 12 else date(2026, month + 1, 1)
    month_close.close_month(ctx, f"2026-{month:02d}", run)


def test_example_c_with_an_expected_volume_of_110000(example_c, tmp_path):
    ctx = example_c
    with ctx.uow() as uow:
        assert set(uow.session.scalars(select(AgreementLine.expected_volume))) == {D("110000.00")}
        history = uow.session.scalars(select(AgreementHistory.field).where(AgreementHistory.field == "Expected Volume"))
        assert len(history.all()) == 3
        posting.post_slips(uow, ["S1"], today=date(2026, 2, 1))
    close(ctx, 1)
    assert adjustments(ctx) == []  # nothing received by January's end
    close(ctx, 2)
    assert adjustments(ctx) == [(date(2026, 2, 28), D("900.00"), D("-900.00"))]  # 30,000 × 3 %
    with ctx.uow() as uow:  # S2, S3 back-dated to February, posted in March: 60,000, 1,200.00 accrued
        posting.post_slips(uow, ["S2", "S3"], today=date(2026, 3, 5))
    close(ctx, 3)
    assert adjustments(ctx)[1:] == [(date(2026, 3, 31), D("-300.00"), D("300.00"))]  # stands at 600.00
    with ctx.uow() as uow:  # the estimated report shows it beside the lines' own accrual
        (row,) = estimated.estimated_rebates(uow, as_of=date(2026, 3, 31))
        values = dict(zip(estimated.ESTIMATED_COLUMNS, estimated.estimated_row_values(row), strict=True))
    assert (values["rebate_earned"], values["expected_volume"], values["expected_tier_adjustment"]) == (
        D("1200.00"), D("110000.00"), D("600.00"),
    )  # fmt: skip
    with ctx.uow() as uow:  # and the vendor statement, apart from its totals
        data = statements.statement_data(uow, "V100", date(2026, 1, 1), date(2026, 3, 31))
    assert (data.expected, data.total) == ((("COOP", D("600.00")),), D("1200.00"))
    pdf = tmp_path / "statement.pdf"
    write_statement_pdf(pdf, data)
    assert "Accrued toward the tier expected this period" in pdf_text(pdf)[1].replace("\n", " ")
    for month in range(4, 12):
        close(ctx, month)
    assert len(adjustments(ctx)) == 2  # nothing changed
    close(ctx, 12)  # the ladder's period ends on Dec 31: back to zero
    assert adjustments(ctx)[2:] == [(date(2026, 12, 31), D("-600.00"), D("600.00"))]
    with ctx.uow() as uow:
        s = uow.session
        # the receipt lines' accruals are those of example C; the invoices hold them only
        assert s.scalar(select(func.sum(LineAccrual.rebate))) == D("1200.00")
        assert s.scalar(select(func.sum(CoopInvoice.amount))) == D("1200.00")


def test_expected_volume_is_for_ladders(example_c, tmp_path):
    from tests.integration.test_bad_input import LUMP_SUM_ROW, lump_sum_csv

    path = tmp_path / "lump.csv"
    text = lump_sum_csv({"status": "PENDING"}, base=LUMP_SUM_ROW).splitlines()
    path.write_text("\n".join([text[0] + ",expected_volume", text[1] + ",5000"]) + "\n")
    with example_c.uow() as uow, pytest.raises(ImportFailed, match="expected_volume: is for ladders only"):
        import_file(uow, "agreements", path)
    with example_c.uow() as uow, pytest.raises(ImportFailed, match="expected_volume"):
        import_file(uow, "agreements", expected_file(tmp_path, "-5"))
