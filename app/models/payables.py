"""Tables of SPEC Part II §15–§16 (migration 0016): vendor invoices and their lines as matched
to receiving lines (with the defect of a flagged line), the resolutions of flagged lines,
payment runs (per vendor, and what each paid or deducted), provisions for receivables. All
append-only: what is paid, open or provisioned is derived from these rows. No business rules
here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.adapters.types import Money, Quantity, UtcDateTime

from .base import Base


class VendorInvoice(Base):
    """What a vendor bills us for goods (SPEC §15); its number is unique per vendor."""

    __tablename__ = "vendor_invoice"
    __table_args__ = (UniqueConstraint("vendor_id", "invoice_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    invoice_no: Mapped[str] = mapped_column(String(40))
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VendorInvoiceLine(Base):
    """One line of a vendor invoice as given (slip, slip line, product, quantity, unit cost) and
    as matched: the receiving line it matched, or the defect that holds it (SPEC §16); entry_id:
    the entry of the matched part (Dr RECEIVED_NOT_INVOICED / Cr ACCOUNTS_PAYABLE)."""

    __tablename__ = "vendor_invoice_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_invoice_id: Mapped[int] = mapped_column(ForeignKey("vendor_invoice.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    slip_no: Mapped[str] = mapped_column(String(30), default="")
    slip_line_no: Mapped[int | None] = mapped_column(Integer)
    receipt_line_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_line.id"), index=True)
    product_code: Mapped[str] = mapped_column(String(40), default="")
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Quantity())
    amount: Mapped[Decimal] = mapped_column(Money())  # what the vendor bills for the line
    received_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))  # at our cost, matched part
    defect: Mapped[str | None] = mapped_column(String(30))
    entry_id: Mapped[int | None] = mapped_column(Integer)


class InvoiceResolution(Base):
    """How a flagged vendor invoice line was resolved (a vendor credit note, a corrected invoice,
    a late receipt), by whom and when; entry_id: the posting it released."""

    __tablename__ = "invoice_resolution"
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_invoice_line_id: Mapped[int] = mapped_column(ForeignKey("vendor_invoice_line.id"), index=True)
    resolution: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    entry_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PaymentRun(Base):
    """A payment run for a date (SPEC §15)."""

    __tablename__ = "payment_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_date: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PaymentRunVendor(Base):
    """What a run paid one vendor: gross due, co-op deducted, provision held, net paid; its
    entry (Dr ACCOUNTS_PAYABLE gross / Cr CASH net / Cr CLAIMS_RECEIVABLE deductions)."""

    __tablename__ = "payment_run_vendor"
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_run.id"), primary_key=True, autoincrement=False)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), primary_key=True)
    gross: Mapped[Decimal] = mapped_column(Money())
    deductions: Mapped[Decimal] = mapped_column(Money())
    provision: Mapped[Decimal] = mapped_column(Money())
    net: Mapped[Decimal] = mapped_column(Money())
    entry_id: Mapped[int | None] = mapped_column(Integer)


class PaymentRunLine(Base):
    """One item of a vendor's payment: a matched vendor invoice line paid (vendor_invoice_line_id,
    unique: a line is paid once; a flagged line resolved later is paid by a later run), a co-op
    invoice deducted (coop_invoice_id; its settlement_id), or a provision held (provision_id)."""

    __tablename__ = "payment_run_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_run.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    vendor_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("vendor_invoice.id"), index=True)
    vendor_invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("vendor_invoice_line.id"), unique=True)
    coop_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("coop_invoice.id"), index=True)
    settlement_id: Mapped[int | None] = mapped_column(Integer)
    provision_id: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money())


class Provision(Base):
    """A provision for receivables placed (`250317_PROVISION_FOR_RECEIVABLES`) or the reversal of
    one (its name with an `R`, reverses_id set), dated the day placed or reversed (SPEC §15). A
    hold on payments, not a journal entry."""

    __tablename__ = "provision"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    event_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    reverses_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
