"""Vendor balances on a day (SPEC §15): what each vendor owes us (accrued not invoiced, open
co-op invoices, less open disputes) against what we owe it (open vendor invoices, received not
invoiced), counting only the documents dated up to the day. Reads only; the rules of the sums
are app.domain.balances. Vendor invoices are read from their tables: a line is open when it
is matched (no defect: a flagged line is never payable) and no payment run up to the day
paid it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.domain.balances import VendorBalance
from app.domain.money import ZERO
from app.domain.vocabulary import ACTUALS, EXPECTED_TIER, INVOICE, REBATE_RECEIVABLE, RECEIVED_NOT_INVOICED, Permission
from app.models import (
    CoopInvoice,
    Dispute,
    InvoiceLine,
    JournalEntry,
    JournalLine,
    PaymentRun,
    PaymentRunLine,
    Provision,
    Vendor,
    VendorInvoice,
    VendorInvoiceLine,
)

from .context import UnitOfWork
from .invoice_views import balances, dispute_open, open_disputed
from .provision_reads import active_provisions
from .security import can, require

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class OpenCoopInvoice:
    """A co-op invoice open on the day: billed less what settled it up to the day; disputed:
    the part under dispute open on the day (at most what is open)."""

    invoice_id: int
    invoice_no: str
    vendor_id: int
    invoice_date: date
    due_date: date
    kind: str
    method: str
    billed: Decimal
    open: Decimal
    disputed: Decimal


@dataclass(frozen=True)
class OpenVendorInvoice:
    """A vendor invoice with matched lines no payment run has paid by the day."""

    vendor_invoice_id: int
    invoice_no: str
    vendor_id: int
    invoice_date: date
    due_date: date
    open: Decimal


def _money(value: object) -> Decimal:
    if value is None:
        return ZERO.quantize(CENTS)
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENTS)


def _vendor_filter(column, vendor_ids: Iterable[int] | None):  # type: ignore[no-untyped-def]
    return column.in_(sorted(set(vendor_ids))) if vendor_ids is not None else True


def accrued_not_invoiced(session: Session, on: date, vendor_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Net REBATE_RECEIVABLE per vendor dated up to `on` and on no invoice dated up to it (as
    app.services.close_reads.uninvoiced: not the invoices' own lines, nor vendor actuals, which
    go on their held invoices, nor expected-tier estimates, which are never billed)."""
    jl, je = JournalLine, JournalEntry
    invoiced = (
        exists()
        .where(InvoiceLine.journal_line_id == jl.id)
        .where(CoopInvoice.id == InvoiceLine.invoice_id, CoopInvoice.invoice_date <= on)
    )
    query = (
        select(jl.vendor_id, func.sum(jl.debit), func.sum(jl.credit))
        .join(je, je.id == jl.entry_id)
        .where(
            jl.role == REBATE_RECEIVABLE,
            je.entry_date <= on,
            je.source.not_in((INVOICE, ACTUALS, EXPECTED_TIER)),
            ~invoiced,
            _vendor_filter(jl.vendor_id, vendor_ids),
        )
        .group_by(jl.vendor_id)
    )
    return {vid: _money(dr) - _money(cr) for vid, dr, cr in session.execute(query) if vid is not None}


