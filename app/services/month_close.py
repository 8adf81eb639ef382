"""The month close (SPEC §13): `coop close --month` and the Month Close screen.

Months close in order (the first close of a database may be any month), from the first day of
the following month. For each vendor, in its own transaction under the vendor's lock (posting
and settlements of that vendor wait): the month's lump-sum accruals are posted, dated the
month's last day; then every REBATE_RECEIVABLE journal line of the vendor dated up to the
month's end that is on no invoice yet goes on a co-op invoice per kind, agreement (or the
provisional accruals of a kind) and method (app.domain.month_close), each with its INVOICE
entry (Dr CLAIMS_RECEIVABLE / Cr REBATE_RECEIVABLE, reversed for a credit). A vendor's part is
recorded in vendor_close: a close that stops (cancel, crash, a lost connection) leaves each
vendor invoiced in full or untouched, and running it again goes on with the rest. When every
vendor is done the month is recorded in month_close; closing it again creates nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.adapters.accruals import lock_vendors
from app.adapters.bulk import BulkWriter, table_of
from app.adapters.db import transaction_time
from app.adapters.entry_writer import OtherEntry, write_entries
from app.domain.invoicing import due_date, invoice_number, last_day, next_month, parse_month
from app.domain.journal import claim_lines, pnl_role, transfer_lines
from app.domain.money import to_units
from app.domain.month_close import ClaimLine, InvoiceDraft, invoice_drafts
from app.domain.vocabulary import (
    ACCEPTED,
    ADVERTISING,
    CLAIMS_RECEIVABLE,
    DEFAULT_METHOD,
    INVOICE,
    KIND_PHRASES,
    LUMP_SUM,
    LUMP_SUM_SOURCE,
    REBATE_RECEIVABLE,
)
from app.models import (
    Agreement,
    AgreementLine,
    Company,
    CoopInvoice,
    InvoiceLine,
    MonthClose,
    Vendor,
    VendorClose,
)

from .close_reads import (
    ClosingRead,
    changed_since,
    claims,
    closing_read,
    lump_sums,
    may_estimate,
    methods,
    vendor_rows,
    vendor_terms,
)
from .context import AppContext, UnitOfWork
from .errors import Problem, ServiceError, ValidationFailed
from .expected_accruals import ExpectedStanding, expected_entries, expected_vendors, standings
from .gl_accounts import refuse_missing, roles_to_accounts
from .security import Permission, require

NEEDED_ROLES = (REBATE_RECEIVABLE, CLAIMS_RECEIVABLE, ADVERTISING)
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class CloseCancelled(ServiceError):
    """The close stopped between two vendors: those done stay invoiced; run it again to go on."""


@dataclass
class VendorPlan:
    """What the close will make for one vendor: lump sums to accrue, invoices (drafts)."""

    vendor_id: int
    vendor_code: str
    vendor_name: str
    lump_sums: list[tuple[int, str, Decimal]] = field(default_factory=list)  # (agreement id, number, amount)
    drafts: list[InvoiceDraft] = field(default_factory=list)
    expected: list[ExpectedStanding] = field(default_factory=list)  # expected-tier adjustments that change

    @property
    def busy(self) -> bool:
        return bool(self.drafts or self.lump_sums or self.expected)


@dataclass
class CloseResult:
    month: str
    already_closed: bool = False
    vendors: int = 0  # vendors invoiced by this run
    invoices: list[str] = field(default_factory=list)  # invoice numbers made by this run
    lump_sum_entries: int = 0
    expected_entries: int = 0  # expected-tier adjustments posted
    complete: bool = False  # the month is recorded as closed


def check_month(session: Session, month: str, run_date: date) -> list[Problem]:
    """Why the month may not be closed on run_date (empty: it may, or it is closed already)."""
    label = f"Month close {month}"
    if parse_month(month) is None:
        return [Problem(label, "month", "must be YYYY-MM (e.g. 2025-02)")]
    if run_date <= last_day(month):
        return [
            Problem(
                label, "month",
                f"{month} is not over on {run_date.isoformat()}: a month closes from the first day of the "
                f"following month ({next_month(month)}-01)",
            )
        ]  # fmt: skip
    last = last_closed(session)
    if last is not None and month > next_month(last):
        return [Problem(label, "month", f"months close in order: close {next_month(last)} first")]
    return []


def last_closed(session: Session) -> str | None:
    value: str | None = session.scalar(select(func.max(MonthClose.month)))
    return value


def is_closed(session: Session, month: str) -> bool:
    """A month is closed when it is recorded, or a later month is (its lines went there)."""
    last = last_closed(session)
    return last is not None and month <= last


def preview_close(uow: UnitOfWork, month: str, run_date: date | None = None) -> list[VendorPlan]:
    """What closing the month would make, per vendor, writing nothing."""
    require(uow, Permission.CLOSE)
    session = uow.session
    run_date = run_date or date.today()
    problems = check_month(session, month, run_date)
    if problems:
        raise ValidationFailed(problems)
    if is_closed(session, month):
        return []
    plans = _plans(session, month)
    session.rollback()
    return [p for p in plans.values() if p.busy]


def close_month(
    ctx: AppContext,
    month: str,
    run_date: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> CloseResult:
    """Close the month: one transaction per vendor, then the month's record."""
    run_date = run_date or date.today()
    result = CloseResult(month)
    with ctx.uow() as uow:
        require(uow, Permission.CLOSE)
        session = uow.session
        problems = check_month(session, month, run_date)
        if problems:
            raise ValidationFailed(problems)
        if is_closed(session, month):
            result.already_closed = result.complete = True
            return result
        _check_roles(session)
        read = closing_read(session, month)
        read.terms = vendor_terms(session)
        lumps = lump_sums(session, last_day(month), None)
        # Vendors with nothing to do (lines that net to nothing in every group, expected-tier
        # standings as posted) are skipped under their lock.
        read.estimating = expected_vendors(session)
        candidates = set(read.rows) | set(lumps) | read.estimating
        todo = [vid for vid, _code, _name in _vendors(session, candidates - read.done)]
        session.rollback()
    for done, vendor_id in enumerate(todo):
        if cancelled and cancelled():
            raise CloseCancelled(
                f"close of {month} cancelled after {done} of {len(todo)} vendors; those are invoiced in full, "
                "the others untouched: run the close again to go on"
            )
        with ctx.uow() as uow:
            if _close_vendor(uow, month, vendor_id, result, read):
                uow.commit()
        if progress:
            progress(done + 1, len(todo))
    with ctx.uow() as uow:
        _record_month(uow, month, run_date)
    result.complete = True
    return result


