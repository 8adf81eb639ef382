"""Shared helpers for the multi-process race and crash tests (not a test module).

Everything here is importable by a worker started with the 'spawn' method: it imports
only the application and the standard library, never pytest or the test fixtures.
"""

from __future__ import annotations

import csv
import random
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.journal import pnl_role
from app.models import (
    GlAccount,
    JournalEntry,
    JournalLine,
    LadderVolume,
    LineAccrual,
    NumberSeries,
    Product,
    ReceiptLine,
    ReceivingSlip,
)
from app.services import agreements, imports, posting, receiving
from app.services.context import AppContext
from app.services.errors import AlreadyPosted, ServiceError, StaleRecord

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "fixtures" / "examples"
PROPERTY = ROOT / "fixtures" / "property" / "agreements.csv"
VENDORS = {
    "V100": ("GYP-HALF-4X8", "GYP-OTHER", "SPF-2X4-8"),
    "V200": ("W-GYP-HALF", "W-GYP-OTHER", "W-SPF"),
}
CATS = (
    ("GYPSUM", "GYP-BOARD", "GYP-REG", "GYP-REG-HALF"),
    ("GYPSUM", "GYP-BOARD", "GYP-REG", "GYP-REG-HALF"),
    ("LUMBER", "LUM-DIM", "LUM-SPF", "LUM-SPF-2X4"),
)
YEAR_START = date(2026, 1, 1)
MONEY_ROLES = ("INVENTORY", "RECEIVED_NOT_INVOICED", "REBATE_RECEIVABLE", "ADVERTISING", "REBATE_EARNED")


# --------------------------------------------------------------------------- data


