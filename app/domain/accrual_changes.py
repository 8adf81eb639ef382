"""What one posting or re-rating changes (`AccrualChanges`), as the accrual engine
(app.domain.accrual) computes it: journal entries (built and balance-checked by
app.domain.journal), the accrual rows to insert, update, move or delete, ladder volumes and
product cost totals, in integer cents. A line accrues under a ladder or, where no accepted
ladder of its kind covers it, a provisional rate (`Rated`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from operator import itemgetter

from .accrual_rows import (
    AccrualMove,
    AccrualUpdate,
    LadderVolume,
    NewAccrual,
    OutOfRange,
    Position,
    PostedAccrual,
    PostingLine,
)
from .journal import Entry, accrual_lines, entry, receipt_lines, rerate_lines, retro_lines
from .ladder import Earned, Ladder, period_key
from .money import units_text
from .provisional import Provisional, is_provisional_key, where
from .rows import maker
from .vocabulary import ACCRUAL, RECEIPT, RERATE, RETRO

Rated = Ladder | Provisional  # what a line accrues under: a ladder, or a provisional rate


class AccrualChanges:
    """What one posting or re-rating changes, collected as the engine computes it (cents).

    agreement_no_of: the number of an agreement by id, for accruals that leave one (it may
    no longer be accepted); volume_limit: the largest volume the books hold, in cents."""

    def __init__(self, today: date, agreement_no_of: Callable[[int], str | None], volume_limit: int) -> None:
        self.today = today
        self.agreement_no_of = agreement_no_of
        self.volume_limit = volume_limit
        self.entries: list[Entry] = []  # dated as their receipt lines
        self.rerates: list[Entry] = []  # dated today, after every other entry
        self.inserts: list[NewAccrual] = []
        self.updates: list[AccrualUpdate] = []
        self.moves: list[AccrualMove] = []
        self.deletes: list[tuple[int, str]] = []  # (receipt line id, kind)
        self.cost_qty: dict[int, int] = defaultdict(int)  # product id -> received quantity added
        self.cost_net: dict[int, int] = defaultdict(int)  # product id -> received net added
        self.volumes: dict[tuple[str, str], LadderVolume] = {}
        self.replace_volumes_of: set[int] = set()  # vendors whose ladder volumes are all rewritten

    def journal(self) -> list[Entry]:
        """Every entry in journal order: the receipt lines' in (date, slip, line, source), then the RERATEs."""
        return sorted(self.entries, key=_journal_order) + sorted(self.rerates, key=_journal_order)

    def receipt(self, line: PostingLine) -> None:
        memo = f"Receipt {line.slip_no}/{line.line_no} {line.product}"
        self.entries.append(
            entry(
                RECEIPT,
                line.received,
                line.slip_no,
                line.line_no,
                line.vendor_id,
                line.product_id,
                line.id,
                None,
                receipt_lines(line.amount, memo),
            )
        )
        self.cost_qty[line.product_id] += line.quantity
        self.cost_net[line.product_id] += line.amount

    def new_line(self, line: PostingLine, kind: str, ladder: Rated, pkey: str, earned: Earned) -> None:
        """A line being posted: its ACCRUAL and RETRO entries."""
        tier, retro, inventory = earned.tier, earned.retro, earned.inventory
        regular = earned.rebate - retro
        if regular:
            memo = f"{kind} accrual {where(ladder, tier)}"
            lines = accrual_lines(kind, regular, inventory, memo)
            self.entries.append(
                entry(ACCRUAL, line.received, line.slip_no, line.line_no, line.vendor_id, line.product_id, line.id,
                      ladder.agreement_no, lines)
            )  # fmt: skip
        if retro:
            memo = f"{kind} retroactive {where(ladder, tier)}"
            lines = retro_lines(kind, retro, memo)
            self.entries.append(
                entry(RETRO, line.received, line.slip_no, line.line_no, line.vendor_id, line.product_id, line.id,
                      ladder.agreement_no, lines)
            )  # fmt: skip
        self._insert(line, kind, ladder, pkey, earned)
        self.cost_net[line.product_id] -= inventory

    def newly_covered(self, line: PostingLine, kind: str, ladder: Rated, pkey: str, earned: Earned) -> None:
        """A posted line that had no ladder of this kind and now has one: RERATE from zero."""
        memo = f"{kind} re-rate {where(ladder, earned.tier)}"
        ref = (line.id, line.slip_no, line.line_no, line.vendor_id, line.product_id)
        self._rerate(*ref, kind, earned.rebate, earned.inventory, memo, ladder.agreement_no)
        self._insert(line, kind, ladder, pkey, earned)

    def restate(self, row: PostedAccrual, vendor_id: int, ladder: Rated, pkey: str, earned: Earned) -> None:
        """A posted line whose accrual differs from the desired one: RERATE the difference."""
        kind = row.kind
        memo = f"{kind} re-rate {where(ladder, earned.tier)}"
        was_provisional = is_provisional_key(row.ladder_key)
        if (
            row.agreement_id == ladder.agreement_id
            and was_provisional == isinstance(ladder, Provisional)
            or (row.agreement_id is None and not was_provisional and ladder.agreement_id is not None)
        ):  # the common case: the same agreement (or the same provisional table)
            self._rerate(row.line_id, row.slip_no, row.line_no, vendor_id, row.product_id, kind,
                         earned.rebate - row.rebate, earned.inventory - row.inventory, memo, ladder.agreement_no)  # fmt: skip
        else:
            ref = (row.line_id, row.slip_no, row.line_no, vendor_id, row.product_id)
            # A line moving to another agreement (or between an agreement and a provisional
            # rate): what it earned is reversed under what it leaves and earned afresh under the
            # new one, so each agreement's journal lines, and the provisional ones, add up to what
            # is owed under it (its invoices and statements); the net per receipt line and account
            # is still the difference of SPEC §6.3.
            to = "a provisional rate" if ladder.agreement_no is None else f"agreement {ladder.agreement_no}"
            leaving = f"{kind} re-rate: {'provisional ' if was_provisional else ''}to {to}"
            old_no = None if row.agreement_id is None else self.agreement_no_of(row.agreement_id)
            self._rerate(*ref, kind, -row.rebate, -row.inventory, leaving, old_no)
            self._rerate(*ref, kind, earned.rebate, earned.inventory, memo, ladder.agreement_no)
        tier, rebate, retro, inventory = earned.result
        if row.ladder_key == ladder.key and row.period_key == pkey:  # same ladder: its index stays as it is
            self.updates.append(_update((tier, rebate, retro, inventory, row.line_id, kind)))
        else:
            self.moves.append(
                _move((ladder.key, ladder.agreement_id, pkey, tier, rebate, retro, inventory, row.line_id, kind))
            )

    def drop(self, row: PostedAccrual, vendor_id: int) -> None:
        """A posted line no ladder of its kind covers any more: its accrual is reversed."""
        ref = (row.line_id, row.slip_no, row.line_no, vendor_id, row.product_id)
        was = "provisional rate withdrawn" if is_provisional_key(row.ladder_key) else "no agreement"
        memo = f"{row.kind} re-rate: {was}"
        agreement_no = None if row.agreement_id is None else self.agreement_no_of(row.agreement_id)
        self._rerate(*ref, row.kind, -row.rebate, -row.inventory, memo, agreement_no)
        self.deletes.append((row.line_id, row.kind))

    def ladder_volume(
        self, ladder: Ladder, vendor_id: int, volumes: dict[str, int], positions: Iterable[Position]
    ) -> None:
        """Record the final volume and last position of each bucket these lines fall in
        (positions in ladder order, so the last one of a bucket is its last line)."""
        last: dict[str, Position] = {}
        period = ladder.terms.period
        if period is None:
            for position in positions:
                last[""] = position
        else:
            for position in positions:
                last[period_key(period, position[0])] = position
        limit = self.volume_limit
        for bucket, (when, slip_no, line_no) in last.items():
            volume = volumes[bucket]
            if not -limit <= volume <= limit:
                in_period = f", period {bucket}" if bucket else ""
                raise OutOfRange(
                    f"Receiving slip {slip_no} line {line_no}: the volume of {ladder.kind} ladder {ladder.scope.label} "
                    f"(agreement {ladder.agreement_no}{in_period}) would reach {units_text(volume, 2)}, "
                    f"more than the database holds ({units_text(limit, 2)}); nothing was posted"
                )
            self.volumes[(ladder.key, bucket)] = LadderVolume(
                ladder.key, bucket, vendor_id, volume, when, slip_no, line_no
            )

    def _insert(self, line: PostingLine, kind: str, ladder: Rated, pkey: str, earned: Earned) -> None:
        self.inserts.append(
            _new_accrual(
                (
                    line.id,
                    kind,
                    line.vendor_id,
                    line.product_id,
                    line.received,
                    line.slip_no,
                    line.line_no,
                    line.amount,
                    ladder.key,
                    ladder.agreement_id,
                    pkey,
                    earned.tier,
                    earned.rebate,
                    earned.retro,
                    earned.inventory,
                )
            )
        )

    def _rerate(
        self,
        line_id: int,
        slip_no: str,
        line_no: int,
        vendor_id: int,
        product_id: int,
        kind: str,
        d_rebate: int,
        d_inventory: int,
        memo: str,
        agreement_no: str | None,
    ) -> None:
        lines = rerate_lines(kind, d_rebate, d_inventory, memo)
        if lines:
            self.rerates.append(
                entry(RERATE, self.today, slip_no, line_no, vendor_id, product_id, line_id, agreement_no, lines)
            )
            if d_inventory:
                self.cost_net[product_id] -= d_inventory


_journal_order = itemgetter(0, 1, 2, 3)  # Entry: date, slip, line, source rank
_update = maker(AccrualUpdate)
_move = maker(AccrualMove)
_new_accrual = maker(NewAccrual)


def restated(row: PostedAccrual, earned: Earned, key: str, pkey: str) -> bool:
    """Whether a posted line's accrual differs from the desired one (its result, ladder or period)."""
    return (
        row.rebate != earned.rebate
        or row.tier != earned.tier
        or row.inventory != earned.inventory
        or row.retro != earned.retro
        or row.period_key != pkey
        or row.ladder_key != key
    )
