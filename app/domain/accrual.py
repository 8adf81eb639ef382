"""The accrual engine: what posting and re-rating change (SPEC §5.2, §6.2, §6.3).

The accrual of every posted receipt line is a function of the posted lines and the
accepted ladders. Given the lines, the ladders (`LadderIndex`) and what is posted today
(`PostedAccrual`, read through an `AccrualStore`), the engine works out the desired state
of every ladder it touches with `Run` (app.domain.ladder) and records the difference in
`AccrualChanges`: journal entries (built and balance-checked by app.domain.journal), the
accrual rows to insert, update, move or delete, ladder volumes and product cost totals.
Money is integer cents throughout; the adapter writes the changes as they are.

- `post_lines`: new lines. A ladder whose lines all come after its last posted line
  continues from its stored volumes; a back-dated line is merged into the ladder's posted
  lines, whose accruals after it are recomputed (RERATE for those that change).
- `rerate_vendor`: a vendor's posted lines recomputed from scratch against what is posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from operator import itemgetter

from .accrual_rows import (
    AccrualMove,
    AccrualStore,
    AccrualUpdate,
    LadderVolume,
    NewAccrual,
    OutOfRange,
    Position,
    PostedAccrual,
    PostingLine,
)
from .journal import (
    Entry,
    accrual_lines,
    entry,
    receipt_lines,
    rerate_lines,
    retro_lines,
)
from .ladder import Earned, Ladder, Run, period_end, period_key
from .ladder_index import LadderIndex
from .money import units_text
from .provisional import Provisional, ProvisionalTable, is_provisional_key
from .rows import maker
from .vocabulary import ACCRUAL, RECEIPT, RERATE, RETRO

# Bump when the accrual rules change: every vendor is then recomputed by the next re-rate.
ENGINE_REVISION = "2026-12-06.2"  # provisional rates (SPEC §12)

Rated = Ladder | Provisional  # what a line accrues under: a ladder, or a provisional rate


def _where(ladder: Rated, tier: int) -> str:
    """How a memo names what a line accrues under: `GYPSUM / ALL / ALL / ALL tier 2`, or
    `provisional 2.000% (ALL)`."""
    if isinstance(ladder, Provisional):
        return ladder.label
    return f"{ladder.scope.label} tier {tier}"


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
            memo = f"{kind} accrual {_where(ladder, tier)}"
            lines = accrual_lines(kind, regular, inventory, memo)
            self.entries.append(
                entry(ACCRUAL, line.received, line.slip_no, line.line_no, line.vendor_id, line.product_id, line.id,
                      ladder.agreement_no, lines)
            )  # fmt: skip
        if retro:
            memo = f"{kind} retroactive {_where(ladder, tier)}"
            lines = retro_lines(kind, retro, memo)
            self.entries.append(
                entry(RETRO, line.received, line.slip_no, line.line_no, line.vendor_id, line.product_id, line.id,
                      ladder.agreement_no, lines)
            )  # fmt: skip
        self._insert(line, kind, ladder, pkey, earned)
        self.cost_net[line.product_id] -= inventory

    def newly_covered(self, line: PostingLine, kind: str, ladder: Rated, pkey: str, earned: Earned) -> None:
        """A posted line that had no ladder of this kind and now has one: RERATE from zero."""
        memo = f"{kind} re-rate {_where(ladder, earned.tier)}"
        ref = (line.id, line.slip_no, line.line_no, line.vendor_id, line.product_id)
        self._rerate(*ref, kind, earned.rebate, earned.inventory, memo, ladder.agreement_no)
        self._insert(line, kind, ladder, pkey, earned)

    def restate(self, row: PostedAccrual, vendor_id: int, ladder: Rated, pkey: str, earned: Earned) -> None:
        """A posted line whose accrual differs from the desired one: RERATE the difference."""
        kind = row.kind
        memo = f"{kind} re-rate {_where(ladder, earned.tier)}"
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
            leaving = f"{kind} re-rate: to {to}"
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
        memo = f"{row.kind} re-rate: no agreement"
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


def _restated(row: PostedAccrual, earned: Earned, key: str, pkey: str) -> bool:
    """Whether a posted line's accrual differs from the desired one (its result, ladder or period)."""
    return (
        row.rebate != earned.rebate
        or row.tier != earned.tier
        or row.inventory != earned.inventory
        or row.retro != earned.retro
        or row.period_key != pkey
        or row.ladder_key != key
    )


# --- Posting new lines ---------------------------------------------------------------------


def post_lines(
    changes: AccrualChanges,
    lines: Sequence[PostingLine],
    index: LadderIndex,
    store: AccrualStore,
    provisional: ProvisionalTable | None = None,
) -> None:
    """New lines (in position order): their RECEIPT entries and, per kind, their accruals under
    the ladder that covers them (SPEC §5.2), or else at the provisional rate (§12); later posted
    lines of a ladder a line is back-dated into are re-rated (§6.3)."""
    touched: dict[tuple[str, str], tuple[Ladder, list[PostingLine]]] = {}
    provisional_kinds = provisional.kinds() if provisional else ()
    for line in lines:
        changes.receipt(line)
        covered = set()
        for kind, ladder in index.ladders_of(line.vendor_id, line.product, line.cats, line.received):
            group = touched.get((kind, ladder.key))
            if group is None:
                group = touched[(kind, ladder.key)] = (ladder, [])
            group[1].append(line)
            covered.add(kind)
        for kind in provisional_kinds:
            if kind not in covered:
                rate = provisional.rate_for(line.vendor_id, kind, line.cats[0], line.received)  # type: ignore[union-attr]
                if rate is not None:
                    changes.new_line(line, kind, rate, "", rate.earned(line.amount))
    states = store.ladder_states(sorted({key for _kind, key in touched}))
    for (kind, key), (ladder, new) in sorted(touched.items()):  # new: in position order, as lines
        state = states.get(key, {})
        last = max((pos for _vol, pos in state.values()), default=None)
        if last is not None and new[0].position <= last:
            _merge_into_ladder(changes, store, kind, ladder, new)  # back-dated: re-rate what follows
            continue
        run = Run(ladder.terms.units, {bucket: vol for bucket, (vol, _pos) in state.items()})
        period = ladder.terms.period
        for line in new:
            pkey = period_key(period, line.received)
            changes.new_line(line, kind, ladder, pkey, run.add(pkey, line.amount))
        changes.ladder_volume(ladder, new[0].vendor_id, run.volumes, (line.position for line in new))


