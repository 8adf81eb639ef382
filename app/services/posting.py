"""Posting receiving slips and re-rating (SPEC §6).

The accrual of every posted receipt line is a function of the posted lines and the
accepted agreements. `line_accrual` holds what is posted today per receipt line and
kind; posting and re-rating compute the desired state of the ladders they touch and
post the difference (ACCRUAL/RETRO for new lines, RERATE for lines already posted).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.domain.journal import (
    INVENTORY,
    REBATE_RECEIVABLE,
    RECEIVED_NOT_INVOICED,
    Entry,
    LineRef,
    Posted,
    accrual_entries,
    pnl_role,
    receipt_entry,
    rerate_entry,
)
from app.domain.ladder import Ladder, LadderRun, LineAccrual, choose_ladder, period_key
from app.domain.money import ZERO
from app.models import (
    Agreement,
    JournalEntry,
    JournalLine,
    LadderVolume,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
    VendorRating,
)
from app.models import (
    LineAccrual as LineAccrualRow,
)

from .bulk import BulkWriter
from .context import UnitOfWork
from .errors import AlreadyPosted, NotFound, PostingRefused
from .ladders import accepted_signature, all_ladders, vendor_ladders
from .masterdata import roles_to_accounts
from .security import Permission, require

Progress = Callable[[int, int], None]

ENTRY_COLUMNS = ("id", "entry_date", "source", "reference", "created_by", "created_at")
JOURNAL_LINE_COLUMNS = ("entry_id", "account_id", "role", "debit", "credit", "vendor_id", "product_id",
                        "receipt_line_id", "slip_no", "line_no", "kind", "memo")
ACCRUAL_STATE_COLUMNS = ("ladder_key", "agreement_id", "period_key", "volume_after", "tier", "rebate", "retro",
                         "inventory")
ACCRUAL_COLUMNS = ("receipt_line_id", "kind", "vendor_id", "product_id", "received_date", "slip_no", "line_no",
                   "amount", *ACCRUAL_STATE_COLUMNS)
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


@dataclass(frozen=True)
class RLine:
    """A receipt line as the engine sees it."""

    id: int
    slip_no: str
    line_no: int
    received: date
    vendor_id: int
    product_id: int
    product: str
    cats: tuple[str | None, str | None, str | None, str | None]
    quantity: Decimal
    amount: Decimal

    @property
    def position(self) -> tuple[date, str, int]:
        return (self.received, self.slip_no, self.line_no)

    @property
    def ref(self) -> LineRef:
        return LineRef(self.id, self.slip_no, self.line_no, self.vendor_id, self.product_id, self.product)


def _line_query():  # type: ignore[no-untyped-def]
    return (
        select(
            ReceiptLine.id, ReceivingSlip.slip_no, ReceiptLine.line_no, ReceivingSlip.received_date,
            ReceivingSlip.vendor_id, ReceiptLine.product_id, Product.code,
            Product.cat1, Product.cat2, Product.cat3, Product.cat4,
            ReceiptLine.quantity, ReceiptLine.amount,
        )
        .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
        .join(Product, Product.id == ReceiptLine.product_id)
    )  # fmt: skip


def _rlines(rows: Iterable[Sequence[object]]) -> list[RLine]:
    return [
        RLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6], (r[7], r[8], r[9], r[10]), r[11], r[12])  # type: ignore[arg-type]
        for r in rows
    ]


def lock_vendors(session: Session, vendor_ids: Iterable[int]) -> None:
    """Serialise posting and re-rating per vendor.

    PostgreSQL: the vendor rows are locked FOR NO KEY UPDATE in id order, in one statement
    (ordered, so two postings cannot deadlock; NO KEY, so clerks can still save drafts).
    SQLite: every write transaction is BEGIN IMMEDIATE already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted(set(vendor_ids))
    for i in range(0, len(ids), 5000):
        session.execute(select(Vendor.id).where(Vendor.id.in_(ids[i:i + 5000])).order_by(Vendor.id)
                        .with_for_update(key_share=True)).all()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Posted:
    """A line_accrual row as loaded."""

    receipt_line_id: int
    kind: str
    ladder_key: str | None
    received: date
    slip_no: str
    line_no: int
    product_id: int
    amount: Decimal
    period_key: str
    posted: Posted
    volume_after: Decimal = ZERO
    tier: int = 0

    @property
    def position(self) -> tuple[date, str, int]:
        return (self.received, self.slip_no, self.line_no)


