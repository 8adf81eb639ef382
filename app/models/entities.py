"""Tables of SPEC §2."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.adapters.types import KindName, Money, MoneyTotal, Percent, Quantity, QuantityTotal, UtcDateTime
from app.domain.vocabulary import DRAFT, PENDING

from .base import Base


class Company(Base):
    __tablename__ = "company"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3), default="CAD")
    address: Mapped[str] = mapped_column(Text, default="")
    # SPEC §13–§14: how to pay an invoice, the write-off tolerance, the dispute filing window.
    remit_to: Mapped[str] = mapped_column(Text, default="")
    write_off_tolerance: Mapped[Decimal] = mapped_column(Money(), default=Decimal("5.00"))
    dispute_window_days: Mapped[int] = mapped_column(Integer, default=60)


class Category(Base):
    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("level", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    description: Mapped[str] = mapped_column(String(120), default="")
    parent: Mapped[Category | None] = relationship(remote_side=[id])


class Vendor(Base):
    __tablename__ = "vendor"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3), default="CAD")
    address: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where invoices go, how a provisional invoice is settled, and its terms (SPEC §11.1, §18).
    billing_address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    default_method: Mapped[str] = mapped_column(String(2), default="CD")
    terms_days: Mapped[int] = mapped_column(Integer, default=30)


class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    cat1: Mapped[str | None] = mapped_column(String(40))
    cat2: Mapped[str | None] = mapped_column(String(40))
    cat3: Mapped[str | None] = mapped_column(String(40))
    cat4: Mapped[str | None] = mapped_column(String(40))
    unit_cost: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    vendor_item_code: Mapped[str | None] = mapped_column(String(40))  # the vendor's own code (SPEC §13, §16)
    # Weighted net cost of what was received (SPEC §6.4): sums kept exact.
    received_qty: Mapped[Decimal] = mapped_column(QuantityTotal(), default=Decimal(0))
    received_net: Mapped[Decimal] = mapped_column(MoneyTotal(), default=Decimal(0))
    vendor: Mapped[Vendor] = relationship()


class GlAccount(Base):
    __tablename__ = "gl_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(20))


class GlReference(Base):
    __tablename__ = "gl_reference"
    role: Mapped[str] = mapped_column(String(30), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("gl_account.id"))
    account: Mapped[GlAccount] = relationship()


class Agreement(Base):
    __tablename__ = "agreement"
    __table_args__ = (UniqueConstraint("vendor_id", "kind", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    kind: Mapped[str] = mapped_column(KindName())
    number: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    version: Mapped[int] = mapped_column(Integer, default=1)
    next_line_no: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # SPEC §11.1: who accepted (or rejected) it and when; its terms and conditions.
    decided_by: Mapped[str | None] = mapped_column(String(60))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terms: Mapped[str] = mapped_column(Text, default="")
    # The header (issue 14): a description, the vendor's contract reference, validity dates
    # (lines default to them).
    description: Mapped[str] = mapped_column(String(200), default="")
    vendor_ref: Mapped[str] = mapped_column(String(60), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # LUMP_SUM (SPEC §11.2): the amount accrued evenly by day over start_date..end_date, and M.
    amount: Mapped[Decimal | None] = mapped_column(Money())
    method: Mapped[str | None] = mapped_column(String(2))
    actuals_required: Mapped[bool] = mapped_column(Boolean, default=False)  # SPEC §13
    vendor: Mapped[Vendor] = relationship()
    lines: Mapped[list[AgreementLine]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementLine.line_no"
    )


class AgreementLine(Base):
    __tablename__ = "agreement_line"
    __table_args__ = (UniqueConstraint("agreement_id", "line_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    cat1: Mapped[str | None] = mapped_column(String(40))
    cat2: Mapped[str | None] = mapped_column(String(40))
    cat3: Mapped[str | None] = mapped_column(String(40))
    cat4: Mapped[str | None] = mapped_column(String(40))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    max_amount: Mapped[Decimal] = mapped_column(Money())
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    rebate1: Mapped[Decimal | None] = mapped_column(Percent())
    rebate2: Mapped[Decimal | None] = mapped_column(Percent())
    rebate3: Mapped[Decimal | None] = mapped_column(Percent())
    rebate4: Mapped[Decimal | None] = mapped_column(Percent())
    method: Mapped[str] = mapped_column(String(2), default="SC")
    degressive: Mapped[bool] = mapped_column(Boolean, default=False)
    retro: Mapped[bool] = mapped_column(Boolean, default=False)
    product_pct: Mapped[Decimal] = mapped_column(Percent(), default=Decimal(0))
    period: Mapped[str | None] = mapped_column(String(1))
    expected_volume: Mapped[Decimal | None] = mapped_column(MoneyTotal())  # accrual at the expected tier
    agreement: Mapped[Agreement] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()


class AgreementHistory(Base):
    """Append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "agreement_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, index=True)
    line_no: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReceivingSlip(Base):
    __tablename__ = "receiving_slip"
    id: Mapped[int] = mapped_column(primary_key=True)
    slip_no: Mapped[str] = mapped_column(String(30), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    received_date: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    created_by: Mapped[str] = mapped_column(String(60), default="")
    posted_by: Mapped[str | None] = mapped_column(String(60))
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    vendor: Mapped[Vendor] = relationship()
    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="slip", cascade="all, delete-orphan", order_by="ReceiptLine.line_no"
    )


