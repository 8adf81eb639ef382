"""The accrual audit's rules (SPEC §6.3, §16): the posted accrual of a receipt line is what the
journal holds for it; line_accrual only caches it.

`cache_differences` compares the cached rows (`PostedAccrual`) of a vendor with the journal's
net per receipt line, kind and account role over the line's ACCRUAL, RETRO and RERATE lines
(`JournalNet`): the receivable is the rebate, the inventory credit the Product % part, the P&L
credit the rest. A row changed or deleted behind the program's back shows here, so that
re-rating reports it instead of posting the difference as a genuine RERATE.

`desired_differences` compares the journal with the desired state: the cached rows plus what
a from-scratch re-rating against them would post (an `AccrualChanges` the engine filled and
nobody writes). A line the engine would move to another agreement differs too.

The cached retro part is not compared: a RERATE posts the difference of the whole rebate, so
the journal keeps no retro part of a re-rated line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from .accrual_changes import AccrualChanges
from .accrual_rows import PostedAccrual
from .journal import pnl_role
from .vocabulary import INVENTORY, REBATE_RECEIVABLE, RERATE

REBATE, INVENTORY_PART, PNL, AGREEMENT = "rebate", "inventory", "pnl", "agreement"


class JournalNet(NamedTuple):
    """The journal's net debit (credit negative, cents) of one receipt line, kind and account
    role over its ACCRUAL, RETRO and RERATE lines."""

    line_id: int
    kind: str
    role: str
    slip_no: str
    line_no: int
    net_debit: int


class CacheDifference(NamedTuple):
    """A receipt line and kind whose cached accrual (line_accrual) differs from the journal.

    field: `rebate` (the receivable), `inventory` (the inventory credit), `pnl` (the P&L
    credit: rebate less inventory) or the name of another account role the line's accrual
    lines reach; cached and journal in cents."""

    line_id: int
    slip_no: str
    line_no: int
    kind: str
    field: str
    cached: int
    journal: int


class DesiredDifference(NamedTuple):
    """A receipt line and kind whose posted accrual differs from the desired state (§6.3).

    field: `rebate` or `inventory` (posted and desired in cents), or `agreement` (the line
    would accrue under another agreement: posted and desired are agreement numbers, or '')."""

    line_id: int
    slip_no: str
    line_no: int
    kind: str
    field: str
    posted: int | str
    desired: int | str


class _Booked:
    """The journal's nets of one receipt line and kind, by account role (net debit, cents)."""

    __slots__ = ("by_role", "slip_no", "line_no")

    def __init__(self, slip_no: str, line_no: int) -> None:
        self.by_role: dict[str, int] = defaultdict(int)
        self.slip_no = slip_no
        self.line_no = line_no

    @property
    def rebate(self) -> int:
        return self.by_role.get(REBATE_RECEIVABLE, 0)

    @property
    def inventory(self) -> int:
        return -self.by_role.get(INVENTORY, 0)


def _booked(journal: Iterable[JournalNet]) -> dict[tuple[int, str], _Booked]:
    out: dict[tuple[int, str], _Booked] = {}
    for net in journal:
        key = (net.line_id, net.kind)
        booked = out.get(key)
        if booked is None:
            booked = out[key] = _Booked(net.slip_no, net.line_no)
        booked.by_role[net.role] += net.net_debit
    return out


def cache_differences(posted: Iterable[PostedAccrual], journal: Iterable[JournalNet]) -> list[CacheDifference]:
    """Where the cached rows differ from the journal, in (slip, line, kind, field) order.

    A (line, kind) with journal lines and no cached row compares the journal with zeros,
    and a cached row with no journal lines compares it with zeros."""
    nets = _booked(journal)
    rows = {(r.line_id, r.kind): r for r in posted}
    out: list[CacheDifference] = []
    for key in rows.keys() | nets.keys():
        line_id, kind = key
        row = rows.get(key)
        booked = nets.get(key) or _Booked("", 0)
        slip_no, line_no = (row.slip_no, row.line_no) if row is not None else (booked.slip_no, booked.line_no)
        rebate, inventory = (row.rebate, row.inventory) if row is not None else (0, 0)
        pnl = pnl_role(kind)
        compared = (
            (REBATE, rebate, booked.rebate),
            (INVENTORY_PART, inventory, booked.inventory),
            (PNL, rebate - inventory, -booked.by_role.get(pnl, 0)),
        )
        for field, cached, in_journal in compared:
            if cached != in_journal:
                out.append(CacheDifference(line_id, slip_no, line_no, kind, field, cached, in_journal))
        for role, value in booked.by_role.items():  # an account an accrual of this kind never reaches
            if role not in (REBATE_RECEIVABLE, INVENTORY, pnl) and value:
                out.append(CacheDifference(line_id, slip_no, line_no, kind, role, 0, -value))
    out.sort(key=lambda d: (d.slip_no, d.line_no, d.kind, d.field))
    return out


def desired_differences(
    changes: AccrualChanges, posted: Mapping[tuple[int, str], PostedAccrual], journal: Iterable[JournalNet]
) -> list[DesiredDifference]:
    """Where the journal differs from the desired state, per (line, kind), in (slip, line,
    kind, field) order. `changes` holds what a re-rating against `posted` (the cached rows
    the engine compared with, by (line id, kind)) would post: the desired accrual is the
    cached one plus that, whatever the cache holds; the posted one is the journal's."""
    delta: dict[tuple[int, str], list[int]] = {}
    where: dict[tuple[int, str], tuple[str, int]] = {}
    agreements: dict[tuple[int, str], str] = {}
    for e in changes.rerates:
        if e.source != RERATE:
            continue
        for line in e.lines:
            if line.kind is None:
                continue
            key = (e.receipt_line_id, line.kind)
            where[key] = (e.reference, e.line_no)
            d = delta.setdefault(key, [0, 0])
            if line.role == REBATE_RECEIVABLE:
                d[0] += line.debit - line.credit
            elif line.role == INVENTORY:
                d[1] += line.credit - line.debit
            agreements[key] = e.agreement_no or ""  # the last entry names the agreement it ends under
    nets = _booked(journal)
    out: list[DesiredDifference] = []
    for key in delta.keys() | posted.keys() | nets.keys():
        line_id, kind = key
        row = posted.get(key)
        booked = nets.get(key) or _Booked("", 0)
        d_rebate, d_inventory = delta.get(key, (0, 0))
        if row is not None:
            slip_no, line_no, rebate, inventory = row.slip_no, row.line_no, row.rebate, row.inventory
        else:
            slip_no, line_no = where.get(key) or (booked.slip_no, booked.line_no)
            rebate = inventory = 0
        ref = (line_id, slip_no, line_no, kind)
        if booked.rebate != rebate + d_rebate:
            out.append(DesiredDifference(*ref, REBATE, booked.rebate, rebate + d_rebate))
        if booked.inventory != inventory + d_inventory:
            out.append(DesiredDifference(*ref, INVENTORY_PART, booked.inventory, inventory + d_inventory))
        if key in agreements and not d_rebate and not d_inventory and row is not None and row.agreement_id is not None:
            # Reversed under one agreement and earned afresh under another: the amounts net to
            # nothing, the agreement the line accrues under changes.
            before = changes.agreement_no_of(row.agreement_id) or ""
            if before != agreements[key]:
                out.append(DesiredDifference(*ref, AGREEMENT, before, agreements[key]))
    out.sort(key=lambda d: (d.slip_no, d.line_no, d.kind, d.field))
    return out
