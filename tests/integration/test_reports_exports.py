"""CSV and XLSX exports: numbers stay numbers, and nothing a spreadsheet opens runs as a formula."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select, update

from app.models import JournalLine, Vendor
from app.services.estimated import ESTIMATED_COLUMNS
from app.services.exports import DANGEROUS, write_table
from tests.integration.test_reports_pdf import coop, load

HYPERLINK = '=HYPERLINK("x")'


def sheet_rows(path: Path) -> tuple[object, list[tuple[object, ...]]]:
    sheet = load_workbook(path).active
    return sheet, list(sheet.iter_rows(values_only=True))


def test_estimated_xlsx_has_numeric_cells_equal_to_the_database(db_url, tmp_path):
    load(db_url, "C_retro")
    out = tmp_path / "estimated.xlsx"
    assert coop(db_url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31") == 0
    sheet, rows = sheet_rows(out)
    assert list(rows[0]) == list(ESTIMATED_COLUMNS)
    row = dict(zip(ESTIMATED_COLUMNS, rows[1], strict=True))
    for name in (
        "volume",
        "current_tier",
        "current_rate",
        "rebate_earned",
        "regular",
        "retroactive",
        "applied_to_cost",
        "to_pnl",
    ):
        assert isinstance(row[name], (int, float)) and not isinstance(row[name], bool), name
    assert Decimal(str(row["volume"])) == Decimal("110000.00")
    assert (Decimal(str(row["regular"])), Decimal(str(row["retroactive"])), Decimal(str(row["rebate_earned"]))) == (
        Decimal("1700"),
        Decimal("1600"),
        Decimal("3300"),
    )
    assert row["current_tier"] == 3 and Decimal(str(row["current_rate"])) == Decimal("3")
    assert row["start_date"].date() == date(2026, 1, 1)
    assert sheet.freeze_panes == "A2"
    cells = dict(zip(ESTIMATED_COLUMNS, sheet[2], strict=True))
    assert cells["volume"].number_format == "#,##0.00"
    assert cells["rebate_earned"].number_format == "#,##0.00"
    assert cells["current_rate"].number_format == "0.000"
    assert cells["start_date"].number_format == "yyyy-mm-dd"
    ladder = cells["ladder"].column_letter
    assert sheet.column_dimensions[ladder].width >= len("GYPSUM / ALL / ALL / ALL")


def test_journal_xlsx_debits_and_credits_are_numbers_that_match_the_database(db_url, ctx, tmp_path):
    load(db_url, "E_product_pct")
    out = tmp_path / "journal.xlsx"
    assert coop(db_url, "export", "journal", "--out", str(out)) == 0
    sheet, rows = sheet_rows(out)
    header = rows[0]
    debit, credit = header.index("debit"), header.index("credit")
    assert sheet.freeze_panes == "A2"
    assert all(isinstance(r[debit], (int, float)) and isinstance(r[credit], (int, float)) for r in rows[1:])
    with ctx.uow() as uow:
        db_debit, db_credit, count = uow.session.execute(
            select(func.sum(JournalLine.debit), func.sum(JournalLine.credit), func.count())
        ).one()
    assert len(rows) - 1 == count
    assert sum(Decimal(str(r[debit])) for r in rows[1:]) == db_debit
    assert sum(Decimal(str(r[credit])) for r in rows[1:]) == db_credit
    second = {c.column_letter: c for c in sheet[2]}
    assert second["H"].number_format == "#,##0.00" and second["B"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["M"].width > len("memo") + 2  # sized to the memo text


def test_a_formula_vendor_name_is_neutralised_in_csv_xlsx_and_printed_as_text(db_url, ctx, tmp_path):
    load(db_url, "B_marginal")
    with ctx.uow() as uow:
        uow.session.execute(update(Vendor).where(Vendor.code == "V100").values(name=HYPERLINK))
        uow.commit()
    csv_out, xlsx_out, pdf_out = tmp_path / "e.csv", tmp_path / "e.xlsx", tmp_path / "e.pdf"
    for out in (csv_out, xlsx_out, pdf_out):
        assert coop(db_url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31") == 0
    (row,) = list(csv.DictReader(csv_out.open(newline="")))
    assert row["vendor_name"] == "'" + HYPERLINK
    sheet = load_workbook(xlsx_out).active
    cell = sheet.cell(row=2, column=ESTIMATED_COLUMNS.index("vendor_name") + 1)
    assert cell.value == "'" + HYPERLINK and cell.data_type == "s"
    text = "\n".join(p.extract_text() for p in PdfReader(pdf_out).pages)
    assert f"V100 — {HYPERLINK}" in text
    statement = tmp_path / "s.pdf"
    assert (
        coop(
            db_url,
            "statement",
            "--vendor",
            "V100",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            str(statement),
        )
        == 0
    )
    assert HYPERLINK in "\n".join(p.extract_text() for p in PdfReader(statement).pages)


def test_every_dangerous_first_character_is_neutralised_in_both_formats(tmp_path):
    texts = [f"{c}cmd|' /C calc'!A0" for c in DANGEROUS] + ["plain", "a=b"]
    rows = [(t, Decimal("-12.50"), date(2026, 2, 1)) for t in texts]
    write_table(tmp_path / "t.csv", ("memo", "amount", "day"), rows)
    write_table(tmp_path / "t.xlsx", ("memo", "amount", "day"), rows, money_columns=("amount",))
    got = list(csv.reader((tmp_path / "t.csv").open(newline="")))[1:]
    assert [r[0] for r in got] == ["'" + t for t in texts[:-2]] + ["plain", "a=b"]
    assert {r[1] for r in got} == {"-12.50"}  # numbers are not text, so they keep their sign
    sheet = load_workbook(tmp_path / "t.xlsx").active
    memos = [sheet.cell(row=i, column=1) for i in range(2, len(texts) + 2)]
    # XML turns a stored CR into LF on reading: compare the apostrophe and the rest of the text
    assert [c.value[0] for c in memos[:-2]] == ["'"] * len(DANGEROUS)
    assert [c.value[2:] for c in memos[:-2]] == [t[1:] for t in texts[:-2]]
    assert [c.value for c in memos[-2:]] == ["plain", "a=b"]
    assert {c.data_type for c in memos} == {"s"}
    assert {sheet.cell(row=i, column=2).value for i in range(2, len(texts) + 2)} == {-12.5}


def test_names_with_markup_characters_print_as_written(db_url, ctx, tmp_path):
    load(db_url, "B_marginal")
    name = 'Smith & Sons <Gypsum> "Best"'
    with ctx.uow() as uow:
        uow.session.execute(
            update(Vendor).where(Vendor.code == "V100").values(name=name, address="12 Rue & Co\nMontréal, QC  H2X 1Y4")
        )
        uow.commit()
    out = tmp_path / "s.pdf"
    assert (
        coop(db_url, "statement", "--vendor", "V100", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))
        == 0
    )
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert name in text and "Montréal, QC" in text


def test_what_an_xlsx_is_of_is_text_too(tmp_path):
    """The About sheet, the page header and the Totals sheet hold text as the table does: a
    company named like a formula stays text, a control character shows as U+FFFD."""
    company = '=HYPERLINK("http://x","y")'
    write_table(
        tmp_path / "t.xlsx", ("memo",), [("a",)], about=f"Report · {company} · Vendor V\x07100",
        totals=[("Totals", "Amount"), ("=SUM(A1)", Decimal("1.00"))],
    )  # fmt: skip
    book = load_workbook(tmp_path / "t.xlsx")
    about = [row[0] for row in book["About"].values]
    assert about == ["Report", "'" + company, "Vendor V\ufffd100"]
    assert {c.data_type for row in book["About"].iter_rows() for c in row} == {"s"}
    assert "'=HYPERLINK" in book.active.oddHeader.center.text
    assert book["Totals"]["A2"].value == "'=SUM(A1)" and book["Totals"]["A2"].data_type == "s"
