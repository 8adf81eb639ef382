"""The month close and the invoice backup, each against a floor in the same run (issue 15).

    .venv/bin/python -m bench.close --prepare [--scale 1.0] [--sqlite-only | --pg-only]
    .venv/bin/python -m bench.close [--sqlite-only | --pg-only] [--out bench/data/close-results.md]

--prepare makes the databases (SQLite bench/data/close_bench.sqlite, PostgreSQL coop_close_bench)
and posts every draft (bench.generate, then posting.post_slips in a day's batches), so that the
close rows can be run, and run again, on posted data without posting a million lines each time.
See bench/README.md (The month close) for what each row measures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.services import month_close, posting, security
from app.services.close_reads import uninvoiced
from app.services.context import AppContext
from app.services.invoice_backup import _query as backup_query
from app.services.invoice_documents import write_backup

from . import floor, logins
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

CLOSES = (("2025-11", date(2025, 12, 1), "a year's first close"), ("2025-12", date(2026, 1, 1), "one month's share"))

DEFAULT_NAME = "close_bench"


def _names(args: argparse.Namespace) -> tuple[str, str]:
    """(the measured database, the floor's copy): SQLite files in bench/data, PostgreSQL databases."""
    return args.name, args.name + "_floor"


def _urls(backend: str, args: argparse.Namespace) -> tuple[str, str]:
    main, floor_ = _names(args)
    if backend == "SQLite":
        return f"sqlite:///{DATA / (main + '.sqlite')}", f"sqlite:///{DATA / (floor_ + '.sqlite')}"
    base = make_url(args.pg_url).set(drivername="postgresql+psycopg")
    return (
        base.set(database="coop_" + main).render_as_string(hide_password=False),
        base.set(database="coop_" + floor_).render_as_string(hide_password=False),
    )


def _pg_admin(admin_url: str) -> Any:
    import psycopg

    parsed = make_url(admin_url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database or "postgres",
        autocommit=True,
        connect_timeout=5,
    )


def prepare(backend: str, args: argparse.Namespace) -> None:
    """Fresh database, the scale's data, every draft posted (as the accountant on PostgreSQL)."""
    main_name, floor_name = _names(args)
    if backend == "SQLite":
        DATA.mkdir(exist_ok=True)
        for name in (main_name, floor_name):
            for leftover in DATA.glob(name + ".sqlite*"):
                leftover.unlink()
    else:
        with _pg_admin(args.pg_url) as conn:
            for name in (main_name, floor_name):
                conn.execute(f"DROP DATABASE IF EXISTS coop_{name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE coop_{main_name}")
    url, _floor = _urls(backend, args)
    started = time.perf_counter()
    log(f"{backend}: generating scale {args.scale}")
    summary = generate(url, args.scale, args.seed)
    lines = summary["rows"]["receipt_line"]
    per_day = math.ceil(lines / 365)
    ctx = AppContext.open(url, "bench", upgrade=False)
    _setup, acct = logins.accountant(url, ctx)
    log(f"{backend}: posting {lines:,} lines")
    post_started = time.perf_counter()
    with acct.uow() as uow:
        posting.post_slips(uow, today=TODAY, batch_lines=per_day)
    summary["post_s"] = time.perf_counter() - post_started
    summary["prepare_s"] = time.perf_counter() - started
    ctx.engine.dispose()
    acct.engine.dispose()
    (DATA / f"{main_name}-{backend.lower()}.json").write_text(json.dumps(summary, indent=1, default=str))
    _snapshot(backend, args, url, restore=False)
    log(f"{backend}: prepared in {fmt_s(summary['prepare_s'])} (posting {fmt_s(summary['post_s'])})")


def _sql(engine: Any, query: Any) -> str:
    """The statement as the application sends it, with its parameters as literals."""
    return str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def _snapshot(backend: str, args: argparse.Namespace, url: str, restore: bool) -> None:
    """Keep the posted database (NAME_posted) so that each run closes freshly posted data; restore:
    put it back as the measured database."""
    main_name = _names(args)[0]
    saved = main_name + "_posted"
    if backend == "SQLite":
        if not restore:
            raw = floor.Raw(url)
            raw.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.close()
        for leftover in DATA.glob((main_name if restore else saved) + ".sqlite*"):
            leftover.unlink()
        source, target = (saved, main_name) if restore else (main_name, saved)
        shutil.copyfile(DATA / f"{source}.sqlite", DATA / f"{target}.sqlite")
        return
    source, target = (f"coop_{saved}", f"coop_{main_name}") if restore else (f"coop_{main_name}", f"coop_{saved}")
    with _pg_admin(args.pg_url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (source,),
        )
        conn.execute(f"CREATE DATABASE {target} TEMPLATE {source}")


def _copy_floor(backend: str, args: argparse.Namespace, url: str) -> None:
    """The floor's database: a copy of the measured one as it is now (untimed)."""
    main_name, floor_name = _names(args)
    if backend == "SQLite":
        raw = floor.Raw(url)
        raw.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        for leftover in DATA.glob(floor_name + ".sqlite*"):
            leftover.unlink()
        shutil.copyfile(DATA / f"{main_name}.sqlite", DATA / f"{floor_name}.sqlite")
        return
    with _pg_admin(args.pg_url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS coop_{floor_name} WITH (FORCE)")
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (f"coop_{main_name}",),
        )
        conn.execute(f"CREATE DATABASE coop_{floor_name} TEMPLATE coop_{main_name}")


def _analyze(url: str) -> None:
    raw = floor.Raw(url)
    raw.conn.execute("ANALYZE")
    raw.close()


def _contexts(url: str) -> tuple[AppContext, AppContext]:
    """(setup context, the accountant's): on PostgreSQL the accountant's own login, its password
    set afresh by the bench administrator (the prepare step made both users)."""
    if make_url(url).get_backend_name() != "postgresql":
        ctx = AppContext.open(url, "bench", upgrade=False)
        return ctx, ctx
    admin = AppContext.open(url, logins.ADMIN, upgrade=False)  # the superuser's login, as the administrator
    password = secrets.token_urlsafe(18)
    with admin.uow() as uow:
        security.set_password(uow, logins.ACCOUNTANT, password)
        uow.commit()
    login = make_url(url).set(username=logins.ACCOUNTANT, password=password).render_as_string(hide_password=False)
    return admin, AppContext.open(login, upgrade=False)


def _net(rows: list[tuple[Any, ...]]) -> Any:
    """Net of uninvoiced() rows: their debit and credit are in cents on both backends."""
    return sum((r[4] or 0) - (r[5] or 0) for r in rows)


def _cents(value: Any) -> int:
    """A money sum as cents: SQLite's stored integer as it is, PostgreSQL's NUMERIC shifted."""
    return int(value) if isinstance(value, int) else int(Decimal(value).scaleb(2))


def close_floor(src: floor.Raw, dst: floor.Raw, read_sql: str, month: str) -> dict[str, Any]:
    """What the close must at least do, in one transaction on the floor's copy: read the uninvoiced
    lines (the application's join, by the raw driver), write the rows the close wrote (copied from
    the measured database, untimed): invoices, INVOICE entries and their lines, invoice lines,
    vendor_close and month_close."""
    invoices = src.table("coop_invoice", "WHERE month = ?", (month,))
    entry_ids = "SELECT entry_id FROM coop_invoice WHERE month = ?"
    data = {
        "journal_entry": src.table("journal_entry", f"WHERE id IN ({entry_ids})", (month,)),
        "journal_line": src.table("journal_line", f"WHERE entry_id IN ({entry_ids})", (month,)),
        "coop_invoice": invoices,
        "invoice_line": src.table(
            "invoice_line", "WHERE invoice_id IN (SELECT id FROM coop_invoice WHERE month = ?)", (month,)
        ),
        "vendor_close": src.table("vendor_close", "WHERE month = ?", (month,)),
        "month_close": src.table("month_close", "WHERE month = ?", (month,)),
    }

    def run() -> list[tuple[Any, ...]]:
        rows = dst.fetch(read_sql)
        dst.begin()
        for name, table_rows in data.items():
            dst.insert(name, table_rows)
        dst.commit()
        return rows

    seconds, rows = floor.timed(run)
    counts = {name: len(r) for name, r in data.items()}
    return {"seconds": seconds, "read": len(rows), "net": _net(rows), "counts": counts}


def close_check(src: floor.Raw, month: str, read_net: Any) -> list[str]:
    """The invoices of the month add up to the net REBATE_RECEIVABLE they moved: the net of the
    uninvoiced lines read before the close, the INVOICE entries' receivable lines, and each
    invoice's own lines; nothing but zero-total groups is left uninvoiced up to the month's end."""
    problems = []
    total = src.fetch("SELECT coalesce(sum(amount), 0) FROM coop_invoice WHERE month = ?", (month,))[0][0]
    moved = src.fetch(
        "SELECT coalesce(sum(l.credit - l.debit), 0) FROM journal_line l JOIN coop_invoice i ON i.entry_id = l.entry_id "
        "WHERE i.month = ? AND l.role = 'REBATE_RECEIVABLE'",
        (month,),
    )[0][0]
    total, moved = _cents(total), _cents(moved)
    if not (total == moved == read_net):
        problems.append(f"{month}: invoices {total} / INVOICE entries moved {moved} / uninvoiced lines read {read_net}")
    bad = src.fetch(
        "SELECT i.invoice_no, i.amount, sum(l.debit - l.credit) FROM coop_invoice i "
        "JOIN invoice_line il ON il.invoice_id = i.id JOIN journal_line l ON l.id = il.journal_line_id "
        "WHERE i.month = ? GROUP BY i.invoice_no, i.amount HAVING i.amount <> sum(l.debit - l.credit)",
        (month,),
    )
    problems += [f"{month}: invoice {no} of {amount} holds lines of {lines}" for no, amount, lines in bad[:5]]
    return problems


def backup_floor(src: floor.Raw, sql: str, path: Path) -> tuple[float, int]:
    """The backup's rows read by the raw driver and written with openpyxl write-only, plain cells."""
    from openpyxl import Workbook

    def run() -> int:
        rows = src.fetch(sql)
        book = Workbook(write_only=True)
        ws = book.create_sheet("Invoice backup")
        ws.append([f"c{i}" for i in range(18)])
        for r in rows:
            ws.append(list(r[:18]))
        book.save(path)
        return len(rows)

    return min((floor.timed(run) for _ in range(2)), key=lambda t: t[0])


def run_backend(backend: str, args: argparse.Namespace) -> list[Row]:
    url, floor_url = _urls(backend, args)
    rows: list[Row] = []
    limit = 3
    log(f"{backend}: restoring the posted database")
    _snapshot(backend, args, url, restore=True)
    if backend == "PostgreSQL":
        _analyze(url)  # autovacuum is off on the bench server; the copy gets the same statistics
    log(f"{backend}: copying the database for the floor")
    _copy_floor(backend, args, url)
    setup, acct = _contexts(url)
    src, dst = floor.Raw(url), floor.Raw(floor_url)
    try:
        for month, run_date, label in CLOSES:
            with Session(setup.engine) as session:
                read_sql = _sql(setup.engine, uninvoiced(session, _month_end(month)))
            before = src.fetch(read_sql)
            read_net, read_count = _net(before), len(before)
            del before
            log(f"{backend}: close {month} on {run_date}: {read_count:,} uninvoiced lines")
            reset_peak()
            started = time.perf_counter()
            result = month_close.close_month(acct, month, run_date)
            app_s = time.perf_counter() - started
            peak = peak_mib()
            log(f"{backend}: close {month}: {fmt_s(app_s)}, {len(result.invoices):,} invoices")
            problems = close_check(src, month, read_net)
            fl = close_floor(src, dst, read_sql, month)
            log(f"{backend}: floor {fmt_s(fl['seconds'])}")
            if fl["read"] != read_count or fl["net"] != read_net:
                problems.append(f"{month}: the floor read {fl['read']} lines of {fl['net']}, the app's {read_count}")
            c = fl["counts"]
            ratio = app_s / fl["seconds"]
            rows.append(
                Row(
                    backend,
                    f"Close {month} on {run_date.isoformat()} ({label}): {read_count:,} lines",
                    fmt_s(app_s),
                    fmt_s(fl["seconds"]),
                    ratio,
                    f"≤ {limit}×",
                    ratio <= limit and not problems and result.complete,
                    f"{result.vendors:,} vendors, {len(result.invoices):,} invoices, {c['invoice_line']:,} invoice "
                    f"lines, {c['journal_entry']:,} entries / {c['journal_line']:,} journal lines; peak RSS "
                    f"{peak:,.0f} MiB; floor = read the uninvoiced lines (the same join) + write those rows, one "
                    "transaction; "
                    + (
                        "; ".join(problems)
                        if problems
                        else f"invoices = net receivable moved = lines read: {read_net / 100:,.2f}"
                    ),
                )
            )
            if backend == "PostgreSQL":
                _analyze(url)
                _analyze(floor_url)
        if not args.no_backup:
            rows.append(_backup_row(backend, setup, acct, src))
    finally:
        src.close()
        dst.close()
        setup.engine.dispose()
        acct.engine.dispose()
    return rows


def _month_end(month: str) -> date:
    from app.domain.invoicing import last_day

    return last_day(month)


def _backup_row(backend: str, setup: AppContext, acct: AppContext, src: floor.Raw) -> Row:
    invoice_id, invoice_no, lines = src.fetch(
        "SELECT i.id, i.invoice_no, count(*) FROM coop_invoice i JOIN invoice_line il ON il.invoice_id = i.id "
        "GROUP BY i.id, i.invoice_no ORDER BY count(*) DESC, i.id LIMIT 1"
    )[0]
    from app.models import InvoiceLine

    sql = _sql(setup.engine, backup_query().where(InvoiceLine.invoice_id == invoice_id))
    path = DATA / f"backup-{backend.lower()}.xlsx"
    log(f"{backend}: backup of {invoice_no}, {lines:,} lines")

    def app() -> int:
        with acct.uow() as uow:
            return write_backup(uow, invoice_no, path, force=True)

    app_s, written = min((floor.timed(app) for _ in range(2)), key=lambda t: t[0])
    floor_s, floor_rows = backup_floor(src, sql, DATA / f"backup-floor-{backend.lower()}.xlsx")
    ok = written == lines == floor_rows
    ratio = app_s / floor_s
    return Row(
        backend,
        f"Backup XLSX of the largest invoice ({invoice_no}), {lines:,} rows",
        fmt_s(app_s),
        fmt_s(floor_s),
        ratio,
        "≤ 2×",
        ratio <= 2 and ok,
        f"write_backup (.xlsx), best of two; {written:,} rows written, {lines:,} invoice lines"
        + ("" if ok else " **ROW COUNTS DIFFER**")
        + f"; floor = the backup's join by the raw driver + openpyxl write-only, plain cells ({floor_rows:,} rows), "
        f"best of two; {os.path.getsize(path) / 2**20:,.1f} MiB file",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the month close and the invoice backup.")
    parser.add_argument(
        "--prepare", action="store_true", help="make and post the databases (kept as NAME_posted), measure nothing"
    )
    parser.add_argument(
        "--snapshot", action="store_true", help="keep the posted databases as they are now (NAME_posted)"
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--no-backup", action="store_true", help="skip the backup row")
    parser.add_argument("--name", default=DEFAULT_NAME, help="database name (bench/data/NAME.sqlite, coop_NAME)")
    parser.add_argument("--out", type=Path, default=DATA / "close-results.md")
    args = parser.parse_args(argv)
    backends = [b for b, skip in (("SQLite", args.pg_only), ("PostgreSQL", args.sqlite_only)) if not skip]
    if args.prepare or args.snapshot:
        for backend in backends:
            if args.prepare:
                prepare(backend, args)
            else:
                _snapshot(backend, args, _urls(backend, args)[0], restore=False)
        return 0
    started = time.perf_counter()
    load = os.getloadavg()
    commit = git_commit()  # the code measured (a commit during the run would not be)
    rows: list[Row] = []
    for backend in backends:
        rows += run_backend(backend, args)
    return write_results(args.out, "Month close and backup benchmark", commit, started, load[0], rows)


if __name__ == "__main__":
    sys.exit(main())
