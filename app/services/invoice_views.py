"""Reads of co-op invoices (SPEC §13–§14): what each bills, what settles it, what is open, its
status. Every screen, report and settlement reads balances here, so the rule of §14 is in one
place (app.domain.invoicing.Balance)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.adapters.bulk import rows_in
from app.domain.invoicing import Balance
from app.domain.money import ZERO
from app.domain.vocabulary import ACCEPTED
from app.models import (
    ActualDecision,
    CoopInvoice,
    Dispute,
    DisputeResolution,
    Settlement,
    SettlementLine,
    Vendor,
    VendorActual,
)


@dataclass(frozen=True)
class InvoiceView:
    """An invoice as screens and exports show it."""

    id: int
    invoice_no: str
    month: str
    invoice_date: date
    due_date: date
    vendor_id: int
    vendor_code: str
    vendor_name: str
    agreement_id: int | None
    agreement_no: str | None
    kind: str
    provisional: bool
    method: str
    currency: str
    amount: Decimal
    balance: Balance

    @property
    def open_amount(self) -> Decimal:
        return self.balance.open

    @property
    def status(self) -> str:
        return self.balance.status


def balances(session: Session, invoice_ids: Iterable[int], as_of: date | None = None) -> dict[int, Balance]:
    """Balance of each invoice (missing ids are left out); as_of: counting only the settlements
    dated up to that day (what was open on it), else every settlement."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    inv = CoopInvoice
    heads = {
        row[0]: row[1:]
        for row in rows_in(session, select(inv.id, inv.amount, inv.held, inv.agreement_id, inv.month), inv.id, ids)
    }
    settled_query = select(SettlementLine.invoice_id, func.sum(SettlementLine.amount))
    if as_of is not None:
        settled_query = settled_query.join(Settlement, Settlement.id == SettlementLine.settlement_id).where(
            Settlement.settle_date <= as_of
        )
    settled_query = settled_query.group_by(SettlementLine.invoice_id)
    settled: dict[int, Decimal] = dict(rows_in(session, settled_query, SettlementLine.invoice_id, ids))
    keys = {(a, m) for _amount, held, a, m in heads.values() if held and a is not None}
    accepted = accepted_actuals(session, keys)
    groups = held_groups(session, set(accepted))
    out = {}
    for iid, (amount, held, agreement_id, month) in heads.items():
        actual = accepted.get((agreement_id, month)) if held and agreement_id is not None else None
        billed = amount
        if actual is not None and agreement_id is not None:  # the first held invoice bills the difference
            first, accrued = groups[(agreement_id, month)]
            billed = amount + (actual - accrued if iid == first else ZERO)
        out[iid] = Balance(iid, billed, _money(settled.get(iid)), held and actual is None)
    return out


def held_groups(session: Session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, Decimal]]:
    """(agreement id, month) -> (the first held invoice, what the held invoices accrued): an
    agreement whose ladders settle by different methods has a held invoice per method; its
    accepted actual bills the vendor's amount once, over all of them (app.services.actuals)."""
    if not keys:
        return {}
    inv = CoopInvoice
    query = (
        select(inv.agreement_id, inv.month, func.min(inv.id), func.sum(inv.amount))
        .where(inv.held.is_(True))
        .group_by(inv.agreement_id, inv.month)
    )
    out: dict[tuple[int, str], tuple[int, Decimal]] = {}
    for aid, month, first, total in rows_in(session, query, inv.agreement_id, sorted({a for a, _m in keys})):
        if aid is not None and (aid, month) in keys:
            out[(aid, month)] = (first, total)
    return out


def accepted_actuals(session: Session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], Decimal]:
    """The accepted vendor actual of each (agreement id, month): the latest accepted one."""
    if not keys:
        return {}
    va, ad = VendorActual, ActualDecision
    query = (
        select(va.agreement_id, va.month, va.amount)
        .join(ad, ad.actual_id == va.id)
        .where(ad.status == ACCEPTED)
        .order_by(va.id)
    )
    out: dict[tuple[int, str], Decimal] = {}
    for agreement_id, month, amount in rows_in(session, query, va.agreement_id, sorted({a for a, _m in keys})):
        if (agreement_id, month) in keys:
            out[(agreement_id, month)] = amount
    return out


def dispute_open(on: date | None = None) -> list[ColumnElement[bool]]:
    """The one rule of an open dispute, as SQL conditions on Dispute: filed by the day and not
    answered by it (without a day: not answered)."""
    answer = aliased(DisputeResolution)
    if on is None:
        return [~exists().where(answer.dispute_id == Dispute.id)]
    return [Dispute.filed_date <= on, ~exists().where(answer.dispute_id == Dispute.id, answer.resolved_date <= on)]


def open_disputed(session: Session, invoice_ids: Iterable[int], on: date | None = None) -> dict[int, Decimal]:
    """The amount under open dispute per invoice (on the day, else now); invoices without one
    left out."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    query = select(Dispute.invoice_id, func.sum(Dispute.amount)).where(*dispute_open(on)).group_by(Dispute.invoice_id)
    return {iid: _money(total) for iid, total in rows_in(session, query, Dispute.invoice_id, ids) if total}


def _money(value: Decimal | int | None) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(value)


def invoice_views(
    session: Session, where: Iterable[object] = (), limit: int | None = None, as_of: date | None = None
) -> list[InvoiceView]:
    """Invoices matching the SQL conditions on CoopInvoice / Vendor, by invoice date and number;
    as_of: their balances on that day (balances)."""
    inv = CoopInvoice
    query = (
        select(
            inv.id, inv.invoice_no, inv.month, inv.invoice_date, inv.due_date, inv.vendor_id, Vendor.code, Vendor.name,
            inv.agreement_id, inv.agreement_no, inv.kind, inv.provisional, inv.method, inv.currency, inv.amount,
        )
        .join(Vendor, Vendor.id == inv.vendor_id)
        .order_by(inv.invoice_date, inv.invoice_no)
    )  # fmt: skip
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    found = balances(session, [r[0] for r in rows], as_of)
    return [InvoiceView(*row, balance=found[row[0]]) for row in rows]  # type: ignore[call-arg]


def invoice_by_number(session: Session, invoice_no: str) -> InvoiceView | None:
    found = invoice_views(session, [CoopInvoice.invoice_no == invoice_no])
    return found[0] if found else None
