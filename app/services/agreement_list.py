"""The agreements of every vendor in one list (issue 14: the Agreements overview), and the
renewal of an agreement for the next period (`copy_to_next_period`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select

from app.domain.vocabulary import PENDING
from app.models import Agreement, AgreementHistory, AgreementLine, Vendor

from .agreement_views import AgreementView, load_agreement
from .context import UnitOfWork
from .errors import NotFound
from .security import Permission, require


@dataclass(frozen=True)
class OverviewRow:
    id: int
    vendor: str
    vendor_name: str
    kind: str
    number: str
    status: str
    start: date | None  # the header's dates, else the span of the lines
    end: date | None
    description: str
    lines: int
    decided_by: str | None  # who accepted or rejected it
    decided_at: datetime | None
    updated_by: str
    updated_at: datetime


def agreements_overview(
    uow: UnitOfWork,
    *,
    vendor: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    text: str | None = None,
    on: date | None = None,
) -> list[OverviewRow]:
    """Every agreement (by vendor code, kind, number), filtered by vendor, kind, status, a text in
    the number or description, and a day its dates contain."""
    a, line = Agreement, AgreementLine
    span = (
        select(line.agreement_id, func.min(line.start_date).label("lo"), func.max(line.end_date).label("hi"),
               func.count().label("n"))
        .group_by(line.agreement_id)
        .subquery()
    )  # fmt: skip
    start = func.coalesce(a.start_date, span.c.lo)
    end = func.coalesce(a.end_date, span.c.hi)
    query = (
        select(a.id, Vendor.code, Vendor.name, a.kind, a.number, a.status, start, end, a.description,
               func.coalesce(span.c.n, 0), a.decided_by, a.decided_at, a.updated_by, a.updated_at)
        .join(Vendor, Vendor.id == a.vendor_id)
        .outerjoin(span, span.c.agreement_id == a.id)
        .order_by(Vendor.code, a.kind, a.number)
    )  # fmt: skip
    if vendor:
        query = query.where(Vendor.code == vendor)
    if kind:
        query = query.where(a.kind == kind)
    if status:
        query = query.where(a.status == status)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(func.lower(a.number).like(pattern) | func.lower(a.description).like(pattern))
    if on:
        query = query.where(start <= on, end >= on)
    return [OverviewRow(*row) for row in uow.session.execute(query)]


def next_year(day: date) -> date:
    """The same day a year later (29 February: the 28th)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def copy_to_next_period(uow: UnitOfWork, agreement_id: int, *, today: date | None = None) -> AgreementView:
    """A new PENDING agreement of the same vendor and kind with the same lines and header, every
    date a year later; its history says which agreement it renews. One transaction."""
    from .agreement_header import AgreementHeader
    from .agreements import save_agreement

    require(uow, Permission.AGREEMENTS)
    session = uow.session
    source = session.get(Agreement, agreement_id)
    if source is None:
        raise NotFound(f"Agreement {agreement_id} does not exist")
    view = load_agreement(uow, agreement_id)
    lines = [
        replace(ln, line_no=None, start=next_year(ln.start) if ln.start else None,
                end=next_year(ln.end) if ln.end else None)
        for ln in view.lines
    ]  # fmt: skip
    header = AgreementHeader(  # its own terms, not the template's: what the vendor signed renews
        source.description, source.vendor_ref, next_year(source.start_date) if source.start_date else None,
        next_year(source.end_date) if source.end_date else None, source.terms,
    )  # fmt: skip
    lump_sum = None
    if view.lump_sum is not None:  # a lump sum's terms are its amount, dates and M (it has no lines)
        terms = view.lump_sum
        lump_sum = replace(terms, start=next_year(terms.start) if terms.start else None,
                           end=next_year(terms.end) if terms.end else None)  # fmt: skip
    copied = save_agreement(
        uow, vendor=view.vendor, kind=view.kind, status=PENDING, lines=lines, today=today, commit=False,
        header=header, lump_sum=lump_sum,
    )  # fmt: skip
    target = session.get(Agreement, copied.id)
    assert target is not None
    target.amount, target.method = source.amount, source.method
    target.actuals_required = source.actuals_required
    session.add(
        AgreementHistory(
            agreement_id=copied.id, line_no=None, field="Agreement", old_value=None,
            new_value=f"renews agreement {source.number} for the next period", user=uow.user,
            at=target.updated_at,
        )
    )  # fmt: skip
    session.flush()
    view = load_agreement(uow, copied.id)
    uow.commit()
    return view
