"""`make bench`: posting, re-rating, the back-dated slip, the estimated rebate report and the
screens, each measured against a floor in the same run, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.run [--scale 1.0] [--sqlite-only] [--pg-url URL] [--profile]

Prints one table and writes it to bench/results.md (CPU, date, git commit). See
bench/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from app.models import Agreement, JournalEntry, ReceiptLine, ReceivingSlip, Vendor
from app.services import estimated, posting, receiving
from app.services.context import AppContext
from app.services.exports import write_table

from . import check, floor, logins, sqlplans

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PROFILES = HERE / "profiles"
TODAY = date(2026, 1, 15)
AS_OF = date(2025, 12, 31)
BACKDATED = "A0000001"
PLAN_SLIP = "A0000002"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GIB = 1024.0


# -- small helpers -------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def reset_peak() -> None:
    """Linux: reset VmHWM (peak RSS) of this process, so each phase gets its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fmt_s(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "app", "migrations"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" (+ uncommitted changes in app/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


@dataclass
class Row:
    backend: str
    measure: str
    app: str
    floor: str = "—"
    ratio: float | None = None
    target: str = "—"
    ok: bool | None = None
    note: str = ""

    def cells(self) -> list[str]:
        ratio = f"{self.ratio:.2f}×" if self.ratio is not None else "—"
        result = {True: "PASS", False: "**FAIL**", None: "—"}[self.ok]
        return [self.backend, self.measure, self.app, self.floor, ratio, self.target, result, self.note]


HEADER = ["Backend", "Measurement", "App", "Floor", "Ratio", "Target", "Result", "Notes"]


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] * len(HEADER)) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in r.cells()) + " |" for r in rows]
    return "\n".join(lines)


@dataclass
class Timer:
    profile: bool
    name: str
    stats: list[str] = field(default_factory=list)

    def run(self, label: str, fn: Callable[[], Any], ctx: AppContext | None = None) -> tuple[float, Any]:
        """Time fn(); with --profile under cProfile (and the SQL recorder), report written."""
        if not self.profile:
            started = time.perf_counter()
            value = fn()
            return time.perf_counter() - started, value
        recorder = sqlplans.Recorder(ctx.engine) if ctx is not None else None
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        try:
            value = fn()
        finally:
            prof.disable()
            elapsed = time.perf_counter() - started
            if recorder is not None:
                recorder.detach()
        PROFILES.mkdir(exist_ok=True)
        out = io.StringIO()
        out.write(f"# {self.name} {label}: {elapsed:.2f} s under cProfile\n\n")
        for key in ("cumulative", "tottime"):
            out.write(f"## by {key}\n\n")
            pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(45)
        if recorder is not None:
            out.write("\n## SQL statements by total time\n\n" + recorder.table(25) + "\n")
        path = PROFILES / f"{self.name}-{label}.txt"
        path.write_text(out.getvalue())
        prof.dump_stats(str(path.with_suffix(".prof")))
        log(f"profile written to {path.relative_to(ROOT)}")
        return elapsed, value


# -- databases -----------------------------------------------------------------------


@dataclass
class Target:
    backend: str  # sqlite or postgresql
    url: str
    floor_url: str


def sqlite_target() -> Target:
    DATA.mkdir(exist_ok=True)
    paths = [DATA / "coop_bench.sqlite", DATA / "coop_bench_floor.sqlite"]
    for path in paths:
        for leftover in DATA.glob(path.name + "*"):
            leftover.unlink()
    return Target("SQLite", f"sqlite:///{paths[0]}", f"sqlite:///{paths[1]}")


def pg_target(admin_url: str) -> Target | None:
    """Fresh databases coop_bench and coop_bench_floor on the server of admin_url."""
    import psycopg

    DATA.mkdir(exist_ok=True)  # the report's files (--pg-only: no SQLite target made it)

    parsed = make_url(admin_url)
    try:
        conn = psycopg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database or "postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.Error as exc:
        log(f"PostgreSQL not available at {parsed.render_as_string(hide_password=True)}: {exc}")
        return None
    with conn:
        for name in ("coop_bench", "coop_bench_floor"):
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    base = parsed.set(drivername="postgresql+psycopg")
    return Target(
        "PostgreSQL",
        base.set(database="coop_bench").render_as_string(hide_password=False),
        base.set(database="coop_bench_floor").render_as_string(hide_password=False),
    )


