"""Matching 100,000 vendor-invoice lines and a payment run over every vendor, each against the raw
floor of its writes in the same run (issue 16).

    .venv/bin/python -m bench.payables [--sqlite-only | --pg-only] [--scale 1.0] [--profile]

Each backend: a fresh database (bench/data/pay_bench.sqlite, coop_pay_bench) made by
bench/payables_data.py (not measured: generate, receipts, post, close November), a copy of it for
the floor, then, as the accountant's login on PostgreSQL (bench/logins.py):

1. `imports.import_file(uow, "vendor-invoices", FILE)`: what `coop import vendor-invoices` runs;
   floor: on the copy, the raw driver reads the posted receipt lines (the join matching needs) and
   the product codes, then writes the rows the import wrote (read back from the measured database,
   untimed: vendor_invoice, vendor_invoice_line, journal_entry, journal_line, the entry counter),
   one transaction.
2. `payment_run.run_payments(uow, 2025-12-31)`: every vendor's invoices are due; floor: on the
   copy (holding row 1's rows by then) read the unpaid matched lines due and the `CD` co-op
   invoices with what was settled of them, then write the run's rows (payment_run*, settlement*,
   journal_entry, journal_line, the counter), one transaction.

Both rows are checked (see check_import, check_run). See bench/README.md."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from app.services import imports, payment_run
from app.services.context import AppContext
from app.services.tabular import read_table
from app.services.vendor_invoice_imports import COLUMNS

from . import floor, logins
from .close import _cents
from .payables_data import (
    LINES_PER_VENDOR,
    RUN_DATE,
    analyze,
    copy_for_floor,
    fresh,
    invoice_file,
    post_and_close,
    setup,
    urls,
)
from .report import write_results
from .run import (
    DATA,
    DEFAULT_PG,
    Row,
    Timer,
    fmt_s,
    generate,
    git_commit,
    log,
    peak_mib,
    reset_peak,
)

WRITE_ORDER = (
    "journal_entry",
    "journal_line",
    "vendor_invoice",
    "vendor_invoice_line",
    "payment_run",
    "settlement",
    "settlement_line",
    "payment_run_vendor",
    "payment_run_line",
)
KEYED_BY = {"payment_run_vendor": ("run_id", "payment_run")}  # a table with no id: its new rows by their parent
ID_TABLES = tuple(name for name, cols in floor.COLUMNS.items() if "id" in cols)
OTHER_TABLES = tuple(name for name, cols in floor.COLUMNS.items() if "id" not in cols)
MATCH_READ = (
    "SELECT l.id, s.slip_no, l.line_no, p.code, l.quantity, l.unit_cost FROM receipt_line l "
    "JOIN receiving_slip s ON s.id = l.slip_id JOIN product p ON p.id = l.product_id WHERE s.status = 'POSTED'"
)
RUN_READS = (
    "SELECT vil.id, vi.id, vi.vendor_id, vi.invoice_no, vi.due_date, vil.amount FROM vendor_invoice_line vil "
    "JOIN vendor_invoice vi ON vi.id = vil.vendor_invoice_id WHERE vil.defect IS NULL AND vi.due_date <= ? "
    "AND NOT EXISTS (SELECT 1 FROM payment_run_line r WHERE r.vendor_invoice_line_id = vil.id)",
    "SELECT i.id, i.vendor_id, i.invoice_no, i.invoice_date, i.kind, i.amount, "
    "(SELECT coalesce(sum(sl.amount), 0) FROM settlement_line sl WHERE sl.invoice_id = i.id) "
    "FROM coop_invoice i WHERE i.method = 'CD'",
)


def state(raw: floor.Raw) -> dict[str, int]:
    """Each id table's highest id, each other table's row count."""
    out = {name: raw.fetch(f"SELECT coalesce(max(id), 0) FROM {name}")[0][0] for name in ID_TABLES}
    out.update({name: raw.fetch(f"SELECT count(*) FROM {name}")[0][0] for name in OTHER_TABLES})
    return out


def written(src: floor.Raw, before: dict[str, int]) -> tuple[dict[str, list[tuple[Any, ...]]], list[str]]:
    """The rows a phase wrote (ids past before), in insertion order; problems: tables changed that
    the floor does not write."""
    after = state(src)
    changed = [name for name in after if after[name] != before[name]]
    problems = [f"{name} changed, not in the floor" for name in changed if name not in WRITE_ORDER]
    data = {}
    for name in (n for n in WRITE_ORDER if n in changed):
        key, of = KEYED_BY.get(name, ("id", name))
        data[name] = src.table(name, f"WHERE {key} > ? ORDER BY {key}", (before[of],))
    return data, problems


def floor_run(dst: floor.Raw, reads: list[tuple[str, tuple[Any, ...]]], data: dict[str, list[tuple[Any, ...]]],
              series: list[tuple[Any, ...]]) -> tuple[float, list[int]]:  # fmt: skip
    """Reads, then the rows and the counters' final values in one transaction; (seconds, rows read)."""

    def run() -> list[int]:
        counts = [len(dst.fetch(sql, params)) for sql, params in reads]
        dst.begin()
        for name, rows in data.items():
            dst.insert(name, rows)
        for name, value in series:
            dst.fetch("UPDATE number_series SET next_value = ? WHERE name = ? RETURNING name", (value, name))
        dst.commit()
        return counts

    return floor.timed(run)


