"""The vendor statement beyond the accrual (SPEC §8, §11.2, §13–§14): the co-op invoices, the
settlements and the open disputes of the period, price-protection claims, lump-sum accruals
and vendor actuals, in StatementData and on the printed page. Both backends."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from app.cli.main import main
from app.services import actuals, disputes, month_close, posting, price_changes, settlement
from app.services.context import AppContext
from app.services.imports import import_file
from app.services.price_changes import PriceChangeIn
from app.services.statement_claims import OtherAgreement
from app.services.statement_settlement import StatementDispute, StatementSettlement
from app.services.statements import PriceClaim, StatementData, statement_data
from tests.conftest import EXAMPLES, import_example
from tests.integration.settlement_support import APR, FEB, MAR, example_m

D = Decimal
JAN_1, APR_30 = date(2026, 1, 1), date(2026, 4, 30)


def statement(ctx: AppContext, date_from: date, date_to: date, vendor: str = "V100") -> StatementData:
    with ctx.uow() as uow:
        return statement_data(uow, vendor, date_from, date_to)


def printed(url: str, user: str, tmp_path: Path, date_from: str, date_to: str, vendor: str = "V100") -> str:
    out = tmp_path / f"{vendor}-{date_from}.pdf"
    args = ["--db", url, "--user", user, "statement", "--vendor", vendor, "--from", date_from, "--to", date_to]
    assert main([*args, "--out", str(out)]) == 0
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    return re.sub(r"[ \t]+", " ", text)


def row(text: str, *cells: str) -> bool:
    """The cells follow one another in the text (pypdf puts each table cell on its own line)."""
    return re.search(r"\s+".join(re.escape(c) for c in cells), text) is not None


def file(ctx: AppContext, invoice: str, reason: str, amount: str, day: date, title: str):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return disputes.file_dispute(uow, invoice, reason, D(amount), title, "see the backup", [], day)


def settled_example_m(ctx: AppContext) -> AppContext:
    """Example M closed (Feb, Mar, Apr); a cheque of 1,000.00 on the February invoice on Mar 10;
    three disputes: DSP-2026-000001 of 10.00 on February filed Mar 1, never answered;
    DSP-2026-000002 of 20.00 on February, rejected Mar 20; DSP-2026-000003 of 30.00 on March
    filed Apr 2, accepted May 5. A second cheque of 100.00 on March on May 10."""
    anna = example_m(ctx)["anna"]
    with anna.uow() as uow:
        settlement.record_payment(uow, "V100", date(2026, 3, 10), D("1000.00"), "CAD", "CHQ-1001", [FEB])
    file(anna, FEB, "OTHER", "10.00", date(2026, 3, 1), "Flyer not run")
    second = file(anna, FEB, "PRICING", "20.00", date(2026, 3, 15), "Cost of S2")
    third = file(anna, MAR, "RATE", "30.00", date(2026, 4, 2), "Rate on S3")
    with anna.uow() as uow:
        disputes.reject_dispute(uow, second.dispute_no, "the cost is right", date(2026, 3, 20))
    with anna.uow() as uow:
        disputes.accept_dispute(uow, third.dispute_no, None, date(2026, 5, 5))
    with anna.uow() as uow:
        settlement.record_payment(uow, "V100", date(2026, 5, 10), D("100.00"), "CAD", "CHQ-1002", [MAR])
    return anna


def invoice_rows(data: StatementData) -> list[tuple[object, ...]]:
    return [
        (v.invoice_no, v.invoice_date, v.due_date, v.kind, v.agreement_no, v.method, v.balance.billed,
         v.open_amount, v.status)
        for v in data.invoices
    ]  # fmt: skip


def test_statement_of_example_m_holds_the_invoices_the_cheque_and_the_open_disputes(ctx, db_url, tmp_path):
    anna = settled_example_m(ctx)
    data = statement(anna, JAN_1, APR_30)
    assert invoice_rows(data) == [
        (FEB, date(2026, 2, 28), date(2026, 3, 30), "COOP", "1", "SC", D("1050.00"), D("50.00"), "SHORT_PAID"),
        (MAR, date(2026, 3, 31), date(2026, 4, 30), "COOP", "1", "SC", D("325.00"), D("325.00"), "OPEN"),
        (APR, date(2026, 4, 30), date(2026, 5, 30), "COOP", "1", "SC", D("-325.00"), D("-325.00"), "CREDIT"),
    ]  # March as of Apr 30: the dispute credit and the cheque of May are after the period
    assert data.settlements == (StatementSettlement(date(2026, 3, 10), "PAYMENT", "CHQ-1001", (FEB,), D("1000.00")),)
    assert data.disputes == (
        StatementDispute("DSP-2026-000001", FEB, "OTHER", D("10.00"), "Flyer not run", date(2026, 3, 1),
                         date(2026, 3, 31), True),
        StatementDispute("DSP-2026-000003", MAR, "RATE", D("30.00"), "Rate on S3", date(2026, 4, 2),
                         date(2026, 5, 2), False),
    )  # fmt: skip
    assert [(k.kind, k.accrual, k.total) for k in data.by_kind] == [("COOP", D("1050.00"), D("1050.00"))]
    assert data.total == D("1050.00") and data.claims == ()

    text = printed(db_url, "anna", tmp_path, "2026-01-01", "2026-04-30")
    assert "Co-op invoices" in text and "Open amounts and statuses as of 2026-04-30" in text
    invoice = ("2026-02-28", "2026-03-30", "Co-op advertising", "1", "SC", "1,050.00", "50.00", "SHORT_PAID")
    assert row(text, FEB, *invoice)
    assert row(text, APR, "2026-04-30", "2026-05-30", "Co-op advertising", "1", "SC", "-325.00", "-325.00", "CREDIT")
    assert row(text, "Total", "1,050.00", "50.00")  # the invoices: amount and open
    assert "Settlements" in text and row(text, "2026-03-10", "Cheque", "CHQ-1001", "CO-2602-V100-0001", "1,000.00")
    assert row(text, "Total", "1,000.00")
    assert "Open disputes as of 2026-04-30" in text
    assert row(text, "DSP-2026-000001", FEB, "OTHER", "Flyer not run", "10.00", "2026-03-01", "2026-03-31", "yes")
    assert row(
        text, "DSP-2026-000003", "CO-2603-V100-0001", "RATE", "Rate on S3", "30.00", "2026-04-02", "2026-05-02", "no"
    )
    assert "DSP-2026-000002" not in text  # answered in the period
    assert row(text, "Total", "40.00")
    assert "Price protection claims" not in text


def test_statement_of_a_later_period_has_its_settlements_and_no_invoice_section(ctx, db_url, tmp_path):
    anna = settled_example_m(ctx)
    data = statement(anna, date(2026, 5, 1), date(2026, 5, 31))
    assert data.invoices == ()
    assert data.settlements == (
        StatementSettlement(date(2026, 5, 5), "DISPUTE_CREDIT", "DSP-2026-000003", (MAR,), D("30.00")),
        StatementSettlement(date(2026, 5, 10), "PAYMENT", "CHQ-1002", (MAR,), D("100.00")),
    )
    assert [d.dispute_no for d in data.disputes] == ["DSP-2026-000001"]
    text = printed(db_url, "anna", tmp_path, "2026-05-01", "2026-05-31")
    assert "Co-op invoices" not in text
    assert row(text, "2026-05-05", "Dispute credit", "DSP-2026-000003", "CO-2603-V100-0001", "30.00")
    assert row(text, "Total", "130.00")
    assert "Open disputes as of 2026-05-31" in text and "DSP-2026-000003" in text  # as the credit's reference
    # today the March invoice has 325.00 - 30.00 - 100.00 open
    march = statement(anna, date(2026, 3, 1), date(2026, 5, 31)).invoices
    assert [(v.invoice_no, v.open_amount, v.status) for v in march] == [
        (MAR, D("195.00"), "SHORT_PAID"),
        (APR, D("-325.00"), "CREDIT"),
    ]


def test_a_vendor_without_invoices_settlements_or_disputes_has_none_of_those_sections(ctx, db_url, tmp_path):
    import_example(ctx, "M_settlement")
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 4, 6))
    data = statement(ctx, JAN_1, APR_30)
    assert (data.invoices, data.settlements, data.disputes, data.claims) == ((), (), (), ())
    assert data.total == D("1050.00")
    text = printed(db_url, "accountant", tmp_path, "2026-01-01", "2026-04-30")
    for heading in ("Co-op invoices", "Settlements", "Open disputes", "Price protection claims", "Vendor actuals"):
        assert heading not in text


def test_a_price_protection_claim_is_on_the_statement(ctx, db_url, tmp_path):
    """Example K: cost 10.00 to 9.25 on Apr 1 with 120 on hand: a claim of 90.00."""
    import_example(ctx, "K_price_protection")
    with ctx.uow() as uow:
        posting.post_slips(uow, None)
    with ctx.uow() as uow:
        price_changes.enter_price_changes(
            uow, [PriceChangeIn("GYP-HALF-4X8", date(2025, 4, 1), D("9.25"), D("120"), "K"),
                  PriceChangeIn("SPF-2X4-8", date(2025, 4, 1), D("4.50"), D("10"), "V200")],
        )  # fmt: skip
    data = statement(ctx, date(2025, 1, 1), date(2025, 12, 31))
    assert data.claims == (
        PriceClaim(date(2025, 4, 1), "GYP-HALF-4X8", "Gypsum 1/2 x 4 x 8", "1", D("10.00"), D("9.25"), D("120"),
                   D("90.00")),
    )  # fmt: skip
    assert [(k.kind, k.accrual, k.retro, k.rerate, k.total) for k in data.by_kind] == [
        ("PRICE_PROTECTION", D("90.00"), D("0"), D("0"), D("90.00"))
    ]
    assert data.kinds == ("PRICE_PROTECTION",) and data.total == D("90.00")
    assert [(m.month, m.by_kind) for m in data.months if m.total] == [("2025-04", (D("90.00"),))]
    assert data.adjustments == ()
    assert data.others == (
        OtherAgreement(
            "PRICE_PROTECTION", "1", date(2025, 1, 1), date(2025, 12, 31), "CD", None, "ALL / ALL / ALL / ALL"
        ),
    )
    assert statement(ctx, date(2025, 1, 1), date(2025, 12, 31), "V200").claims == ()  # no agreement: no claim
    assert statement(ctx, date(2025, 5, 1), date(2025, 12, 31)).claims == ()

    text = printed(db_url, "accountant", tmp_path, "2025-01-01", "2025-12-31")
    assert "90.00 CAD" in text  # accrued in the period
    assert row(text, "Price protection", "90.00", "0.00", "0.00", "90.00")
    assert row(text, "Apr 2025", "90.00", "90.00")
    assert "Price protection claims" in text
    assert "No accepted agreement" not in text
    assert row(text, "Price protection", "1", "2025-01-01", "2025-12-31", "deduct on next payment (CD)", "scope ALL")
    assert row(text, "2025-04-01", "GYP-HALF-4X8", "Gypsum 1/2 x 4 x 8", "1", "10.00", "9.25", "120", "90.00")


def test_lump_sum_accruals_are_on_the_statement(ctx, db_url, tmp_path):
    """Example J: 12,000.00 for 2026 accrues 1,019.18 at the January close, 920.55 at February's."""
    from tests.integration.test_price_changes import imp

    import_example(ctx, "L_invoices")
    imp(ctx, tmp_path, {"status": "ACCEPTED"})
    month_close.close_month(ctx, "2026-01", date(2026, 2, 1))
    month_close.close_month(ctx, "2026-02", date(2026, 3, 1))
    data = statement(ctx, JAN_1, date(2026, 2, 28))
    lump = {k.kind: k for k in data.by_kind}["LUMP_SUM"]
    assert (lump.accrual, lump.total) == (D("1939.73"), D("1939.73"))
    column = data.kinds.index("LUMP_SUM")
    assert [(m.month, m.by_kind[column]) for m in data.months] == [("2026-01", D("1019.18")), ("2026-02", D("920.55"))]
    assert data.total == D("1939.73") and data.adjustments == ()
    assert data.others == (OtherAgreement("LUMP_SUM", "L1", JAN_1, date(2026, 12, 31), "CD", D("12000.00"), ""),)
    assert [(v.invoice_no, v.kind, v.agreement_no, v.method, v.open_amount, v.status) for v in data.invoices] == [
        ("CO-2601-V100-0001", "LUMP_SUM", "L1", "CD", D("1019.18"), "OPEN"),
        ("CO-2602-V100-0001", "LUMP_SUM", "L1", "CD", D("920.55"), "OPEN"),
    ]
    text = printed(db_url, "accountant", tmp_path, "2026-01-01", "2026-02-28")
    assert row(text, "Lump sum", "1,939.73", "0.00", "0.00", "1,939.73")
    assert row(text, "Jan 2026", "0.00", "1,019.18", "1,019.18")
    assert "the month closes' accruals of the amount" in text
    assert row(text, "Lump sum", "L1", "CD", "1,019.18", "1,019.18", "OPEN")
    assert row(text, "Lump sum", "L1", "2026-01-01", "2026-12-31", "deduct on next payment (CD)", "12,000.00 CAD")


