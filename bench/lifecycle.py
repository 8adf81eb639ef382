"""The agreement lifecycle's rows (issue 14), each against a floor in the same run.

    .venv/bin/python -m bench.lifecycle [--sqlite-only | --pg-only] [--lines 200000] [--trueup-lines 100000]

1. Posting with all five percent kinds active: bench.generate's data (lines / 1,000,000 of its
   scale 1.0) plus the ladders of bench/lifecycle_data.py that make every line earn under COOP,
   VOLUME, PERIODIC, DAMAGE and FREIGHT; posting.post_slips in a day's batches, as the accountant.
2. Accepting one agreement that trues up `--trueup-lines` provisional lines: a vendor on the
   provisional COOP rate, its lines posted (untimed), then its pending COOP agreement accepted
   with agreements.decide (as a purchasing manager's login on PostgreSQL: the right to accept).

See bench/README.md (The agreement lifecycle) for what each floor writes.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from argparse import Namespace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.adapters import db
from app.domain.money import round_to
from app.domain.provisional import is_provisional_key
from app.domain.vocabulary import ACCEPTED, COOP, LADDER_KINDS
from app.models import LineAccrual, Vendor
from app.services import agreements, posting
from app.services.context import AppContext

from . import check, floor, lifecycle_data, logins
from .close import _cents, _copy_floor, _pg_admin, _urls
from .report import write_results
from .run import (
    DATA,
    DEFAULT_PG,
    TODAY,
    Row,
    fmt_s,
    generate,
    git_commit,
    log,
    peak_mib,
    reset_peak,
)

POST_NAME, ACCEPT_NAME = "life_post", "life_accept"
# What posting writes beside updating the drafts (the floor inserts the slips and lines as bench.run's does).
POSTED_TABLES = ("journal_entry", "journal_line", "line_accrual", "ladder_volume", "vendor_rating")
LINE_STATE = ("ladder_key", "agreement_id", "period_key", "tier", "rebate", "retro", "inventory")


def _fresh(backend: str, ns: Namespace, *names: str) -> None:
    """No database `ns.name` (nor its floor copy) left; on PostgreSQL `names` created empty."""
    main, floor_ = ns.name, ns.name + "_floor"
    if backend == "SQLite":
        DATA.mkdir(exist_ok=True)
        for name in (main, floor_):
            for leftover in DATA.glob(name + ".sqlite*"):
                leftover.unlink()
        return
    with _pg_admin(ns.pg_url) as conn:
        for name in (main, floor_):
            conn.execute(f"DROP DATABASE IF EXISTS coop_{name} WITH (FORCE)")
        for name in names:
            conn.execute(f"CREATE DATABASE coop_{name}")


def _count(raw: floor.Raw, sql: str, params: tuple[Any, ...] = ()) -> int:
    return int(raw.fetch(sql, params)[0][0])


def _executemany(raw: floor.Raw, sql: str, rows: list[tuple[Any, ...]]) -> None:
    cur = raw.conn.cursor()
    cur.executemany(sql.replace("?", raw.mark), rows)
    cur.close()


def _contexts(url: str) -> tuple[AppContext, AppContext]:
    ctx = AppContext.open(url, "bench", upgrade=False)
    return logins.accountant(url, ctx)


# -- 1. posting with all five kinds -----------------------------------------------------


def post_row(backend: str, args: Namespace) -> list[Row]:
    ns = Namespace(name=POST_NAME, pg_url=args.pg_url)
    url, floor_url = _urls(backend, ns)
    _fresh(backend, ns, POST_NAME, POST_NAME + "_floor")
    scale = args.lines / 1_000_000
    log(f"{backend}: generating scale {scale} and the five kinds' ladders")
    summary = generate(url, scale, args.seed)
    generate(floor_url, scale, args.seed, receipts=False)
    engines = [db.make_engine(url), db.make_engine(floor_url)]
    extra = lifecycle_data.five_kinds(engines, args.seed)
    for engine in engines:
        engine.dispose()
    lines = summary["rows"]["receipt_line"]
    per_day = math.ceil(lines / 365)
    setup, acct = _contexts(url)
    log(f"{backend}: posting {lines:,} lines, five kinds ({per_day:,}-line batches)")
    reset_peak()
    started = time.perf_counter()
    with acct.uow() as uow:
        posting.post_slips(uow, today=TODAY, batch_lines=per_day)
    app_s = time.perf_counter() - started
    peak = peak_mib()
    log(f"{backend}: posted in {fmt_s(app_s)}")
    with setup.uow() as uow:
        sample = check.sample_check(uow.session, 1000, args.seed, "after posting, five kinds")
        kinds = dict(uow.session.execute(select(LineAccrual.kind, func.count()).group_by(LineAccrual.kind)).all())
    log(sample.summary())
    problems = list(sample.problems[:3])
    short = {k: kinds.get(k, 0) for k in LADDER_KINDS if kinds.get(k, 0) != lines}
    if short:
        problems.append(f"accrual rows per kind {short}, not {lines:,} each")
    setup.engine.dispose()
    acct.engine.dispose()
    src, dst = floor.Raw(url), floor.Raw(floor_url)
    try:
        data = {
            "receiving_slip": src.table("receiving_slip", "WHERE status = 'POSTED'"),
            "receipt_line": src.table("receipt_line"),
            **{name: src.table(name) for name in POSTED_TABLES},
        }

        def write() -> None:
            dst.begin()
            for name, rows in data.items():
                dst.insert(name, rows)
            dst.commit()

        floor_s, _ = floor.timed(write)
    finally:
        src.close()
        dst.close()
    n = {name: len(rows) for name, rows in data.items()}
    ratio = app_s / floor_s
    limit = 3 if backend == "SQLite" else 4
    return [
        Row(
            backend,
            f"Post {lines:,} lines, all five percent kinds active",
            fmt_s(app_s),
            fmt_s(floor_s),
            ratio,
            f"≤ {limit}×",
            ratio <= limit and not problems,
            f"{n['journal_entry']:,} entries / {n['journal_line']:,} journal lines / {n['line_accrual']:,} line_accrual "
            f"rows ({len(LADDER_KINDS)} per line) / {n['ladder_volume']:,} ladder volumes; {per_day:,}-line batches; "
            f"{lines / app_s:,.0f} lines/s; peak RSS {peak:,.0f} MiB; {summary['sizes']['vendors']:,} vendors, "
            f"{extra['agreements']:,} DAMAGE/FREIGHT agreements and {extra['agreement_lines']:,} agreement lines "
            "added; floor = those rows and the posted slips and lines, one transaction; "
            + (
                "; ".join(problems)
                if problems
                else f"{sample.lines:,} lines / {sample.accruals:,} accruals vs the pure engine: equal"
            ),
        )
    ]


# -- 2. accepting an agreement over provisional lines ------------------------------------


def _provisional_check(src: floor.Raw, vendor_id: int, rate: Any) -> tuple[int, list[str]]:
    """Every COOP accrual of the vendor is the provisional rate's: round(amount × rate), half-up."""
    rows = src.fetch(
        "SELECT ladder_key, amount, rebate FROM line_accrual WHERE vendor_id = ? AND kind = ?", (vendor_id, COOP)
    )
    bad = [r for r in rows if not is_provisional_key(r[0]) or _cents(r[2]) != round_to(_cents(r[1]) * rate / 100, 0)]
    total = sum(_cents(r[2]) for r in rows)
    return total, [f"{len(bad):,} of {len(rows):,} lines not at the provisional rate"] if bad else []


