"""The accrual engine: what posting and re-rating change (SPEC §5.2, §6.2, §6.3).

The accrual of every posted receipt line is a function of the posted lines and the
accepted ladders. Given the lines, the ladders (`LadderIndex`) and what is posted today
(`PostedAccrual`, read through an `AccrualStore`), the engine works out the desired state
of every ladder it touches with `Run` (app.domain.ladder) and records the difference in
`AccrualChanges` (app.domain.accrual_changes). A line no accepted ladder of a kind covers
accrues at the provisional rate of that kind, if any (SPEC §12). Money is integer cents
throughout; the adapter writes the changes as they are.

- `post_lines`: new lines. A ladder whose lines all come after its last posted line
  continues from its stored volumes; a back-dated line is merged into the ladder's posted
  lines, whose accruals after it are recomputed (RERATE for those that change).
- `rerate_vendor`: a vendor's posted lines recomputed from scratch against what is posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from .accrual_changes import AccrualChanges, restated
from .accrual_rows import AccrualStore, PostedAccrual, PostingLine
from .ladder import Ladder, Run, period_end, period_key
from .ladder_index import LadderIndex
from .provisional import ProvisionalTable

# Bump when the accrual rules change: every vendor is then recomputed by the next re-rate.
ENGINE_REVISION = "2026-12-06.2"  # provisional rates (SPEC §12)


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
        covered = []
        for kind, ladder in index.ladders_of(line.vendor_id, line.product, line.cats, line.received):
            group = touched.get((kind, ladder.key))
            if group is None:
                group = touched[(kind, ladder.key)] = (ladder, [])
            group[1].append(line)
            covered.append(kind)
        if provisional_kinds:  # else nothing more per line: posting a million lines stays as fast
            _provisional(changes, line, provisional, provisional_kinds, covered)  # type: ignore[arg-type]
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


def _provisional(
    changes: AccrualChanges, line: PostingLine, table: ProvisionalTable, kinds: Sequence[str], covered: list[str]
) -> None:
    """A new line's accruals at the provisional rates of the kinds no ladder covers it in (SPEC §12)."""
    for kind in kinds:
        if kind not in covered:
            rate = table.rate_for(line.vendor_id, kind, line.cats[0], line.received)
            if rate is not None:
                changes.new_line(line, kind, rate, "", rate.earned(line.amount))


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
        if restated(row, earned, key, pkey):
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
    provisional_kinds = provisional.kinds() if provisional else ()
    members, uncovered = _members(LadderIndex({vendor_id: dict(ladders)}), lines, provisional_kinds)
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
                elif restated(row, earned, key, pkey):
                    restate(row, vendor_id, ladder, pkey, earned)
            changes.ladder_volume(ladder, vendor_id, run.volumes, (line.position for line in ladder_lines))
    if provisional is not None:
        _rerate_provisional(changes, vendor_id, uncovered, provisional, posted)
    for row in posted.values():  # lines no ladder of their kind covers any more
        changes.drop(row, vendor_id)


def _members(
    index: LadderIndex, lines: Sequence[PostingLine], provisional_kinds: Sequence[str]
) -> tuple[dict[str, list[PostingLine]], list[tuple[PostingLine, str]]]:
    """The lines of each ladder (by key), and the (line, kind) no ladder covers for the kinds
    with provisional rates."""
    members: dict[str, list[PostingLine]] = defaultdict(list)
    uncovered: list[tuple[PostingLine, str]] = []
    for line in lines:
        if provisional_kinds:
            covered = []
            for kind, ladder in index.ladders_of(line.vendor_id, line.product, line.cats, line.received):
                members[ladder.key].append(line)
                covered.append(kind)
            uncovered.extend((line, kind) for kind in provisional_kinds if kind not in covered)
        else:
            for _kind, ladder in index.ladders_of(line.vendor_id, line.product, line.cats, line.received):
                members[ladder.key].append(line)
    return members, uncovered


def _rerate_provisional(
    changes: AccrualChanges,
    vendor_id: int,
    uncovered: list[tuple[PostingLine, str]],
    table: ProvisionalTable,
    posted: dict[tuple[int, str], PostedAccrual],
) -> None:
    """The lines no ladder covers, at their provisional rates (SPEC §12), against what is posted."""
    for line, kind in uncovered:
        rate = table.rate_for(vendor_id, kind, line.cats[0], line.received)
        if rate is None:
            continue
        earned = rate.earned(line.amount)
        row = posted.pop((line.id, kind), None)
        if row is None:
            changes.newly_covered(line, kind, rate, "", earned)
        elif restated(row, earned, rate.key, ""):
            changes.restate(row, vendor_id, rate, "", earned)
