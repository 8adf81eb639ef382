"""Printed reports (SPEC §8) read back with pypdf: the SPEC §10 figures are on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli.main import main
from app.services.context import AppContext
from app.services.statement_files import write_statements
from tests.conftest import EXAMPLES, IMPORT_ORDER


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "accountant", *args])


def load(url: str, example: str, *, post_date: str | None = None) -> None:
    for kind in IMPORT_ORDER:
        assert coop(url, "import", kind, str(EXAMPLES / example / f"{kind}.csv")) == 0
    assert coop(url, "post", *(("--date", post_date) if post_date else ())) == 0


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"[ \t]+", " ", text)


def test_estimated_pdf_for_example_b_shows_volume_tier_and_rebate(db_url, tmp_path):
    load(db_url, "B_marginal")
    out = tmp_path / "estimated.pdf"
    assert coop(db_url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31") == 0
    pages, text = pdf_text(out)
    assert "Estimated rebates" in text and "As of 2026-12-31" in text and "Vendor: all vendors" in text
    assert "V100 — Northern Gypsum Ltd" in text
    assert "55,000.00" in text and "1,375.00" in text
    assert "3 of 3" in text and "3.500" in text
    assert "Total V100" in text and "Grand total (1 ladders, 1 vendors)" in text
    assert f"Page 1 of {pages}" in text


def test_estimated_pdf_for_example_c_splits_regular_and_retroactive(db_url, tmp_path):
    load(db_url, "C_retro")
    out = tmp_path / "estimated.pdf"
    assert coop(db_url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31", "--vendor", "V100") == 0
    _pages, text = pdf_text(out)
    assert "Vendor: V100" in text
    assert "110,000.00" in text
    assert "1,700.00" in text and "1,600.00" in text and "3,300.00" in text
    assert "Retro" in text


def test_estimated_pdf_shows_the_amount_to_the_next_tier(db_url, tmp_path):
    load(db_url, "C_retro")
    out = tmp_path / "estimated.pdf"
    assert coop(db_url, "report", "estimated", "--out", str(out), "--as-of", "2026-02-02") == 0
    _pages, text = pdf_text(out)
    assert "50,000.00" in text and "1 of 3" in text
    assert "\n0.01\n" in text and "1,000.00" in text  # one more cent reaches tier 2 and adds 1,000.00


def test_estimated_pdf_without_ladders_says_so(db_url, tmp_path):
    out = tmp_path / "estimated.pdf"
    assert coop(db_url, "report", "estimated", "--out", str(out)) == 0
    _pages, text = pdf_text(out)
    assert "No ladder of an accepted agreement matches these filters." in text


def test_estimated_report_refuses_an_unknown_format(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert coop(url, "report", "estimated", "--out", str(tmp_path / "x.docx")) == 2
    assert ".pdf, .xlsx or .csv" in capsys.readouterr().err


def test_statement_for_example_e_shows_accruals_by_kind_and_month(db_url, tmp_path):
    load(db_url, "E_product_pct")
    out = tmp_path / "V100.pdf"
    assert (
        coop(db_url, "statement", "--vendor", "V100", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))
        == 0
    )
    pages, text = pdf_text(out)
    assert "Rebate statement" in text and "Northern Gypsum Ltd" in text and "Vendor code V100" in text
    assert "Period: 2026-01-01 to 2026-12-31" in text
    assert "1,375.00 CAD" in text  # accrued in the period
    feb = re.search(r"Feb 2026\s+([\d,.]+)\s+([\d,.]+)", text)
    assert feb is not None and feb.groups() == ("1,375.00", "1,375.00")
    assert re.search(r"Jan 2026\s+0\.00\s+0\.00", text)
    assert "Co-op advertising" in text and "Product %: 40" in text
    assert "30,000.00" in text and "50,000.00" in text and "no limit" in text  # the ladder's tiers
    assert "Volume to date 55,000.00" in text  # the tier-progress chart
    assert "thresholds marked on the axis" in text
    assert "None in this period." in text  # no retroactive part, no re-rate
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_statement_lists_retroactive_parts_of_example_c(db_url, tmp_path):
    load(db_url, "C_retro")
    out = tmp_path / "V100.pdf"
    assert (
        coop(db_url, "statement", "--vendor", "V100", "--from", "2026-02-01", "--to", "2026-02-28", "--out", str(out))
        == 0
    )
    _pages, text = pdf_text(out)
    assert "3,300.00 CAD" in text
    assert re.search(r"2026-02-03\s+Retroactive\s+S3\s+1\s+COOP\s+1,000\.00", text)
    assert re.search(r"2026-02-04\s+Retroactive\s+S4\s+1\s+COOP\s+600\.00", text)
    assert re.search(r"Co-op advertising\s+1,700\.00\s+1,600\.00\s+0\.00\s+3,300\.00", text)
    assert "Retro: yes" in text


def test_statement_lists_the_re_rates_of_a_back_dated_slip(db_url, tmp_path):
    folder = EXAMPLES / "H_backdated"
    lines = (folder / "receipts.csv").read_text().splitlines()
    first, later = tmp_path / "s2_s3.csv", tmp_path / "s1.csv"
    first.write_text("\n".join(lines[:3]) + "\n")
    later.write_text("\n".join([lines[0], lines[3]]) + "\n")
    for kind in IMPORT_ORDER:
        source = first if kind == "receipts" else folder / f"{kind}.csv"
        assert coop(db_url, "import", kind, str(source)) == 0
    assert coop(db_url, "post", "--date", "2026-03-02") == 0
    assert coop(db_url, "import", "receipts", str(later)) == 0
    assert coop(db_url, "post", "--date", "2026-03-20") == 0
    out = tmp_path / "V100.pdf"
    assert (
        coop(db_url, "statement", "--vendor", "V100", "--from", "2026-01-01", "--to", "2026-03-31", "--out", str(out))
        == 0
    )
    _pages, text = pdf_text(out)
    assert "1,350.00 CAD" in text
    assert re.search(r"2026-03-20\s+Re-rate\s+S2\s+1\s+COOP\s+50\.00", text)
    assert re.search(r"2026-03-20\s+Re-rate\s+S3\s+1\s+COOP\s+100\.00", text)
    assert re.search(r"Mar 2026\s+650\.00\s+650\.00", text)  # S3 500.00 + re-rates 150.00


def test_statement_of_a_quiet_period_still_lists_the_agreement(db_url, tmp_path):
    load(db_url, "B_marginal")
    out = tmp_path / "V100.pdf"
    assert (
        coop(db_url, "statement", "--vendor", "V100", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out))
        == 0
    )
    _pages, text = pdf_text(out)
    assert "0.00 CAD" in text and "Mar 2026" in text and "Feb 2026" not in text
    assert "GYPSUM / ALL / ALL / ALL" in text and "Volume to date 55,000.00" in text


def test_statement_of_an_unknown_vendor_is_refused(db_url, tmp_path, capsys):
    out = tmp_path / "nobody.pdf"
    assert (
        coop(db_url, "statement", "--vendor", "NOBODY", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))
        == 1
    )
    assert "'NOBODY' does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_statement_needs_a_vendor_or_all(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    with pytest.raises(SystemExit) as exit_:
        coop(url, "statement", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "x.pdf")
    assert exit_.value.code == 2


def _add_quiet_vendor(url: str, tmp_path: Path) -> None:
    vendors = tmp_path / "more-vendors.csv"
    vendors.write_text("code,name,currency\nV200,Quiet Supplies Inc.,CAD\n")
    assert coop(url, "import", "vendors", str(vendors)) == 0


def test_statement_batch_writes_one_pdf_per_vendor_with_activity(db_url, tmp_path):
    load(db_url, "D_precedence")
    _add_quiet_vendor(db_url, tmp_path)
    folder = tmp_path / "statements"
    assert coop(db_url, "statement", "--all", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(folder)) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["statement-V100-2026-01-01-2026-12-31.pdf"]
    _pages, text = pdf_text(folder / "statement-V100-2026-01-01-2026-12-31.pdf")
    assert "110.00 CAD" in text and "Product GYP-HALF-4X8" in text
    everyone = tmp_path / "everyone"
    assert (
        coop(
            db_url,
            "statement",
            "--all",
            "--every-vendor",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            str(everyone),
        )
        == 0
    )
    quiet = everyone / "statement-V200-2026-01-01-2026-12-31.pdf"
    _pages, text = pdf_text(quiet)
    assert "Quiet Supplies Inc." in text and "0.00 CAD" in text
    assert "No accepted agreement of this vendor is in force during the period." in text


def test_statement_batch_reports_progress_and_stops_when_cancelled(db_url, tmp_path):
    from datetime import date

    load(db_url, "D_precedence")
    _add_quiet_vendor(db_url, tmp_path)
    ctx = AppContext.open(db_url, user="accountant", upgrade=False)
    try:
        seen: list[tuple[int, int]] = []
        written = write_statements(
            ctx,
            date(2026, 1, 1),
            date(2026, 12, 31),
            tmp_path / "all",
            progress=lambda done, total: seen.append((done, total)),
            every_vendor=True,
        )
        assert [p.name for p in written] == [
            "statement-V100-2026-01-01-2026-12-31.pdf",
            "statement-V200-2026-01-01-2026-12-31.pdf",
        ]
        assert seen == [(1, 2), (2, 2)]
        stopped = write_statements(
            ctx,
            date(2026, 1, 1),
            date(2026, 12, 31),
            tmp_path / "stopped",
            cancelled=lambda: bool(list((tmp_path / "stopped").glob("*.pdf"))),
            every_vendor=True,
        )
        assert len(stopped) == 1
        assert not list((tmp_path / "stopped").glob("*.part"))
    finally:
        ctx.engine.dispose()


def test_statement_arguments_that_cannot_work_are_refused(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    a_file = tmp_path / "taken.pdf"
    a_file.write_text("")
    assert (
        coop(
            url,
            "statement",
            "--vendor",
            "V1",
            "--from",
            "2026-12-31",
            "--to",
            "2026-01-01",
            "--out",
            str(tmp_path / "s.pdf"),
        )
        == 2
    )
    assert coop(url, "statement", "--all", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(a_file)) == 2
    assert (
        coop(
            url,
            "statement",
            "--vendor",
            "V1",
            "--every-vendor",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            str(tmp_path / "s.pdf"),
        )
        == 2
    )
    assert (
        coop(
            url,
            "statement",
            "--vendor",
            "V1",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            str(tmp_path / "s.txt"),
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--from is after --to" in err and "is a file" in err and "goes with --all" in err
    assert "must end in .pdf" in err


def test_statement_batch_of_vendors_whose_codes_differ_only_by_a_slash(db_url, tmp_path):
    """Vendor codes V/1 and V_1 are both valid; their file names must differ (a file name
    cannot hold "/"), so that each vendor gets its own statement in one batch."""
    load(db_url, "D_precedence")
    vendors = tmp_path / "more-vendors.csv"
    vendors.write_text("code,name,currency\nV/1,Slash Supplies,CAD\nV_1,Underscore Supplies,CAD\n")
    assert coop(db_url, "import", "vendors", str(vendors)) == 0
    folder = tmp_path / "statements"
    assert (
        coop(
            db_url,
            "statement",
            "--all",
            "--every-vendor",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            str(folder),
        )
        == 0
    )
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3 and "statement-V100-2026-01-01-2026-12-31.pdf" in names
    assert "statement-V_1-2026-01-01-2026-12-31.pdf" in names  # a code a file name holds keeps its name
    (slash,) = [n for n in names if n.startswith("statement-V_1~")]
    assert "Slash Supplies" in pdf_text(folder / slash)[1]
    assert "Underscore Supplies" in pdf_text(folder / "statement-V_1-2026-01-01-2026-12-31.pdf")[1]
