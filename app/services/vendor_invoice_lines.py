"""Vendor invoice lines after entry (SPEC §16): the list with each line's state, resolving a
held line (a screen action with history), and the receiving lines with no vendor invoice
(MISSING_INVOICE).

Lines are never changed (append-only); a resolution is a row:
- LATE_RECEIPT: the line is matched again against the receiving lines posted now; when it
  matches, a new matched line of the same invoice is written (the next line number) with its
  VENDOR_INVOICE entry, dated the day of the resolution, and the held line is RESOLVED; when
  it still does not match, the resolution is refused naming the defect.
- CREDIT_NOTE: the vendor credited the whole line; it is closed, nothing is payable for it.
- CORRECTED_INVOICE: the vendor sent a corrected invoice, entered as a new vendor invoice
  (its own number); the held line is closed as superseded, nothing is payable for it.
A note (the credit note's or the corrected invoice's number, or what was found) is required."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.adapters.accruals import lock_vendors
from app.adapters.db import transaction_time
from app.domain.matching import InvoiceLineIn, Matcher, entry_roles, missing_since
from app.domain.vocabulary import HELD, MATCHED, POSTED, RESOLUTIONS, RESOLVED, Permission, one_of
from app.models import (
    InvoiceResolution,
    PaymentRunLine,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
    VendorInvoice,
    VendorInvoiceLine,
)

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .gl_accounts import gl_for
from .security import require
from .vendor_invoices import known_products, post_matched, receiving_lines

LATE_RECEIPT = RESOLUTIONS[2]


@dataclass(frozen=True)
class LineView:
    line_id: int
    vendor_code: str
    invoice_no: str
    invoice_date: date
    due_date: date
    line_no: int
    slip_no: str
    slip_line_no: int | None
    product_code: str
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal
    received_value: Decimal
    defect: str | None
    state: str  # MATCHED, HELD or RESOLVED
    resolution: str
    note: str
    paid: bool


def line_views(session: Session, vendor: str | None = None) -> list[LineView]:
    """Every vendor invoice line, by vendor, invoice and line (optionally of one vendor)."""
    vi, vil, res = VendorInvoice, VendorInvoiceLine, InvoiceResolution
    query = (
        select(vil.id, Vendor.code, vi.invoice_no, vi.invoice_date, vi.due_date, vil.line_no, vil.slip_no,
               vil.slip_line_no, vil.product_code, vil.quantity, vil.unit_cost, vil.amount, vil.received_value,
               vil.defect, res.resolution, res.note, PaymentRunLine.id)
        .join(vi, vi.id == vil.vendor_invoice_id)
        .join(Vendor, Vendor.id == vi.vendor_id)
        .outerjoin(res, res.vendor_invoice_line_id == vil.id)
        .outerjoin(PaymentRunLine, PaymentRunLine.vendor_invoice_line_id == vil.id)
        .order_by(Vendor.code, vi.invoice_no, vil.line_no)
    )  # fmt: skip
    if vendor:
        query = query.where(Vendor.code == vendor)
    out = []
    for *head, defect, resolution, note, paid in session.execute(query):
        state = MATCHED if defect is None else RESOLVED if resolution else HELD
        out.append(LineView(*head, defect, state, resolution or "", note or "", paid is not None))  # type: ignore[call-arg]
    return out


def list_lines(uow: UnitOfWork, vendor: str | None = None) -> list[LineView]:
    """The Vendor Invoices screen's list (see line_views)."""
    return line_views(uow.session, vendor)