def check_import(src: floor.Raw, expected: Counter[str]) -> list[str]:
    """The defects found are the ones put in the file; the VENDOR_INVOICE entries balance and move
    the matched lines' received value off RECEIVED_NOT_INVOICED and their amount to ACCOUNTS_PAYABLE."""
    found = Counter(
        {d or "MATCHED": n for d, n in src.fetch("SELECT defect, count(*) FROM vendor_invoice_line GROUP BY defect")}
    )
    problems = [] if found == expected else [f"defects {dict(found)} expected {dict(expected)}"]
    amount, received = src.fetch(
        "SELECT coalesce(sum(amount), 0), coalesce(sum(received_value), 0) FROM vendor_invoice_line "
        "WHERE defect IS NULL"
    )[0]
    roles = dict(
        src.fetch(
            "SELECT l.role, sum(l.credit) - sum(l.debit) FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id "
            "WHERE e.source = 'VENDOR_INVOICE' GROUP BY l.role"
        )
    )
    if _cents(roles.get("ACCOUNTS_PAYABLE", 0)) != _cents(amount):
        problems.append(f"AP credited {roles.get('ACCOUNTS_PAYABLE')} for matched lines of {amount}")
    if -_cents(roles.get("RECEIVED_NOT_INVOICED", 0)) != _cents(received):
        problems.append(f"RNI debited {roles.get('RECEIVED_NOT_INVOICED')} for received value {received}")
    return problems + _unbalanced(src, "VENDOR_INVOICE")


def _unbalanced(src: floor.Raw, source: str) -> list[str]:
    bad = src.fetch(
        "SELECT e.id FROM journal_entry e JOIN journal_line l ON l.entry_id = e.id WHERE e.source = ? "
        "GROUP BY e.id HAVING sum(l.debit) <> sum(l.credit)",
        (source,),
    )
    return [f"{len(bad)} {source} entries do not balance"] if bad else []


