"""What a posting or re-rating changes, written through the driver (SPEC §6): the engine's
journal entries, accrual rows, ladder volumes and product totals (app.domain.accrual's
`AccrualChanges`, money in cents), in bulk (app.adapters.bulk) inside the session's
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.adapters.accruals import raw_rows
from app.adapters.bulk import BulkWriter, column_type, slices, table_of
from app.adapters.types import ScaledDecimal, stored_units
from app.domain.accrual_changes import AccrualChanges
from app.domain.journal import Entry
from app.domain.money import units_text
from app.models import JournalEntry, JournalLine, LadderVolume, Product
from app.models import LineAccrual as LineAccrualRow
from app.services.errors import PostingRefused

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
ACCRUAL_RESULT_COLUMNS = ("tier", "rebate", "retro", "inventory")  # AccrualUpdate, then its key
ACCRUAL_STATE_COLUMNS = ("ladder_key", "agreement_id", "period_key", *ACCRUAL_RESULT_COLUMNS)  # AccrualMove
LADDER_VOLUME_COLUMNS = ("ladder_key", "period_key", "vendor_id", "volume", "last_date", "last_slip_no", "last_line_no")
ACCRUAL_COLUMNS = (  # NewAccrual
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

# What the running totals hold (units of 10^-scale): app.domain.limits.
VOLUME_UNITS = column_type(LadderVolume, "volume", ScaledDecimal).max_units
QTY_TOTAL_UNITS = column_type(Product, "received_qty", ScaledDecimal).max_units
NET_TOTAL_UNITS = column_type(Product, "received_net", ScaledDecimal).max_units


def check_product_totals(
    session: Session, changes: AccrualChanges, products: list[int], totals: dict[int, tuple[int, int]]
) -> None:
    """Refuse (before anything is written) to take a product's received quantity or net
    beyond what its column holds: the increments are added in SQL, where SQLite would
    turn an overflowing integer into an inexact REAL instead of failing. totals: the
    products' (quantity, net) as read with the lines; only products re-rated through other
    lines' ladders (a back-dated posting) are read here."""
    missing = [pid for pid in products if pid not in totals]
    if missing:
        dialect = session.get_bind().dialect
        t = Product
        for part in slices(missing):
            query = select(
                t.id, stored_units(t.received_qty, 4, dialect), stored_units(t.received_net, 2, dialect)
            ).where(t.id.in_(part))
            totals.update((pid, (qty, net)) for pid, qty, net in raw_rows(session, query))
    cost_qty, cost_net = changes.cost_qty, changes.cost_net
    for pid in products:
        qty, net = totals[pid]
        qty += cost_qty.get(pid, 0)
        net += cost_net.get(pid, 0)
        if -QTY_TOTAL_UNITS <= qty <= QTY_TOTAL_UNITS and -NET_TOTAL_UNITS <= net <= NET_TOTAL_UNITS:
            continue
        last = next((e for e in reversed(changes.rerates + changes.entries) if e.product_id == pid), None)
        slip_no, line_no = (last.reference, last.line_no) if last else ("?", "?")
        code = session.scalar(select(Product.code).where(Product.id == pid))
        what = (
            f"received quantity would reach {units_text(qty, 4)}"
            if abs(qty) > QTY_TOTAL_UNITS
            else f"received net would reach {units_text(net, 2)}"
        )
        raise PostingRefused(
            f"Receiving slip {slip_no} line {line_no}: the {what} for product {code}, "
            "more than the database holds; nothing was posted"
        )


def write_changes(
    session: Session,
    changes: AccrualChanges,
    gl: Mapping[str, int],
    user: str,
    stamp: datetime,
    product_totals: dict[int, tuple[int, int]],
) -> int:
    """Write what a posting or re-rating changes: accrual rows, ladder volumes and product
    totals, then the journal entries and lines in journal order; gl: account id by role;
    stamp: the entries' created_at. Returns the number of journal entries.

    The journal goes last: its entry numbers come from the series' counter row, which
    stays locked until the commit (BulkWriter.next_numbers), so every other posting or
    re-rating, of any vendor, waits from there on; the shorter that stretch, the less
    they wait. The vendors' locks are taken before (posting), the counter after them."""
    products = sorted(set(changes.cost_qty) | {p for p, v in changes.cost_net.items() if v})
    check_product_totals(session, changes, products, product_totals)
    bulk = BulkWriter(session)
    write_accruals(session, bulk, changes, products)
    journal = changes.journal()
    if journal:
        write_journal(bulk, journal, gl, user, stamp)
    return len(journal)


def write_accruals(session: Session, bulk: BulkWriter, changes: AccrualChanges, products: list[int]) -> None:
    """The accrual rows, ladder volumes and product totals of the changes."""
    table = table_of(LineAccrualRow)
    if changes.inserts:
        bulk.insert(table, ACCRUAL_COLUMNS, changes.inserts, units=True)
    if changes.updates:
        bulk.update(table, ACCRUAL_RESULT_COLUMNS, ("receipt_line_id", "kind"), changes.updates, units=True)
    if changes.moves:
        bulk.update(table, ACCRUAL_STATE_COLUMNS, ("receipt_line_id", "kind"), changes.moves, units=True)
    if changes.deletes:
        bulk.delete(table, ("receipt_line_id", "kind"), changes.deletes)
    for part in slices(sorted(changes.replace_volumes_of)):
        session.execute(delete(LadderVolume).where(LadderVolume.vendor_id.in_(part)))
    if changes.volumes:
        bulk.upsert(
            table_of(LadderVolume),
            LADDER_VOLUME_COLUMNS,
            ("ladder_key", "period_key"),
            list(changes.volumes.values()),
            units=True,
        )
    bulk.add_to(
        table_of(Product),
        ("received_qty", "received_net"),
        "id",
        [(changes.cost_qty.get(pid, 0), changes.cost_net.get(pid, 0), pid) for pid in products],
        units=True,
    )


def write_journal(
    bulk: BulkWriter, journal: Sequence[Entry], gl: Mapping[str, int], user: str, stamp: datetime
) -> None:
    """The entries, numbered gap-free (BulkWriter.next_ids), and their lines."""
    entries = table_of(JournalEntry)
    created = bulk.stored(entries, "created_at", stamp)  # converted once, not per entry
    ids = bulk.next_ids(entries, len(journal))
    entry_rows = []
    line_rows = []
    try:
        for eid, e in zip(ids, journal, strict=True):
            slip_no, line_no, agreement_no = e.reference, e.line_no, e.agreement_no
            vendor_id, product_id, line_id = e.vendor_id, e.product_id, e.receipt_line_id
            entry_rows.append((eid, e.entry_date, e.source, slip_no, user, created))
            for role, dr, cr, kind, memo in e.lines:
                line_rows.append(
                    (eid, gl[role], role, dr, cr, vendor_id, product_id, line_id, slip_no, line_no, kind,
                     memo[:200], agreement_no)
                )  # fmt: skip
    except KeyError as missing:  # a role without an account (posting names them all up front)
        raise PostingRefused(
            f"GL reference incomplete: no account for {missing.args[0]} (set it in Maintenance > GL Reference)"
        ) from None
    bulk.insert(entries, ENTRY_COLUMNS, entry_rows, stored=("created_at",))
    bulk.insert(table_of(JournalLine), JOURNAL_LINE_COLUMNS, line_rows, units=True)
