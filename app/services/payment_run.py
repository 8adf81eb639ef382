"""The payment run (SPEC §15, example N): per vendor, the matched vendor invoice lines due by
the run date, less the open undisputed `CD` co-op invoices, less the vendor's active provision,
never below zero (the amounts: app.domain.payment_run).

`preview_payment_run` reads what a run would pay; `run_payments` pays it, one transaction per
vendor under the vendor's lock: its PAYMENT_RUN entry (Dr ACCOUNTS_PAYABLE / Cr CASH / Cr
CLAIMS_RECEIVABLE), a DEDUCTION settlement applying the deductions to the co-op invoices, and
the payment_run_vendor and payment_run_line rows. A vendor invoice line is paid once: a second
run at the same moment waits for the lock and then finds the line paid (and the unique
payment_run_line.vendor_invoice_line_id refuses a second payment in any case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.adapters.accruals import lock_vendors
from app.adapters.bulk import BulkWriter, table_of
from app.adapters.db import transaction_time
from app.adapters.entry_writer import OtherEntry, write_entries
from app.domain.payment_run import (
    CoopOpen,
    Hold,
    PayableLine,
    VendorPayment,
    moves_money,
    payment_lines,
    roles_needed,
    vendor_payment,
)
from app.domain.vocabulary import (
    ACCOUNTS_PAYABLE,
    CASH,
    CLAIMS_RECEIVABLE,
    DEDUCTION,
    METHODS,
    PAYMENT_RUN,
    SOURCE_NAMES,
    Permission,
)
from app.models import (
    CoopInvoice,
    PaymentRun,
    PaymentRunLine,
    PaymentRunVendor,
    Provision,
    Settlement,
    SettlementLine,
    Vendor,
    VendorInvoice,
    VendorInvoiceLine,
)

from .context import UnitOfWork
from .gl_accounts import gl_for
from .invoice_views import invoice_views, open_disputed
from .provision_reads import active_provision
from .security import require

RUN_LINE_COLUMNS = ("run_id", "vendor_id", "vendor_invoice_id", "vendor_invoice_line_id", "coop_invoice_id",
                    "settlement_id", "provision_id", "amount")  # fmt: skip
DEDUCT = METHODS[2]  # CD: deducted from the next payment run


@dataclass(frozen=True)
class VendorRun:
    """One vendor's part of a run (previewed: run_id and entry_id None)."""

    vendor_id: int
    vendor_code: str
    vendor_name: str
    payment: VendorPayment
    run_id: int | None = None
    entry_id: int | None = None


@dataclass(frozen=True)
class RunResult:
    run_date: date
    run_ids: tuple[int, ...]
    vendors: tuple[VendorRun, ...]


def preview_payment_run(uow: UnitOfWork, run_date: date) -> list[VendorRun]:
    """What a run on run_date would pay each vendor (nothing written)."""
    require(uow, Permission.PAYABLES)
    session = uow.session
    out = []
    for vendor_id in _vendors_due(session):
        payment = read_payment(session, vendor_id, run_date)
        if not payment.empty:
            out.append(_view(session, vendor_id, payment))
    return out


def run_payments(uow: UnitOfWork, run_date: date) -> RunResult:
    """Pay every vendor with something due, one transaction per vendor."""
    require(uow, Permission.PAYABLES)
    session = uow.session
    # Every role a run may post to, before any vendor is paid (SPEC §18: refuses to run).
    gl_for(session, (ACCOUNTS_PAYABLE, CASH, CLAIMS_RECEIVABLE), "no vendor was paid")
    vendor_ids = _vendors_due(session)
    session.rollback()  # the list read; each vendor in its own transaction from here
    run_id: int | None = None
    done = []
    for vendor_id in vendor_ids:
        lock_vendors(session, {vendor_id})
        payment = read_payment(session, vendor_id, run_date)  # under the lock: what another run paid is gone
        if payment.empty:
            session.rollback()
            continue
        if run_id is None:
            run_id = _new_run(uow, run_date)
        entry_id = _pay(uow, run_id, vendor_id, run_date, payment)
        uow.commit()
        done.append(_view(session, vendor_id, payment, run_id, entry_id))
    return RunResult(run_date, (run_id,) if run_id is not None else (), tuple(done))


def _vendors_due(session: Session) -> list[int]:
    """Vendors with matched vendor invoice lines not paid yet, or provision holds to release."""
    vi, vil = VendorInvoice, VendorInvoiceLine
    paid = select(PaymentRunLine.id).where(PaymentRunLine.vendor_invoice_line_id == vil.id).exists()
    unpaid = select(vi.vendor_id).join(vil, vil.vendor_invoice_id == vi.id).where(vil.defect.is_(None), ~paid)
    holds = (
        select(PaymentRunLine.vendor_id)
        .where(PaymentRunLine.provision_id.is_not(None))
        .group_by(PaymentRunLine.vendor_id, PaymentRunLine.provision_id)
        .having(func.sum(PaymentRunLine.amount) != 0)
    )
    return sorted(set(session.scalars(unpaid.distinct())) | set(session.scalars(holds)))


