"""A product's categories are part of the agreements' scope: changing them re-rates its vendor's
posted lines in the same use case (issue 11, item 4; SPEC §5.2, §6.3)."""

from __future__ import annotations

import threading
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from app.adapters import accruals
from app.cli.main import main
from app.services import masterdata, posting
from app.services.context import AppContext
from tests.conftest import EXAMPLES, journal_net

D = Decimal
HEADER = "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
MOVED = "SPF-2X4-8,SPF 2x4x8,V100,GYPSUM,GYP-BOARD,GYP-REG,GYP-REG-HALF,1.00\n"


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "tester", *args])


def receivable(url: str, tmp: Path) -> dict[tuple[str, ...], object]:
    """(source, slip) -> net rebate receivable in the exported journal."""
    out = tmp / "journal.csv"
    out.unlink(missing_ok=True)
    assert coop(url, "export", "journal", "--out", str(out)) == 0
    return journal_net(out, ("source", "slip_no"))


def setup(url: str, tmp: Path) -> None:
    """Example B's ladder (GYPSUM): S1 25,000 of gypsum, S2 20,000 of SPF lumber (no ladder)."""
    for kind in ("categories", "vendors", "products", "gl-accounts", "gl-reference", "agreements"):
        assert coop(url, "import", kind, str(EXAMPLES / "B_marginal" / f"{kind}.csv")) == 0
    receipts = tmp / "receipts.csv"
    receipts.write_text(
        HEADER + "S1,V100,2026-02-01,1,GYP-OTHER,25000,1.00\nS2,V100,2026-02-02,1,SPF-2X4-8,20000,1.00\n",
        encoding="utf-8",
    )
    assert coop(url, "import", "receipts", str(receipts)) == 0
    assert coop(url, "post") == 0
    assert receivable(url, tmp) == {("ACCRUAL", "S1"): D("500.00")}


def test_importing_a_product_into_another_category_re_rates_at_once(db_url, tmp_path):
    setup(db_url, tmp_path)
    products = tmp_path / "products.csv"
    products.write_text("code,description,vendor_code,cat1,cat2,cat3,cat4,unit_cost\n" + MOVED, encoding="utf-8")
    assert coop(db_url, "import", "products", str(products)) == 0
    # S2 now belongs to the gypsum ladder: 25,000 -> 45,000 earns 5,000 x 2% + 15,000 x 3%
    assert receivable(db_url, tmp_path) == {("ACCRUAL", "S1"): D("500.00"), ("RERATE", "S2"): D("550.00")}
    late = tmp_path / "late.csv"
    late.write_text(HEADER + "S3,V100,2026-02-03,1,GYP-OTHER,10000,1.00\n", encoding="utf-8")
    assert coop(db_url, "import", "receipts", str(late)) == 0
    assert coop(db_url, "post") == 0  # on the ladder's true volume (45,000), not a stale 25,000
    assert receivable(db_url, tmp_path) == {
        ("ACCRUAL", "S1"): D("500.00"),
        ("RERATE", "S2"): D("550.00"),
        ("ACCRUAL", "S3"): D("325.00"),
    }  # SPEC §10 B: 1,375.00
    assert coop(db_url, "rerate", "--full") == 0  # a from-scratch computation finds nothing to post
    assert len(receivable(db_url, tmp_path)) == 3


def test_the_products_screen_service_re_rates_too_and_moving_back_reverses(db_url, ctx, tmp_path):
    setup(db_url, tmp_path)
    spf = masterdata.ProductIn(
        "SPF-2X4-8", "SPF 2x4x8", "V100", ("GYPSUM", "GYP-BOARD", "GYP-REG", "GYP-REG-HALF"), D("1.00")
    )
    with ctx.uow() as uow:
        assert masterdata.save_products(uow, [spf]) == 1
    assert receivable(db_url, tmp_path)[("RERATE", "S2")] == D("550.00")
    back = masterdata.ProductIn(
        "SPF-2X4-8", "SPF 2x4x8", "V100", ("LUMBER", "LUM-DIM", "LUM-SPF", "LUM-SPF-2X4"), D("1.00")
    )
    with ctx.uow() as uow:
        masterdata.save_products(uow, [back])
    assert receivable(db_url, tmp_path) == {("ACCRUAL", "S1"): D("500.00"), ("RERATE", "S2"): D("0.00")}
    with ctx.uow() as uow:  # a description change alone re-rates nothing
        masterdata.save_products(uow, [replace(back, description="SPF 2x4, 8 ft")])
        assert posting.rerate(uow, full=True) == 0


def _wait_for_a_blocked_session(db_url: str, seconds: float = 20) -> bool:
    """Whether another session of this database is waiting for a lock (PostgreSQL)."""
    import time

    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                ).scalar():
                    return True
            time.sleep(0.05)
        return False
    finally:
        engine.dispose()


@pytest.mark.parametrize("db_url", [pytest.param("pg", marks=pytest.mark.pg)], indirect=True)
def test_a_slip_posted_while_its_product_moves_is_rated_in_the_new_categories(db_url, ctx, tmp_path, monkeypatch):
    """The accountant posts S2 (SPF lumber) while the manager's products import moves SPF
    into gypsum. Whichever commits first, the journal equals a from-scratch computation:
    S2 earns 550.00 on the gypsum ladder, and no later re-rate finds anything to post."""
    setup(db_url, tmp_path)
    slip = tmp_path / "s2b.csv"
    slip.write_text(HEADER + "S2B,V100,2026-02-02,1,SPF-2X4-8,20000,1.00\n", encoding="utf-8")
    assert coop(db_url, "import", "receipts", str(slip)) == 0
    moved = threading.Event()
    release = threading.Event()
    original = accruals.posted_vendors_of_products

    def paused(session, product_ids):  # type: ignore[no-untyped-def]
        moved.set()  # the products are written, not committed
        release.wait(30)
        return original(session, product_ids)

    monkeypatch.setattr(accruals, "posted_vendors_of_products", paused)
    outcome: dict[str, object] = {}

    def post() -> None:
        other = AppContext.open(db_url, user="accountant", upgrade=False)
        try:
            with other.uow() as uow:
                outcome["post"] = posting.post_slips(uow, ["S2B"]).lines
        except Exception as exc:  # the outcome is what the test checks
            outcome["post"] = exc
        finally:
            other.engine.dispose()

    spf = masterdata.ProductIn(
        "SPF-2X4-8", "SPF 2x4x8", "V100", ("GYPSUM", "GYP-BOARD", "GYP-REG", "GYP-REG-HALF"), D("1.00")
    )
    poster = threading.Thread(target=post)

    def save() -> None:
        try:
            with ctx.uow() as uow:
                outcome["save"] = masterdata.save_products(uow, [spf])
        except Exception as exc:
            outcome["save"] = exc

    saver = threading.Thread(target=save)
    saver.start()
    assert moved.wait(30)
    poster.start()
    _wait_for_a_blocked_session(db_url)  # the posting waits for the products import
    release.set()
    saver.join(60)
    poster.join(60)
    assert outcome == {"save": 1, "post": 1}
    net = receivable(db_url, tmp_path)
    # S2 moved into gypsum (RERATE 550.00 on 25,000 -> 45,000); S2B then goes on at 45,000 -> 65,000:
    # 5,000 x 3% + 15,000 x 3.5% = 675.00
    assert net == {("ACCRUAL", "S1"): D("500.00"), ("RERATE", "S2"): D("550.00"), ("ACCRUAL", "S2B"): D("675.00")}
    with ctx.uow() as uow:
        assert posting.rerate(uow, full=True) == 0
