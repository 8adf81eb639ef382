"""Deterministic benchmark data: master data, accepted agreements, draft receiving slips.

    .venv/bin/python -m bench.generate --url URL [--scale 1.0] [--seed 7]

At scale 1.0: 1,000 vendors, the 4-level category tree (10 / 50 / 200 / 1,000 codes),
20,000 products, 5,000 ladders of accepted agreements (every kind, every scope level,
marginal / retro / degressive / periodic M-Q-Y / Product %), 100,000 draft slips with
1,000,000 lines over 2025. Vendor 1 (the "big" vendor) receives 10% of the lines, all
of them in one COOP all-ALL ladder: the ladder of the back-dated slip measurement.
One extra vendor (UI5000) has a pending COOP agreement of 5,000 lines for the screen
measurement. The sizes scale with --scale; the 5,000-line agreement does not.

Rows are written with bulk Core inserts (the application's own tables and column
types, so SQLite gets the same scaled integers the services write), ids given
explicitly, sequences moved past them on PostgreSQL. Same seed, same data.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, text

from app.adapters import db
from app.domain.ladder import ALL, Scope, ladder_key
from app.domain.money import UNLIMITED, cents
from app.models import (
    Agreement,
    AgreementLine,
    Category,
    Company,
    GlAccount,
    GlReference,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
)

YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)
H1_END, H2_START = date(2025, 6, 30), date(2025, 7, 1)
BIG_VENDOR_ID = 1
UI_VENDOR_CODE = "UI5000"
UI_AGREEMENT_LINES = 5000
USER = "bench"
ACCOUNTS = (
    ("1200", "Inventory", "ASSET"),
    ("2150", "Received not invoiced", "LIABILITY"),
    ("1310", "Rebate receivable", "ASSET"),
    ("6100", "Advertising", "EXPENSE"),
    ("4810", "Rebate earned", "INCOME"),
    ("1320", "Claims receivable", "ASSET"),
    ("4820", "Damage allowance", "INCOME"),
    ("4830", "Freight allowance", "INCOME"),
)
ROLES = (
    ("INVENTORY", 1),
    ("RECEIVED_NOT_INVOICED", 2),
    ("REBATE_RECEIVABLE", 3),
    ("ADVERTISING", 4),
    ("REBATE_EARNED", 5),
    ("CLAIMS_RECEIVABLE", 6),  # the month close's invoices (bench/close.py)
    ("DAMAGE_ALLOWANCE", 7),  # the DAMAGE and FREIGHT kinds (bench/lifecycle.py)
    ("FREIGHT_ALLOWANCE", 8),
)  # role -> gl_account id
ALL4 = (ALL, ALL, ALL, ALL)
CHUNK = 50_000


@dataclass(frozen=True)
class Sizes:
    vendors: int
    products: int
    ladders: int
    slips: int
    lines: int

    @classmethod
    def of(cls, scale: float) -> Sizes:
        vendors = max(3, round(1000 * scale))
        products = max(3 * vendors, round(20_000 * scale))
        slips = max(2 * vendors, round(100_000 * scale))
        lines = max(slips, round(1_000_000 * scale))
        return cls(vendors, products, 5 * vendors, slips, lines)


@dataclass
class Summary:
    scale: float
    seed: int
    sizes: dict[str, int]
    rows: dict[str, int] = field(default_factory=dict)
    big_vendor_id: int = BIG_VENDOR_ID
    big_vendor_code: str = ""
    big_ladder_key: str = ""
    big_ladder_lines: int = 0
    big_vendor_products: list[str] = field(default_factory=list)
    ui_vendor_code: str = UI_VENDOR_CODE
    ladder_styles: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def vendor_code(v: int) -> str:
    return f"V{v:04d}"


# -- master data -------------------------------------------------------------------

Leaf = tuple[str, str, str, str]


def category_tree() -> tuple[list[dict[str, object]], list[list[list[list[Leaf]]]]]:
    """10 majors x 5 intermediates x 4 minors x 5 double minors; leaves[a][b][c] = CAT4 chains."""
    rows: list[dict[str, object]] = []
    leaves: list[list[list[list[Leaf]]]] = []
    next_id = 1

    def add(level: int, code: str, parent: int | None) -> int:
        nonlocal next_id
        rows.append(
            {"id": next_id, "level": level, "code": code, "parent_id": parent, "description": f"Category {code}"}
        )
        next_id += 1
        return next_id - 1

    for a in range(10):
        c1 = f"M{a:02d}"
        id1 = add(1, c1, None)
        leaves.append([])
        for b in range(5):
            c2 = f"{c1}-I{b}"
            id2 = add(2, c2, id1)
            leaves[a].append([])
            for c in range(4):
                c3 = f"{c2}-N{c}"
                id3 = add(3, c3, id2)
                leaves[a][b].append([])
                for d in range(5):
                    c4 = f"{c3}-D{d}"
                    add(4, c4, id3)
                    leaves[a][b][c].append((c1, c2, c3, c4))
    return rows, leaves


@dataclass
class Master:
    categories: list[dict[str, object]]
    leaves: list[list[list[list[Leaf]]]]
    vendors: list[dict[str, object]]
    products: list[dict[str, object]]
    by_vendor: dict[int, list[int]]  # vendor id -> product ids
    cats: dict[int, Leaf]  # product id -> chain
    cost: dict[int, Decimal]
    code: dict[int, str]


def master(sizes: Sizes, seed: int) -> Master:
    categories, leaves = category_tree()
    vendors = [{"id": v, "code": vendor_code(v), "name": f"Vendor {v:04d} Building Supply",
                "currency": "CAD", "address": f"{v} Industrial Road\nToronto, ON", "active": True}
               for v in range(1, sizes.vendors + 1)]  # fmt: skip
    vendors.append({"id": sizes.vendors + 1, "code": UI_VENDOR_CODE, "name": "Vendor with a 5,000-line agreement",
                    "currency": "CAD", "address": "", "active": True})  # fmt: skip
    products: list[dict[str, object]] = []
    by_vendor: dict[int, list[int]] = defaultdict(list)
    cats: dict[int, Leaf] = {}
    cost: dict[int, Decimal] = {}
    code: dict[int, str] = {}
    per, extra = divmod(sizes.products, sizes.vendors)
    pid = 0
    for v in range(1, sizes.vendors + 1):
        r = random.Random(f"{seed}/products/{v}")
        home = (v - 1) % 10
        second = (home + 1 + ((v - 1) // 10) % 9) % 10
        home_c2 = r.sample(range(5), 2)
        for n in range(per + (1 if v <= extra else 0)):
            pid += 1
            if r.random() < 0.7:
                a, b = home, r.choice(home_c2)
            else:
                a, b = second, r.randrange(5)
            chain = leaves[a][b][r.randrange(4)][r.randrange(5)]
            if r.random() < 0.2:
                unit = Decimal(r.randint(10_000, 2_000_000)).scaleb(-4)
            else:
                unit = Decimal(r.randint(100, 20_000)).scaleb(-2)
            pcode = f"P{v:04d}-{n + 1:03d}"
            products.append({"id": pid, "code": pcode, "description": f"Product {n + 1} of vendor {v:04d}",
                             "vendor_id": v, "cat1": chain[0], "cat2": chain[1], "cat3": chain[2],
                             "cat4": chain[3], "unit_cost": unit, "received_qty": Decimal(0),
                             "received_net": Decimal(0)})  # fmt: skip
            by_vendor[v].append(pid)
            cats[pid], cost[pid], code[pid] = chain, unit, pcode
    return Master(categories, leaves, vendors, products, dict(by_vendor), cats, cost, code)


# -- receipts ----------------------------------------------------------------------


@dataclass
class SlipPlan:
    received: date
    vendor_id: int
    lines: int


def slip_plans(sizes: Sizes, seed: int) -> list[SlipPlan]:
    r = random.Random(f"{seed}/slips")
    counts = [1] * sizes.slips
    for _ in range(sizes.lines - sizes.slips):
        counts[r.randrange(sizes.slips)] += 1
    plans = []
    for n in counts:
        vendor = BIG_VENDOR_ID if r.random() < 0.1 else r.randint(2, sizes.vendors)
        plans.append(SlipPlan(YEAR_START + timedelta(days=r.randrange(365)), vendor, n))
    order = list(range(len(plans)))
    keys = [(p.received, r.random()) for p in plans]
    order.sort(key=lambda i: keys[i])
    return [plans[i] for i in order]


def quantity(r: random.Random) -> Decimal:
    x = r.random()
    if x < 0.01:
        return Decimal(-r.randint(1, 5))  # a return
    if x < 0.06:
        return Decimal(r.randint(1, 400)) / Decimal(8)  # eighths: up to 3 decimals
    return Decimal(r.randint(1, 50))


def receipts(
    sizes: Sizes, seed: int, m: Master, volumes: dict[tuple[int, int, int], Decimal]
) -> Iterator[tuple[list[dict[str, object]], list[dict[str, object]]]]:
    """Chunks of (slip rows, line rows) in date order; fills volumes[(vendor, product, month)]."""
    r = random.Random(f"{seed}/lines")
    slips: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    line_id = 0
    for sid, plan in enumerate(slip_plans(sizes, seed), start=1):
        slips.append({"id": sid, "slip_no": f"B{sid:07d}", "vendor_id": plan.vendor_id,
                      "received_date": plan.received, "reference": f"PO-{sid:07d}", "status": "DRAFT",
                      "created_by": USER, "posted_by": None, "posted_at": None})  # fmt: skip
        choices = m.by_vendor[plan.vendor_id]
        month = plan.received.month
        for n in range(1, plan.lines + 1):
            line_id += 1
            pid = r.choice(choices)
            qty = quantity(r)
            unit = m.cost[pid]
            amount = cents(qty * unit)
            volumes[(plan.vendor_id, pid, month)] += amount
            lines.append({"id": line_id, "slip_id": sid, "line_no": n, "product_id": pid,
                          "quantity": qty, "unit_cost": unit, "amount": amount})  # fmt: skip
        if len(lines) >= CHUNK:
            yield slips, lines
            slips, lines = [], []
    if slips:
        yield slips, lines


# -- agreements --------------------------------------------------------------------

RATES = ("0.5", "0.75", "1", "1.25", "1.5", "2", "2.5", "3")
STEPS = ("0.25", "0.5", "0.75", "1")


@dataclass
class LadderPlan:
    kind: str
    cats: tuple[str, str, str, str] | None  # group scope
    product_id: int | None  # product scope
    start: date
    end: date
    style: str  # marginal, additive, deg, retro
    product_pct: Decimal = Decimal(0)
    period: str | None = None
    capped: bool = False


def _round100(value: Decimal) -> Decimal:
    return max(Decimal(100), (value / 100).to_integral_value() * 100)


def tier_rows(r: random.Random, plan: LadderPlan, estimate: Decimal, method: str) -> list[dict[str, object]]:
    n = r.randint(2, 4) if plan.style == "retro" else r.randint(1, 4)
    fractions = sorted(r.sample((0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9), n - 1))
    maxes: list[Decimal] = []
    for f in fractions:
        value = _round100(estimate * Decimal(str(f)))
        if not maxes or value > maxes[-1]:
            maxes.append(value)
    if plan.capped and estimate > 0:
        cap = _round100(estimate * Decimal("0.95"))
        maxes.append(cap if not maxes or cap > maxes[-1] else maxes[-1] + 100)
    else:
        maxes.append(UNLIMITED)
    rate = Decimal(r.choice(RATES))
    if r.random() < 0.15:
        rate += Decimal("0.0125")  # a 4-decimal percent
    rows = []
    for i, max_amount in enumerate(maxes):
        rebates: list[Decimal | None] = [rate, None, None, None]
        if plan.style == "retro" and i == 0:
            rebates = [Decimal(0), None, None, None]  # the zero tier
        elif plan.style == "deg":
            rebates = [rate, Decimal("1.5"), Decimal("1"), Decimal("0.5")][: r.randint(2, 4)] + [None] * 4
            rebates = rebates[:4]
        elif plan.style == "additive":
            rebates = [rate, Decimal("0.5"), None, None]
        rows.append({"cat1": plan.cats[0] if plan.cats else None, "cat2": plan.cats[1] if plan.cats else None,
                     "cat3": plan.cats[2] if plan.cats else None, "cat4": plan.cats[3] if plan.cats else None,
                     "product_id": plan.product_id, "max_amount": max_amount, "start_date": plan.start,
                     "end_date": plan.end, "rebate1": rebates[0], "rebate2": rebates[1], "rebate3": rebates[2],
                     "rebate4": rebates[3], "method": method, "degressive": plan.style == "deg",
                     "retro": plan.style == "retro", "product_pct": plan.product_pct,
                     "period": plan.period})  # fmt: skip
        if i > 0 or plan.style != "retro":
            rate += Decimal(r.choice(STEPS))
    return rows


def vendor_ladders(v: int, m: Master) -> list[LadderPlan]:
    """Five ladders per vendor; which scope, dates and style rotate with the vendor id."""
    pids = m.by_vendor[v]
    first = m.cats[pids[0]]
    second = m.cats[pids[1 % len(pids)]]
    third = m.cats[pids[2 % len(pids)]]
    styles = ("marginal", "retro", "deg")
    plans = [
        LadderPlan(
            "COOP",
            ALL4,
            None,
            YEAR_START,
            YEAR_END,
            "marginal" if v == BIG_VENDOR_ID else styles[v % 3],
            capped=v % 10 == 7,
        )
    ]
    half = (YEAR_START, H1_END) if v % 2 == 0 else (H2_START, YEAR_END)
    plans.append(
        LadderPlan(
            "VOLUME" if v == BIG_VENDOR_ID else "COOP",
            (first[0], first[1], ALL, ALL),
            None,
            *half,
            ("additive", "marginal", "retro")[v % 3],
        )
    )
    pct = (Decimal(0), Decimal(0), Decimal(25), Decimal(40), Decimal(100))[v % 5]
    plans.append(
        LadderPlan(
            "VOLUME",
            (first[0], ALL, ALL, ALL),
            None,
            YEAR_START,
            YEAR_END,
            ("retro", "marginal", "deg", "marginal")[v % 4],
            product_pct=pct,
        )
    )
    if v % 2 == 0:
        plans.append(
            LadderPlan(
                "VOLUME",
                None,
                pids[0],
                YEAR_START,
                YEAR_END,
                "marginal",
                product_pct=Decimal(50) if v % 3 == 0 else Decimal(0),
            )
        )
    else:
        plans.append(LadderPlan("VOLUME", second, None, YEAR_START, YEAR_END, ("deg", "retro")[(v // 2) % 2]))
    period = ("M", "Q", "Y")[(v // 3) % 3]
    scope = ((third[0], third[1], third[2], ALL), ALL4, (third[0], ALL, ALL, ALL))[v % 3]
    plans.append(
        LadderPlan(
            "PERIODIC",
            scope,
            None,
            YEAR_START,
            YEAR_END,
            ("marginal", "retro")[(v // 9) % 2],
            period=period,
            product_pct=Decimal(10) if v % 7 == 0 else Decimal(0),
        )
    )
    return plans


def estimate(plan: LadderPlan, v: int, m: Master, volumes: dict[tuple[int, int, int], Decimal]) -> Decimal:
    """Volume of the ladder's scope and dates (ignoring precedence), per period if periodic."""
    months = range(plan.start.month, plan.end.month + 1)
    total = Decimal(0)
    for pid in m.by_vendor[v]:
        if plan.product_id is not None:
            if pid != plan.product_id:
                continue
        elif not Scope(cats=plan.cats).contains(m.code[pid], m.cats[pid]):  # type: ignore[arg-type]
            continue
        for month in months:
            total += volumes.get((v, pid, month), Decimal(0))
    periods = {"M": 12, "Q": 4, "Y": 1}.get(plan.period or "", 1)
    return total / periods