def resolve_line(
    uow: UnitOfWork, line_id: int, resolution: str, note: str, day: date | None = None, commit: bool = True
) -> LineView:
    """Resolve a held line (see the module); refused, writing nothing, when it is not held."""
    require(uow, Permission.PAYABLES)
    session = uow.session
    day = day or date.today()
    label = f"Vendor invoice line {line_id}"
    line = session.get(VendorInvoiceLine, line_id)
    if line is None:
        raise ValidationFailed([Problem(label, "line", f"line {line_id} does not exist")])
    head = session.get(VendorInvoice, line.vendor_invoice_id)
    assert head is not None
    label = f"Line {line.line_no} of vendor invoice {head.invoice_no}"
    lock_vendors(session, {head.vendor_id})
    problems = []
    if line.defect is None:
        problems.append(Problem(label, "line", "is matched: there is nothing to resolve"))
    elif session.scalar(select(InvoiceResolution.id).where(InvoiceResolution.vendor_invoice_line_id == line_id)):
        problems.append(Problem(label, "line", "is resolved already"))
    if resolution not in RESOLUTIONS:
        problems.append(Problem(label, "resolution", f"must be {one_of(RESOLUTIONS)} (got {resolution or 'blank'})"))
    if not (note or "").strip():
        problems.append(Problem(label, "note", "is required"))
    if day < head.invoice_date:
        problems.append(Problem(label, "date", f"{day} is before the invoice date {head.invoice_date}"))
    if problems:
        raise ValidationFailed(problems)
    entry_id = _rematch(uow, head, line, day, label) if resolution == LATE_RECEIPT else None
    session.add(
        InvoiceResolution(
            vendor_invoice_line_id=line_id, resolution=resolution, note=note.strip(), entry_id=entry_id,
            created_by=uow.user, created_at=transaction_time(session.connection()),
        )
    )  # fmt: skip
    session.flush()
    view = next(v for v in line_views(session) if v.line_id == line_id)
    if commit:
        uow.commit()
    return view


def _rematch(uow: UnitOfWork, head: VendorInvoice, line: VendorInvoiceLine, day: date, label: str) -> int | None:
    """Match the held line again; a new matched line and its entry, or refused naming the defect."""
    session = uow.session
    assert line.slip_line_no is not None
    matcher = Matcher(receiving_lines(session, {line.slip_no}), known_products(session))
    found = matcher.match(
        InvoiceLineIn(line.slip_no, line.slip_line_no, line.product_code, line.quantity, line.unit_cost)
    )
    if found.defect is not None:
        raise ValidationFailed([Problem(label, "resolution", f"still {found.defect}: {found.message}")])
    gl = gl_for(session, entry_roles([found]), "the line was not resolved")
    stamp = transaction_time(session.connection())
    entry_id = post_matched(uow, head, [found], day, gl, stamp)
    last = session.scalar(
        select(func.max(VendorInvoiceLine.line_no)).where(VendorInvoiceLine.vendor_invoice_id == head.id)
    )
    session.add(
        VendorInvoiceLine(
            vendor_invoice_id=head.id, line_no=(last or 0) + 1, slip_no=line.slip_no, slip_line_no=line.slip_line_no,
            receipt_line_id=found.receipt_line_id, product_code=line.product_code,
            product_id=session.scalar(select(Product.id).where(Product.code == line.product_code)),
            quantity=line.quantity, unit_cost=line.unit_cost, amount=found.amount,
            received_value=found.received_value, defect=None, entry_id=entry_id,
        )
    )  # fmt: skip
    session.flush()
    return entry_id


@dataclass(frozen=True)
class MissingInvoice:
    vendor_code: str
    slip_no: str
    line_no: int
    received_date: date
    product_code: str
    quantity: Decimal
    amount: Decimal


def missing_invoices(session: Session, as_of: date) -> list[MissingInvoice]:
    """MISSING_INVOICE: posted receiving lines (quantity above zero) received more than 30 days
    before as_of that no vendor invoice line names (matched or held)."""
    rl, s = ReceiptLine, ReceivingSlip
    named = select(VendorInvoiceLine.id).where(VendorInvoiceLine.receipt_line_id == rl.id).exists()
    query = (
        select(Vendor.code, s.slip_no, rl.line_no, s.received_date, Product.code, rl.quantity, rl.amount)
        .join(s, s.id == rl.slip_id)
        .join(Vendor, Vendor.id == s.vendor_id)
        .join(Product, Product.id == rl.product_id)
        .where(s.status == POSTED, s.received_date < missing_since(as_of), rl.quantity > 0, ~named)
        .order_by(Vendor.code, s.received_date, s.slip_no, rl.line_no)
    )
    return [MissingInvoice(*row) for row in session.execute(query)]
