"""The financial scorecard (SPEC §16) read from the tables: flagged vendor invoice lines,
receiving lines without a vendor invoice in time, vendor invoices and the payment runs that
paid them, co-op invoices short-paid and disputes open at the period's end. The rules are
app.domain.scorecard; formats are app.reports.scorecard_pdf."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.domain.matching import invoiced_in_time, missing_on
from app.domain.money import ZERO
from app.domain.scorecard import Scorecard, ScorecardRow, month_key
from app.domain.vocabulary import MISSING_INVOICE, POSTED, Permission
from app.models import (
    PaymentRun,
    PaymentRunLine,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
    VendorInvoice,
    VendorInvoiceLine,
)

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .security import require
from .vendor_balances import open_coop_invoices, open_disputes_by_vendor


def _period_problems(date_from: date | None, date_to: date | None) -> list[Problem]:
    problems = []
    if date_from is None:
        problems.append(Problem("scorecard", "from", "is required"))
    if date_to is None:
        problems.append(Problem("scorecard", "to", "is required"))
    if date_from is not None and date_to is not None and date_from > date_to:
        problems.append(Problem("scorecard", "from", f"{date_from.isoformat()} is after to {date_to.isoformat()}"))
    return problems


def scorecard(uow: UnitOfWork, date_from: date | None, date_to: date | None, vendor: str | None = None) -> Scorecard:
    """The scorecard of every vendor (or one, by code) for the period, both ends included."""
    require(uow, Permission.REPORTS)
    problems = _period_problems(date_from, date_to)
    session = uow.session
    vendor_id = None
    if vendor:
        vendor_id = session.scalar(select(Vendor.id).where(Vendor.code == vendor))
        if vendor_id is None:
            problems.append(Problem("scorecard", "vendor", f"{vendor!r} does not exist"))
    if problems:
        raise ValidationFailed(problems)
    assert date_from is not None and date_to is not None
    only = None if vendor_id is None else [vendor_id]
    names = {vid: (code, name) for vid, code, name in session.execute(select(Vendor.id, Vendor.code, Vendor.name))}
    rows: dict[int, ScorecardRow] = {}

    def row(vid: int) -> ScorecardRow:
        if vid not in rows:
            rows[vid] = ScorecardRow(*names[vid])
        return rows[vid]

    by_month: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    vi, vl = VendorInvoice, VendorInvoiceLine
    flagged = select(vi.vendor_id, vi.invoice_date, vl.defect, vl.amount).join(vl, vl.vendor_invoice_id == vi.id)
    flagged = flagged.where(vl.defect.is_not(None), vi.invoice_date >= date_from, vi.invoice_date <= date_to)
    if only:
        flagged = flagged.where(vi.vendor_id.in_(only))
    for vid, day, defect, amount in session.execute(flagged):
        row(vid).defects[str(defect)].add(amount)
        by_month[month_key(day)][str(defect)] += 1
    for vid, day, amount in _missing(uow, date_from, date_to, only):
        row(vid).defects[MISSING_INVOICE].add(amount)
        by_month[month_key(day)][MISSING_INVOICE] += 1
    for vid, due, last_run in _due_invoices(uow, date_from, date_to, only):
        found = row(vid)
        found.invoices_due += 1
        found.paid_on_time += last_run is not None and last_run <= due
    for coop in open_coop_invoices(session, date_to, only):
        if ZERO < coop.open < coop.billed:
            row(coop.vendor_id).short_paid.add(coop.open)
    for vid, count, amount in open_disputes_by_vendor(session, date_to, only):
        found = row(vid)
        found.open_disputes.count += count
        found.open_disputes.amount += amount
    ordered = tuple(sorted(rows.values(), key=lambda r: r.vendor_code))
    months = {m: dict(v) for m, v in sorted(by_month.items())}
    return Scorecard(date_from, date_to, ordered, months, vendor or None)


def _missing(
    uow: UnitOfWork, date_from: date, date_to: date, only: list[int] | None
) -> list[tuple[int, date, Decimal]]:
    """(vendor, the day it became missing, amount) of each posted receiving line that no vendor
    invoice named within 30 days of receipt and that became missing in the period."""
    rl, s, vi, vl = ReceiptLine, ReceivingSlip, VendorInvoice, VendorInvoiceLine
    first_invoice = (
        select(func.min(vi.invoice_date))
        .join(vl, vl.vendor_invoice_id == vi.id)
        .where(vl.receipt_line_id == rl.id)
        .scalar_subquery()
    )
    # received so that received + 31 days falls in the period
    query = (
        select(s.vendor_id, s.received_date, rl.amount, first_invoice)
        .join(s, s.id == rl.slip_id)
        .where(
            s.status == POSTED,
            rl.quantity > 0,
            s.received_date >= date_from - (missing_on(date_from) - date_from),
            s.received_date <= date_to - (missing_on(date_to) - date_to),
        )
    )
    if only:
        query = query.where(s.vendor_id.in_(only))
    return [
        (vid, missing_on(received), amount)
        for vid, received, amount, invoiced in uow.session.execute(query)
        if not invoiced_in_time(received, invoiced)
    ]


def _due_invoices(uow: UnitOfWork, date_from: date, date_to: date, only: list[int] | None) -> list[tuple]:  # type: ignore[type-arg]
    """(vendor, due date, the last run that paid it or None) of the vendor invoices due in the period."""
    vi, prl, pr = VendorInvoice, PaymentRunLine, PaymentRun
    last_run = (
        select(func.max(pr.run_date))
        .join(prl, prl.run_id == pr.id)
        .where(prl.vendor_invoice_id == vi.id)
        .scalar_subquery()
    )
    query = select(vi.vendor_id, vi.due_date, last_run).where(vi.due_date >= date_from, vi.due_date <= date_to)
    if only:
        query = query.where(vi.vendor_id.in_(only))
    return list(uow.session.execute(query).all())
