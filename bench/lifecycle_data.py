"""The data of the agreement-lifecycle benchmark (issue 14, bench/lifecycle.py), bulk-inserted.

- `five_kinds`: on top of bench.generate's data (COOP, VOLUME and PERIODIC agreements), every
  vendor gets an accepted DAMAGE and FREIGHT agreement (one all-ALL ladder over 2025) and an
  all-ALL ladder in its VOLUME agreement and, unless it has one, in its PERIODIC agreement (the
  vendor's period), so that every receipt line earns under all five percent kinds. Tiers as
  bench.generate makes them (thresholds from the vendor's volume), the same rows in every
  database given.
- `provisional`: one vendor with `lines` draft lines over 2025 (ten per slip), no accepted
  agreement, a PENDING COOP agreement (one all-ALL ladder over 2025) and the company's
  provisional COOP rate for 2025, ALL (2%).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text, update

from app.adapters import db
from app.domain.money import cents
from app.domain.vocabulary import ACCEPTED, ALL, COOP, DAMAGE, FREIGHT, PENDING, PERIODIC, VOLUME
from app.models import (
    Agreement,
    AgreementLine,
    Category,
    Company,
    GlAccount,
    GlReference,
    Product,
    ProvisionalRate,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
)

from .generate import (
    ACCOUNTS,
    ALL4,
    ROLES,
    SERIAL_TABLES,
    USER,
    YEAR_END,
    YEAR_START,
    LadderPlan,
    Sizes,
    insert_rows,
    master,
    quantity,
    tier_rows,
)

STAMP = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
PROVISIONAL_RATE = Decimal(2)  # percent, COOP, ALL, 2025
PROVISIONAL_VENDOR = "VPROV"
STYLES = ("marginal", "retro", "deg")
PERIODS = {"M": 12, "Q": 4, "Y": 1}


put = insert_rows  # bench.generate's bulk insert


def _after_load(engine: Engine, tables: list[str]) -> None:
    """PostgreSQL: sequences past the ids given, statistics of the tables loaded (not of the empty
    journal and accrual tables: see bench/README.md, Caveats)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in SERIAL_TABLES:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            )
        for table in tables:
            conn.execute(text(f"ANALYZE {table}"))


def _ladders(conn: Connection, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, int]]:
    """(new agreements, new agreement lines, agreement id -> its next line number)."""
    volume: dict[int, Decimal] = dict(
        conn.execute(
            select(ReceivingSlip.vendor_id, func.sum(ReceiptLine.amount))
            .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
            .group_by(ReceivingSlip.vendor_id)
        ).all()
    )
    agreements = {(r.vendor_id, r.kind): r for r in conn.execute(select(Agreement).where(Agreement.status == ACCEPTED))}
    by_id = {a.id: a for a in agreements.values()}
    periodic_all: dict[int, bool] = defaultdict(bool)
    period: dict[int, str] = {}
    for aid, cats, line_period in conn.execute(
        select(AgreementLine.agreement_id, AgreementLine.cat1, AgreementLine.period)
        .join(Agreement, Agreement.id == AgreementLine.agreement_id)
        .where(Agreement.kind == PERIODIC, Agreement.status == ACCEPTED)
    ):
        vendor = by_id[aid].vendor_id
        periodic_all[vendor] |= cats in (None, ALL) and line_period is not None
        period.setdefault(vendor, line_period or "Q")
    next_id = (conn.scalar(select(func.max(Agreement.id))) or 0) + 1
    next_line = (conn.scalar(select(func.max(AgreementLine.id))) or 0) + 1
    new_agreements: list[dict[str, Any]] = []
    new_lines: list[dict[str, Any]] = []
    next_no: dict[int, int] = {}
    for v in sorted(volume):
        r = random.Random(f"{seed}/five-kinds/{v}")
        method = ("SC", "NC", "CD")[v % 3]
        wanted: list[tuple[str, int | None, str | None]] = [(VOLUME, agreements[(v, VOLUME)].id, None)]
        if not periodic_all[v]:
            wanted.append((PERIODIC, agreements[(v, PERIODIC)].id, period.get(v, "Q")))
        wanted += [(DAMAGE, None, None), (FREIGHT, None, None)]
        for kind, existing, per in wanted:
            if existing is None:
                aid, next_id = next_id, next_id + 1
                new_agreements.append({"id": aid, "vendor_id": v, "kind": kind, "number": "1", "status": ACCEPTED,
                                       "version": 1, "next_line_no": 1, "updated_by": USER,
                                       "updated_at": STAMP})  # fmt: skip
                next_no[aid] = 1
            else:
                aid = existing
                next_no.setdefault(aid, by_id[aid].next_line_no)
            plan = LadderPlan(kind, ALL4, None, YEAR_START, YEAR_END, STYLES[(v + len(new_lines)) % 3], period=per)
            for row in tier_rows(r, plan, volume[v] / PERIODS.get(per or "Y", 1), method):
                row.update(id=next_line, agreement_id=aid, line_no=next_no[aid])
                new_lines.append(row)
                next_line += 1
                next_no[aid] += 1
    return new_agreements, new_lines, next_no


