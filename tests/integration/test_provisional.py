"""Provisional rates and waivers (SPEC §12), example I of §17 end to end through `coop` on
SQLite and PostgreSQL, checked in the exported journal by account role; the true-up when a
covering agreement is accepted; bad input leaving the database as it was."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.cli.main import main
from app.models import Base
from app.services import imports, posting, provisional
from app.services.context import AppContext
from app.services.errors import ValidationFailed
from app.services.reports import journal_rows

D = Decimal
EXAMPLE_I = Path(__file__).parent.parent / "fixtures" / "part2" / "I_provisional"
SETUP = ("categories", "vendors", "products", "gl-accounts", "gl-reference", "provisional-rates", "waivers")


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "tester", *args])


def net_by(path: Path) -> dict[tuple[str, str, str, str], Decimal]:
    """(source, slip, role, agreement_no) -> net debit of the exported journal (RECEIPT lines left out)."""
    net: dict[tuple[str, str, str, str], Decimal] = defaultdict(Decimal)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["source"] != "RECEIPT":
                key = (row["source"], row["slip_no"], row["account_role"], row["agreement_no"])
                net[key] += D(row["debit"] or 0) - D(row["credit"] or 0)
    return {k: v for k, v in net.items() if v}


def memos(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [r["memo"] for r in csv.DictReader(fh) if r["account_role"] == "REBATE_RECEIVABLE"]


def test_example_i_provisional_then_true_up(db_url: str, tmp_path: Path) -> None:
    for kind in SETUP:
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    assert coop(db_url, "import", "receipts", str(EXAMPLE_I / "receipts.csv")) == 0
    assert coop(db_url, "import", "agreements", str(EXAMPLE_I / "agreements.csv")) == 0  # pending
    assert coop(db_url, "post", "--date", "2025-02-05") == 0
    before = tmp_path / "before.csv"
    assert coop(db_url, "export", "journal", "--out", str(before)) == 0
    assert net_by(before) == {
        # VP: COOP at 2%, no FREIGHT (waived)
        ("ACCRUAL", "P1-VP", "REBATE_RECEIVABLE", ""): D("200.00"),
        ("ACCRUAL", "P1-VP", "ADVERTISING", ""): D("-200.00"),
        ("ACCRUAL", "P2-VP", "REBATE_RECEIVABLE", ""): D("100.00"),
        ("ACCRUAL", "P2-VP", "ADVERTISING", ""): D("-100.00"),
        # VQ: COOP at 2% and FREIGHT at 1%
        ("ACCRUAL", "P1-VQ", "REBATE_RECEIVABLE", ""): D("300.00"),
        ("ACCRUAL", "P1-VQ", "ADVERTISING", ""): D("-200.00"),
        ("ACCRUAL", "P1-VQ", "FREIGHT_ALLOWANCE", ""): D("-100.00"),
        ("ACCRUAL", "P2-VQ", "REBATE_RECEIVABLE", ""): D("150.00"),
        ("ACCRUAL", "P2-VQ", "ADVERTISING", ""): D("-100.00"),
        ("ACCRUAL", "P2-VQ", "FREIGHT_ALLOWANCE", ""): D("-50.00"),
    }
    assert all("provisional" in m for m in memos(before))  # marked provisional in the journal memo
    exposure = tmp_path / "exposure.csv"
    assert coop(db_url, "report", "provisional", "--as-of", "2025-02-28", "--out", str(exposure)) == 0
    with exposure.open(newline="", encoding="utf-8") as fh:
        assert [tuple(r.values()) for r in csv.DictReader(fh)] == [
            ("VP", "Prairie Panels Ltd", "COOP", "2", "15000.00", "300.00", "2025-01", "2025-02", "2"),
            ("VQ", "Quarry Stone Inc", "COOP", "2", "15000.00", "300.00", "2025-01", "2025-02", "2"),
            ("VQ", "Quarry Stone Inc", "FREIGHT", "2", "15000.00", "150.00", "2025-01", "2025-02", "2"),
        ]
    book_path = tmp_path / "exposure.xlsx"  # issue 17: what the XLSX is of, and the PDF's totals
    assert (
        coop(db_url, "report", "provisional", "--as-of", "2025-02-28", "--vendor", "VQ", "--out", str(book_path)) == 0
    )
    book = load_workbook(book_path)
    assert book.sheetnames == ["Provisional exposure", "About", "Totals"]
    assert "Receipts to 2025-02-28 accrued at provisional rates" in book.active.oddHeader.center.text
    assert ("Vendor VQ",) in list(book["About"].values)
    assert list(book["Totals"].values) == [
        ("Totals", "Lines", "Receipts", "Provisional accrual"),
        ("Total Coop Advertising", 2, 15000, 300),
        ("Total Freight Allowance", 2, 15000, 150),
        ("Total (1 vendor)", None, None, 450),
    ]
    # Mar 1: VP's COOP agreement is accepted -> RERATE with no clerk action
    assert coop(db_url, "import", "agreements", str(EXAMPLE_I / "agreements-accepted.csv"), "--date", "2025-03-01") == 0
    after = tmp_path / "after.csv"
    assert coop(db_url, "export", "journal", "--out", str(after)) == 0
    rerate = {k: v for k, v in net_by(after).items() if k[0] == "RERATE"}
    # the provisional accrual reversed (no agreement), the agreement's earned afresh: net -50.00 and -25.00
    assert rerate == {
        ("RERATE", "P1-VP", "REBATE_RECEIVABLE", ""): D("-200.00"),
        ("RERATE", "P1-VP", "ADVERTISING", ""): D("200.00"),
        ("RERATE", "P1-VP", "REBATE_RECEIVABLE", "2025"): D("150.00"),
        ("RERATE", "P1-VP", "ADVERTISING", "2025"): D("-150.00"),
        ("RERATE", "P2-VP", "REBATE_RECEIVABLE", ""): D("-100.00"),
        ("RERATE", "P2-VP", "ADVERTISING", ""): D("100.00"),
        ("RERATE", "P2-VP", "REBATE_RECEIVABLE", "2025"): D("75.00"),
        ("RERATE", "P2-VP", "ADVERTISING", "2025"): D("-75.00"),
    }
    per_slip: dict[str, Decimal] = defaultdict(Decimal)
    for (_source, slip, role, _no), amount in net_by(after).items():
        if role == "REBATE_RECEIVABLE" and slip.endswith("VP"):
            per_slip[slip] += amount
    assert dict(per_slip) == {"P1-VP": D("150.00"), "P2-VP": D("75.00")}  # SPEC §17 I
    assert coop(db_url, "report", "provisional", "--as-of", "2025-03-01", "--out", str(exposure), "--force") == 0
    with exposure.open(newline="", encoding="utf-8") as fh:  # VP's COOP lines are the agreement's now
        assert [(r["vendor_code"], r["kind"]) for r in csv.DictReader(fh)] == [("VQ", "COOP"), ("VQ", "FREIGHT")]
    estimated = tmp_path / "estimated.csv"
    assert coop(db_url, "report", "estimated", "--as-of", "2025-03-01", "--out", str(estimated)) == 0
    with estimated.open(newline="", encoding="utf-8") as fh:
        shown = [(r["vendor_code"], r["kind"], r["agreement_no"], r["ladder"], r["current_rate"], r["volume"],
                  r["rebate_earned"]) for r in csv.DictReader(fh)]  # fmt: skip
    assert shown == [
        ("VP", "COOP", "2025", "ALL / ALL / ALL / ALL", "1.500", "15000.00", "225.00"),
        ("VQ", "COOP", "", "provisional 2.000% (ALL)", "2.000", "15000.00", "300.00"),
        ("VQ", "FREIGHT", "", "provisional 1.000% (ALL)", "1.000", "15000.00", "150.00"),
    ]
    assert coop(db_url, "report", "provisional", "--out", str(tmp_path / "exposure.pdf")) == 0
    assert (tmp_path / "exposure.pdf").read_bytes().startswith(b"%PDF")
    assert coop(db_url, "rerate") == 0  # the true-up is complete: nothing more to post
    again = tmp_path / "again.csv"
    assert coop(db_url, "export", "journal", "--out", str(again)) == 0
    assert net_by(again) == net_by(after)


def snapshot(ctx: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with ctx.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("COOP,2025-01-01,2025-12-31,ALL,100.5", "row 2, rate: must be between 0 and 100 (got 100.5)"),
        ("COOP,2025-01-01,2025-12-31,ALL,1.23456", "row 2, rate: at most 4 decimals (got 1.23456)"),
        ("VOLUME,2025-01-01,2025-12-31,ALL,1", "row 2, kind: must be COOP, DAMAGE or FREIGHT (got VOLUME)"),
        ("COOP,2025-12-31,2025-01-01,ALL,1", "row 2, to_date: 2025-01-01 is before from_date 2025-12-31"),
        (
            "COOP,2025-06-01,2026-05-31,,3",
            "row 2, from_date: overlaps the COOP rate for ALL from 2025-01-01 to 2025-12-31",
        ),
        ("COOP,2026-01-01,2026-12-31,NOPE,3", "row 2, cat1: no CAT1 category NOPE"),
        (
            "DAMAGE,2026-01-01,2026-12-31,GYPSUM,1\nDAMAGE,2026-12-01,2027-01-31,GYPSUM,2",
            "row 3, from_date: overlaps the DAMAGE rate for GYPSUM from 2026-01-01 to 2026-12-31",
        ),
    ],
)
def test_bad_provisional_rates_name_row_and_field_and_change_nothing(
    ctx: AppContext, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, expected: str
) -> None:
    for kind in ("categories", "vendors", "products", "gl-accounts", "gl-reference", "provisional-rates"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    before = snapshot(ctx)
    bad = tmp_path / "rates.csv"
    bad.write_text("kind,from_date,to_date,cat1,rate\n" + rows + "\n", encoding="utf-8")
    capsys.readouterr()
    assert coop(db_url, "import", "provisional-rates", str(bad)) == 1
    assert expected in capsys.readouterr().err
    assert snapshot(ctx) == before


def test_waiver_for_an_unknown_vendor_is_refused(
    ctx: AppContext, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert coop(db_url, "import", "vendors", str(EXAMPLE_I / "vendors.csv")) == 0
    before = snapshot(ctx)
    bad = tmp_path / "waivers.csv"
    bad.write_text("vendor_code,kind,from_date,to_date\nVX,COOP,2025-01-01,2025-12-31\n", encoding="utf-8")
    capsys.readouterr()
    assert coop(db_url, "import", "waivers", str(bad)) == 1
    assert "row 2, vendor_code: vendor VX does not exist" in capsys.readouterr().err
    assert snapshot(ctx) == before


def test_a_waiver_added_later_reverses_what_was_accrued(ctx: AppContext, db_url: str) -> None:
    """Waivers are part of the desired state: adding one re-rates the vendor at once."""
    for kind in (*SETUP[:-1], "receipts"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2025, 2, 5))
    with ctx.uow() as uow:  # VP waived from FREIGHT from Feb 1: P2's 50.00 goes, P1's 100.00 stays
        assert (
            provisional.save_waivers(
                uow,
                [provisional.WaiverIn("VP", "FREIGHT", date(2025, 2, 1), date(2025, 12, 31))],
                today=date(2025, 3, 1),
            )
            == 1
        )
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(Base.metadata.tables["line_accrual"].c.slip_no, Base.metadata.tables["line_accrual"].c.rebate).where(
                Base.metadata.tables["line_accrual"].c.kind == "FREIGHT"
            )
        ).all()
    assert sorted((slip, D(rebate)) for slip, rebate in rows) == [
        ("P1-VP", D("100.00")),
        ("P1-VQ", D("100.00")),
        ("P2-VQ", D("50.00")),
    ]
    with ctx.uow() as uow:
        assert posting.rerate(uow, today=date(2025, 3, 1)) == 0


def test_a_rate_needs_the_right_to_maintain_provisional_rates(ctx: AppContext) -> None:
    from app.services.errors import PermissionDenied
    from app.services.security import save_user

    with ctx.uow() as uow:
        save_user(uow, "tester", "ADMIN")
    with ctx.uow() as uow:
        save_user(uow, "carl", "CLERK")
    clerk = AppContext(ctx.engine, user="carl")
    with clerk.uow() as uow, pytest.raises(PermissionDenied):
        provisional.save_rates(uow, [provisional.RateIn("COOP", date(2025, 1, 1), date(2025, 12, 31), "ALL", D(2))])
    with ctx.uow() as uow:
        assert provisional.list_rates(uow) == []


def test_validation_failed_carries_every_problem(ctx: AppContext) -> None:
    with ctx.uow() as uow, pytest.raises(ValidationFailed) as info:
        provisional.save_rates(
            uow,
            [
                provisional.RateIn("COOP", date(2025, 1, 1), date(2025, 12, 31), "ALL", D(101), "rate A"),
                provisional.RateIn("RETRO", date(2025, 1, 1), date(2025, 12, 31), "ALL", D(1), "rate B"),
            ],
        )
    assert [str(p) for p in info.value.problems] == [
        "rate A, rate: must be between 0 and 100 (got 101)",
        "rate B, kind: must be COOP, DAMAGE or FREIGHT (got RETRO)",
    ]


def test_statement_marks_what_is_provisional(ctx: AppContext, db_url: str) -> None:
    from app.services.statements import statement_data

    for kind in (*SETUP, "receipts"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2025, 2, 5))
    with ctx.uow() as uow:
        data = statement_data(uow, "VQ", date(2025, 1, 1), date(2025, 3, 31))
    assert [(k.kind, k.total, k.provisional) for k in data.by_kind] == [
        ("COOP", D("300.00"), D("300.00")),
        ("FREIGHT", D("150.00"), D("150.00")),
    ]


def test_slip_preview_shows_the_provisional_rates(ctx: AppContext, db_url: str) -> None:
    from app.services import receiving

    for kind in SETUP:
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    slip = receiving.SlipIn("NEW", "VQ", date(2025, 3, 3), (receiving.SlipLineIn(1, "VQ-BOARD", D(1234), D("1.01")),))
    with ctx.uow() as uow:
        shown = receiving.preview(uow, slip)
    assert [(r.kind, r.ladder, r.agreement_no, r.tier, r.rate_pct, r.rebate, r.net_unit_cost) for r in shown] == [
        ("COOP", "provisional 2.000% (ALL)", "", 0, D("2.000"), D("24.93"), D("1.0100")),
        ("FREIGHT", "provisional 1.000% (ALL)", "", 0, D("1.000"), D("12.46"), D("1.0100")),
    ]  # 1,246.34 at 2% and 1%, half-up
    assert {r.note for r in shown} == {
        "provisional rate: no accepted agreement of this kind covers it (flat, no tiers)"
    }


def test_every_problem_of_a_file_is_said_at_once(
    ctx: AppContext, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in ("categories", "vendors"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    before = snapshot(ctx)
    bad = tmp_path / "rates.csv"
    bad.write_text(
        "kind,from_date,to_date,cat1,rate\n,2025-01-01,2025-12-31,ALL,2\nCOOP,2025-01-01,2025-12-31,ALL,101\n"
        "FREIGHT,2025-13-01,2025-12-31,ALL,1\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert coop(db_url, "import", "provisional-rates", str(bad)) == 1
    assert capsys.readouterr().err.splitlines()[1:] == [
        "  row 2, kind: is required",
        "  row 3, rate: must be between 0 and 100 (got 101)",
        "  row 4, from_date: '2025-13-01' is not a date (YYYY-MM-DD)",
    ]
    assert snapshot(ctx) == before


def test_a_rate_with_four_decimals_is_shown_with_them_and_a_withdrawn_one_says_so(ctx: AppContext, db_url: str):
    for kind in (*SETUP[:-2], "receipts"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    with ctx.uow() as uow:
        provisional.save_rates(
            uow, [provisional.RateIn("DAMAGE", date(2025, 1, 1), date(2025, 12, 31), "", D("0.0333"))]
        )
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2025, 2, 5))
    with ctx.uow() as uow:
        (rate,) = [r for r in provisional.list_rates(uow) if r.kind == "DAMAGE"]
    with ctx.uow() as uow:
        provisional.delete_rate(uow, rate.id, today=date(2025, 3, 1))
    with ctx.uow() as uow:
        memos = {
            (r["source"], r["slip_no"]): r["memo"] for r in journal_rows(uow) if r["account_role"] == "DAMAGE_ALLOWANCE"
        }
    assert memos[("ACCRUAL", "P1-VP")] == "DAMAGE accrual provisional 0.0333% (ALL)"  # 3.33 on 10,000.00
    assert memos[("RERATE", "P1-VP")] == "DAMAGE re-rate: provisional rate withdrawn"


def test_an_accepted_lump_sum_does_not_stop_posting_without_an_advertising_account(
    ctx: AppContext, tmp_path: Path
) -> None:
    """A lump sum accrues at the month close (issue 15), not when receipts are posted."""
    from app.services import agreements

    for kind in ("categories", "vendors", "products"):
        with ctx.uow() as uow:
            imports.import_file(uow, kind, EXAMPLE_I / f"{kind}.csv")
    for kind, text in (
        ("gl-accounts", "number,name,type\n1200,Inventory,ASSET\n2150,RNI,LIABILITY\n1310,Rebate receivable,ASSET\n"),
        ("gl-reference", "role,account_number\nINVENTORY,1200\nRECEIVED_NOT_INVOICED,2150\nREBATE_RECEIVABLE,1310\n"),
    ):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        with ctx.uow() as uow:
            imports.import_file(uow, kind, path)
    with ctx.uow() as uow:
        agreements.save_agreement(
            uow, vendor="VP", kind="LUMP_SUM", status="ACCEPTED", lines=[],
            lump_sum=agreements.LumpSum(D("1200"), date(2025, 1, 1), date(2025, 12, 31), "CD"),
        )  # fmt: skip
    with ctx.uow() as uow:
        imports.import_file(uow, "receipts", EXAMPLE_I / "receipts.csv")
    with ctx.uow() as uow:
        assert posting.post_slips(uow, today=date(2025, 2, 5)).slips == 4
