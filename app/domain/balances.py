"""Vendor balances and provisions for receivables (SPEC §15). Pure rules: no SQL.

Receivable from the vendor: accrued not invoiced + open co-op invoices − open disputes.
Payable to the vendor: open vendor invoices + received not invoiced. When the receivable
exceeds the payable the vendor has a debit balance, and a provision of the difference holds
its payments. A provision is named by the day it was placed; its reversal adds an `R`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import ZERO
from .vocabulary import PROVISION_SUFFIX, REVERSAL_MARK


@dataclass(frozen=True)
class VendorBalance:
    """A vendor's balance on a day (documents dated up to it)."""

    vendor_id: int
    vendor_code: str
    vendor_name: str
    accrued_not_invoiced: Decimal = ZERO
    open_invoices: Decimal = ZERO  # co-op invoices
    open_disputes: Decimal = ZERO
    open_vendor_invoices: Decimal = ZERO
    received_not_invoiced: Decimal = ZERO

    @property
    def receivable(self) -> Decimal:
        return self.accrued_not_invoiced + self.open_invoices - self.open_disputes

    @property
    def payable(self) -> Decimal:
        return self.open_vendor_invoices + self.received_not_invoiced

    @property
    def debit_balance(self) -> bool:
        return self.receivable > self.payable

    @property
    def excess(self) -> Decimal:
        """What the vendor owes us beyond what we owe it (zero when it has no debit balance)."""
        return self.receivable - self.payable if self.debit_balance else ZERO.quantize(Decimal("0.01"))


def provision_name(placed: date) -> str:
    """`250317_PROVISION_FOR_RECEIVABLES` for a provision placed on 2025-03-17."""
    return placed.strftime("%y%m%d") + PROVISION_SUFFIX


def reversal_name(name: str) -> str:
    return name + REVERSAL_MARK


@dataclass(frozen=True)
class ProvisionStep:
    """What the day's run does for one vendor: reverse the active provision, place a new one
    (amount), both (the difference changed), or nothing."""

    reverse: bool
    place: Decimal | None

    @property
    def nothing(self) -> bool:
        return not self.reverse and self.place is None


def provision_step(active: Decimal | None, excess: Decimal) -> ProvisionStep:
    """The step for a vendor whose active provision is `active` (None: none) and whose
    receivable exceeds its payable by `excess` (zero or less: no debit balance)."""
    wanted = excess if excess > ZERO else None
    if active == wanted:
        return ProvisionStep(False, None)
    return ProvisionStep(active is not None, wanted)
