"""Properties of the month close (issue 15): for random receipts (returns among them), slips
posted late and back-dated, agreement amendments and closes in order, after every close
- every REBATE_RECEIVABLE journal line dated up to the last closed month's end is on exactly
  one invoice, unless its invoice group adds up to zero (SPEC §13: no invoice for a zero total;
  its lines wait for the group's next invoice);
- no line dated after that month's end is on an invoice;
- the lines of each invoice add up to its amount (its backup adds up);
- the invoices add up to what their INVOICE entries moved to CLAIMS_RECEIVABLE, and
  REBATE_RECEIVABLE + CLAIMS_RECEIVABLE together hold every accrual (the receipt lines', the
  lump sums', the price-protection claims', the vendor actuals').
SQLite and PostgreSQL; seeds fixed so a failure replays."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.invoicing import last_day
from app.models import CoopInvoice, InvoiceLine, JournalEntry, JournalLine, LineAccrual
from app.services import month_close, posting
from app.services.imports import import_file
from tests.conftest import import_example

D = Decimal
PRODUCTS = ("GYP-HALF-4X8", "GYP-OTHER", "SPF-2X4-8")


def write_receipts(path, rng: random.Random, count: int) -> list[tuple[str, date]]:  # type: ignore[no-untyped-def]
    slips, lines = [], ["slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost"]
    for i in range(count):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 181))
        slip = f"R{i:03d}"
        slips.append((slip, day))
        for n in range(1, rng.randint(1, 3) + 1):
            qty = rng.choice((rng.randint(1, 4000), rng.randint(1, 4000), -rng.randint(1, 300)))
            lines.append(f"{slip},V100,{day.isoformat()},{n},{rng.choice(PRODUCTS)},{qty},{rng.randint(1, 900) / 100}")
    path.write_text("\n".join(lines) + "\n")
    return slips


def check(ctx, month: str) -> None:  # type: ignore[no-untyped-def]
    jl, je, il, inv = JournalLine, JournalEntry, InvoiceLine, CoopInvoice
    end = last_day(month)
    with ctx.uow() as uow:
        s = uow.session
        rows = s.execute(
            select(jl.id, je.entry_date, je.source, jl.kind, jl.agreement_no, jl.debit - jl.credit, il.invoice_id)
            .join(je, je.id == jl.entry_id)
            .outerjoin(il, il.journal_line_id == jl.id)
            .where(jl.role == "REBATE_RECEIVABLE", je.source != "INVOICE")
        ).all()
        waiting: dict[tuple[str, str | None], Decimal] = defaultdict(D)
        by_invoice: dict[int, Decimal] = defaultdict(D)
        for _id, day, _source, kind, agreement, amount, invoice_id in rows:
            if invoice_id is None:
                if day <= end:
                    waiting[(kind, agreement)] += amount
            else:
                assert day <= end, f"line {_id} dated {day} is on an invoice of {month} or before"
                by_invoice[invoice_id] += amount
        assert {k: v for k, v in waiting.items() if v} == {}, "uninvoiced lines that add up to an invoice"
        amounts = dict(s.execute(select(inv.id, inv.amount)).all())
        assert by_invoice == {k: v for k, v in amounts.items() if k in by_invoice}
        assert set(amounts) == set(by_invoice)
        moved = s.scalar(
            select(func.coalesce(func.sum(jl.debit - jl.credit), 0))
            .join(je, je.id == jl.entry_id)
            .where(je.source == "INVOICE", jl.role == "CLAIMS_RECEIVABLE")
        )
        assert D(moved) == sum(amounts.values(), D(0))
        accrued = s.scalar(select(func.coalesce(func.sum(LineAccrual.rebate), 0)))
        both = jl.role.in_(("REBATE_RECEIVABLE", "CLAIMS_RECEIVABLE"))
        net = select(func.coalesce(func.sum(jl.debit - jl.credit), 0)).join(je, je.id == jl.entry_id).where(both)
        held = s.scalar(net)
        other = s.scalar(net.where(je.source.in_(("LUMP_SUM", "PRICE_PROTECTION", "ACTUALS"))))  # no receipt line
        assert D(held) == D(accrued) + D(other)


@pytest.mark.parametrize("seed", [3, 11])
def test_random_receipts_late_slips_and_closes(ctx, tmp_path, seed):
    rng = random.Random(seed)
    import_example(ctx, "L_invoices", ("categories", "vendors", "products", "gl-accounts", "gl-reference",
                                       "agreements"))  # fmt: skip
    path = tmp_path / "receipts.csv"
    slips = write_receipts(path, rng, 40)
    with ctx.uow() as uow:
        import_file(uow, "receipts", path)
    late = set(rng.sample([s for s, _d in slips], 8))  # posted a month or two after their date
    pending = sorted(slips, key=lambda s: s[1])
    for month in range(1, 8):
        end = last_day(f"2026-{month:02d}")
        due = [s for s, day in pending if day <= end and (s not in late or month >= day.month + 2)]
        if due:
            with ctx.uow() as uow:
                posting.post_slips(uow, due, today=end)
            pending = [(s, d) for s, d in pending if s not in due]
        if month == 4:  # an amendment: the ladder's first tier earns more from now on (re-rates)
            raise_first_tier(ctx, tmp_path)
        month_close.close_month(ctx, f"2026-{month:02d}", end + timedelta(days=1))
        check(ctx, f"2026-{month:02d}")
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CoopInvoice)) >= 5


def raise_first_tier(ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import EXAMPLES

    rows = (EXAMPLES / "L_invoices" / "agreements.csv").read_text().splitlines()
    rows[1] = rows[1].replace(",30000,2026-01-01,2026-12-31,2,", ",30000,2026-01-01,2026-12-31,2.5,")
    path = tmp_path / "amended.csv"
    path.write_text("\n".join(rows) + "\n")
    with ctx.uow() as uow:
        import_file(uow, "agreements", path, today=date(2026, 4, 30))
