"""Backup reconciliation (SPEC §16): the vendor's own statement of what it believes it was
charged, compared line by line with our backup. Pure rules: no SQL.

Lines are compared by slip and slip line. A vendor's line without a slip number is keyed by
its own item code (the product's vendor_item_code) and received date, and matches every line
of ours of that code and date that no slip-keyed line of theirs claimed. Several lines under
one key are added up (ours: a receipt line's accrual, retro and re-rate rows are one line).
A key's status: ONLY_THEIRS, ONLY_OURS, QUANTITY_DIFFERS, AMOUNT_DIFFERS (the extended amount or
the rebate differs), else MATCHED."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .money import ZERO
from .vocabulary import ALL, AMOUNT_DIFFERS, MATCHED, ONLY_OURS, ONLY_THEIRS, QUANTITY_DIFFERS, RECONCILE_STATUSES

COLUMNS = (
    "status", "slip_no", "line_no", "vendor_item_code", "received_date", "our_quantity", "their_quantity",
    "our_amount", "their_amount", "our_rebate", "their_rebate", "rebate_difference",
)  # fmt: skip
MONEY_COLUMNS = ("our_amount", "their_amount", "our_rebate", "their_rebate", "rebate_difference")


@dataclass(frozen=True)
class BackupLine:
    """One line of a backup, ours or the vendor's (slip_no blank: keyed by item code and date)."""

    slip_no: str
    line_no: int | None
    vendor_item_code: str
    received_date: date | None
    quantity: Decimal
    amount: Decimal
    rebate: Decimal


@dataclass
class _Side:
    quantity: Decimal = ZERO
    amount: Decimal = ZERO
    rebate: Decimal = ZERO
    lines: int = 0

    def add(self, line: BackupLine, *, measures: bool = True) -> None:
        if measures:
            self.quantity += line.quantity
            self.amount += line.amount
        self.rebate += line.rebate
        self.lines += 1


@dataclass(frozen=True)
class Compared:
    """One key compared: its status and both sides' sums (None: that side has no line)."""

    status: str
    slip_no: str
    line_no: int | None
    vendor_item_code: str
    received_date: date | None
    ours: tuple[Decimal, Decimal, Decimal] | None  # quantity, amount, rebate
    theirs: tuple[Decimal, Decimal, Decimal] | None

    @property
    def difference(self) -> Decimal:
        """Their rebate less ours."""
        return (self.theirs[2] if self.theirs else ZERO) - (self.ours[2] if self.ours else ZERO)

    def values(self) -> tuple[object, ...]:
        ours, theirs = self.ours or (None, None, None), self.theirs or (None, None, None)
        return (
            self.status, self.slip_no, self.line_no, self.vendor_item_code, self.received_date, ours[0], theirs[0],
            ours[1], theirs[1], ours[2], theirs[2], self.difference,
        )  # fmt: skip


@dataclass(frozen=True)
class Total:
    status: str
    lines: int
    our_rebate: Decimal
    their_rebate: Decimal

    @property
    def difference(self) -> Decimal:
        return self.their_rebate - self.our_rebate


@dataclass
class Reconciliation:
    vendor_code: str
    lines: list[Compared] = field(default_factory=list)

    def totals(self) -> list[Total]:
        """A total per status (in RECONCILE_STATUSES order, those with lines), then all of them."""
        out = []
        for status in (*RECONCILE_STATUSES, None):
            members = [c for c in self.lines if status is None or c.status == status]
            if members or status is None:
                out.append(
                    Total(status or ALL, len(members), sum((c.ours[2] for c in members if c.ours), ZERO),
                          sum((c.theirs[2] for c in members if c.theirs), ZERO))
                )  # fmt: skip
        return out


def _key(line: BackupLine) -> tuple[str, ...]:
    if line.slip_no:
        return ("slip", line.slip_no, str(line.line_no))
    return ("item", line.vendor_item_code, line.received_date.isoformat() if line.received_date else "")


def reconcile(vendor_code: str, ours: Iterable[BackupLine], theirs: Sequence[BackupLine]) -> Reconciliation:
    """Compare the vendor's lines with ours (ours: one BackupLine per journal line of our backup,
    the receipt line's quantity and amount on each)."""
    our_sides: dict[tuple[str, ...], _Side] = {}
    our_first: dict[tuple[str, ...], BackupLine] = {}
    by_item: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for line in ours:
        key = _key(line)
        side = our_sides.setdefault(key, _Side())
        side.add(line, measures=key not in our_first)  # the receipt line's quantity and amount once
        if key not in our_first:
            our_first[key] = line
            item = ("item", line.vendor_item_code, line.received_date.isoformat() if line.received_date else "")
            by_item.setdefault(item, []).append(key)
    their_sides: dict[tuple[str, ...], _Side] = {}
    their_first: dict[tuple[str, ...], BackupLine] = {}
    for line in theirs:
        key = _key(line)
        their_sides.setdefault(key, _Side()).add(line)
        their_first.setdefault(key, line)
    claimed = {k for k in their_sides if k[0] == "slip" and k in our_sides}
    out = Reconciliation(vendor_code)
    for key, side in their_sides.items():
        if key[0] == "slip":
            mine = [key] if key in our_sides else []
        else:
            mine = [k for k in by_item.get(key, []) if k not in claimed]
            claimed.update(mine)
        first = their_first[key]
        theirs_sum = (side.quantity, side.amount, side.rebate)
        if not mine:
            out.lines.append(Compared(ONLY_THEIRS, first.slip_no, first.line_no, first.vendor_item_code,
                                      first.received_date, None, theirs_sum))  # fmt: skip
            continue
        q = sum((our_sides[k].quantity for k in mine), ZERO)
        a = sum((our_sides[k].amount for k in mine), ZERO)
        r = sum((our_sides[k].rebate for k in mine), ZERO)
        status = QUANTITY_DIFFERS if q != side.quantity else AMOUNT_DIFFERS if (a, r) != theirs_sum[1:] else MATCHED
        ref = our_first[mine[0]] if len(mine) == 1 else first  # several of ours under an item key: theirs
        out.lines.append(Compared(status, ref.slip_no, ref.line_no, ref.vendor_item_code or first.vendor_item_code,
                                  ref.received_date, (q, a, r), theirs_sum))  # fmt: skip
    for key, side in our_sides.items():
        if key not in claimed:
            line = our_first[key]
            out.lines.append(Compared(ONLY_OURS, line.slip_no, line.line_no, line.vendor_item_code,
                                      line.received_date, (side.quantity, side.amount, side.rebate), None))  # fmt: skip
    out.lines.sort(key=lambda c: (c.received_date or date.min, c.slip_no, c.line_no or 0, c.vendor_item_code))
    return out
