"""Several workstations at once, as separate processes (SPEC §6.2, §6.3, §3.1).

Each worker is a process started with the 'spawn' method, so it opens its own engine and
connections; a multiprocessing.Barrier releases them together. The races run on SQLite
(every write transaction is BEGIN IMMEDIATE) and on PostgreSQL when COOP_TEST_PG_URL is
set (vendor rows locked FOR NO KEY UPDATE, the slip flipped DRAFT -> POSTED by a guarded
UPDATE, the agreement version bumped by a guarded UPDATE)."""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.adapters import db
from app.models import AgreementHistory, JournalEntry, ReceiptLine, ReceivingSlip
from app.services import agreements, posting, receiving
from app.services.context import AppContext
from tests.conftest import drop_pg, fresh_pg_url, import_example
from tests.integration import race_support as rs

TODAY = date(2026, 12, 31)
WORKSTATIONS = 8
ROUNDS = 50


def report(line: str) -> None:
    print(f"\n[races] {line}", flush=True)


@pytest.fixture
def second_db(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Iterator[AppContext]:
    """Another fresh database on the same backend, for the sequential reference run."""
    if db_url.startswith("sqlite"):
        url, name = f"sqlite:///{tmp_path / 'reference.sqlite'}", None
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
    else:
        url, name = fresh_pg_url(request.getfixturevalue("pg_template"))
    ctx = AppContext.open(url, user="reference", upgrade=False)
    yield ctx
    ctx.engine.dispose()
    if name:
        drop_pg(name)


def backend(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "pg"


def test_the_same_slip_posted_by_eight_processes_50_times_posts_once_each_time(ctx, db_url, second_db, tmp_path):
    folder = rs.write_two_vendor_fixture(tmp_path / "fx", split="year")
    slips = rs.make_slips(ROUNDS, seed=11, max_lines=3)  # random dates: winners re-rate earlier posts
    for c in (ctx, second_db):
        rs.load_master_data(c, folder)
        with c.uow() as uow:
            receiving.save_slips(uow, slips)
    order = [s.slip_no for s in slips]
    started = time.monotonic()
    results = rs.run_processes(
        rs.double_post_worker,
        [(i, db_url, order, TODAY) for i in range(WORKSTATIONS)],
        parties=WORKSTATIONS,
        timeout=300,
    )
    elapsed = time.monotonic() - started

    by_round: dict[int, Counter[str]] = {r: Counter() for r in range(ROUNDS)}
    errors = []
    for rnd, _index, status, detail in results:
        by_round[rnd][status] += 1
        if status not in ("ok", "AlreadyPosted"):
            errors.append((rnd, detail))
    winners = Counter(counts["ok"] for counts in by_round.values())
    report(
        f"{backend(db_url)} double post: {ROUNDS} rounds x {WORKSTATIONS} processes in {elapsed:.1f} s; "
        f"rounds by number of winners {dict(winners)}; "
        f"AlreadyPosted {sum(c['AlreadyPosted'] for c in by_round.values())}; errors {len(errors)}"
    )
    assert not errors, errors[:3]
    assert all(c == Counter(ok=1, AlreadyPosted=WORKSTATIONS - 1) for c in by_round.values()), by_round

    # nothing doubled: one RECEIPT entry per line, accruals match the journal, all balanced
    assert rs.ledger_anomalies(ctx) == []
    with ctx.uow() as uow:
        receipts = uow.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.source == "RECEIPT")
        )
        lines = uow.session.scalar(select(func.count()).select_from(ReceiptLine))
    assert receipts == lines == sum(len(s.lines) for s in slips)
    assert rs.rerate_dry_run(ctx, TODAY) == 0
    # and the amounts are those of one workstation posting the slips alone, in date order
    with second_db.uow() as uow:
        posting.post_slips(uow, today=TODAY)
    assert rs.net_by_line_and_role(ctx) == rs.net_by_line_and_role(second_db)