def write_two_vendor_fixture(folder: Path, split: str = "month") -> Path:
    """Two vendors, each with every ladder of tests/fixtures/property/agreements.csv
    (COOP retro group + product ladder with Product %, VOLUME degressive, PERIODIC
    monthly retro). With split "month" or "week", every ladder is repeated for each month
    or week of 2026 (a monthly or weekly co-op programme), which keeps the back-dated
    re-rating of a random posting order proportional to a month's receiving instead of
    a year's; "year" keeps the file's one-year ladders."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "vendors.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "currency"])
        w.writerow(["V100", "Northern Gypsum Ltd", "CAD"])
        w.writerow(["V200", "Western Gypsum Ltd", "CAD"])
    with open(folder / "products.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "description", "vendor_code", "cat1", "cat2", "cat3", "cat4", "unit_cost"])
        for vendor, codes in VENDORS.items():
            for code, cats in zip(codes, CATS, strict=True):
                w.writerow([code, f"{code} board", vendor, *cats, "1.00"])
    with open(PROPERTY, newline="") as f:
        rows = list(csv.DictReader(f))
    periods = [(YEAR_START, date(2026, 12, 31))]
    if split == "month":
        periods = [(date(2026, m, 1), date(2026 + m // 12, m % 12 + 1, 1) - timedelta(days=1)) for m in range(1, 13)]
    elif split == "week":
        periods = [(YEAR_START + timedelta(days=7 * i), YEAR_START + timedelta(days=7 * i + 6)) for i in range(52)]
    with open(folder / "agreements.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for vendor, codes in VENDORS.items():
            for start, end in periods:
                for row in rows:
                    out = dict(row, vendor_code=vendor, start_date=start.isoformat(), end_date=end.isoformat())
                    if out["product_code"]:
                        out["product_code"] = codes[0]
                    w.writerow(out)
    return folder


def load_master_data(ctx: AppContext, folder: Path) -> None:
    for kind in ("categories", "gl-accounts", "gl-reference"):
        with ctx.uow() as uow:
            imports.import_file(uow, kind, EXAMPLES / "B_marginal" / f"{kind}.csv")
    for kind in ("vendors", "products", "agreements"):
        with ctx.uow() as uow:
            imports.import_file(uow, kind, folder / f"{kind}.csv")


def make_slips(
    count: int, seed: int, *, prefix: str = "S", days: int = 364, max_lines: int = 2, start: date = YEAR_START
) -> list[receiving.SlipIn]:
    """`count` slips alternating between the two vendors, random dates, 1..max_lines lines,
    about one line in twelve a return (negative quantity)."""
    rnd = random.Random(seed)
    slips = []
    for i in range(count):
        vendor = "V100" if i % 2 == 0 else "V200"
        lines = []
        for n in range(rnd.randint(1, max_lines)):
            qty = rnd.randint(1, 400) * (-1 if rnd.random() < 1 / 12 else 1)
            lines.append(
                receiving.SlipLineIn(
                    n + 1, rnd.choice(VENDORS[vendor]), Decimal(qty), Decimal(rnd.randint(50, 900)) / 100
                )
            )
        when = start + timedelta(days=rnd.randint(0, days))
        slips.append(receiving.SlipIn(f"{prefix}{i:05d}", vendor, when, tuple(lines)))
    return slips


# --------------------------------------------------------------------------- checks


def net_by_line_and_role(ctx: AppContext) -> dict[tuple[str, int, str], Decimal]:
    """Net debit per (slip, line, account role) over every journal line."""
    out: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(
                JournalLine.slip_no,
                JournalLine.line_no,
                JournalLine.role,
                func.sum(JournalLine.debit),
                func.sum(JournalLine.credit),
            ).group_by(JournalLine.slip_no, JournalLine.line_no, JournalLine.role)
        )
        for slip_no, line_no, role, debit, credit in rows:
            out[(slip_no, line_no, role)] += (debit or 0) - (credit or 0)
    return {k: v for k, v in out.items() if v != 0}


def totals_by_account(ctx: AppContext) -> dict[str, Decimal]:
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(GlAccount.number, func.sum(JournalLine.debit), func.sum(JournalLine.credit))
            .join(GlAccount, GlAccount.id == JournalLine.account_id)
            .group_by(GlAccount.number)
        )
        return {number: (d or 0) - (c or 0) for number, d, c in rows}


def ledger_anomalies(ctx: AppContext) -> list[str]:
    """Every invariant of SPEC §6 that a race or a crash could break, as messages.

    - every slip is POSTED with exactly one RECEIPT entry per line, or DRAFT with no
      journal line and no accrual at all;
    - every entry has lines and balances to the cent;
    - line_accrual equals the sum of the ACCRUAL, RETRO and RERATE lines per receipt line
      and kind (receivable, inventory, P&L), and no accrual is left without its entries;
    - ladder_volume is the sum of its ladder's accruals per period, with the last position;
    - each product's received quantity and net cost follow the posted lines;
    - the entries are numbered 1..N without a hole and the counter is at N + 1.
    """
    problems: list[str] = []
    with consistent_session(ctx) as s:
        problems.extend(numbering_anomalies(s))
        slips = {
            sid: (no, status)
            for sid, no, status in s.execute(select(ReceivingSlip.id, ReceivingSlip.slip_no, ReceivingSlip.status))
        }
        rlines = {
            rid: (slip_id, amount, pid, qty)
            for rid, slip_id, amount, pid, qty in s.execute(
                select(
                    ReceiptLine.id,
                    ReceiptLine.slip_id,
                    ReceiptLine.amount,
                    ReceiptLine.product_id,
                    ReceiptLine.quantity,
                )
            )
        }
        # journal lines, per receipt line and source
        receipts: dict[int, list[tuple[int, Decimal, Decimal, str]]] = defaultdict(list)
        accrued: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        touched_lines: set[int] = set()
        for entry_id, source, rl_id, role, debit, credit, kind in s.execute(
            select(
                JournalEntry.id,
                JournalEntry.source,
                JournalLine.receipt_line_id,
                JournalLine.role,
                JournalLine.debit,
                JournalLine.credit,
                JournalLine.kind,
            ).join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        ):
            if rl_id is not None:
                touched_lines.add(rl_id)
            if source == "RECEIPT":
                receipts[rl_id].append((entry_id, debit, credit, role))
            else:
                accrued[(rl_id, kind)][role] += debit - credit
        for entry_id, n, debit, credit in s.execute(
            select(
                JournalLine.entry_id, func.count(), func.sum(JournalLine.debit), func.sum(JournalLine.credit)
            ).group_by(JournalLine.entry_id)
        ):
            if debit != credit or n < 2:
                problems.append(f"entry {entry_id} unbalanced: {n} lines, debit {debit} credit {credit}")
        empty = s.scalar(
            select(func.count()).select_from(JournalEntry).where(~JournalEntry.id.in_(select(JournalLine.entry_id)))
        )
        if empty:
            problems.append(f"{empty} journal entries without lines")
        accruals = {(r.receipt_line_id, r.kind): r for r in s.scalars(select(LineAccrual))}
        # slips: posted wholly or untouched
        lines_of: dict[int, list[int]] = defaultdict(list)
        for rid, (slip_id, *_rest) in rlines.items():
            lines_of[slip_id].append(rid)
        for sid, (no, status) in slips.items():
            for rid in lines_of[sid]:
                amount = rlines[rid][1]
                got = receipts.get(rid, [])
                if status == "POSTED":
                    entries = {e for e, *_ in got}
                    if len(entries) != 1:
                        problems.append(f"{no} line {rid}: {len(entries)} RECEIPT entries (want 1)")
                    dr = sum((d - c for _e, d, c, role in got if role == "INVENTORY"), Decimal(0))
                    if entries and dr != amount:
                        problems.append(f"{no} line {rid}: RECEIPT inventory {dr} != amount {amount}")
                elif status == "DRAFT":
                    if rid in touched_lines:
                        problems.append(f"draft {no} line {rid} has journal lines")
                    if any(k[0] == rid for k in accruals):
                        problems.append(f"draft {no} line {rid} has accruals")
                else:
                    problems.append(f"{no}: unknown status {status}")
        # line_accrual against the journal
        for key in set(accruals) | set(accrued):
            rl_id, kind = key
            net = accrued.get(key, {})
            receivable = net.get("REBATE_RECEIVABLE", Decimal(0))
            inventory = -net.get("INVENTORY", Decimal(0))
            pnl = -net.get(pnl_role(kind), Decimal(0)) if kind else Decimal(0)
            row = accruals.get(key)
            want = (row.rebate, row.inventory, row.rebate - row.inventory) if row else (0, 0, 0)
            if (receivable, inventory, pnl) != want:
                problems.append(
                    f"receipt line {rl_id} {kind}: journal (receivable, inventory, P&L) "
                    f"{(receivable, inventory, pnl)} != line_accrual {want}"
                )
            if row is not None and slips[rlines[rl_id][0]][1] != "POSTED":
                problems.append(f"receipt line {rl_id} {kind}: accrual on a slip that is not posted")
        # ladder_volume against line_accrual
        sums: dict[tuple[str, str], list[Any]] = {}
        for row in accruals.values():
            if row.ladder_key is None:
                continue
            pos = (row.received_date, row.slip_no, row.line_no)
            cur = sums.setdefault((row.ladder_key, row.period_key), [Decimal(0), pos])
            cur[0] += row.amount
            cur[1] = max(cur[1], pos)
        stored = {(v.ladder_key, v.period_key): v for v in s.scalars(select(LadderVolume))}
        for key in set(sums) | set(stored):
            v = stored.get(key)
            want = sums.get(key)
            if v is None or want is None:
                if want is not None or (v is not None and v.volume != 0):
                    problems.append(f"ladder_volume {key}: stored {v and v.volume}, accruals {want}")
                continue
            if (v.volume, (v.last_date, v.last_slip_no, v.last_line_no)) != tuple(want):
                problems.append(
                    f"ladder_volume {key}: stored {v.volume} at "
                    f"{(v.last_date, v.last_slip_no, v.last_line_no)}, accruals {want}"
                )
        # product cost (SPEC §6.4)
        qty: dict[int, Decimal] = defaultdict(Decimal)
        net_cost: dict[int, Decimal] = defaultdict(Decimal)
        for slip_id, amount, pid, q in rlines.values():
            if slips[slip_id][1] == "POSTED":
                qty[pid] += q
                net_cost[pid] += amount
        for (rl_id, _kind), row in accruals.items():
            net_cost[rlines[rl_id][2]] -= row.inventory
        for pid, code, rq, rn in s.execute(
            select(Product.id, Product.code, Product.received_qty, Product.received_net)
        ):
            if (rq, rn) != (qty[pid], net_cost[pid]):
                problems.append(f"product {code}: received ({rq}, {rn}) != posted lines ({qty[pid]}, {net_cost[pid]})")
    return problems


def entry_numbers(ctx: AppContext) -> list[int]:
    """Every journal entry's number (id), in order."""
    with consistent_session(ctx) as s:
        return list(s.scalars(select(JournalEntry.id).order_by(JournalEntry.id)))


