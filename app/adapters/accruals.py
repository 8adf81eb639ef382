"""The accrual tables through the driver (SPEC §6): receipt lines, line_accrual, ladder_volume,
vendor_rating and the journal.

Posting and re-rating read millions of rows and write hundreds of thousands per batch, so
the rows here come straight from the DBAPI cursor (no Row objects) and go back in bulk
(app.adapters.bulk), in stored units (cents, 1/10,000 of a unit); the dialect differences
(SQLite's ISO dates, PostgreSQL's row locks and planner settings) stay in this package.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.adapters.bulk import BulkWriter, rows_in, slices
from app.adapters.db import transaction_time
from app.adapters.planner import index_lookups
from app.adapters.types import from_units, stored_units
from app.domain.journal import UnbalancedEntry
from app.domain.ladder import Ladder
from app.domain.limits import AMOUNT_MAX, QUANTITY_MAX
from app.domain.money import fmt_money, to_units
from app.models import (
    JournalEntry,
    JournalLine,
    LadderVolume,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
    VendorRating,
)
from app.models import LineAccrual as LineAccrualRow
from app.services.errors import PostingRefused

if TYPE_CHECKING:
    from app.services.accrual_batch import Batch
ENTRY_COLUMNS = ("id", "entry_date", "source", "reference", "created_by", "created_at")
JOURNAL_LINE_COLUMNS = (
    "entry_id",
    "account_id",
    "role",
    "debit",
    "credit",
    "vendor_id",
    "product_id",
    "receipt_line_id",
    "slip_no",
    "line_no",
    "kind",
    "memo",
    "agreement_no",
)
ACCRUAL_RESULT_COLUMNS = ("tier", "rebate", "retro", "inventory")
ACCRUAL_STATE_COLUMNS = ("ladder_key", "agreement_id", "period_key", *ACCRUAL_RESULT_COLUMNS)
LADDER_VOLUME_COLUMNS = ("ladder_key", "period_key", "vendor_id", "volume", "last_date", "last_slip_no", "last_line_no")
ACCRUAL_COLUMNS = (
    "receipt_line_id",
    "kind",
    "vendor_id",
    "product_id",
    "received_date",
    "slip_no",
    "line_no",
    "amount",
    *ACCRUAL_STATE_COLUMNS,
)


# What the running totals hold (units of 10^-scale) and what a posted line may hold (the
# entry limits, for drafts saved before they existed): app.domain.limits.
VOLUME_UNITS = LadderVolume.__table__.c.volume.type.max_units
QTY_TOTAL_UNITS = Product.__table__.c.received_qty.type.max_units
NET_TOTAL_UNITS = Product.__table__.c.received_net.type.max_units
LINE_QTY_UNITS = to_units(QUANTITY_MAX, 4)
LINE_AMOUNT_UNITS = to_units(AMOUNT_MAX, 2)


class RLine:
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

    def __init__(self, row: Sequence[Any]) -> None:
        (
            self.id,
            self.slip_no,
            self.line_no,
            self.received,
            self.vendor_id,
            self.product_id,
            self.product,
            cat1,
            cat2,
            cat3,
            cat4,
            self.quantity,
            self.amount,
            self.product_qty,
            self.product_net,
        ) = row
        self.cats = (cat1, cat2, cat3, cat4)
        self.position = (self.received, self.slip_no, self.line_no)


def line_query(session: Session):  # type: ignore[no-untyped-def]
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


def raw_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The driver's own rows of a Core select: SQLAlchemy compiles and executes it, the rows
    come straight from the DBAPI cursor (no Row objects, no result processing). Only for
    selects whose columns the driver already returns as wanted: integers (stored_units),
    strings, and dates (`iso_dates` makes SQLite's ISO text a date where one is needed)."""
    result = session.connection().execute(query)
    try:
        return result.cursor.fetchall()  # type: ignore[union-attr,no-any-return]
    finally:
        result.close()


def iso_dates(session: Session, rows: list[tuple[Any, ...]], at: int) -> list[tuple[Any, ...]]:
    """rows with column `at` a date (SQLite returns the stored ISO text)."""
    if session.get_bind().dialect.name != "sqlite":
        return rows
    iso = date.fromisoformat
    return [(*r[:at], iso(r[at]), *r[at + 1 :]) for r in rows]


def rlines(session: Session, query: Any) -> list[RLine]:
    """Receipt lines of line_query (plus a where), as the engine sees them."""
    return [RLine(r) for r in iso_dates(session, raw_rows(session, query), 3)]  # 3: the received date


