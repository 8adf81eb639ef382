"""What the Estimated Rebates screen reads (SPEC §8, §12): its rows, each with the key of its
ladder (or provisional rate) for the drill-down, and the receipt lines of one ladder. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, type_coerce

from app.models import LineAccrual, Product, Vendor

from .context import UnitOfWork
from .estimated import EstimatedRow, ladder_estimates, lump_sum_estimates
from .security import Permission, require


@dataclass(frozen=True)
class EstimatedLadder:
    """One row of the estimated rebate report with the key of its ladder (for drill-down)."""

    ladder_key: str
    row: EstimatedRow


def estimated_ladders(
    uow: UnitOfWork,
    as_of: date | None = None,
    vendor: str | None = None,
    date_from: date | None = None,
    kind: str | None = None,
) -> list[EstimatedLadder]:
    """The rows of `estimated.estimated_rebates`, each with its ladder key; optionally one kind."""
    require(uow, Permission.REPORTS)
    session = uow.session
    as_of = as_of or date.today()
    query = select(Vendor).order_by(Vendor.code)
    if vendor:
        query = query.where(Vendor.code == vendor)
    from .estimated_provisional import provisional_rows

    vendors = list(session.scalars(query))
    one = vendors[0].id if vendor and vendors else None
    lump_sums = lump_sum_estimates(session, as_of, date_from, one)
    provisional = provisional_rows(session, as_of, date_from, one)  # one read for every vendor
    out: list[EstimatedLadder] = []
    for v in vendors:
        out.extend(EstimatedLadder(ladder.key, row) for ladder, row in ladder_estimates(session, v, as_of, date_from))
        out.extend(EstimatedLadder(key, row) for key, row in provisional.get(v.id, ()))
        out.extend(EstimatedLadder("", row) for row in lump_sums.get(v.id, ()))  # "": no ladder to drill into
    return [e for e in out if kind is None or e.row.kind == kind]


@dataclass(frozen=True)
class LadderLine:
    """A receipt line as it accrued on a ladder (line_accrual)."""

    slip_no: str
    line_no: int
    received: date
    product: str
    period_key: str
    amount: Decimal
    volume_after: Decimal
    tier: int
    rebate: Decimal
    retro: Decimal
    applied_to_cost: Decimal


def ladder_lines(
    uow: UnitOfWork,
    ladder_key: str,
    as_of: date | None = None,
    date_from: date | None = None,
    vendor: str | None = None,
) -> list[LadderLine]:
    """The receipt lines that accrued on a ladder, in posting order (received, slip, line); of
    one vendor's (a provisional rate's key is the same for every vendor)."""
    require(uow, Permission.REPORTS)
    t = LineAccrual
    order = (t.received_date, t.slip_no, t.line_no)
    # The volume after each line: the running sum of its bucket's amounts in posting order,
    # over the whole ladder (lines before date_from count), as the engine accrued it.
    running = func.sum(t.amount).over(partition_by=t.period_key, order_by=order)
    lines = (
        select(t.slip_no, t.line_no, t.received_date, t.product_id, t.period_key, t.amount,
               type_coerce(running, t.amount.type).label("volume_after"), t.tier, t.rebate, t.retro, t.inventory)
        .where(t.ladder_key == ladder_key)
    )  # fmt: skip
    if vendor is not None:
        lines = lines.where(t.vendor_id == select(Vendor.id).where(Vendor.code == vendor).scalar_subquery())
    if as_of is not None:
        lines = lines.where(t.received_date <= as_of)
    sub = lines.subquery()
    query = (
        select(sub.c.slip_no, sub.c.line_no, sub.c.received_date, Product.code, sub.c.period_key, sub.c.amount,
               sub.c.volume_after, sub.c.tier, sub.c.rebate, sub.c.retro, sub.c.inventory)
        .join(Product, Product.id == sub.c.product_id)
        .order_by(sub.c.received_date, sub.c.slip_no, sub.c.line_no)
    )  # fmt: skip
    if date_from is not None:
        query = query.where(sub.c.received_date >= date_from)
    return [LadderLine(*row) for row in uow.session.execute(query)]