def test_interleaved_postings_of_the_same_vendors_equal_sequential_posting(ctx, db_url, second_db, tmp_path):
    """4 processes post 2,000 slips (600 on SQLite, which runs one writer at a time) of the
    same 2 vendors one by one, each in its own shuffled order. COOP_RACE_SLIPS overrides the
    count (the PostgreSQL run costs about 35 ms of client CPU per posting)."""
    count = int(os.environ.get("COOP_RACE_SLIPS") or (2000 if backend(db_url) == "pg" else 600))
    processes = 4
    folder = rs.write_two_vendor_fixture(tmp_path / "fx", split="month")
    slips = rs.make_slips(count, seed=20261, max_lines=2)
    for c in (ctx, second_db):
        rs.load_master_data(c, folder)
        with c.uow() as uow:
            receiving.save_slips(uow, slips)
    shares = [[s.slip_no for s in slips[i::processes]] for i in range(processes)]
    for i, share in enumerate(shares):
        random.Random(i).shuffle(share)
    started = time.monotonic()
    results = rs.run_processes(
        rs.interleaved_worker,
        [(i, db_url, share, TODAY) for i, share in enumerate(shares)],
        parties=processes,
        timeout=900,
    )
    elapsed = time.monotonic() - started
    outcomes: Counter[str] = Counter()
    for _index, counts, errors in results:
        outcomes.update(counts)
        assert not errors, errors
    with ctx.uow() as uow:
        rerates = uow.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.source == "RERATE")
        )
    report(
        f"{backend(db_url)} interleaved: {count} slips by {processes} processes in {elapsed:.1f} s; "
        f"outcomes {dict(outcomes)}; {rerates} RERATE entries from back-dated postings"
    )
    assert outcomes == Counter(ok=count)

    assert rs.ledger_anomalies(ctx) == []
    with ctx.uow() as uow:
        assert posting.rerate(uow, today=TODAY) == 0  # from scratch: nothing to correct
    with second_db.uow() as uow:
        posting.post_slips(uow, today=TODAY)  # one workstation, every draft, date order
    expected = rs.net_by_line_and_role(second_db)
    assert len(expected) > count
    assert rs.net_by_line_and_role(ctx) == expected
    assert rs.totals_by_account(ctx) == rs.totals_by_account(second_db)


def test_stale_save_race_one_winner_the_others_told_who(ctx, db_url):
    """N workstations open the same accepted agreement and save a change at the same moment,
    10 times over: one save wins, the others get StaleRecord naming the winner."""
    workers, rounds = 6, 10
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=TODAY)  # amending rates re-rates these
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", None)
        assert agreement_id is not None
        start = agreements.load_agreement(uow, agreement_id)
        history_before = uow.session.scalar(select(func.count()).select_from(AgreementHistory))
    started = time.monotonic()
    results = rs.run_processes(
        rs.stale_save_worker,
        [(i, db_url, agreement_id, rounds, TODAY) for i in range(workers)],
        parties=workers,
        timeout=300,
    )
    elapsed = time.monotonic() - started

    by_round: dict[int, list[tuple[int, int, str, object]]] = {r: [] for r in range(rounds)}
    for rnd, index, loaded, status, detail in results:
        by_round[rnd].append((index, loaded, status, detail))
    winners: list[int] = []
    stale = 0
    for rnd, outcomes in sorted(by_round.items()):
        assert len(outcomes) == workers, outcomes
        assert {loaded for _i, loaded, _s, _d in outcomes} == {start.version + rnd}
        won = [i for i, _v, status, _d in outcomes if status == "ok"]
        assert len(won) == 1, (rnd, outcomes)
        winners.append(won[0])
        for index, _v, status, detail in outcomes:
            if index == won[0]:
                assert detail == start.version + rnd + 1
                continue
            assert status == "StaleRecord", (rnd, index, status, detail)
            changed_by, message = detail  # type: ignore[misc]
            assert changed_by == f"ws{won[0]}", (rnd, message)
            assert f"changed by ws{won[0]} at " in message
            stale += 1
    report(
        f"{backend(db_url)} stale save: {rounds} rounds x {workers} processes in {elapsed:.1f} s; "
        f"winners {winners}; StaleRecord {stale}"
    )

    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, agreement_id)
        assert view.version == start.version + rounds
        assert view.updated_by == f"ws{winners[-1]}"
        assert view.lines[0].rebates[0] == rs.stale_value(rounds - 1, winners[-1])
        new = uow.session.execute(
            select(
                AgreementHistory.line_no,
                AgreementHistory.field,
                AgreementHistory.old_value,
                AgreementHistory.new_value,
                AgreementHistory.user,
            )
            .where(AgreementHistory.agreement_id == agreement_id)
            .order_by(AgreementHistory.id)
            .offset(history_before)
        ).all()
    # the winners' history, one record per round, each continuing the last; none from losers
    old = start.lines[0].rebates[0]
    expected = []
    for rnd, winner in enumerate(winners):
        value = rs.stale_value(rnd, winner)
        expected.append((start.lines[0].line_no, "Rebate 1", old, value, f"ws{winner}"))
        old = value
    assert [(n, f, Decimal(o), Decimal(v), u) for n, f, o, v, u in new] == expected
    assert rs.ledger_anomalies(ctx) == []
    assert rs.rerate_dry_run(ctx, TODAY) == 0  # every winner re-rated once, no loser did


