"""Vendor invoice matching (SPEC §15–§16): each line of a vendor invoice against the posted
receiving line it names (slip, slip line), and the entry of the matched part. Pure rules: no SQL.

A line is flagged, in this order: UNRECOGNIZED_PRODUCT (its product code is unknown),
PRODUCT_NOT_ON_SLIP (the slip has no such posted line, or the line is of another product),
QUANTITY_OVER_RECEIVED (more than received and not yet invoiced), COST_MISMATCH (the unit
cost differs from ours beyond max(0.01 per unit, 0.5 %)). Otherwise it is matched: its
received value (quantity at our receipt unit cost) and invoiced value (quantity at the
vendor's unit cost, both to the cent), the difference a price variance within tolerance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .journal import EntryLine, balanced
from .money import ZERO, cents, to_units
from .vocabulary import (
    ACCOUNTS_PAYABLE,
    COST_MISMATCH,
    PRODUCT_NOT_ON_SLIP,
    PURCHASE_PRICE_VARIANCE,
    QUANTITY_OVER_RECEIVED,
    RECEIVED_NOT_INVOICED,
    UNRECOGNIZED_PRODUCT,
)

COST_TOLERANCE_UNIT = Decimal("0.01")  # per unit
COST_TOLERANCE_RATE = Decimal("0.005")  # 0.5 % of our unit cost
MISSING_AFTER_DAYS = 30  # a receiving line with no vendor invoice this long after receipt is MISSING_INVOICE


@dataclass(frozen=True)
class ReceivingLine:
    """A posted receiving line as matching sees it; invoiced: the quantity already on matched
    vendor invoice lines."""

    receipt_line_id: int
    slip_no: str
    line_no: int
    product_code: str
    quantity: Decimal
    unit_cost: Decimal
    invoiced: Decimal = ZERO


@dataclass(frozen=True)
class InvoiceLineIn:
    slip_no: str
    slip_line_no: int
    product_code: str
    quantity: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class Match:
    """One vendor invoice line matched (defect None) or flagged. receipt_line_id: the receiving
    line it names when there is one of its product."""

    defect: str | None
    receipt_line_id: int | None
    amount: Decimal  # invoiced value: what the vendor bills for the line
    received_value: Decimal  # at our receipt unit cost (0 for a flagged line)
    message: str = ""

    @property
    def variance(self) -> Decimal:
        return self.amount - self.received_value if self.defect is None else ZERO


def invoiced_value(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    return cents(quantity * unit_cost)


def cost_tolerance(our_cost: Decimal) -> Decimal:
    """0.01 per unit or 0.5 % of our unit cost, whichever is larger."""
    return max(COST_TOLERANCE_UNIT, our_cost * COST_TOLERANCE_RATE)


def match_line(line: InvoiceLineIn, known_product: bool, receiving: ReceivingLine | None) -> Match:
    """One line against the receiving line its slip and slip line name (None: no such posted line)."""
    amount = invoiced_value(line.quantity, line.unit_cost)
    where = f"slip {line.slip_no} line {line.slip_line_no}"
    if not known_product:
        return Match(UNRECOGNIZED_PRODUCT, None, amount, ZERO, f"product {line.product_code} is unknown")
    if receiving is None:
        return Match(PRODUCT_NOT_ON_SLIP, None, amount, ZERO, f"{where} is not a posted receiving line")
    if receiving.product_code != line.product_code:
        return Match(PRODUCT_NOT_ON_SLIP, None, amount, ZERO, f"{where} is of product {receiving.product_code}")
    rid = receiving.receipt_line_id
    left = receiving.quantity - receiving.invoiced
    if line.quantity > left:
        return Match(
            QUANTITY_OVER_RECEIVED, rid, amount, ZERO,
            f"{line.quantity.normalize():f} invoiced, {left.normalize():f} received and not yet invoiced",
        )  # fmt: skip
    if abs(line.unit_cost - receiving.unit_cost) > cost_tolerance(receiving.unit_cost):
        return Match(COST_MISMATCH, rid, amount, ZERO, f"unit cost {line.unit_cost} against our {receiving.unit_cost}")
    return Match(None, rid, amount, invoiced_value(line.quantity, receiving.unit_cost))


@dataclass
class Matcher:
    """Matches lines in order: what an earlier line matched counts as invoiced for the next."""

    receiving: Mapping[tuple[str, int], ReceivingLine]
    known_products: frozenset[str]
    taken: dict[int, Decimal] = field(default_factory=dict)  # receipt line id -> quantity matched here

    def match(self, line: InvoiceLineIn) -> Match:
        found = self.receiving.get((line.slip_no, line.slip_line_no))
        if found is not None and found.receipt_line_id in self.taken:
            found = ReceivingLine(
                found.receipt_line_id, found.slip_no, found.line_no, found.product_code, found.quantity,
                found.unit_cost, found.invoiced + self.taken[found.receipt_line_id],
            )  # fmt: skip
        result = match_line(line, line.product_code in self.known_products, found)
        if result.defect is None and result.receipt_line_id is not None:
            self.taken[result.receipt_line_id] = self.taken.get(result.receipt_line_id, ZERO) + line.quantity
        return result


def invoice_entry_lines(matches: Sequence[Match], memo: str) -> tuple[EntryLine, ...]:
    """The entry of a vendor invoice's matched lines: Dr RECEIVED_NOT_INVOICED the received
    value / Cr ACCOUNTS_PAYABLE the invoiced value / PURCHASE_PRICE_VARIANCE the difference
    (Dr when the vendor bills more). Empty when nothing matched."""
    matched = [m for m in matches if m.defect is None]
    if not matched:
        return ()
    received = to_units(sum((m.received_value for m in matched), ZERO), 2)
    payable = to_units(sum((m.amount for m in matched), ZERO), 2)
    lines = [EntryLine(RECEIVED_NOT_INVOICED, received, 0, None, memo)]
    if payable > received:
        lines.append(EntryLine(PURCHASE_PRICE_VARIANCE, payable - received, 0, None, memo))
    elif received > payable:
        lines.append(EntryLine(PURCHASE_PRICE_VARIANCE, 0, received - payable, None, memo))
    lines.append(EntryLine(ACCOUNTS_PAYABLE, 0, payable, None, memo))
    return balanced(memo, tuple(line for line in lines if line.debit or line.credit))


def entry_roles(matches: Sequence[Match]) -> tuple[str, ...]:
    """The roles the entry posts to (each needs an account, SPEC §18)."""
    matched = [m for m in matches if m.defect is None]
    if not matched:
        return ()
    variance = sum((m.variance for m in matched), ZERO)
    return (RECEIVED_NOT_INVOICED, ACCOUNTS_PAYABLE, *((PURCHASE_PRICE_VARIANCE,) if variance else ()))


def missing_on(received: date) -> date:
    """The first day a receiving line without a vendor invoice is MISSING_INVOICE (SPEC §16):
    more than 30 days after its receipt."""
    return received + timedelta(days=MISSING_AFTER_DAYS + 1)


def missing_since(as_of: date) -> date:
    """Receiving lines received before this day and still without a vendor invoice are
    MISSING_INVOICE on as_of (missing_on(received) <= as_of)."""
    return as_of - timedelta(days=MISSING_AFTER_DAYS)


def invoiced_in_time(received: date, invoiced: date | None) -> bool:
    """A vendor invoice dated before the line became missing (the scorecard's count)."""
    return invoiced is not None and invoiced < missing_on(received)
