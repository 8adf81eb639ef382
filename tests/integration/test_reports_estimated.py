"""The estimated rebate report for all vendors (one GROUP BY, the ladders read once) gives the
same rows as the per-vendor estimates the statements and the drill-down use."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.cli.main import main
from app.models import Vendor
from app.services import queries
from app.services.context import AppContext
from app.services.estimated import estimated_rebates, keyed_estimates, ladder_estimates
from tests.conftest import EXAMPLES
from tests.integration.test_reports_pdf import load

D = Decimal

CUTS = [(date(2026, 12, 31), None), (date(2026, 3, 15), None), (date(2026, 6, 30), date(2026, 2, 1)),
        (date(2025, 12, 31), None)]  # fmt: skip


@pytest.mark.parametrize("example", ["C_retro", "D_precedence", "E_product_pct", "G_periodic"])
def test_the_report_for_all_vendors_equals_the_per_vendor_estimates(db_url, ctx, example):
    load(db_url, example)
    with ctx.uow() as uow:
        session = uow.session
        vendors = list(session.scalars(select(Vendor).order_by(Vendor.code)))
        for as_of, date_from in CUTS:
            expected = {v.code: [row for _ladder, row in ladder_estimates(session, v, as_of, date_from)]
                        for v in vendors}  # fmt: skip
            every = estimated_rebates(uow, as_of, date_from=date_from)
            assert every == [row for v in vendors for row in expected[v.code]], (as_of, date_from)
            for v in vendors:
                assert estimated_rebates(uow, as_of, v.code, date_from) == expected[v.code]
        assert any(estimated_rebates(uow, date(2026, 12, 31)))
        assert estimated_rebates(uow, date(2026, 12, 31), "NO-SUCH-VENDOR") == []


def test_keyed_estimates_name_the_ladder_of_each_row(db_url, ctx):
    load(db_url, "D_precedence")
    with ctx.uow() as uow:
        session = uow.session
        expected = [(ladder.key, row) for v in session.scalars(select(Vendor).order_by(Vendor.code))
                    for ladder, row in ladder_estimates(session, v, date(2026, 12, 31))]  # fmt: skip
        assert len(expected) >= 2
        assert keyed_estimates(uow, date(2026, 12, 31)) == expected


def test_a_from_date_limits_the_rebate_shown_but_not_the_tier(db_url, tmp_path):
    """Example B to 2026-12-31, received from 2026-02-02: the ladder is at 55,000.00, tier 3,
    3.500% (no next tier); the rebate shown is that of S2 and S3 only (550.00 + 325.00)."""
    load(db_url, "B_marginal")
    args = [
        "--db",
        db_url,
        "--user",
        "tester",
        "report",
        "estimated",
        "--as-of",
        "2026-12-31",
        "--from",
        "2026-02-02",
        "--out",
    ]
    for suffix in ("csv", "xlsx", "pdf"):
        assert main([*args, str(tmp_path / f"b.{suffix}")]) == 0
    with (tmp_path / "b.csv").open(newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert {
        k: row[k]
        for k in (
            "volume",
            "current_tier",
            "current_rate",
            "rebate_earned",
            "regular",
            "next_tier_threshold",
            "amount_to_next_tier",
            "rebate_next_tier_adds",
        )
    } == {
        "volume": "55000.00",
        "current_tier": "3",
        "current_rate": "3.500",
        "rebate_earned": "875.00",
        "regular": "875.00",
        "next_tier_threshold": "",
        "amount_to_next_tier": "",
        "rebate_next_tier_adds": "",
    }
    sheet = load_workbook(tmp_path / "b.xlsx").active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (cells["volume"], cells["current_tier"], cells["rebate_earned"]) == (55000, 3, 875)
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "b.pdf").pages)
    assert "55,000.00" in text and "3.500" in text and "875.00" in text
    ctx = AppContext.open(db_url, user="tester", upgrade=False)
    try:
        with ctx.uow() as uow:  # the screen's rows
            (shown,) = queries.estimated_ladders(uow, as_of=date(2026, 12, 31), date_from=date(2026, 2, 2))
            assert (
                shown.row.volume,
                shown.row.tier,
                shown.row.rate_pct,
                shown.row.rebate,
                shown.row.needed_for_next,
            ) == (Decimal("55000.00"), 3, Decimal("3.500"), Decimal("875.00"), None)
            # a window with nothing received: no rebate, the tier still the ladder's
            (empty,) = queries.estimated_ladders(uow, as_of=date(2026, 12, 31), date_from=date(2026, 6, 1))
            assert (empty.row.volume, empty.row.tier, empty.row.rebate) == (Decimal("55000.00"), 3, Decimal("0"))
    finally:
        ctx.engine.dispose()


def test_zero_amounts_of_the_estimated_csv_keep_their_two_places(db_url, tmp_path):
    """Example B: nothing retroactive, nothing applied to cost; a window with nothing received
    earns 0.00. Money is written with two places, as the non-zero amounts are (SPEC §2)."""
    load(db_url, "B_marginal")
    money = ("rebate_earned", "regular", "retroactive", "applied_to_cost", "to_pnl")
    shown = {}
    for since in (None, "2026-02-02", "2026-06-01"):
        out = tmp_path / f"b-{since}.csv"
        assert (
            main(
                [
                    "--db",
                    db_url,
                    "report",
                    "estimated",
                    "--as-of",
                    "2026-12-31",
                    "--out",
                    str(out),
                    *(["--from", since] if since else []),
                ]
            )
            == 0
        )
        with out.open(newline="", encoding="utf-8") as fh:
            (row,) = list(csv.DictReader(fh))
        shown[since] = tuple(row[k] for k in money)
    assert shown == {
        None: ("1375.00", "1375.00", "0.00", "0.00", "1375.00"),
        "2026-02-02": ("875.00", "875.00", "0.00", "0.00", "875.00"),
        "2026-06-01": ("0.00", "0.00", "0.00", "0.00", "0.00"),
    }


LUMP_SUM_FILE = (
    "agreement_no,vendor_code,kind,status,cat1,cat2,cat3,cat4,product_code,max_amount,start_date,end_date,"
    "rebate1,rebate2,rebate3,rebate4,method,degressive,retro,product_pct,period,amount\n"
    "L1,V100,LUMP_SUM,ACCEPTED,,,,,,,2025-01-01,2025-12-31,,,,,CD,N,N,,,12000.00\n"
    "L2,V100,LUMP_SUM,PENDING,,,,,,,2025-01-01,2025-12-31,,,,,SC,,,,,500.00\n"
    "L3,V200,LUMP_SUM,ACCEPTED,,,,,,,2025-06-01,2025-06-30,,,,,NC,,,,,300.00\n"
)


def test_accepted_lump_sums_show_amount_accrued_to_date_and_still_to_accrue(db_url, tmp_path):
    """SPEC §11.2, example J: 12,000.00 for 2025: to Apr 30 the schedule has accrued 3,945.21
    (Jan 1,019.18 + Feb 920.55 + Mar 1,019.17 + Apr 986.31), 8,054.79 still to accrue; from
    Feb 1 the window's accrual is 2,926.03. A pending lump sum and one not started yet are
    not shown; the price-protection agreement of example K is not a ladder."""
    load(db_url, "K_price_protection")
    (tmp_path / "lump.csv").write_text(LUMP_SUM_FILE)
    base = ["--db", db_url, "--user", "tester"]
    assert main([*base, "import", "agreements", str(tmp_path / "lump.csv")]) == 0
    report = [*base, "report", "estimated", "--as-of", "2025-04-30", "--out"]
    for suffix in ("csv", "xlsx", "pdf"):
        assert main([*report, str(tmp_path / f"j.{suffix}")]) == 0
    with (tmp_path / "j.csv").open(newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert {k: row[k] for k in ("vendor_code", "kind", "agreement_no", "start_date", "end_date", "method", "volume",
                                "current_tier", "rebate_earned", "to_pnl", "lump_sum_amount", "still_to_accrue")} == {
        "vendor_code": "V100", "kind": "LUMP_SUM", "agreement_no": "L1", "start_date": "2025-01-01",
        "end_date": "2025-12-31", "method": "CD", "volume": "", "current_tier": "", "rebate_earned": "3945.21",
        "to_pnl": "3945.21", "lump_sum_amount": "12000.00", "still_to_accrue": "8054.79",
    }  # fmt: skip
    sheet = load_workbook(tmp_path / "j.xlsx").active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (Decimal(str(cells["lump_sum_amount"])), Decimal(str(cells["still_to_accrue"]))) == (
        Decimal("12000"),
        Decimal("8054.79"),
    )
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "j.pdf").pages)
    assert "12,000.00" in text and "3,945.21" in text and "8,054.79" in text
    ctx = AppContext.open(db_url, user="tester", upgrade=False)
    try:
        with ctx.uow() as uow:  # the screen's rows, and the report's with a window
            (shown,) = queries.estimated_ladders(uow, as_of=date(2025, 4, 30), date_from=date(2025, 2, 1))
            assert shown.ladder_key == ""
            assert (shown.row.amount, shown.row.rebate, shown.row.to_accrue) == (
                Decimal("12000.00"),
                Decimal("2926.03"),
                Decimal("8054.79"),
            )
            rows = estimated_rebates(uow, date(2025, 12, 31))
            assert [(r.vendor, r.agreement_no, r.rebate, r.to_accrue) for r in rows] == [
                ("V100", "L1", Decimal("12000.00"), Decimal("0.00")),
                ("V200", "L3", Decimal("300.00"), Decimal("0.00")),
            ]
            assert estimated_rebates(uow, date(2025, 4, 30), "V200") == []
    finally:
        ctx.engine.dispose()


def test_a_periodic_ladder_shows_each_period_and_its_rebate_to_date(db_url, ctx, tmp_path):
    """Example G on 2026-12-06 (issue 17): the current period 2026-Q4 has no volume (tier 1 of 2,
    0.000 %) while the rebate earned to date is Q1's 20.00; the row names every period with
    volume: Q1 12,000.00 reached tier 2 at 1.000 % and earned 20.00, Q2 8,000.00 stayed in tier 1."""
    from app.services.estimated import PeriodEstimate

    load(db_url, "G_periodic")
    with ctx.uow() as uow:
        (row,) = estimated_rebates(uow, date(2026, 12, 6))
    assert (row.period_key, row.volume, row.tier, row.rate_pct, row.rebate) == (
        "2026-Q4", D("0"), 1, D("0.000"), D("20.00")
    )  # fmt: skip
    assert row.periods == (
        PeriodEstimate("2026-Q1", D("12000.00"), 2, D("1.000"), D("20.00"), None, False),
        PeriodEstimate("2026-Q2", D("8000.00"), 1, D("0.000"), D("0.00"), None, False),
    )
    assert row.beyond_maximum is None
    base = ["--db", db_url, "--user", "tester", "report", "estimated", "--as-of", "2026-12-06", "--out"]
    book, table = tmp_path / "estimated.xlsx", tmp_path / "estimated.csv"
    assert main([*base, str(book)]) == 0 and main([*base, str(table)]) == 0
    sheet = load_workbook(book).active
    shown = [(r[4].value, r[10].value, r[12].value, r[14].value) for r in sheet.iter_rows(min_row=2)]
    assert shown == [
        (row.ladder, "2026-Q4", 1, 20),
        (f"{row.ladder} · period 2026-Q1", "2026-Q1", 2, 20),
        (f"{row.ladder} · period 2026-Q2", "2026-Q2", 1, 0),
    ]
    with table.open(newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 1  # the CSV keeps one row per ladder


def test_a_capped_ladder_says_the_maximum_is_reached_and_what_earns_nothing(db_url, ctx, tmp_path):
    """A COOP ladder of one tier up to 10,000.00 at 2 %: 12,000.00 received earn 200.00 and
    2,000.00 earn nothing; screen rows, CSV and XLSX say so."""
    for kind in ("categories", "vendors", "products", "gl-accounts", "gl-reference"):
        assert (
            main(["--db", db_url, "--user", "tester", "import", kind, str(EXAMPLES / "G_periodic" / f"{kind}.csv")])
            == 0
        )
    agreements = tmp_path / "agreements.csv"
    agreements.write_text(
        "vendor_code,kind,status,cat1,cat2,cat3,cat4,product_code,max_amount,start_date,end_date,rebate1,rebate2,"
        "rebate3,rebate4,method,degressive,retro,product_pct,period\n"
        "V100,COOP,ACCEPTED,GYPSUM,ALL,ALL,ALL,,10000,2026-01-01,2026-12-31,2,,,,SC,N,N,0,\n"
    )
    receipts = tmp_path / "receipts.csv"
    receipts.write_text(
        "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
        "S1,V100,2026-02-01,1,GYP-OTHER,12000,1.00\n"
    )
    base = ["--db", db_url, "--user", "tester"]
    for args in (["import", "agreements", str(agreements)], ["import", "receipts", str(receipts)], ["post"]):
        assert main([*base, *args]) == 0
    with ctx.uow() as uow:
        (row,) = estimated_rebates(uow, date(2026, 12, 6))
    assert (row.volume, row.rebate, row.beyond_maximum, row.needed_for_next) == (
        D("12000.00"), D("200.00"), D("2000.00"), None
    )  # fmt: skip
    out = tmp_path / "estimated.csv"
    assert main([*base, "report", "estimated", "--as-of", "2026-12-06", "--out", str(out)]) == 0
    with out.open(newline="") as fh:
        (line,) = list(csv.DictReader(fh))
    assert (line["maximum_reached"], line["volume_earning_nothing"]) == ("Y", "2000.00")
    statement, report = tmp_path / "statement.pdf", tmp_path / "estimated.pdf"
    assert (
        main(
            [
                *base,
                "statement",
                "--vendor",
                "V100",
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-06",
                "--out",
                str(statement),
            ]
        )
        == 0
    )
    assert main([*base, "report", "estimated", "--as-of", "2026-12-06", "--out", str(report)]) == 0
    for pdf in (statement, report):
        words = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
        assert "maximum reached: 2,000.00" in words, pdf.name
    book = tmp_path / "estimated.xlsx"
    assert main([*base, "report", "estimated", "--as-of", "2026-12-06", "--out", str(book)]) == 0
    sheet = load_workbook(book).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    (values,) = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]
    assert (values["maximum_reached"], values["volume_earning_nothing"]) == ("Y", 2000)


def test_a_long_vendor_code_is_never_broken_across_lines_in_the_pdf(tmp_path):
    """Issue 17: the estimated PDF does not break a vendor code across lines (the font of the
    cell shrinks to fit instead)."""
    from app.reports.estimated_pdf import EstimatedFilters, write_estimated_pdf
    from app.services.estimated import EstimatedRow

    row = EstimatedRow(
        "NORTHCOMFORT-WEST", "Northern Comfort West", "COOP", "1", "ALL / ALL / ALL / ALL", date(2026, 1, 1),
        date(2026, 12, 31), "SC", False, None, "", D("1000.00"), 1, 1, D("1.000"), D("10.00"), D("10.00"), D("0.00"),
        D("0.00"), D("10.00"), None, None, None,
    )  # fmt: skip
    out = tmp_path / "estimated.pdf"
    write_estimated_pdf(out, [row], company="Northshore", filters=EstimatedFilters(date(2026, 12, 6)))
    lines = PdfReader(out).pages[0].extract_text().splitlines()
    assert "NORTHCOMFORT-WEST" in lines  # the row's vendor cell, whole on its line
    assert not any(line.rstrip() == "NORTHCOMFORT-" for line in lines)


def test_the_xlsx_says_what_it_is_of_and_carries_the_totals(db_url, tmp_path):
    """Issue 17: the XLSX export carries the as-of date and filters (the printed page header,
    the book's subject, an About sheet) and the totals (a Totals sheet), while the table keeps
    its column names in row 1; the CSV stays plain."""
    load(db_url, "B_marginal")
    book = tmp_path / "estimated.xlsx"
    args = ["--db", db_url, "--user", "tester", "report", "estimated", "--as-of", "2026-12-31", "--out", str(book)]
    assert main(args) == 0
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["Estimated rebates", "About", "Totals"]
    table = workbook["Estimated rebates"]
    assert next(table.iter_rows(max_row=1, values_only=True))[:3] == ("vendor_code", "vendor_name", "kind")
    assert "As of 2026-12-31 · Vendor: all vendors" in table.oddHeader.center.text
    assert ("As of 2026-12-31",) in list(workbook["About"].values)
    totals = list(workbook["Totals"].values)
    assert totals[0][:3] == ("Totals", "Ladders", "Rebate earned")
    assert totals[-1][:3] == ("Grand total (1 vendor)", 1, 1375)  # example B: 1,375.00 on its one ladder
    sheet = workbook["Totals"]
    assert sheet.cell(row=sheet.max_row, column=3).number_format == "#,##0.00" and sheet["A1"].font.b
