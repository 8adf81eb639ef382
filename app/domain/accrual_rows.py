"""The rows the accrual engine reads and writes (app.domain.accrual), as named values: a receipt
line being posted or re-rated, a posted accrual, and the accrual and volume rows it changes
(money in cents, quantities in 10^-4 units).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import NamedTuple, Protocol

from .limits import AMOUNT_MAX, QUANTITY_MAX, limit_text
from .money import to_units, units_text

Position = tuple[date, str, int]  # a line's place in its ladders: (received date, slip number, line number)
LINE_QTY_UNITS = to_units(QUANTITY_MAX, 4)
LINE_AMOUNT_UNITS = to_units(AMOUNT_MAX, 2)


class OutOfRange(ValueError):
    """A number beyond what the books hold; the message names the slip and line."""


class PostingLine:
    """A receipt line as the engine sees it: quantity in 10^-4 units, amount in cents; with its
    product's received quantity and net before this posting (the running totals it adds to)."""

    __slots__ = (
        "id",
        "slip_no",
        "line_no",
        "received",
        "vendor_id",
        "product_id",
        "product",
        "cats",
        "quantity",
        "amount",
        "position",
        "product_qty",
        "product_net",
    )

    def __init__(
        self,
        id: int,
        slip_no: str,
        line_no: int,
        received: date,
        vendor_id: int,
        product_id: int,
        product: str,
        cat1: str | None,
        cat2: str | None,
        cat3: str | None,
        cat4: str | None,
        quantity: int,
        amount: int,
        product_qty: int,
        product_net: int,
    ) -> None:
        self.id = id
        self.slip_no = slip_no
        self.line_no = line_no
        self.received = received
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.product = product
        self.cats = (cat1, cat2, cat3, cat4)
        self.quantity = quantity
        self.amount = amount
        self.product_qty = product_qty
        self.product_net = product_net
        self.position: Position = (received, slip_no, line_no)


class PostedAccrual(NamedTuple):
    """A line_accrual row: what is posted today for one receipt line and kind (cents)."""

    line_id: int
    kind: str
    received: date
    slip_no: str
    line_no: int
    product_id: int
    amount: int
    ladder_key: str
    period_key: str
    tier: int
    rebate: int
    retro: int
    inventory: int
    agreement_id: int | None

    @property
    def position(self) -> Position:
        return (self.received, self.slip_no, self.line_no)


class NewAccrual(NamedTuple):
    """A line_accrual row to insert."""

    line_id: int
    kind: str
    vendor_id: int
    product_id: int
    received: date
    slip_no: str
    line_no: int
    amount: int
    ladder_key: str
    agreement_id: int
    period_key: str
    tier: int
    rebate: int
    retro: int
    inventory: int


class AccrualUpdate(NamedTuple):
    """A line_accrual row that stays in its ladder and period with a new result."""

    tier: int
    rebate: int
    retro: int
    inventory: int
    line_id: int
    kind: str


class AccrualMove(NamedTuple):
    """A line_accrual row that moves to another ladder or period."""

    ladder_key: str
    agreement_id: int
    period_key: str
    tier: int
    rebate: int
    retro: int
    inventory: int
    line_id: int
    kind: str


class LadderVolume(NamedTuple):
    """A ladder's volume in one period bucket (cents) and the position of its last line."""

    ladder_key: str
    period_key: str
    vendor_id: int
    volume: int
    last_date: date
    last_slip_no: str
    last_line_no: int


class AccrualStore(Protocol):
    """What the engine reads of the posted state (the adapter implements it)."""

    def ladder_states(self, keys: Sequence[str]) -> Mapping[str, Mapping[str, tuple[int, Position]]]:
        """ladder key -> period bucket -> (volume, position of its last line)."""
        ...

    def accruals_from(self, ladder_key: str, first_day: date, last_day: date | None) -> list[PostedAccrual]:
        """The ladder's posted rows received in [first_day, last_day], in position order."""
        ...

    def volumes_before(self, ladder_key: str, day: date) -> dict[str, int]:
        """Volume per period bucket of the ladder's posted lines received before day."""
        ...


def check_line_limits(lines: Iterable[PostingLine]) -> None:
    """Refuse to post a line beyond the entry limits (a draft saved before they existed):
    the running totals are sized for lines within them (app.domain.limits)."""
    q_max, a_max = LINE_QTY_UNITS, LINE_AMOUNT_UNITS
    for line in lines:
        if -q_max <= line.quantity <= q_max and -a_max <= line.amount <= a_max:
            continue
        if not -q_max <= line.quantity <= q_max:
            value = f"quantity {units_text(line.quantity, 4)}"
            limit = limit_text(QUANTITY_MAX)
        else:
            value, limit = f"amount {units_text(line.amount, 2)}", limit_text(AMOUNT_MAX)
        raise OutOfRange(
            f"Receiving slip {line.slip_no} line {line.line_no}: {value} is too large (the limit is {limit}, "
            "either sign); correct the draft and post it again (nothing was posted)"
        )
