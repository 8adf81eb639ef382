"""The financial scorecard (SPEC §16) on example O with defects, payment runs, a short payment
and an open dispute, on both backends: exact counts and amounts per defect, paid on time, the
defects by month; `coop report scorecard` to CSV, XLSX and PDF; bad periods and an unknown
vendor refused with nothing written."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli.main import main
from app.domain.vocabulary import DEFECTS
from app.services import disputes, scorecard, settlement
from app.services.errors import ValidationFailed
from tests.integration.payables_support import FEB_INVOICE, add_flagged_invoice, example_o, pay_run

D = Decimal
MAR1, APR30 = date(2025, 3, 1), date(2025, 4, 30)


@pytest.fixture
def vr(ctx):  # type: ignore[no-untyped-def]
    example_o(ctx)  # AP-1 of Mar 10, due Apr 9 (id 1)
    add_flagged_invoice(ctx, "VR", "AP-3", date(2025, 3, 20), date(2025, 5, 19), "UNRECOGNIZED_PRODUCT", "75.00")
    add_flagged_invoice(ctx, "VR", "AP-4", date(2025, 4, 2), date(2025, 5, 2), "PRODUCT_NOT_ON_SLIP", "30.00")
    late = add_flagged_invoice(
        ctx, "VR", "AP-5", date(2025, 3, 25), date(2025, 4, 15), "QUANTITY_OVER_RECEIVED", "40.00", ("R1", 1), True
    )
    pay_run(ctx, date(2025, 4, 9), [1])  # AP-1 on its due date
    pay_run(ctx, date(2025, 4, 20), [late])  # AP-5 five days late
    with ctx.uow() as uow:
        settlement.record_payment(uow, "VR", date(2025, 3, 18), D("3000.00"), "CAD", "CHQ-1", [FEB_INVOICE])
    with ctx.uow() as uow:
        disputes.file_dispute(uow, FEB_INVOICE, "PRICING", D("500.00"), "Flyer", "Half a page", [], date(2025, 3, 20))
    return ctx


def card(ctx, date_from: date, date_to: date, vendor: str | None = None):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return scorecard.scorecard(uow, date_from, date_to, vendor)


def test_scorecard_of_march_and_april(vr):
    found = card(vr, MAR1, APR30)
    (row,) = found.rows
    assert {d: (t.count, t.amount) for d, t in row.defects.items()} == {
        "PRODUCT_NOT_ON_SLIP": (1, D("30.00")),
        "UNRECOGNIZED_PRODUCT": (1, D("75.00")),
        "QUANTITY_OVER_RECEIVED": (1, D("40.00")),
        "COST_MISMATCH": (0, D("0")),
        "MISSING_INVOICE": (1, D("500.00")),  # R1 line 2, received Mar 5, missing from Apr 5
    }
    assert (row.defect_count, row.defect_amount) == (4, D("645.00"))
    assert (row.invoices_due, row.paid_on_time, row.on_time_percent) == (2, 1, D("50.0"))
    assert (row.short_paid.count, row.short_paid.amount) == (1, D("2000.00"))
    assert (row.open_disputes.count, row.open_disputes.amount) == (1, D("500.00"))
    assert found.by_month == {
        "2025-03": {"UNRECOGNIZED_PRODUCT": 1, "QUANTITY_OVER_RECEIVED": 1},
        "2025-04": {"PRODUCT_NOT_ON_SLIP": 1, "MISSING_INVOICE": 1},
    }


def test_a_shorter_period_counts_only_what_falls_in_it(vr):
    (row,) = card(vr, MAR1, date(2025, 4, 4), "VR").rows
    assert [row.defects[d].count for d in DEFECTS] == [1, 1, 1, 0, 0]  # not missing yet on Apr 4
    assert (row.invoices_due, row.short_paid.amount, row.open_disputes.amount) == (0, D("2000.00"), D("500.00"))
    # before the cheque, the dispute and the flagged invoices: nothing to show, no row
    assert card(vr, MAR1, date(2025, 3, 17)).rows == ()


def test_bad_periods_and_an_unknown_vendor_are_refused(vr):
    with pytest.raises(ValidationFailed) as refused:
        card(vr, APR30, MAR1, "NOPE")
    assert [str(p) for p in refused.value.problems] == [
        "scorecard, from: 2025-04-30 is after to 2025-03-01",
        "scorecard, vendor: 'NOPE' does not exist",
    ]


def test_scorecard_through_the_command_line(vr, db_url, tmp_path, capsys):
    vr.engine.dispose()

    def coop(*args: str) -> int:
        return main(["--db", db_url, "--user", "tester", "report", "scorecard", *args])

    out = tmp_path / "card.csv"
    assert coop("--from", "2025-03-01", "--to", "2025-04-30", "--out", str(out)) == 0
    with out.open(newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert {k: row[k] for k in ("vendor_code", "missing_invoice_count", "missing_invoice_amount",
                                 "defects_count", "defects_amount", "invoices_due", "paid_on_time",
                                 "on_time_percent", "short_paid_open", "open_disputes_amount")} == {
        "vendor_code": "VR", "missing_invoice_count": "1", "missing_invoice_amount": "500.00",
        "defects_count": "4", "defects_amount": "645.00", "invoices_due": "2", "paid_on_time": "1",
        "on_time_percent": "50.0", "short_paid_open": "2000.00", "open_disputes_amount": "500.00",
    }  # fmt: skip
    xlsx = tmp_path / "card.xlsx"
    assert coop("--from", "2025-03-01", "--to", "2025-04-30", "--out", str(xlsx)) == 0
    book = load_workbook(xlsx)
    sheet = book.active
    assert [c.value for c in sheet[2]][:4] == ["VR", "Ridge Building Supply", 1, 30]
    # Issue 17: what the XLSX is of (period, vendors) and its totals, as the PDF's total row.
    assert book.sheetnames == ["Financial scorecard", "About", "Totals"]
    assert "Vendor invoices and receipts 2025-03-01 to 2025-04-30 · All vendors" in sheet.oddHeader.center.text
    assert ("Vendor invoices and receipts 2025-03-01 to 2025-04-30",) in list(book["About"].values)
    totals = {row[0]: row[1:] for row in book["Totals"].values}
    assert totals["All defects"] == (4, 645) and totals["Missing invoice"] == (1, 500)
    assert totals["Vendor invoices due"] == (2, None) and totals["Paid on time"] == (1, None)
    assert totals["Paid on time, percent of those due"] == (50, None)
    assert totals["Short-paid co-op invoices (open)"][1] == 2000 and totals["Open disputes"][1] == 500
    pdf = tmp_path / "card.pdf"
    assert coop("--from", "2025-03-01", "--to", "2025-04-30", "--out", str(pdf)) == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Financial scorecard" in text and "4 645.00" in text and "1/2 (50.0%)" in text
    assert "Total 1 vendor" in text  # the total row under the vendors
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    assert coop("--from", "2025-04-30", "--to", "2025-03-01", "--out", str(bad)) == 1
    assert "scorecard, from: 2025-04-30 is after to 2025-03-01" in capsys.readouterr().err
    assert not bad.exists()
