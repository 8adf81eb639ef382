"""Every SPEC §10 example through the `coop` command line, checked in the exported journal."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.cli.main import main
from tests.conftest import EXAMPLES, IMPORT_ORDER

D = Decimal

# (source, slip, role) -> net debit (credit negative), for non-RECEIPT lines
EXPECTED: dict[str, dict[tuple[str, str, str], Decimal]] = {
    "A_degressive": {
        ("ACCRUAL", "S1", "REBATE_RECEIVABLE"): D("4912.50"),
        ("ACCRUAL", "S1", "ADVERTISING"): D("-4912.50"),
    },
    "B_marginal": {
        ("ACCRUAL", "S1", "REBATE_RECEIVABLE"): D("500.00"),
        ("ACCRUAL", "S1", "ADVERTISING"): D("-500.00"),
        ("ACCRUAL", "S2", "REBATE_RECEIVABLE"): D("550.00"),
        ("ACCRUAL", "S2", "ADVERTISING"): D("-550.00"),
        ("ACCRUAL", "S3", "REBATE_RECEIVABLE"): D("325.00"),
        ("ACCRUAL", "S3", "ADVERTISING"): D("-325.00"),
    },
    "C_retro": {
        ("ACCRUAL", "S3", "REBATE_RECEIVABLE"): D("200.00"),
        ("ACCRUAL", "S3", "ADVERTISING"): D("-200.00"),
        ("RETRO", "S3", "REBATE_RECEIVABLE"): D("1000.00"),
        ("RETRO", "S3", "ADVERTISING"): D("-1000.00"),
        ("ACCRUAL", "S4", "REBATE_RECEIVABLE"): D("1500.00"),
        ("ACCRUAL", "S4", "ADVERTISING"): D("-1500.00"),
        ("RETRO", "S4", "REBATE_RECEIVABLE"): D("600.00"),
        ("RETRO", "S4", "ADVERTISING"): D("-600.00"),
    },
    "D_precedence": {
        ("ACCRUAL", "S2", "REBATE_RECEIVABLE"): D("50.00"),
        ("ACCRUAL", "S2", "ADVERTISING"): D("-50.00"),
        ("ACCRUAL", "S3", "REBATE_RECEIVABLE"): D("60.00"),
        ("ACCRUAL", "S3", "ADVERTISING"): D("-60.00"),
    },
    "E_product_pct": {
        ("ACCRUAL", "S1", "REBATE_RECEIVABLE"): D("500.00"),
        ("ACCRUAL", "S1", "INVENTORY"): D("-200.00"),
        ("ACCRUAL", "S1", "ADVERTISING"): D("-300.00"),
        ("ACCRUAL", "S2", "REBATE_RECEIVABLE"): D("550.00"),
        ("ACCRUAL", "S2", "INVENTORY"): D("-220.00"),
        ("ACCRUAL", "S2", "ADVERTISING"): D("-330.00"),
        ("ACCRUAL", "S3", "REBATE_RECEIVABLE"): D("325.00"),
        ("ACCRUAL", "S3", "INVENTORY"): D("-130.00"),
        ("ACCRUAL", "S3", "ADVERTISING"): D("-195.00"),
    },
    "F_rounding": {
        ("ACCRUAL", "S1", "REBATE_RECEIVABLE"): D("0.25"),
        ("ACCRUAL", "S1", "ADVERTISING"): D("-0.25"),
        ("ACCRUAL", "S2", "REBATE_RECEIVABLE"): D("0.26"),
        ("ACCRUAL", "S2", "ADVERTISING"): D("-0.26"),
        ("ACCRUAL", "S3", "REBATE_RECEIVABLE"): D("0.25"),
        ("ACCRUAL", "S3", "ADVERTISING"): D("-0.25"),
    },
    "G_periodic": {("ACCRUAL", "S1", "REBATE_RECEIVABLE"): D("20.00"), ("ACCRUAL", "S1", "REBATE_EARNED"): D("-20.00")},
    "H_backdated": {
        ("ACCRUAL", "S2", "REBATE_RECEIVABLE"): D("400.00"),
        ("ACCRUAL", "S2", "ADVERTISING"): D("-400.00"),
        ("ACCRUAL", "S3", "REBATE_RECEIVABLE"): D("500.00"),
        ("ACCRUAL", "S3", "ADVERTISING"): D("-500.00"),
        ("ACCRUAL", "S1", "REBATE_RECEIVABLE"): D("300.00"),
        ("ACCRUAL", "S1", "ADVERTISING"): D("-300.00"),
        ("RERATE", "S2", "REBATE_RECEIVABLE"): D("50.00"),
        ("RERATE", "S2", "ADVERTISING"): D("-50.00"),
        ("RERATE", "S3", "REBATE_RECEIVABLE"): D("100.00"),
        ("RERATE", "S3", "ADVERTISING"): D("-100.00"),
    },
}


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "clerk", *args])


def journal(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def import_all(url: str, folder: Path, receipts: Path | None = None) -> None:
    for kind in IMPORT_ORDER:
        source = receipts if (kind == "receipts" and receipts) else folder / f"{kind}.csv"
        assert coop(url, "import", kind, str(source)) == 0


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_through_the_command_line(db_url, tmp_path, example):
    folder = EXAMPLES / example
    if example == "H_backdated":
        lines = (folder / "receipts.csv").read_text().splitlines()
        first = tmp_path / "s2_s3.csv"
        first.write_text("\n".join(lines[:3]) + "\n")
        later = tmp_path / "s1.csv"
        later.write_text("\n".join([lines[0], lines[3]]) + "\n")
        import_all(db_url, folder, receipts=first)
        assert coop(db_url, "post") == 0
        assert coop(db_url, "import", "receipts", str(later)) == 0
        assert coop(db_url, "post") == 0
    else:
        import_all(db_url, folder)
        assert coop(db_url, "post") == 0
    out = tmp_path / "journal.csv"
    assert coop(db_url, "export", "journal", "--out", str(out)) == 0
    rows = journal(out)
    net: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    per_entry: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        assert r["slip_no"] and r["line_no"] == "1"
        debit, credit = D(r["debit"] or "0"), D(r["credit"] or "0")
        assert debit == 0 or credit == 0
        per_entry[r["entry_no"]] += debit - credit
        if r["source"] != "RECEIPT":
            net[(r["source"], r["slip_no"], r["account_role"])] += debit - credit
    assert {k: v for k, v in net.items() if v} == EXPECTED[example]
    assert set(per_entry.values()) == {D(0)}
    receipts = [r for r in rows if r["source"] == "RECEIPT"]
    assert {r["account_role"] for r in receipts} == {"INVENTORY", "RECEIVED_NOT_INVOICED"}
    assert coop(db_url, "rerate") == 0
    out2 = tmp_path / "journal2.csv"
    coop(db_url, "export", "journal", "--out", str(out2))
    assert journal(out2) == rows  # re-rating an unchanged state posts nothing


def test_journal_columns_and_xlsx_numbers(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    import_all(url, EXAMPLES / "E_product_pct")
    assert coop(url, "post") == 0
    csv_out, xlsx_out = tmp_path / "j.csv", tmp_path / "j.xlsx"
    assert coop(url, "export", "journal", "--out", str(csv_out)) == 0
    assert coop(url, "export", "journal", "--out", str(xlsx_out)) == 0
    header = csv_out.read_text().splitlines()[0]
    assert header == (
        "entry_no,entry_date,source,slip_no,line_no,account,account_role,debit,credit,"
        "vendor_code,product_code,agreement_kind,memo,agreement_no,posted_at,export_no"
    )
    sheet = load_workbook(xlsx_out).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header.split(",")
    inv = [v for v in values[1:] if v[2] == "ACCRUAL" and v[6] == "INVENTORY"]
    assert [v[8] for v in inv] == [200, 220, 130]
    assert all(isinstance(v[8], (int, float)) for v in inv)  # numbers, not text


def test_estimated_report_csv_for_example_b(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    import_all(url, EXAMPLES / "B_marginal")
    coop(url, "post")
    out = tmp_path / "est.csv"
    assert coop(url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31") == 0
    (row,) = list(csv.DictReader(out.open()))
    assert row["vendor_code"] == "V100" and row["kind"] == "COOP"
    assert D(row["volume"]) == D("55000.00")
    assert row["current_tier"] == "3" and D(row["current_rate"]) == D("3.500")
    assert D(row["rebate_earned"]) == D("1375.00")
    assert row["amount_to_next_tier"] == ""


def test_estimated_report_shows_what_the_next_tier_adds(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    import_all(url, EXAMPLES / "C_retro")
    out = tmp_path / "est.csv"
    coop(url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31")
    (row,) = list(csv.DictReader(out.open()))
    assert D(row["volume"]) == 0 and D(row["amount_to_next_tier"]) == D("50000.01")
    assert coop(url, "post") == 0
    assert coop(url, "report", "estimated", "--out", str(out), "--as-of", "2026-02-02", "--force") == 0
    (row,) = list(csv.DictReader(out.open()))
    # 50,000 received: tier 1 at 0%; 50,000 x 2% = 1,000.00 arrives with the next cent
    assert D(row["volume"]) == D("50000.00") and row["current_tier"] == "1"
    assert D(row["amount_to_next_tier"]) == D("0.01")
    assert D(row["rebate_next_tier_adds"]) == D("1000.00")
    assert coop(url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31", "--force") == 0
    (row,) = list(csv.DictReader(out.open()))
    assert (D(row["regular"]), D(row["retroactive"]), D(row["rebate_earned"])) == (
        D("1700.00"),
        D("1600.00"),
        D("3300.00"),
    )


def test_import_errors_name_row_and_column_and_exit_1(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    bad = tmp_path / "vendors.csv"
    bad.write_text("code,name,currency\nV1,Acme,CAD\nV2,,USD\n")
    assert coop(url, "import", "vendors", str(bad)) == 1
    err = capsys.readouterr().err
    assert "row 3, name: is required" in err and "row 3, currency" in err and "nothing was written" in err


def test_console_script_runs(tmp_path):
    exe = Path(sys.executable).parent / "coop"
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    done = subprocess.run([str(exe), "--db", url, "db", "upgrade"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "latest schema" in done.stdout


def test_example_k_price_protection_through_the_command_line(db_url, tmp_path):
    """SPEC §17 K: an accepted PRICE_PROTECTION agreement (ALL, 2025); the cost of a product
    goes from 10.00 to 9.25 on Apr 1 with 120 on hand: claim 90.00, Dr REBATE_RECEIVABLE / Cr
    INVENTORY dated Apr 1; the cost becomes 9.25. Another vendor's product, with no agreement,
    changes its cost and claims nothing."""
    from sqlalchemy import select

    from app.models import PriceChange, Product
    from app.services.context import AppContext

    folder = EXAMPLES / "K_price_protection"
    import_all(db_url, folder)
    assert coop(db_url, "post") == 0
    assert coop(db_url, "import", "price-changes", str(folder / "price-changes.csv")) == 0
    out = tmp_path / "journal.csv"
    assert coop(db_url, "export", "journal", "--out", str(out)) == 0
    claims = [r for r in journal(out) if r["source"] == "PRICE_PROTECTION"]
    assert [
        (r["entry_date"], r["account_role"], D(r["debit"]), D(r["credit"]), r["vendor_code"], r["product_code"],
         r["agreement_kind"], r["agreement_no"], r["slip_no"])
        for r in claims
    ] == [
        ("2025-04-01", "REBATE_RECEIVABLE", D("90.00"), D(0), "V100", "GYP-HALF-4X8", "PRICE_PROTECTION", "1", ""),
        ("2025-04-01", "INVENTORY", D(0), D("90.00"), "V100", "GYP-HALF-4X8", "PRICE_PROTECTION", "1", ""),
    ]  # fmt: skip
    assert claims[0]["memo"] == "Price protection GYP-HALF-4X8: cost 10.00 -> 9.25, 120 on hand"
    assert len({r["entry_no"] for r in claims}) == 1
    context = AppContext.open(db_url, user="tester", upgrade=False)
    try:
        with context.uow() as uow:
            costs = dict(uow.session.execute(select(Product.code, Product.unit_cost)).all())
            changes = uow.session.execute(
                select(Product.code, PriceChange.old_unit_cost, PriceChange.new_unit_cost, PriceChange.on_hand,
                       PriceChange.claim, PriceChange.entry_id, PriceChange.created_by)
                .join(Product, Product.id == PriceChange.product_id)
                .order_by(PriceChange.id)
            ).all()  # fmt: skip
    finally:
        context.engine.dispose()
    assert costs == {"GYP-HALF-4X8": D("9.25"), "SPF-2X4-8": D("4.50")}
    assert [tuple(c[:5]) for c in changes] == [
        ("GYP-HALF-4X8", D("10.00"), D("9.25"), D("120"), D("90.00")),
        ("SPF-2X4-8", D("5.00"), D("4.50"), D("10"), D("0.00")),
    ]
    assert changes[0].entry_id == int(claims[0]["entry_no"]) and changes[1].entry_id is None
    assert all(c.created_by for c in changes)
    # A price increase of the protected product claims nothing; a re-rate leaves the claim alone.
    rise = tmp_path / "rise.csv"
    rise.write_text("product_code,effective_date,new_unit_cost,on_hand\nGYP-HALF-4X8,2025-05-01,9.60,100\n")
    assert coop(db_url, "import", "price-changes", str(rise)) == 0
    assert coop(db_url, "rerate") == 0
    out2 = tmp_path / "journal2.csv"
    assert coop(db_url, "export", "journal", "--out", str(out2)) == 0
    assert journal(out2) == journal(out)
