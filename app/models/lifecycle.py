"""Tables of SPEC Part II §11–§12 (migration 0014): terms templates, provisional rates and
waivers, price changes. No business rules here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.adapters.types import Money, Percent, Quantity, UtcDateTime

from .base import Base


class TermsTemplate(Base):
    """The company's terms and conditions for a kind of agreement (SPEC §11.1), copied into
    each new agreement of that kind."""

    __tablename__ = "terms_template"
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")


class ProvisionalRate(Base):
    """A provisional rate (SPEC §12): what a receipt line earns under a kind when no accepted
    ladder of that kind covers it. cat1 is a CAT1 code or ALL."""

    __tablename__ = "provisional_rate"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    cat1: Mapped[str] = mapped_column(String(40), default="ALL")
    rate: Mapped[Decimal] = mapped_column(Percent())


class Waiver(Base):
    """A vendor waived from a kind's provisional rate for a date range (SPEC §12)."""

    __tablename__ = "waiver"
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)


class PriceChange(Base):
    """A vendor's price change for a product (SPEC §11.2 PRICE_PROTECTION): the cost before and
    after, the quantity on hand, and the claim it made (0 without an accepted agreement or for
    an increase). Append-only: a price change is corrected by another one."""

    __tablename__ = "price_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    effective_date: Mapped[date] = mapped_column(Date)
    old_unit_cost: Mapped[Decimal] = mapped_column(Quantity())
    new_unit_cost: Mapped[Decimal] = mapped_column(Quantity())
    on_hand: Mapped[Decimal] = mapped_column(Quantity())
    claim: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    agreement_id: Mapped[int | None] = mapped_column(Integer)
    entry_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