class _Batch:
    """Collects what one posting or re-rating writes, then writes it at once."""

    def __init__(self, session: Session, user: str, today: date) -> None:
        self.session = session
        self.user = user
        self.today = today
        self.entries: list[Entry] = []
        self.inserts: list[tuple[object, ...]] = []
        self.updates: list[tuple[object, ...]] = []
        self.deletes: list[tuple[int, str]] = []
        self.cost_qty: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.cost_net: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.rerates = 0
        self.volumes: dict[tuple[str, str], dict[str, object]] = {}
        self.replace_volumes_of: set[int] = set()

    def ladder_volume(self, ladder: Ladder, vendor_id: int, run: LadderRun,
                      lines: Iterable[RLine | _Posted]) -> None:
        """Record the final volume and last position of each bucket these lines fall in."""
        last: dict[str, tuple[date, str, int]] = {}
        for line in lines:
            bucket = period_key(ladder.terms.period, line.position[0])
            if bucket not in last or line.position > last[bucket]:
                last[bucket] = line.position
        for bucket, (when, slip_no, line_no) in last.items():
            self.volumes[(ladder.key, bucket)] = {
                "ladder_key": ladder.key, "period_key": bucket, "vendor_id": vendor_id,
                "volume": run.volumes[bucket], "last_date": when, "last_slip_no": slip_no,
                "last_line_no": line_no,
            }  # fmt: skip

    @staticmethod
    def _state(ladder: Ladder, acc: LineAccrual, pkey: str) -> tuple[object, ...]:
        """Values of ACCRUAL_STATE_COLUMNS."""
        return (ladder.key, ladder.agreement_id, pkey, acc.volume_after, acc.tier, acc.rebate, acc.retro,
                acc.inventory)

    def receipt(self, line: RLine) -> None:
        self.entries.append(receipt_entry(line.ref, line.received, line.amount))
        self.cost_qty[line.product_id] += line.quantity
        self.cost_net[line.product_id] += line.amount

    def _insert(self, line: RLine, kind: str, ladder: Ladder, acc: LineAccrual) -> None:
        pkey = period_key(ladder.terms.period, line.received)
        self.inserts.append((line.id, kind, line.vendor_id, line.product_id, line.received, line.slip_no,
                             line.line_no, line.amount, *self._state(ladder, acc, pkey)))

    def new_line(self, line: RLine, kind: str, ladder: Ladder, acc: LineAccrual) -> None:
        """A line being posted: ACCRUAL and RETRO entries."""
        self.entries.extend(accrual_entries(line.ref, line.received, kind, acc, ladder.scope.label))
        self._insert(line, kind, ladder, acc)
        self.cost_net[line.product_id] -= acc.inventory

    def newly_covered(self, line: RLine, kind: str, ladder: Ladder, acc: LineAccrual) -> None:
        """A posted line that had no ladder of this kind and now has one: RERATE from zero."""
        memo = f"{kind} re-rate {ladder.scope.label} tier {acc.tier}"
        entry = rerate_entry(line.ref, self.today, kind, Posted(), Posted.of(acc), memo)
        if entry is not None:
            self.entries.append(entry)
            self.rerates += 1
        self._insert(line, kind, ladder, acc)
        self.cost_net[line.product_id] -= acc.inventory

    def restate(self, ref: LineRef, row: _Posted, ladder: Ladder, acc: LineAccrual) -> None:
        new = Posted.of(acc)
        memo = f"{row.kind} re-rate {ladder.scope.label} tier {acc.tier}"
        entry = rerate_entry(ref, self.today, row.kind, row.posted, new, memo)
        if entry is not None:
            self.entries.append(entry)
            self.rerates += 1
            self.cost_net[row.product_id] -= new.inventory - row.posted.inventory
        pkey = period_key(ladder.terms.period, row.received)
        self.updates.append((*self._state(ladder, acc, pkey), row.receipt_line_id, row.kind))

    def drop(self, ref: LineRef, row: _Posted) -> None:
        entry = rerate_entry(ref, self.today, row.kind, row.posted, Posted(), f"{row.kind} re-rate: no agreement")
        if entry is not None:
            self.entries.append(entry)
            self.rerates += 1
            self.cost_net[row.product_id] += row.posted.inventory
        self.deletes.append((row.receipt_line_id, row.kind))

    def write(self) -> int:
        session = self.session
        gl = gl_reference_ids(session)
        needed = {line.role for e in self.entries for line in e.lines}
        missing = sorted(needed - set(gl))
        if missing:
            raise PostingRefused(
                "GL reference incomplete: no account for " + ", ".join(missing)
                + " (set it in Maintenance > GL Reference)"
            )
        stamp = now()
        rank = {"RECEIPT": 0, "ACCRUAL": 1, "RETRO": 2, "RERATE": 3}
        self.entries.sort(key=lambda e: (e.source == "RERATE", e.entry_date, e.ref.slip_no,
                                         e.ref.line_no, rank[e.source]))
        bulk = BulkWriter(session)
        if self.entries:
            ids = bulk.next_ids(JournalEntry.__table__, len(self.entries))
            user = self.user
            bulk.insert(JournalEntry.__table__, ENTRY_COLUMNS, [
                (eid, e.entry_date, e.source, e.reference, user, stamp) for eid, e in zip(ids, self.entries, strict=True)
            ])
            bulk.insert(JournalLine.__table__, JOURNAL_LINE_COLUMNS, [
                (eid, gl[ln.role], ln.role, ln.debit, ln.credit, e.ref.vendor_id, e.ref.product_id,
                 e.ref.receipt_line_id, e.ref.slip_no, e.ref.line_no, ln.kind, ln.memo[:200])
                for eid, e in zip(ids, self.entries, strict=True)
                for ln in e.lines
            ])  # fmt: skip
        table = LineAccrualRow.__table__
        if self.inserts:
            bulk.insert(table, ACCRUAL_COLUMNS, self.inserts)
        if self.updates:
            bulk.update(table, ACCRUAL_STATE_COLUMNS, ("receipt_line_id", "kind"), self.updates)
        if self.deletes:
            bulk.delete(table, ("receipt_line_id", "kind"), self.deletes)
        if self.replace_volumes_of:
            session.execute(delete(LadderVolume).where(LadderVolume.vendor_id.in_(self.replace_volumes_of)))
        if self.volumes:
            upsert_ladder_volumes(session, list(self.volumes.values()))
        products = sorted(set(self.cost_qty) | {p for p, v in self.cost_net.items() if v != ZERO})
        bulk.add_to(Product.__table__, ("received_qty", "received_net"), "id", [
            (self.cost_qty.get(pid, ZERO), self.cost_net.get(pid, ZERO), pid) for pid in products])
        return len(self.entries)