def five_kinds(engines: list[Engine], seed: int) -> dict[str, int]:
    """The ladders that make every line earn under all five kinds, in every engine's database
    (computed from the first one's receipts)."""
    with engines[0].connect() as conn:
        agreements, lines, next_no = _ladders(conn, seed)
    for engine in engines:
        with engine.begin() as conn:
            put(conn, Agreement.__table__, agreements)
            put(conn, AgreementLine.__table__, lines)
            for aid, n in next_no.items():
                conn.execute(update(Agreement).where(Agreement.id == aid).values(next_line_no=n))
        _after_load(engine, ["agreement", "agreement_line"])
    return {"agreements": len(agreements), "agreement_lines": len(lines)}


def provisional(engine: Engine, lines: int, seed: int) -> dict[str, Any]:
    """An upgraded, empty database: one vendor on the provisional COOP rate, `lines` draft lines,
    and its PENDING COOP agreement that covers them all."""
    db.upgrade(engine)
    slips = max(1, lines // 10)
    m = master(Sizes(1, 200, 5, slips, lines), seed)
    vendor = dict(m.vendors[0], code=PROVISIONAL_VENDOR, name="Vendor on provisional rates")
    r = random.Random(f"{seed}/provisional")
    slip_rows: list[dict[str, Any]] = []
    line_rows: list[dict[str, Any]] = []
    total = Decimal(0)
    for sid in range(1, slips + 1):
        received = YEAR_START + timedelta(days=(sid - 1) * 365 // slips)
        slip_rows.append({"id": sid, "slip_no": f"P{sid:07d}", "vendor_id": 1, "received_date": received,
                          "reference": f"PO-{sid:07d}", "status": "DRAFT", "created_by": USER,
                          "posted_by": None, "posted_at": None})  # fmt: skip
        for n in range(1, lines // slips + (1 if sid <= lines % slips else 0) + 1):
            pid = r.choice(m.by_vendor[1])
            qty = quantity(r)
            amount = cents(qty * m.cost[pid])
            total += amount
            line_rows.append({"id": len(line_rows) + 1, "slip_id": sid, "line_no": n, "product_id": pid,
                              "quantity": qty, "unit_cost": m.cost[pid], "amount": amount})  # fmt: skip
    ladder = tier_rows(r, LadderPlan(COOP, ALL4, None, YEAR_START, YEAR_END, "marginal"), total, "SC")
    for n, row in enumerate(ladder, start=1):
        row.update(id=n, agreement_id=1, line_no=n)
    with engine.begin() as conn:
        put(conn, Company.__table__, [{"id": 1, "name": "Benchmark Building Supply Ltd", "currency": "CAD",
                                       "address": "1 Bench Road\nToronto, ON"}])  # fmt: skip
        put(conn, GlAccount.__table__, [{"id": i, "number": n, "name": name, "type": t}
                                        for i, (n, name, t) in enumerate(ACCOUNTS, start=1)])  # fmt: skip
        put(conn, GlReference.__table__, [{"role": role, "account_id": aid} for role, aid in ROLES])
        put(conn, Category.__table__, m.categories)
        put(conn, Vendor.__table__, [vendor])
        put(conn, Product.__table__, m.products)
        put(conn, ReceivingSlip.__table__, slip_rows)
        put(conn, ReceiptLine.__table__, line_rows)
        put(conn, Agreement.__table__, [{"id": 1, "vendor_id": 1, "kind": COOP, "number": "1", "status": PENDING,
                                         "version": 1, "next_line_no": len(ladder) + 1, "updated_by": USER,
                                         "updated_at": STAMP}])  # fmt: skip
        put(conn, AgreementLine.__table__, ladder)
        put(conn, ProvisionalRate.__table__, [{"id": 1, "kind": COOP, "from_date": YEAR_START,
                                               "to_date": YEAR_END, "cat1": ALL, "rate": PROVISIONAL_RATE}])  # fmt: skip
    _after_load(engine, ["category", "vendor", "product", "receiving_slip", "receipt_line", "agreement",
                         "agreement_line", "provisional_rate", "gl_account", "gl_reference"])  # fmt: skip
    return {
        "vendor": PROVISIONAL_VENDOR,
        "slips": slips,
        "lines": len(line_rows),
        "products": len(m.products),
        "volume": total,
        "tiers": [(row["max_amount"], row["rebate1"]) for row in ladder],
    }