def lock_vendors(session: Session, vendor_ids: Iterable[int]) -> None:
    """Serialise posting and re-rating per vendor.

    PostgreSQL: the vendor rows are locked FOR NO KEY UPDATE in id order, in one statement
    (ordered, so two postings cannot deadlock; NO KEY, so clerks can still save drafts).
    SQLite: every write transaction is BEGIN IMMEDIATE already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for part in slices(sorted(set(vendor_ids))):
        session.execute(
            select(Vendor.id).where(Vendor.id.in_(part)).order_by(Vendor.id).with_for_update(key_share=True)
        ).all()


def now() -> datetime:
    return datetime.now(UTC)


# A line_accrual row as loaded (money in cents): a plain row, read by position.
Posted = Sequence[Any]


P_ID, P_KIND, P_RECEIVED, P_AMOUNT, P_LADDER, P_PERIOD, P_REBATE, P_INVENTORY = 0, 1, 2, 6, 7, 8, 10, 12
P_POSITION = slice(2, 5)  # (received date, slip number, line number)
P_RESULT = slice(9, 13)  # (tier, rebate, retro, inventory): ACCRUAL_RESULT_COLUMNS
P_AGREEMENT = 13  # the agreement id the line accrues under


def ladder_states(session: Session, keys: Sequence[str]) -> dict[str, dict[str, tuple[int, tuple[date, str, int]]]]:
    """ladder key -> bucket -> (volume in cents, position of the last line)."""
    t = LadderVolume
    volume = stored_units(t.volume, 2, session.get_bind().dialect)
    out: dict[str, dict[str, tuple[int, tuple[date, str, int]]]] = defaultdict(dict)
    query = select(t.ladder_key, t.period_key, volume, t.last_date, t.last_slip_no, t.last_line_no)
    for key, bucket, cents_, when, slip_no, line_no in rows_in(session, query, t.ladder_key, keys, 500):
        out[key][bucket] = (cents_, (when, slip_no, line_no))
    return out


def rating_stamps(session: Session, vendor_ids: Iterable[int] | None = None) -> dict[int, str]:
    query = select(VendorRating.vendor_id, VendorRating.fingerprint)
    rows = (
        session.execute(query)
        if vendor_ids is None
        else rows_in(session, query, VendorRating.vendor_id, sorted(set(vendor_ids)))
    )
    return {vid: fp for vid, fp in rows}


def stamp_vendors(session: Session, fingerprints: dict[int, str]) -> None:
    """Record that these vendors' accruals equal the computation with these fingerprints."""
    if not fingerprints:
        return
    ids = sorted(fingerprints)
    for part in slices(ids):
        session.execute(delete(VendorRating).where(VendorRating.vendor_id.in_(part)))
    stamp = now()
    BulkWriter(session).insert(
        VendorRating.__table__,
        ("vendor_id", "fingerprint", "rated_at"),
        [(vid, fingerprints[vid], stamp) for vid in ids],
    )


def vendor_accruals(vendor_id: int) -> ColumnElement[bool]:
    """line_accrual rows of a vendor, found through its receipt lines (the primary key)."""
    return LineAccrualRow.receipt_line_id.in_(
        select(ReceiptLine.id)
        .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
        .where(ReceivingSlip.vendor_id == vendor_id)
    )


def load_posted(session: Session, where: object, ordered: bool = False) -> Sequence[Posted]:
    """line_accrual rows (see P_*), as the driver returns them (P_RECEIVED is ISO text on
    SQLite: `iso_dates` where it matters); ordered: in ladder order (received date, slip, line)."""
    t = LineAccrualRow
    dialect = session.get_bind().dialect
    money = [stored_units(c, 2, dialect) for c in (t.amount, t.rebate, t.retro, t.inventory)]
    query = select(
        t.receipt_line_id,
        t.kind,
        t.received_date,
        t.slip_no,
        t.line_no,
        t.product_id,
        money[0],
        t.ladder_key,
        t.period_key,
        t.tier,
        *money[1:],
        t.agreement_id,
    ).where(where)  # type: ignore[arg-type]
    if ordered:
        query = query.order_by(t.received_date, t.slip_no, t.line_no)
    with index_lookups(session):  # a vendor's or a ladder's rows: lookups, not a hash of the table
        return raw_rows(session, query)


def volumes_before(
    session: Session, ladder: Ladder, before: tuple[date, str, int], same_day: list[Posted]
) -> dict[str, int]:
    """Volume per period (cents) of the ladder's posted lines before a position."""
    t = LineAccrualRow
    volumes: dict[str, int] = defaultdict(int)
    total = stored_units(func.sum(t.amount), 2, session.get_bind().dialect)
    rows = session.execute(
        select(t.period_key, total)
        .where(t.ladder_key == ladder.key, t.received_date < before[0])
        .group_by(t.period_key)
    )
    for pkey, cents_ in rows:
        volumes[pkey] += cents_ or 0
    for row in same_day:
        if row[P_POSITION] < before:
            volumes[row[P_PERIOD]] += row[P_AMOUNT]
    return dict(volumes)


def posted_vendors_of_products(session: Session, product_ids: Sequence[int]) -> list[int]:
    """The vendors of the posted receipt lines of these products."""
    query = (
        select(ReceivingSlip.vendor_id)
        .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
        .where(ReceivingSlip.status == "POSTED")
        .distinct()
    )
    return sorted({row[0] for row in rows_in(session, query, ReceiptLine.product_id, sorted(set(product_ids)))})


