"""The month close (SPEC §13, example L): invoices per vendor, agreement and method; late slips
and re-rates on the next month's invoice; closing twice creates nothing; months in order; a
close stopped half-way leaves each vendor invoiced in full or untouched. Both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import CoopInvoice, InvoiceLine, JournalEntry, JournalLine, MonthClose, VendorClose
from app.services import month_close, posting
from app.services.errors import ValidationFailed
from app.services.invoice_views import invoice_views
from tests.conftest import import_example

D = Decimal


def post(ctx, *slips: str, today: date) -> None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        posting.post_slips(uow, list(slips), today=today)


def close(ctx, month: str, run: str):  # type: ignore[no-untyped-def]
    return month_close.close_month(ctx, month, date.fromisoformat(run))


def invoices(ctx):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return [
            (v.invoice_no, v.invoice_date, v.due_date, v.kind, v.agreement_no, v.method, v.amount, v.status)
            for v in invoice_views(uow.session)
        ]


def backup(ctx, invoice_no: str) -> list[tuple[str, str, Decimal, int | None, Decimal | None]]:  # type: ignore[no-untyped-def]
    """(slip, source, amount, tier, rate) of the invoice's journal lines."""
    jl, je = JournalLine, JournalEntry
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(jl.slip_no, je.source, jl.debit - jl.credit, InvoiceLine.tier, InvoiceLine.rate)
            .join(InvoiceLine, InvoiceLine.journal_line_id == jl.id)
            .join(CoopInvoice, CoopInvoice.id == InvoiceLine.invoice_id)
            .join(je, je.id == jl.entry_id)
            .where(CoopInvoice.invoice_no == invoice_no)
            .order_by(jl.slip_no, jl.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def counts(ctx) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        s = uow.session
        return tuple(
            s.scalar(select(func.count()).select_from(t))  # type: ignore[misc]
            for t in (CoopInvoice, InvoiceLine, JournalEntry, MonthClose, VendorClose)
        )


@pytest.fixture
def example_l(ctx):  # type: ignore[no-untyped-def]
    """Example H's ladder with M = CD (0–30,000 at 2%, above at 3%), slips imported, none posted."""
    import_example(ctx, "L_invoices")
    return ctx


def test_example_l_invoices_and_a_late_slip(example_l):
    ctx = example_l
    post(ctx, "S2", today=date(2026, 2, 10))
    post(ctx, "S3", today=date(2026, 3, 1))
    feb = close(ctx, "2026-02", "2026-03-01")
    assert feb.invoices == ["CO-2602-V100-0001"]
    mar = close(ctx, "2026-03", "2026-04-01")
    assert mar.invoices == ["CO-2603-V100-0001"]
    post(ctx, "S1", today=date(2026, 4, 10))  # back-dated to Jan 15: S2 and S3 re-rate
    apr = close(ctx, "2026-04", "2026-05-01")
    assert apr.invoices == ["CO-2604-V100-0001"]
    assert invoices(ctx) == [
        ("CO-2602-V100-0001", date(2026, 2, 28), date(2026, 3, 30), "COOP", "1", "CD", D("400.00"), "OPEN"),
        ("CO-2603-V100-0001", date(2026, 3, 31), date(2026, 4, 30), "COOP", "1", "CD", D("500.00"), "OPEN"),
        ("CO-2604-V100-0001", date(2026, 4, 30), date(2026, 5, 30), "COOP", "1", "CD", D("450.00"), "OPEN"),
    ]
    assert backup(ctx, "CO-2602-V100-0001") == [("S2", "ACCRUAL", D("400.00"), 1, D("2.0000"))]
    assert backup(ctx, "CO-2604-V100-0001") == [
        ("S1", "ACCRUAL", D("300.00"), 1, D("2.0000")),
        ("S2", "RERATE", D("50.00"), 2, D("3.0000")),
        ("S3", "RERATE", D("100.00"), 2, D("3.0000")),
    ]
    # the receivable moved to CLAIMS_RECEIVABLE, invoice by invoice: nothing left uninvoiced
    with ctx.uow() as uow:
        net = dict(
            uow.session.execute(
                select(JournalLine.role, func.sum(JournalLine.debit) - func.sum(JournalLine.credit))
                .where(JournalLine.role.in_(("REBATE_RECEIVABLE", "CLAIMS_RECEIVABLE")))
                .group_by(JournalLine.role)
            ).all()
        )
    assert net == {"REBATE_RECEIVABLE": D("0.00"), "CLAIMS_RECEIVABLE": D("1350.00")}
    # closing February (or March) again creates nothing
    before = counts(ctx)
    again = close(ctx, "2026-02", "2026-06-01")
    assert again.already_closed and again.invoices == []
    assert counts(ctx) == before


def test_months_close_in_order_and_only_once_over(example_l):
    ctx = example_l
    post(ctx, "S2", "S3", today=date(2026, 3, 1))
    before = counts(ctx)
    with pytest.raises(ValidationFailed, match="not over on 2026-02-28"):
        close(ctx, "2026-02", "2026-02-28")  # the current month
    with pytest.raises(ValidationFailed, match="must be YYYY-MM"):
        close(ctx, "2026-13", "2027-02-01")
    assert counts(ctx) == before
    close(ctx, "2026-02", "2026-03-01")
    with pytest.raises(ValidationFailed, match="close 2026-03 first"):
        close(ctx, "2026-04", "2026-05-01")
    close(ctx, "2026-03", "2026-04-01")
    close(ctx, "2026-04", "2026-05-01")  # nothing to invoice: the month is still recorded
    with ctx.uow() as uow:
        months = uow.session.scalars(select(MonthClose.month).order_by(MonthClose.month)).all()
    assert months == ["2026-02", "2026-03", "2026-04"]


def test_a_cancelled_close_leaves_vendors_whole_and_goes_on(example_l):
    ctx = example_l
    post(ctx, "S2", "S3", today=date(2026, 3, 1))
    with pytest.raises(month_close.CloseCancelled):
        month_close.close_month(ctx, "2026-03", date(2026, 4, 1), cancelled=lambda: True)
    assert counts(ctx)[:2] == (0, 0)
    result = close(ctx, "2026-03", "2026-04-01")
    assert result.invoices == ["CO-2603-V100-0001"]
    assert invoices(ctx)[0][6] == D("900.00")  # Feb and March in the first close


def test_preview_shows_the_invoices_and_writes_nothing(example_l):
    ctx = example_l
    post(ctx, "S2", "S3", today=date(2026, 3, 1))
    before = counts(ctx)
    with ctx.uow() as uow:
        plans = month_close.preview_close(uow, "2026-03", date(2026, 4, 1))
    assert [(p.vendor_code, [(d.kind, d.agreement_no, d.method, d.amount) for d in p.drafts]) for p in plans] == [
        ("V100", [("COOP", "1", "CD", 90000)])
    ]
    assert counts(ctx) == before


def lump_sum_accruals(ctx) -> list[tuple[date, Decimal]]:  # type: ignore[no-untyped-def]
    jl, je = JournalLine, JournalEntry
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(je.entry_date, jl.debit)
            .join(je, je.id == jl.entry_id)
            .where(je.source == "LUMP_SUM", jl.role == "REBATE_RECEIVABLE")
            .order_by(je.entry_date)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_example_j_lump_sum_accrues_at_each_close(example_l, tmp_path):
    """12,000.00 for the year: January 1,019.18, February 920.55, March 1,019.17, April 986.31;
    the twelve closes add up to 12,000.00, each on its own invoice (ADVERTISING, M = CD)."""
    from tests.integration.test_price_changes import imp

    ctx = example_l
    imp(ctx, tmp_path, {"status": "ACCEPTED"})
    for month in range(1, 13):
        run = date(2027, 1, 1) if month == 12 else date(2026, month + 1, 1)
        close(ctx, f"2026-{month:02d}", run.isoformat())
    accruals = lump_sum_accruals(ctx)
    assert [a for _d, a in accruals[:4]] == [D("1019.18"), D("920.55"), D("1019.17"), D("986.31")]
    assert [d for d, _a in accruals[:2]] == [date(2026, 1, 31), date(2026, 2, 28)]
    assert sum(a for _d, a in accruals) == D("12000.00") and len(accruals) == 12
    found = invoices(ctx)
    assert [(no, kind, agreement, method, amount) for no, _d, _due, kind, agreement, method, amount, _s in found][
        :2
    ] == [
        ("CO-2601-V100-0001", "LUMP_SUM", "L1", "CD", D("1019.18")),
        ("CO-2602-V100-0001", "LUMP_SUM", "L1", "CD", D("920.55")),
    ]
    assert sum(f[6] for f in found) == D("12000.00")


def test_a_lump_sum_accepted_late_catches_up(example_l, tmp_path):
    from tests.integration.test_price_changes import imp

    ctx = example_l
    imp(ctx, tmp_path, {"status": "PENDING"})
    close(ctx, "2026-01", "2026-02-01")
    close(ctx, "2026-02", "2026-03-01")
    assert lump_sum_accruals(ctx) == []
    imp(ctx, tmp_path, {"status": "ACCEPTED"})
    close(ctx, "2026-03", "2026-04-01")
    assert lump_sum_accruals(ctx) == [(date(2026, 3, 31), D("1019.18") + D("920.55") + D("1019.17"))]


@pytest.mark.parametrize("runs", [2])
def test_two_closes_at_once_make_each_invoice_once(example_l, db_url, runs):
    """Two workstations close the same month at the same moment: one invoice, one record."""
    import threading

    from app.services.context import AppContext

    ctx = example_l
    post(ctx, "S2", "S3", today=date(2026, 3, 1))
    barrier = threading.Barrier(runs)
    outcomes: list[object] = []

    def run() -> None:
        other = AppContext.open(db_url, user="tester", upgrade=False)
        try:
            barrier.wait()
            outcomes.append(month_close.close_month(other, "2026-03", date(2026, 4, 1)).invoices)
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcomes.append(exc)
        finally:
            other.engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == ["['CO-2603-V100-0001']", "[]"]
    assert invoices(ctx) == [
        ("CO-2603-V100-0001", date(2026, 3, 31), date(2026, 4, 30), "COOP", "1", "CD", D("900.00"), "OPEN")
    ]
    assert counts(ctx)[3:] == (1, 1)


def test_a_slip_posted_while_the_close_runs_is_on_the_invoice(example_l):
    """The close reads every vendor's lines once, then under each vendor's lock only what was
    posted since, or all again for a vendor posted to or re-rated since: a back-dated slip posted
    after the read (and the re-rates it makes) is on the invoice as if posted before the close."""
    ctx = example_l
    post(ctx, "S2", "S3", today=date(2026, 3, 1))
    calls: list[int] = []

    def post_s1_once() -> bool:  # called before each vendor's transaction, after the read
        if not calls:
            post(ctx, "S1", today=date(2026, 3, 1))
        calls.append(1)
        return False

    feb = month_close.close_month(ctx, "2026-02", date(2026, 3, 1), cancelled=post_s1_once)
    assert feb.invoices == ["CO-2602-V100-0001"] and len(calls) == 1
    # S1 (Jan 15, tier 1) read under the lock; S2 at the tier S1 moved it to (its RERATE of
    # +50.00 is dated March 1, next month's)
    assert backup(ctx, "CO-2602-V100-0001") == [
        ("S1", "ACCRUAL", D("300.00"), 1, D("2.0000")),
        ("S2", "ACCRUAL", D("400.00"), 2, D("3.0000")),
    ]
    assert invoices(ctx)[0][6] == D("700.00")


def test_a_payment_recorded_while_the_close_runs_is_not_lost(example_l, db_url, monkeypatch):
    """The close holds the vendor's lock for its transaction; a cheque recorded meanwhile waits
    for it, then is recorded on the earlier invoice: both are there afterwards."""
    import threading
    import time

    from app.services import settlement
    from app.services.context import AppContext

    ctx = example_l
    post(ctx, "S2", today=date(2026, 2, 10))
    close(ctx, "2026-02", "2026-03-01")
    post(ctx, "S3", today=date(2026, 3, 1))
    original = month_close._close_vendor
    inside = threading.Event()

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        done = original(*args, **kwargs)
        inside.set()
        time.sleep(0.8)  # the vendor's invoice written, not committed yet
        return done

    monkeypatch.setattr(month_close, "_close_vendor", slow)
    outcome: list[object] = []

    def pay() -> None:
        other = AppContext.open(db_url, user="tester", upgrade=False)
        try:
            inside.wait(10)
            with other.uow() as uow:
                outcome.append(
                    settlement.record_payment(uow, "V100", date(2026, 4, 2), D("100.00"), "CAD", "CHQ 77",
                                              ["CO-2602-V100-0001"])
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcome.append(exc)
        finally:
            other.engine.dispose()

    payer = threading.Thread(target=pay)
    payer.start()
    result = close(ctx, "2026-03", "2026-04-01")
    payer.join()
    assert result.invoices == ["CO-2603-V100-0001"]
    assert not isinstance(outcome[0], Exception), outcome[0]
    found = {no: (amount, status) for no, _d, _due, _k, _a, _m, amount, status in invoices(ctx)}
    assert found == {"CO-2602-V100-0001": (D("400.00"), "SHORT_PAID"), "CO-2603-V100-0001": (D("500.00"), "OPEN")}
