"""The payables benchmark's data (bench/payables.py): not measured.

bench.generate's master data and agreements at the scale (no receipts), then per vendor
LINES_PER_VENDOR draft receipt lines dated in November 2025 (SLIPS slips of LINES_PER_SLIP lines,
whole quantities at the product's cost), most vendors' agreement lines set to `CD` (deducted by
the next payment run), the payables GL roles, every draft posted and November closed (the `CD`
co-op invoices the run deducts), and the vendor-invoice file: two invoices per vendor naming
every posted line, with a share of defects (cost mismatch, over-received) and of price variances
within tolerance."""

from __future__ import annotations

import csv
import math
import random
import shutil
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update

from app.domain.money import cents
from app.domain.vocabulary import (
    ACCEPTED,
    ACCOUNTS_PAYABLE,
    CASH,
    COST_MISMATCH,
    POSTED,
    PURCHASE_PRICE_VARIANCE,
    QUANTITY_OVER_RECEIVED,
)
from app.models import Agreement, AgreementLine, GlAccount, GlReference, Product, ReceiptLine, ReceivingSlip
from app.services import month_close, posting
from app.services.context import AppContext
from app.services.vendor_invoice_imports import COLUMNS

from . import floor
from .close import _pg_admin
from .run import DATA, log

SLIPS, LINES_PER_SLIP = 10, 10
LINES_PER_VENDOR = SLIPS * LINES_PER_SLIP
FIRST_RECEIPT = date(2025, 11, 3)
MONTH, CLOSE_DATE = "2025-11", date(2025, 12, 1)
INVOICE_DATE, DUE_DATE = date(2025, 12, 2), date(2025, 12, 31)
RUN_DATE = date(2025, 12, 31)
DEFECTS = ((COST_MISMATCH, Decimal("0.02")), (QUANTITY_OVER_RECEIVED, Decimal("0.01")))
VARIANCE_SHARE = 0.05  # unit cost + 0.01: within tolerance, a price variance
NOT_CD_EVERY = 10  # every tenth vendor keeps the generator's methods (SC / NC / CD by vendor)
PAYABLES_ACCOUNTS = (
    ("1000", "Cash", "ASSET", CASH),
    ("2100", "Accounts payable", "LIABILITY", ACCOUNTS_PAYABLE),
    ("5100", "Purchase price variance", "EXPENSE", PURCHASE_PRICE_VARIANCE),
)


def urls(backend: str, name: str, pg_url: str) -> tuple[str, str]:
    """(measured, floor's copy) of the database NAME: bench/data/NAME.sqlite or coop_NAME."""
    if backend == "SQLite":
        return f"sqlite:///{DATA / (name + '.sqlite')}", f"sqlite:///{DATA / (name + '_floor.sqlite')}"
    from sqlalchemy.engine import make_url

    base = make_url(pg_url).set(drivername="postgresql+psycopg")
    return (
        base.set(database="coop_" + name).render_as_string(hide_password=False),
        base.set(database="coop_" + name + "_floor").render_as_string(hide_password=False),
    )


def fresh(backend: str, name: str, pg_url: str) -> None:
    """Drop the measured database and its floor copy; create the measured one empty."""
    if backend == "SQLite":
        DATA.mkdir(exist_ok=True)
        for leftover in DATA.glob(name + "*.sqlite*"):
            leftover.unlink()
        return
    with _pg_admin(pg_url) as conn:
        for db in (f"coop_{name}", f"coop_{name}_floor"):
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE coop_{name}")


def copy_for_floor(backend: str, name: str, pg_url: str) -> None:
    """The floor's database: a copy of the measured one as it is now (after an ANALYZE on PostgreSQL,
    whose server runs without autovacuum: both get the same statistics)."""
    url = urls(backend, name, pg_url)[0]
    raw = floor.Raw(url)
    raw.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)" if backend == "SQLite" else "ANALYZE")
    raw.close()
    if backend == "SQLite":
        for leftover in DATA.glob(name + "_floor.sqlite*"):
            leftover.unlink()
        shutil.copyfile(DATA / f"{name}.sqlite", DATA / f"{name}_floor.sqlite")
        return
    with _pg_admin(pg_url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS coop_{name}_floor WITH (FORCE)")
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (f"coop_{name}",),
        )
        conn.execute(f"CREATE DATABASE coop_{name}_floor TEMPLATE coop_{name}")


def analyze(url: str) -> None:
    if url.startswith("postgresql"):
        raw = floor.Raw(url)
        raw.conn.execute("ANALYZE")
        raw.close()