def test_a_vendor_actual_is_on_the_statement(ctx, db_url, tmp_path):
    """Example L flagged actuals required: March's invoice of 900.00 held; the vendor's 875.50
    accepted on Apr 7 posts ACTUALS -24.50 and the invoice bills 875.50."""
    import_example(ctx, "L_invoices")
    flagged = tmp_path / "agreements.csv"
    rows = (EXAMPLES / "L_invoices" / "agreements.csv").read_text().splitlines()
    flagged.write_text("\n".join([rows[0] + ",actuals_required"] + [r + ",Y" for r in rows[1:]]) + "\n")
    with ctx.uow() as uow:
        import_file(uow, "agreements", flagged)
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S2", "S3"], today=date(2026, 3, 1))
    month_close.close_month(ctx, "2026-03", date(2026, 4, 1))
    with ctx.uow() as uow:
        actuals.submit_actual(uow, "V100", "COOP", "1", "2026-03", D("875.50"), day=date(2026, 4, 3))
    with ctx.uow() as uow:
        actuals.decide_actual(uow, "V100", "COOP", "1", "2026-03", "ACCEPTED", "", day=date(2026, 4, 7))
    data = statement(ctx, JAN_1, APR_30)
    coop = {k.kind: k for k in data.by_kind}["COOP"]
    assert (coop.accrual, coop.actuals, coop.total) == (D("900.00"), D("-24.50"), D("875.50"))
    assert [(m.month, m.total) for m in data.months if m.total] == [
        ("2026-02", D("400.00")), ("2026-03", D("500.00")), ("2026-04", D("-24.50")),
    ]  # fmt: skip
    assert [(a.entry_date, a.source, a.amount) for a in data.adjustments] == [
        (date(2026, 4, 7), "ACTUALS", D("-24.50"))
    ]
    assert invoice_rows(data)[0][6:] == (D("875.50"), D("875.50"), "OPEN")
    text = printed(db_url, "accountant", tmp_path, "2026-01-01", "2026-04-30")
    assert "Vendor actuals" in text and row(text, "Co-op advertising", "900.00", "0.00", "0.00", "-24.50", "875.50")
    assert "Retroactive adjustments, re-rates and vendor actuals" in text
