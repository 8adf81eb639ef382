"""Re-rating trusts the journal (issue 13 item 3, SPEC §6.3) and the accrual audit (§16, `coop
audit`), through the command line on SQLite and PostgreSQL, with the §10 example B (V100) and
a copy of it for a second vendor (V200).

B: tiers 30,000 @2%, 50,000 @3%; S1 25,000 -> 500.00, S2 20,000 -> 550.00, S3 10,000 -> 325.00.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.cli.main import main
from app.services import audit, security
from app.services.context import AppContext
from app.services.errors import PermissionDenied
from tests.conftest import EXAMPLES, IMPORT_ORDER

D = Decimal
EXAMPLE = EXAMPLES / "B_marginal"


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "acct", *args])


def second_vendor(folder: Path) -> Path:
    """Example B again for vendor V200: its own products (2-…) and slips (T1…T3)."""
    folder.mkdir()
    renamed = {"code": lambda v: "2-" + v, "product_code": lambda v: "2-" + v, "slip_no": lambda v: "T" + v[1:]}
    for kind in ("vendors", "products", "agreements", "receipts"):
        with (EXAMPLE / f"{kind}.csv").open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            for column in row:
                if row[column] == "V100":
                    row[column] = "V200"
                elif column in renamed and kind != "vendors" and row[column]:
                    row[column] = renamed[column](row[column])
        with (folder / f"{kind}.csv").open("w", newline="") as fh:
            writer = csv.DictWriter(fh, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture
def books(db_url: str, tmp_path: Path) -> str:
    """Example B posted for V100 and V200 (the audit is clean)."""
    other = second_vendor(tmp_path / "v200")
    for kind in IMPORT_ORDER:
        assert coop(db_url, "import", kind, str(EXAMPLE / f"{kind}.csv")) == 0
        if (other / f"{kind}.csv").exists():
            assert coop(db_url, "import", kind, str(other / f"{kind}.csv")) == 0
    assert coop(db_url, "post") == 0
    return db_url


def stored(url: str, value: str, scale: int) -> str:
    """A literal as the column stores it: SQLite a scaled integer, PostgreSQL the decimal."""
    return str(int(D(value).scaleb(scale))) if url.startswith("sqlite") else value


def sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def journal(url: str) -> dict[str, tuple[int, D]]:
    """Per vendor and source: (entries, net receivable debit in dollars)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT v.code, e.source, count(DISTINCT e.id), "
                "sum(CASE WHEN l.role = 'REBATE_RECEIVABLE' THEN l.debit - l.credit ELSE 0 END) "
                "FROM journal_entry e JOIN journal_line l ON l.entry_id = e.id JOIN vendor v ON v.id = l.vendor_id "
                "GROUP BY v.code, e.source"
            )
        ).all()
    engine.dispose()
    scale = 2 if url.startswith("sqlite") else 0
    return {f"{code} {source}": (n, D(total).scaleb(-scale)) for code, source, n, total in rows}


def tamper(url: str, vendor: str, slip: str, minus: str) -> None:
    """What issue 13 did with the shared login: lower a cached rebate behind the program's back."""
    sql(
        url,
        f"UPDATE line_accrual SET rebate = rebate - {stored(url, minus, 2)} "
        f"WHERE slip_no = '{slip}' AND vendor_id = (SELECT id FROM vendor WHERE code = '{vendor}')",
    )


def raise_first_tier(url: str, vendor: str) -> None:
    """The first tier 2% -> 3% in the database, no re-rate: an agreement change not yet re-rated."""
    sql(
        url,
        f"UPDATE agreement_line SET rebate1 = {stored(url, '3', 4)} WHERE max_amount = {stored(url, '30000', 2)} "
        f"AND agreement_id IN (SELECT a.id FROM agreement a JOIN vendor v ON v.id = a.vendor_id "
        f"WHERE v.code = '{vendor}')",
    )


POSTED = {
    "V100 RECEIPT": (3, D("0.00")),
    "V100 ACCRUAL": (3, D("1375.00")),
    "V200 RECEIPT": (3, D("0.00")),
    "V200 ACCRUAL": (3, D("1375.00")),
}


def test_audit_is_clean_after_posting(books, capsys, tmp_path):
    assert journal(books) == POSTED
    capsys.readouterr()
    assert coop(books, "audit") == 0
    out = capsys.readouterr().out
    for name in ("NOT_DESIRED", "NOT_COVERED", "BACKUP_DIFFERS", "NO_RECEIPTS", "CACHE_DIFFERS"):
        assert f"{name}: " in out and out.split(f"{name}: ", 1)[1].split("\n", 1)[0].endswith(": none"), name
    target = tmp_path / "audit.csv"
    assert coop(books, "audit", "--out", str(target)) == 0
    with target.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        [
            "list",
            "vendor_code",
            "agreement_no",
            "invoice_no",
            "slip_no",
            "line_no",
            "kind",
            "field",
            "value",
            "expected",
        ]
    ]
    assert coop(books, "rerate", "--full") == 0  # the journal and the cache agree: nothing held, nothing posted
    assert journal(books) == POSTED


