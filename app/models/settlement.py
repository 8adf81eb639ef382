"""Tables of SPEC Part II §13–§14 (migration 0015): month closes, co-op invoices and the
journal lines they hold, settlements (cheques, credit notes, write-offs, dispute credits) and
what they apply to invoices, disputes and their resolutions, vendor actuals and their
decisions, documents attached to disputes and actuals. All append-only: an invoice's open
amount and status are derived from the rows that settle it; a mistake is corrected by a
reversing record. No business rules here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.adapters.types import KindName, Money, Percent, UtcDateTime

from .base import Base


class MonthClose(Base):
    """A month closed in full (SPEC §13): every vendor invoiced. Months close in order."""

    __tablename__ = "month_close"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    run_date: Mapped[date] = mapped_column(Date)
    closed_by: Mapped[str] = mapped_column(String(60))
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VendorClose(Base):
    """One vendor's part of a month's close, committed in its own transaction: a close that
    stops half-way leaves every vendor invoiced in full or untouched, and goes on from there."""

    __tablename__ = "vendor_close"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), primary_key=True)
    closed_by: Mapped[str] = mapped_column(String(60))
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CoopInvoice(Base):
    """A co-op invoice (SPEC §13): frozen once made. amount < 0 is a credit to the vendor.
    agreement_id is None for the vendor's provisional accruals of one kind."""

    __tablename__ = "coop_invoice"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_no: Mapped[str] = mapped_column(String(40), unique=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    invoice_date: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(Integer)
    agreement_no: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(KindName())
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Money())
    held: Mapped[bool] = mapped_column(Boolean, default=False)  # actuals required when it was made
    entry_id: Mapped[int | None] = mapped_column(Integer)  # Dr CLAIMS_RECEIVABLE / Cr REBATE_RECEIVABLE
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InvoiceLine(Base):
    """A REBATE_RECEIVABLE journal line on an invoice: the primary key is the journal line, so
    no line is ever on two invoices. The ladder scope, tier and rate the receipt line stood at
    when the invoice was made, kept so that the backup never changes afterwards."""

    __tablename__ = "invoice_line"
    journal_line_id: Mapped[int] = mapped_column(ForeignKey("journal_line.id"), primary_key=True, autoincrement=False)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("coop_invoice.id"), index=True)
    scope: Mapped[str] = mapped_column(String(200), default="")
    tier: Mapped[int | None] = mapped_column(Integer)
    rate: Mapped[Decimal | None] = mapped_column(Percent())  # percent, e.g. 3.0000


class Settlement(Base):
    """A cheque (PAYMENT), a vendor credit note (CREDIT_NOTE), a WRITE_OFF, a dispute's credit
    memo (DISPUTE_CREDIT), a payment run's DEDUCTION, or the REVERSAL of one of them (SPEC §14):
    its journal entry, and what it applies to invoices in settlement_line."""

    __tablename__ = "settlement"
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    settle_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(Integer)
    entry_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SettlementLine(Base):
    """The part of a settlement applied to one invoice (negative on a reversal)."""

    __tablename__ = "settlement_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlement.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("coop_invoice.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())


class Dispute(Base):
    """A vendor's dispute of an invoice (SPEC §14), with its Dispute ID (DSP-2025-000001)."""

    __tablename__ = "dispute"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_no: Mapped[str] = mapped_column(String(20), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("coop_invoice.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money())
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    filed_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DisputeResolution(Base):
    """How a dispute was answered: ACCEPTED (amount credited, settlement_id its credit memo)
    or REJECTED (reason). One per dispute."""

    __tablename__ = "dispute_resolution"
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(Text, default="")
    resolved_date: Mapped[date] = mapped_column(Date)
    settlement_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VendorActual(Base):
    """What a vendor states it expects to be billed for one agreement and month (SPEC §13
    actuals); a resubmission is a new row."""

    __tablename__ = "vendor_actual"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(Money())
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ActualDecision(Base):
    """ACCEPTED (entry_id: the ACTUALS entry of the difference) or REJECTED (reason)."""

    __tablename__ = "actual_decision"
    actual_id: Mapped[int] = mapped_column(ForeignKey("vendor_actual.id"), primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_date: Mapped[date] = mapped_column(Date)
    entry_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Document(Base):
    """A supporting document of a dispute or an actual (owner DISPUTE or ACTUAL), kept in the
    database; its type checked by content, its size limited (SPEC §14)."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


Index("ix_document_owner", Document.owner, Document.owner_id)
Index("ix_vendor_actual_agreement_month", VendorActual.agreement_id, VendorActual.month)