def _merge_into_ladder(
    changes: AccrualChanges, store: AccrualStore, kind: str, ladder: Ladder, new: list[PostingLine]
) -> None:
    """New lines into a ladder with posted lines after the first of them: the ladder is walked
    from there in position order, the new lines in their places, and every later line whose
    accrual changes is restated."""
    first = new[0].position
    period, key = ladder.terms.period, ladder.key
    # With periods the volume restarts each period: lines after the new ones' periods keep theirs.
    until = period_end(period, new[-1].received)  # the new lines are in position order
    later_or_same = store.accruals_from(key, first[0], until)
    volumes = store.volumes_before(key, first[0])
    for row in later_or_same:  # the same day's rows before the first new line
        if row.received == first[0] and row.position < first:
            volumes[row.period_key] = volumes.get(row.period_key, 0) + row.amount
    later = [r for r in later_or_same if r.position >= first]
    run = Run(ladder.terms.units, volumes)
    add = run.add
    vendor_id = new[0].vendor_id
    positions = []
    waiting = list(reversed(new))  # the new lines not yet placed, the next one last
    for row in later:  # in position order; each new line goes before the first later row
        pkey = period_key(period, row.received)
        if waiting:
            position = row.position
            while waiting and waiting[-1].position < position:
                line = waiting.pop()
                line_key = period_key(period, line.received)
                changes.new_line(line, kind, ladder, line_key, add(line_key, line.amount))
                positions.append(line.position)
            positions.append(position)
        elif period is not None:
            positions.append(row.position)
        earned = add(pkey, row.amount)
        if _restated(row, earned, key, pkey):
            changes.restate(row, vendor_id, ladder, pkey, earned)
    for line in reversed(waiting):  # after every posted line
        line_key = period_key(period, line.received)
        changes.new_line(line, kind, ladder, line_key, add(line_key, line.amount))
        positions.append(line.position)
    if period is None and later and (not positions or later[-1].position > positions[-1]):
        positions.append(later[-1].position)  # one bucket: its last line is all ladder_volume needs
    changes.ladder_volume(ladder, vendor_id, run.volumes, positions)


# --- Re-rating -------------------------------------------------------------------------------


def rerate_vendor(
    changes: AccrualChanges,
    vendor_id: int,
    lines: Sequence[PostingLine],
    ladders: Mapping[str, list[Ladder]],
    posted: dict[tuple[int, str], PostedAccrual],
    provisional: ProvisionalTable | None = None,
) -> None:
    """A vendor's posted lines (in position order) computed afresh against its ladders and the
    provisional rates; the difference from what is posted (`posted`, by (line id, kind)) becomes
    RERATE entries (SPEC §6.3, §12). The vendor's ladder volumes are rewritten."""
    changes.replace_volumes_of.add(vendor_id)
    index = LadderIndex({vendor_id: dict(ladders)})
    members: dict[str, list[PostingLine]] = defaultdict(list)
    uncovered: list[tuple[PostingLine, str]] = []  # lines and kinds no ladder covers, with a provisional rate
    provisional_kinds = provisional.kinds() if provisional else ()
    for line in lines:
        covered = set()
        for kind, ladder in index.ladders_of(line.vendor_id, line.product, line.cats, line.received):
            members[ladder.key].append(line)
            covered.add(kind)
        uncovered.extend((line, kind) for kind in provisional_kinds if kind not in covered)
    pop, restate = posted.pop, changes.restate
    for kind, kind_ladders in ladders.items():
        for ladder in kind_ladders:
            run = Run(ladder.terms.units)
            period, key = ladder.terms.period, ladder.key
            ladder_lines = members.get(key, [])
            add = run.add
            pkey = ""
            for line in ladder_lines:
                if period is not None:
                    pkey = period_key(period, line.received)
                earned = add(pkey, line.amount)
                row = pop((line.id, kind), None)
                if row is None:
                    changes.newly_covered(line, kind, ladder, pkey, earned)
                elif _restated(row, earned, key, pkey):
                    restate(row, vendor_id, ladder, pkey, earned)
            changes.ladder_volume(ladder, vendor_id, run.volumes, (line.position for line in ladder_lines))
    for line, kind in uncovered:
        rate = provisional.rate_for(vendor_id, kind, line.cats[0], line.received)  # type: ignore[union-attr]
        if rate is None:
            continue
        earned = rate.earned(line.amount)
        row = pop((line.id, kind), None)
        if row is None:
            changes.newly_covered(line, kind, rate, "", earned)
        elif _restated(row, earned, rate.key, ""):
            restate(row, vendor_id, rate, "", earned)
    for row in posted.values():  # lines no ladder of their kind covers any more
        changes.drop(row, vendor_id)