def check_run(src: floor.Raw, run_ids: tuple[int, ...]) -> tuple[list[str], dict[str, int]]:
    """Sum paid = gross − deductions − held; every vendor's net ≥ 0; gross = every matched line (all
    due); each vendor's deductions = min(gross, its open CD co-op invoices); a co-op invoice is
    deducted at most once and never above its amount; CASH and CLAIMS_RECEIVABLE as the run says."""
    if len(run_ids) != 1:
        return [f"runs {run_ids}"], {}
    vendors = src.fetch(
        "SELECT vendor_id, gross, deductions, provision, net FROM payment_run_vendor WHERE run_id = ?", run_ids
    )
    gross, ded, held, net = (sum(_cents(v[i]) for v in vendors) for i in range(1, 5))
    problems = [] if net == gross - ded - held else [f"paid {net} <> gross {gross} − {ded} − {held}"]
    problems += [f"vendor {v[0]} nets {v[4]}" for v in vendors if _cents(v[4]) < 0][:5]
    due = dict(src.fetch("SELECT vi.vendor_id, sum(vil.amount) FROM vendor_invoice_line vil JOIN vendor_invoice vi "
                         "ON vi.id = vil.vendor_invoice_id WHERE vil.defect IS NULL GROUP BY vi.vendor_id"))  # fmt: skip
    cd = dict(src.fetch("SELECT vendor_id, sum(amount) FROM coop_invoice WHERE method = 'CD' AND amount > 0 "
                        "GROUP BY vendor_id"))  # fmt: skip
    for vid, g, d, _h, _n in vendors:
        if _cents(g) != _cents(due.pop(vid, 0)) or _cents(d) != min(_cents(g), _cents(cd.get(vid, 0))):
            problems.append(f"vendor {vid}: gross {g}, deducted {d}, due {due.get(vid)}, open CD {cd.get(vid)}")
    problems += [f"vendors not paid: {sorted(due)[:5]}"] if due else []
    twice = src.fetch(
        "SELECT coop_invoice_id FROM payment_run_line WHERE coop_invoice_id IS NOT NULL GROUP BY coop_invoice_id "
        "HAVING count(*) > 1"
    )
    over = src.fetch(
        "SELECT i.id FROM coop_invoice i JOIN settlement_line s ON s.invoice_id = i.id GROUP BY i.id, i.amount "
        "HAVING sum(s.amount) > i.amount"
    )
    problems += [f"{len(twice)} co-op invoices deducted twice"] if twice else []
    problems += [f"{len(over)} co-op invoices deducted above their amount"] if over else []
    roles = dict(
        src.fetch(
            "SELECT l.role, sum(l.credit) - sum(l.debit) FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id "
            "WHERE e.source = 'PAYMENT_RUN' GROUP BY l.role"
        )
    )
    if _cents(roles.get("CASH", 0)) != net or _cents(roles.get("CLAIMS_RECEIVABLE", 0)) != ded:
        problems.append(f"journal CASH {roles.get('CASH')} / CLAIMS_RECEIVABLE {roles.get('CLAIMS_RECEIVABLE')}")
    totals = {"vendors": len(vendors), "gross": gross, "deducted": ded, "held": held, "net": net}
    return problems + _unbalanced(src, "PAYMENT_RUN"), totals


def _counts(data: dict[str, list[tuple[Any, ...]]]) -> str:
    return ", ".join(f"{len(rows):,} {name}" for name, rows in data.items())


