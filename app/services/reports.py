"""Report data (SPEC §8): the journal lines, selected as the journal report and the exports
show them. The estimated rebates are in app.services.estimated; formats live in app/reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypedDict, Unpack

from sqlalchemy import select

from app.models import (
    GlAccount,
    JournalEntry,
    JournalExportLine,
    JournalLine,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
)

from .context import UnitOfWork
from .security import Permission, require

JOURNAL_COLUMNS = (
    "entry_no", "entry_date", "source", "slip_no", "line_no", "account", "account_role",
    "debit", "credit", "vendor_code", "product_code", "agreement_kind", "memo",
    "agreement_no", "posted_at", "export_no",
)  # fmt: skip

Moment = date | datetime  # a whole local day, or an instant (naive: local time)


def posted_at_text(when: datetime, zone: tzinfo | None = None) -> str:
    """posted_at as exported: local time (or zone's) to the second, with its UTC offset."""
    return when.astimezone(zone).isoformat(timespec="seconds")


def _instant(moment: Moment, zone: tzinfo | None) -> datetime:
    """A day's start or a time as a UTC instant; naive: local time (or zone's)."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    if moment.tzinfo is None:
        moment = moment.astimezone() if zone is None else moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def posted_window(
    posted_from: Moment | None, posted_to: Moment | None, zone: tzinfo | None = None
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC of a --posted-from/--posted-to selection. Both ends inclusive, to
    the second as posted_at shows it: a date is the whole local day, a time its whole second."""
    start = end = None
    if posted_from is not None:
        start = _instant(posted_from, zone).replace(microsecond=0)
    if posted_to is not None:
        if isinstance(posted_to, datetime):
            end = _instant(posted_to, zone).replace(microsecond=0) + timedelta(seconds=1)
        else:
            end = _instant(posted_to + timedelta(days=1), zone)
    return start, end


def journal_lines(
    uow: UnitOfWork,
    date_from: date | None = None,
    date_to: date | None = None,
    source: str | None = None,
    *,
    slip_no: str | None = None,
    line_no: int | None = None,
    posted_from: Moment | None = None,
    posted_to: Moment | None = None,
    unexported: bool = False,
    export_no: int | None = None,
) -> list[tuple[int, tuple[object, ...]]]:
    """(journal line id, values in JOURNAL_COLUMNS order) in journal order, selected by entry
    date, source, slip or receipt line, posting time (see posted_window), not yet exported,
    or carried by one export."""
    require(uow, Permission.REPORTS)
    query = (
        select(JournalLine.id, JournalEntry.id, JournalEntry.entry_date, JournalEntry.source, JournalLine.slip_no,
               JournalLine.line_no, GlAccount.number, JournalLine.role, JournalLine.debit,
               JournalLine.credit, Vendor.code, Product.code, JournalLine.kind, JournalLine.memo,
               JournalLine.agreement_no, JournalEntry.created_at, JournalExportLine.export_no)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(GlAccount, GlAccount.id == JournalLine.account_id)
        .outerjoin(Vendor, Vendor.id == JournalLine.vendor_id)
        .outerjoin(Product, Product.id == JournalLine.product_id)
        .outerjoin(JournalExportLine, JournalExportLine.line_id == JournalLine.id)
        .order_by(JournalEntry.id, JournalLine.id)
    )  # fmt: skip
    if date_from:
        query = query.where(JournalEntry.entry_date >= date_from)
    if date_to:
        query = query.where(JournalEntry.entry_date <= date_to)
    if source:
        query = query.where(JournalEntry.source == source)
    start, end = posted_window(posted_from, posted_to)
    if start is not None:
        query = query.where(JournalEntry.created_at >= start)
    if end is not None:
        query = query.where(JournalEntry.created_at < end)
    if unexported:
        query = query.where(JournalExportLine.line_id.is_(None))  # the anti-join
    if export_no is not None:
        query = query.where(JournalExportLine.export_no == export_no)
    if slip_no is not None:
        # Through the receipt lines (journal_line's receipt_line_id index), not a scan of the journal.
        lines = (
            select(ReceiptLine.id)
            .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
            .where(ReceivingSlip.slip_no == slip_no)
        )
        if line_no is not None:
            lines = lines.where(ReceiptLine.line_no == line_no)
        query = query.where(JournalLine.receipt_line_id.in_(lines))
    elif line_no is not None:
        query = query.where(JournalLine.line_no == line_no)
    text_of: dict[datetime, str] = {}  # an entry's lines share one stamp, a posting's entries too
    out = []
    for line_id, *values in uow.session.execute(query):
        stamp = values[-2]
        shown = text_of.get(stamp)
        if shown is None:
            shown = text_of[stamp] = posted_at_text(stamp)
        values[-2] = shown
        out.append((line_id, tuple(values)))
    return out


class JournalFilters(TypedDict, total=False):
    """journal_lines' keyword filters."""

    slip_no: str | None
    line_no: int | None
    posted_from: Moment | None
    posted_to: Moment | None
    unexported: bool
    export_no: int | None


def journal_rows(
    uow: UnitOfWork,
    date_from: date | None = None,
    date_to: date | None = None,
    source: str | None = None,
    **filters: Unpack[JournalFilters],
) -> list[dict[str, object]]:
    """Journal lines keyed by JOURNAL_COLUMNS, selected as journal_lines."""
    lines = journal_lines(uow, date_from, date_to, source, **filters)
    return [dict(zip(JOURNAL_COLUMNS, values, strict=True)) for _id, values in lines]
