"""What one posting or re-rating writes, collected as it is computed (money in cents):
journal entries (built by app.domain.journal's line builders), accrual rows to insert,
update, move or delete, ladder volumes and product cost totals; then written at once by
app.adapters.accruals.write_batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.accruals import (
    LINE_AMOUNT_UNITS,
    LINE_QTY_UNITS,
    P_AGREEMENT,
    P_INVENTORY,
    P_LADDER,
    P_PERIOD,
    P_REBATE,
    VOLUME_UNITS,
    Posted,
    RLine,
    write_batch,
)
from app.adapters.types import from_units
from app.domain.journal import (
    LineTuple,
    accrual_lines,
    receipt_lines,
    rerate_lines,
    retro_lines,
)
from app.domain.ladder import Ladder, period_key
from app.domain.limits import AMOUNT_MAX, QUANTITY_MAX, limit_text
from app.domain.money import fmt_money
from app.domain.vocabulary import ACCRUAL, RECEIPT, RERATE, RETRO
from app.models import (
    Agreement,
)

from .errors import PostingRefused
from .masterdata import roles_to_accounts

# (volume after, tier 1-based, rebate, retro, inventory), money in cents: Run.add's result;
# acc[1:] is what line_accrual stores (ACCRUAL_RESULT_COLUMNS).
Accrual = tuple[int, int, int, int, int]


# A journal entry to write: sort key (RERATE last, date, slip, line, source rank), then what it is
# (source, vendor, product, receipt line, agreement number, lines).
_Entry = tuple[bool, date, str, int, int, str, int, int, int, str | None, tuple[LineTuple, ...]]
_BUCKETS: dict[tuple[str | None, date], str] = {}


def bucket_of(period: str | None, when: date) -> str:
    """period_key, remembered (a year has few dates)."""
    try:
        return _BUCKETS[(period, when)]
    except KeyError:
        if len(_BUCKETS) > 100_000:
            _BUCKETS.clear()
        key = _BUCKETS[(period, when)] = period_key(period, when)
        return key


class Batch:
    """Collects what one posting or re-rating writes, then writes it at once (money in cents)."""

    def __init__(self, session: Session, user: str, today: date, stamp: datetime | None = None) -> None:
        self.session = session
        self.user = user
        self.today = today
        self.stamp = stamp  # when posted: the transaction's time (SPEC §9 posted_at)
        self.entries: list[_Entry] = []
        self.inserts: list[tuple[object, ...]] = []
        self.updates: list[tuple[object, ...]] = []  # ACCRUAL_RESULT_COLUMNS
        self.moves: list[tuple[object, ...]] = []  # ACCRUAL_STATE_COLUMNS
        self.deletes: list[tuple[int, str]] = []
        self.cost_qty: dict[int, int] = defaultdict(int)
        self.cost_net: dict[int, int] = defaultdict(int)
        self.rerates = 0
        self.volumes: dict[tuple[str, str], tuple[object, ...]] = {}  # LADDER_VOLUME_COLUMNS, volume in cents
        self.replace_volumes_of: set[int] = set()
        self.agreement_nos: dict[int, str | None] = {}  # agreement id -> number, for ended accruals
        self.product_totals: dict[int, tuple[int, int]] = {}  # product id -> received (qty, net) as read

    def known_totals(self, lines: Iterable[RLine]) -> None:
        """The products' received totals as the lines' query read them (no query of its own)."""
        self.product_totals.update((line.product_id, (line.product_qty, line.product_net)) for line in lines)

    def ladder_volume(
        self, ladder: Ladder, vendor_id: int, volumes: dict[str, int], positions: Iterable[tuple[date, str, int]]
    ) -> None:
        """Record the final volume and last position of each bucket these lines fall in
        (positions in ladder order, so the last one of a bucket is its last line)."""
        last: dict[str, tuple[date, str, int]] = {}
        period = ladder.terms.period
        if period is None:
            for position in positions:
                last[""] = position
        else:
            for position in positions:
                last[bucket_of(period, position[0])] = position
        for bucket, (when, slip_no, line_no) in last.items():
            volume = volumes[bucket]
            if not -VOLUME_UNITS <= volume <= VOLUME_UNITS:
                period = f", period {bucket}" if bucket else ""
                raise PostingRefused(
                    f"Receiving slip {slip_no} line {line_no}: the volume of {ladder.kind} ladder {ladder.scope.label} "
                    f"(agreement {ladder.agreement_no}{period}) would reach {fmt_money(from_units(volume, -2))}, "
                    f"more than the database holds ({fmt_money(from_units(VOLUME_UNITS, -2))}); nothing was posted"
                )
            self.volumes[(ladder.key, bucket)] = (ladder.key, bucket, vendor_id, volume, when, slip_no, line_no)

    def receipt(self, line: RLine) -> None:
        memo = f"Receipt {line.slip_no}/{line.line_no} {line.product}"
        self.entries.append(
            (
                False,
                line.received,
                line.slip_no,
                line.line_no,
                0,
                RECEIPT,
                line.vendor_id,
                line.product_id,
                line.id,
                None,
                receipt_lines(line.amount, memo, 0),
            )
        )
        self.cost_qty[line.product_id] += line.quantity
        self.cost_net[line.product_id] += line.amount

    def _insert(self, line: RLine, kind: str, ladder: Ladder, pkey: str, acc: Accrual) -> None:
        self.inserts.append(
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
                *acc[1:],
            )
        )

    def new_line(self, line: RLine, kind: str, ladder: Ladder, label: str, pkey: str, acc: Accrual) -> None:
        """A line being posted: ACCRUAL and RETRO entries."""
        _after, tier, rebate, retro, inventory = acc
        regular = rebate - retro
        if regular:
            memo = f"{kind} accrual {label} tier {tier}"
            self.entries.append(
                (
                    False,
                    line.received,
                    line.slip_no,
                    line.line_no,
                    1,
                    ACCRUAL,
                    line.vendor_id,
                    line.product_id,
                    line.id,
                    ladder.agreement_no,
                    accrual_lines(kind, regular, inventory, memo, 0),
                )
            )
        if retro:
            memo = f"{kind} retroactive {label} tier {tier}"
            self.entries.append(
                (
                    False,
                    line.received,
                    line.slip_no,
                    line.line_no,
                    2,
                    RETRO,
                    line.vendor_id,
                    line.product_id,
                    line.id,
                    ladder.agreement_no,
                    retro_lines(kind, retro, memo, 0),
                )
            )
        self._insert(line, kind, ladder, pkey, acc)
        self.cost_net[line.product_id] -= inventory

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
        lines = rerate_lines(kind, d_rebate, d_inventory, memo, 0)
        if lines:
            self.entries.append(
                (True, self.today, slip_no, line_no, 3, RERATE, vendor_id, product_id, line_id, agreement_no, lines)
            )
            self.rerates += 1
            if d_inventory:
                self.cost_net[product_id] -= d_inventory

    def newly_covered(self, line: RLine, kind: str, ladder: Ladder, label: str, pkey: str, acc: Accrual) -> None:
        """A posted line that had no ladder of this kind and now has one: RERATE from zero."""
        self._rerate(
            line.id,
            line.slip_no,
            line.line_no,
            line.vendor_id,
            line.product_id,
            kind,
            acc[2],
            acc[4],
            f"{kind} re-rate {label} tier {acc[1]}",
            ladder.agreement_no,
        )
        self._insert(line, kind, ladder, pkey, acc)

    def restate(self, row: Posted, vendor_id: int, ladder: Ladder, label: str, pkey: str, acc: Accrual) -> None:
        line_id, kind, _when, slip_no, line_no, product_id = row[:6]
        memo = f"{kind} re-rate {label} tier {acc[1]}"
        if row[P_AGREEMENT] is not None and row[P_AGREEMENT] != ladder.agreement_id:
            # A line moving to another agreement: what it earned is reversed under the agreement
            # it leaves and earned afresh under the new one, so each agreement's journal lines
            # add up to what it is owed (its invoices and statements); the net per receipt line
            # and account is still the difference of SPEC §6.3.
            self._rerate(
                line_id,
                slip_no,
                line_no,
                vendor_id,
                product_id,
                kind,
                -row[P_REBATE],
                -row[P_INVENTORY],
                f"{kind} re-rate: to agreement {ladder.agreement_no}",
                self._agreement_no(row[P_AGREEMENT]),
            )
            self._rerate(
                line_id, slip_no, line_no, vendor_id, product_id, kind, acc[2], acc[4], memo, ladder.agreement_no
            )
        else:
            self._rerate(
                line_id,
                slip_no,
                line_no,
                vendor_id,
                product_id,
                kind,
                acc[2] - row[P_REBATE],
                acc[4] - row[P_INVENTORY],
                memo,
                ladder.agreement_no,
            )
        if row[P_LADDER] == ladder.key and row[P_PERIOD] == pkey:  # same ladder: its index stays as it is
            self.updates.append((*acc[1:], line_id, kind))
        else:
            self.moves.append((ladder.key, ladder.agreement_id, pkey, *acc[1:], line_id, kind))

    def drop(self, row: Posted, vendor_id: int) -> None:
        line_id, kind, _when, slip_no, line_no, product_id = row[:6]
        self._rerate(
            line_id,
            slip_no,
            line_no,
            vendor_id,
            product_id,
            kind,
            -row[P_REBATE],
            -row[P_INVENTORY],
            f"{kind} re-rate: no agreement",
            self._agreement_no(row[P_AGREEMENT]),
        )
        self.deletes.append((line_id, kind))

    def _agreement_no(self, agreement_id: int | None) -> str | None:
        """The number of the agreement an ended accrual was under (a few agreements: each read once)."""
        if agreement_id is None:
            return None
        if agreement_id not in self.agreement_nos:
            self.agreement_nos[agreement_id] = self.session.scalar(
                select(Agreement.number).where(Agreement.id == agreement_id)
            )
        return self.agreement_nos[agreement_id]

    def write(self) -> int:
        """Everything collected, written at once through the adapter (each entry checked
        balanced as its rows are built); the number of journal entries."""
        return write_batch(self, gl_reference_ids(self.session))


def gl_reference_ids(session: Session) -> dict[str, int]:
    return {role: aid for role, (aid, _n) in roles_to_accounts(session).items()}


def check_line_limits(lines: list[RLine]) -> None:
    """Refuse to post a line beyond the entry limits (a draft saved before they existed):
    the running totals are sized for lines within them (app.domain.limits)."""
    q_max, a_max = LINE_QTY_UNITS, LINE_AMOUNT_UNITS
    for line in lines:
        if -q_max <= line.quantity <= q_max and -a_max <= line.amount <= a_max:
            continue
        if not -q_max <= line.quantity <= q_max:
            value, limit = f"quantity {from_units(line.quantity, -4):,}", limit_text(QUANTITY_MAX)
        else:
            value, limit = f"amount {fmt_money(from_units(line.amount, -2))}", limit_text(AMOUNT_MAX)
        what = f"{value} is too large (the limit is {limit}, either sign)"
        raise PostingRefused(
            f"Receiving slip {line.slip_no} line {line.line_no}: {what}; correct the draft and "
            "post it again (nothing was posted)"
        )