def test_tampered_cache_is_reported_never_posted(books, capsys, tmp_path):
    tamper(books, "V100", "S1", "100.00")
    raise_first_tier(books, "V200")  # the other vendor has a genuine difference to post
    capsys.readouterr()
    assert coop(books, "rerate", "--full") == 1
    out, err = capsys.readouterr()
    assert "Re-rated: 2 RERATE entries posted" in out  # V200: S1 +250.00, S2 +50.00
    assert "1 vendor not re-rated" in err and "coop audit" in err
    assert "V100 slip S1 line 1 COOP rebate: line_accrual 400.00, journal 500.00" in err
    assert "V100 slip S1 line 1 COOP pnl: line_accrual 400.00, journal 500.00" in err
    after = journal(books)
    assert after == {**POSTED, "V200 RERATE": (2, D("300.00"))}  # nothing for V100: no laundered +100.00
    assert "V100 RERATE" not in after
    # Held again on the next run, and the audit names the line.
    assert coop(books, "rerate", "--full") == 1
    assert "Re-rated: nothing to post" in capsys.readouterr().out
    assert coop(books, "audit") == 1
    out = capsys.readouterr().out
    assert "  V100 slip S1 line 1 COOP rebate: 400.00, expected 500.00" in out
    assert "  V100 slip S1 line 1 COOP pnl: 400.00, expected 500.00" in out
    assert out.split("NOT_DESIRED: ", 1)[1].split("\n", 1)[0].endswith(": none")  # the journal is as desired
    target = tmp_path / "audit.csv"
    assert coop(books, "audit", "--out", str(target)) == 1
    with target.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [
        (r["list"], r["vendor_code"], r["slip_no"], r["line_no"], r["field"], r["value"], r["expected"]) for r in rows
    ] == [
        ("CACHE_DIFFERS", "V100", "S1", "1", "pnl", "400.00", "500.00"),
        ("CACHE_DIFFERS", "V100", "S1", "1", "rebate", "400.00", "500.00"),
    ]
    assert journal(books) == after  # the audit writes nothing


def test_a_cached_row_deleted_is_reported(books, capsys):
    sql(books, "DELETE FROM line_accrual WHERE slip_no = 'S2'")
    capsys.readouterr()
    assert coop(books, "rerate", "--full") == 1
    err = capsys.readouterr().err
    assert "V100 slip S2 line 1 COOP rebate: line_accrual 0.00, journal 550.00" in err
    assert journal(books) == POSTED


def test_audit_lists_an_agreement_change_not_yet_re_rated(books, capsys):
    raise_first_tier(books, "V100")
    capsys.readouterr()
    assert coop(books, "audit") == 1
    out = capsys.readouterr().out
    assert out.split("CACHE_DIFFERS: ", 1)[1].split("\n", 1)[0].endswith(": none")
    section = out.split("NOT_DESIRED: ", 1)[1].split("NOT_COVERED: ", 1)[0].splitlines()
    assert section[1:] == [
        "  V100 slip S1 line 1 COOP rebate: 500.00, expected 750.00",
        "  V100 slip S2 line 1 COOP rebate: 550.00, expected 600.00",
    ]
    assert coop(books, "rerate") == 0  # the incremental re-rate posts it
    assert journal(books)["V100 RERATE"] == (2, D("300.00"))
    capsys.readouterr()
    assert coop(books, "audit") == 0  # empty after a re-rate


def test_audit_lists_uncovered_lines_and_idle_agreements(books, capsys, tmp_path):
    # A lumber slip of V100: no ladder covers it (the agreement is GYPSUM); a VOLUME agreement
    # on lumber for V200 that no receipt accrues under.
    receipts = tmp_path / "lumber.csv"
    receipts.write_text(
        "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\nS9,V100,2026-03-01,1,SPF-2X4-8,10,1.00\n"
    )
    agreement = tmp_path / "volume.csv"
    header = (EXAMPLE / "agreements.csv").read_text().splitlines()[0]
    agreement.write_text(
        header + "\n,V200,VOLUME,ACCEPTED,LUMBER,ALL,ALL,ALL,,999999999,2026-01-01,2026-12-31,1,,,,SC,N,N,0,\n"
    )
    assert coop(books, "import", "receipts", str(receipts)) == 0
    assert coop(books, "import", "agreements", str(agreement)) == 0
    assert coop(books, "post") == 0
    capsys.readouterr()
    assert coop(books, "audit") == 0  # neither list makes the audit fail
    out = capsys.readouterr().out
    uncovered = out.split("NOT_COVERED: ", 1)[1].split("BACKUP_DIFFERS: ", 1)[0].splitlines()
    # V200's gypsum lines have a COOP ladder and no VOLUME one.
    assert uncovered[1:] == [
        "  V100 slip S9 line 1 COOP",
        "  V200 slip T1 line 1 VOLUME",
        "  V200 slip T2 line 1 VOLUME",
        "  V200 slip T3 line 1 VOLUME",
    ]
    idle = out.split("NO_RECEIPTS: ", 1)[1].split("CACHE_DIFFERS: ", 1)[0].splitlines()
    assert len(idle) == 2 and idle[1].startswith("  V200 agreement ") and idle[1].endswith(" VOLUME")


def test_the_audit_needs_the_reports_permission(books, capsys):
    # PostgreSQL: the tests' superuser login acts as each user (their logins, made by save_user).
    ctx = AppContext.open(books, user="root", upgrade=False)
    try:
        with ctx.uow() as uow:
            security.save_user(uow, "root", "ADMIN")
        for login, role in (("carl", "CLERK"), ("maria", "MANAGER")):
            with ctx.uow() as uow:
                security.save_user(uow, login, role)
        with AppContext(ctx.engine, "carl").uow() as uow, pytest.raises(PermissionDenied, match="may not run reports"):
            audit.accrual_audit(uow)
        with AppContext(ctx.engine, "maria").uow() as uow:
            report = audit.accrual_audit(uow)
    finally:
        ctx.engine.dispose()
    assert not report.failed and [len(rows) for _name, rows in report.sections()] == [0, 0, 0, 0, 0]
    capsys.readouterr()
    assert main(["--db", books, "--user", "carl", "audit"]) == 1
    assert "carl (Clerk) may not run reports" in capsys.readouterr().err