def upsert_ladder_volumes(session: Session, rows: list[dict[str, object]]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    stmt = upsert(LadderVolume.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["ladder_key", "period_key"],
        set_={c: stmt.excluded[c] for c in ("vendor_id", "volume", "last_date", "last_slip_no", "last_line_no")},
    )
    session.execute(stmt, rows)


def ladder_states(session: Session, keys: Sequence[str]) -> dict[str, dict[str, tuple[Decimal, tuple[date, str, int]]]]:
    """ladder key -> bucket -> (volume, position of the last line)."""
    t = LadderVolume
    out: dict[str, dict[str, tuple[Decimal, tuple[date, str, int]]]] = defaultdict(dict)
    for i in range(0, len(keys), 500):
        rows = session.execute(select(t.ladder_key, t.period_key, t.volume, t.last_date, t.last_slip_no,
                                      t.last_line_no).where(t.ladder_key.in_(keys[i:i + 500])))
        for key, bucket, volume, when, slip_no, line_no in rows:
            out[key][bucket] = (volume, (when, slip_no, line_no))
    return out


class LadderCache:
    """Accepted ladders by vendor, loaded once and again only when agreements change."""

    def __init__(self) -> None:
        self.signature: tuple[int, int, int] | None = None
        self.by_vendor: dict[int, dict[str, list[Ladder]]] = {}

    def get(self, session: Session) -> dict[int, dict[str, list[Ladder]]]:
        signature = accepted_signature(session)
        if signature != self.signature:
            self.by_vendor = all_ladders(session)
            self.signature = signature
        return self.by_vendor


# Bump when the accrual rules change: every vendor is then recomputed by the next re-rate.
ENGINE_REVISION = "2026-11-23"


def vendor_fingerprints(session: Session, ladders_by_vendor: dict[int, dict[str, list[Ladder]]],
                        vendor_ids: Iterable[int] | None = None) -> dict[int, str]:
    """What decides the accruals of a vendor's posted lines: its accepted ladders and its
    products' codes and categories (and the engine's revision), as one digest per vendor."""
    query = select(Product.vendor_id, Product.id, Product.code, Product.cat1, Product.cat2, Product.cat3,
                   Product.cat4).order_by(Product.vendor_id, Product.id)
    wanted = None if vendor_ids is None else sorted(set(vendor_ids))
    products: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    if wanted is None:
        for row in session.execute(query):
            products[row[0]].append(tuple(row[1:]))
    else:
        for i in range(0, len(wanted), 5000):
            for row in session.execute(query.where(Product.vendor_id.in_(wanted[i:i + 5000]))):
                products[row[0]].append(tuple(row[1:]))
    ids = set(products) | set(ladders_by_vendor) if wanted is None else set(wanted)
    out = {}
    for vid in ids:
        digest = hashlib.sha256(ENGINE_REVISION.encode())
        digest.update(repr(sorted(ladders_by_vendor.get(vid, {}).items())).encode())
        digest.update(repr(products.get(vid, [])).encode())
        out[vid] = digest.hexdigest()
    return out


def rating_stamps(session: Session, vendor_ids: Iterable[int] | None = None) -> dict[int, str]:
    query = select(VendorRating.vendor_id, VendorRating.fingerprint)
    if vendor_ids is not None:
        query = query.where(VendorRating.vendor_id.in_(sorted(set(vendor_ids))))
    return {vid: fp for vid, fp in session.execute(query)}


def stamp_vendors(session: Session, fingerprints: dict[int, str]) -> None:
    """Record that these vendors' accruals equal the computation with these fingerprints."""
    if not fingerprints:
        return
    ids = sorted(fingerprints)
    session.execute(delete(VendorRating).where(VendorRating.vendor_id.in_(ids)))
    stamp = now()
    BulkWriter(session).insert(VendorRating.__table__, ("vendor_id", "fingerprint", "rated_at"),
                               [(vid, fingerprints[vid], stamp) for vid in ids])


def _stamp_first_postings(session: Session, vendor_ids: set[int], slip_ids: list[int],
                          ladders_by_vendor: dict[int, dict[str, list[Ladder]]]) -> None:
    """A vendor posting its first slips with the current ladders is consistent with them."""
    unstamped = vendor_ids - set(rating_stamps(session, vendor_ids))
    if not unstamped:
        return
    posted_before = set(session.scalars(
        select(ReceivingSlip.vendor_id).where(
            ReceivingSlip.vendor_id.in_(sorted(unstamped)), ReceivingSlip.status == "POSTED",
            ReceivingSlip.id.not_in(slip_ids)).distinct()))
    first = unstamped - posted_before
    if first:
        stamp_vendors(session, vendor_fingerprints(session, ladders_by_vendor, first))


def gl_reference_ids(session: Session) -> dict[str, int]:
    return {role: aid for role, (aid, _n) in roles_to_accounts(session).items()}


def _load_posted(session: Session, where: object) -> list[_Posted]:
    t = LineAccrualRow
    rows = session.execute(
        select(t.receipt_line_id, t.kind, t.ladder_key, t.received_date, t.slip_no, t.line_no,
               t.product_id, t.amount, t.period_key, t.rebate, t.retro, t.inventory, t.volume_after,
               t.tier).where(where)  # type: ignore[arg-type]
    )
    return [_Posted(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], Posted(r[9], r[10], r[11]), r[12], r[13])
            for r in rows]


