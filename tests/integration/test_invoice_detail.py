"""What the Invoices and Home screens read (app.services.invoice_detail) on example L closed
February to April: search by number, agreement, vendor, dates and status; history; the Home
counts; the vendors a close has done. Both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services import invoice_detail, month_close, posting
from app.services.context import AppContext
from app.services.invoice_detail import InvoiceCounts, InvoiceSearch
from tests.conftest import import_example


@pytest.fixture
def closed_l(ctx: AppContext) -> AppContext:
    import_example(ctx, "L_invoices")
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S2", "S3"], today=date(2026, 3, 1))
    month_close.close_month(ctx, "2026-02", date(2026, 3, 1))
    month_close.close_month(ctx, "2026-03", date(2026, 4, 1))
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S1"], today=date(2026, 4, 10))
    month_close.close_month(ctx, "2026-04", date(2026, 5, 1))
    return ctx


def found(ctx: AppContext, **fields: object) -> list[str]:
    with ctx.uow() as uow:
        return [v.invoice_no for v in invoice_detail.find_invoices(uow, InvoiceSearch(**fields))]  # type: ignore[arg-type]


def test_search_by_each_field(closed_l: AppContext) -> None:
    ctx = closed_l
    every = ["CO-2602-V100-0001", "CO-2603-V100-0001", "CO-2604-V100-0001"]
    assert found(ctx) == every
    assert found(ctx, invoice_no="2604") == ["CO-2604-V100-0001"]
    assert found(ctx, agreement_no="1", vendor="v100") == every
    assert found(ctx, agreement_no="2") == []
    assert found(ctx, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)) == ["CO-2603-V100-0001"]
    assert found(ctx, status="OPEN") == every
    assert found(ctx, status="PAID") == found(ctx, status="HELD") == []


def test_history_counts_and_vendors_closed(closed_l: AppContext) -> None:
    with closed_l.uow() as uow:
        history = invoice_detail.history_of(uow, "CO-2604-V100-0001")
        assert [(e.by, e.what, e.day, e.amount) for e in history] == [
            ("tester", "Made by the close of 2026-04", date(2026, 4, 30), Decimal("450.00"))
        ]
        assert invoice_detail.invoice_counts(uow, date(2026, 5, 1)) == InvoiceCounts(
            2, Decimal("900.00"), 0, 0
        )  # February's and March's are past due
        assert invoice_detail.vendors_closed(uow, "2026-04") == [("V100", "Northern Gypsum Ltd")]
        assert invoice_detail.last_month_closed(uow) == "2026-04"
        assert invoice_detail.month_is_closed(uow, "2026-03") and not invoice_detail.month_is_closed(uow, "2026-05")


def test_settlements_and_disputes_in_the_history(closed_l: AppContext) -> None:
    """Rows as the settlement services will write them (a cheque, a dispute answered)."""
    from datetime import UTC, datetime, timedelta

    from app.models import CoopInvoice, Dispute, DisputeResolution, Settlement, SettlementLine

    later = datetime.now(UTC) + timedelta(days=1)  # recorded after the close (the stamp may be the database's)
    with closed_l.uow() as uow:
        s = uow.session
        invoice = s.query(CoopInvoice).filter_by(invoice_no="CO-2603-V100-0001").one()
        cheque = Settlement(
            vendor_id=invoice.vendor_id, kind="PAYMENT", settle_date=date(2026, 5, 2), amount=Decimal("400.00"),
            currency="CAD", reference="CHQ 1001", created_by="ann", created_at=later,
        )  # fmt: skip
        s.add(cheque)
        s.flush()
        s.add(SettlementLine(settlement_id=cheque.id, invoice_id=invoice.id, amount=Decimal("400.00")))
        dispute = Dispute(
            dispute_no="DSP-2026-000001", invoice_id=invoice.id, reason="RATE", amount=Decimal("100.00"),
            title="Rate", summary="2% not 3%", filed_date=date(2026, 5, 3), created_by="ann",
            created_at=later + timedelta(hours=1),
        )  # fmt: skip
        s.add(dispute)
        s.flush()
        s.add(
            DisputeResolution(
                dispute_id=dispute.id, status="REJECTED", amount=Decimal("0.00"), reason="rate as agreed",
                resolved_date=date(2026, 5, 4), created_by="bob", created_at=later + timedelta(hours=2),
            )
        )  # fmt: skip
        uow.commit()
    with closed_l.uow() as uow:
        (view,) = invoice_detail.find_invoices(uow, InvoiceSearch(status="SHORT_PAID"))
        assert (view.invoice_no, view.open_amount) == ("CO-2603-V100-0001", Decimal("100.00"))
        assert [(a.kind, a.reference, a.applied) for a in invoice_detail.settlements_of(uow, view.id)] == [
            ("PAYMENT", "CHQ 1001", Decimal("400.00"))
        ]
        assert [(d.dispute_no, d.status, d.resolution_reason) for d in invoice_detail.disputes_of(uow, view.id)] == [
            ("DSP-2026-000001", "REJECTED", "rate as agreed")
        ]
        assert [e.what for e in invoice_detail.history_of(uow, view.invoice_no)] == [
            "Made by the close of 2026-03",
            "Vendor payment CHQ 1001",
            "Dispute DSP-2026-000001 filed (RATE): Rate",
            "Dispute DSP-2026-000001 rejected: rate as agreed",
        ]
        assert invoice_detail.invoice_counts(uow, date(2026, 6, 1)) == InvoiceCounts(
            3, Decimal("950.00"), 1, 0
        )  # 400 + 100 + 450


def test_home_counts_disputes_near_their_deadline(closed_l: AppContext) -> None:
    from app.services import disputes

    with closed_l.uow() as uow:
        disputes.file_dispute(
            uow, "CO-2604-V100-0001", "RATE", Decimal("50.00"), "Re-rate", "S2 was at 2 %", [], date(2026, 5, 2)
        )
    with closed_l.uow() as uow:
        early = invoice_detail.invoice_counts(uow, date(2026, 5, 20))
        near = invoice_detail.invoice_counts(uow, date(2026, 5, 28))  # answer due 2026-06-01
        late = invoice_detail.invoice_counts(uow, date(2026, 6, 5))
    assert [(c.disputes_due, c.disputes_overdue) for c in (early, near, late)] == [(0, 0), (1, 0), (1, 1)]
