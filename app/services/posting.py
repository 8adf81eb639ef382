"""Posting receiving slips and re-rating (SPEC §6).

The accrual of every posted receipt line is a function of the posted lines and the
accepted agreements. `line_accrual` holds what is posted today per receipt line and
kind; posting and re-rating compute the desired state of the ladders they touch and
post the difference (ACCRUAL/RETRO for new lines, RERATE for lines already posted).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.db import transaction_time
from app.domain.journal import (
    INVENTORY,
    REBATE_RECEIVABLE,
    RECEIVED_NOT_INVOICED,
    LineTuple,
    UnbalancedEntry,
    accrual_lines,
    pnl_role,
    receipt_lines,
    rerate_lines,
    retro_lines,
)
from app.domain.ladder import Ladder, LadderIndex, Run, period_end, period_key
from app.domain.limits import AMOUNT_MAX, QUANTITY_MAX, limit_text
from app.domain.money import fmt_money, to_units
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
from app.models.types import from_units, stored_units

from .bulk import BulkWriter, rows_in, slices
from .context import UnitOfWork
from .errors import AlreadyPosted, NotFound, PostingRefused
from .ladders import accepted_signature, all_ladders, vendor_ladders
from .masterdata import roles_to_accounts
from .planner import index_lookups
from .security import Permission, require

Progress = Callable[[int, int], None]

ENTRY_COLUMNS = ("id", "entry_date", "source", "reference", "created_by", "created_at")
JOURNAL_LINE_COLUMNS = ("entry_id", "account_id", "role", "debit", "credit", "vendor_id", "product_id",
                        "receipt_line_id", "slip_no", "line_no", "kind", "memo", "agreement_no")
ACCRUAL_RESULT_COLUMNS = ("tier", "rebate", "retro", "inventory")
ACCRUAL_STATE_COLUMNS = ("ladder_key", "agreement_id", "period_key", *ACCRUAL_RESULT_COLUMNS)
LADDER_VOLUME_COLUMNS = ("ladder_key", "period_key", "vendor_id", "volume", "last_date", "last_slip_no",
                         "last_line_no")
ACCRUAL_COLUMNS = ("receipt_line_id", "kind", "vendor_id", "product_id", "received_date", "slip_no", "line_no",
                   "amount", *ACCRUAL_STATE_COLUMNS)
Cancelled = Callable[[], bool]
# What the running totals hold (units of 10^-scale) and what a posted line may hold (the
# entry limits, for drafts saved before they existed): app.domain.limits.
VOLUME_UNITS = LadderVolume.__table__.c.volume.type.max_units
QTY_TOTAL_UNITS = Product.__table__.c.received_qty.type.max_units
NET_TOTAL_UNITS = Product.__table__.c.received_net.type.max_units
LINE_QTY_UNITS = to_units(QUANTITY_MAX, 4)
LINE_AMOUNT_UNITS = to_units(AMOUNT_MAX, 2)


class PostingCancelled(Exception):
    pass


@dataclass
class PostingResult:
    slips: int = 0
    lines: int = 0
    entries: int = 0
    rerate_entries: int = 0
    slip_nos: list[str] = field(default_factory=list)


class RLine:
    """A receipt line as the engine sees it: quantity in 10^-4 units, amount in cents; with its
    product's received quantity and net before this posting (the running totals it adds to)."""

    __slots__ = ("id", "slip_no", "line_no", "received", "vendor_id", "product_id", "product", "cats",
                 "quantity", "amount", "position", "product_qty", "product_net")

    def __init__(self, row: Sequence[Any]) -> None:
        (self.id, self.slip_no, self.line_no, self.received, self.vendor_id, self.product_id, self.product,
         cat1, cat2, cat3, cat4, self.quantity, self.amount, self.product_qty, self.product_net) = row
        self.cats = (cat1, cat2, cat3, cat4)
        self.position = (self.received, self.slip_no, self.line_no)


