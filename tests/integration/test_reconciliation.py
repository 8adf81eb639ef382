"""Backup reconciliation (SPEC §16) on example O with March closed (both backends): the vendor's
statement compared line by line with our backup (by slip and line, or by its item code and
received date), each status with exact totals; `coop reconcile` to CSV, XLSX and PDF; an
unknown vendor, missing columns and bad cells refused with nothing written."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli.main import main
from app.domain.reconciliation import BackupLine, reconcile
from app.services import month_close, posting, receiving
from app.services.errors import ValidationFailed
from app.services.reconciliation import reconcile_backup
from tests.integration.payables_support import example_o

D = Decimal
HEADER = "slip_no,line_no,vendor_item_code,received_date,quantity,amount,rebate\n"
THEIRS = (
    HEADER + "R1,1,RB-100,2025-03-05,400,4000.00,1000.00\n"  # matched
    "R2,1,RB-100,2025-03-12,100,1000.00,260.00\n"  # we charged 250.00
    ",,RB-100,2025-03-14,180,1800.00,450.00\n"  # R3 by item code and date: they count 180 of 200
    "R9,1,RB-100,2025-03-20,10,100.00,25.00\n"  # not ours
)  # and R4 (100.00) is only ours


@pytest.fixture
def march(ctx):  # type: ignore[no-untyped-def]
    example_o(ctx)
    slips = [
        receiving.SlipIn(no, "VR", day, (receiving.SlipLineIn(1, "VR-BOARD", D(qty), D("10.00")),))
        for no, day, qty in (("R2", date(2025, 3, 12), 100), ("R3", date(2025, 3, 14), 200),
                             ("R4", date(2025, 3, 15), 40))
    ]  # fmt: skip
    with ctx.uow() as uow:
        receiving.save_slips(uow, slips)
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2025, 3, 20))
    month_close.close_month(ctx, "2025-03", date(2025, 4, 1))  # CO-2503-VR-0001 1,850.00
    return ctx


def vendor_file(tmp_path: Path, text: str = THEIRS, name: str = "theirs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_each_status_with_totals(march, tmp_path):
    with march.uow() as uow:
        result = reconcile_backup(uow, "VR", vendor_file(tmp_path))
    assert [(c.status, c.slip_no, c.line_no, c.ours, c.theirs) for c in result.lines] == [
        ("MATCHED", "R1", 1, (D("400"), D("4000.00"), D("1000.00")), (D("400"), D("4000.00"), D("1000.00"))),
        ("AMOUNT_DIFFERS", "R2", 1, (D("100"), D("1000.00"), D("250.00")), (D("100"), D("1000.00"), D("260.00"))),
        ("QUANTITY_DIFFERS", "R3", 1, (D("200"), D("2000.00"), D("500.00")), (D("180"), D("1800.00"), D("450.00"))),
        ("ONLY_OURS", "R4", 1, (D("40"), D("400.00"), D("100.00")), None),
        ("ONLY_THEIRS", "R9", 1, None, (D("10"), D("100.00"), D("25.00"))),
    ]
    assert [(t.status, t.lines, t.our_rebate, t.their_rebate, t.difference) for t in result.totals()] == [
        ("MATCHED", 1, D("1000.00"), D("1000.00"), D("0.00")),
        ("AMOUNT_DIFFERS", 1, D("250.00"), D("260.00"), D("10.00")),
        ("QUANTITY_DIFFERS", 1, D("500.00"), D("450.00"), D("-50.00")),
        ("ONLY_THEIRS", 1, D("0"), D("25.00"), D("25.00")),
        ("ONLY_OURS", 1, D("100.00"), D("0"), D("-100.00")),
        ("ALL", 5, D("1850.00"), D("1735.00"), D("-115.00")),
    ]


def test_bad_input_is_refused_with_the_record_and_field_named(march, tmp_path):
    with pytest.raises(ValidationFailed) as unknown, march.uow() as uow:
        reconcile_backup(uow, "NOPE", vendor_file(tmp_path))
    assert [str(p) for p in unknown.value.problems] == ["reconcile, vendor: 'NOPE' does not exist"]
    missing = vendor_file(tmp_path, "slip_no,line_no,vendor_item_code,received_date,quantity,amount\nR1,1,X,,1,1,\n")
    with pytest.raises(ValidationFailed) as columns, march.uow() as uow:
        reconcile_backup(uow, "VR", missing)
    assert [str(p) for p in columns.value.problems] == ["theirs.csv header, rebate: required column is missing"]
    cells = vendor_file(tmp_path, HEADER + "R1,one,RB-100,2025-03-05,400,4000.00,1000.00\n,,,,1,2.001,x\n")
    with pytest.raises(ValidationFailed) as bad, march.uow() as uow:
        reconcile_backup(uow, "VR", cells)
    assert [str(p) for p in bad.value.problems] == [
        "row 2, line_no: 'one' is not a whole number",
        "row 3, vendor_item_code: is required",
        "row 3, received_date: is required",
        "row 3, amount: 2.001 has more than 2 decimals",
        "row 3, rebate: 'x' is not a number (use a plain decimal with a dot)",
    ]


def test_reconcile_through_the_command_line(march, db_url, tmp_path, capsys):
    march.engine.dispose()
    theirs = vendor_file(tmp_path)

    def coop(*args: str) -> int:
        return main(["--db", db_url, "--user", "tester", "reconcile", *args])

    out = tmp_path / "rec.csv"
    capsys.readouterr()
    assert coop("--vendor", "VR", str(theirs), "--out", str(out)) == 0
    assert "ALL  5 lines  ours 1,850.00  theirs 1,735.00  difference -115.00" in capsys.readouterr().out
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["status"], r["slip_no"], r["our_rebate"], r["their_rebate"], r["rebate_difference"]) for r in rows][
        :2
    ] == [("MATCHED", "R1", "1000.00", "1000.00", "0.00"), ("AMOUNT_DIFFERS", "R2", "250.00", "260.00", "10.00")]
    assert (rows[-1]["status"], rows[-1]["slip_no"], rows[-1]["line_no"], rows[-1]["rebate_difference"]) == (
        "TOTAL", "ALL", "5", "-115.00"
    )  # fmt: skip
    xlsx = tmp_path / "rec.xlsx"
    assert coop("--vendor", "VR", str(theirs), "--out", str(xlsx)) == 0
    book = load_workbook(xlsx)
    assert [c.value for c in book.active[4]][:3] == ["QUANTITY_DIFFERS", "R3", 1]
    assert book.sheetnames == ["Reconciliation", "About", "Totals"]  # issue 17: what it is of, its totals
    assert "Vendor VR: its statement of what it was charged" in book.active.oddHeader.center.text
    totals = list(book["Totals"].values)
    assert totals[0] == ("Status", "Lines", "Our rebate", "Their rebate", "Difference")
    assert totals[-1] == ("ALL", 5, 1850, 1735, -115)
    pdf = tmp_path / "rec.pdf"
    assert coop("--vendor", "VR", str(theirs), "--out", str(pdf)) == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Backup reconciliation" in text and "ONLY_THEIRS" in text and "-115.00" in text
    refused = tmp_path / "refused.csv"
    bad = vendor_file(tmp_path, "slip_no,quantity\n", "bad.csv")
    capsys.readouterr()
    assert coop("--vendor", "VR", str(bad), "--out", str(refused)) == 1
    err = capsys.readouterr().err
    assert "bad.csv header, line_no: required column is missing" in err and "nothing was written" in err
    assert coop("--vendor", "NOPE", str(theirs), "--out", str(refused)) == 1
    assert "reconcile, vendor: 'NOPE' does not exist" in capsys.readouterr().err
    assert not refused.exists()


def test_our_accrual_and_rerate_rows_of_a_receipt_line_are_one_line() -> None:
    accrual = BackupLine("S1", 1, "C", date(2025, 1, 2), D("10"), D("100.00"), D("2.00"))
    rerate = BackupLine("S1", 1, "C", date(2025, 1, 2), D("10"), D("100.00"), D("1.00"))
    theirs = [BackupLine("", None, "C", date(2025, 1, 2), D("10"), D("100.00"), D("3.00"))]
    (line,) = reconcile("V", [accrual, rerate], theirs).lines
    assert (line.status, line.ours, line.slip_no) == ("MATCHED", (D("10"), D("100.00"), D("3.00")), "S1")
