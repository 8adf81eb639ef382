"""Journal entry shapes and the entries a receipt line produces (SPEC §6.2, §6.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .ladder import LineAccrual
from .money import ZERO

INVENTORY = "INVENTORY"
RECEIVED_NOT_INVOICED = "RECEIVED_NOT_INVOICED"
REBATE_RECEIVABLE = "REBATE_RECEIVABLE"
ADVERTISING = "ADVERTISING"
REBATE_EARNED = "REBATE_EARNED"
ROLES = (INVENTORY, RECEIVED_NOT_INVOICED, REBATE_RECEIVABLE, ADVERTISING, REBATE_EARNED)

SOURCES = ("RECEIPT", "ACCRUAL", "RETRO", "RERATE")


def pnl_role(kind: str) -> str:
    """The P&L account role of an agreement kind: COOP -> ADVERTISING, else REBATE_EARNED."""
    return ADVERTISING if kind == "COOP" else REBATE_EARNED


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


def _dr(role: str, amount: Decimal, kind: str | None, memo: str) -> EntryLine:
    """A debit of amount (a negative amount becomes a credit)."""
    if amount >= ZERO:
        return EntryLine(role, amount, ZERO, kind, memo)
    return EntryLine(role, ZERO, -amount, kind, memo)


def _cr(role: str, amount: Decimal, kind: str | None, memo: str) -> EntryLine:
    return _dr(role, -amount, kind, memo)


def receipt_entry(ref: LineRef, when: date, amount: Decimal) -> Entry:
    memo = f"Receipt {ref.slip_no}/{ref.line_no} {ref.product}"
    lines = (_dr(INVENTORY, amount, None, memo), _cr(RECEIVED_NOT_INVOICED, amount, None, memo))
    return Entry("RECEIPT", when, ref.slip_no, ref, lines)


def accrual_entries(
    ref: LineRef, when: date, kind: str, accrual: LineAccrual, ladder_label: str
) -> list[Entry]:
    """ACCRUAL for the regular part and RETRO for the retroactive part of a new line."""
    entries: list[Entry] = []
    regular = accrual.regular
    if regular != ZERO:
        memo = f"{kind} accrual {ladder_label} tier {accrual.tier}"
        lines = [_dr(REBATE_RECEIVABLE, regular, kind, memo)]
        if accrual.inventory != ZERO:
            lines.append(_cr(INVENTORY, accrual.inventory, kind, memo))
        if regular - accrual.inventory != ZERO:
            lines.append(_cr(pnl_role(kind), regular - accrual.inventory, kind, memo))
        entries.append(Entry("ACCRUAL", when, ref.slip_no, ref, tuple(lines)))
    if accrual.retro != ZERO:
        memo = f"{kind} retroactive {ladder_label} tier {accrual.tier}"
        lines = [
            _dr(REBATE_RECEIVABLE, accrual.retro, kind, memo),
            _cr(pnl_role(kind), accrual.retro, kind, memo),
        ]
        entries.append(Entry("RETRO", when, ref.slip_no, ref, tuple(lines)))
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


def rerate_entry(
    ref: LineRef, when: date, kind: str, old: Posted, new: Posted, memo: str
) -> Entry | None:
    """The difference between what is posted and what should be, per account (or None)."""
    d_rebate = new.rebate - old.rebate
    d_inventory = new.inventory - old.inventory
    d_pnl = new.pnl - old.pnl
    lines = []
    if d_rebate != ZERO:
        lines.append(_dr(REBATE_RECEIVABLE, d_rebate, kind, memo))
    if d_inventory != ZERO:
        lines.append(_cr(INVENTORY, d_inventory, kind, memo))
    if d_pnl != ZERO:
        lines.append(_cr(pnl_role(kind), d_pnl, kind, memo))
    if not lines:
        return None
    return Entry("RERATE", when, ref.slip_no, ref, tuple(lines))