def _line_query(session: Session):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect
    return (
        select(
            ReceiptLine.id, ReceivingSlip.slip_no, ReceiptLine.line_no, ReceivingSlip.received_date,
            ReceivingSlip.vendor_id, ReceiptLine.product_id, Product.code,
            Product.cat1, Product.cat2, Product.cat3, Product.cat4,
            stored_units(ReceiptLine.quantity, 4, dialect), stored_units(ReceiptLine.amount, 2, dialect),
            stored_units(Product.received_qty, 4, dialect), stored_units(Product.received_net, 2, dialect),
        )
        .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
        .join(Product, Product.id == ReceiptLine.product_id)
    )  # fmt: skip


def _raw_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The driver's own rows of a Core select: SQLAlchemy compiles and executes it, the rows
    come straight from the DBAPI cursor (no Row objects, no result processing). Only for
    selects whose columns the driver already returns as wanted: integers (stored_units),
    strings, and dates (`_dates` makes SQLite's ISO text a date where one is needed)."""
    result = session.connection().execute(query)
    try:
        return result.cursor.fetchall()  # type: ignore[union-attr,no-any-return]
    finally:
        result.close()


def _dates(session: Session, rows: list[tuple[Any, ...]], at: int) -> list[tuple[Any, ...]]:
    """rows with column `at` a date (SQLite returns the stored ISO text)."""
    if session.get_bind().dialect.name != "sqlite":
        return rows
    iso = date.fromisoformat
    return [(*r[:at], iso(r[at]), *r[at + 1:]) for r in rows]


def _rlines(session: Session, query: Any) -> list[RLine]:
    """Receipt lines of _line_query (plus a where), as the engine sees them."""
    return [RLine(r) for r in _dates(session, _raw_rows(session, query), 3)]  # 3: the received date


def lock_vendors(session: Session, vendor_ids: Iterable[int]) -> None:
    """Serialise posting and re-rating per vendor.

    PostgreSQL: the vendor rows are locked FOR NO KEY UPDATE in id order, in one statement
    (ordered, so two postings cannot deadlock; NO KEY, so clerks can still save drafts).
    SQLite: every write transaction is BEGIN IMMEDIATE already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for part in slices(sorted(set(vendor_ids))):
        session.execute(select(Vendor.id).where(Vendor.id.in_(part)).order_by(Vendor.id)
                        .with_for_update(key_share=True)).all()


def now() -> datetime:
    return datetime.now(UTC)


# A line_accrual row as loaded (money in cents): a plain row, read by position.
_Posted = Sequence[Any]
P_ID, P_KIND, P_RECEIVED, P_AMOUNT, P_LADDER, P_PERIOD, P_REBATE, P_INVENTORY = 0, 1, 2, 6, 7, 8, 10, 12
P_POSITION = slice(2, 5)  # (received date, slip number, line number)
P_RESULT = slice(9, 13)  # (tier, rebate, retro, inventory): ACCRUAL_RESULT_COLUMNS
P_AGREEMENT = 13  # the agreement id the line accrues under


# (volume after, tier 1-based, rebate, retro, inventory), money in cents: Run.add's result;
# acc[1:] is what line_accrual stores (ACCRUAL_RESULT_COLUMNS).
Accrual = tuple[int, int, int, int, int]
# A journal entry to write: sort key (RERATE last, date, slip, line, source rank), then what it is
# (source, vendor, product, receipt line, agreement number, lines).
_Entry = tuple[bool, date, str, int, int, str, int, int, int, str | None, tuple[LineTuple, ...]]

_BUCKETS: dict[tuple[str | None, date], str] = {}


def _bucket(period: str | None, when: date) -> str:
    """period_key, remembered (a year has few dates)."""
    try:
        return _BUCKETS[(period, when)]
    except KeyError:
        if len(_BUCKETS) > 100_000:
            _BUCKETS.clear()
        key = _BUCKETS[(period, when)] = period_key(period, when)
        return key


class _Batch:
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

    def ladder_volume(self, ladder: Ladder, vendor_id: int, volumes: dict[str, int],
                      positions: Iterable[tuple[date, str, int]]) -> None:
        """Record the final volume and last position of each bucket these lines fall in
        (positions in ladder order, so the last one of a bucket is its last line)."""
        last: dict[str, tuple[date, str, int]] = {}
        period = ladder.terms.period
        if period is None:
            for position in positions:
                last[""] = position
        else:
            for position in positions:
                last[_bucket(period, position[0])] = position
        for bucket, (when, slip_no, line_no) in last.items():
            volume = volumes[bucket]
            if not -VOLUME_UNITS <= volume <= VOLUME_UNITS:
                period = f", period {bucket}" if bucket else ""
                raise PostingRefused(
                    f"Receiving slip {slip_no} line {line_no}: the volume of {ladder.kind} ladder {ladder.scope.label} "
                    f"(agreement {ladder.agreement_no}{period}) would reach {fmt_money(from_units(volume, -2))}, "
                    f"more than the database holds ({fmt_money(from_units(VOLUME_UNITS, -2))}); nothing was posted")
            self.volumes[(ladder.key, bucket)] = (ladder.key, bucket, vendor_id, volume, when, slip_no, line_no)

    def receipt(self, line: RLine) -> None:
        memo = f"Receipt {line.slip_no}/{line.line_no} {line.product}"
        self.entries.append((False, line.received, line.slip_no, line.line_no, 0, "RECEIPT", line.vendor_id,
                             line.product_id, line.id, None, receipt_lines(line.amount, memo, 0)))
        self.cost_qty[line.product_id] += line.quantity
        self.cost_net[line.product_id] += line.amount

    def _insert(self, line: RLine, kind: str, ladder: Ladder, pkey: str, acc: Accrual) -> None:
        self.inserts.append((line.id, kind, line.vendor_id, line.product_id, line.received, line.slip_no,
                             line.line_no, line.amount, ladder.key, ladder.agreement_id, pkey, *acc[1:]))

    def new_line(self, line: RLine, kind: str, ladder: Ladder, label: str, pkey: str, acc: Accrual) -> None:
        """A line being posted: ACCRUAL and RETRO entries."""
        _after, tier, rebate, retro, inventory = acc
        regular = rebate - retro
        if regular:
            memo = f"{kind} accrual {label} tier {tier}"
            self.entries.append((False, line.received, line.slip_no, line.line_no, 1, "ACCRUAL", line.vendor_id,
                                 line.product_id, line.id, ladder.agreement_no,
                                 accrual_lines(kind, regular, inventory, memo, 0)))
        if retro:
            memo = f"{kind} retroactive {label} tier {tier}"
            self.entries.append((False, line.received, line.slip_no, line.line_no, 2, "RETRO", line.vendor_id,
                                 line.product_id, line.id, ladder.agreement_no, retro_lines(kind, retro, memo, 0)))
        self._insert(line, kind, ladder, pkey, acc)
        self.cost_net[line.product_id] -= inventory

    def _rerate(self, line_id: int, slip_no: str, line_no: int, vendor_id: int, product_id: int, kind: str,
                d_rebate: int, d_inventory: int, memo: str, agreement_no: str | None) -> None:
        lines = rerate_lines(kind, d_rebate, d_inventory, memo, 0)
        if lines:
            self.entries.append((True, self.today, slip_no, line_no, 3, "RERATE", vendor_id, product_id, line_id,
                                 agreement_no, lines))
            self.rerates += 1
            if d_inventory:
                self.cost_net[product_id] -= d_inventory

    def newly_covered(self, line: RLine, kind: str, ladder: Ladder, label: str, pkey: str, acc: Accrual) -> None:
        """A posted line that had no ladder of this kind and now has one: RERATE from zero."""
        self._rerate(line.id, line.slip_no, line.line_no, line.vendor_id, line.product_id, kind, acc[2], acc[4],
                     f"{kind} re-rate {label} tier {acc[1]}", ladder.agreement_no)
        self._insert(line, kind, ladder, pkey, acc)

    def restate(self, row: _Posted, vendor_id: int, ladder: Ladder, label: str, pkey: str, acc: Accrual) -> None:
        line_id, kind, _when, slip_no, line_no, product_id = row[:6]
        memo = f"{kind} re-rate {label} tier {acc[1]}"
        if row[P_AGREEMENT] is not None and row[P_AGREEMENT] != ladder.agreement_id:
            # A line moving to another agreement: what it earned is reversed under the agreement
            # it leaves and earned afresh under the new one, so each agreement's journal lines
            # add up to what it is owed (its invoices and statements); the net per receipt line
            # and account is still the difference of SPEC §6.3.
            self._rerate(line_id, slip_no, line_no, vendor_id, product_id, kind, -row[P_REBATE], -row[P_INVENTORY],
                         f"{kind} re-rate: to agreement {ladder.agreement_no}", self._agreement_no(row[P_AGREEMENT]))
            self._rerate(line_id, slip_no, line_no, vendor_id, product_id, kind, acc[2], acc[4], memo,
                         ladder.agreement_no)
        else:
            self._rerate(line_id, slip_no, line_no, vendor_id, product_id, kind, acc[2] - row[P_REBATE],
                         acc[4] - row[P_INVENTORY], memo, ladder.agreement_no)
        if row[P_LADDER] == ladder.key and row[P_PERIOD] == pkey:  # same ladder: its index stays as it is
            self.updates.append((*acc[1:], line_id, kind))
        else:
            self.moves.append((ladder.key, ladder.agreement_id, pkey, *acc[1:], line_id, kind))

    def drop(self, row: _Posted, vendor_id: int) -> None:
        line_id, kind, _when, slip_no, line_no, product_id = row[:6]
        self._rerate(line_id, slip_no, line_no, vendor_id, product_id, kind, -row[P_REBATE], -row[P_INVENTORY],
                     f"{kind} re-rate: no agreement", self._agreement_no(row[P_AGREEMENT]))
        self.deletes.append((line_id, kind))

    def _agreement_no(self, agreement_id: int | None) -> str | None:
        """The number of the agreement an ended accrual was under (a few agreements: each read once)."""
        if agreement_id is None:
            return None
        if agreement_id not in self.agreement_nos:
            self.agreement_nos[agreement_id] = self.session.scalar(
                select(Agreement.number).where(Agreement.id == agreement_id))
        return self.agreement_nos[agreement_id]

    def check_product_totals(self, products: list[int]) -> None:
        """Refuse (before anything is written) to take a product's received quantity or net
        beyond what its column holds: the increments are added in SQL, where SQLite would
        turn an overflowing integer into an inexact REAL instead of failing. The totals come
        with the lines (known_totals); only products re-rated through other lines' ladders
        (a back-dated posting) are read here."""
        totals = self.product_totals
        missing = [pid for pid in products if pid not in totals]
        if missing:
            dialect = self.session.get_bind().dialect
            t = Product
            for part in slices(missing):
                query = select(t.id, stored_units(t.received_qty, 4, dialect), stored_units(t.received_net, 2, dialect)
                               ).where(t.id.in_(part))
                totals.update((pid, (qty, net)) for pid, qty, net in _raw_rows(self.session, query))
        cost_qty, cost_net = self.cost_qty, self.cost_net
        for pid in products:
            qty, net = totals[pid]
            qty += cost_qty.get(pid, 0)
            net += cost_net.get(pid, 0)
            if -QTY_TOTAL_UNITS <= qty <= QTY_TOTAL_UNITS and -NET_TOTAL_UNITS <= net <= NET_TOTAL_UNITS:
                continue
            slip_no, line_no = next(((e[2], e[3]) for e in reversed(self.entries) if e[7] == pid), ("?", "?"))
            code = self.session.scalar(select(Product.code).where(Product.id == pid))
            what = (f"received quantity would reach {from_units(qty, -4):,}" if abs(qty) > QTY_TOTAL_UNITS
                    else f"received net would reach {fmt_money(from_units(net, -2))}")
            raise PostingRefused(f"Receiving slip {slip_no} line {line_no}: the {what} for product {code}, "
                                 "more than the database holds; nothing was posted")

    def write(self) -> int:
        session = self.session
        products = sorted(set(self.cost_qty) | {p for p, v in self.cost_net.items() if v})
        self.check_product_totals(products)
        gl = gl_reference_ids(session)
        stamp = self.stamp or transaction_time(session.connection())
        self.entries.sort(key=itemgetter(0, 1, 2, 3, 4))
        bulk = BulkWriter(session)
        if self.entries:
            ids = bulk.next_ids(JournalEntry.__table__, len(self.entries))
            user = self.user
            created = bulk.stored(JournalEntry.__table__, "created_at", stamp)  # converted once, not per entry
            entry_rows = []
            line_rows = []
            try:
                for eid, (_r, when, slip_no, line_no, _rank, source, vendor_id, product_id, line_id, agreement_no,
                          lines) in zip(ids, self.entries, strict=True):
                    entry_rows.append((eid, when, source, slip_no, user, created))
                    debit = credit = 0
                    for role, dr, cr, kind, memo in lines:
                        debit += dr
                        credit += cr
                        line_rows.append((eid, gl[role], role, dr, cr, vendor_id, product_id, line_id, slip_no,
                                          line_no, kind, memo[:200], agreement_no))
                    if debit != credit or not lines:
                        raise UnbalancedEntry(f"{source} {slip_no}/{line_no}: debit {debit} != credit {credit} cents")
            except KeyError as missing:  # a role without an account (check_gl_roles names them all up front)
                raise PostingRefused(f"GL reference incomplete: no account for {missing.args[0]} "
                                     "(set it in Maintenance > GL Reference)") from None
            bulk.insert(JournalEntry.__table__, ENTRY_COLUMNS, entry_rows, stored=("created_at",))
            bulk.insert(JournalLine.__table__, JOURNAL_LINE_COLUMNS, line_rows, units=True)
        table = LineAccrualRow.__table__
        if self.inserts:
            bulk.insert(table, ACCRUAL_COLUMNS, self.inserts, units=True)
        if self.updates:
            bulk.update(table, ACCRUAL_RESULT_COLUMNS, ("receipt_line_id", "kind"), self.updates, units=True)
        if self.moves:
            bulk.update(table, ACCRUAL_STATE_COLUMNS, ("receipt_line_id", "kind"), self.moves, units=True)
        if self.deletes:
            bulk.delete(table, ("receipt_line_id", "kind"), self.deletes)
        for part in slices(sorted(self.replace_volumes_of)):
            session.execute(delete(LadderVolume).where(LadderVolume.vendor_id.in_(part)))
        if self.volumes:
            bulk.upsert(LadderVolume.__table__, LADDER_VOLUME_COLUMNS, ("ladder_key", "period_key"),
                        list(self.volumes.values()), units=True)
        bulk.add_to(Product.__table__, ("received_qty", "received_net"), "id", [
            (self.cost_qty.get(pid, 0), self.cost_net.get(pid, 0), pid) for pid in products], units=True)
        return len(self.entries)


def ladder_states(session: Session, keys: Sequence[str]) -> dict[str, dict[str, tuple[int, tuple[date, str, int]]]]:
    """ladder key -> bucket -> (volume in cents, position of the last line)."""
    t = LadderVolume
    volume = stored_units(t.volume, 2, session.get_bind().dialect)
    out: dict[str, dict[str, tuple[int, tuple[date, str, int]]]] = defaultdict(dict)
    query = select(t.ladder_key, t.period_key, volume, t.last_date, t.last_slip_no, t.last_line_no)
    for key, bucket, cents_, when, slip_no, line_no in rows_in(session, query, t.ladder_key, keys, 500):
        out[key][bucket] = (cents_, (when, slip_no, line_no))
    return out


class LadderCache:
    """Accepted ladders by vendor, loaded once and again only when agreements change."""

    def __init__(self) -> None:
        self.signature: tuple[int, int, int] | None = None
        self.by_vendor: dict[int, dict[str, list[Ladder]]] = {}
        self.index = LadderIndex({})

    def get(self, session: Session) -> dict[int, dict[str, list[Ladder]]]:
        signature = accepted_signature(session)
        if signature != self.signature:
            self.by_vendor = all_ladders(session)
            self.index = LadderIndex(self.by_vendor)
            self.signature = signature
        return self.by_vendor


# Bump when the accrual rules change: every vendor is then recomputed by the next re-rate.
ENGINE_REVISION = "2026-12-06"  # ladder keys are JSON identities (migration 0007)


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
        for row in rows_in(session, query, Product.vendor_id, wanted):
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
    rows = session.execute(query) if vendor_ids is None else rows_in(
        session, query, VendorRating.vendor_id, sorted(set(vendor_ids)))
    return {vid: fp for vid, fp in rows}


def stamp_vendors(session: Session, fingerprints: dict[int, str]) -> None:
    """Record that these vendors' accruals equal the computation with these fingerprints."""
    if not fingerprints:
        return
    ids = sorted(fingerprints)
    for part in slices(ids):
        session.execute(delete(VendorRating).where(VendorRating.vendor_id.in_(part)))
    stamp = now()
    BulkWriter(session).insert(VendorRating.__table__, ("vendor_id", "fingerprint", "rated_at"),
                               [(vid, fingerprints[vid], stamp) for vid in ids])


def _stamp_first_postings(session: Session, vendor_ids: set[int], slip_ids: list[int],
                          ladders_by_vendor: dict[int, dict[str, list[Ladder]]]) -> None:
    """A vendor posting its first slips with the current ladders is consistent with them."""
    unstamped = vendor_ids - set(rating_stamps(session, vendor_ids))
    if not unstamped:
        return
    posted_before = {vid for part in slices(sorted(unstamped)) for vid in session.scalars(
        select(ReceivingSlip.vendor_id).where(
            ReceivingSlip.vendor_id.in_(part), ReceivingSlip.status == "POSTED",
            ReceivingSlip.id.not_in(slip_ids)).distinct())}
    first = unstamped - posted_before
    if first:
        stamp_vendors(session, vendor_fingerprints(session, ladders_by_vendor, first))


def gl_reference_ids(session: Session) -> dict[str, int]:
    return {role: aid for role, (aid, _n) in roles_to_accounts(session).items()}


def vendor_accruals(vendor_id: int) -> ColumnElement[bool]:
    """line_accrual rows of a vendor, found through its receipt lines (the primary key)."""
    return LineAccrualRow.receipt_line_id.in_(
        select(ReceiptLine.id).join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
        .where(ReceivingSlip.vendor_id == vendor_id))


def _load_posted(session: Session, where: object, ordered: bool = False) -> Sequence[_Posted]:
    """line_accrual rows (see P_*), as the driver returns them (P_RECEIVED is ISO text on
    SQLite: `_dates` where it matters); ordered: in ladder order (received date, slip, line)."""
    t = LineAccrualRow
    dialect = session.get_bind().dialect
    money = [stored_units(c, 2, dialect) for c in (t.amount, t.rebate, t.retro, t.inventory)]
    query = select(t.receipt_line_id, t.kind, t.received_date, t.slip_no, t.line_no, t.product_id, money[0],
                   t.ladder_key, t.period_key, t.tier, *money[1:], t.agreement_id).where(where)  # type: ignore[arg-type]
    if ordered:
        query = query.order_by(t.received_date, t.slip_no, t.line_no)
    with index_lookups(session):  # a vendor's or a ladder's rows: lookups, not a hash of the table
        return _raw_rows(session, query)


def _ladder_volumes(session: Session, ladder: Ladder, before: tuple[date, str, int],
                    same_day: list[_Posted]) -> dict[str, int]:
    """Volume per period (cents) of the ladder's posted lines before a position."""
    t = LineAccrualRow
    volumes: dict[str, int] = defaultdict(int)
    total = stored_units(func.sum(t.amount), 2, session.get_bind().dialect)
    rows = session.execute(
        select(t.period_key, total).where(t.ladder_key == ladder.key, t.received_date < before[0])
        .group_by(t.period_key)
    )
    for pkey, cents_ in rows:
        volumes[pkey] += cents_ or 0
    for row in same_day:
        if row[P_POSITION] < before:
            volumes[row[P_PERIOD]] += row[P_AMOUNT]
    return dict(volumes)


def _post_ladder(session: Session, batch: _Batch, kind: str, ladder: Ladder, new: list[RLine]) -> None:
    """New lines into one ladder; later posted lines of the ladder are re-rated."""
    first = new[0].position
    t = LineAccrualRow
    where = (t.ladder_key == ladder.key) & (t.received_date >= first[0])
    label, period, key = ladder.scope.label, ladder.terms.period, ladder.key
    if period is not None:  # the volume restarts each period: lines after the new ones' periods keep theirs
        where &= t.received_date <= max(period_end(period, line.received) for line in new)  # type: ignore[type-var]
    later_or_same = _dates(session, _load_posted(session, where, ordered=True), P_RECEIVED)
    same_day = [r for r in later_or_same if r[P_RECEIVED] == first[0]]
    later = [r for r in later_or_same if r[P_POSITION] >= first]
    run = Run(ladder.terms.units, _ladder_volumes(session, ladder, first, same_day))
    add = run.add
    vendor_id = new[0].vendor_id
    positions = []
    waiting = list(reversed(new))  # the new lines not yet placed, the next one last
    for row in later:  # in position order, as loaded; each new line goes before the first later row
        pkey = _bucket(period, row[P_RECEIVED]) if period is not None else ""
        if waiting:
            position = row[P_POSITION]
            while waiting and waiting[-1].position < position:
                line = waiting.pop()
                line_key = _bucket(period, line.received)
                batch.new_line(line, kind, ladder, label, line_key, add(line_key, line.amount))
                positions.append(line.position)
            positions.append(position)
        elif period is not None:
            positions.append(row[P_POSITION])
        acc = add(pkey, row[P_AMOUNT])
        if row[P_RESULT] != acc[1:] or row[P_PERIOD] != pkey or row[P_LADDER] != key:
            batch.restate(row, vendor_id, ladder, label, pkey, acc)
    for line in reversed(waiting):  # after every posted line
        line_key = _bucket(period, line.received)
        batch.new_line(line, kind, ladder, label, line_key, add(line_key, line.amount))
        positions.append(line.position)
    if period is None and later and (not positions or later[-1][P_POSITION] > positions[-1]):
        positions.append(later[-1][P_POSITION])  # one bucket: its last line is all ladder_volume needs
    batch.ladder_volume(ladder, vendor_id, run.volumes, positions)


def _post_lines(session: Session, batch: _Batch, lines: list[RLine], index: LadderIndex) -> None:
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
            pkey = _bucket(period, line.received)
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
            raise AlreadyPosted("Receiving slip " + ", ".join(repeated) + " is named more than once; "
                                "a slip posts once")
        rows = rows_in(session, select(ReceivingSlip.id, ReceivingSlip.slip_no, ReceivingSlip.status,
                                       ReceivingSlip.vendor_id, ReceivingSlip.received_date),
                       ReceivingSlip.slip_no, sorted(slip_nos))
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
    stamp = transaction_time(session.connection())  # the slips' posted_at, and their entries'
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
    lines = _rlines(session, _line_query(session).where(ReceiptLine.slip_id.in_(slip_ids)))
    lines.sort(key=attrgetter("position"))
    _check_line_limits(lines)
    batch = _Batch(session, uow.user, today, stamp)
    batch.known_totals(lines)
    if ladders is not None:
        by_vendor = ladders.get(session)
        index = ladders.index
    else:
        by_vendor = {vid: vendor_ladders(session, vid) for vid in vendor_ids}
        index = LadderIndex(by_vendor)
    _post_lines(session, batch, lines, index)
    written = batch.write()
    _stamp_first_postings(session, {ln.vendor_id for ln in lines}, slip_ids, by_vendor)
    result.slips += len(slip_ids)
    result.lines += len(lines)
    result.entries += written
    result.rerate_entries += batch.rerates
    result.slip_nos.extend(sorted({ln.slip_no for ln in lines}))


def posted_vendors_of_products(session: Session, product_ids: Sequence[int]) -> list[int]:
    """The vendors of the posted receipt lines of these products."""
    query = (select(ReceivingSlip.vendor_id).join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
             .where(ReceivingSlip.status == "POSTED").distinct())
    return sorted({row[0] for row in rows_in(session, query, ReceiptLine.product_id, sorted(set(product_ids)))})


def _check_line_limits(lines: list[RLine]) -> None:
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
        raise PostingRefused(f"Receiving slip {line.slip_no} line {line.line_no}: {what}; correct the draft and "
                             "post it again (nothing was posted)")


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
    lines = _rlines(session, _line_query(session).where(ReceivingSlip.vendor_id == vendor_id,
                                                         ReceivingSlip.status == "POSTED"))
    lines.sort(key=attrgetter("position"))
    batch.known_totals(lines)
    posted = {(r[P_ID], r[P_KIND]): r for r in _load_posted(session, vendor_accruals(vendor_id))}
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
                    pkey = _bucket(period, line.received)
                acc = add(pkey, line.amount)
                row = pop((line.id, kind), None)
                if row is None:
                    batch.newly_covered(line, kind, ladder, label, pkey, acc)
                elif row[P_RESULT] != acc[1:] or row[P_PERIOD] != pkey or row[P_LADDER] != key:
                    restate(row, vendor_id, ladder, label, pkey, acc)
            batch.ladder_volume(ladder, vendor_id, run.volumes, (line.position for line in ladder_lines))
    for row in posted.values():  # lines no ladder of their kind covers any more
        batch.drop(row, vendor_id)


def vendors_waiting(uow: UnitOfWork) -> list[str]:
    """Codes of the vendors with posted lines whose accruals were computed against other
    ladders, products or engine revision than today's (what `rerate` would recompute):
    after an upgrade, or a change made behind the services' back."""
    session = uow.session
    current = vendor_fingerprints(session, LadderCache().get(session))
    stamps = rating_stamps(session)
    posted = session.execute(select(Vendor.id, Vendor.code).where(
        Vendor.id.in_(select(ReceivingSlip.vendor_id).where(ReceivingSlip.status == "POSTED"))).order_by(Vendor.code))
    return [code for vid, code in posted if stamps.get(vid) != current.get(vid)]


def rerate(uow: UnitOfWork, *, today: date | None = None, progress: Progress | None = None,
           cancelled: Cancelled | None = None, full: bool = False, batch_slips: int = 1000) -> int:
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
        slips = dict(session.execute(  # type: ignore[arg-type]
            select(ReceivingSlip.vendor_id, func.count()).where(ReceivingSlip.status == "POSTED")
            .group_by(ReceivingSlip.vendor_id)).all())
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
