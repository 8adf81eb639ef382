"""A month close killed with SIGKILL at random moments (issue 15): one transaction per vendor,
so after every kill each vendor is invoiced in full for the month (its vendor_close row, its
invoices, its lump sums) or untouched; running the close again goes on with the rest and ends
with the same invoices as a close that was never interrupted. On the demo company's eleven
months of receipts (eight vendors), SQLite and PostgreSQL."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.domain.invoicing import last_day
from app.models import CoopInvoice, JournalEntry, JournalLine, VendorClose
from app.services import demo
from app.services.context import AppContext
from tests.conftest import PG_URL, drop_pg, fresh_pg_url
from tests.integration.test_close_properties import check

TODAY = date(2026, 12, 1)
MONTH = "2026-11"
KILLS = 6
# Each vendor's transaction waits this long before it commits (COOP_CLOSE_PAUSE, read by the
# runner below), so that kills land inside transactions as well as between them.
PAUSE = "0.15"
RUNNER = (
    "import os, sys, time\n"
    "from datetime import date\n"
    "from app.services import month_close\n"
    "from app.services.context import AppContext\n"
    "ctx = AppContext.open(sys.argv[1], user='night-run', upgrade=False)\n"
    "original = month_close._close_vendor\n"
    "def slow(*args, **kwargs):\n"
    "    done = original(*args, **kwargs)\n"
    "    time.sleep(float(os.environ['COOP_CLOSE_PAUSE']))\n"
    "    return done\n"
    "month_close._close_vendor = slow\n"
    "month_close.close_month(ctx, sys.argv[2], date.fromisoformat(sys.argv[3]))\n"
)


def state(url: str) -> tuple[dict[int, list[tuple[str, object]]], set[int]]:
    """Invoices (number, amount) per vendor for the month, and the vendors recorded as closed."""
    ctx = AppContext.open(url, user="tester", upgrade=False)
    try:
        with ctx.uow() as uow:
            s = uow.session
            invoices: dict[int, list[tuple[str, object]]] = {}
            for vid, no, amount in s.execute(
                select(CoopInvoice.vendor_id, CoopInvoice.invoice_no, CoopInvoice.amount)
                .where(CoopInvoice.month == MONTH)
                .order_by(CoopInvoice.invoice_no)
            ):
                invoices.setdefault(vid, []).append((no, amount))
            closed = set(s.scalars(select(VendorClose.vendor_id).where(VendorClose.month == MONTH)))
            lump_vendors = set(
                s.scalars(
                    select(JournalLine.vendor_id)
                    .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                    .where(JournalEntry.source == "LUMP_SUM", JournalEntry.entry_date == last_day(MONTH))
                )
            )
            assert lump_vendors <= closed, "a lump sum accrued for a vendor whose close did not commit"
            assert set(invoices) == closed, "a vendor with invoices but no close record, or the other way"
        return invoices, closed
    finally:
        ctx.engine.dispose()


def _complete(ctx: AppContext) -> bool:
    from app.models import MonthClose

    with ctx.uow() as uow:
        return uow.session.get(MonthClose, MONTH) is not None


def run_close(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COOP_CLOSE_PAUSE": PAUSE}
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, url, MONTH, TODAY.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def demo_url(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
        name = None
    else:
        if not PG_URL:
            pytest.skip("COOP_TEST_PG_URL is not set")
        url, name = fresh_pg_url(request.getfixturevalue("pg_template"))
    ctx = AppContext.open(url, user="tester")
    with ctx.uow() as uow:
        demo.load_demo(uow, today=TODAY)
    ctx.engine.dispose()
    yield url
    if name:
        drop_pg(name)


def copy_of(url: str, tmp_path: Path, n: int) -> str:
    if url.startswith("sqlite"):
        target = tmp_path / f"copy{n}.sqlite"
        shutil.copy(make_url(url).database, target)  # type: ignore[arg-type]
        return f"sqlite:///{target}"
    return url  # PostgreSQL: the reference runs on the same database last (below)


def test_a_killed_close_leaves_each_vendor_whole(demo_url, tmp_path):
    rng = random.Random(7)
    reference_url = copy_of(demo_url, tmp_path, 0)
    pg = reference_url == demo_url
    if not pg:
        ref = run_close(reference_url)
        assert ref.wait(120) == 0, ref.stderr.read() if ref.stderr else ""
        expected, _closed = state(reference_url)
    kills = 0
    started = time.monotonic()
    while kills < KILLS:
        proc = run_close(demo_url)
        time.sleep(rng.uniform(0.8, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            kills += 1
        invoices, closed = state(demo_url)  # asserts: every vendor whole or untouched
        print(f"\n[close-crash] kill {kills}: {len(closed)} of 8 vendors closed", flush=True)
        if _done(demo_url):
            break
        assert time.monotonic() - started < 240
    final = run_close(demo_url)
    assert final.wait(120) == 0, final.stderr.read() if final.stderr else ""
    invoices, closed = state(demo_url)
    assert len(closed) == 8
    if not pg:
        assert invoices == expected
    ctx = AppContext.open(demo_url, user="tester", upgrade=False)
    try:
        check(ctx, MONTH)
    finally:
        ctx.engine.dispose()


def _done(url: str) -> bool:
    ctx = AppContext.open(url, user="tester", upgrade=False)
    try:
        return _complete(ctx)
    finally:
        ctx.engine.dispose()
