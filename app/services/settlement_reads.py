"""Reads the settlement screens need (SPEC §13–§14) and nothing writes: the invoices of a vendor
that a payment may name, the company's settlement settings, the first step of a dispute checked
as app.services.disputes.file_dispute checks it, the agreements that require vendor actuals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.domain.settlement import amount_problems
from app.domain.vocabulary import DISPUTE_REASONS, OPEN, SHORT_PAID, Permission, one_of
from app.models import Agreement, Company, Vendor

from .context import UnitOfWork
from .disputes import DisputeView, dispute_invoice_problems, dispute_views
from .errors import Problem
from .invoice_views import InvoiceView, invoice_views
from .security import require
from .settlement import open_invoices

PAYABLE = (OPEN, SHORT_PAID)  # the statuses of an invoice with an amount the vendor owes


@dataclass(frozen=True)
class SettlementTerms:
    remit_to: str
    write_off_tolerance: Decimal
    dispute_window_days: int


@dataclass(frozen=True)
class ActualsAgreement:
    vendor: str
    kind: str
    number: str
    status: str
    description: str


def payable_invoices(uow: UnitOfWork, vendor: str) -> list[InvoiceView]:
    """The vendor's invoices with an amount still owed, oldest first."""
    require(uow, Permission.REPORTS)
    found = invoice_views(uow.session, [Vendor.code == vendor])
    return sorted((v for v in found if v.status in PAYABLE), key=lambda v: (v.invoice_date, v.invoice_no))


def dispute_list(uow: UnitOfWork, today: date) -> list[DisputeView]:
    """Every dispute as app.services.disputes.dispute_views orders them, overdue as of `today`."""
    require(uow, Permission.REPORTS)
    return dispute_views(uow.session, today)


def settlement_terms(uow: UnitOfWork) -> SettlementTerms:
    """The company's settlement settings (the defaults while it has none)."""
    row = uow.session.get(Company, 1)
    if row is None:
        return SettlementTerms("", Decimal("5.00"), 60)
    return SettlementTerms(row.remit_to or "", row.write_off_tolerance, row.dispute_window_days)


def dispute_problems(uow: UnitOfWork, invoice_no: str, reason: str, amount: Decimal | None, day: date) -> list[Problem]:
    """The first step of a dispute (reason, amount, the day it is filed) checked as filing it
    checks them: the invoice settleable, inside the filing window, the amount at most what is
    open and not under open dispute already."""
    label = f"Dispute of {invoice_no or '(no invoice)'}"
    problems = []
    if reason not in DISPUTE_REASONS:
        problems.append(Problem(label, "reason", f"must be {one_of(DISPUTE_REASONS)} (got {reason or 'blank'})"))
    problems.extend(amount_problems(label, amount))
    invoice = open_invoices(uow, [invoice_no]).get(invoice_no)
    if invoice is None:
        return [Problem(label, "invoice", f"invoice {invoice_no or '(blank)'} does not exist"), *problems]
    return problems + dispute_invoice_problems(uow, label, invoice, amount, day)


def actuals_agreements(uow: UnitOfWork) -> list[ActualsAgreement]:
    """The agreements flagged actuals required, by vendor, kind and number."""
    a = Agreement
    rows = uow.session.execute(
        select(Vendor.code, a.kind, a.number, a.status, a.description)
        .join(Vendor, Vendor.id == a.vendor_id)
        .where(a.actuals_required.is_(True))
        .order_by(Vendor.code, a.kind, a.number)
    )
    return [
        ActualsAgreement(code, kind, number, status, description or "")
        for code, kind, number, status, description in rows
    ]