def _check_roles(session: Session) -> None:
    """Every role the close may post to, before any vendor is closed: the invoices', the lump
    sums', and the P&L roles of the kinds with expected volumes (their adjustments)."""
    accounts = roles_to_accounts(session)
    expected = session.scalars(
        select(Agreement.kind)
        .join(AgreementLine, AgreementLine.agreement_id == Agreement.id)
        .where(Agreement.status == ACCEPTED, AgreementLine.expected_volume.is_not(None))
        .distinct()
    )
    wanted = [*NEEDED_ROLES, *sorted({pnl_role(kind) for kind in expected} - set(NEEDED_ROLES))]
    refuse_missing([role for role in wanted if role not in accounts], "the month was not closed")


def _record_month(uow: UnitOfWork, month: str, run_date: date) -> None:
    session = uow.session
    if session.get(MonthClose, month) is not None:
        return
    session.add(
        MonthClose(month=month, run_date=run_date, closed_by=uow.user, closed_at=transaction_time(session.connection()))
    )
    try:
        uow.commit()
    except IntegrityError:  # another workstation recorded it first: the month is closed either way
        session.rollback()


def _plans(session: Session, month: str, read: ClosingRead | None = None) -> dict[int, VendorPlan]:
    """Every vendor with something to invoice or a lump sum to accrue, and what (a preview:
    the lump sums as drafts' lines without journal lines)."""
    month_end = last_day(month)
    read = read or closing_read(session, month)
    rows = read.rows
    lumps = lump_sums(session, month_end, None)
    estimating = expected_vendors(session)
    plans: dict[int, VendorPlan] = {}
    for vid, code, name in _vendors(session, (set(rows) | set(lumps) | estimating) - read.done):
        plan = plans[vid] = VendorPlan(vid, code, name, lumps.get(vid, []))
        found = claims(session, vid, rows.get(vid, []))
        found += [
            ClaimLine(0, LUMP_SUM, number, False, methods(session, vid)[1].get((LUMP_SUM, number), DEFAULT_METHOD), to_units(a, 2))
            for _aid, number, a in plan.lump_sums
        ]  # fmt: skip
        plan.drafts = invoice_drafts(found)
        if vid in estimating:
            plan.expected = [e for e in standings(session, vid, month_end) if e.target != e.posted]
    return plans


def _vendors(session: Session, vendor_ids: set[int]) -> list[tuple[int, str, str]]:
    """(id, code, name) of the vendors, by code."""
    query = select(Vendor.id, Vendor.code, Vendor.name).where(Vendor.id.in_(sorted(vendor_ids)))
    return [(vid, code, name) for vid, code, name in session.execute(query.order_by(Vendor.code))]


