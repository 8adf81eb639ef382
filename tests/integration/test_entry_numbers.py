"""Gap-free journal entry numbers (issue 13): an entry's number comes from the
`journal_entry` number series, taken inside the posting transaction under the counter
row's lock, so a posting that fails, is refused or is rolled back leaves no hole, and
entries are numbered in commit order. Killed postings: test_crash_safety (its checks
include the numbering after every kill)."""

from __future__ import annotations

import csv
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from app.models import JournalEntry, NumberSeries
from app.services import imports, posting, receiving
from app.services.context import AppContext
from app.services.errors import AlreadyPosted
from tests.conftest import import_example
from tests.integration import race_support as rs

TODAY = date(2026, 12, 31)


def entries(ctx: AppContext) -> list[tuple[int, str, str]]:
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(JournalEntry.id, JournalEntry.reference, JournalEntry.source).order_by(JournalEntry.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def sequence_far_ahead(ctx: AppContext) -> None:
    """PostgreSQL: the id column's sequence moved on, as a killed posting used to leave it
    (issue 13 found 59,980 numbers lost); the program must not look at it."""
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), 59982)"))


def test_a_failed_a_refused_and_a_rolled_back_posting_leave_no_hole(ctx, monkeypatch):
    import_example(ctx, "B_marginal")
    sequence_far_ahead(ctx)
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S1"], today=TODAY)
    assert entries(ctx) == [(1, "S1", "RECEIPT"), (2, "S1", "ACCRUAL")]
    assert rs.entry_counter(ctx) == 3

    # a posting that fails after writing its journal (numbers 3 and 4 taken), then rolls back
    seen: list[int | None] = []
    stamp = posting.stamp_first_postings

    def fail_after_the_journal(session, *args):  # type: ignore[no-untyped-def]
        seen.append(session.scalar(select(NumberSeries.next_value).where(NumberSeries.name == "journal_entry")))
        seen.append(session.scalar(select(JournalEntry.id).order_by(JournalEntry.id.desc()).limit(1)))
        raise RuntimeError("the workstation lost its connection")

    monkeypatch.setattr(posting, "stamp_first_postings", fail_after_the_journal)
    with pytest.raises(RuntimeError, match="lost its connection"), ctx.uow() as uow:
        posting.post_slips(uow, ["S2"], today=TODAY)
    assert seen == [5, 4]  # inside the failed transaction: S2's entries were 3 and 4
    assert rs.entry_counter(ctx) == 3  # the rollback gave them back
    monkeypatch.setattr(posting, "stamp_first_postings", stamp)

    # a refused posting
    with pytest.raises(AlreadyPosted), ctx.uow() as uow:
        posting.post_slips(uow, ["S1", "S2"], today=TODAY)
    # a re-rating rolled back by its caller (an amendment not saved)
    with ctx.uow() as uow:
        uow.session.execute(text("UPDATE agreement_line SET rebate1 = rebate1 + 1"))
        assert posting.rerate_vendors(uow, [1], today=TODAY) == 1
        uow.session.rollback()
    assert rs.entry_counter(ctx) == 3

    with ctx.uow() as uow:
        posting.post_slips(uow, ["S3", "S2"], today=TODAY)
    assert entries(ctx) == [
        (1, "S1", "RECEIPT"),
        (2, "S1", "ACCRUAL"),
        (3, "S2", "RECEIPT"),
        (4, "S2", "ACCRUAL"),
        (5, "S3", "RECEIPT"),
        (6, "S3", "ACCRUAL"),
    ]
    assert rs.entry_counter(ctx) == 7
    assert rs.ledger_anomalies(ctx) == []