def _ladder_volumes(session: Session, ladder: Ladder, before: tuple[date, str, int],
                    same_day: list[_Posted]) -> dict[str, Decimal]:
    """Volume per period of the ladder's posted lines before a position."""
    t = LineAccrualRow
    volumes: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = session.execute(
        select(t.period_key, func.sum(t.amount)).where(t.ladder_key == ladder.key, t.received_date < before[0])
        .group_by(t.period_key)
    )
    for pkey, total in rows:
        volumes[pkey] += total or ZERO
    for row in same_day:
        if row.position < before:
            volumes[row.period_key] += row.amount
    return dict(volumes)


def _ref_for(row: _Posted, vendor_id: int) -> LineRef:
    return LineRef(row.receipt_line_id, row.slip_no, row.line_no, vendor_id, row.product_id, "")


def _post_ladder(session: Session, batch: _Batch, kind: str, ladder: Ladder, new: list[RLine]) -> None:
    """New lines into one ladder; later posted lines of the ladder are re-rated."""
    new.sort(key=lambda ln: ln.position)
    first = new[0].position
    t = LineAccrualRow
    later_or_same = _load_posted(session, (t.ladder_key == ladder.key) & (t.received_date >= first[0]))
    earlier_same_day = [r for r in later_or_same if r.position < first]
    later = [r for r in later_or_same if r.position >= first]
    run = LadderRun(ladder.terms, _ladder_volumes(session, ladder, first, earlier_same_day))
    merged: list[tuple[tuple[date, str, int], RLine | _Posted]] = [(ln.position, ln) for ln in new]
    merged += [(r.position, r) for r in later]
    merged.sort(key=lambda m: m[0])
    vendor_id = new[0].vendor_id
    for _pos, item in merged:
        if isinstance(item, RLine):
            batch.new_line(item, kind, ladder, run.add(item.received, item.amount))
        else:
            batch.restate(_ref_for(item, vendor_id), item, ladder, run.add(item.received, item.amount))
    batch.ladder_volume(ladder, vendor_id, run, (item for _pos, item in merged))


