"""A posting run killed with SIGKILL at random moments (SPEC §6.2: a posting is
all-or-nothing; `coop post` posts every draft in batches, each batch atomic).

A separate process (tests/integration/crash_poster.py, forked by a fork server that has
the application imported and no connection open) posts every draft slip with 25-line
batches. One uninterrupted run on a copy of the database is timed first and kept as the
reference; then a copy is posted by runs killed after random delays spread over the
duration of what is left, restarted again and again; a run that finishes before its kill
must equal the reference and the kills go on on a fresh copy; 20 kills in all, then the
last copy's run is finished and compared with the reference.
After every kill: each slip is fully posted or untouched, the posted drafts are a prefix of
the date order (batches go in date order), entries balance, accruals and ladder volumes agree with
the journal, product costs follow the posted lines, re-rating would post nothing, and the
entries are numbered 1..N without a hole (a killed batch gives its numbers back)."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import shutil
import signal
import sqlite3
import time
from collections import Counter
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app.adapters import db
from app.models import ReceivingSlip
from app.services import posting, receiving
from app.services.context import AppContext
from tests.conftest import PG_URL, drop_pg, import_example
from tests.integration import crash_poster
from tests.integration import race_support as rs

TODAY = date(2026, 12, 31)
KILLS = 20
BATCH_LINES = 25


def report(line: str) -> None:
    print(f"\n[crash] {line}", flush=True)


class Copies:
    """Copies of a prepared database: file copies on SQLite, TEMPLATE clones on PostgreSQL."""

    def __init__(self, source_url: str, folder: Path) -> None:
        self.source = source_url
        self.folder = folder
        self.made: list[str] = []
        self.pg = not source_url.startswith("sqlite")

    def new(self) -> str:
        n = len(self.made)
        if self.pg:
            assert PG_URL
            source = make_url(self.source).database
            name = f"{source}_c{n}"
            admin = db.make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
            admin.dispose()
            url = make_url(self.source).set(database=name).render_as_string(hide_password=False)
        else:
            path = self.folder / f"copy{n}.sqlite"
            shutil.copy(make_url(self.source).database, path)  # type: ignore[arg-type]
            url = f"sqlite:///{path}"
        self.made.append(url)
        return url

    keep: str | None = None

    def drop_all(self) -> None:
        if self.pg:
            for url in self.made:
                if url == self.keep:
                    continue
                drop_pg(make_url(url).database)  # type: ignore[arg-type]


def prepare(db_url: str, folder: Path) -> list[str]:
    """Master data, 30 posted slips in the second half of the year (so earlier drafts
    re-rate them, RERATE entries inside the batches) and 300 drafts; returns the drafts
    in posting order."""
    ctx = AppContext.open(db_url, user="tester", upgrade=False)
    rs.load_master_data(ctx, rs.write_two_vendor_fixture(folder / "fx", split="year"))
    early = rs.make_slips(30, seed=5, prefix="P", start=date(2026, 7, 1), days=180, max_lines=3)
    drafts = rs.make_slips(300, seed=6, prefix="D", max_lines=3)
    with ctx.uow() as uow:
        receiving.save_slips(uow, early + drafts)
    with ctx.uow() as uow:
        posting.post_slips(uow, [s.slip_no for s in early], today=TODAY)
    ctx.engine.dispose()
    if db_url.startswith("sqlite"):  # everything in the main file before it is copied
        with closing(sqlite3.connect(make_url(db_url).database)) as conn:  # type: ignore[arg-type]
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return [s.slip_no for s in sorted(drafts, key=lambda s: (s.received, s.slip_no))]


FORKSERVER = mp.get_context("forkserver")
FORKSERVER.set_forkserver_preload(["app.services.posting", "app.services.context", "tests.integration.crash_poster"])


class Run:
    """One posting run in its own process (forked by the fork server, which has imported
    the application and holds no connection); its progress marks go to a file."""

    def __init__(self, url: str, folder: Path) -> None:
        Run.count = getattr(Run, "count", 0) + 1
        self.marks = folder / f"marks{Run.count}.txt"
        self.proc = FORKSERVER.Process(target=crash_poster.post_all, args=(url, BATCH_LINES, TODAY, str(self.marks)))
        self.started = time.time()
        self.proc.start()

    def lines(self) -> list[str]:
        return self.marks.read_text().splitlines() if self.marks.exists() else []


def run_to_end(url: str, folder: Path) -> tuple[float, float, list[str]]:
    """Runs to the end; returns the time to the first batch, the time of the batches and
    the marks."""
    run = Run(url, folder)
    run.proc.join(300)
    lines = run.lines()
    assert run.proc.exitcode == 0, lines[-3:]
    stamps = {ln.split()[0]: float(ln.rsplit("@", 1)[1]) for ln in reversed(lines)}  # first of each
    finished = float(lines[-1].rsplit("@", 1)[1])
    # No batch at all when a kill landed after the last commit but before `finished`.
    begin = stamps.get("begin", finished)
    return begin - run.started, finished - begin, lines


def where_killed(lines: list[str]) -> str:
    marks = [ln.split()[0] for ln in lines if ln]
    if not marks or marks[-1] == "start":
        return "before the first batch"
    if marks[-1] == "begin":
        return "mid-batch"
    if marks[-1] == "done":
        return "between batches"
    return "after the last batch"


def posted_drafts(url: str, order: list[str]) -> list[str]:
    ctx = AppContext.open(url, user="tester", upgrade=False)
    with ctx.uow() as uow:
        status = dict(uow.session.execute(select(ReceivingSlip.slip_no, ReceivingSlip.status)).all())
    ctx.engine.dispose()
    return [s for s in order if status[s] == "POSTED"]


def settle(url: str) -> None:
    """PostgreSQL: wait until the killed client's server process has gone (it finishes a
    COMMIT it had received, or rolls back), so every check sees the same final state."""
    if url.startswith("sqlite"):
        return
    engine = db.make_engine(url)
    try:
        deadline = time.monotonic() + 30
        with engine.connect() as conn:
            while time.monotonic() < deadline and conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            ):
                conn.rollback()
                time.sleep(0.02)
    finally:
        engine.dispose()


def anomalies_after_kill(url: str, order: list[str]) -> list[str]:
    settle(url)
    ctx = AppContext.open(url, user="tester", upgrade=False)
    try:
        problems = rs.ledger_anomalies(ctx)
        extra = rs.rerate_dry_run(ctx, TODAY)
        if extra:
            problems.append(f"re-rating would post {extra} RERATE entries")
    finally:
        ctx.engine.dispose()
    done = posted_drafts(url, order)
    if done != order[: len(done)]:
        problems.append(
            f"posted slips are not a prefix of the date order: {sorted(set(done) ^ set(order[: len(done)]))[:6]}"
        )
    return problems


def test_a_posting_run_killed_20_times_leaves_every_slip_posted_or_untouched(db_url, tmp_path):
    rnd = random.Random(int(os.environ.get("COOP_CRASH_SEED", "20261231")))
    order = prepare(db_url, tmp_path)
    copies = Copies(db_url, tmp_path)
    try:
        warm = FORKSERVER.Process(target=time.sleep, args=(0,))  # start the fork server first
        warm.start()
        warm.join(60)
        # the reference: one run, not interrupted, timed
        reference_url = copies.new()
        startup, duration, lines = run_to_end(reference_url, tmp_path)
        measured = (startup, duration)
        assert lines[-1].startswith(f"finished {len(order)} ")
        batches = sum(1 for ln in lines if ln.startswith("begin"))
        reference = AppContext.open(reference_url, user="tester", upgrade=False)
        expected_totals = rs.totals_by_account(reference)
        expected_net = rs.net_by_line_and_role(reference)
        expected_entries = len(rs.entry_numbers(reference))
        assert expected_entries > 2 * len(order)  # a RECEIPT entry per line, ACCRUAL and RERATE entries
        assert rs.ledger_anomalies(reference) == []
        reference.engine.dispose()

        kills: Counter[str] = Counter()
        anomalies: list[str] = []
        epochs = completed = 0
        url = copies.new()
        epochs += 1
        started = time.monotonic()
        while sum(kills.values()) < KILLS:
            # a random moment of what is left of the run (now and then past its end)
            left = 1 - len(posted_drafts(url, order)) / len(order)
            delay = rnd.uniform(0.7, 1.0) * startup + rnd.uniform(0.0, 1.1) * duration * max(left, 0.05)
            run = Run(url, tmp_path)
            run.proc.join(delay)
            if run.proc.is_alive():
                run.proc.kill()  # SIGKILL
            run.proc.join(60)
            marks = run.lines()
            if run.proc.exitcode == -signal.SIGKILL:
                kills[where_killed(marks)] += 1
                if where_killed(marks) == "before the first batch":
                    startup *= 1.2  # the machine is slower than when the reference ran
                found = anomalies_after_kill(url, order)
                anomalies.extend(f"kill {sum(kills.values())} ({where_killed(marks)}): {p}" for p in found)
                if found:
                    time.sleep(2)
                    again = anomalies_after_kill(url, order)
                    copies.keep = url  # left in place to look at
                    pytest.fail(
                        f"after kill {sum(kills.values())} ({where_killed(marks)}; last marks "
                        f"{marks[-3:]}) on {url}:\n"
                        + "\n".join(found[:30])
                        + f"\n2 s later: {len(again)} anomalies\n"
                        + "\n".join(again[:5]),
                        pytrace=False,
                    )
                continue
            # the run finished before the kill: it must have completed the posting
            assert run.proc.exitcode == 0, marks[-3:]
            assert marks and marks[-1].startswith("finished"), marks[-3:]
            assert posted_drafts(url, order) == order
            check = AppContext.open(url, user="tester", upgrade=False)
            assert rs.ledger_anomalies(check) == []
            assert rs.totals_by_account(check) == expected_totals
            assert rs.net_by_line_and_role(check) == expected_net
            check.engine.dispose()
            completed += 1
            duration *= 0.8  # faster than the reference: aim earlier
            url = copies.new()  # the next kills on a fresh copy
            epochs += 1
        # finish the last copy and compare with the uninterrupted run
        *_times, tail = run_to_end(url, tmp_path)
        assert tail[-1].startswith("finished")
        final = AppContext.open(url, user="tester", upgrade=False)
        assert rs.ledger_anomalies(final) == []
        assert rs.totals_by_account(final) == expected_totals
        assert rs.net_by_line_and_role(final) == expected_net
        with final.uow() as uow:
            assert posting.rerate(uow, today=TODAY) == 0
        # gap-free numbering: the killed runs' entries left no hole (ledger_anomalies checks
        # it after every kill), and the entries are as many as the uninterrupted run's
        assert rs.entry_numbers(final) == list(range(1, expected_entries + 1))
        assert rs.entry_counter(final) == expected_entries + 1
        final.engine.dispose()
        backend = "pg" if copies.pg else "sqlite"
        report(
            f"{backend}: reference run {measured[0]:.2f} s to the first batch + {measured[1]:.1f} s, "
            f"{batches} batches of {BATCH_LINES} lines, {len(order)} drafts; {sum(kills.values())} kills survived {dict(kills)} over {epochs} "
            f"copies ({completed} runs finished between kills) in {time.monotonic() - started:.1f} s; "
            f"anomalies {len(anomalies)}"
        )
        assert kills["mid-batch"] >= 1, kills
    finally:
        copies.drop_all()


def unguarded(conn, statement: str) -> None:  # type: ignore[no-untyped-def]
    """The damage as a database from before the guards could hold it: PostgreSQL refuses to
    change a posted slip (migration 0013's trigger), so the superuser's transaction runs
    without the triggers."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text(statement))


def test_the_checks_see_a_half_posted_slip(ctx):
    """The invariants above are not vacuous: each kind of damage a crash could do is seen."""
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S1", "S2"], today=TODAY)
    assert rs.ledger_anomalies(ctx) == []

    def damaged(statement: str, undo: str | None = None) -> list[str]:
        with ctx.engine.begin() as conn:
            unguarded(conn, statement)
        try:
            return rs.ledger_anomalies(ctx)
        finally:
            if undo:
                with ctx.engine.begin() as conn:
                    unguarded(conn, undo)

    assert any(
        "draft S2" in p
        for p in damaged(
            "UPDATE receiving_slip SET status = 'DRAFT' WHERE slip_no = 'S2'",
            "UPDATE receiving_slip SET status = 'POSTED' WHERE slip_no = 'S2'",
        )
    )
    assert any(
        "RECEIPT entries" in p
        for p in damaged(
            "UPDATE receiving_slip SET status = 'POSTED' WHERE slip_no = 'S3'",
            "UPDATE receiving_slip SET status = 'DRAFT' WHERE slip_no = 'S3'",
        )
    )
    with ctx.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM line_accrual WHERE slip_no = 'S2'"))]
    problems = damaged("DELETE FROM line_accrual WHERE slip_no = 'S2'")
    assert any("!= line_accrual" in p for p in problems) and any("ladder_volume" in p for p in problems)
    with ctx.engine.begin() as conn:  # the stored values back as they were
        columns = list(rows[0])
        conn.execute(
            text(f"INSERT INTO line_accrual ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"),
            rows,
        )
    assert rs.ledger_anomalies(ctx) == []
    assert any(
        "product GYP-OTHER" in p
        for p in damaged(
            "UPDATE product SET received_qty = received_qty + 1 WHERE code = 'GYP-OTHER'",
            "UPDATE product SET received_qty = received_qty - 1 WHERE code = 'GYP-OTHER'",
        )
    )
    assert "number series journal_entry at 7 after 4 entries (want 5)" in damaged(
        "UPDATE number_series SET next_value = next_value + 2",
        "UPDATE number_series SET next_value = next_value - 2",
    )
    assert rs.ledger_anomalies(ctx) == []
    assert any(
        "unbalanced" in p
        for p in damaged(
            "INSERT INTO journal_line (entry_id, account_id, role, debit, credit, memo) "
            "SELECT max(entry_id), 1, 'INVENTORY', 1, 0, 'x' FROM journal_line"
        )
    )
    assert "5 journal entries not numbered 1..5: missing [5], last 6" in damaged(
        "INSERT INTO journal_entry (id, entry_date, source, reference, created_by, created_at) "
        "VALUES (6, '2026-12-31', 'RECEIPT', 'S9', 'x', '2026-12-31 12:00:00')"
    )