Index("ix_receiving_slip_status_date", ReceivingSlip.status, ReceivingSlip.received_date)


class ReceiptLine(Base):
    __tablename__ = "receipt_line"
    __table_args__ = (UniqueConstraint("slip_id", "line_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slip_id: Mapped[int] = mapped_column(ForeignKey("receiving_slip.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Quantity())
    amount: Mapped[Decimal] = mapped_column(Money())
    slip: Mapped[ReceivingSlip] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class JournalEntry(Base):
    """Posted entries are never changed (database triggers refuse UPDATE and DELETE). Ids
    come from the `journal_entry` number series (NumberSeries), not the column's default."""

    __tablename__ = "journal_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(KindName())
    reference: Mapped[str] = mapped_column(String(60), default="")
    created_by: Mapped[str] = mapped_column(String(60), default="")
    # When the entry was posted (the posting transaction's stamp): exported as posted_at
    # (SPEC §9), the journal's one record of posting time. Indexed for --posted-from/--to.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class NumberSeries(Base):
    """The next number of a numbered series (`journal_entry`: the entries' ids), taken and
    advanced inside the writing transaction under the row's lock (app.adapters.bulk.
    BulkWriter.next_ids): numbers in commit order, and a rollback leaves no hole."""

    __tablename__ = "number_series"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)


class JournalLine(Base):
    __tablename__ = "journal_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("gl_account.id"))
    role: Mapped[str] = mapped_column(String(30))
    debit: Mapped[Decimal] = mapped_column(Money())
    credit: Mapped[Decimal] = mapped_column(Money())
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendor.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    receipt_line_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_line.id"), index=True)
    slip_no: Mapped[str | None] = mapped_column(String(30))
    line_no: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(KindName())
    memo: Mapped[str] = mapped_column(String(200), default="")
    # ACCRUAL, RETRO and RERATE lines: the number of the agreement (of this vendor and kind)
    # the receipt line accrues under after this entry; a RERATE that ends an accrual names
    # the agreement it leaves. Stored as written, like slip_no: the journal never changes,
    # even when a pending agreement is deleted later.
    agreement_no: Mapped[str | None] = mapped_column(String(20))


class JournalExport(Base):
    """A numbered `coop export journal --new` (SPEC §9): append-only, numbers without gaps."""

    __tablename__ = "journal_export"
    export_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    exported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    exported_by: Mapped[str] = mapped_column(String(60))
    line_count: Mapped[int] = mapped_column(Integer)
    # Sums over the journal, like the running totals: 19 digits (migration 0010).
    total_debit: Mapped[Decimal] = mapped_column(MoneyTotal())
    total_credit: Mapped[Decimal] = mapped_column(MoneyTotal())
    file_name: Mapped[str] = mapped_column(Text, default="")


class JournalExportLine(Base):
    """The export that carried a journal line: the primary key is the line, so no line is
    ever in two exports (journal lines themselves are never updated)."""

    __tablename__ = "journal_export_line"
    line_id: Mapped[int] = mapped_column(ForeignKey("journal_line.id"), primary_key=True, autoincrement=False)
    export_no: Mapped[int] = mapped_column(ForeignKey("journal_export.export_no"), index=True)


