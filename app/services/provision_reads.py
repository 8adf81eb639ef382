"""Reads of provisions for receivables (SPEC §15): the provision a vendor has active on a day.
A provision is a hold on payments, not a journal entry; the payment run holds it back and the
daily run (app.services.provisions) places and reverses them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from app.models import Provision


def active_provision(session: Session, vendor_id: int, on: date) -> Provision | None:
    """The latest placed provision of the vendor dated on or before `on` that no reversal dated
    on or before `on` cancels; None when there is none."""
    reversal = aliased(Provision)
    return session.scalar(
        select(Provision)
        .where(
            Provision.vendor_id == vendor_id,
            Provision.reverses_id.is_(None),
            Provision.event_date <= on,
            ~exists().where(and_(reversal.reverses_id == Provision.id, reversal.event_date <= on)),
        )
        .order_by(Provision.event_date.desc(), Provision.id.desc())
        .limit(1)
    )


def active_provisions(session: Session, on: date) -> dict[int, Provision]:
    """The active provision of every vendor that has one on `on`, by vendor id."""
    reversal = aliased(Provision)
    rows = session.scalars(
        select(Provision)
        .where(
            Provision.reverses_id.is_(None),
            Provision.event_date <= on,
            ~exists().where(and_(reversal.reverses_id == Provision.id, reversal.event_date <= on)),
        )
        .order_by(Provision.event_date, Provision.id)
    )
    return {row.vendor_id: row for row in rows}  # the latest of a vendor wins
