"""A vendor invoice entered while a payment run pays the same vendor (PostgreSQL, threads and a
barrier, repeated): the invoice is wholly in the run or wholly not, never some of its matched
lines; its held line is never paid; each line is paid once, and a later run pays what the
racing run left. Both take the vendor's lock (app.adapters.accruals.lock_vendors): the run
reads the vendor's lines under it, the entry writes its invoice under it. Some rounds slow one
side down in the middle of its transaction (after its entry is written, before its rows), so
that the other one surely waits on the lock."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import PaymentRunLine, VendorInvoice, VendorInvoiceLine
from app.services import month_close, payment_run, posting, vendor_invoices
from app.services.context import AppContext
from app.services.vendor_invoices import VendorInvoiceIn, VendorInvoiceLineIn, enter_vendor_invoices
from tests.conftest import import_example

D = Decimal
JAN16, FEB15 = date(2026, 1, 16), date(2026, 2, 15)


def invoice(no: str) -> VendorInvoiceIn:
    """Three matched lines (S1 twice, S2) and a held one (an unknown product), due Feb 15."""
    lines = (("S1", 1, "GYP-OTHER", "7", "1.00"), ("S2", 1, "GYP-HALF-4X8", "1", "2.00"),
             ("S1", 1, "NO-SUCH", "1", "1.00"), ("S1", 1, "GYP-OTHER", "3", "1.00"))  # fmt: skip
    return VendorInvoiceIn(
        no, "V100", JAN16, FEB15, tuple(VendorInvoiceLineIn(s, n, p, D(q), D(c)) for s, n, p, q, c in lines)
    )


def paid_lines(ctx) -> dict[str, tuple[set[int], set[int]]]:  # type: ignore[no-untyped-def]
    """Vendor invoice number -> (its matched line ids, those a run paid)."""
    vi, vil, prl = VendorInvoice, VendorInvoiceLine, PaymentRunLine
    out: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    with ctx.uow() as uow:
        for no, lid, defect, run_line in uow.session.execute(
            select(vi.invoice_no, vil.id, vil.defect, prl.id)
            .join(vil, vil.vendor_invoice_id == vi.id)
            .outerjoin(prl, prl.vendor_invoice_line_id == vil.id)
        ):
            matched, paid = out[no]
            if defect is None:
                matched.add(lid)
            if run_line is not None:
                assert defect is None, f"held line {lid} of {no} paid"
                paid.add(lid)
    return dict(out)


@pytest.mark.pg
def test_a_vendor_invoice_entered_during_a_run_is_wholly_in_it_or_not(ctx, db_url, monkeypatch):
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency is checked on PostgreSQL")
    import_example(ctx, "N_payment_run")
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 2, 2))
    month_close.close_month(ctx, "2026-01", date(2026, 2, 1))
    write_entries, pay = vendor_invoices.write_entries, payment_run._pay
    slowed: list[int] = []

    def slow_entry(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = write_entries(*args, **kwargs)
        slowed.append(len(found))
        time.sleep(0.4)  # the invoice heads and entries written, their lines not yet
        return found

    def slow_run(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.4)  # the vendor locked and its lines read, nothing written yet
        return pay(*args, **kwargs)

    slow = {1: ("write_entries", vendor_invoices, slow_entry), 2: ("_pay", payment_run, slow_run)}
    for round_no in range(6):
        if round_no % 3 == 0:  # the vendor has something due already: the run surely takes its lock
            with ctx.uow() as uow:
                enter_vendor_invoices(uow, [invoice(f"PRE-{round_no}")])
        with monkeypatch.context() as patch:
            if round_no % 3 in slow:
                name, module, replacement = slow[round_no % 3]
                patch.setattr(module, name, replacement)
            outcomes = race(db_url, invoice(f"RACE-{round_no}"))
        assert [o for o in outcomes if isinstance(o, Exception)] == []
        for no, (matched, paid) in paid_lines(ctx).items():
            assert len(matched) == 3 and paid in (set(), matched), (round_no, no, matched, paid)
    assert slowed, "the vendor-invoice side was never slowed mid-transaction"
    with ctx.uow() as uow:
        payment_run.run_payments(uow, FEB15)  # pays whatever the races left
    found = paid_lines(ctx)
    assert len(found) == 8 and all(paid == matched for matched, paid in found.values())


def race(db_url: str, record: VendorInvoiceIn) -> list[object]:
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def side(work) -> None:  # type: ignore[no-untyped-def]
        other = AppContext.open(db_url, user="tester", upgrade=False)
        try:
            with other.uow() as uow:
                barrier.wait()
                outcomes.append(work(uow))
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcomes.append(exc)
        finally:
            other.engine.dispose()

    threads = [
        threading.Thread(target=side, args=(lambda uow: enter_vendor_invoices(uow, [record]),)),
        threading.Thread(target=side, args=(lambda uow: payment_run.run_payments(uow, FEB15),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
