"""The documents of co-op invoices (SPEC §13, §18) through the command line: the backup
(CSV, XLSX, PDF), the invoice export by a window of at most 90 days, and a month's invoices
printed one PDF per vendor. Example L (SPEC §17) checked field by field."""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli.main import main
from app.models import Company
from app.services import invoice_documents, invoice_exports, security
from app.services.context import AppContext
from app.services.errors import PermissionDenied
from tests.conftest import EXAMPLES, IMPORT_ORDER

D = Decimal
BACKUP_HEADER = (
    "invoice_no,slip_no,line_no,received_date,product_code,vendor_item_code,quantity,extended_amount,"
    "agreement_no,tier,rate,regular,retroactive,rerate,provisional,amount"
)
EXPORT_HEADER = (
    "invoice_no,invoice_date,due_date,vendor_code,agreement_no,kind,method,currency,amount,open_amount,status"
)
REMIT = "Bank of Example, transit 00011, account 1234567"
L_INVOICES = EXAMPLES / "L_invoices"


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "accountant", *args])


def import_with(url: str, folder: Path, files: dict[str, Path]) -> None:
    for kind in IMPORT_ORDER:
        assert coop(url, "import", kind, str(files.get(kind, folder / f"{kind}.csv"))) == 0


def set_remit_to(ctx: AppContext) -> None:
    with ctx.uow() as uow:
        uow.session.get_one(Company, 1).remit_to = REMIT
        uow.commit()


def load_example_l(url: str, ctx: AppContext, tmp_path: Path) -> None:
    """Example L (SPEC §17): Example H's ladder paid by CD; S2 posted Feb 10 and S3 Mar 1,
    February and March closed; S1 (Jan 15) posted on Apr 10 and April closed. The vendor has a
    billing address beside its address; the company its remit-to bank details."""
    vendors = tmp_path / "vendors.csv"
    vendors.write_text(
        "code,name,currency,address,billing_address\n"
        'V100,Northern Gypsum Ltd,CAD,1 Mill Road,"Accounts receivable\n40 Quarry Street\nSudbury ON"\n'
    )
    import_with(url, L_INVOICES, {"vendors": vendors})
    set_remit_to(ctx)
    assert coop(url, "post", "--slip", "S2", "--date", "2026-02-10") == 0
    assert coop(url, "post", "--slip", "S3", "--date", "2026-03-01") == 0
    assert coop(url, "close", "--month", "2026-02", "--date", "2026-03-01") == 0
    assert coop(url, "close", "--month", "2026-03", "--date", "2026-04-01") == 0
    assert coop(url, "post", "--slip", "S1", "--date", "2026-04-10") == 0
    assert coop(url, "close", "--month", "2026-04", "--date", "2026-05-01") == 0


def read_csv(path: Path) -> tuple[str, list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    return text.splitlines()[0], list(csv.DictReader(text.splitlines()))


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), re.sub(r"[ \t]+", " ", "\n".join(p.extract_text() for p in reader.pages))


def backup_row(slip: str, received: str, tier: str, rate: str, regular: str, rerate: str) -> dict[str, str]:
    amount = regular if regular != "0.00" else rerate
    quantity, extended = {"S1": ("15000", "15000.00"), "S2": ("20000", "20000.00"), "S3": ("20000", "20000.00")}[slip]
    return {
        "slip_no": slip, "line_no": "1", "received_date": received, "product_code": "GYP-OTHER",
        "vendor_item_code": "", "quantity": quantity, "extended_amount": extended, "agreement_no": "1",
        "tier": tier, "rate": rate, "regular": regular, "retroactive": "0.00", "rerate": rerate,
        "provisional": "N", "amount": amount,
    }  # fmt: skip


def test_example_l_backups_and_export_field_by_field(db_url, ctx, tmp_path):
    load_example_l(db_url, ctx, tmp_path)
    feb, mar, apr = "CO-2602-V100-0001", "CO-2603-V100-0001", "CO-2604-V100-0001"
    expected = {
        feb: [backup_row("S2", "2026-02-10", "1", "2.000", "400.00", "0.00")],
        mar: [backup_row("S3", "2026-03-01", "2", "3.000", "500.00", "0.00")],
        apr: [
            backup_row("S1", "2026-01-15", "1", "2.000", "300.00", "0.00"),
            backup_row("S2", "2026-02-10", "2", "3.000", "0.00", "50.00"),
            backup_row("S3", "2026-03-01", "2", "3.000", "0.00", "100.00"),
        ],
    }
    for number, rows in expected.items():
        out = tmp_path / f"{number}.csv"
        assert coop(db_url, "invoice", "backup", number, "--out", str(out)) == 0
        header, got = read_csv(out)
        assert header == BACKUP_HEADER
        assert got == [{"invoice_no": number, **r} for r in rows]

    out = tmp_path / "invoices.csv"
    assert coop(db_url, "invoices", "export", "--from", "2026-02-01", "--to", "2026-04-30", "--out", str(out)) == 0
    header, got = read_csv(out)
    assert header == EXPORT_HEADER
    assert [(r["invoice_no"], r["invoice_date"], r["due_date"], r["amount"], r["open_amount"]) for r in got] == [
        (feb, "2026-02-28", "2026-03-30", "400.00", "400.00"),
        (mar, "2026-03-31", "2026-04-30", "500.00", "500.00"),
        (apr, "2026-04-30", "2026-05-30", "450.00", "450.00"),
    ]
    for r in got:
        assert (r["vendor_code"], r["agreement_no"], r["kind"], r["method"], r["currency"], r["status"]) == (
            "V100", "1", "COOP", "CD", "CAD", "OPEN",
        )  # fmt: skip


