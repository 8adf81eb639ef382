"""The accrual tables through the driver (SPEC §6): what posting and re-rating read of receipt
lines, line_accrual, ladder_volume and vendor_rating, and the vendor locks.

Posting and re-rating read millions of rows, so the rows here come straight from the DBAPI
cursor (no Row objects), in stored units (cents, 1/10,000 of a unit), as the engine's own
values (app.domain.accrual); the dialect differences (SQLite's ISO dates, PostgreSQL's row
locks and planner settings) stay in this package. The writes are app.adapters.accrual_writer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from functools import partial
from operator import attrgetter
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.adapters.bulk import BulkWriter, rows_in, slices, table_of
from app.adapters.planner import index_lookups
from app.adapters.roles import LOCK_VENDORS
from app.adapters.types import stored_units
from app.domain.accrual_audit import JournalNet
from app.domain.accrual_rows import Position, PostedAccrual, PostingLine
from app.domain.vocabulary import ACCRUAL, POSTED, RERATE, RETRO
from app.models import (
    Agreement,
    JournalEntry,
    JournalLine,
    LadderVolume,
    Product,
    ReceiptLine,
    ReceivingSlip,
    VendorRating,
)
from app.models import LineAccrual as LineAccrualRow


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
        cursor = result.cursor
        assert cursor is not None, "a select has a cursor"
        return list(cursor.fetchall())
    finally:
        result.close()


def iso_dates(session: Session, rows: list[tuple[Any, ...]], at: int) -> list[tuple[Any, ...]]:
    """rows with column `at` a date (SQLite returns the stored ISO text)."""
    if session.get_bind().dialect.name != "sqlite":
        return rows
    iso = date.fromisoformat
    return [(*r[:at], iso(r[at]), *r[at + 1 :]) for r in rows]


def posting_lines(session: Session, query: Any) -> list[PostingLine]:
    """Receipt lines of line_query (plus a where), as the engine sees them, in position order."""
    lines = [PostingLine(*r) for r in iso_dates(session, raw_rows(session, query), 3)]  # 3: the received date
    lines.sort(key=attrgetter("position"))
    return lines


def lock_vendors(session: Session, vendor_ids: Iterable[int]) -> None:
    """Serialise posting and re-rating per vendor.

    PostgreSQL: the vendor rows are locked FOR NO KEY UPDATE in id order, in one statement
    (ordered, so two postings cannot deadlock; NO KEY, so clerks can still save drafts), by
    app.adapters.guards' SECURITY DEFINER function (the posting roles have no UPDATE on vendor).
    SQLite: every write transaction is BEGIN IMMEDIATE already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for part in slices(sorted(set(vendor_ids))):  # coop_lock_vendors: the lock without UPDATE on vendor
        session.execute(text(f"SELECT {LOCK_VENDORS}(CAST(:ids AS bigint[]))"), {"ids": list(part)})


def now() -> datetime:
    return datetime.now(UTC)


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
        table_of(VendorRating),
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


def load_posted(session: Session, where: object, ordered: bool = False) -> list[PostedAccrual]:
    """line_accrual rows as the engine sees them; ordered: in ladder order (received date, slip, line)."""
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
        rows = raw_rows(session, query)
    make = partial(tuple.__new__, PostedAccrual)  # PostedAccrual._make without its Python frame
    if session.get_bind().dialect.name != "sqlite":
        return list(map(make, rows))
    iso = date.fromisoformat  # SQLite returns the stored ISO text
    return [make((r[0], r[1], iso(r[2]), *r[3:])) for r in rows]


def journal_accruals(session: Session, vendor_id: int) -> list[JournalNet]:
    """The journal's net debit (cents) per receipt line, kind and account role of a vendor's
    ACCRUAL, RETRO and RERATE lines: what is posted, which line_accrual caches (one grouped
    query, the lines found through the receipt_line_id index)."""
    jl, je = JournalLine, JournalEntry
    net = stored_units(func.sum(jl.debit - jl.credit), 2, session.get_bind().dialect)
    vendor_lines = (
        select(ReceiptLine.id)
        .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
        .where(ReceivingSlip.vendor_id == vendor_id)
    )
    query = (
        select(jl.receipt_line_id, jl.kind, jl.role, func.min(jl.slip_no), func.min(jl.line_no), net)
        .join(je, je.id == jl.entry_id)
        .where(jl.receipt_line_id.in_(vendor_lines), jl.kind.is_not(None), je.source.in_((ACCRUAL, RETRO, RERATE)))
        .group_by(jl.receipt_line_id, jl.kind, jl.role)
    )
    with index_lookups(session):
        rows = raw_rows(session, query)
    make = partial(tuple.__new__, JournalNet)
    return list(map(make, rows))


class SqlAccrualStore:
    """The posted state as the engine reads it (app.domain.accrual.AccrualStore)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def ladder_states(self, keys: Sequence[str]) -> dict[str, dict[str, tuple[int, Position]]]:
        """ladder key -> bucket -> (volume in cents, position of the last line)."""
        session, t = self.session, LadderVolume
        volume = stored_units(t.volume, 2, session.get_bind().dialect)
        out: dict[str, dict[str, tuple[int, Position]]] = defaultdict(dict)
        query = select(t.ladder_key, t.period_key, volume, t.last_date, t.last_slip_no, t.last_line_no)
        for key, bucket, cents_, when, slip_no, line_no in rows_in(session, query, t.ladder_key, keys, 500):
            out[key][bucket] = (cents_, (when, slip_no, line_no))
        return out

    def accruals_from(self, ladder_key: str, first_day: date, last_day: date | None) -> list[PostedAccrual]:
        t = LineAccrualRow
        where = (t.ladder_key == ladder_key) & (t.received_date >= first_day)
        if last_day is not None:
            where &= t.received_date <= last_day
        return load_posted(self.session, where, ordered=True)

    def volumes_before(self, ladder_key: str, day: date) -> dict[str, int]:
        t = LineAccrualRow
        total = stored_units(func.sum(t.amount), 2, self.session.get_bind().dialect)
        rows = self.session.execute(
            select(t.period_key, total).where(t.ladder_key == ladder_key, t.received_date < day).group_by(t.period_key)
        )
        return {pkey: cents_ or 0 for pkey, cents_ in rows}


def agreement_numbers(session: Session) -> Callable[[int], str | None]:
    """The number of an agreement by id, each read once (accruals leaving an agreement are few)."""
    known: dict[int, str | None] = {}

    def number(agreement_id: int) -> str | None:
        if agreement_id not in known:
            known[agreement_id] = session.scalar(select(Agreement.number).where(Agreement.id == agreement_id))
        return known[agreement_id]

    return number


def posted_vendors_of_products(session: Session, product_ids: Sequence[int]) -> list[int]:
    """The vendors of the posted receipt lines of these products."""
    query = (
        select(ReceivingSlip.vendor_id)
        .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
        .where(ReceivingSlip.status == POSTED)
        .distinct()
    )
    return sorted({row[0] for row in rows_in(session, query, ReceiptLine.product_id, sorted(set(product_ids)))})