def agreements(
    sizes: Sizes, seed: int, m: Master, volumes: dict[tuple[int, int, int], Decimal], summary: Summary
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    stamp = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    agreement_rows: list[dict[str, object]] = []
    line_rows: list[dict[str, object]] = []
    styles: dict[str, int] = defaultdict(int)
    for v in range(1, sizes.vendors + 1):
        r = random.Random(f"{seed}/agreements/{v}")
        method = ("SC", "NC", "CD")[v % 3]
        by_kind: dict[str, list[LadderPlan]] = defaultdict(list)
        for plan in vendor_ladders(v, m):
            by_kind[plan.kind].append(plan)
        for kind in ("COOP", "VOLUME", "PERIODIC"):
            aid = len(agreement_rows) + 1
            lines: list[dict[str, object]] = []
            for plan in by_kind.get(kind, []):
                rows = tier_rows(r, plan, estimate(plan, v, m, volumes), method)
                lines.extend(rows)
                scope = (
                    "product"
                    if plan.product_id
                    else f"CAT{Scope(cats=plan.cats).rank}"  # type: ignore[arg-type]
                    if plan.cats != ALL4
                    else "all-ALL"
                )
                styles[
                    f"{kind} {scope} {plan.style}{' ' + plan.period if plan.period else ''}"
                    f"{' capped' if plan.capped else ''}{' pct' if plan.product_pct else ''}"
                ] += 1
                if v == BIG_VENDOR_ID and kind == "COOP" and plan.cats == ALL4:
                    summary.big_ladder_key = ladder_key(aid, Scope(cats=ALL4), plan.start, plan.end)
            for n, row in enumerate(lines, start=1):
                row.update(id=len(line_rows) + 1, agreement_id=aid, line_no=n)
                line_rows.append(row)
            agreement_rows.append({"id": aid, "vendor_id": v, "kind": kind, "number": "1", "status": "ACCEPTED",
                                   "version": 1, "next_line_no": len(lines) + 1, "updated_by": USER,
                                   "updated_at": stamp})  # fmt: skip
    # The screen fixture: a pending COOP agreement of 5,000 lines (1,000 CAT4 ladders x 5 tiers).
    aid = len(agreement_rows) + 1
    leaves = [leaf for a in m.leaves for b in a for c in b for leaf in c]
    n = 0
    for leaf in leaves:
        for t in range(UI_AGREEMENT_LINES // len(leaves)):
            n += 1
            line_rows.append({"id": len(line_rows) + 1, "agreement_id": aid, "line_no": n, "cat1": leaf[0],
                              "cat2": leaf[1], "cat3": leaf[2], "cat4": leaf[3], "product_id": None,
                              "max_amount": UNLIMITED if t == 4 else Decimal(10_000 * (t + 1)),
                              "start_date": YEAR_START, "end_date": YEAR_END, "rebate1": Decimal(1 + t),
                              "rebate2": None, "rebate3": None, "rebate4": None, "method": "SC",
                              "degressive": False, "retro": False, "product_pct": Decimal(0), "period": None})  # fmt: skip
    agreement_rows.append({"id": aid, "vendor_id": sizes.vendors + 1, "kind": "COOP", "number": "1",
                           "status": "PENDING", "version": 1, "next_line_no": n + 1, "updated_by": USER,
                           "updated_at": stamp})  # fmt: skip
    summary.ladder_styles = dict(sorted(styles.items()))
    return agreement_rows, line_rows


# -- loading -----------------------------------------------------------------------

SERIAL_TABLES = (
    "category",
    "vendor",
    "product",
    "gl_account",
    "agreement",
    "agreement_line",
    "receiving_slip",
    "receipt_line",
    "company",
)


def insert_rows(conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert in the connection's transaction. PostgreSQL, more than a thousand rows: COPY
    (NUMERIC takes the Decimals as they are, so the stored values are those a Core insert would
    write, 5x faster; the columns the rows give, the others take their server defaults); else
    a Core insert."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) > 1000:
        cols = [c.name for c in table.columns if c.name in rows[0]]
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([row.get(c) for c in cols])
        return
    conn.execute(insert(table), list(rows))


def generate(engine: Engine, scale: float, seed: int = 7, with_receipts: bool = True) -> Summary:
    """Fill an empty, upgraded database. Returns what the harness needs to know.

    Without receipts: the same master data and agreements, no slips (the floors' database).
    """
    started = time.perf_counter()
    sizes = Sizes.of(scale)
    summary = Summary(scale, seed, sizes.__dict__.copy())
    m = master(sizes, seed)
    volumes: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: Decimal(0))
    counts: dict[str, int] = defaultdict(int)
    with engine.begin() as conn:

        def put(table: Table, rows: list[dict[str, object]]) -> None:
            counts[table.name] += len(rows)
            insert_rows(conn, table, rows)

        put(
            Company.__table__,
            [
                {
                    "id": 1,
                    "name": "Benchmark Building Supply Ltd",
                    "currency": "CAD",
                    "address": "1 Bench Road\nToronto, ON",
                }
            ],
        )
        put(
            GlAccount.__table__,
            [{"id": i, "number": n, "name": name, "type": t} for i, (n, name, t) in enumerate(ACCOUNTS, start=1)],
        )
        put(GlReference.__table__, [{"role": role, "account_id": aid} for role, aid in ROLES])
        put(Category.__table__, m.categories)
        put(Vendor.__table__, m.vendors)
        put(Product.__table__, m.products)
        for slips, lines in receipts(sizes, seed, m, volumes):
            if with_receipts:
                put(ReceivingSlip.__table__, slips)
                put(ReceiptLine.__table__, lines)
        agreement_rows, line_rows = agreements(sizes, seed, m, volumes, summary)
        put(Agreement.__table__, agreement_rows)
        put(AgreementLine.__table__, line_rows)
        if engine.dialect.name == "postgresql":
            for table in SERIAL_TABLES:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                    )
                )
    if engine.dialect.name == "postgresql":
        # Statistics for the tables loaded here, as a database in use would have. Not for the
        # empty journal and accrual tables: analysed empty, the planner would trust "0 rows"
        # and plan seq scans (the foreign-key checks of journal_line included) until the
        # next ANALYZE, which never comes on a server with autovacuum off.
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in counts:
                conn.execute(text(f"ANALYZE {table}"))
    summary.rows = dict(counts)
    summary.big_vendor_code = vendor_code(BIG_VENDOR_ID)
    summary.big_vendor_products = [m.code[p] for p in m.by_vendor[BIG_VENDOR_ID][:3]]
    summary.big_ladder_lines = 0
    with engine.connect() as conn:
        summary.big_ladder_lines = conn.execute(
            text(
                "SELECT count(*) FROM receipt_line l JOIN receiving_slip s ON s.id = l.slip_id WHERE s.vendor_id = :v"
            ),
            {"v": BIG_VENDOR_ID},
        ).scalar_one()
    summary.seconds = time.perf_counter() - started
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the benchmark data into an empty database.")
    parser.add_argument("--url", required=True, help="database URL (upgraded here; must be empty)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="write the summary here")
    parser.add_argument("--no-receipts", action="store_true", help="master data and agreements only")
    args = parser.parse_args(argv)
    engine = db.make_engine(args.url)
    db.upgrade(engine)
    summary = generate(engine, args.scale, args.seed, with_receipts=not args.no_receipts)
    engine.dispose()
    out = json.dumps(summary.__dict__, indent=1, default=str)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            fh.write(out)
    print(
        f"generated scale {args.scale} in {summary.seconds:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in summary.rows.items()),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