def received_not_invoiced(session: Session, on: date, vendor_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Net credit of RECEIVED_NOT_INVOICED per vendor, dated up to `on`."""
    jl, je = JournalLine, JournalEntry
    query = (
        select(jl.vendor_id, func.sum(jl.debit), func.sum(jl.credit))
        .join(je, je.id == jl.entry_id)
        .where(jl.role == RECEIVED_NOT_INVOICED, je.entry_date <= on, _vendor_filter(jl.vendor_id, vendor_ids))
        .group_by(jl.vendor_id)
    )
    return {vid: _money(cr) - _money(dr) for vid, dr, cr in session.execute(query) if vid is not None}


def open_coop_invoices(session: Session, on: date, vendor_ids: Iterable[int] | None = None) -> list[OpenCoopInvoice]:
    """Co-op invoices dated up to `on` with an amount open on that day (a credit to the vendor
    is open negative), by vendor, date and number."""
    inv = CoopInvoice
    heads = session.execute(
        select(inv.id, inv.invoice_no, inv.vendor_id, inv.invoice_date, inv.due_date, inv.kind, inv.method)
        .where(inv.invoice_date <= on, _vendor_filter(inv.vendor_id, vendor_ids))
        .order_by(inv.vendor_id, inv.invoice_date, inv.invoice_no)
    ).all()  # fmt: skip
    if not heads:
        return []
    ids = [h.id for h in heads]
    found = balances(session, ids, as_of=on)
    disputed = open_disputed(session, ids, on)
    out = []
    for h in heads:
        billed, open_amount = found[h.id].billed, found[h.id].open
        if open_amount == ZERO:
            continue
        under = min(disputed.get(h.id, ZERO), max(open_amount, ZERO))
        out.append(
            OpenCoopInvoice(h.id, h.invoice_no, h.vendor_id, h.invoice_date, h.due_date, h.kind, h.method,
                            billed, open_amount, under)
        )  # fmt: skip
    return out


def open_disputes_by_vendor(
    session: Session, on: date, vendor_ids: Iterable[int] | None = None
) -> list[tuple[int, int, Decimal]]:
    """(vendor, disputes, amount) of the disputes open on `on`: filed up to it, not answered by it."""
    query = (
        select(CoopInvoice.vendor_id, func.count(), func.sum(Dispute.amount))
        .join(CoopInvoice, CoopInvoice.id == Dispute.invoice_id)
        .where(*dispute_open(on), _vendor_filter(CoopInvoice.vendor_id, vendor_ids))
        .group_by(CoopInvoice.vendor_id)
    )
    return [(vid, count, _money(total)) for vid, count, total in session.execute(query)]


def open_vendor_invoices(
    session: Session, on: date, vendor_ids: Iterable[int] | None = None
) -> list[OpenVendorInvoice]:
    """Vendor invoices dated up to `on` with matched lines (no defect) that no payment run dated
    up to it paid; their open sum. A flagged line is never payable, resolved or not: a late
    receipt writes a new matched line, a credit note or a corrected invoice closes it
    (app.services.vendor_invoice_lines), as the payment run pays only matched lines."""
    vi, vl = VendorInvoice, VendorInvoiceLine
    paid = exists().where(
        PaymentRunLine.vendor_invoice_line_id == vl.id,
        PaymentRun.id == PaymentRunLine.run_id,
        PaymentRun.run_date <= on,
    )
    query = (
        select(vi.id, vi.invoice_no, vi.vendor_id, vi.invoice_date, vi.due_date, func.sum(vl.amount))
        .join(vl, vl.vendor_invoice_id == vi.id)
        .where(
            vi.invoice_date <= on,
            vl.defect.is_(None),
            ~paid,
            _vendor_filter(vi.vendor_id, vendor_ids),
        )
        .group_by(vi.id, vi.invoice_no, vi.vendor_id, vi.invoice_date, vi.due_date)
        .order_by(vi.vendor_id, vi.invoice_date, vi.invoice_no)
    )
    return [OpenVendorInvoice(*row[:5], _money(row[5])) for row in session.execute(query)]


def held_for_provisions(session: Session, on: date, vendor_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """What payment runs dated up to `on` held back from each vendor for its provision and have
    not released yet (a run's hold is a positive line, its release a negative one): invoices
    the run took but did not pay, so still payable (app.domain.payment_run)."""
    prl = PaymentRunLine
    query = (
        select(prl.vendor_id, func.sum(prl.amount))
        .join(PaymentRun, PaymentRun.id == prl.run_id)
        .where(prl.provision_id.is_not(None), PaymentRun.run_date <= on, _vendor_filter(prl.vendor_id, vendor_ids))
        .group_by(prl.vendor_id)
    )
    return {vid: _money(total) for vid, total in session.execute(query) if _money(total)}


def vendor_balances(session: Session, on: date, vendor_ids: Iterable[int] | None = None) -> list[VendorBalance]:
    """The balance of every vendor with something open on `on` (every vendor of vendor_ids when
    given), by vendor code."""
    wanted = None if vendor_ids is None else sorted(set(vendor_ids))
    parts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for vid, amount in accrued_not_invoiced(session, on, wanted).items():
        parts[vid]["accrued_not_invoiced"] = amount
    for vid, amount in received_not_invoiced(session, on, wanted).items():
        parts[vid]["received_not_invoiced"] = amount
    for coop in open_coop_invoices(session, on, wanted):
        found = parts[coop.vendor_id]
        found["open_invoices"] = found.get("open_invoices", ZERO) + coop.open
        found["open_disputes"] = found.get("open_disputes", ZERO) + coop.disputed
    for vinv in open_vendor_invoices(session, on, wanted):
        found = parts[vinv.vendor_id]
        found["open_vendor_invoices"] = found.get("open_vendor_invoices", ZERO) + vinv.open
    for vid, held in held_for_provisions(session, on, wanted).items():  # paid by no run yet: still owed
        found = parts[vid]
        found["open_vendor_invoices"] = found.get("open_vendor_invoices", ZERO) + held
    ids = set(wanted) if wanted is not None else {vid for vid, p in parts.items() if any(p.values())}
    if not ids:
        return []
    names = session.execute(select(Vendor.id, Vendor.code, Vendor.name).where(Vendor.id.in_(sorted(ids)))).all()
    out = []
    for vid, code, name in names:
        found = parts.get(vid, {})
        out.append(
            VendorBalance(
                vid, code, name, *(_money(found.get(f)) for f in ("accrued_not_invoiced", "open_invoices",
                "open_disputes", "open_vendor_invoices", "received_not_invoiced"))
            )
        )  # fmt: skip
    return sorted(out, key=lambda b: b.vendor_code)


@dataclass(frozen=True)
class BalanceRow:
    """A vendor's balance as the Vendor Balances screen shows it, with its active provision."""

    balance: VendorBalance
    provision_name: str
    provision: Decimal


def balance_rows(uow: UnitOfWork, on: date) -> list[BalanceRow]:
    """Every vendor with something open on `on`, or a provision active on it."""
    require(uow, Permission.REPORTS)
    session = uow.session
    active = active_provisions(session, on)
    found = {b.vendor_id: b for b in vendor_balances(session, on)}
    missing = set(active) - set(found)
    if missing:
        found.update({b.vendor_id: b for b in vendor_balances(session, on, missing)})
    rows = []
    for balance in sorted(found.values(), key=lambda b: b.vendor_code):
        held = active.get(balance.vendor_id)
        rows.append(BalanceRow(balance, held.name if held else "", held.amount if held else ZERO.quantize(CENTS)))
    return rows


def debit_balance_count(session: Session, on: date) -> int:
    """How many vendors have a debit balance on `on` (Home)."""
    return sum(1 for b in vendor_balances(session, on) if b.debit_balance)


def vendor_balance(session: Session, vendor_id: int, on: date) -> VendorBalance:
    (found,) = vendor_balances(session, on, [vendor_id])
    return found


@dataclass(frozen=True)
class BalanceDocuments:
    """The documents behind a vendor's balance on a day (the screen's drill-down)."""

    coop_invoices: list[OpenCoopInvoice]
    vendor_invoices: list[OpenVendorInvoice]
    provisions: list[tuple[str, date, Decimal]]  # name, date, amount (a reversal negative)


def balance_documents(uow: UnitOfWork, vendor_id: int, on: date) -> BalanceDocuments:
    """The vendor's co-op invoices open on `on`, its open vendor invoices, and its provisions
    and reversals dated up to `on`."""
    require(uow, Permission.REPORTS)
    session = uow.session
    p = Provision
    held = session.execute(
        select(p.name, p.event_date, p.amount).where(p.vendor_id == vendor_id, p.event_date <= on).order_by(p.id)
    ).all()
    return BalanceDocuments(
        open_coop_invoices(session, on, [vendor_id]),
        open_vendor_invoices(session, on, [vendor_id]),
        [(name, day, amount) for name, day, amount in held],
    )


def debit_balances(uow: UnitOfWork, on: date) -> int | None:
    """How many vendors are in debit balance on `on` (Home); None for a user without the
    reports permission."""
    if not can(uow, Permission.REPORTS):
        return None
    return debit_balance_count(uow.session, on)


def debit_balance_excess(uow: UnitOfWork, on: date) -> dict[str, Decimal]:
    """What each vendor in debit balance on `on` owes beyond what we owe it, by vendor code (the
    flag on the vendor); empty for a user without the reports permission."""
    if not can(uow, Permission.REPORTS):
        return {}
    return {b.vendor_code: b.excess for b in vendor_balances(uow.session, on) if b.debit_balance}
