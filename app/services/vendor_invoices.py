"""Vendor invoices (SPEC §15–§16): entered from `coop import vendor-invoices` or the Vendor
Invoices screen, matched line by line to posted receiving lines (app.domain.matching). One use
case, one transaction, all or nothing: a duplicate number of the vendor (in the database or
among the invoices given), an unknown vendor, a slip of another vendor, a quantity not above
zero, a due date before the invoice date are refused with nothing written.

The matched lines of an invoice post one VENDOR_INVOICE entry dated the invoice date (Dr
RECEIVED_NOT_INVOICED / Cr ACCOUNTS_PAYABLE / PURCHASE_PRICE_VARIANCE); flagged lines post
nothing and are held until resolved (app.services.invoice_resolutions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.adapters.accruals import lock_vendors
from app.adapters.bulk import BulkWriter, rows_in, string_length, table_of
from app.adapters.db import transaction_time
from app.adapters.entry_writer import OtherEntry, write_entries
from app.domain.matching import InvoiceLineIn, Match, Matcher, ReceivingLine, entry_roles, invoice_entry_lines
from app.domain.money import decimal_places
from app.domain.vocabulary import POSTED, SOURCE_NAMES, VENDOR_INVOICE, Permission
from app.models import Product, ReceiptLine, ReceivingSlip, Vendor, VendorInvoice, VendorInvoiceLine

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .gl_accounts import gl_for
from .security import require

NUMBER_LENGTH = string_length(VendorInvoice, "invoice_no")
LINE_COLUMNS = ("vendor_invoice_id", "line_no", "slip_no", "slip_line_no", "receipt_line_id", "product_code",
                "product_id", "quantity", "unit_cost", "amount", "received_value", "defect", "entry_id")  # fmt: skip


@dataclass(frozen=True)
class VendorInvoiceLineIn:
    slip_no: str
    slip_line_no: int | None
    product_code: str
    quantity: Decimal | None
    unit_cost: Decimal | None
    label: str = "Line"


@dataclass(frozen=True)
class VendorInvoiceIn:
    invoice_no: str
    vendor: str
    invoice_date: date | None
    due_date: date | None
    lines: tuple[VendorInvoiceLineIn, ...]
    label: str = "Vendor invoice"


@dataclass(frozen=True)
class EnteredInvoice:
    invoice_id: int
    invoice_no: str
    vendor_code: str
    amount: Decimal
    entry_id: int | None
    matches: tuple[Match, ...]

    @property
    def held(self) -> int:
        return sum(1 for m in self.matches if m.defect is not None)


def enter_vendor_invoices(
    uow: UnitOfWork, records: Sequence[VendorInvoiceIn], commit: bool = True
) -> list[EnteredInvoice]:
    """Match and record the invoices; refused as a whole, writing nothing, when any is wrong."""
    require(uow, Permission.PAYABLES)
    session = uow.session
    vendors = dict(rows_in(session, select(Vendor.code, Vendor.id), Vendor.code, sorted({r.vendor for r in records})))
    lock_vendors(session, set(vendors.values()))
    slips = _slips(session, {ln.slip_no for r in records for ln in r.lines if ln.slip_no})
    problems = _problems(session, records, vendors, slips)
    if problems:
        raise ValidationFailed(problems)
    matcher = Matcher(receiving_lines(session, {s for s, _v, _p in slips.values() if _p}), known_products(session))
    matched = [tuple(matcher.match(_line_in(ln)) for ln in r.lines) for r in records]
    roles = tuple(dict.fromkeys(role for ms in matched for role in entry_roles(ms)))
    gl = gl_for(session, roles, "no vendor invoice was recorded")
    stamp = transaction_time(session.connection())
    heads = []
    for r in records:
        assert r.invoice_date is not None and r.due_date is not None
        head = VendorInvoice(
            vendor_id=vendors[r.vendor], invoice_no=r.invoice_no, invoice_date=r.invoice_date, due_date=r.due_date,
            created_by=uow.user, created_at=stamp,
        )  # fmt: skip
        session.add(head)
        heads.append(head)
    session.flush()
    products = dict(session.execute(select(Product.code, Product.id)).all())
    out = []
    # The invoices' entries in one write (one counter update), their lines through the driver at once.
    entries = [matched_entry(head, ms, head.invoice_date) for head, ms in zip(heads, matched, strict=True)]
    numbers = iter(write_entries(session, [e for e in entries if e is not None], gl, uow.user, stamp))
    rows: list[tuple[object, ...]] = []
    for r, head, ms, entry in zip(records, heads, matched, entries, strict=True):
        entry_id = next(numbers) if entry is not None else None
        rows.extend(
            (head.id, n, ln.slip_no, ln.slip_line_no, m.receipt_line_id, ln.product_code, products.get(ln.product_code),
             ln.quantity, ln.unit_cost, m.amount, m.received_value, m.defect, entry_id if m.defect is None else None)
            for n, (ln, m) in enumerate(zip(r.lines, ms, strict=True), start=1)
        )  # fmt: skip
        out.append(EnteredInvoice(head.id, r.invoice_no, r.vendor, sum((m.amount for m in ms), Decimal("0.00")),
                                  entry_id, ms))  # fmt: skip
    BulkWriter(session).insert(table_of(VendorInvoiceLine), LINE_COLUMNS, rows)
    if commit:
        uow.commit()
    return out


def _line_in(ln: VendorInvoiceLineIn) -> InvoiceLineIn:
    assert ln.slip_line_no is not None and ln.quantity is not None and ln.unit_cost is not None
    return InvoiceLineIn(ln.slip_no, ln.slip_line_no, ln.product_code, ln.quantity, ln.unit_cost)


def post_matched(
    uow: UnitOfWork, head: VendorInvoice, matches: Sequence[Match], day: date, gl: dict[str, int], stamp: object
) -> int | None:
    """The VENDOR_INVOICE entry of the matched lines written (None when none matched)."""
    entry = matched_entry(head, matches, day)
    if entry is None:
        return None
    return write_entries(uow.session, [entry], gl, uow.user, stamp)[0]  # type: ignore[arg-type]


def matched_entry(head: VendorInvoice, matches: Sequence[Match], day: date) -> OtherEntry | None:
    """The VENDOR_INVOICE entry of the matched lines (None when none matched)."""
    memo = f"{SOURCE_NAMES[VENDOR_INVOICE]} {head.invoice_no}"
    lines = invoice_entry_lines(matches, memo)
    return OtherEntry(day, VENDOR_INVOICE, head.invoice_no, head.vendor_id, None, None, lines) if lines else None


def _slips(session: Session, slip_nos: set[str]) -> dict[str, tuple[str, int, bool]]:
    """slip number -> (slip number, vendor id, posted) of the slips named."""
    s = ReceivingSlip
    query = select(s.slip_no, s.vendor_id, s.status)
    return {no: (no, vid, status == POSTED) for no, vid, status in rows_in(session, query, s.slip_no, sorted(slip_nos))}


def receiving_lines(session: Session, slip_nos: set[str]) -> dict[tuple[str, int], ReceivingLine]:
    """The posted receiving lines of the slips, with the quantity matched vendor invoice lines hold."""
    rl, s = ReceiptLine, ReceivingSlip
    query = (
        select(rl.id, s.slip_no, rl.line_no, Product.code, rl.quantity, rl.unit_cost)
        .join(s, s.id == rl.slip_id)
        .join(Product, Product.id == rl.product_id)
        .where(s.status == POSTED)
    )
    rows = list(rows_in(session, query, s.slip_no, sorted(slip_nos)))
    invoiced = _invoiced(session, [r[0] for r in rows])
    return {
        (slip_no, line_no): ReceivingLine(rid, slip_no, line_no, code, qty, cost, invoiced.get(rid, Decimal(0)))
        for rid, slip_no, line_no, code, qty, cost in rows
    }


def _invoiced(session: Session, receipt_line_ids: Sequence[int]) -> dict[int, Decimal]:
    vil = VendorInvoiceLine
    query = (
        select(vil.receipt_line_id, func.sum(vil.quantity)).where(vil.defect.is_(None)).group_by(vil.receipt_line_id)
    )
    rows = rows_in(session, query, vil.receipt_line_id, sorted(receipt_line_ids))
    return {rid: Decimal(q) for rid, q in rows if rid is not None}


def known_products(session: Session) -> frozenset[str]:
    return frozenset(session.scalars(select(Product.code)))


def _problems(
    session: Session,
    records: Sequence[VendorInvoiceIn],
    vendors: dict[str, int],
    slips: dict[str, tuple[str, int, bool]],
) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for r in records:
        label = r.label
        vid = vendors.get(r.vendor)
        if not r.vendor:
            out.append(Problem(label, "vendor_code", "is required"))
        elif vid is None:
            out.append(Problem(label, "vendor_code", f"vendor {r.vendor} does not exist"))
        out.extend(_head_problems(session, r, vid, seen))
        if not r.lines:
            out.append(Problem(label, "lines", "has no lines"))
        for ln in r.lines:
            out.extend(_line_problems(ln, r.vendor, vid, slips))
    return out


def _head_problems(
    session: Session, r: VendorInvoiceIn, vendor_id: int | None, seen: dict[tuple[str, str], str]
) -> list[Problem]:
    label, out = r.label, []
    if not r.invoice_no:
        out.append(Problem(label, "invoice_no", "is required"))
    elif len(r.invoice_no) > NUMBER_LENGTH:
        out.append(Problem(label, "invoice_no", f"is too long (at most {NUMBER_LENGTH} characters)"))
    elif (r.vendor, r.invoice_no) in seen:
        out.append(Problem(label, "invoice_no", f"invoice {r.invoice_no} of {r.vendor} is given twice "
                           f"(also {seen[(r.vendor, r.invoice_no)]})"))  # fmt: skip
    elif vendor_id is not None and session.scalar(
        select(VendorInvoice.id).where(VendorInvoice.vendor_id == vendor_id, VendorInvoice.invoice_no == r.invoice_no)
    ):
        out.append(Problem(label, "invoice_no", f"invoice {r.invoice_no} of {r.vendor} is recorded already"))
    seen.setdefault((r.vendor, r.invoice_no), label)
    if r.invoice_date is None:
        out.append(Problem(label, "invoice_date", "is required (YYYY-MM-DD)"))
    if r.due_date is None:
        out.append(Problem(label, "due_date", "is required (YYYY-MM-DD)"))
    elif r.invoice_date is not None and r.due_date < r.invoice_date:
        out.append(Problem(label, "due_date", f"{r.due_date} is before the invoice date {r.invoice_date}"))
    return out


def _line_problems(
    ln: VendorInvoiceLineIn, vendor: str, vendor_id: int | None, slips: dict[str, tuple[str, int, bool]]
) -> list[Problem]:
    label, out = ln.label, []
    if not ln.slip_no:
        out.append(Problem(label, "slip_no", "is required"))
    elif ln.slip_no in slips and vendor_id is not None and slips[ln.slip_no][1] != vendor_id:
        out.append(Problem(label, "slip_no", f"slip {ln.slip_no} is not a slip of vendor {vendor}"))
    if ln.slip_line_no is None:
        out.append(Problem(label, "line_no", "is required"))
    if not ln.product_code:
        out.append(Problem(label, "product_code", "is required"))
    if ln.quantity is None:
        out.append(Problem(label, "quantity", "is required"))
    elif ln.quantity <= 0:
        out.append(Problem(label, "quantity", f"must be greater than 0 (got {ln.quantity}; a credit is a credit note)"))
    elif decimal_places(ln.quantity) > 4:
        out.append(Problem(label, "quantity", f"{ln.quantity} has more than 4 decimals"))
    if ln.unit_cost is None:
        out.append(Problem(label, "unit_cost", "is required"))
    elif ln.unit_cost < 0 or decimal_places(ln.unit_cost) > 4:
        out.append(Problem(label, "unit_cost", f"{ln.unit_cost} must be 0 or more with at most 4 decimals"))
    return out


@dataclass(frozen=True)
class SlipToInvoice:
    """A posted slip as the start of keying its vendor invoice: its vendor, and each line with
    the quantity not yet on a matched vendor invoice line, at the cost received."""

    vendor_code: str
    lines: tuple[VendorInvoiceLineIn, ...]


def slip_to_invoice(uow: UnitOfWork, slip_no: str) -> SlipToInvoice:
    """The slip's lines left to invoice; refused naming the slip when it is unknown or not posted."""
    require(uow, Permission.PAYABLES)
    session, label = uow.session, f"Slip {slip_no}"
    found = _slips(session, {slip_no}).get(slip_no)
    if found is None:
        raise ValidationFailed([Problem(label, "slip_no", f"slip {slip_no} does not exist")])
    if not found[2]:
        raise ValidationFailed([Problem(label, "slip_no", f"slip {slip_no} is not posted")])
    vendor_code = session.scalar(select(Vendor.code).where(Vendor.id == found[1]))
    assert vendor_code is not None
    lines = tuple(
        VendorInvoiceLineIn(slip_no, ln.line_no, ln.product_code, ln.quantity - ln.invoiced, ln.unit_cost)
        for _key, ln in sorted(receiving_lines(session, {slip_no}).items())
        if ln.quantity - ln.invoiced > 0
    )
    return SlipToInvoice(vendor_code, lines)