def _close_vendor(
    uow: UnitOfWork, month: str, vendor_id: int, result: CloseResult, read: ClosingRead | None = None
) -> bool:
    """One vendor's part of the close, under its lock; False when another close did it."""
    session = uow.session
    lock_vendors(session, {vendor_id})
    if session.get(VendorClose, (month, vendor_id)) is not None:
        return False
    changed = changed_since(session, vendor_id, read)
    month_end = last_day(month)
    accounts = roles_to_accounts(session)
    gl = {role: found[0] for role, found in accounts.items()}
    stamp = transaction_time(session.connection())
    lumps = lump_sums(session, month_end, vendor_id).get(vendor_id, [])
    if lumps:
        entries = [
            OtherEntry(
                month_end, LUMP_SUM_SOURCE, f"lump sum {number} {month}", vendor_id, None, number,
                claim_lines(LUMP_SUM, to_units(amount, 2), f"{KIND_PHRASES[LUMP_SUM]} {number}: accrual of {month}"),
            )
            for _aid, number, amount in lumps
        ]  # fmt: skip
        write_entries(session, entries, gl, uow.user, stamp)
        result.lump_sum_entries += len(entries)
    expected = (
        expected_entries(session, vendor_id, month_end, month)
        if may_estimate(session, vendor_id, read, changed)
        else []
    )
    refuse_missing(
        sorted({line.role for e in expected for line in e.lines} - set(gl)), "the month was not closed for this vendor"
    )
    if expected:
        write_entries(session, expected, gl, uow.user, stamp)
        result.expected_entries += len(expected)
    rows = vendor_rows(session, month_end, vendor_id, read, changed, bool(lumps))
    drafts = invoice_drafts(claims(session, vendor_id, rows, read.terms if read else None))
    if not drafts and not lumps and not expected:  # nothing to do (the preview leaves it out): no vendor_close
        return False
    _write_invoices(uow, month, vendor_id, drafts, gl, stamp, result)
    session.add(VendorClose(month=month, vendor_id=vendor_id, closed_by=uow.user, closed_at=stamp))
    session.flush()
    result.vendors += 1
    return True


def _write_invoices(
    uow: UnitOfWork,
    month: str,
    vendor_id: int,
    drafts: list[InvoiceDraft],
    gl: dict[str, int],
    stamp: object,
    result: CloseResult,
) -> None:
    if not drafts:
        return
    session = uow.session
    vendor = session.get(Vendor, vendor_id)
    assert vendor is not None
    currency = session.scalar(select(Company.currency)) or vendor.currency
    invoice_date = last_day(month)
    made = session.scalar(select(func.count()).where(CoopInvoice.vendor_id == vendor_id, CoopInvoice.month == month))
    agreements = {
        (kind, number): (aid, actuals)
        for aid, kind, number, actuals in session.execute(
            select(Agreement.id, Agreement.kind, Agreement.number, Agreement.actuals_required).where(
                Agreement.vendor_id == vendor_id
            )
        )
    }
    numbers = [invoice_number(month, vendor.code, (made or 0) + i + 1) for i in range(len(drafts))]
    entries = [
        OtherEntry(
            invoice_date, INVOICE, no, vendor_id, None, d.agreement_no,
            transfer_lines(CLAIMS_RECEIVABLE, REBATE_RECEIVABLE, d.amount, d.kind, f"co-op invoice {no}"),
        )
        for no, d in zip(numbers, drafts, strict=True)
    ]  # fmt: skip
    entry_ids = write_entries(session, entries, gl, uow.user, stamp)  # type: ignore[arg-type]
    invoices = []
    for no, d, entry_id in zip(numbers, drafts, entry_ids, strict=True):
        aid, actuals = (
            agreements.get((d.kind, d.agreement_no or ""), (None, False)) if not d.provisional else (None, False)
        )
        invoice = CoopInvoice(
            invoice_no=no, month=month, invoice_date=invoice_date, due_date=due_date(invoice_date, vendor.terms_days),
            vendor_id=vendor_id, agreement_id=aid, agreement_no=d.agreement_no, kind=d.kind,
            provisional=d.provisional, method=d.method, currency=currency, amount=Decimal(d.amount).scaleb(-2),
            held=bool(actuals), entry_id=entry_id, created_by=uow.user, created_at=stamp,
        )  # fmt: skip
        session.add(invoice)
        invoices.append(invoice)
    session.flush()
    writer, table = BulkWriter(session), table_of(InvoiceLine)
    percent: dict[Decimal | None, object] = {None: None}  # lines share their rates: each stored once
    for d in drafts:
        for line in d.lines:
            if line.rate not in percent:
                percent[line.rate] = writer.stored(table, "rate", _percent(line.rate))  # type: ignore[arg-type]
    rows = [
        (line.line_id, invoice.id, line.scope[:200], line.tier, percent[line.rate])
        for invoice, d in zip(invoices, drafts, strict=True)
        for line in d.lines
    ]
    writer.insert(table, ("journal_line_id", "invoice_id", "scope", "tier", "rate"), rows, stored=("rate",))
    result.invoices.extend(numbers)


def _percent(rate: Decimal) -> Decimal:
    return rate.quantize(Decimal("0.0001"))