def generate(url: str, scale: float, seed: int, receipts: bool = True) -> dict[str, Any]:
    """In a child process, so this process's peak RSS is the measured phases' own."""
    with tempfile.NamedTemporaryFile(suffix=".json") as fh:
        cmd = [
            sys.executable,
            "-m",
            "bench.generate",
            "--url",
            url,
            "--scale",
            str(scale),
            "--seed",
            str(seed),
            "--json",
            fh.name,
        ] + ([] if receipts else ["--no-receipts"])
        subprocess.run(cmd, cwd=ROOT, check=True)
        return json.loads(Path(fh.name).read_text())


def bump_rates(ctx: AppContext) -> int:
    """The agreement change touching every ladder: rebate1 + 0.1 (percent) on every line, in SQL,
    with the version bump (optimistic locking) that saving each agreement would make."""
    step = "1000" if ctx.engine.dialect.name == "sqlite" else "0.1"  # SQLite stores percents x 10^4
    with ctx.engine.begin() as conn:
        changed = conn.execute(
            text(f"UPDATE agreement_line SET rebate1 = rebate1 + {step} WHERE rebate1 IS NOT NULL")
        ).rowcount
        table = Agreement.__table__
        conn.execute(
            update(table).values(version=table.c.version + 1, updated_by="bench", updated_at=datetime.now(UTC))
        )
        return changed


def max_id(ctx: AppContext, column: Any) -> int:
    with ctx.uow() as uow:
        return uow.session.scalar(select(func.coalesce(func.max(column), 0))) or 0


# -- UI ------------------------------------------------------------------------------


