"""Posting receiving slips and re-rating (SPEC §6): the use cases.

Each use case checks who may, locks the vendors, reads the lines and the posted state
through the adapter (app.adapters.accruals), lets the engine (app.domain.accrual) work out
what changes, and writes it (app.adapters.accrual_writer) in the use case's transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.adapters.accrual_writer import VOLUME_UNITS, write_changes
from app.adapters.accruals import (
    SqlAccrualStore,
    agreement_numbers,
    journal_accruals,
    line_query,
    load_posted,
    lock_vendors,
    posting_lines,
    rating_stamps,
    stamp_vendors,
    vendor_accruals,
)
from app.adapters.bulk import rows_in, slices
from app.adapters.db import transaction_time
from app.domain.accrual import post_lines, rerate_vendor
from app.domain.accrual_audit import CacheDifference, cache_differences
from app.domain.accrual_changes import AccrualChanges
from app.domain.accrual_rows import OutOfRange, check_line_limits
from app.domain.journal import pnl_role
from app.domain.ladder_index import LadderIndex
from app.domain.rows import collector_paused
from app.domain.vocabulary import (
    ACCEPTED,
    DRAFT,
    INVENTORY,
    LADDER_KINDS,
    POSTED,
    REBATE_RECEIVABLE,
    RECEIVED_NOT_INVOICED,
)
from app.models import Agreement, ReceiptLine, ReceivingSlip, Vendor

from .context import UnitOfWork
from .errors import AlreadyPosted, JournalMismatch, NotFound, PostingRefused
from .gl_accounts import refuse_missing, roles_to_accounts
from .ladders import vendor_ladders
from .provisional import provisional_table
from .ratings import LadderCache, stamp_first_postings, vendor_fingerprints
from .security import Permission, can, require

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


def _require_posting(uow: UnitOfWork, slip_nos: Sequence[str] | None) -> None:
    """Accountants and administrators post any slip; a clerk posts the named slips they
    entered themselves (the receiving screen's Post: the entry is made as the item is received)."""
    if can(uow, Permission.POST):
        return
    if slip_nos and can(uow, Permission.RECEIVE):
        others = rows_in(
            uow.session,
            select(ReceivingSlip.slip_no).where(ReceivingSlip.created_by != uow.user),
            ReceivingSlip.slip_no,
            sorted(set(slip_nos)),
        )
        if not list(others):
            return
    require(uow, Permission.POST)


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
    _require_posting(uow, slip_nos)
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
        posted = [s for s in slip_nos if found[s].status != DRAFT]
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
        .where(ReceivingSlip.status == DRAFT)
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
    """Refuse to post while a role that posting can need has no account (SPEC §6.1): those of
    the kinds of the accepted agreements and of the provisional rates (§12)."""
    kinds = set(session.scalars(select(Agreement.kind).where(Agreement.status == ACCEPTED).distinct()))
    kinds.update(provisional_table(session).kinds())
    needed = {INVENTORY, RECEIVED_NOT_INVOICED}
    if kinds:
        needed.add(REBATE_RECEIVABLE)
    needed.update(pnl_role(kind) for kind in kinds if kind in LADDER_KINDS)  # a lump sum accrues at the close
    refuse_missing(sorted(needed - set(roles_to_accounts(session))))


@collector_paused()
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
                select(ReceivingSlip.id).where(ReceivingSlip.id.in_(slip_ids), ReceivingSlip.status == DRAFT)
            )
        )
        if not slip_ids:
            return
    flipped = set(
        session.scalars(
            update(ReceivingSlip)
            .where(ReceivingSlip.id.in_(slip_ids), ReceivingSlip.status == DRAFT)
            .values(status=POSTED, posted_by=uow.user, posted_at=stamp)
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
    lines = posting_lines(session, line_query(session).where(ReceiptLine.slip_id.in_(slip_ids)))
    if ladders is not None:
        by_vendor = ladders.get(session)
        index, provisional = ladders.index, ladders.provisional
    else:
        by_vendor = {vid: vendor_ladders(session, vid) for vid in vendor_ids}
        index, provisional = LadderIndex(by_vendor), provisional_table(session)
    changes = _changes(session, today)
    try:
        check_line_limits(lines)
        post_lines(changes, lines, index, SqlAccrualStore(session), provisional)
    except OutOfRange as refused:
        raise PostingRefused(str(refused)) from None
    totals = {line.product_id: (line.product_qty, line.product_net) for line in lines}
    written = write_changes(session, changes, gl_reference_ids(session), uow.user, stamp, totals)
    stamp_first_postings(session, {ln.vendor_id for ln in lines}, slip_ids, by_vendor)
    result.slips += len(slip_ids)
    result.lines += len(lines)
    result.entries += written
    result.rerate_entries += len(changes.rerates)
    result.slip_nos.extend(sorted({ln.slip_no for ln in lines}))


def _changes(session: Session, today: date) -> AccrualChanges:
    return AccrualChanges(today, agreement_numbers(session), VOLUME_UNITS)


def gl_reference_ids(session: Session) -> dict[str, int]:
    """Account id by role (SPEC §6.1)."""
    return {role: aid for role, (aid, _n) in roles_to_accounts(session).items()}


@collector_paused()
def rerate_vendors(
    uow: UnitOfWork,
    vendor_ids: Iterable[int],
    *,
    today: date | None = None,
    ladders: LadderCache | None = None,
    held: list[tuple[int, list[CacheDifference]]] | None = None,
) -> int:
    """Compute the vendors' ladders afresh and post the differences (no commit).

    held: check each vendor's line_accrual against its journal first (SPEC §6.3: what is
    posted is what the journal holds); a vendor whose cache differs is not re-rated (nothing
    posted, its stamp kept) and is added to `held` with its differences."""
    session = uow.session
    vendor_ids = sorted(set(vendor_ids))
    lock_vendors(session, vendor_ids)  # before reading the ladders: an amendment waits or is seen
    changes = _changes(session, today or date.today())
    if ladders is not None:
        by_vendor = ladders.get(session)
        provisional = ladders.provisional
    else:
        by_vendor = {vid: vendor_ladders(session, vid) for vid in vendor_ids}
        provisional = provisional_table(session)
    totals: dict[int, tuple[int, int]] = {}
    rated = []
    for vid in vendor_ids:
        rows = load_posted(session, vendor_accruals(vid))
        if held is not None:
            differences = cache_differences(rows, journal_accruals(session, vid))
            if differences:
                held.append((vid, differences))
                continue
        rated.append(vid)
        where = (ReceivingSlip.vendor_id == vid) & (ReceivingSlip.status == POSTED)
        lines = posting_lines(session, line_query(session).where(where))
        totals.update((line.product_id, (line.product_qty, line.product_net)) for line in lines)
        posted = {(r.line_id, r.kind): r for r in rows}
        try:
            rerate_vendor(changes, vid, lines, by_vendor.get(vid, {}), posted, provisional)
        except OutOfRange as refused:
            raise PostingRefused(str(refused)) from None
    write_changes(session, changes, gl_reference_ids(session), uow.user, transaction_time(session.connection()), totals)
    stamp_vendors(session, vendor_fingerprints(session, by_vendor, rated, provisional))
    return len(changes.rerates)


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
    full=True also checks each vendor's line_accrual against its journal first: a vendor
    whose cache differs is not re-rated, and once the others are (and committed),
    JournalMismatch names them and their differences (`coop audit` lists them too). The
    incremental re-rate does not read the journal (it stays as quick as the fingerprints).
    Whole vendors per transaction, in vendor order, grouped up to about batch_slips posted
    slips (a big vendor alone): a cancel or a crash leaves each vendor re-rated or untouched.
    """
    require(uow, Permission.RERATE)
    session = uow.session
    cache = LadderCache()
    vendor_ids = list(session.scalars(select(Vendor.id).order_by(Vendor.id)))
    if not full:
        current = vendor_fingerprints(session, cache.get(session), provisional=cache.provisional)
        stamps = rating_stamps(session)
        vendor_ids = [vid for vid in vendor_ids if stamps.get(vid) != current.get(vid)]
    groups: list[list[int]] = []
    if vendor_ids:
        slips = dict(
            session.execute(
                select(ReceivingSlip.vendor_id, func.count())
                .where(ReceivingSlip.status == POSTED)
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
    held: list[tuple[int, list[CacheDifference]]] | None = [] if full else None
    for group in groups:
        if cancelled and cancelled():
            raise PostingCancelled(f"cancelled after {done} vendors")
        total += rerate_vendors(uow, group, today=today, ladders=cache, held=held)
        uow.commit()
        done += len(group)
        if progress:
            progress(done, len(vendor_ids))
    if progress and not vendor_ids:
        progress(0, 0)
    if held:
        codes = dict(session.execute(select(Vendor.id, Vendor.code).where(Vendor.id.in_([v for v, _d in held]))).all())
        session.rollback()
        raise JournalMismatch(total, [(codes[vid], differences) for vid, differences in held])
    return total
