"""Two workstations at once: a slip posts exactly once; different slips of one vendor
come out as if posted one after the other."""

from __future__ import annotations

import threading
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from app.models import JournalEntry, ReceivingSlip
from app.services import posting
from app.services.context import AppContext
from app.services.errors import AlreadyPosted
from app.services.reports import journal_rows
from tests.conftest import import_example


def race(db_url: str, jobs: list[list[str]]) -> list[object]:
    """Each job posts its slips from its own connection; all start together."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def work(i: int, slips: list[str]) -> None:
        ctx = AppContext.open(db_url, user=f"ws{i}", upgrade=False)
        try:
            barrier.wait()
            with ctx.uow() as uow:
                results[i] = posting.post_slips(uow, slips)
        except Exception as exc:  # the outcome is what the test checks
            results[i] = exc
        finally:
            ctx.engine.dispose()

    threads = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_same_slip_posted_from_four_workstations_posts_once(ctx, db_url):
    import_example(ctx, "B_marginal")
    results = race(db_url, [["S1"]] * 4)
    winners = [r for r in results if isinstance(r, posting.PostingResult)]
    losers = [r for r in results if isinstance(r, AlreadyPosted)]
    assert (len(winners), len(losers)) == (1, 3), results
    again = race(db_url, [["S1"]] * 2)
    assert all(isinstance(r, AlreadyPosted) for r in again)
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(JournalEntry)) == 2  # RECEIPT + ACCRUAL
        assert uow.session.scalar(select(ReceivingSlip.status).where(ReceivingSlip.slip_no == "S1")) == "POSTED"


def test_different_slips_of_one_vendor_at_once_equal_sequential_posting(ctx, db_url):
    import_example(ctx, "B_marginal")
    results = race(db_url, [["S3"], ["S1"], ["S2"]])
    assert all(isinstance(r, posting.PostingResult) for r in results), results
    with ctx.uow() as uow:
        net: dict[str, Decimal] = defaultdict(Decimal)
        for row in journal_rows(uow):
            if row["account_role"] == "REBATE_RECEIVABLE":
                net[row["slip_no"]] += row["debit"] - row["credit"]
        assert dict(net) == {"S1": Decimal("500.00"), "S2": Decimal("550.00"), "S3": Decimal("325.00")}
        assert posting.rerate_vendors(uow, [1]) == 0