def entry_counter(ctx: AppContext) -> int | None:
    """The next number of the journal_entry series."""
    with consistent_session(ctx) as s:
        return s.scalar(select(NumberSeries.next_value).where(NumberSeries.name == "journal_entry"))


def numbering_anomalies(s: Session) -> list[str]:
    """Gap-free numbering: the entries are 1..N and the journal_entry series is at N + 1."""
    ids = list(s.scalars(select(JournalEntry.id).order_by(JournalEntry.id)))
    problems = []
    if ids != list(range(1, len(ids) + 1)):
        missing = sorted(set(range(1, max(ids) + 1)) - set(ids))
        problems.append(f"{len(ids)} journal entries not numbered 1..{len(ids)}: missing {missing[:6]}, last {ids[-1]}")
    counter = s.scalar(select(NumberSeries.next_value).where(NumberSeries.name == "journal_entry"))
    if counter != len(ids) + 1:
        problems.append(f"number series journal_entry at {counter} after {len(ids)} entries (want {len(ids) + 1})")
    return problems


@contextmanager
def consistent_session(ctx: AppContext) -> Iterator[Session]:
    """A read-only session that sees one snapshot for all its statements (REPEATABLE READ on
    PostgreSQL; a SQLite transaction reads one snapshot already). Under READ COMMITTED a
    commit landing between two of the checks' SELECTs (a killed client's COMMIT the server
    is still applying) would show a half-applied state that never existed."""
    with ctx.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with Session(bind=conn) as session:
            yield session
            session.rollback()