def _post_lines(session: Session, batch: _Batch, lines: list[RLine],
                ladders_by_vendor: dict[int, dict[str, list[Ladder]]]) -> None:
    touched: dict[tuple[str, str], tuple[Ladder, list[RLine]]] = {}
    for line in lines:
        batch.receipt(line)
        for kind, ladders in ladders_by_vendor.get(line.vendor_id, {}).items():
            ladder = choose_ladder(ladders, line.product, line.cats, line.received)
            if ladder is not None:
                touched.setdefault((kind, ladder.key), (ladder, []))[1].append(line)
    states = ladder_states(session, sorted({key for _kind, key in touched}))
    for (kind, key), (ladder, new) in sorted(touched.items()):
        new.sort(key=lambda ln: ln.position)
        state = states.get(key, {})
        last = max((pos for _vol, pos in state.values()), default=None)
        if last is not None and new[0].position <= last:
            _post_ladder(session, batch, kind, ladder, new)  # back-dated: re-rate what follows
            continue
        run = LadderRun(ladder.terms, {bucket: vol for bucket, (vol, _pos) in state.items()})
        for line in new:
            batch.new_line(line, kind, ladder, run.add(line.received, line.amount))
        batch.ladder_volume(ladder, new[0].vendor_id, run, new)


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
        repeated = sorted({s for s in slip_nos if list(slip_nos).count(s) > 1})
        if repeated:
            raise AlreadyPosted("Receiving slip " + ", ".join(repeated) + " is named more than once; "
                                "a slip posts once")
        rows = session.execute(
            select(ReceivingSlip.id, ReceivingSlip.slip_no, ReceivingSlip.status, ReceivingSlip.vendor_id)
            .where(ReceivingSlip.slip_no.in_(list(slip_nos)))
        ).all()
        found = {r.slip_no: r for r in rows}
        unknown = [s for s in slip_nos if s not in found]
        if unknown:
            raise NotFound("Receiving slip " + ", ".join(unknown) + " does not exist")
        posted = [s for s in slip_nos if found[s].status != "DRAFT"]
        if posted:
            raise AlreadyPosted("Receiving slip " + ", ".join(posted) + " is already posted")
        _post_batch(uow, [found[s].id for s in slip_nos], {found[s].vendor_id for s in slip_nos}, today, result)
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
                _post_batch(uow, [b[0] for b in batch], {b[1] for b in batch}, today, result,
                            skip_posted=True, ladders=cache)
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
    kinds = set(session.scalars(select(Agreement.kind).where(Agreement.status == "ACCEPTED").distinct()))
    needed = {INVENTORY, RECEIVED_NOT_INVOICED}
    if kinds:
        needed.add(REBATE_RECEIVABLE)
    needed.update(pnl_role(kind) for kind in kinds)
    missing = sorted(needed - set(roles_to_accounts(session)))
    if missing:
        raise PostingRefused(
            "GL reference incomplete: no account for " + ", ".join(missing)
            + " (set it in Maintenance > GL Reference)"
        )


