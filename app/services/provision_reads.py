"""Reads of provisions for receivables (SPEC §15) that the payment run and the provision
screens share: the vendor's active provision on a day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.models import Provision


def active_provision(session: Session, vendor_id: int, on: date) -> Provision | None:
    """The vendor's provision in force on the day: the latest provision placed (reverses_id
    NULL) dated on or before it that no reversal dated on or before it cancels; None without."""
    reversal = aliased(Provision)
    cancelled = select(reversal.id).where(reversal.reverses_id == Provision.id, reversal.event_date <= on).exists()
    return session.scalars(
        select(Provision)
        .where(
            Provision.vendor_id == vendor_id,
            Provision.reverses_id.is_(None),
            Provision.event_date <= on,
            ~cancelled,
        )
        .order_by(Provision.event_date.desc(), Provision.id.desc())
        .limit(1)
    ).first()


def active_provisions(session: Session, on: date) -> dict[int, Provision]:
    """The provision in force on the day of every vendor that has one, by vendor id (as
    active_provision, for all vendors at once: the balances screen and the daily run)."""
    reversal = aliased(Provision)
    cancelled = select(reversal.id).where(reversal.reverses_id == Provision.id, reversal.event_date <= on).exists()
    rows = session.scalars(
        select(Provision)
        .where(Provision.reverses_id.is_(None), Provision.event_date <= on, ~cancelled)
        .order_by(Provision.event_date, Provision.id)
    )
    return {row.vendor_id: row for row in rows}  # the latest of a vendor wins
