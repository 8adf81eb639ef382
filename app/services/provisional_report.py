"""The provisional exposure report (SPEC §12): per vendor and kind, the receipt lines charged
at a provisional rate today, their amount, the provisional accrual, and the months they span.
Read from line_accrual (what is posted now: a line trued up to an agreement has left it).
Formats live in app/reports/provisional_pdf.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from app.domain.money import ZERO
from app.domain.provisional import PROVISIONAL
from app.domain.vocabulary import KIND_NAMES, PROVISIONAL_KINDS
from app.models import LineAccrual, Vendor

from .context import UnitOfWork
from .security import Permission, require

EXPOSURE_COLUMNS = (
    "vendor_code", "vendor_name", "kind", "lines", "receipts_amount", "provisional_amount",
    "first_month", "last_month", "months",
)  # fmt: skip
MONEY_COLUMNS = ("receipts_amount", "provisional_amount")
PROVISIONAL_KEYS = f'["{PROVISIONAL}"%'  # LIKE: the keys of provisional accruals (app.domain.provisional)


@dataclass(frozen=True)
class ExposureRow:
    vendor: str
    vendor_name: str
    kind: str
    lines: int
    receipts: Decimal  # the lines' amount
    provisional: Decimal  # what they accrue at the provisional rates
    first_month: str  # YYYY-MM
    last_month: str
    months: int  # calendar months with at least one such line

    def values(self) -> tuple[object, ...]:
        return (
            self.vendor, self.vendor_name, self.kind, self.lines, self.receipts, self.provisional,
            self.first_month, self.last_month, self.months,
        )  # fmt: skip


@dataclass(frozen=True)
class ExposureTotal:
    label: str
    lines: int | None  # None on the grand total: a line accrued under two kinds is in both kinds' rows
    receipts: Decimal | None
    provisional: Decimal
    vendors: int = 0  # the grand total's vendors


def exposure_totals(rows: Sequence[ExposureRow]) -> list[ExposureTotal]:
    """A total per provisional kind with rows, then the grand total (accruals only)."""
    out = []
    for kind in PROVISIONAL_KINDS:
        members = [r for r in rows if r.kind == kind]
        if members:
            out.append(
                ExposureTotal(f"Total {KIND_NAMES[kind]}", sum(r.lines for r in members),
                              sum((r.receipts for r in members), ZERO), sum((r.provisional for r in members), ZERO))
            )  # fmt: skip
    vendors = len({r.vendor for r in rows})
    grand = sum((r.provisional for r in rows), ZERO)
    out.append(ExposureTotal(f"Total ({vendors} vendor{'' if vendors == 1 else 's'})", None, None, grand, vendors))
    return out


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def provisional_exposure(uow: UnitOfWork, as_of: date | None = None, vendor: str | None = None) -> list[ExposureRow]:
    """Per vendor (by code) and kind: what is accrued at provisional rates for lines received by as_of."""
    require(uow, Permission.REPORTS)
    t = LineAccrual.__table__.c
    v = Vendor.__table__.c
    where: list[ColumnElement[bool]] = [t.ladder_key.like(PROVISIONAL_KEYS)]
    if as_of is not None:
        where.append(t.received_date <= as_of)
    if vendor:
        where.append(v.code == vendor)
    # One row per vendor, kind and received date: the months are counted here (a portable SQL
    # month needs a dialect function), the sums in SQL.
    rows = uow.session.execute(
        select(v.code, v.name, t.kind, t.received_date, func.count(), func.sum(t.amount), func.sum(t.rebate))
        .join(Vendor.__table__, v.id == t.vendor_id)
        .where(*where)
        .group_by(v.code, v.name, t.kind, t.received_date)
        .order_by(v.code, t.kind, t.received_date)
    ).all()
    out: list[ExposureRow] = []
    key: tuple[str, str] | None = None
    months: set[str] = set()
    for code, name, kind, day, count, amount, rebate in rows:
        month = _month(day)
        if (code, kind) != key:
            key, months = (code, kind), {month}
            out.append(ExposureRow(code, name, kind, count, amount, rebate, month, month, 1))
            continue
        months.add(month)
        last = out[-1]
        out[-1] = ExposureRow(
            code, name, kind, last.lines + count, last.receipts + amount, last.provisional + rebate,
            last.first_month, month, len(months),
        )  # fmt: skip
    return out
