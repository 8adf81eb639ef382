"""What the vendor statement shows of settlement (SPEC §13–§14): the co-op invoices dated in the
period, the settlements dated in it, and the disputes open at its end. Data only, read for one
vendor or many at once; the PDF is in app/reports.

A statement is a view of the period, so an invoice's open amount and status are as of the
period's end: the settlements dated after it are left out of what settled the invoice, and the
status follows from the same Balance every other read uses (app.domain.invoicing). A dispute
answered after the period's end was still open at its end, and is shown so."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.adapters.bulk import rows_in
from app.domain.settlement import is_overdue
from app.models import CoopInvoice, Dispute, Settlement, SettlementLine

from .disputes import dispute_views
from .invoice_views import InvoiceView, dispute_open, invoice_views


@dataclass(frozen=True)
class StatementSettlement:
    """A cheque, credit note, write-off, dispute credit or reversal (negative) dated in the period."""

    settle_date: date
    kind: str
    reference: str
    invoices: tuple[str, ...]  # the invoice numbers it applies to, in the order applied
    amount: Decimal


@dataclass(frozen=True)
class StatementDispute:
    """A dispute open at the period's end: overdue when unanswered 30 days after it was filed."""

    dispute_no: str
    invoice_no: str
    reason: str
    amount: Decimal
    title: str
    filed_date: date
    deadline: date
    overdue: bool


@dataclass(frozen=True)
class SettlementParts:
    invoices: tuple[InvoiceView, ...] = ()
    settlements: tuple[StatementSettlement, ...] = ()
    disputes: tuple[StatementDispute, ...] = ()


NOTHING = SettlementParts()


def settlement_parts(
    session: Session, date_from: date, date_to: date, vendor_ids: Sequence[int] | None
) -> dict[int, SettlementParts]:
    """By vendor id (every vendor when vendor_ids is None); vendors with none of them left out."""
    invoices: dict[int, list[InvoiceView]] = defaultdict(list)
    for view in _invoices(session, date_from, date_to, vendor_ids):
        invoices[view.vendor_id].append(view)
    settlements = _settlements(session, date_from, date_to, vendor_ids)
    disputes = _disputes(session, date_to, vendor_ids)
    return {
        vid: SettlementParts(tuple(invoices.get(vid, ())), settlements.get(vid, ()), disputes.get(vid, ()))
        for vid in sorted(set(invoices) | set(settlements) | set(disputes))
    }


def _of_vendors(column: InstrumentedAttribute[int], vendor_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    return [] if vendor_ids is None else [column.in_(sorted(vendor_ids))]


def _invoices(session: Session, date_from: date, date_to: date, vendor_ids: Sequence[int] | None) -> list[InvoiceView]:
    inv = CoopInvoice
    where = [inv.invoice_date >= date_from, inv.invoice_date <= date_to, *_of_vendors(inv.vendor_id, vendor_ids)]
    return invoice_views(session, where, as_of=date_to)


def _settlements(
    session: Session, date_from: date, date_to: date, vendor_ids: Sequence[int] | None
) -> dict[int, tuple[StatementSettlement, ...]]:
    s = Settlement
    heads = session.execute(
        select(s.id, s.vendor_id, s.settle_date, s.kind, s.reference, s.amount)
        .where(s.settle_date >= date_from, s.settle_date <= date_to, *_of_vendors(s.vendor_id, vendor_ids))
        .order_by(s.settle_date, s.id)
    ).all()
    applied: dict[int, list[str]] = defaultdict(list)
    lines = (
        select(SettlementLine.settlement_id, CoopInvoice.invoice_no)
        .join(CoopInvoice, CoopInvoice.id == SettlementLine.invoice_id)
        .order_by(SettlementLine.id)
    )
    for sid, invoice_no in rows_in(session, lines, SettlementLine.settlement_id, [h.id for h in heads]):
        applied[sid].append(invoice_no)
    out: dict[int, list[StatementSettlement]] = defaultdict(list)
    for sid, vid, day, kind, reference, amount in heads:
        out[vid].append(StatementSettlement(day, kind, reference, tuple(applied.get(sid, ())), amount))
    return {vid: tuple(rows) for vid, rows in out.items()}


def _disputes(
    session: Session, date_to: date, vendor_ids: Sequence[int] | None
) -> dict[int, tuple[StatementDispute, ...]]:
    """The disputes filed by the day and not answered by it."""
    where = [*dispute_open(date_to), *_of_vendors(CoopInvoice.vendor_id, vendor_ids)]
    vendor_of = dict(
        session.execute(
            select(Dispute.dispute_no, CoopInvoice.vendor_id)
            .join(CoopInvoice, CoopInvoice.id == Dispute.invoice_id)
            .where(*where)
        ).all()
    )
    out: dict[int, list[StatementDispute]] = defaultdict(list)
    for d in dispute_views(session, date_to, where):
        out[vendor_of[d.dispute_no]].append(
            StatementDispute(d.dispute_no, d.invoice_no, d.reason, d.amount, d.title, d.filed_date, d.deadline,
                             is_overdue(d.filed_date, date_to))
        )  # fmt: skip
    return {vid: tuple(sorted(rows, key=lambda r: (r.deadline, r.dispute_no))) for vid, rows in out.items()}