def _post_batch(uow: UnitOfWork, slip_ids: list[int], vendor_ids: set[int], today: date,
                result: PostingResult, skip_posted: bool = False, ladders: LadderCache | None = None) -> None:
    session = uow.session
    lock_vendors(session, vendor_ids)
    stamp = now()
    if skip_posted:  # another workstation may have posted some meanwhile
        slip_ids = list(session.scalars(select(ReceivingSlip.id).where(
            ReceivingSlip.id.in_(slip_ids), ReceivingSlip.status == "DRAFT")))
        if not slip_ids:
            return
    flipped = set(session.scalars(
        update(ReceivingSlip)
        .where(ReceivingSlip.id.in_(slip_ids), ReceivingSlip.status == "DRAFT")
        .values(status="POSTED", posted_by=uow.user, posted_at=stamp)
        .returning(ReceivingSlip.id)
        .execution_options(synchronize_session=False)
    ))
    if len(flipped) != len(slip_ids):
        missing = [i for i in slip_ids if i not in flipped]
        if skip_posted:  # posting every draft: what changed meanwhile waits for the next run
            slip_ids = [i for i in slip_ids if i in flipped]
            if not slip_ids:
                return
        elif session.scalar(select(func.count()).select_from(ReceivingSlip).where(ReceivingSlip.id.in_(missing))):
            raise AlreadyPosted("a receiving slip of this posting was posted by another workstation meanwhile")
        else:
            raise PostingRefused("a receiving slip of this posting was saved again or deleted by another "
                                 "workstation meanwhile; nothing was posted: open it and post it again")
    lines = _rlines(session.execute(_line_query().where(ReceiptLine.slip_id.in_(slip_ids))))
    lines.sort(key=lambda ln: ln.position)
    batch = _Batch(session, uow.user, today)
    by_vendor = (ladders.get(session) if ladders is not None
                 else {vid: vendor_ladders(session, vid) for vid in vendor_ids})
    _post_lines(session, batch, lines, by_vendor)
    written = batch.write()
    _stamp_first_postings(session, {ln.vendor_id for ln in lines}, slip_ids, by_vendor)
    result.slips += len(slip_ids)
    result.lines += len(lines)
    result.entries += written
    result.rerate_entries += batch.rerates
    result.slip_nos.extend(sorted({ln.slip_no for ln in lines}))