def accept_row(backend: str, args: Namespace) -> list[Row]:
    ns = Namespace(name=ACCEPT_NAME, pg_url=args.pg_url)
    url, floor_url = _urls(backend, ns)
    _fresh(backend, ns, ACCEPT_NAME)
    engine = db.make_engine(url)
    log(f"{backend}: {args.trueup_lines:,} lines of a vendor on the provisional rate")
    data = lifecycle_data.provisional(engine, args.trueup_lines, args.seed)
    engine.dispose()
    setup, acct = _contexts(url)
    started = time.perf_counter()
    with acct.uow() as uow:
        posting.post_slips(uow, today=TODAY, batch_lines=math.ceil(data["lines"] / 365))
    post_s = time.perf_counter() - started
    with setup.uow() as uow:
        vendor_id: int = uow.session.execute(select(Vendor.id).where(Vendor.code == data["vendor"])).scalar_one()
    setup.engine.dispose()
    acct.engine.dispose()
    src = floor.Raw(url)
    if backend == "PostgreSQL":
        src.conn.execute("ANALYZE")  # autovacuum is off on the bench server; the copy gets the same statistics
    provisional_total, problems = _provisional_check(src, vendor_id, lifecycle_data.PROVISIONAL_RATE)
    before_entry = _count(src, "SELECT coalesce(max(id), 0) FROM journal_entry")
    before_history = _count(src, "SELECT coalesce(max(id), 0) FROM agreement_history")
    log(f"{backend}: posted in {fmt_s(post_s)}; copying the database for the floor")
    src.close()
    _copy_floor(backend, ns, url)  # PostgreSQL: ends the connections to the database copied
    if backend == "SQLite":
        setup = manager = AppContext.open(url, "bench", upgrade=False)
    else:  # the superuser's login as the administrator, who sets the manager's password
        setup = AppContext.open(url, logins.ADMIN, upgrade=False)
        manager = logins.user(url, setup, logins.MANAGER, "MANAGER")
    log(f"{backend}: accepting {data['vendor']}'s COOP agreement 1")
    reset_peak()
    started = time.perf_counter()
    with manager.uow() as uow:
        agreements.decide(uow, data["vendor"], COOP, "1", ACCEPTED, on=TODAY)
    app_s = time.perf_counter() - started
    peak = peak_mib()
    log(f"{backend}: accepted in {fmt_s(app_s)}")
    with setup.uow() as uow:
        sample = check.sample_check(uow.session, 1000, args.seed, "after accepting", {vendor_id})
    log(sample.summary())
    problems += sample.problems[:3]
    setup.engine.dispose()
    manager.engine.dispose()
    src, dst = floor.Raw(url), floor.Raw(floor_url)
    try:
        fl, more = _accept_floor(src, dst, vendor_id, before_entry, before_history, provisional_total)
    finally:
        src.close()
        dst.close()
    problems += more
    ratio = app_s / fl["seconds"]
    c = fl["counts"]
    return [
        Row(
            backend,
            f"Accept one agreement: true-up of {data['lines']:,} provisional lines",
            fmt_s(app_s),
            fmt_s(fl["seconds"]),
            ratio,
            "≤ 3×",
            ratio <= 3 and not problems,
            f"agreements.decide (as the {'manager' if backend == 'PostgreSQL' else 'single user'}), re-rating the "
            f"vendor in the same transaction: {c['journal_entry']:,} RERATE entries / {c['journal_line']:,} journal "
            f"lines, {c['line_accrual']:,} accrual updates, {c['ladder_volume']:,} ladder volumes; peak RSS "
            f"{peak:,.0f} MiB; posting the lines beforehand (untimed) {fmt_s(post_s)}; floor = read the vendor's "
            "lines and their accruals + write those rows, one transaction; "
            + (
                "; ".join(problems)
                if problems
                else f"provisional {provisional_total / 100:,.2f} → accepted {fl['accepted'] / 100:,.2f}, "
                f"RERATE net {fl['moved'] / 100:,.2f}, no provisional accrual left; {sample.lines:,} lines vs "
                "the pure engine: equal"
            ),
        )
    ]