def read_payment(session: Session, vendor_id: int, run_date: date) -> VendorPayment:
    """The vendor's payment on run_date as the database stands."""
    vi, vil = VendorInvoice, VendorInvoiceLine
    paid = select(PaymentRunLine.id).where(PaymentRunLine.vendor_invoice_line_id == vil.id).exists()
    lines = [
        PayableLine(*row)
        for row in session.execute(
            select(vil.id, vi.id, vi.invoice_no, vi.due_date, vil.amount)
            .join(vi, vi.id == vil.vendor_invoice_id)
            .where(vi.vendor_id == vendor_id, vil.defect.is_(None), vi.due_date <= run_date, ~paid)
        )
    ]
    views = invoice_views(session, [CoopInvoice.vendor_id == vendor_id, CoopInvoice.method == DEDUCT])
    disputed = open_disputed(session, [v.id for v in views])
    coop = [
        CoopOpen(v.id, v.invoice_no, v.invoice_date, v.kind, v.status, v.open_amount, disputed.get(v.id, Decimal(0)))
        for v in views
    ]
    active = active_provision(session, vendor_id, run_date)
    provision = Hold(active.id, active.name, active.amount) if active is not None else None
    return vendor_payment(run_date, lines, coop, provision, _held_before(session, vendor_id))


def _held_before(session: Session, vendor_id: int) -> list[Hold]:
    """What earlier runs hold for the vendor's provisions and have not released."""
    prl = PaymentRunLine
    rows = session.execute(
        select(prl.provision_id, Provision.name, func.sum(prl.amount))
        .join(Provision, Provision.id == prl.provision_id)
        .where(prl.vendor_id == vendor_id)
        .group_by(prl.provision_id, Provision.name)
        .order_by(prl.provision_id)
    )
    return [Hold(pid, name, Decimal(total)) for pid, name, total in rows if total and pid is not None]


def _new_run(uow: UnitOfWork, run_date: date) -> int:
    session = uow.session
    run = PaymentRun(run_date=run_date, created_by=uow.user, created_at=transaction_time(session.connection()))
    session.add(run)
    session.flush()
    return run.id


def _pay(uow: UnitOfWork, run_id: int, vendor_id: int, run_date: date, payment: VendorPayment) -> int | None:
    """The vendor's entry, deduction settlement and run rows; the entry's id (None: nothing moved)."""
    session = uow.session
    stamp = transaction_time(session.connection())
    reference = f"{SOURCE_NAMES[PAYMENT_RUN]} {run_id}"
    entry_id = None
    if moves_money(payment):
        gl = gl_for(session, roles_needed(payment), "no payment was made")
        entry = OtherEntry(run_date, PAYMENT_RUN, reference, vendor_id, None, None, payment_lines(payment, reference))
        entry_id = write_entries(session, [entry], gl, uow.user, stamp)[0]
    settlement_id = None
    if payment.deductions:
        currency = session.scalar(
            select(CoopInvoice.currency).where(CoopInvoice.id == payment.deductions[0].invoice_id)
        )
        row = Settlement(
            vendor_id=vendor_id, kind=DEDUCTION, settle_date=run_date, amount=payment.deducted, currency=currency,
            reference=reference, reason="", entry_id=entry_id, created_by=uow.user, created_at=stamp,
        )  # fmt: skip
        session.add(row)
        session.flush()
        settlement_id = row.id
        session.add_all(
            SettlementLine(settlement_id=row.id, invoice_id=d.invoice_id, amount=d.amount) for d in payment.deductions
        )
    holds = [*payment.released, *((payment.hold,) if payment.hold is not None else ())]
    BulkWriter(session).insert(  # through the driver: a run pays about a hundred lines per vendor
        table_of(PaymentRunLine),
        RUN_LINE_COLUMNS,
        [
            *(
                (run_id, vendor_id, ln.vendor_invoice_id, ln.line_id, None, None, None, ln.amount)
                for ln in payment.lines
            ),
            *((run_id, vendor_id, None, None, d.invoice_id, settlement_id, None, d.amount) for d in payment.deductions),
            *((run_id, vendor_id, None, None, None, None, h.provision_id, h.amount) for h in holds),
        ],
    )
    session.add(
        PaymentRunVendor(
            run_id=run_id, vendor_id=vendor_id, gross=payment.gross, deductions=payment.deducted,
            provision=payment.held, net=payment.net, entry_id=entry_id,
        )
    )  # fmt: skip
    session.flush()
    return entry_id


def _view(
    session: Session, vendor_id: int, payment: VendorPayment, run_id: int | None = None, entry_id: int | None = None
) -> VendorRun:
    code, name = session.execute(select(Vendor.code, Vendor.name).where(Vendor.id == vendor_id)).one()
    return VendorRun(vendor_id, code, name, payment, run_id, entry_id)
