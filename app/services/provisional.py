"""Provisional rates and waivers (SPEC §12): the use cases that read and change the company's
table, and the table as the engine applies it.

A change to the table changes the desired state (§6.3): the vendors it concerns are re-rated in
the same transaction (every vendor with posted receipts for a rate, the vendor for a waiver),
so that what is posted follows the table with no further action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain.provisional import (
    ProvisionalRate as Rate,
)
from app.domain.provisional import (
    ProvisionalTable,
    rate_problems,
    waiver_problems,
)
from app.domain.provisional import (
    Waiver as WaiverTerm,
)
from app.domain.validation import Problem
from app.domain.vocabulary import ALL, POSTED, is_all
from app.models import Category, ProvisionalRate, ReceivingSlip, Vendor, Waiver

from .context import UnitOfWork
from .errors import NotFound, ValidationFailed
from .record_checks import missing_code
from .security import Permission, require


def provisional_table(session: Session) -> ProvisionalTable:
    """The provisional rates and waivers as the engine applies them (two small reads)."""
    rates = [
        Rate(r.kind, r.from_date, r.to_date, r.cat1, r.rate)
        for r in session.scalars(select(ProvisionalRate).order_by(ProvisionalRate.id))
    ]
    if not rates:
        return ProvisionalTable()
    waivers = [WaiverTerm(w.vendor_id, w.kind, w.from_date, w.to_date) for w in session.scalars(select(Waiver))]
    return ProvisionalTable(rates, waivers)


@dataclass(frozen=True)
class RateIn:
    kind: str
    from_date: date
    to_date: date
    cat1: str  # a CAT1 code, or ALL (blank means ALL)
    rate: Decimal
    label: str = "Provisional rate"


@dataclass(frozen=True)
class RateView:
    id: int
    kind: str
    from_date: date
    to_date: date
    cat1: str
    rate: Decimal


@dataclass(frozen=True)
class WaiverIn:
    vendor: str  # code
    kind: str
    from_date: date
    to_date: date
    label: str = "Waiver"


@dataclass(frozen=True)
class WaiverView:
    id: int
    vendor: str
    vendor_name: str
    kind: str
    from_date: date
    to_date: date


def list_rates(uow: UnitOfWork) -> list[RateView]:
    rows = uow.session.scalars(
        select(ProvisionalRate).order_by(ProvisionalRate.kind, ProvisionalRate.cat1, ProvisionalRate.from_date)
    )
    return [RateView(r.id, r.kind, r.from_date, r.to_date, r.cat1, r.rate) for r in rows]


def list_waivers(uow: UnitOfWork) -> list[WaiverView]:
    rows = uow.session.execute(
        select(Waiver, Vendor.code, Vendor.name)
        .join(Vendor, Vendor.id == Waiver.vendor_id)
        .order_by(Vendor.code, Waiver.kind, Waiver.from_date)
    )
    return [WaiverView(w.id, code, name, w.kind, w.from_date, w.to_date) for w, code, name in rows]


def check_rates(uow: UnitOfWork, records: Sequence[RateIn]) -> tuple[list[Problem], list[Rate]]:
    """Why the rates may not be added (see save_rates), and the rates not stored yet. Reads only."""
    session = uow.session
    stored = [Rate(r.kind, r.from_date, r.to_date, r.cat1, r.rate) for r in session.scalars(select(ProvisionalRate))]
    majors = set(session.scalars(select(Category.code).where(Category.level == 1)))
    problems: list[Problem] = []
    added: list[Rate] = []
    for record in records:
        rate = Rate(record.kind.upper(), record.from_date, record.to_date, _cat1(record.cat1), record.rate)
        if rate in stored or rate in added:
            continue
        if rate.cat1 != ALL and rate.cat1 not in majors:
            problems.append(Problem(record.label, "cat1", f"no CAT1 category {rate.cat1}"))
        problems.extend(rate_problems(record.label, rate, [*stored, *added]))
        added.append(rate)
    return problems, added


def save_rates(uow: UnitOfWork, records: Sequence[RateIn], *, today: date | None = None) -> int:
    """Add provisional rates (all or nothing); a rate identical to a stored one is already there.
    Refused, naming the record and field: a kind without provisional rates, dates out of order,
    a rate outside 0–100 or with more than 4 decimals, a CAT1 code that does not exist, dates
    overlapping another rate of the same kind and CAT1 (stored or in the same records).
    Returns the number of rates added; the vendors with posted receipts are re-rated."""
    require(uow, Permission.PROVISIONAL)
    session = uow.session
    problems, added = check_rates(uow, records)
    if problems:
        raise ValidationFailed(problems)
    session.add_all(
        ProvisionalRate(kind=r.kind, from_date=r.start, to_date=r.end, cat1=r.cat1, rate=r.rate) for r in added
    )
    session.flush()
    if added:
        _rerate(uow, _posting_vendors(session), today)
    uow.commit()
    return len(added)


def delete_rate(uow: UnitOfWork, rate_id: int, *, today: date | None = None) -> None:
    """Remove a provisional rate; what it accrued is re-rated away (SPEC §6.3)."""
    require(uow, Permission.PROVISIONAL)
    session = uow.session
    if session.get(ProvisionalRate, rate_id) is None:
        raise NotFound(f"Provisional rate {rate_id} does not exist")
    session.execute(delete(ProvisionalRate).where(ProvisionalRate.id == rate_id))
    _rerate(uow, _posting_vendors(session), today)
    uow.commit()


def check_waivers(
    uow: UnitOfWork, records: Sequence[WaiverIn]
) -> tuple[list[Problem], list[tuple[int, str, date, date]]]:
    """Why the waivers may not be added (see save_waivers), and those not stored yet. Reads only."""
    session = uow.session
    vendors: dict[str, int] = {code: vid for code, vid in session.execute(select(Vendor.code, Vendor.id))}
    stored = {(w.vendor_id, w.kind, w.from_date, w.to_date) for w in session.scalars(select(Waiver))}
    problems: list[Problem] = []
    added: dict[tuple[int, str, date, date], None] = {}
    for record in records:
        vendor_id = vendors.get(record.vendor)
        if vendor_id is None:
            problems.append(
                Problem(record.label, "vendor_code", missing_code(uow.session, "vendor", Vendor.code, record.vendor))
            )
            continue
        term = WaiverTerm(vendor_id, record.kind.upper(), record.from_date, record.to_date)
        problems.extend(waiver_problems(record.label, term))
        key = (term.vendor_id, term.kind, term.start, term.end)
        if key not in stored:
            added[key] = None
    return problems, list(added)


def save_waivers(uow: UnitOfWork, records: Sequence[WaiverIn], *, today: date | None = None) -> int:
    """Add waivers (all or nothing); one identical to a stored waiver is already there.
    Refused, naming the record and field: an unknown vendor, a kind without provisional
    rates, dates out of order. The vendors waived are re-rated."""
    require(uow, Permission.PROVISIONAL)
    session = uow.session
    problems, added = check_waivers(uow, records)
    if problems:
        raise ValidationFailed(problems)
    session.add_all(Waiver(vendor_id=v, kind=k, from_date=f, to_date=t) for v, k, f, t in added)
    session.flush()
    _rerate(uow, {v for v, _k, _f, _t in added}, today)
    uow.commit()
    return len(added)


def delete_waiver(uow: UnitOfWork, waiver_id: int, *, today: date | None = None) -> None:
    require(uow, Permission.PROVISIONAL)
    session = uow.session
    waiver = session.get(Waiver, waiver_id)
    if waiver is None:
        raise NotFound(f"Waiver {waiver_id} does not exist")
    vendor_id = waiver.vendor_id
    session.execute(delete(Waiver).where(Waiver.id == waiver_id))
    _rerate(uow, {vendor_id}, today)
    uow.commit()


def _cat1(value: str) -> str:
    return ALL if is_all(value) else value


def _posting_vendors(session: Session) -> set[int]:
    return set(session.scalars(select(ReceivingSlip.vendor_id).where(ReceivingSlip.status == POSTED).distinct()))


def _rerate(uow: UnitOfWork, vendor_ids: set[int], today: date | None) -> None:
    """The table changed: the vendors' posted lines follow it, in this transaction."""
    from .posting import check_gl_roles, rerate_vendors

    if vendor_ids:
        check_gl_roles(uow.session)
        rerate_vendors(uow, vendor_ids, today=today)