def _accept_floor(
    src: floor.Raw, dst: floor.Raw, vendor_id: int, before_entry: int, before_history: int, provisional: int
) -> tuple[dict[str, Any], list[str]]:
    """On the copy taken before accepting: read the vendor's posted lines and their accrual rows,
    then write what accepting wrote (read from the measured database, untimed), one transaction."""
    cols = ", ".join(LINE_STATE)
    after = {
        (r[0], r[1]): r[2:]
        for r in src.fetch(f"SELECT receipt_line_id, kind, {cols} FROM line_accrual WHERE vendor_id = ?", (vendor_id,))
    }
    before = {
        (r[0], r[1]): r[2:]
        for r in dst.fetch(f"SELECT receipt_line_id, kind, {cols} FROM line_accrual WHERE vendor_id = ?", (vendor_id,))
    }
    updates = [(*state, *key) for key, state in after.items() if before.get(key) != state]
    volumes_after = set(src.table("ladder_volume", "WHERE vendor_id = ?", (vendor_id,)))
    volumes_before = set(dst.table("ladder_volume", "WHERE vendor_id = ?", (vendor_id,)))
    gone = [(r[0], r[1]) for r in volumes_before - volumes_after]
    data = {
        "journal_entry": src.table("journal_entry", "WHERE id > ?", (before_entry,)),
        "journal_line": src.table("journal_line", "WHERE entry_id > ?", (before_entry,)),
        "agreement_history": src.table("agreement_history", "WHERE id > ?", (before_history,)),
        "ladder_volume": sorted(volumes_after - volumes_before),
    }
    read_lines = floor.LINE_READ + " AND s.vendor_id = ?"
    read_state = f"SELECT receipt_line_id, kind, amount, {cols} FROM line_accrual WHERE vendor_id = ?"

    def run() -> int:
        read = len(dst.fetch(read_lines, (vendor_id,)))
        dst.fetch(read_state, (vendor_id,))
        dst.begin()
        _executemany(dst, "DELETE FROM ladder_volume WHERE ladder_key = ? AND period_key = ?", gone)
        for name, rows in data.items():
            dst.insert(name, rows)
        dst.update_accruals(updates, LINE_STATE)
        dst.commit()
        return read

    seconds, read = floor.timed(run)
    problems = []
    accepted = sum(_cents(s[4]) for k, s in after.items() if k[1] == COOP)
    left = sum(1 for k, s in after.items() if k[1] == COOP and is_provisional_key(s[0]))
    moved = _cents(
        src.fetch(
            "SELECT coalesce(sum(l.debit - l.credit), 0) FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id "
            "WHERE e.id > ? AND e.source = 'RERATE' AND l.role = 'REBATE_RECEIVABLE'",
            (before_entry,),
        )[0][0]
    )
    if left:
        problems.append(f"{left:,} lines still on the provisional rate")
    if moved != accepted - provisional:
        problems.append(f"RERATE moved {moved} cents, accrual went from {provisional} to {accepted}")
    if read != sum(1 for k in after if k[1] == COOP):
        problems.append(f"the floor read {read:,} lines")
    counts = {name: len(rows) for name, rows in data.items()} | {"line_accrual": len(updates)}
    return {"seconds": seconds, "counts": counts, "accepted": accepted, "moved": moved}, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmarks of posting with five kinds and of an acceptance's true-up."
    )
    parser.add_argument("--lines", type=int, default=200_000, help="lines posted with the five kinds")
    parser.add_argument("--trueup-lines", type=int, default=100_000, help="provisional lines the acceptance trues up")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--only", choices=("post", "accept"), help="one of the two rows")
    parser.add_argument("--out", type=Path, default=DATA / "lifecycle-results.md")
    args = parser.parse_args(argv)
    backends = [b for b, skip in (("SQLite", args.pg_only), ("PostgreSQL", args.sqlite_only)) if not skip]
    started = time.perf_counter()
    load = os.getloadavg()[0]
    commit = git_commit()
    rows: list[Row] = []
    for backend in backends:
        if args.only != "accept":
            rows += post_row(backend, args)
        if args.only != "post":
            rows += accept_row(backend, args)
    return write_results(args.out, "Agreement lifecycle benchmark", commit, started, load, rows)


if __name__ == "__main__":
    sys.exit(main())