def check_product_totals(batch: Batch, products: list[int]) -> None:
    """Refuse (before anything is written) to take a product's received quantity or net
    beyond what its column holds: the increments are added in SQL, where SQLite would
    turn an overflowing integer into an inexact REAL instead of failing. The totals come
    with the lines (known_totals); only products re-rated through other lines' ladders
    (a back-dated posting) are read here."""
    totals = batch.product_totals
    missing = [pid for pid in products if pid not in totals]
    if missing:
        dialect = batch.session.get_bind().dialect
        t = Product
        for part in slices(missing):
            query = select(
                t.id, stored_units(t.received_qty, 4, dialect), stored_units(t.received_net, 2, dialect)
            ).where(t.id.in_(part))
            totals.update((pid, (qty, net)) for pid, qty, net in raw_rows(batch.session, query))
    cost_qty, cost_net = batch.cost_qty, batch.cost_net
    for pid in products:
        qty, net = totals[pid]
        qty += cost_qty.get(pid, 0)
        net += cost_net.get(pid, 0)
        if -QTY_TOTAL_UNITS <= qty <= QTY_TOTAL_UNITS and -NET_TOTAL_UNITS <= net <= NET_TOTAL_UNITS:
            continue
        slip_no, line_no = next(((e[2], e[3]) for e in reversed(batch.entries) if e[7] == pid), ("?", "?"))
        code = batch.session.scalar(select(Product.code).where(Product.id == pid))
        what = (
            f"received quantity would reach {from_units(qty, -4):,}"
            if abs(qty) > QTY_TOTAL_UNITS
            else f"received net would reach {fmt_money(from_units(net, -2))}"
        )
        raise PostingRefused(
            f"Receiving slip {slip_no} line {line_no}: the {what} for product {code}, "
            "more than the database holds; nothing was posted"
        )


def write_batch(batch: Batch, gl: dict[str, int]) -> int:
    """Write what a posting or re-rating collected: journal entries and lines (each checked
    balanced as its rows are built), accrual rows, ladder volumes and product totals, through
    the driver; gl: account id by role. Returns the number of journal entries."""
    session = batch.session
    products = sorted(set(batch.cost_qty) | {p for p, v in batch.cost_net.items() if v})
    check_product_totals(batch, products)
    stamp = batch.stamp or transaction_time(session.connection())
    batch.entries.sort(key=itemgetter(0, 1, 2, 3, 4))
    bulk = BulkWriter(session)
    if batch.entries:
        ids = bulk.next_ids(JournalEntry.__table__, len(batch.entries))
        user = batch.user
        created = bulk.stored(JournalEntry.__table__, "created_at", stamp)  # converted once, not per entry
        entry_rows = []
        line_rows = []
        try:
            for eid, (
                _r,
                when,
                slip_no,
                line_no,
                _rank,
                source,
                vendor_id,
                product_id,
                line_id,
                agreement_no,
                lines,
            ) in zip(ids, batch.entries, strict=True):
                entry_rows.append((eid, when, source, slip_no, user, created))
                debit = credit = 0
                for role, dr, cr, kind, memo in lines:
                    debit += dr
                    credit += cr
                    line_rows.append(
                        (
                            eid,
                            gl[role],
                            role,
                            dr,
                            cr,
                            vendor_id,
                            product_id,
                            line_id,
                            slip_no,
                            line_no,
                            kind,
                            memo[:200],
                            agreement_no,
                        )
                    )
                if debit != credit or not lines:
                    raise UnbalancedEntry(f"{source} {slip_no}/{line_no}: debit {debit} != credit {credit} cents")
        except KeyError as missing:  # a role without an account (check_gl_roles names them all up front)
            raise PostingRefused(
                f"GL reference incomplete: no account for {missing.args[0]} (set it in Maintenance > GL Reference)"
            ) from None
        bulk.insert(JournalEntry.__table__, ENTRY_COLUMNS, entry_rows, stored=("created_at",))
        bulk.insert(JournalLine.__table__, JOURNAL_LINE_COLUMNS, line_rows, units=True)
    table = LineAccrualRow.__table__
    if batch.inserts:
        bulk.insert(table, ACCRUAL_COLUMNS, batch.inserts, units=True)
    if batch.updates:
        bulk.update(table, ACCRUAL_RESULT_COLUMNS, ("receipt_line_id", "kind"), batch.updates, units=True)
    if batch.moves:
        bulk.update(table, ACCRUAL_STATE_COLUMNS, ("receipt_line_id", "kind"), batch.moves, units=True)
    if batch.deletes:
        bulk.delete(table, ("receipt_line_id", "kind"), batch.deletes)
    for part in slices(sorted(batch.replace_volumes_of)):
        session.execute(delete(LadderVolume).where(LadderVolume.vendor_id.in_(part)))
    if batch.volumes:
        bulk.upsert(
            LadderVolume.__table__,
            LADDER_VOLUME_COLUMNS,
            ("ladder_key", "period_key"),
            list(batch.volumes.values()),
            units=True,
        )
    bulk.add_to(
        Product.__table__,
        ("received_qty", "received_net"),
        "id",
        [(batch.cost_qty.get(pid, 0), batch.cost_net.get(pid, 0), pid) for pid in products],
        units=True,
    )
    return len(batch.entries)