def test_postings_of_two_vendors_number_their_entries_in_commit_order(ctx, db_url, tmp_path, monkeypatch):
    """PostgreSQL: a posting of V200 started while a posting of V100 holds the numbers
    (journal written, not committed) waits at the counter, without a deadlock, and takes
    the numbers after V100's once it commits."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite: one write transaction at a time already")
    rs.load_master_data(ctx, rs.write_two_vendor_fixture(tmp_path / "fx", split="year"))
    slips = rs.make_slips(2, seed=3, max_lines=2)  # S00000 of V100, S00001 of V200
    with ctx.uow() as uow:
        receiving.save_slips(uow, slips)
    sequence_far_ahead(ctx)
    holding, release = threading.Event(), threading.Event()
    stamp = posting.stamp_first_postings

    def hold_v100(session, vendor_ids, *args):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "V100":
            holding.set()
            assert release.wait(30)
        return stamp(session, vendor_ids, *args)

    monkeypatch.setattr(posting, "stamp_first_postings", hold_v100)
    done: dict[str, float] = {}
    failures: list[BaseException] = []

    def post(slip_no: str) -> None:
        station = AppContext.open(db_url, user=threading.current_thread().name, upgrade=False)
        try:
            with station.uow() as uow:
                posting.post_slips(uow, [slip_no], today=TODAY)
            done[threading.current_thread().name] = time.monotonic()
        except BaseException as exc:  # the test reports it
            failures.append(exc)
        finally:
            station.engine.dispose()

    first = threading.Thread(target=post, args=("S00000",), name="V100")
    first.start()
    assert holding.wait(30)
    second = threading.Thread(target=post, args=("S00001",), name="V200")
    second.start()
    second.join(1.0)
    assert second.is_alive() and not done  # V200 waits at the counter row
    released = time.monotonic()
    release.set()
    first.join(30)
    second.join(30)
    assert not failures, failures
    assert done["V100"] >= released and done["V200"] >= done["V100"]
    rows = entries(ctx)
    v100 = [i for i, ref, _s in rows if ref == "S00000"]
    v200 = [i for i, ref, _s in rows if ref == "S00001"]
    assert (v100, v200) == ([1, 2], [3])  # V100's first (RECEIPT, ACCRUAL), then V200's RECEIPT, no hole
    assert rs.entry_counter(ctx) == 4
    assert rs.ledger_anomalies(ctx) == []


def test_an_agreement_import_re_rating_two_vendors_does_not_deadlock_with_a_posting(ctx, db_url, tmp_path, monkeypatch):
    """PostgreSQL: an import amending accepted agreements of V100 and V200 re-rates both in
    one transaction, taking the entry counter at V100's re-rate. It locks both vendors
    first: otherwise, with a posting of V200 holding V200 and then waiting for the
    counter, each would wait for the other (a deadlock PostgreSQL ends by failing one)."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite: one write transaction at a time")
    folder = rs.write_two_vendor_fixture(tmp_path / "fx", split="year")
    rs.load_master_data(ctx, folder)
    slips = rs.make_slips(6, seed=3, max_lines=2)  # V100 and V200 in turn
    with ctx.uow() as uow:
        receiving.save_slips(uow, slips)
    with ctx.uow() as uow:
        posting.post_slips(uow, [s.slip_no for s in slips[:4]], today=TODAY)
    amended = tmp_path / "agreements.csv"
    with open(folder / "agreements.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["rebate1"] = str(Decimal(row["rebate1"]) + 1)
    with open(amended, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    holding, release = threading.Event(), threading.Event()
    lines_of = posting.posting_lines

    def hold_the_posting(*args):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "post":  # V200 locked, no entry number taken yet
            holding.set()
            assert release.wait(30)
        return lines_of(*args)

    monkeypatch.setattr(posting, "posting_lines", hold_the_posting)
    failures: list[BaseException] = []

    def run(job) -> None:  # type: ignore[no-untyped-def]
        station = AppContext.open(db_url, user=threading.current_thread().name, upgrade=False)
        try:
            with station.uow() as uow:
                job(uow)
        except BaseException as exc:  # the test reports it
            failures.append(exc)
        finally:
            station.engine.dispose()

    post = threading.Thread(
        target=run, args=(lambda uow: posting.post_slips(uow, [slips[5].slip_no], today=TODAY),), name="post"
    )
    post.start()
    assert holding.wait(30)
    load = threading.Thread(
        target=run, args=(lambda uow: imports.import_file(uow, "agreements", amended, today=TODAY),), name="import"
    )
    load.start()
    load.join(1.5)  # waits for V200: the posting holds it
    release.set()
    post.join(60)
    load.join(60)
    assert not post.is_alive() and not load.is_alive()
    assert not failures, failures
    with ctx.uow() as uow:
        rerates = uow.session.scalar(select(func.count()).where(JournalEntry.source == "RERATE"))
    assert rerates > 0  # the import did re-rate
    assert rs.ledger_anomalies(ctx) == []
