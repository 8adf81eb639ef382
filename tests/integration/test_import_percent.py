"""Spreadsheet cells formatted as a percent (issue 11, item 2).

What Excel or LibreOffice stores when a user types `2%` is the number 0.02 with a percent
number format. In a percent column (agreements: rebate1-4, product_pct) it means 2, exactly;
in any other column it is refused, naming the row and the column.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.models import AgreementLine
from app.services.context import AppContext
from app.services.errors import ImportFailed
from app.services.tabular import read_table, shows_percent
from tests.conftest import EXAMPLES, IMPORT_ORDER
from tests.integration.test_cli_examples import EXPECTED, coop, journal

D = Decimal
PERCENT = ("rebate1", "rebate2", "rebate3", "rebate4", "product_pct")
WHOLE = ("max_amount",)
DATES = ("start_date", "end_date")


def _number(text: str) -> int | float:
    """A cell as a spreadsheet holds it: an integer, or the binary float nearest the text."""
    value = D(text)
    return int(value) if value == value.to_integral_value() else float(text)


def percent_workbook(source: Path, dest: Path, fmt: str = "0.00%") -> Path:
    """The agreements CSV as an .xlsx written by openpyxl, as Excel saves it when the user
    types the percents with a % sign: 3.5 in a rebate cell becomes 0.035 shown as 3.50%."""
    with source.open(newline="") as fh:
        rows = list(csv.reader(fh))
    book = Workbook()
    sheet = book.active
    sheet.append(rows[0])
    for raw in rows[1:]:
        cells = []
        for name, text in zip(rows[0], raw, strict=True):
            if not text:
                cells.append(None)
            elif name in PERCENT:
                cells.append(_number(str(D(text).scaleb(-2))))
            elif name in WHOLE:
                cells.append(_number(text))
            elif name in DATES:
                cells.append(date.fromisoformat(text))
            else:
                cells.append(text)
        sheet.append(cells)
    for column in sheet.iter_cols(min_row=2):
        if column[0].column - 1 < len(rows[0]) and rows[0][column[0].column - 1] in PERCENT:
            for cell in column:
                cell.number_format = fmt
    book.save(dest)
    return dest


def libreoffice_workbook(source: Path, dest: Path, tmp: Path) -> Path:
    """The agreements CSV with `3.5%` typed in the percent columns, converted to .xlsx by
    LibreOffice itself (its CSV filter with "detect special numbers" reads 3.5% as 0.035
    formatted 0.00%), so the file is LibreOffice's own, not openpyxl's."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    with source.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    typed = tmp / "agreements.csv"
    with typed.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: (f"{v}%" if k in PERCENT and v else v) for k, v in row.items()} for row in rows)
    profile = tmp / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--infilter=CSV:44,34,76,1,,1033,false,true",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp),
            str(typed),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp)},
    )
    (tmp / "agreements.xlsx").replace(dest)
    return dest


WRITERS = {"openpyxl": lambda src, dest, tmp: percent_workbook(src, dest), "libreoffice": libreoffice_workbook}


def stored_cells(path: Path) -> list[dict[str, tuple[object, str]]]:
    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    return [
        {h: (c.value, c.number_format) for h, c in zip(header, row, strict=False)} for row in sheet.iter_rows(min_row=2)
    ]


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize("example", ["B_marginal", "E_product_pct"])
def test_percent_formatted_agreement_cells_post_the_example_amounts(db_url, tmp_path, example, writer):
    folder = EXAMPLES / example
    xlsx = WRITERS[writer](folder / "agreements.csv", tmp_path / "agreements-in.xlsx", tmp_path)
    cells = stored_cells(xlsx)
    # The file holds what a spreadsheet holds for "3.5%": the fraction, formatted as a percent.
    assert [c["rebate1"][0] for c in cells] == [0.02, 0.03, 0.035]
    assert all(shows_percent(c["rebate1"][1]) for c in cells)
    if example == "E_product_pct":
        assert {c["product_pct"] for c in cells} == {(0.4, cells[0]["product_pct"][1])}
        assert shows_percent(cells[0]["product_pct"][1])
    for kind in IMPORT_ORDER:
        source = xlsx if kind == "agreements" else folder / f"{kind}.csv"
        assert coop(db_url, "import", kind, str(source)) == 0
    ctx = AppContext.open(db_url, "tester", upgrade=False)
    with ctx.uow() as uow:
        lines = uow.session.execute(
            select(AgreementLine.rebate1, AgreementLine.product_pct).order_by(AgreementLine.max_amount)
        ).all()
    ctx.engine.dispose()
    pct = D(40) if example == "E_product_pct" else D(0)
    assert [tuple(r) for r in lines] == [(D(2), pct), (D(3), pct), (D("3.5"), pct)]
    assert coop(db_url, "post") == 0
    out = tmp_path / "journal.csv"
    assert coop(db_url, "export", "journal", "--out", str(out)) == 0
    net: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in journal(out):
        if r["source"] != "RECEIPT":
            net[(r["source"], r["slip_no"], r["account_role"])] += D(r["debit"] or "0") - D(r["credit"] or "0")
    assert {k: v for k, v in net.items() if v} == EXPECTED[example]
    earned = {slip: net[("ACCRUAL", slip, "REBATE_RECEIVABLE")] for slip in ("S1", "S2", "S3")}
    assert earned == {"S1": D("500.00"), "S2": D("550.00"), "S3": D("325.00")}
    assert sum(earned.values()) == D("1375.00")


