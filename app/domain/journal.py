"""Journal entries and the entries a receipt line produces (SPEC §6.2, §6.3).

Money here is integer cents: the accrual engine (app.domain.accrual) builds every entry of
posting and re-rating with `entry`, which refuses one that does not balance, and the
adapter streams them to the database as they are.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .rows import maker
from .vocabulary import (
    ACCRUAL,
    INVENTORY,
    PNL_ROLES,
    REBATE_RECEIVABLE,
    RECEIPT,
    RECEIVED_NOT_INVOICED,
    RERATE,
    RETRO,
)


def pnl_role(kind: str) -> str:
    """The P&L account role of an agreement kind (SPEC §6.1, §11.2): COOP -> ADVERTISING, …"""
    return PNL_ROLES[kind]


class UnbalancedEntry(ValueError):
    pass


class EntryLine(NamedTuple):
    """One journal line: an account role, debit and credit in cents (one of them 0)."""

    role: str
    debit: int
    credit: int
    kind: str | None
    memo: str


# Where an entry stands among the entries of the same receipt line, in journal order.
RANK = {RECEIPT: 0, ACCRUAL: 1, RETRO: 2, RERATE: 3}


class Entry(NamedTuple):
    """A journal entry of one receipt line; its first four fields are its journal order
    (date, slip, line, source rank)."""

    entry_date: date
    reference: str  # the slip number
    line_no: int
    rank: int
    source: str
    vendor_id: int
    product_id: int
    receipt_line_id: int
    agreement_no: str | None
    lines: tuple[EntryLine, ...]


_line = maker(EntryLine)
_entry = maker(Entry)


def entry(
    source: str,
    when: date,
    slip_no: str,
    line_no: int,
    vendor_id: int,
    product_id: int,
    receipt_line_id: int,
    agreement_no: str | None,
    lines: tuple[EntryLine, ...],
) -> Entry:
    """The one place an entry is made: refused unless it has lines and they balance."""
    debit = credit = 0
    for line in lines:
        debit += line.debit
        credit += line.credit
    if debit != credit or not lines:
        raise UnbalancedEntry(f"{source} {slip_no}/{line_no}: debit {debit} != credit {credit} cents")
    return _entry(
        (when, slip_no, line_no, RANK[source], source, vendor_id, product_id, receipt_line_id, agreement_no, lines)
    )


def _dr(role: str, amount: int, kind: str | None, memo: str) -> EntryLine:
    """A debit of amount (a negative amount becomes a credit)."""
    return _line((role, amount, 0, kind, memo)) if amount >= 0 else _line((role, 0, -amount, kind, memo))


def _cr(role: str, amount: int, kind: str | None, memo: str) -> EntryLine:
    """A credit of amount (a negative amount becomes a debit)."""
    return _line((role, 0, amount, kind, memo)) if amount >= 0 else _line((role, -amount, 0, kind, memo))


def receipt_lines(amount: int, memo: str) -> tuple[EntryLine, ...]:
    """RECEIPT: Dr inventory, Cr received not invoiced (a return: the other way round)."""
    if amount >= 0:
        return (_line((INVENTORY, amount, 0, None, memo)), _line((RECEIVED_NOT_INVOICED, 0, amount, None, memo)))
    return (_line((INVENTORY, 0, -amount, None, memo)), _line((RECEIVED_NOT_INVOICED, -amount, 0, None, memo)))


def accrual_lines(kind: str, regular: int, inventory: int, memo: str) -> tuple[EntryLine, ...]:
    """ACCRUAL: Dr receivable the regular part; Cr inventory the Product % part, Cr P&L the rest."""
    if not inventory and regular > 0:  # the common case, made directly (a million lines in a posting)
        return (_line((REBATE_RECEIVABLE, regular, 0, kind, memo)), _line((pnl_role(kind), 0, regular, kind, memo)))
    lines = [_dr(REBATE_RECEIVABLE, regular, kind, memo)]
    if inventory:
        lines.append(_cr(INVENTORY, inventory, kind, memo))
    if regular - inventory:
        lines.append(_cr(pnl_role(kind), regular - inventory, kind, memo))
    return tuple(lines)


def retro_lines(kind: str, retro: int, memo: str) -> tuple[EntryLine, ...]:
    """RETRO: Dr receivable, Cr P&L."""
    return (_dr(REBATE_RECEIVABLE, retro, kind, memo), _cr(pnl_role(kind), retro, kind, memo))


def rerate_lines(kind: str, d_rebate: int, d_inventory: int, memo: str) -> tuple[EntryLine, ...]:
    """RERATE: the difference per account, receivable, inventory and P&L (empty when nothing moves)."""
    if not d_inventory:  # the common case, made directly (millions of lines in a re-rate)
        pnl = pnl_role(kind)
        if d_rebate > 0:
            return (_line((REBATE_RECEIVABLE, d_rebate, 0, kind, memo)), _line((pnl, 0, d_rebate, kind, memo)))
        if d_rebate < 0:
            return (_line((REBATE_RECEIVABLE, 0, -d_rebate, kind, memo)), _line((pnl, -d_rebate, 0, kind, memo)))
        return ()
    d_pnl = d_rebate - d_inventory
    lines = []
    if d_rebate:
        lines.append(_dr(REBATE_RECEIVABLE, d_rebate, kind, memo))
    if d_inventory:
        lines.append(_cr(INVENTORY, d_inventory, kind, memo))
    if d_pnl:
        lines.append(_cr(pnl_role(kind), d_pnl, kind, memo))
    return tuple(lines)


def balanced(what: str, lines: tuple[EntryLine, ...]) -> tuple[EntryLine, ...]:
    """An entry's lines that do not come from a receipt line (a price-protection claim, a
    lump sum's accrual), refused unless there are some and they balance."""
    debit = sum(line.debit for line in lines)
    credit = sum(line.credit for line in lines)
    if debit != credit or not lines:
        raise UnbalancedEntry(f"{what}: debit {debit} != credit {credit} cents")
    return lines


def claim_lines(kind: str, amount: int, memo: str) -> tuple[EntryLine, ...]:
    """A claim on the vendor that lowers inventory (PRICE_PROTECTION, SPEC §11.2): Dr
    REBATE_RECEIVABLE / Cr the kind's role (INVENTORY), amount in cents."""
    return balanced(
        f"{kind} claim", (_dr(REBATE_RECEIVABLE, amount, kind, memo), _cr(pnl_role(kind), amount, kind, memo))
    )


def transfer_lines(
    debit_role: str, credit_role: str, amount: int, kind: str | None, memo: str
) -> tuple[EntryLine, ...]:
    """Dr one role / Cr another, amount in cents; a negative amount the other way round (a
    co-op invoice: Dr CLAIMS_RECEIVABLE / Cr REBATE_RECEIVABLE, a credit invoice reversed)."""
    return balanced(memo, (_dr(debit_role, amount, kind, memo), _cr(credit_role, amount, kind, memo)))
