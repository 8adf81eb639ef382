"""Posting receiving slips and re-rating (SPEC §6).

The accrual of every posted receipt line is a function of the posted lines and the
accepted agreements. `line_accrual` holds what is posted today per receipt line and
kind; posting and re-rating compute the desired state of the ladders they touch and
post the difference (ACCRUAL/RETRO for new lines, RERATE for lines already posted).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.adapters.accruals import (
    P_AMOUNT,
    P_ID,
    P_KIND,
    P_LADDER,
    P_PERIOD,
    P_POSITION,
    P_RECEIVED,
    P_RESULT,
    RLine,
    iso_dates,
    ladder_states,
    line_query,
    load_posted,
    lock_vendors,
    rating_stamps,
    rlines,
    stamp_vendors,
    vendor_accruals,
    volumes_before,
)
from app.adapters.bulk import rows_in, slices
from app.adapters.db import transaction_time
from app.domain.journal import (
    INVENTORY,
    REBATE_RECEIVABLE,
    RECEIVED_NOT_INVOICED,
    pnl_role,
)
from app.domain.ladder import Ladder, LadderIndex, Run, period_end
from app.domain.vocabulary import ACCEPTED
from app.models import (
    Agreement,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
)
from app.models import LineAccrual as LineAccrualRow

from .accrual_batch import Batch, bucket_of, check_line_limits
from .context import UnitOfWork
from .errors import AlreadyPosted, NotFound, PostingRefused
from .ladders import vendor_ladders
from .masterdata import roles_to_accounts
from .ratings import LadderCache, stamp_first_postings, vendor_fingerprints
from .security import Permission, require

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class PostingCancelled(Exception):
    pass


@dataclass
class PostingResult:
    slips: int = 0
    lines: int = 0
    entries: int = 0
    rerate_entries: int = 0
    slip_nos: list[str] = field(default_factory=list)


def _post_ladder(session: Session, batch: Batch, kind: str, ladder: Ladder, new: list[RLine]) -> None:
    """New lines into one ladder; later posted lines of the ladder are re-rated."""
    first = new[0].position
    t = LineAccrualRow
    where = (t.ladder_key == ladder.key) & (t.received_date >= first[0])
    label, period, key = ladder.scope.label, ladder.terms.period, ladder.key
    if period is not None:  # the volume restarts each period: lines after the new ones' periods keep theirs
        where &= t.received_date <= max(period_end(period, line.received) for line in new)  # type: ignore[type-var]
    later_or_same = iso_dates(session, load_posted(session, where, ordered=True), P_RECEIVED)
    same_day = [r for r in later_or_same if r[P_RECEIVED] == first[0]]
    later = [r for r in later_or_same if r[P_POSITION] >= first]
    run = Run(ladder.terms.units, volumes_before(session, ladder, first, same_day))
    add = run.add
    vendor_id = new[0].vendor_id
    positions = []
    waiting = list(reversed(new))  # the new lines not yet placed, the next one last
    for row in later:  # in position order, as loaded; each new line goes before the first later row
        pkey = bucket_of(period, row[P_RECEIVED]) if period is not None else ""
        if waiting:
            position = row[P_POSITION]
            while waiting and waiting[-1].position < position:
                line = waiting.pop()
                line_key = bucket_of(period, line.received)
                batch.new_line(line, kind, ladder, label, line_key, add(line_key, line.amount))
                positions.append(line.position)
            positions.append(position)
        elif period is not None:
            positions.append(row[P_POSITION])
        acc = add(pkey, row[P_AMOUNT])
        if row[P_RESULT] != acc[1:] or row[P_PERIOD] != pkey or row[P_LADDER] != key:
            batch.restate(row, vendor_id, ladder, label, pkey, acc)
    for line in reversed(waiting):  # after every posted line
        line_key = bucket_of(period, line.received)
        batch.new_line(line, kind, ladder, label, line_key, add(line_key, line.amount))
        positions.append(line.position)
    if period is None and later and (not positions or later[-1][P_POSITION] > positions[-1]):
        positions.append(later[-1][P_POSITION])  # one bucket: its last line is all ladder_volume needs
    batch.ladder_volume(ladder, vendor_id, run.volumes, positions)


def _post_lines(session: Session, batch: Batch, lines: list[RLine], index: LadderIndex) -> None:
    touched: dict[tuple[str, str], tuple[Ladder, list[RLine]]] = {}
    for line in lines:
        batch.receipt(line)
        for kind, ladder in index.ladders_of(line.vendor_id, line.product, line.cats, line.received):
            group = touched.get((kind, ladder.key))
            if group is None:
                group = touched[(kind, ladder.key)] = (ladder, [])
            group[1].append(line)
    states = ladder_states(session, sorted({key for _kind, key in touched}))
    for (kind, key), (ladder, new) in sorted(touched.items()):  # new: in position order, as lines
        state = states.get(key, {})
        last = max((pos for _vol, pos in state.values()), default=None)
        if last is not None and new[0].position <= last:
            _post_ladder(session, batch, kind, ladder, new)  # back-dated: re-rate what follows
            continue
        run = Run(ladder.terms.units, {bucket: vol for bucket, (vol, _pos) in state.items()})
        label, period = ladder.scope.label, ladder.terms.period
        for line in new:
            pkey = bucket_of(period, line.received)
            batch.new_line(line, kind, ladder, label, pkey, run.add(pkey, line.amount))
        batch.ladder_volume(ladder, new[0].vendor_id, run.volumes, (line.position for line in new))


def post_slips(
    uow: UnitOfWork,
    slip_nos: Sequence[str] | None = None,
    *,
    today: date | None = None,
    batch_lines: int = 5000,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PostingResult:
    """Post the given draft slips (all or nothing), or every draft slip in date order.

    Named slips: one transaction; a slip already posted is refused (AlreadyPosted).
    All drafts: in batches of whole slips (a day's receiving), each batch atomic, so a
    cancel or a crash leaves every slip either fully posted or untouched.
    """
    session = uow.session
    require(uow, Permission.POST)
    today = today or date.today()
    result = PostingResult()
    check_gl_roles(session)
    if slip_nos is not None:
        repeated = sorted(s for s, n in Counter(slip_nos).items() if n > 1)
        if repeated:
            raise AlreadyPosted("Receiving slip " + ", ".join(repeated) + " is named more than once; a slip posts once")
        rows = rows_in(
            session,
            select(
                ReceivingSlip.id,
                ReceivingSlip.slip_no,
                ReceivingSlip.status,
                ReceivingSlip.vendor_id,
                ReceivingSlip.received_date,
            ),
            ReceivingSlip.slip_no,
            sorted(slip_nos),
        )
        found = {r.slip_no: r for r in rows}
        unknown = [s for s in slip_nos if s not in found]
        if unknown:
            raise NotFound("Receiving slip " + ", ".join(unknown) + " does not exist")
        posted = [s for s in slip_nos if found[s].status != "DRAFT"]
        if posted:
            raise AlreadyPosted("Receiving slip " + ", ".join(posted) + " is already posted")
        # One transaction, in parts of whole slips in date order (as posting every draft
        # does), so that no statement names more slips than a statement can carry; each part
        # sees the parts before it. The vendors are locked first, all of them in one order.
        chosen = sorted((found[s] for s in slip_nos), key=attrgetter("received_date", "slip_no"))
        lock_vendors(session, {r.vendor_id for r in chosen})
        for part in slices(chosen):
            _post_batch(uow, [r.id for r in part], {r.vendor_id for r in part}, today, result)
        uow.commit()
        if progress:
            progress(result.lines, result.lines)
        return result
    drafts = session.execute(
        select(ReceivingSlip.id, ReceivingSlip.vendor_id, func.count(ReceiptLine.id))
        .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
        .where(ReceivingSlip.status == "DRAFT")
        .group_by(ReceivingSlip.id, ReceivingSlip.vendor_id, ReceivingSlip.received_date, ReceivingSlip.slip_no)
        .order_by(ReceivingSlip.received_date, ReceivingSlip.slip_no)
    ).all()
    session.rollback()  # release the read; each batch takes its own locks
    total = sum(r[2] for r in drafts)
    cache = LadderCache()
    batch: list[tuple[int, int, int]] = []
    size = 0
    for i, row in enumerate(drafts):
        batch.append(tuple(row))  # type: ignore[arg-type]
        size += row[2]
        if size >= batch_lines or i == len(drafts) - 1:
            if cancelled and cancelled():
                raise PostingCancelled(f"cancelled after {result.slips} slips")
            try:
                _post_batch(
                    uow, [b[0] for b in batch], {b[1] for b in batch}, today, result, skip_posted=True, ladders=cache
                )
                uow.commit()
            except BaseException:
                session.rollback()
                raise
            if progress:
                progress(result.lines, total)
            batch, size = [], 0
    return result


def check_gl_roles(session: Session) -> None:
    """Refuse to post while a role that posting can need has no account (SPEC §6.1)."""
    kinds = set(session.scalars(select(Agreement.kind).where(Agreement.status == ACCEPTED).distinct()))
    needed = {INVENTORY, RECEIVED_NOT_INVOICED}
    if kinds:
        needed.add(REBATE_RECEIVABLE)
    needed.update(pnl_role(kind) for kind in kinds)
    missing = sorted(needed - set(roles_to_accounts(session)))
    if missing:
        raise PostingRefused(
            "GL reference incomplete: no account for " + ", ".join(missing) + " (set it in Maintenance > GL Reference)"
        )


def _post_batch(
    uow: UnitOfWork,
    slip_ids: list[int],
    vendor_ids: set[int],
    today: date,
    result: PostingResult,
    skip_posted: bool = False,
    ladders: LadderCache | None = None,
) -> None:
    session = uow.session
    lock_vendors(session, vendor_ids)
    stamp = transaction_time(session.connection())  # the slips' posted_at, and their entries'
    if skip_posted:  # another workstation may have posted some meanwhile
        slip_ids = list(
            session.scalars(
                select(ReceivingSlip.id).where(ReceivingSlip.id.in_(slip_ids), ReceivingSlip.status == "DRAFT")
            )
        )
        if not slip_ids:
            return
    flipped = set(
        session.scalars(
            update(ReceivingSlip)
            .where(ReceivingSlip.id.in_(slip_ids), ReceivingSlip.status == "DRAFT")
            .values(status="POSTED", posted_by=uow.user, posted_at=stamp)
            .returning(ReceivingSlip.id)
            .execution_options(synchronize_session=False)
        )
    )
    if len(flipped) != len(slip_ids):
        missing = [i for i in slip_ids if i not in flipped]
        if skip_posted:  # posting every draft: what changed meanwhile waits for the next run
            slip_ids = [i for i in slip_ids if i in flipped]
            if not slip_ids:
                return
        elif session.scalar(select(func.count()).select_from(ReceivingSlip).where(ReceivingSlip.id.in_(missing))):
            raise AlreadyPosted("a receiving slip of this posting was posted by another workstation meanwhile")
        else:
            raise PostingRefused(
                "a receiving slip of this posting was saved again or deleted by another "
                "workstation meanwhile; nothing was posted: open it and post it again"
            )
    lines = rlines(session, line_query(session).where(ReceiptLine.slip_id.in_(slip_ids)))
    lines.sort(key=attrgetter("position"))
    check_line_limits(lines)
    batch = Batch(session, uow.user, today, stamp)
    batch.known_totals(lines)
    if ladders is not None:
        by_vendor = ladders.get(session)
        index = ladders.index
    else:
        by_vendor = {vid: vendor_ladders(session, vid) for vid in vendor_ids}
        index = LadderIndex(by_vendor)
    _post_lines(session, batch, lines, index)
    written = batch.write()
    stamp_first_postings(session, {ln.vendor_id for ln in lines}, slip_ids, by_vendor)
    result.slips += len(slip_ids)
    result.lines += len(lines)
    result.entries += written
    result.rerate_entries += batch.rerates
    result.slip_nos.extend(sorted({ln.slip_no for ln in lines}))


def rerate_vendors(
    uow: UnitOfWork, vendor_ids: Iterable[int], *, today: date | None = None, ladders: LadderCache | None = None
) -> int:
    """Compute the vendors' ladders afresh and post the differences (no commit)."""
    session = uow.session
    vendor_ids = sorted(set(vendor_ids))
    lock_vendors(session, vendor_ids)  # before reading the ladders: an amendment waits or is seen
    batch = Batch(session, uow.user, today or date.today())
    if ladders is not None:
        by_vendor = ladders.get(session)
    else:
        by_vendor = {vid: vendor_ladders(session, vid) for vid in vendor_ids}
    for vid in vendor_ids:
        _rerate_vendor(session, batch, vid, by_vendor.get(vid, {}))
    batch.write()
    stamp_vendors(session, vendor_fingerprints(session, by_vendor, vendor_ids))
    return batch.rerates


def _rerate_vendor(session: Session, batch: Batch, vendor_id: int, ladders: dict[str, list[Ladder]]) -> None:
    batch.replace_volumes_of.add(vendor_id)
    lines = rlines(
        session, line_query(session).where(ReceivingSlip.vendor_id == vendor_id, ReceivingSlip.status == "POSTED")
    )
    lines.sort(key=attrgetter("position"))
    batch.known_totals(lines)
    posted = {(r[P_ID], r[P_KIND]): r for r in load_posted(session, vendor_accruals(vendor_id))}
    index = LadderIndex({vendor_id: ladders})
    members: dict[str, list[RLine]] = defaultdict(list)
    for line in lines:
        for _kind, ladder in index.ladders_of(line.vendor_id, line.product, line.cats, line.received):
            members[ladder.key].append(line)
    for kind, kind_ladders in ladders.items():
        for ladder in kind_ladders:
            run = Run(ladder.terms.units)
            label, period, key = ladder.scope.label, ladder.terms.period, ladder.key
            ladder_lines = members.get(key, ())
            add, pop, restate = run.add, posted.pop, batch.restate
            pkey = ""
            for line in ladder_lines:
                if period is not None:
                    pkey = bucket_of(period, line.received)
                acc = add(pkey, line.amount)
                row = pop((line.id, kind), None)
                if row is None:
                    batch.newly_covered(line, kind, ladder, label, pkey, acc)
                elif row[P_RESULT] != acc[1:] or row[P_PERIOD] != pkey or row[P_LADDER] != key:
                    restate(row, vendor_id, ladder, label, pkey, acc)
            batch.ladder_volume(ladder, vendor_id, run.volumes, (line.position for line in ladder_lines))
    for row in posted.values():  # lines no ladder of their kind covers any more
        batch.drop(row, vendor_id)


def rerate(
    uow: UnitOfWork,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    full: bool = False,
    batch_slips: int = 1000,
) -> int:
    """Re-rate (SPEC §6.3). Returns RERATE entries.

    Recomputes every vendor whose ladders or product categories changed since its accruals
    were last computed (its fingerprint differs from its stamp), or every vendor with
    full=True; an unchanged state reads the fingerprints only and posts nothing.
    Whole vendors per transaction, in vendor order, grouped up to about batch_slips posted
    slips (a big vendor alone): a cancel or a crash leaves each vendor re-rated or untouched.
    """
    require(uow, Permission.RERATE)
    session = uow.session
    cache = LadderCache()
    vendor_ids = list(session.scalars(select(Vendor.id).order_by(Vendor.id)))
    if not full:
        current = vendor_fingerprints(session, cache.get(session))
        stamps = rating_stamps(session)
        vendor_ids = [vid for vid in vendor_ids if stamps.get(vid) != current.get(vid)]
    groups: list[list[int]] = []
    if vendor_ids:
        slips = dict(
            session.execute(  # type: ignore[arg-type]
                select(ReceivingSlip.vendor_id, func.count())
                .where(ReceivingSlip.status == "POSTED")
                .group_by(ReceivingSlip.vendor_id)
            ).all()
        )
        size = batch_slips
        for vid in vendor_ids:
            if size >= batch_slips:
                groups.append([])
                size = 0
            groups[-1].append(vid)
            size += slips.get(vid, 0)
    session.rollback()
    total = done = 0
    for group in groups:
        if cancelled and cancelled():
            raise PostingCancelled(f"cancelled after {done} vendors")
        total += rerate_vendors(uow, group, today=today, ladders=cache)
        uow.commit()
        done += len(group)
        if progress:
            progress(done, len(vendor_ids))
    if progress and not vendor_ids:
        progress(0, 0)
    return total