def test_posting_a_slip_while_the_clerk_saves_it_again(ctx, db_url, tmp_path, request):
    """The accountant posts a draft at the moment the clerk saves a correction of it on the
    slip entry screen (save_slips with replace_draft). Either the post comes first and the
    clerk is told the slip is already posted, or the correction comes first and is what
    gets posted, or the accountant is told it changed and to post it again (PostingRefused;
    not AlreadyPosted: it is still a draft); never a database error."""
    rounds = 12
    rs.load_master_data(ctx, rs.write_two_vendor_fixture(tmp_path / "fx", split="year"))
    first = (receiving.SlipLineIn(1, "GYP-OTHER", Decimal(1000), Decimal(1)),)
    slips = [receiving.SlipIn(f"R{r:03d}", "V100", date(2026, 3, 1), first) for r in range(rounds)]
    with ctx.uow() as uow:
        receiving.save_slips(uow, slips)
    order = [s.slip_no for s in slips]
    results = rs.run_processes(
        rs.post_or_resave_worker, [(i, db_url, order, TODAY) for i in range(2)], parties=2, timeout=300
    )
    outcome = {(rnd, index): (status, detail) for rnd, index, status, detail in results}
    with ctx.uow() as uow:
        state = {
            no: (status, n)
            for no, status, n in uow.session.execute(
                select(ReceivingSlip.slip_no, ReceivingSlip.status, func.count(ReceiptLine.id))
                .join(ReceiptLine)
                .group_by(ReceivingSlip.slip_no, ReceivingSlip.status)
            )
        }
    problems = []
    seen: Counter[str] = Counter()
    for rnd, slip_no in enumerate(order):
        (post, post_detail), (save, save_detail) = outcome[(rnd, 0)], outcome[(rnd, 1)]
        status, lines = state[slip_no]
        seen[f"post {post} / save {save} -> {status}"] += 1
        if post not in ("ok", "AlreadyPosted", "PostingRefused") or save not in ("ok", "ValidationFailed"):
            problems.append(
                f"{slip_no}: post {post}, save {save}: {(post_detail if post != 'ok' else save_detail)!s:.160}"
            )
        elif save == "ValidationFailed":
            if not ("already posted" in str(save_detail) and post == "ok" and (status, lines) == ("POSTED", 1)):
                problems.append(f"{slip_no}: save refused ({save_detail}) but post {post}, slip {status}")
        elif post == "ok" and (status, lines) != ("POSTED", 2):
            problems.append(f"{slip_no}: both succeeded but the slip is {status} with {lines} lines")
        elif post != "ok" and (post == "AlreadyPosted" or status != "DRAFT"):
            problems.append(
                f"{slip_no}: posting refused ({post_detail!r}) but the slip is {status} "
                "(the clerk's correction replaced it: it is a draft, to post again)"
            )
    report(f"{backend(db_url)} post vs save again: {rounds} rounds: {dict(seen)}; problems {len(problems)}")
    assert rs.ledger_anomalies(ctx) == []
    assert problems == []
