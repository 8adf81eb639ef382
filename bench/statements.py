"""Benchmark: write 1,000 vendor statements in one batch.

    .venv/bin/python -m bench.statements [--vendors 1000] [--db URL] [--rebuild]

Builds (once, deterministically) a database of N vendors, each with two products, one
accepted co-op agreement (a three-tier ladder, every third one Retro) and twelve posted
receiving slips over 2025, all through the services. Then times `write_statements` for
2025 and prints the time. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.domain.validation import LineDraft
from app.models import Vendor
from app.services import agreements, masterdata, posting, receiving
from app.services.context import AppContext
from app.services.statement_files import write_statements

DATA = Path(__file__).resolve().parent / "data"
YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)
ACCOUNTS = (
    ("1200", "Inventory", "ASSET"),
    ("2150", "Received not invoiced", "LIABILITY"),
    ("1310", "Rebate receivable", "ASSET"),
    ("6100", "Advertising", "EXPENSE"),
    ("4810", "Rebate earned", "INCOME"),
)
ROLES = (
    ("INVENTORY", "1200"),
    ("RECEIVED_NOT_INVOICED", "2150"),
    ("REBATE_RECEIVABLE", "1310"),
    ("ADVERTISING", "6100"),
    ("REBATE_EARNED", "4810"),
)
CATS = (("BLD", None), ("BLD-MAT", "BLD"), ("BLD-MAT-GEN", "BLD-MAT"), ("BLD-MAT-GEN-X", "BLD-MAT-GEN"))


def _tiers(i: int) -> list[LineDraft]:
    first = Decimal(5000 + 1000 * (i % 7))
    second = first * 3
    retro = i % 3 == 0
    rows = ((first, "1"), (second, "2"), (Decimal("999999999"), "3"))
    return [LineDraft(label=f"V{i:04d} tier {n}", cats=("ALL", "ALL", "ALL", "ALL"), max_amount=amount,
                      start=YEAR_START, end=YEAR_END, rebates=(Decimal(rate), None, None, None),
                      method="SC", retro=retro)
            for n, (amount, rate) in enumerate(rows, start=1)]  # fmt: skip


def build(ctx: AppContext, vendors: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with ctx.uow() as uow:
        masterdata.set_company(uow, "Benchmark Building Supply Ltd", "CAD", "1 Bench Road\nToronto, ON")
    with ctx.uow() as uow:
        masterdata.save_accounts(uow, [masterdata.AccountIn(n, name, t) for n, name, t in ACCOUNTS])
    with ctx.uow() as uow:
        masterdata.save_gl_reference(uow, [(f"GL {role}", role, number) for role, number in ROLES])
    with ctx.uow() as uow:
        masterdata.save_categories(
            uow,
            [masterdata.CategoryIn(level, code, parent, code) for level, (code, parent) in enumerate(CATS, start=1)],
        )
    codes = [f"V{i:04d}" for i in range(vendors)]
    with ctx.uow() as uow:
        masterdata.save_vendors(
            uow,
            [
                masterdata.VendorIn(c, f"Vendor {c} Supply Co.", "CAD", f"{100 + i} Main Street\nCity {i % 50}, ON")
                for i, c in enumerate(codes)
            ],
        )
    cats = tuple(code for code, _parent in CATS)
    with ctx.uow() as uow:
        masterdata.save_products(
            uow,
            [
                masterdata.ProductIn(f"{c}-P{n}", f"Product {n} of {c}", c, cats, Decimal("10.00"))
                for c in codes
                for n in (1, 2)
            ],
        )  # type: ignore[arg-type]
    with ctx.uow() as uow:
        for i, c in enumerate(codes):
            agreements.save_agreement(uow, vendor=c, kind="COOP", status="ACCEPTED", lines=_tiers(i), today=YEAR_START)
    slips = []
    for c in codes:
        for month in range(1, 13):
            lines = tuple(
                receiving.SlipLineIn(n, f"{c}-P{n}", Decimal(rng.randint(20, 400)), Decimal("10.00")) for n in (1, 2)
            )
            slips.append(receiving.SlipIn(f"{c}-{month:02d}", c, date(2025, month, rng.randint(1, 28)), lines))
    with ctx.uow() as uow:
        receiving.save_slips(uow, slips)
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2026, 1, 5))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=1000)
    parser.add_argument("--db", help="database URL (default: SQLite file in bench/data)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args(argv)
    DATA.mkdir(exist_ok=True)
    path = DATA / f"statements-{args.vendors}.sqlite"
    if args.rebuild and not args.db:
        for leftover in DATA.glob(path.name + "*"):
            leftover.unlink()
    ctx = AppContext.open(args.db or f"sqlite:///{path}", user="bench", upgrade=True)
    try:
        with ctx.uow() as uow:
            existing = uow.session.scalar(select(func.count()).select_from(Vendor)) or 0
        if existing == 0:
            started = time.perf_counter()
            build(ctx, args.vendors)
            print(f"built {args.vendors:,} vendors in {time.perf_counter() - started:.1f} s")
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            written = write_statements(ctx, YEAR_START, YEAR_END, folder)
            elapsed = time.perf_counter() - started
            size = sum(p.stat().st_size for p in written)
        print(
            f"{ctx.engine.dialect.name}: wrote {len(written):,} vendor statements in {elapsed:.1f} s "
            f"({elapsed / max(len(written), 1) * 1000:.0f} ms each, {size / 1e6:.1f} MB)"
        )
    finally:
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