AGREEMENT_HEADER = (
    "vendor_code",
    "kind",
    "status",
    "cat1",
    "cat2",
    "cat3",
    "cat4",
    "product_code",
    "max_amount",
    "start_date",
    "end_date",
    "rebate1",
    "rebate2",
    "rebate3",
    "rebate4",
    "method",
    "degressive",
    "retro",
    "product_pct",
    "period",
)


def one_row_workbook(path: Path, values: dict[str, object], formats: dict[str, str]) -> Path:
    base: dict[str, object] = {
        "vendor_code": "V100",
        "kind": "COOP",
        "status": "PENDING",
        "cat1": "GYPSUM",
        "max_amount": 30000,
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        "method": "SC",
        "degressive": "N",
        "retro": "N",
    }
    row = {**base, **values}
    book = Workbook()
    sheet = book.active
    sheet.append(AGREEMENT_HEADER)
    sheet.append([row.get(h) for h in AGREEMENT_HEADER])
    for name, fmt in formats.items():
        sheet.cell(2, AGREEMENT_HEADER.index(name) + 1).number_format = fmt
    book.save(path)
    return path


def read_agreements(path: Path) -> dict[str, str]:
    return read_table(path, AGREEMENT_HEADER, percent=PERCENT).rows[0].cells


@pytest.mark.parametrize(("value", "fmt", "expected"), [
    (0.02, "0%", "2"),
    (0.03, "0.00%", "3"),
    (0.035, "0.00%", "3.5"),  # never 3.5000000000000004: shifted in Decimal, not by float arithmetic
    (0.049125, "0.000%", "4.9125"),  # the stored value, not the 3 decimals shown
    (0.0001, "0.00%", "0.01"),
    (1, "0%", "100"),  # an integer cell formatted as a percent: 1 is 100%
    (0, "0%", "0"),
    (0.5, "[Red]0.0%;[Blue]-0.0%", "50"),
    (2, '0.00"%"', "2"),  # a quoted % is text shown after the number: no scaling
    (2, "0.00\\%", "2"),  # so is an escaped one
    (2.5, "General", "2.5"),
    (3, "0.00", "3"),
])  # fmt: skip
def test_a_percent_cell_reads_as_the_percent_it_shows(tmp_path, value, fmt, expected):
    path = one_row_workbook(tmp_path / "a.xlsx", {"rebate1": value}, {"rebate1": fmt})
    cells = read_agreements(path)
    assert cells["rebate1"] == expected
    assert cells["max_amount"] == "30000" and cells["start_date"] == "2026-01-01"


def test_text_typed_in_a_percent_formatted_cell_is_taken_as_it_is(tmp_path):
    path = one_row_workbook(tmp_path / "a.xlsx", {"rebate1": "2", "rebate2": "abc"}, {"rebate1": "0%", "rebate2": "0%"})
    cells = read_agreements(path)
    assert (cells["rebate1"], cells["rebate2"]) == ("2", "abc")


def test_a_percent_cell_outside_a_percent_column_is_refused_naming_row_and_column(tmp_path):
    path = one_row_workbook(
        tmp_path / "a.xlsx",
        {"max_amount": 300, "rebate1": 0.02, "cat1": 1},
        {"max_amount": "0%", "rebate1": "0%", "cat1": "0.0%"},
    )
    with pytest.raises(ImportFailed) as info:
        read_agreements(path)
    assert [str(p) for p in info.value.problems] == [
        "row 2, cat1: is formatted as a percent (shows 100%) but is not a percent column: "
        "format the cell as a plain number",
        "row 2, max_amount: is formatted as a percent (shows 30000%) but is not a percent column: "
        "format the cell as a plain number",
    ]


@pytest.mark.parametrize("fmt", ["0%", "0.00%"])
def test_product_pct_and_every_rebate_column_take_percent_cells(tmp_path, fmt):
    path = one_row_workbook(
        tmp_path / "a.xlsx",
        {"rebate1": 0.02, "rebate2": 0.015, "rebate3": 0.01, "rebate4": 0.005, "product_pct": 0.4},
        {name: fmt for name in PERCENT},
    )
    cells = read_agreements(path)
    assert [cells[name] for name in PERCENT] == ["2", "1.5", "1", "0.5", "40"]