def run_backend(backend: str, args: argparse.Namespace) -> list[Row]:
    url, floor_url = urls(backend, args.name, args.pg_url)
    log(f"{backend}: fresh database, generating scale {args.scale} (no receipts)")
    fresh(backend, args.name, args.pg_url)
    generate(url, args.scale, args.seed, receipts=False)
    ctx = AppContext.open(url, "bench", upgrade=False)
    sizes = setup(ctx, args.seed)
    admin, acct = logins.accountant(url, ctx)
    analyze(url)
    log(f"{backend}: {sizes}; posting and closing {sizes['lines']:,} lines")
    prepared = post_and_close(url, acct, sizes["lines"])
    log(f"{backend}: {prepared}")
    path = DATA / f"{args.name}-vendor-invoices.csv"
    expected = invoice_file(url, path, args.seed)
    copy_for_floor(backend, args.name, args.pg_url)
    src, dst = floor.Raw(url), floor.Raw(floor_url)
    timer = Timer(args.profile, f"payables-{backend.lower()}")
    rows: list[Row] = []
    try:
        before = state(src)
        reset_peak()
        with acct.uow() as uow:
            app_s, count = timer.run("import", lambda: imports.import_file(uow, "vendor-invoices", path), acct)
        peak = peak_mib()
        log(f"{backend}: import {count:,} rows in {fmt_s(app_s)}")
        data, problems = written(src, before)
        problems += check_import(src, expected)
        series = src.fetch("SELECT name, next_value FROM number_series")
        fl_s, reads = floor_run(dst, [(MATCH_READ, ()), ("SELECT code FROM product", ())], data, series)
        log(f"{backend}: floor {fmt_s(fl_s)}")
        parse_s = floor.timed(read_table, path, COLUMNS)[0]  # the file's share, for the notes
        ratio = app_s / fl_s
        defects = ", ".join(f"{n:,} {d}" for d, n in sorted(expected.items()))
        rows.append(Row(backend, f"Import and match {count:,} vendor-invoice lines ({len(data.get('vendor_invoice', [])):,} invoices)",
                        fmt_s(app_s), fmt_s(fl_s), ratio, "≤ 3×", ratio <= 3 and not problems,
                        f"{defects}; wrote {_counts(data)}; reading the file alone (tabular.read_table) {fmt_s(parse_s)}; "
                        f"peak RSS {peak:,.0f} MiB; floor = read the "
                        f"{reads[0]:,} posted receipt lines (slip ⋈ product) and {reads[1]:,} product codes + write "
                        "those rows and the entry counter, one transaction; "
                        + ("; ".join(problems) or "defects as in the file; AP / RNI = the matched lines; entries balance")))  # fmt: skip
        analyze(url)
        analyze(floor_url)
        before = state(src)
        reset_peak()
        with acct.uow() as uow:
            app_s, result = timer.run("payment-run", lambda: payment_run.run_payments(uow, RUN_DATE), acct)
        peak = peak_mib()
        log(f"{backend}: payment run, {len(result.vendors):,} vendors in {fmt_s(app_s)}")
        data, problems = written(src, before)
        more, totals = check_run(src, result.run_ids)
        problems += more
        series = src.fetch("SELECT name, next_value FROM number_series")
        fl_s, reads = floor_run(dst, [(RUN_READS[0], (RUN_DATE,)), (RUN_READS[1], ())], data, series)
        log(f"{backend}: floor {fmt_s(fl_s)}")
        ratio = app_s / fl_s
        money = ", ".join(f"{k} {v / 100:,.2f}" for k, v in totals.items() if k != "vendors")
        rows.append(Row(backend, f"Payment run on {RUN_DATE}: {len(result.vendors):,} vendors",
                        fmt_s(app_s), fmt_s(fl_s), ratio, "≤ 3×", ratio <= 3 and not problems,
                        f"{money}; wrote {_counts(data)}; peak RSS {peak:,.0f} MiB; floor = read the {reads[0]:,} "
                        f"unpaid matched lines due and the {reads[1]:,} CD co-op invoices with their settled sums "
                        "+ write those rows and the entry counter, one transaction; "
                        + ("; ".join(problems) or "paid = gross − deductions − held, every net ≥ 0, deductions = "
                           "min(gross, open CD) per vendor, no co-op invoice deducted twice")))  # fmt: skip
    finally:
        src.close()
        dst.close()
        for c in {id(x): x for x in (ctx, admin, acct)}.values():
            c.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vendor-invoice matching and the payment run against floors.")
    parser.add_argument("--scale", type=float, default=1.0, help="bench.generate's scale (vendors = 1,000 × scale)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--name", default="pay_bench", help="database name (bench/data/NAME.sqlite, coop_NAME)")
    parser.add_argument("--profile", action="store_true", help="cProfile of both rows: bench/profiles/payables-*")
    parser.add_argument("--out", type=Path, default=DATA / "payables-results.md")
    args = parser.parse_args(argv)
    backends = [b for b, skip in (("SQLite", args.pg_only), ("PostgreSQL", args.sqlite_only)) if not skip]
    started, load, commit = time.perf_counter(), os.getloadavg(), git_commit()
    rows: list[Row] = []
    for backend in backends:
        rows += run_backend(backend, args)
    notes = [f"- Data: scale {args.scale} (seed {args.seed}), {LINES_PER_VENDOR} posted receipt lines per vendor"]
    return write_results(args.out, "Payables benchmark: matching and the payment run", commit, started, load[0], rows,
                         notes)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