def test_backup_never_changes_after_the_close(db_url, ctx, tmp_path):
    load_example_l(db_url, ctx, tmp_path)
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    assert coop(db_url, "invoice", "backup", "CO-2602-V100-0001", "--out", str(before)) == 0
    assert coop(db_url, "close", "--month", "2026-02", "--date", "2026-05-02") == 0  # creates nothing
    assert coop(db_url, "rerate", "--date", "2026-05-02") == 0
    assert coop(db_url, "invoice", "backup", "CO-2602-V100-0001", "--out", str(after)) == 0
    assert before.read_bytes() == after.read_bytes()


def test_a_window_of_91_days_is_refused_and_writes_nothing(db_url, ctx, tmp_path, capsys):
    load_example_l(db_url, ctx, tmp_path)
    out = tmp_path / "invoices.xlsx"
    assert coop(db_url, "invoices", "export", "--from", "2026-02-01", "--to", "2026-05-02", "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "91 days counting both ends" in err and "at most 90 days" in err and "nothing was written" in err
    assert not out.exists()
    assert list(tmp_path.glob(".invoices*")) == []
    assert coop(db_url, "invoices", "export", "--from", "2026-04-30", "--to", "2026-04-01", "--out", str(out)) == 1
    assert "is after --to" in capsys.readouterr().err and not out.exists()
    # 90 days counting both ends is allowed.
    assert coop(db_url, "invoices", "export", "--from", "2026-02-01", "--to", "2026-05-01", "--out", str(out)) == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(EXPORT_HEADER.split(","))
    assert [(r[0], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("CO-2602-V100-0001", 400, 400, "OPEN"),
        ("CO-2603-V100-0001", 500, 500, "OPEN"),
        ("CO-2604-V100-0001", 450, 450, "OPEN"),
    ]
    assert rows[1][1] is not None and rows[1][1].date() == date(2026, 2, 28)
    book = load_workbook(out)  # issue 17: what the export is of, and its totals per status and currency
    assert "Invoice dates 2026-02-01 to 2026-05-01" in book.active.oddHeader.center.text
    assert ("Invoice dates 2026-02-01 to 2026-05-01",) in list(book["About"].values)
    assert list(book["Totals"].values) == [
        ("Totals", "Currency", "Invoices", "Amount", "Open amount"),
        ("Total OPEN", "CAD", 3, 1350, 1350),
        ("Total", "CAD", 3, 1350, 1350),
    ]


def test_backup_xlsx_has_numeric_cells(db_url, ctx, tmp_path):
    load_example_l(db_url, ctx, tmp_path)
    out = tmp_path / "backup.xlsx"
    assert coop(db_url, "invoice", "backup", "CO-2604-V100-0001", "--out", str(out)) == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    names = [c.value for c in rows[0]]
    assert names == [*BACKUP_HEADER.split(","), "description", "scope"]
    s2 = {n: c for n, c in zip(names, rows[2], strict=True)}
    for name in ("quantity", "extended_amount", "tier", "rate", "regular", "retroactive", "rerate", "amount"):
        assert s2[name].data_type == "n", name
    assert (s2["quantity"].value, s2["rate"].value, s2["rerate"].value, s2["amount"].value) == (20000, 3, 50, 50)
    assert s2["rate"].number_format == "0.000" and s2["amount"].number_format == "#,##0.00"
    assert (s2["description"].value, s2["scope"].value) == ("Gypsum other", "GYPSUM / ALL / ALL / ALL")


def test_invoice_pdf_says_how_to_pay_and_totals_the_backup(db_url, ctx, tmp_path):
    load_example_l(db_url, ctx, tmp_path)
    out = tmp_path / "apr.pdf"
    assert coop(db_url, "invoice", "backup", "CO-2604-V100-0001", "--out", str(out)) == 0
    pages, text = pdf_text(out)
    assert pages == 1
    for shown in (
        "Co-op invoice", "CO-2604-V100-0001", "40 Quarry Street", "Due date", "2026-05-30",
        "deduct on next payment (CD)", "Amount due", "450.00 CAD", REMIT,
        "Please quote invoice number CO-2604-V100-0001 with your payment",
        "Grand total 450.00 CAD equals the invoice amount 450.00", "2026-01", "2026-02", "2026-03",
        "Appendix: backup of invoice CO-2604-V100-0001",
    ):  # fmt: skip
        assert shown in text, shown


def test_a_months_invoices_print_one_pdf_per_vendor(db_url, ctx, tmp_path):
    load_example_l(db_url, ctx, tmp_path)
    folder = tmp_path / "april"
    assert coop(db_url, "invoices", "print", "--month", "2026-04", "--out", str(folder)) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["V100.pdf"]
    _pages, text = pdf_text(folder / "V100.pdf")
    assert "CO-2604-V100-0001" in text and "Accounts receivable" in text and "450.00" in text
    assert "CO-2603-V100-0001" not in text
    # Again: the file is there, refused unless --force.
    assert coop(db_url, "invoices", "print", "--month", "2026-04", "--out", str(folder)) == 2
    assert coop(db_url, "invoices", "print", "--month", "2026-04", "--out", str(folder), "--force") == 0
    assert coop(db_url, "invoices", "print", "--month", "2026-13", "--out", str(folder)) == 1


def test_an_unknown_invoice_writes_no_backup(db_url, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert coop(db_url, "invoice", "backup", "CO-2601-NONE-0001", "--out", str(out)) == 1
    assert "CO-2601-NONE-0001" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["x.txt", "x"])
def test_a_backup_file_must_be_xlsx_csv_or_pdf(db_url, tmp_path, name):
    assert coop(db_url, "invoice", "backup", "CO-2601-V100-0001", "--out", str(tmp_path / name)) == 2


def test_a_price_protection_invoice_carries_its_one_line_detail(db_url, ctx, tmp_path):
    """Example K's claim (90.00) closed in April: no receipt behind it, so one row with the claim's
    date, product and amount; slip, line, quantity and extended amount blank."""
    folder = EXAMPLES / "K_price_protection"
    import_with(
        db_url, folder, {"gl-accounts": L_INVOICES / "gl-accounts.csv", "gl-reference": L_INVOICES / "gl-reference.csv"}
    )
    assert coop(db_url, "post", "--date", "2025-01-31") == 0
    assert coop(db_url, "import", "price-changes", str(folder / "price-changes.csv")) == 0
    assert coop(db_url, "close", "--month", "2025-04", "--date", "2025-05-01") == 0
    out = tmp_path / "pp.csv"
    assert coop(db_url, "invoice", "backup", "CO-2504-V100-0001", "--out", str(out)) == 0
    _header, rows = read_csv(out)
    assert rows == [
        {
            "invoice_no": "CO-2504-V100-0001", "slip_no": "", "line_no": "", "received_date": "2025-04-01",
            "product_code": "GYP-HALF-4X8", "vendor_item_code": "", "quantity": "", "extended_amount": "",
            "agreement_no": "1", "tier": "", "rate": "", "regular": "0.00", "retroactive": "0.00", "rerate": "0.00",
            "provisional": "N", "amount": "90.00",
        }
    ]  # fmt: skip
    pdf = tmp_path / "pp.pdf"
    assert coop(db_url, "invoice", "backup", "CO-2504-V100-0001", "--out", str(pdf)) == 0
    _pages, text = pdf_text(pdf)
    assert "Price protection GYP-HALF-4X8: cost 10.00 -> 9.25, 120 on hand" in text
    assert "By tier" not in text and "Grand total 90.00 CAD equals the invoice amount 90.00" in text


def test_a_clerk_may_not_read_invoice_documents(db_url, ctx, tmp_path):
    load_example_l(db_url, ctx, tmp_path)
    with ctx.uow() as uow:
        security.save_user(uow, "root", "ADMIN")
    with AppContext(ctx.engine, "root").uow() as uow:
        security.save_user(uow, "carl", "CLERK")
    clerk = AppContext(ctx.engine, "carl")
    for write in (
        lambda uow: invoice_documents.write_backup(uow, "CO-2604-V100-0001", tmp_path / "b.csv"),
        lambda uow: invoice_exports.export_invoices(uow, date(2026, 4, 1), date(2026, 4, 30), tmp_path / "e.csv"),
        lambda uow: invoice_documents.print_month(uow, "2026-04", tmp_path / "print"),
    ):
        with clerk.uow() as uow, pytest.raises(PermissionDenied):
            write(uow)
    assert not (tmp_path / "b.csv").exists() and not (tmp_path / "e.csv").exists()
    assert not (tmp_path / "print").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