def rerate_vendors(uow: UnitOfWork, vendor_ids: Iterable[int], *, today: date | None = None,
                   ladders: LadderCache | None = None) -> int:
    """Compute the vendors' ladders afresh and post the differences (no commit)."""
    session = uow.session
    vendor_ids = sorted(set(vendor_ids))
    lock_vendors(session, vendor_ids)  # before reading the ladders: an amendment waits or is seen
    batch = _Batch(session, uow.user, today or date.today())
    if ladders is not None:
        by_vendor = ladders.get(session)
    else:
        by_vendor = {vid: vendor_ladders(session, vid) for vid in vendor_ids}
    for vid in vendor_ids:
        _rerate_vendor(session, batch, vid, by_vendor.get(vid, {}))
    batch.write()
    stamp_vendors(session, vendor_fingerprints(session, by_vendor, vendor_ids))
    return batch.rerates


def _rerate_vendor(session: Session, batch: _Batch, vendor_id: int, ladders: dict[str, list[Ladder]]) -> None:
    batch.replace_volumes_of.add(vendor_id)
    lines = _rlines(session.execute(
        _line_query().where(ReceivingSlip.vendor_id == vendor_id, ReceivingSlip.status == "POSTED")))
    lines.sort(key=lambda ln: ln.position)
    posted = {(r.receipt_line_id, r.kind): r for r in _load_posted(session, LineAccrualRow.vendor_id == vendor_id)}
    by_id = {ln.id: ln for ln in lines}
    seen: set[tuple[int, str]] = set()
    for kind, kind_ladders in ladders.items():
        members: dict[str, list[RLine]] = defaultdict(list)
        for line in lines:
            ladder = choose_ladder(kind_ladders, line.product, line.cats, line.received)
            if ladder is not None:
                members[ladder.key].append(line)
        for ladder in kind_ladders:
            run = LadderRun(ladder.terms)
            for line in members.get(ladder.key, ()):
                acc = run.add(line.received, line.amount)
                key = (line.id, kind)
                seen.add(key)
                row = posted.get(key)
                if row is None:
                    batch.newly_covered(line, kind, ladder, acc)
                elif (row.posted != Posted.of(acc) or row.ladder_key != ladder.key
                      or (row.volume_after, row.tier) != (acc.volume_after, acc.tier)
                      or row.period_key != period_key(ladder.terms.period, line.received)):
                    batch.restate(line.ref, row, ladder, acc)
            batch.ladder_volume(ladder, vendor_id, run, members.get(ladder.key, ()))
    for key, row in posted.items():
        if key not in seen:
            line = by_id.get(row.receipt_line_id)
            batch.drop(line.ref if line else _ref_for(row, vendor_id), row)


def rerate(uow: UnitOfWork, *, today: date | None = None, progress: Progress | None = None,
           cancelled: Cancelled | None = None, full: bool = False) -> int:
    """Re-rate (SPEC §6.3), one vendor per transaction. Returns RERATE entries.

    Recomputes every vendor whose ladders or product categories changed since its accruals
    were last computed (its fingerprint differs from its stamp), or every vendor with
    full=True; an unchanged state reads the fingerprints only and posts nothing.
    """
    require(uow, Permission.RERATE)
    session = uow.session
    cache = LadderCache()
    vendor_ids = list(session.scalars(select(Vendor.id).order_by(Vendor.id)))
    if not full:
        current = vendor_fingerprints(session, cache.get(session))
        stamps = rating_stamps(session)
        vendor_ids = [vid for vid in vendor_ids if stamps.get(vid) != current.get(vid)]
    session.rollback()
    total = 0
    for i, vid in enumerate(vendor_ids):
        if cancelled and cancelled():
            raise PostingCancelled(f"cancelled after {i} vendors")
        total += rerate_vendors(uow, [vid], today=today, ladders=cache)
        uow.commit()
        if progress:
            progress(i + 1, len(vendor_ids))
    if progress and not vendor_ids:
        progress(0, 0)
    return total
