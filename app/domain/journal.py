"""Journal entry shapes and the entries a receipt line produces (SPEC §6.2, §6.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .ladder import LineAccrual
from .money import ZERO
from .vocabulary import (
    ACCRUAL,
    ADVERTISING,
    COOP,
    INVENTORY,
    REBATE_EARNED,
    REBATE_RECEIVABLE,
    RECEIPT,
    RECEIVED_NOT_INVOICED,
    RERATE,
    RETRO,
)


def pnl_role(kind: str) -> str:
    """The P&L account role of an agreement kind: COOP -> ADVERTISING, else REBATE_EARNED."""
    return ADVERTISING if kind == COOP else REBATE_EARNED


class UnbalancedEntry(ValueError):
    pass


@dataclass(frozen=True)
class LineRef:
    """The receipt line a journal line comes from."""

    receipt_line_id: int
    slip_no: str
    line_no: int
    vendor_id: int
    product_id: int
    product: str


@dataclass(frozen=True)
class EntryLine:
    role: str
    debit: Decimal
    credit: Decimal
    kind: str | None = None
    memo: str = ""


@dataclass(frozen=True)
class Entry:
    source: str
    entry_date: date
    reference: str
    ref: LineRef
    lines: tuple[EntryLine, ...]

    def __post_init__(self) -> None:
        debit = sum((line.debit for line in self.lines), ZERO)
        credit = sum((line.credit for line in self.lines), ZERO)
        if debit != credit:
            raise UnbalancedEntry(f"{self.source} {self.reference}: debit {debit} != credit {credit}")
        if not self.lines:
            raise UnbalancedEntry(f"{self.source} {self.reference}: no lines")


# The lines of each entry as plain tuples (role, debit, credit, kind, memo), in Decimals or,
# for posting's bulk path, in integer cents (zero=0): one definition of every entry's shape.
LineTuple = tuple[str, Any, Any, "str | None", str]


def _dr(role: str, amount: Any, kind: str | None, memo: str, zero: Any) -> LineTuple:
    """A debit of amount (a negative amount becomes a credit)."""
    if amount >= zero:
        return (role, amount, zero, kind, memo)
    return (role, zero, -amount, kind, memo)


def _cr(role: str, amount: Any, kind: str | None, memo: str, zero: Any) -> LineTuple:
    """A credit of amount (a negative amount becomes a debit)."""
    if amount >= zero:
        return (role, zero, amount, kind, memo)
    return (role, -amount, zero, kind, memo)


def receipt_lines(amount: Any, memo: str, zero: Any = ZERO) -> tuple[LineTuple, ...]:
    return (_dr(INVENTORY, amount, None, memo, zero), _cr(RECEIVED_NOT_INVOICED, amount, None, memo, zero))


def accrual_lines(kind: str, regular: Any, inventory: Any, memo: str, zero: Any = ZERO) -> tuple[LineTuple, ...]:
    """ACCRUAL: Dr receivable the regular part; Cr inventory the Product % part, Cr P&L the rest."""
    lines = [_dr(REBATE_RECEIVABLE, regular, kind, memo, zero)]
    if inventory != zero:
        lines.append(_cr(INVENTORY, inventory, kind, memo, zero))
    if regular - inventory != zero:
        lines.append(_cr(pnl_role(kind), regular - inventory, kind, memo, zero))
    return tuple(lines)


def retro_lines(kind: str, retro: Any, memo: str, zero: Any = ZERO) -> tuple[LineTuple, ...]:
    return (_dr(REBATE_RECEIVABLE, retro, kind, memo, zero), _cr(pnl_role(kind), retro, kind, memo, zero))


def rerate_lines(kind: str, d_rebate: Any, d_inventory: Any, memo: str, zero: Any = ZERO) -> tuple[LineTuple, ...]:
    """The difference per account: receivable, inventory and P&L (empty when nothing moves)."""
    d_pnl = d_rebate - d_inventory
    lines = []
    if d_rebate != zero:
        lines.append(_dr(REBATE_RECEIVABLE, d_rebate, kind, memo, zero))
    if d_inventory != zero:
        lines.append(_cr(INVENTORY, d_inventory, kind, memo, zero))
    if d_pnl != zero:
        lines.append(_cr(pnl_role(kind), d_pnl, kind, memo, zero))
    return tuple(lines)


def _entry_lines(lines: tuple[LineTuple, ...]) -> tuple[EntryLine, ...]:
    return tuple(EntryLine(*line) for line in lines)


def receipt_entry(ref: LineRef, when: date, amount: Decimal) -> Entry:
    memo = f"Receipt {ref.slip_no}/{ref.line_no} {ref.product}"
    return Entry(RECEIPT, when, ref.slip_no, ref, _entry_lines(receipt_lines(amount, memo)))


def accrual_entries(ref: LineRef, when: date, kind: str, accrual: LineAccrual, ladder_label: str) -> list[Entry]:
    """ACCRUAL for the regular part and RETRO for the retroactive part of a new line."""
    entries: list[Entry] = []
    regular = accrual.regular
    if regular != ZERO:
        memo = f"{kind} accrual {ladder_label} tier {accrual.tier}"
        lines = accrual_lines(kind, regular, accrual.inventory, memo)
        entries.append(Entry(ACCRUAL, when, ref.slip_no, ref, _entry_lines(lines)))
    if accrual.retro != ZERO:
        memo = f"{kind} retroactive {ladder_label} tier {accrual.tier}"
        entries.append(Entry(RETRO, when, ref.slip_no, ref, _entry_lines(retro_lines(kind, accrual.retro, memo))))
    return entries


@dataclass(frozen=True)
class Posted:
    """Net amounts posted for one receipt line and kind (receivable, inventory, retro)."""

    rebate: Decimal = ZERO
    retro: Decimal = ZERO
    inventory: Decimal = ZERO

    @property
    def pnl(self) -> Decimal:
        return self.rebate - self.inventory

    @classmethod
    def of(cls, accrual: LineAccrual | None) -> Posted:
        if accrual is None:
            return cls()
        return cls(accrual.rebate, accrual.retro, accrual.inventory)


def rerate_entry(ref: LineRef, when: date, kind: str, old: Posted, new: Posted, memo: str) -> Entry | None:
    """The difference between what is posted and what should be, per account (or None)."""
    lines = rerate_lines(kind, new.rebate - old.rebate, new.inventory - old.inventory, memo)
    if not lines:
        return None
    return Entry(RERATE, when, ref.slip_no, ref, _entry_lines(lines))