def ui_rows(target: Target, vendor: str, backend: str) -> list[Row]:
    main_py = ROOT / "app" / "ui" / "main.py"
    not_built = "not measured: UI not built yet"
    if not main_py.exists() or "class MainWindow" not in main_py.read_text():
        return [
            Row(backend, "App start → first window", not_built),
            Row(backend, "Agreement screen, 5,000 lines", not_built),
        ]
    user = logins.ADMIN if backend == "PostgreSQL" else "bench"  # the database has users on PostgreSQL
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COOP_BENCH_USER=user)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:

        def spawn(*args: str) -> tuple[float, dict[str, Any]]:
            started = time.time()
            done = subprocess.run(
                [sys.executable, "-m", "bench.ui_probe", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
            if done.returncode != 0 or not lines:
                raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
            return started, json.loads(lines[-1])

        try:
            spawn("bare")  # warm the file cache and the bytecode of both
            spawn("app", target.url, f"{folder}/warm.ini")
            bare, app = [], []
            for i in range(3):
                t0, out = spawn("bare")
                bare.append(out["shown_at"] - t0)
                t0, out = spawn("app", target.url, f"{folder}/app{i}.ini")
                app.append(out["shown_at"] - t0)
            ratio = median(app) / median(bare)
            rows.append(
                Row(
                    backend,
                    "App start → first window (offscreen)",
                    fmt_s(median(app)),
                    f"{fmt_s(median(bare))} bare QMainWindow",
                    ratio,
                    "≤ 2×",
                    ratio <= 2,
                    "median of 3 process starts, each from spawn to window exposed",
                )
            )
        except Exception as exc:  # the UI is being built: report, do not fail the run
            rows.append(Row(backend, "App start → first window", f"not measured: {exc}"))
        try:
            _t0, out = spawn("screen", target.url, f"{folder}/screen.ini", vendor)
            ok = out["open_ms"] <= 200 and out["rows"] == 5000 and not out["errors"]
            rows.append(
                Row(
                    backend,
                    "Agreement screen, 5,000 lines",
                    f"{out['open_ms']:.0f} ms",
                    "—",
                    None,
                    "≤ 200 ms",
                    ok,
                    f"{out['rows']:,} rows loaded; opened again {out['again_ms']:.0f} ms"
                    + (f"; errors: {out['errors']}" if out["errors"] else ""),
                )
            )
        except Exception as exc:
            rows.append(Row(backend, "Agreement screen, 5,000 lines", f"not measured: {exc}"))
    return rows


# -- one backend ---------------------------------------------------------------------


@dataclass
class Outcome:
    rows: list[Row]
    checks: list[check.CheckResult]
    plans: str
    info: dict[str, Any]


def run_backend(target: Target, args: argparse.Namespace, budget_s: float) -> Outcome:
    """Every measurement on one backend. Posting and re-rating stop (through the services'
    own cancel, between batches / vendors) when their share of budget_s is spent; what was
    done is measured, compared with the floor of the same rows, and extrapolated."""
    name = target.backend
    timer = Timer(args.profile, name.lower())
    rows: list[Row] = []
    checks: list[check.CheckResult] = []
    info: dict[str, Any] = {}
    backend_start = time.perf_counter()
    log(f"{name}: generating scale {args.scale} (budget {fmt_s(budget_s)})")
    summary = generate(target.url, args.scale, args.seed)
    generate(target.floor_url, args.scale, args.seed, receipts=False)
    info["generate_s"] = time.perf_counter() - backend_start
    info["summary"] = summary
    lines_total = summary["rows"]["receipt_line"]
    per_day = math.ceil(lines_total / 365)
    ctx = AppContext.open(target.url, "bench", upgrade=False)
    ctx, acct = logins.accountant(target.url, ctx)  # PostgreSQL: posting and re-rating as an accountant's login
    max_slip = max_id(ctx, ReceivingSlip.id)
    max_line = max_id(ctx, ReceiptLine.id)

    def deadline(share: float) -> Callable[[], bool]:
        """True once the phase has used its share of what is left of the backend's budget."""
        # A quarter of the share is kept for what is not stopped: checks, floors, plans, UI.
        left = 0.75 * budget_s - (time.perf_counter() - backend_start)
        until = time.perf_counter() + max(left * share, 10.0)
        return lambda: time.perf_counter() > until

    # 1. Post every draft, in date order, in batches of a day's receiving.
    log(f"{name}: posting {lines_total:,} lines (batches of {per_day:,} lines)")
    reset_peak()
    post_stop = deadline(0.55)

    def post_all() -> str:
        with acct.uow() as uow:
            try:
                posting.post_slips(uow, today=TODAY, batch_lines=per_day, cancelled=post_stop)
            except posting.PostingCancelled as exc:
                return str(exc)
        return ""

    post_s, post_cut = timer.run("post", post_all, acct)
    peak_post = peak_mib()
    entry_after_post = max_id(ctx, JournalEntry.id)
    posted_lines = count(
        ctx, "SELECT count(*) FROM receipt_line l JOIN receiving_slip s ON s.id = l.slip_id WHERE s.status = 'POSTED'"
    )
    post_entries = count(ctx, "SELECT count(*) FROM journal_entry")
    log(
        f"{name}: posted {posted_lines:,} lines in {fmt_s(post_s)}: {post_entries:,} entries"
        + (f" — stopped by the budget ({post_cut})" if post_cut else "")
    )

    with ctx.uow() as uow:
        checks.append(check.sample_check(uow.session, 1000, args.seed, "after posting"))
    log(checks[-1].summary())

    # 2. Re-rate with nothing changed: must post nothing.
    log(f"{name}: re-rate, unchanged (after posting)")
    unchanged1_s, unchanged1 = timer.run("rerate-unchanged-1", lambda: _rerate(acct, deadline(0.1)), acct)

    # 3. Re-rate after rebate1 + 0.1 on every agreement line (every ladder).
    bumped = bump_rates(ctx)
    entry_before_rerate = max_id(ctx, JournalEntry.id)
    log(f"{name}: re-rate after +0.1 on rebate1 of {bumped:,} agreement lines")
    reset_peak()
    rerate_s, rerated = timer.run("rerate", lambda: _rerate(acct, deadline(0.5)), acct)
    peak_rerate = peak_mib()
    entry_after_rerate = max_id(ctx, JournalEntry.id)
    with ctx.uow() as uow:
        if rerated.stopped:  # only the vendors re-rated before the budget stopped it are due
            label = f"after re-rating ({len(rerated.vendors):,} vendors re-rated before the stop)"
            checks.append(check.sample_check(uow.session, 1000, args.seed + 1, label, set(rerated.vendors)))
        else:
            checks.append(check.sample_check(uow.session, 1000, args.seed + 1, "after re-rating"))
    log(checks[-1].summary())

    if rerated.stopped:  # the rest is still to re-rate: not an unchanged state; use the first one
        log(f"{name}: re-rate stopped by the budget ({rerated.stopped}); no second unchanged re-rate")
        unchanged2_s, unchanged2 = unchanged1_s, unchanged1
        unchanged_label = "right after posting"
    else:
        log(f"{name}: re-rate, unchanged (after re-rating)")
        unchanged2_s, unchanged2 = timer.run("rerate-unchanged-2", lambda: _rerate(acct, deadline(0.3)), acct)
        unchanged_label = "right after re-rating"
    log(f"{name}: re-rate --full, unchanged (every vendor recomputed)")
    full_s, full_unchanged = timer.run("rerate-full-unchanged", lambda: _rerate(acct, deadline(0.2), full=True), acct)

    # 4. Estimated rebates for all vendors, to CSV.
    log(f"{name}: estimated rebate report")
    csv_path = DATA / f"estimated-{name.lower()}.csv"

    def report() -> int:
        with ctx.uow() as uow:
            data = estimated.estimated_rebates(uow, AS_OF)
        return write_table(csv_path, estimated.ESTIMATED_COLUMNS, (estimated.estimated_row_values(r) for r in data))

    report_s, report_rows = timer.run("report", report, ctx)

    # 5. A slip dated at the start of the year into the big ladder.
    later = count(ctx, "SELECT count(*) FROM line_accrual WHERE ladder_key = :k", k=summary["big_ladder_key"])
    log(f"{name}: back-dated slip into {later:,} later lines")
    with ctx.uow() as uow:
        before = check.snapshot(uow.session, summary["big_vendor_id"])
    _save_slip(ctx, BACKDATED, summary["big_vendor_code"], date(2025, 1, 1), summary["big_vendor_products"])

    entry_before_back = max_id(ctx, JournalEntry.id)

    def post_one() -> posting.PostingResult:
        with acct.uow() as uow:
            return posting.post_slips(uow, [BACKDATED], today=TODAY)

    backdated_s, back = timer.run("backdated", post_one, acct)
    entry_after_back = max_id(ctx, JournalEntry.id)  # the plans below post more
    back_ladders = count(ctx, "SELECT count(DISTINCT ladder_key) FROM line_accrual WHERE slip_no = :s", s=BACKDATED)
    with ctx.uow() as uow:
        back_check, rerate_lines = check.backdated_check(uow, before, BACKDATED)
    checks.append(back_check)
    log(back_check.summary())

    # 6. The SQL of each path, recorded and explained (after every timed phase).
    plans = _plans(ctx, summary, name)

    # 7. The floors, on the same rows.
    log(f"{name}: floors")
    src, dst = floor.Raw(target.url), floor.Raw(target.floor_url)
    try:
        pf = floor.post_floor(src, dst, max_slip, max_line, entry_after_post)
        rf = floor.rerate_floor(src, dst, entry_before_rerate, entry_after_rerate)
        read_s = rf["read"]
        bf = floor.backdated_floor(src, dst, BACKDATED, entry_before_back, entry_after_back)
        report_floor_s, floor_rows = floor.report_floor(
            src, DATA / f"estimated-floor-{name.lower()}.csv", AS_OF.isoformat()
        )
    finally:
        src.close()
        dst.close()
    ctx.engine.dispose()
    acct.engine.dispose()

    # The table.
    post_floor_s = pf["core"]
    limit = 3 if name == "SQLite" else 4
    cut = ""
    if post_cut:
        cut = (
            f"STOPPED BY THE BUDGET after {posted_lines:,} of {lines_total:,} lines; all "
            f"{lines_total:,} ≈ {fmt_s(post_s * lines_total / max(posted_lines, 1))} if linear; "
        )
    rows.append(
        Row(
            name,
            f"Post {posted_lines:,} lines (post_slips, all drafts)",
            fmt_s(post_s),
            fmt_s(post_floor_s),
            post_s / post_floor_s,
            f"≤ {limit}×",
            post_s / post_floor_s <= limit,
            cut + f"{post_entries:,} entries / {int(pf['journal_lines']):,} journal lines; "
            f"{per_day:,}-line batches; {posted_lines / post_s:,.0f} lines/s; floor incl. line_accrual "
            f"{fmt_s(pf['core'] + pf['state'])} → {post_s / (pf['core'] + pf['state']):.2f}×",
        )
    )
    rerate_floor_s = rf["read"] + rf["write"]
    note = ""
    rerate_ratio = rerate_s / rerate_floor_s
    if rerated.stopped:  # both sides to all the lines: the app's time and the floor's writes by the same share
        all_floor_s = rf["read"] + rf["write"] * rerated.scale_up
        rerate_ratio = rerate_s * rerated.scale_up / all_floor_s
        note = (
            f"STOPPED BY THE BUDGET after {len(rerated.vendors):,} vendors ({rerated.share:.0%} of the lines); "
            f"all ≈ {fmt_s(rerate_s * rerated.scale_up)} vs floor ≈ {fmt_s(all_floor_s)} (read all lines + "
            f"the writes scaled by the same share) → ≈ {rerate_ratio:.2f}×; "
        )
    rows.append(
        Row(
            name,
            "Re-rate after rebate1 +0.1 on every ladder",
            fmt_s(rerate_s),
            fmt_s(rerate_floor_s),
            rerate_s / rerate_floor_s,
            "≤ 3×",
            rerate_ratio <= 3,
            note + f"{int(rf['entries']):,} RERATE entries / {int(rf['journal_lines']):,} lines; floor = read "
            f"{fmt_s(rf['read'])} + write {fmt_s(rf['write'])}; incl. {int(rf['accruals']):,} line_accrual "
            f"updates {fmt_s(rerate_floor_s + rf['state'])} → {rerate_s / (rerate_floor_s + rf['state']):.2f}×",
        )
    )
    note = f"{unchanged_label}: posted {unchanged2.entries} entries"
    if unchanged2.stopped:
        note = (
            f"STOPPED BY THE BUDGET after {len(unchanged2.vendors):,} vendors ({unchanged2.share:.0%} of the "
            f"lines); all ≈ {fmt_s(unchanged2_s * unchanged2.scale_up)} → ≈ "
            f"{unchanged2_s * unchanged2.scale_up / read_s:.1f}×; {unchanged_label}: posted "
            f"{unchanged2.entries} entries"
        )
    elif unchanged_label != "right after posting":
        note += f"; right after posting: {fmt_s(unchanged1_s)}, posted {unchanged1.entries}" + (
            f" (stopped: {unchanged1.stopped})" if unchanged1.stopped else ""
        )
    rows.append(
        Row(
            name,
            "Re-rate, nothing changed",
            fmt_s(unchanged2_s),
            f"{fmt_s(read_s)} raw read",
            unchanged2_s / read_s,
            "≤ 1.5×, posts 0",
            unchanged2_s * unchanged2.scale_up / read_s <= 1.5 and unchanged2.entries == 0,
            note,
        )
    )
    note = f"every vendor recomputed from scratch (coop rerate --full); posted {full_unchanged.entries} entries"
    if full_unchanged.stopped:
        note = (
            f"STOPPED BY THE BUDGET after {len(full_unchanged.vendors):,} vendors ({full_unchanged.share:.0%} of "
            f"the lines); all ≈ {fmt_s(full_s * full_unchanged.scale_up)}; posted {full_unchanged.entries} entries"
        )
    rows.append(
        Row(
            name,
            "Re-rate --full, nothing changed",
            fmt_s(full_s),
            f"{fmt_s(read_s)} raw read",
            full_s * full_unchanged.scale_up / read_s,
            "(reported)",
            None,
            note,
        )
    )
    rows.append(
        Row(
            name,
            f"Back-dated slip, {later:,} later lines in its ladder",
            fmt_s(backdated_s),
            fmt_s(bf["seconds"]),
            backdated_s / bf["seconds"],
            "< 1 s",
            backdated_s < 1 and back_check.ok,
            f"{back.rerate_entries:,} RERATE entries / {rerate_lines:,} lines; "
            + ("checked against the engine: equal" if back_check.ok else "**RERATE rows differ from the engine**")
            + f"; floor = read the {int(bf['read']):,} later (line, kind) rows of its "
            f"{back_ladders} ladders + write {int(bf['entries']):,} entries, {int(bf['journal_lines']):,} "
            f"journal lines, {int(bf['updates']):,} accrual updates, one transaction",
        )
    )
    rows.append(
        Row(
            name,
            "Estimated rebates, all vendors, + CSV",
            fmt_s(report_s),
            f"{fmt_s(report_floor_s)} GROUP BY",
            report_s / report_floor_s,
            "≤ 1.5×",
            report_s / report_floor_s <= 1.5,
            f"{report_rows:,} ladders; hand-written GROUP BY + csv: {floor_rows:,} rows",
        )
    )
    if not args.no_ui:
        log(f"{name}: UI")
        rows += ui_rows(target, summary["ui_vendor_code"], name)
    peak = max(peak_post, peak_rerate)
    rows.append(
        Row(
            name,
            "Peak RSS, posting / re-rating",
            f"{peak_post:,.0f} / {peak_rerate:,.0f} MiB",
            "—",
            None,
            "≤ 1 GiB",
            peak <= GIB,
            "VmHWM of the harness process, reset before each phase",
        )
    )
    for c in checks:
        rows.append(
            Row(
                name,
                f"Accruals vs pure engine: {c.name}",
                f"{c.lines:,} lines, {c.accruals:,} accruals",
                "—",
                None,
                "equal",
                c.ok,
                "; ".join(c.problems[:3]),
            )
        )
    info.update(
        post_s=post_s,
        posted_lines=posted_lines,
        rerate_s=rerate_s,
        unchanged_s=unchanged2_s,
        report_s=report_s,
        backdated_s=backdated_s,
        floor=pf,
        rerate_floor=rf,
        report_floor_s=report_floor_s,
        backend_s=time.perf_counter() - backend_start,
    )
    return Outcome(rows, checks, plans, info)


def count(ctx: AppContext, sql: str, **params: object) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


@dataclass
class Rerated:
    entries: int  # RERATE entries written
    stopped: str  # '' or the service's message
    vendors: list[int]  # vendor ids re-rated (in the service's order: by id)
    share: float = 1.0  # share of the posted lines belonging to those vendors

    @property
    def scale_up(self) -> float:
        return 1 / self.share if self.share > 0 else float("nan")


def _rerate(ctx: AppContext, stop: Callable[[], bool], full: bool = False) -> Rerated:
    """posting.rerate, stopped by the budget through its own cancel (between vendors)."""
    done = [0]

    def progress(n: int, _total: int) -> None:
        done[0] = n

    with ctx.uow() as uow:
        vendor_ids = list(uow.session.scalars(select(Vendor.id).order_by(Vendor.id)))
    before = max_id(ctx, JournalEntry.id)
    with ctx.uow() as uow:
        try:
            entries = posting.rerate(uow, today=TODAY, progress=progress, cancelled=stop, full=full)
            return Rerated(entries, "", vendor_ids)
        except posting.PostingCancelled as exc:
            result = Rerated(-1, str(exc), vendor_ids[: done[0]])
    result.entries = count(ctx, "SELECT count(*) FROM journal_entry WHERE id > :a AND source = 'RERATE'", a=before)
    with ctx.engine.connect() as conn:
        per_vendor = dict(
            conn.execute(
                text(
                    "SELECT s.vendor_id, count(*) FROM receipt_line l JOIN receiving_slip s ON s.id = l.slip_id "
                    "WHERE s.status = 'POSTED' GROUP BY s.vendor_id"
                )
            ).all()
        )
    total = sum(per_vendor.values())
    result.share = sum(per_vendor.get(v, 0) for v in result.vendors) / total if total else 1.0
    return result


def _save_slip(ctx: AppContext, slip_no: str, vendor: str, when: date, products: list[str]) -> None:
    lines = tuple(receiving.SlipLineIn(n, code, Decimal(10 * n)) for n, code in enumerate(products, start=1))
    with ctx.uow() as uow:
        receiving.save_slips(uow, [receiving.SlipIn(slip_no, vendor, when, lines)])


def _plans(ctx: AppContext, summary: dict[str, Any], name: str) -> str:
    """Record the statements of each path on small work, then EXPLAIN the SELECTs."""
    out = [f"## {name}", ""]
    second = "V0002"
    with ctx.uow() as uow:
        products = (
            uow.session.execute(
                text(
                    "SELECT p.code FROM product p JOIN vendor v ON v.id = p.vendor_id WHERE v.code = :c ORDER BY p.id LIMIT 3"
                ),
                {"c": second},
            )
            .scalars()
            .all()
        )
    _save_slip(ctx, PLAN_SLIP, second, date(2025, 1, 2), list(products))
    paths: list[tuple[str, Callable[[], object]]] = [
        ("post_slips: one back-dated slip (named)", lambda: _in_uow(ctx, lambda u: posting.post_slips(u, [PLAN_SLIP], today=TODAY))),
        ("post_slips: all drafts (one batch at most)", lambda: _in_uow(ctx, lambda u: _one_batch(u))),
        ("rerate_vendors: the big vendor", lambda: _in_uow(ctx, lambda u: (posting.rerate_vendors(u, [summary["big_vendor_id"]], today=TODAY), u.commit()))),
        ("estimated_rebates: the big vendor", lambda: _in_uow(ctx, lambda u: estimated.estimated_rebates(u, AS_OF, summary["big_vendor_code"]))),
    ]  # fmt: skip
    for title, fn in paths:
        recorder = sqlplans.Recorder(ctx.engine)
        try:
            fn()
        finally:
            recorder.detach()
        out.append(sqlplans.plans_markdown(ctx.engine, recorder, title))
    raw = ctx.engine.raw_connection()
    try:
        sql = floor.REPORT_GROUP_BY.format(as_of=f"'{AS_OF.isoformat()}'")
        cur = raw.cursor()
        cur.execute(("EXPLAIN QUERY PLAN " if ctx.engine.dialect.name == "sqlite" else "EXPLAIN ") + sql)
        plan = "\n".join(str(r[-1] if ctx.engine.dialect.name == "sqlite" else r[0]) for r in cur.fetchall())
        out += ["### The floor's hand-written report GROUP BY", "", f"`{sql}`", "", "```", plan, "```", ""]
    finally:
        raw.rollback()
        raw.close()
    return "\n".join(out)


def _one_batch(uow: Any) -> object:
    """post_slips over the drafts left (some, when the budget stopped posting): one batch."""
    checks = iter((False,))
    try:
        return posting.post_slips(uow, today=TODAY, batch_lines=500, cancelled=lambda: next(checks, True))
    except posting.PostingCancelled:
        return None


def _in_uow(ctx: AppContext, fn: Callable[[Any], object]) -> object:
    with ctx.uow() as uow:
        return fn(uow)


# -- main ----------------------------------------------------------------------------


def versions(targets: list[Target]) -> str:
    parts = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    for t in targets:
        if t.backend == "PostgreSQL":
            ctx = AppContext.open(t.url, logins.ADMIN, upgrade=False)  # a user of it now
            with ctx.engine.connect() as conn:
                parts.append("PostgreSQL " + conn.execute(text("SHOW server_version")).scalar_one().split()[0])
            ctx.engine.dispose()
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of posting, re-rating and reports (bench/README.md).")
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE", "1.0")),
        help="data size: 1.0 = 1,000,000 receipt lines (default; env BENCH_SCALE)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--pg-only", action="store_true", help="skip SQLite")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("COOP_BENCH_PG_URL", DEFAULT_PG),
        help="server to create coop_bench on (default: env COOP_BENCH_PG_URL, else %(default)s)",
    )
    parser.add_argument("--no-ui", action="store_true", help="skip the screen measurements")
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=float(os.environ.get("BENCH_BUDGET_MINUTES", "22")),
        help="whole run; posting and re-rating stop between batches when their share is "
        "spent, and the table says so (default 22; env BENCH_BUDGET_MINUTES)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run post and re-rate under cProfile; writes bench/profiles/, not results.md",
    )
    parser.add_argument(
        "--out", type=Path, help="results file (default bench/results.md; bench/profiles/results.md with --profile)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    targets: list[Target] = []
    if not args.pg_only:
        targets.append(sqlite_target())
    if not args.sqlite_only:
        pg = pg_target(args.pg_url)
        if pg is not None:
            targets.append(pg)
    rows: list[Row] = []
    plans: list[str] = []
    summaries: dict[str, Any] = {}
    problems: list[str] = []
    budget = args.budget_minutes * 60
    for i, t in enumerate(targets):
        left = budget - (time.perf_counter() - started)
        outcome = run_backend(t, args, left / (len(targets) - i))
        rows += outcome.rows
        plans.append(outcome.plans)
        summaries[t.backend] = outcome.info
        for c in outcome.checks:
            problems += [f"{t.backend} {c.name}: {p}" for p in c.problems]
    if not any(t.backend == "PostgreSQL" for t in targets) and not args.sqlite_only:
        rows.append(Row("PostgreSQL", "all", f"not measured: no server at {make_url(args.pg_url).render_as_string()}"))
    total = time.perf_counter() - started
    summary = next(iter(summaries.values()))["summary"] if summaries else {}
    sizes = summary.get("rows", {})
    head = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now():%Y-%m-%d %H:%M}",
        f"- Commit: {git_commit()}",
        f"- CPU: {cpu_name()}, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        f"- Versions: {versions(targets)}",
        f"- Scale {args.scale} (seed {args.seed}): {sizes.get('vendor', 0) - 1:,} vendors (+1 screen fixture), "
        f"{sizes.get('product', 0):,} products, {summary.get('sizes', {}).get('ladders', 0):,} ladders "
        f"({sizes.get('agreement_line', 0):,} agreement lines incl. the 5,000-line fixture), "
        f"{sizes.get('receiving_slip', 0):,} slips, {sizes.get('receipt_line', 0):,} receipt lines",
        f"- Whole run: {fmt_s(total)}" + (" — **profiled run: times inflated by cProfile**" if args.profile else ""),
        "",
    ]
    table = markdown(rows)
    text_out = "\n".join(head) + "\n" + table + "\n"
    if problems:
        text_out += "\n## Correctness problems\n\n" + "\n".join(f"- {p}" for p in problems[:100]) + "\n"
    print(table)
    print(f"\nWhole run {fmt_s(total)}", file=sys.stderr)
    out = args.out or (PROFILES / "results.md" if args.profile else HERE / "results.md")
    out.parent.mkdir(exist_ok=True)
    out.write_text(text_out)
    (out.parent / "query_plans.md").write_text(
        "# Query plans of the hot statements\n\nRecorded by bench/run.py at scale "
        f"{args.scale} ({datetime.now():%Y-%m-%d}, commit {git_commit()}): each path run on small work after "
        "the timed phases, its statements grouped by shape with calls and time, then every SELECT explained "
        "with the parameters of its first execution.\n\n" + "\n".join(plans)
    )
    log(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
