"""Example O's company (SPEC §17 O): vendor VR with a lump sum of 5,000.00 for February 2025
(invoiced by the February close: CO-2502-VR-0001, SC), a COOP agreement of 25% on GYPSUM, and
slip R1 of Mar 5: VR-BOARD 400 @ 10.00 (COOP 1,000.00, not invoiced yet on Mar 17) and VR-STUD
50 @ 10.00 (no agreement). Vendor invoice AP-1 of Mar 10 bills R1 line 1 (4,000.00), so on
Mar 17 VR's receivable is 6,000.00 and its payable 4,000.00 + 500.00 received not invoiced.

AP-1 is entered through app.services.vendor_invoices (matched, Dr RECEIVED_NOT_INVOICED / Cr
ACCOUNTS_PAYABLE). The scorecard's flagged lines and payment runs are written as rows here
(add_flagged_invoice, pay_run), to place each defect and payment on a chosen day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.models import (
    InvoiceResolution,
    PaymentRun,
    PaymentRunLine,
    Product,
    Provision,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
    VendorInvoice,
    VendorInvoiceLine,
)
from app.services import month_close, posting
from app.services.context import AppContext
from app.services.vendor_invoices import VendorInvoiceIn, VendorInvoiceLineIn, enter_vendor_invoices
from tests.conftest import IMPORT_ORDER, import_example

O_DIR = Path(__file__).parent.parent / "fixtures" / "part2" / "O_provision"
FEB_INVOICE = "CO-2502-VR-0001"
MAR17, MAR18 = date(2025, 3, 17), date(2025, 3, 18)


def example_o(ctx: AppContext) -> None:
    import_example(ctx, "../part2/O_provision", IMPORT_ORDER)
    month_close.close_month(ctx, "2025-02", date(2025, 3, 1))
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2025, 3, 5))
    add_vendor_invoice(ctx, "VR", "AP-1", date(2025, 3, 10), date(2025, 4, 9), [("R1", 1, "400", "10.00")])


def add_vendor_invoice(
    ctx: AppContext, vendor: str, number: str, day: date, due: date, lines: list[tuple[str, int, str, str]]
) -> int:
    """A vendor invoice through app.services.vendor_invoices (matched to the receiving lines
    named: slip, slip line, quantity, unit cost); its id."""
    with ctx.uow() as uow:
        codes = {
            (slip, line): code
            for slip, line, code in uow.session.execute(
                select(ReceivingSlip.slip_no, ReceiptLine.line_no, Product.code)
                .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
                .join(Product, Product.id == ReceiptLine.product_id)
            )
        }
    record = VendorInvoiceIn(
        number, vendor, day, due,
        tuple(VendorInvoiceLineIn(s, n, codes[(s, n)], Decimal(q), Decimal(c)) for s, n, q, c in lines),
    )  # fmt: skip
    with ctx.uow() as uow:
        (entered,) = enter_vendor_invoices(uow, [record])
    assert entered.held == 0
    return entered.invoice_id


def provisions(ctx: AppContext) -> list[tuple[str, str, str, date]]:
    """(name, vendor, amount, date) of every provision row, in order written."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(Provision.name, Vendor.code, Provision.amount, Provision.event_date)
            .join(Vendor, Vendor.id == Provision.vendor_id)
            .order_by(Provision.id)
        )
        return [(n, c, f"{a:.2f}", d) for n, c, a, d in rows]


def provision_count(ctx: AppContext) -> int:
    with ctx.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Provision)) or 0


def add_flagged_invoice(
    ctx: AppContext, vendor: str, number: str, day: date, due: date, defect: str, amount: str,
    slip: tuple[str, int] | None = None, resolved: bool = False,
) -> int:  # fmt: skip
    """A vendor invoice of one line held by `defect` (naming a receiving line when `slip`), its
    resolution when `resolved`; nothing posted. Its id."""
    with ctx.uow() as uow:
        session = uow.session
        vendor_id = session.scalar(select(Vendor.id).where(Vendor.code == vendor))
        stamp = datetime.now(UTC)
        head = VendorInvoice(
            vendor_id=vendor_id, invoice_no=number, invoice_date=day, due_date=due, created_by="tester",
            created_at=stamp,
        )  # fmt: skip
        session.add(head)
        session.flush()
        receipt_line_id = None
        if slip is not None:
            receipt_line_id = session.scalar(
                select(ReceiptLine.id)
                .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
                .where(ReceivingSlip.slip_no == slip[0], ReceiptLine.line_no == slip[1])
            )
        line = VendorInvoiceLine(
            vendor_invoice_id=head.id, line_no=1, slip_no=slip[0] if slip else "", slip_line_no=slip[1] if slip else None,
            receipt_line_id=receipt_line_id, product_code="X", quantity=Decimal(1), unit_cost=Decimal(amount),
            amount=Decimal(amount), received_value=Decimal("0.00"), defect=defect,
        )  # fmt: skip
        session.add(line)
        session.flush()
        if resolved:
            session.add(
                InvoiceResolution(vendor_invoice_line_id=line.id, resolution="LATE_RECEIPT", note="", created_by="tester",
                                  created_at=stamp)
            )  # fmt: skip
        uow.commit()
        return head.id


def pay_run(ctx: AppContext, day: date, invoice_ids: list[int]) -> None:
    """A payment run of `day` paying every line of the vendor invoices (rows only: the payment
    run service is another issue's part)."""
    with ctx.uow() as uow:
        session = uow.session
        run = PaymentRun(run_date=day, created_by="tester", created_at=datetime.now(UTC))
        session.add(run)
        session.flush()
        for vid, iid, line_id, amount in session.execute(
            select(VendorInvoice.vendor_id, VendorInvoice.id, VendorInvoiceLine.id, VendorInvoiceLine.amount)
            .join(VendorInvoiceLine, VendorInvoiceLine.vendor_invoice_id == VendorInvoice.id)
            .where(VendorInvoice.id.in_(invoice_ids))
        ).all():
            session.add(PaymentRunLine(run_id=run.id, vendor_id=vid, vendor_invoice_id=iid,
                                       vendor_invoice_line_id=line_id, amount=amount))  # fmt: skip
        uow.commit()
