"""The negotiation preview (issue 14): what a pending agreement would have earned on the vendor's
receipts, per ladder and tier, beside what they earn today; through `coop report negotiation`
on both backends. Nothing is posted."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cli.main import main
from app.models import JournalLine
from app.services import agreements, negotiation, posting
from app.services.context import AppContext
from tests.conftest import import_example
from tests.integration.test_provisional import EXAMPLE_I, SETUP

D = Decimal


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "tester", *args])


def test_pending_agreement_against_provisional_rates(ctx: AppContext, db_url: str, tmp_path: Path) -> None:
    """Example I before acceptance: VP's pending 1.5% would have earned 225.00 on the 15,000.00
    received; provisional COOP earns 300.00 today."""
    for kind in (*SETUP, "receipts", "agreements"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    assert coop(db_url, "post", "--date", "2025-02-05") == 0
    with ctx.engine.connect() as conn:
        journal_before = conn.scalar(select(func.count()).select_from(JournalLine))
    out = tmp_path / "neg.csv"
    args = ("report", "negotiation", "--vendor", "VP", "--kind", "COOP", "--from", "2025-01-01", "--to", "2025-12-31")
    assert coop(db_url, *args, "--out", str(out)) == 0
    with out.open(newline="", encoding="utf-8") as fh:
        rows = [(r["ladder"], r["tier"], r["rate"], r["volume_in_tier"], r["would_earn"], r["earns_now"],
                 r["difference"]) for r in csv.DictReader(fh)]  # fmt: skip
    assert rows == [("ALL / ALL / ALL / ALL", "1", "1.500", "15000.00", "225.00", "300.00", "-75.00")]
    assert coop(db_url, *args, "--out", str(tmp_path / "neg.pdf")) == 0
    assert (tmp_path / "neg.pdf").read_bytes().startswith(b"%PDF")
    assert coop(db_url, *args, "--out", str(tmp_path / "neg.xlsx")) == 0  # issue 17: what it is of, its totals
    book = load_workbook(tmp_path / "neg.xlsx")
    assert "VP — Prairie Panels Ltd" in book.active.oddHeader.center.text
    assert ("receipts 2025-01-01 to 2025-12-31",) in list(book["About"].values)
    assert list(book["Totals"].values)[1:] == [
        ("Receipts in the window", 15000),
        ("Would have earned", 225),
        ("Earns now", 300),
        ("Difference", -75),
    ]
    with ctx.engine.connect() as conn:  # nothing posted
        assert conn.scalar(select(func.count()).select_from(JournalLine)) == journal_before


def test_tiers_of_a_marginal_ladder(ctx: AppContext) -> None:
    """Example B's ladder on its own receipts: 1,375.00 either way; the tier bands hold 30,000,
    20,000 and 5,000."""
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2026, 3, 1))
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", None)
        assert agreement_id is not None
        data = negotiation.preview_agreement(uow, agreement_id, date(2026, 1, 1), date(2026, 12, 31))
    assert (data.receipts, data.would_earn, data.earns_now) == (D("55000.00"), D("1375.00"), D("1375.00"))
    (ladder,) = data.ladders
    assert (ladder.lines, ladder.volume, ladder.tier) == (3, D("55000.00"), 3)
    assert [(t.tier, t.rate_pct, t.volume) for t in ladder.tiers] == [
        (1, D("2.000"), D("30000.00")),
        (2, D("3.000"), D("20000.00")),
        (3, D("3.500"), D("5000.00")),
    ]
    with ctx.uow() as uow:  # a window before the receipts: nothing held, nothing earned
        empty = negotiation.preview_agreement(uow, agreement_id, date(2025, 1, 1), date(2025, 12, 31))
    assert (empty.receipts, empty.would_earn, empty.ladders[0].lines) == (D("0.00"), D("0.00"), 0)


def test_unknown_agreement_is_refused(db_url: str, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert coop(db_url, "import", "vendors", str(EXAMPLE_I / "vendors.csv")) == 0
    capsys.readouterr()
    never = tmp_path / "never.csv"
    assert coop(db_url, "report", "negotiation", "--vendor", "VQ", "--kind", "COOP", "--out", str(never)) == 1
    assert "vendor VQ has no COOP agreement" in capsys.readouterr().err
    assert not never.exists()


def test_an_agreement_whose_rate_changes_in_the_year_keeps_its_split(ctx: AppContext, db_url: str, tmp_path: Path):
    """Two ALL ladders of next year (January 1%, then 5%): on this year's receipts each holds its
    own months, as accepting the agreement for this year would accrue them (100.00 + 250.00)."""
    for kind in (*SETUP, "receipts"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    assert coop(db_url, "post", "--date", "2025-02-05") == 0
    header = (EXAMPLE_I / "agreements.csv").read_text().splitlines()[0]
    rows = [
        "N1,VP,DAMAGE,PENDING,ALL,ALL,ALL,ALL,,999999999,2026-01-01,2026-01-31,1,,,,CD,N,N,0,",
        "N1,VP,DAMAGE,PENDING,ALL,ALL,ALL,ALL,,999999999,2026-02-01,2026-12-31,5,,,,CD,N,N,0,",
    ]
    (tmp_path / "n1.csv").write_text("\n".join([header, *rows]) + "\n")
    assert coop(db_url, "import", "agreements", str(tmp_path / "n1.csv")) == 0
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "VP", "DAMAGE", "N1")
        assert agreement_id is not None
        data = negotiation.preview_agreement(uow, agreement_id, date(2025, 1, 1), date(2025, 12, 31))
    assert [(lad.start, lad.lines, lad.volume, lad.would_earn) for lad in data.ladders] == [
        (date(2026, 1, 1), 1, D("10000.00"), D("100.00")),
        (date(2026, 2, 1), 1, D("5000.00"), D("250.00")),
    ]
    assert data.would_earn == D("350.00")


def test_a_lump_sum_has_no_negotiation_preview(ctx: AppContext, db_url: str, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for kind in ("categories", "vendors", "products", "gl-accounts", "gl-reference"):
        assert coop(db_url, "import", kind, str(EXAMPLE_I / f"{kind}.csv")) == 0
    with ctx.uow() as uow:
        agreements.save_agreement(
            uow, vendor="VP", kind="LUMP_SUM", status="PENDING", lines=[],
            lump_sum=agreements.LumpSum(D("1200"), date(2025, 1, 1), date(2025, 12, 31), "CD"),
        )  # fmt: skip
    capsys.readouterr()
    assert (
        coop(db_url, "report", "negotiation", "--vendor", "VP", "--kind", "LUMP_SUM", "--out", str(tmp_path / "nl.csv"))
        == 1
    )
    assert "Kind: a LUMP_SUM agreement earns nothing on receipts" in capsys.readouterr().err
