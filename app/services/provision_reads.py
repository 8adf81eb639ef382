"""Reads of provisions for receivables (SPEC §15) that the payment run and the provision
screens share: the vendor's active provision on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.models import Provision


def active_provision(session: Session, vendor_id: int, on: date) -> Provision | None:
    """The vendor's provision in force on the day (active_provisions); None without."""
    return active_provisions(session, on, [vendor_id]).get(vendor_id)


def active_provisions(session: Session, on: date, vendor_ids: Iterable[int] | None = None) -> dict[int, Provision]:
    """The provision in force on the day of every vendor (of vendor_ids) that has one, by vendor
    id: the latest provision placed (reverses_id NULL) dated on or before the day that no
    reversal dated on or before it cancels."""
    reversal = aliased(Provision)
    cancelled = select(reversal.id).where(reversal.reverses_id == Provision.id, reversal.event_date <= on).exists()
    query = select(Provision).where(Provision.reverses_id.is_(None), Provision.event_date <= on, ~cancelled)
    if vendor_ids is not None:
        query = query.where(Provision.vendor_id.in_(sorted(set(vendor_ids))))
    rows = session.scalars(query.order_by(Provision.event_date, Provision.id))
    return {row.vendor_id: row for row in rows}  # the latest of a vendor wins
