"""The month close's raw read (SPEC §13): the REBATE_RECEIVABLE journal lines on no invoice,
money as the integer units the databases store (app.adapters.types.stored_units), for
app.services.close_reads to read with the driver's own rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from app.adapters.types import stored_units
from app.domain.vocabulary import ACTUALS, EXPECTED_TIER, INVOICE, REBATE_RECEIVABLE
from app.models import InvoiceLine, JournalEntry, JournalLine, LineAccrual


def uninvoiced(session: Session, month_end: date, vendor_id: int | None = None):  # type: ignore[no-untyped-def]
    """The REBATE_RECEIVABLE lines dated up to month_end on no invoice (not the INVOICE entries'
    own lines, nor a vendor actual's, which goes on its held invoice, nor an expected-tier
    estimate, which is never billed): vendor id, line id, kind, agreement number, debit and
    credit in cents, ladder key and tier. Read with `uninvoiced_rows`."""
    jl, je, la = JournalLine, JournalEntry, LineAccrual
    dialect = session.get_bind().dialect
    debit, credit = stored_units(jl.debit, 2, dialect), stored_units(jl.credit, 2, dialect)
    query = (
        select(jl.vendor_id, jl.id, jl.kind, jl.agreement_no, debit, credit, la.ladder_key, la.tier)
        .join(je, je.id == jl.entry_id)
        .outerjoin(la, and_(la.receipt_line_id == jl.receipt_line_id, la.kind == jl.kind))
        .where(
            jl.role == REBATE_RECEIVABLE,
            je.entry_date <= month_end,
            je.source.not_in((INVOICE, ACTUALS, EXPECTED_TIER)),
            ~exists().where(InvoiceLine.journal_line_id == jl.id),
        )
    )
    if vendor_id is not None:
        query = query.where(jl.vendor_id == vendor_id)
    return query