def setup(ctx: AppContext, seed: int) -> dict[str, int]:
    """GL roles of the payables, `CD` agreement lines, the draft receipts (Core inserts, the
    application's column types). Returns the sizes."""
    with ctx.engine.begin() as conn:
        for number, name, kind, role in PAYABLES_ACCOUNTS:
            account_id = conn.execute(
                insert(GlAccount).values(number=number, name=name, type=kind).returning(GlAccount.id)
            ).scalar_one()
            conn.execute(insert(GlReference).values(role=role, account_id=account_id))
        cd_agreements = select(Agreement.id).where(
            Agreement.status == ACCEPTED, Agreement.vendor_id % NOT_CD_EVERY != 0
        )
        cd_lines = conn.execute(
            update(AgreementLine).where(AgreementLine.agreement_id.in_(cd_agreements)).values(method="CD")
        ).rowcount
        products: dict[int, list[tuple[int, Decimal]]] = {}
        for pid, vid, cost in conn.execute(
            select(Product.id, Product.vendor_id, Product.unit_cost).order_by(Product.id)
        ):
            products.setdefault(vid, []).append((pid, cost))
        slips: list[dict[str, object]] = []
        lines: list[dict[str, object]] = []
        for vid in sorted(products):
            r = random.Random(f"{seed}/payables/receipts/{vid}")
            for k in range(SLIPS):
                sid = len(slips) + 1
                slips.append({"id": sid, "slip_no": f"R{vid:04d}-{k + 1:02d}", "vendor_id": vid,
                              "received_date": FIRST_RECEIPT + timedelta(days=2 * k), "reference": f"PO-{sid:06d}",
                              "status": "DRAFT", "created_by": "bench"})  # fmt: skip
                for n in range(1, LINES_PER_SLIP + 1):
                    pid, cost = r.choice(products[vid])
                    qty = Decimal(r.randint(1, 50))
                    lines.append({"id": len(lines) + 1, "slip_id": sid, "line_no": n, "product_id": pid,
                                  "quantity": qty, "unit_cost": cost, "amount": cents(qty * cost)})  # fmt: skip
        conn.execute(insert(ReceivingSlip), slips)
        for start in range(0, len(lines), 20_000):
            conn.execute(insert(ReceiptLine), lines[start : start + 20_000])
        if conn.dialect.name == "postgresql":
            for table in ("gl_account", "receiving_slip", "receipt_line"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                    )
                )
    return {"vendors": len(products), "slips": len(slips), "lines": len(lines), "cd_agreement_lines": cd_lines}


def post_and_close(setup_url: str, acct: AppContext, lines: int) -> dict[str, Any]:
    """Post every draft in a day's batches, then close November (as the accountant)."""
    with acct.uow() as uow:
        posted = posting.post_slips(uow, today=CLOSE_DATE, batch_lines=math.ceil(lines / 10))
    analyze(setup_url)  # journal and accrual tables filled: statistics for the close
    closed = month_close.close_month(acct, MONTH, CLOSE_DATE)
    assert closed.complete, "the close stopped"
    analyze(setup_url)
    return {"posted": posted.lines, "entries": posted.entries, "coop_invoices": len(closed.invoices)}


def invoice_file(url: str, path: Path, seed: int) -> Counter[str]:
    """The vendor-invoice file: per vendor two invoices (slips 1–5, 6–10), every posted line, in
    slip and line order; a line is a cost mismatch (unit cost + 10 %), over-received (5 more
    than received) or, of the rest, a price variance within tolerance (+ 0.01) at the shares of
    DEFECTS / VARIANCE_SHARE. Returns the expected defects (None: matched)."""
    raw = floor.Raw(url)
    rows = raw.fetch(
        "SELECT v.id, v.code, s.slip_no, l.line_no, p.code, l.quantity, l.unit_cost FROM receipt_line l "
        "JOIN receiving_slip s ON s.id = l.slip_id JOIN vendor v ON v.id = s.vendor_id "
        "JOIN product p ON p.id = l.product_id WHERE s.status = ? ORDER BY v.id, s.slip_no, l.line_no",
        (POSTED,),
    )
    raw.close()
    sqlite = url.startswith("sqlite")
    expected: Counter[str] = Counter()
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        r = random.Random(f"{seed}/payables/invoices")
        for vid, vcode, slip_no, line_no, pcode, qty, cost in rows:
            qty = Decimal(qty).scaleb(-4) if sqlite else Decimal(qty)  # SQLite: quantities stored x 10^4
            cost = Decimal(cost).scaleb(-4) if sqlite else Decimal(cost)
            part = 1 if int(slip_no[-2:]) <= SLIPS // 2 else 2
            x = Decimal(str(r.random()))
            defect = None
            if x < DEFECTS[0][1]:
                defect, cost = DEFECTS[0][0], (cost * Decimal("1.1")).quantize(Decimal("0.0001"))
            elif x < DEFECTS[0][1] + DEFECTS[1][1]:
                defect, qty = DEFECTS[1][0], qty + 5
            elif r.random() < VARIANCE_SHARE:
                cost += Decimal("0.01")
            expected[defect or "MATCHED"] += 1
            out.writerow([f"VI-{vid:04d}-{part}", vcode, INVOICE_DATE.isoformat(), DUE_DATE.isoformat(), slip_no,
                          line_no, pcode, f"{qty.normalize():f}", f"{cost.normalize():f}"])  # fmt: skip
    log(f"vendor-invoice file: {sum(expected.values()):,} lines, {dict(expected)}")
    return expected
