"""SQLAlchemy 2 typed models. No business rules here."""

from .base import Base
from .entities import (
    Agreement,
    AgreementHistory,
    AgreementLine,
    AppUser,
    Category,
    Company,
    GlAccount,
    GlReference,
    JournalEntry,
    JournalLine,
    LadderVolume,
    LineAccrual,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
    VendorRating,
)

__all__ = [
    "Agreement",
    "AgreementHistory",
    "AppUser",
    "AgreementLine",
    "Base",
    "Category",
    "Company",
    "GlAccount",
    "GlReference",
    "JournalEntry",
    "JournalLine",
    "LadderVolume",
    "VendorRating",
    "LineAccrual",
    "Product",
    "ReceiptLine",
    "ReceivingSlip",
    "Vendor",
]