def rerate_dry_run(ctx: AppContext, today: date) -> int:
    """RERATE entries a from-scratch re-rating would post now; writes nothing."""
    with ctx.uow() as uow:
        vendor_ids = list(uow.session.scalars(select(ReceivingSlip.vendor_id).distinct()))
        return posting.rerate_vendors(uow, vendor_ids, today=today)  # uow rolls back on exit


# --------------------------------------------------------------------------- workers


def _outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except AlreadyPosted as exc:
        return "AlreadyPosted", str(exc)
    except StaleRecord as exc:
        return "StaleRecord", (exc.changed_by, str(exc))
    except ServiceError as exc:  # a refusal the user reads: ValidationFailed, PostingRefused ...
        return type(exc).__name__, str(exc)
    except Exception as exc:  # reported to the test, which fails on it
        return "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"


def double_post_worker(index: int, url: str, slip_nos: list[str], barrier: Any, results: Any, today: date) -> None:
    """One workstation: every round, wait for the others, then try to post that round's slip."""
    ctx = AppContext.open(url, user=f"ws{index}", upgrade=False)
    try:
        for rnd, slip_no in enumerate(slip_nos):
            barrier.wait(timeout=120)

            def post(slip_no: str = slip_no) -> int:
                with ctx.uow() as uow:
                    return posting.post_slips(uow, [slip_no], today=today).entries

            results.put((rnd, index, *_outcome(post)))
    finally:
        ctx.engine.dispose()


def interleaved_worker(index: int, url: str, slip_nos: list[str], barrier: Any, results: Any, today: date) -> None:
    """Post the given slips one by one, each in its own posting."""
    ctx = AppContext.open(url, user=f"ws{index}", upgrade=False)
    outcomes: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    try:
        barrier.wait(timeout=120)
        for slip_no in slip_nos:

            def post(slip_no: str = slip_no) -> int:
                with ctx.uow() as uow:
                    return posting.post_slips(uow, [slip_no], today=today).entries

            status, detail = _outcome(post)
            outcomes[status] += 1
            if status != "ok":
                errors.append(f"{slip_no}: {status} {detail}")
    finally:
        ctx.engine.dispose()
        results.put((index, dict(outcomes), errors[:5]))


