"""Journal entries that come from no receipt line (a price-protection claim, SPEC §11.2; a lump
sum's accrual at the month close), written in the posting transaction. Their numbers come from
the one place that numbers entries (BulkWriter.next_ids: the `journal_entry` number series);
their lines as accrual_writer writes a receipt line's, without slip or line number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.adapters.accrual_writer import ENTRY_COLUMNS, JOURNAL_LINE_COLUMNS
from app.adapters.bulk import BulkWriter, table_of
from app.domain.journal import EntryLine, balanced
from app.models import JournalEntry, JournalLine


@dataclass(frozen=True)
class OtherEntry:
    """An entry of a vendor (and product) that no receipt line made; lines in cents."""

    entry_date: date
    source: str
    reference: str
    vendor_id: int
    product_id: int | None
    agreement_no: str | None
    lines: tuple[EntryLine, ...]


def write_entries(
    session: Session, entries: Sequence[OtherEntry], gl: Mapping[str, int], user: str, stamp: datetime
) -> list[int]:
    """The entries numbered and written with their lines; their numbers, in order. Every role
    of their lines must have an account in gl (the caller refuses first, SPEC §6.1). Take
    them last in the transaction: the series' counter row stays locked until the commit."""
    if not entries:
        return []
    bulk = BulkWriter(session)
    table = table_of(JournalEntry)
    created = bulk.stored(table, "created_at", stamp)
    ids = bulk.next_ids(table, len(entries))
    entry_rows = []
    line_rows = []
    for eid, e in zip(ids, entries, strict=True):
        entry_rows.append((eid, e.entry_date, e.source, e.reference, user, created))
        for role, dr, cr, kind, memo in balanced(f"{e.source} {e.reference}", e.lines):
            line_rows.append(
                (eid, gl[role], role, dr, cr, e.vendor_id, e.product_id, None, None, None, kind, memo[:200],
                 e.agreement_no)
            )  # fmt: skip
    bulk.insert(table, ENTRY_COLUMNS, entry_rows, stored=("created_at",))
    bulk.insert(table_of(JournalLine), JOURNAL_LINE_COLUMNS, line_rows, units=True)
    return ids
