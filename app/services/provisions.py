"""Provisions for receivables (SPEC §15, example O), the daily run: for each vendor whose
receivable exceeds its payable on the day, a provision of the difference is placed, named
`YYMMDD_PROVISION_FOR_RECEIVABLES` by that day. When the difference changes on a later day the
active provision is reversed (its name with an `R`, dated the day) and a new one placed; when
it is gone, the provision is reversed. Running the same day again changes nothing.

A provision is a hold on payments (the payment run holds back the active one), not a journal
entry: it has no invoice and cannot be disputed. A reversal row carries the reversed amount
negative, so that a vendor's provisions dated up to a day add up to its active one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.adapters.accruals import lock_vendors
from app.adapters.db import transaction_time
from app.domain.balances import provision_name, provision_step, reversal_name
from app.domain.vocabulary import Permission
from app.models import Provision, Vendor

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .provision_reads import active_provisions
from .security import require
from .vendor_balances import vendor_balances


@dataclass(frozen=True)
class ProvisionEvent:
    """A provision placed, or the reversal of one (amount negative), by the run."""

    name: str
    vendor_code: str
    event_date: date
    amount: Decimal
    reversal: bool


def run_provisions(uow: UnitOfWork, on: date | None, commit: bool = True) -> list[ProvisionEvent]:
    """Recalculate every vendor's provision for `on`: the reversals and placements made, by
    vendor code (a vendor's reversal before its new provision)."""
    require(uow, Permission.PAYABLES)
    if on is None:
        raise ValidationFailed([Problem("provisions", "date", "is required")])
    session = uow.session
    vendors: dict[int, str] = {vid: code for vid, code in session.execute(select(Vendor.id, Vendor.code))}
    lock_vendors(session, vendors)  # two runs of one day, or a run and a posting, one after the other
    session.expire_all()
    latest = session.scalar(select(func.max(Provision.event_date)))
    if latest is not None and on < latest:  # a day's run reads the provisions in force: forward only
        raise ValidationFailed(
            [
                Problem(
                    "provisions", "date", f"{on.isoformat()} is before the latest provision run ({latest.isoformat()})"
                )
            ]
        )
    active = active_provisions(session, on)
    excess = {b.vendor_id: b.excess for b in vendor_balances(session, on) if b.debit_balance}
    stamp = transaction_time(session.connection())
    events: list[ProvisionEvent] = []
    for vid in sorted(set(active) | set(excess), key=lambda v: vendors[v]):
        held = active.get(vid)
        step = provision_step(held.amount if held is not None else None, excess.get(vid, Decimal("0")))
        if step.reverse and held is not None:
            name = reversal_name(held.name)
            session.add(
                Provision(name=name, vendor_id=vid, event_date=on, amount=-held.amount, reverses_id=held.id,
                          created_by=uow.user, created_at=stamp)
            )  # fmt: skip
            events.append(ProvisionEvent(name, vendors[vid], on, -held.amount, True))
        if step.place is not None:
            name = provision_name(on)
            session.add(
                Provision(name=name, vendor_id=vid, event_date=on, amount=step.place, reverses_id=None,
                          created_by=uow.user, created_at=stamp)
            )  # fmt: skip
            events.append(ProvisionEvent(name, vendors[vid], on, step.place, False))
        session.flush()
    if commit:
        uow.commit()
    return events


@dataclass(frozen=True)
class ProvisionView:
    """A provision or reversal as the Provisions screen and the drill-down list them."""

    name: str
    vendor_code: str
    event_date: date
    amount: Decimal
    reversal: bool
    created_by: str


def provision_list(uow: UnitOfWork, on: date | None = None, vendor_id: int | None = None) -> list[ProvisionView]:
    """Provisions and reversals (dated `on` when given; of one vendor when given), by date."""
    require(uow, Permission.REPORTS)
    p = Provision
    query = select(p.name, Vendor.code, p.event_date, p.amount, p.reverses_id, p.created_by).join(
        Vendor, Vendor.id == p.vendor_id
    )
    if on is not None:
        query = query.where(p.event_date == on)
    if vendor_id is not None:
        query = query.where(p.vendor_id == vendor_id)
    rows = uow.session.execute(query.order_by(p.event_date, Vendor.code, p.id))
    return [ProvisionView(n, c, d, a, r is not None, u) for n, c, d, a, r, u in rows]