def stale_save_worker(
    index: int, url: str, agreement_id: int, rounds: int, barrier: Any, results: Any, today: date
) -> None:
    """Every round: load the agreement, wait until every workstation has it open, then all
    save a change of Rebate 1 on its first line with the version they loaded."""
    ctx = AppContext.open(url, user=f"ws{index}", upgrade=False)
    try:
        for rnd in range(rounds):
            with ctx.uow() as uow:
                view = agreements.load_agreement(uow, agreement_id)
            lines = list(view.lines)
            first = lines[0]
            lines[0] = replace(first, rebates=(stale_value(rnd, index), *first.rebates[1:]))
            barrier.wait(timeout=120)

            def save(view: agreements.AgreementView = view, lines: list[Any] = lines) -> int:
                with ctx.uow() as uow:
                    return agreements.save_agreement(
                        uow,
                        vendor=view.vendor,
                        kind=view.kind,
                        status=view.status,
                        lines=lines,
                        agreement_id=agreement_id,
                        expected_version=view.version,
                        today=today,
                    ).version

            results.put((rnd, index, view.version, *_outcome(save)))
            barrier.wait(timeout=120)  # the round is over for everybody before the next load
    finally:
        ctx.engine.dispose()


def clerk_lines() -> tuple[receiving.SlipLineIn, ...]:
    """What the clerk saves the second time: a corrected quantity and one more line."""
    return (
        receiving.SlipLineIn(1, "GYP-OTHER", Decimal(7000), Decimal(1)),
        receiving.SlipLineIn(2, "GYP-HALF-4X8", Decimal(5), Decimal(2)),
    )


def post_or_resave_worker(index: int, url: str, slip_nos: list[str], barrier: Any, results: Any, today: date) -> None:
    """Workstation 0 posts the round's slip while workstation 1 saves it again from the
    slip entry screen (replace_draft), at the same moment."""
    ctx = AppContext.open(url, user=f"ws{index}", upgrade=False)
    try:
        for rnd, slip_no in enumerate(slip_nos):
            barrier.wait(timeout=120)

            def act(slip_no: str = slip_no) -> object:
                with ctx.uow() as uow:
                    if index == 0:
                        return posting.post_slips(uow, [slip_no], today=today).entries
                    slip = receiving.SlipIn(slip_no, "V100", date(2026, 3, 1), clerk_lines())
                    return receiving.save_slips(uow, [slip], replace_draft=True)

            results.put((rnd, index, *_outcome(act)))
    finally:
        ctx.engine.dispose()


def stale_value(rnd: int, index: int) -> Decimal:
    """Rebate 1 that workstation `index` types in round `rnd`: unique per round and worker,
    and never the 2 % the agreement starts with (a save that changes nothing writes no history)."""
    return Decimal(2) + Decimal(rnd + 1) / 100 + Decimal(index + 1) / 10000


def run_processes(
    target: Callable[..., None], args_per_process: Iterable[tuple[Any, ...]], parties: int, timeout: float
) -> list[Any]:
    """Start one 'spawn' process per args tuple (each gets barrier and result queue appended
    before its last argument), wait for them, return everything they put on the queue."""
    import multiprocessing as mp
    import queue as queue_mod
    import time

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(parties)
    results = ctx.Queue()
    procs = []
    for args in args_per_process:
        *head, last = args
        procs.append(ctx.Process(target=target, args=(*head, barrier, results, last), daemon=True))
    for p in procs:
        p.start()
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        try:
            out.append(results.get(timeout=0.2))
        except queue_mod.Empty:
            pass
    for p in procs:
        p.join(timeout=max(0.1, deadline - time.monotonic()))
    hung = [p.pid for p in procs if p.is_alive()]
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join(5)
    while True:
        try:
            out.append(results.get(timeout=0.5))
        except queue_mod.Empty:
            break
    if hung:
        raise AssertionError(f"worker processes {hung} did not finish within {timeout} s (deadlock?)")
    bad = [p.exitcode for p in procs if p.exitcode != 0]
    if bad:
        raise AssertionError(f"worker processes exited with {bad}")
    return out