class LineAccrual(Base):
    """What is posted today for one receipt line and kind: the state re-rating compares with.

    Always equal to the sum of the line's ACCRUAL, RETRO and RERATE journal lines.
    """

    __tablename__ = "line_accrual"
    receipt_line_id: Mapped[int] = mapped_column(ForeignKey("receipt_line.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(KindName(), primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    ladder_key: Mapped[str | None] = mapped_column(Text)
    agreement_id: Mapped[int | None] = mapped_column(Integer)
    period_key: Mapped[str] = mapped_column(String(10), default="")
    received_date: Mapped[date] = mapped_column(Date)
    slip_no: Mapped[str] = mapped_column(String(30))
    line_no: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money())
    # No running volume here (migration 0006): a back-dated line would rewrite it on every
    # later line of its ladder. queries.ladder_lines derives it with a window sum.
    tier: Mapped[int] = mapped_column(Integer, default=0)
    rebate: Mapped[Decimal] = mapped_column(Money())
    retro: Mapped[Decimal] = mapped_column(Money())
    inventory: Mapped[Decimal] = mapped_column(Money())


Index(
    "ix_line_accrual_ladder",
    LineAccrual.ladder_key,
    LineAccrual.received_date,
    LineAccrual.slip_no,
    LineAccrual.line_no,
)
# No index on vendor_id (migration 0005): a vendor's rows are found through its receipt
# lines (the primary key starts with receipt_line_id); see app.adapters.accruals.vendor_accruals.


class AppUser(Base):
    """A person who may use the application; the operating-system login maps to `login`."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LadderVolume(Base):
    """Running volume of a ladder per period bucket and the position of its last line.

    Derived from line_accrual and kept in the same transactions, so posting in date order
    reads one row per ladder instead of summing its lines.
    """

    __tablename__ = "ladder_volume"
    ladder_key: Mapped[str] = mapped_column(Text, primary_key=True)
    period_key: Mapped[str] = mapped_column(String(10), primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    volume: Mapped[Decimal] = mapped_column(MoneyTotal())
    last_date: Mapped[date] = mapped_column(Date)
    last_slip_no: Mapped[str] = mapped_column(String(30))
    last_line_no: Mapped[int] = mapped_column(Integer)


class VendorRating(Base):
    """What a vendor's posted accruals were last computed against (SPEC §6.3 re-rating).

    The fingerprint covers the vendor's accepted ladders and its products' categories (all
    that decides the accruals of posted lines) and the engine's revision. Posting, re-rating
    and agreement amendments keep the vendor's accruals equal to that computation, so a
    re-rate only recomputes vendors whose fingerprint has changed (or all, with --full).
    """

    __tablename__ = "vendor_rating"
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditTrail(Base):
    """Every change to an audited table (master data, users and roles, GL accounts and the GL
    reference, the company's settings), written by database triggers (app.adapters.trail),
    never by the program; append-only (triggers refuse UPDATE and DELETE). Values are the row
    before and after as JSON text, as stored (SQLite: decimals as their scaled integers)."""

    __tablename__ = "audit_trail"
    id: Mapped[int] = mapped_column(primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    db_user: Mapped[str | None] = mapped_column(String(64))  # the database login (PostgreSQL)
    app_user: Mapped[str | None] = mapped_column(String(60))  # the user the program named
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(6))
    record_key: Mapped[str] = mapped_column(Text)
    old_values: Mapped[str | None] = mapped_column(Text)
    new_values: Mapped[str | None] = mapped_column(Text)


class AuditContext(Base):
    """SQLite: the application user of the transaction writing now, for the audit triggers
    (one row, id 1; filled and cleared by app.adapters.trail). Unused on PostgreSQL."""

    __tablename__ = "audit_context"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    app_user: Mapped[str | None] = mapped_column(String(60))


class DbSecurity(Base):
    """PostgreSQL: the prefix of the database's role names (one row, id 1; app.adapters.roles),
    kept in the database so that a copy of it keeps its roles. No row on SQLite."""

    __tablename__ = "db_security"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role_prefix: Mapped[str] = mapped_column(String(52))
