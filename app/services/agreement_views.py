"""Agreements as the screens read them: the list of a vendor's agreements, one agreement
with its lines in screen order, the History tab, and how a line's values read there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import func, select

from app.adapters.reads import typed_rows
from app.domain.ladder import scope_cats as domain_scope_cats
from app.domain.lump_sum import LumpSum
from app.domain.rates import line_result, result_percent
from app.domain.validation import LineDraft
from app.domain.vocabulary import LUMP_SUM
from app.models import Agreement, AgreementHistory, AgreementLine, Product, Vendor

from .context import UnitOfWork
from .errors import NotFound

LINE_FIELDS = (
    ("CAT1", "cat1"), ("CAT2", "cat2"), ("CAT3", "cat3"), ("CAT4", "cat4"),
    ("Product", "product"), ("Maximum Amount", "max_amount"),
    ("Start Date", "start"), ("End Date", "end"),
    ("Rebate 1", "rebate1"), ("Rebate 2", "rebate2"), ("Rebate 3", "rebate3"), ("Rebate 4", "rebate4"),
    ("M", "method"), ("Deg", "degressive"), ("Retro", "retro"),
    ("Product %", "product_pct"), ("Period", "period"),
)  # fmt: skip


# A stored line as read for the screen: typed values (Decimal, date, bool) in STORED order;
# product is the product's code (None on a group line). Plain tuples: an agreement can have
# thousands of lines, and the screen needs no LineDraft to show them.
STORED = ("line_no", "cat1", "cat2", "cat3", "cat4", "max_amount", "start", "end",
          "rebate1", "rebate2", "rebate3", "rebate4", "method", "degressive", "retro", "product_pct", "period",
          "product")  # fmt: skip
StoredLine = tuple[Any, ...]
# The grid row of a stored line: "line_no" and the History / screen field names (LINE_FIELDS).
GRID_NAMES = ("line_no", *(name for name, _attr in LINE_FIELDS))


@dataclass(frozen=True)
class AgreementView:
    id: int
    vendor: str
    vendor_name: str
    kind: str
    number: str
    status: str
    version: int
    updated_by: str
    updated_at: datetime
    stored: tuple[StoredLine, ...]  # in screen order (see _stored_lines)
    lump_sum: LumpSum | None = None  # a LUMP_SUM agreement's terms (it has no lines)
    # The header (issue 14) and the decision (SPEC §11.1).
    description: str = ""
    vendor_ref: str = ""
    start: date | None = None
    end: date | None = None
    terms: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None
    actuals_required: bool = False  # SPEC §13

    @cached_property
    def lines(self) -> tuple[LineDraft, ...]:
        """The stored lines as drafts, in screen order (made when first asked for)."""
        return tuple(_stored_draft(row) for row in self.stored)

    def grid_rows(self, product: bool) -> list[StoredLine]:
        """The group lines (product False) or the product lines as grid rows: values in
        GRID_NAMES order, the same values as line_values() of their drafts."""
        # STORED order: line_no, CAT1-4 at 1..4, the terms at 5..15, the period at 16 (blank: None), the product at 17.
        if product:
            return [(r[0], None, None, None, None, r[17], *r[5:16], r[16] or None) for r in self.stored if r[17]]
        return [
            (r[0], *scope_cats((r[1], r[2], r[3], r[4])), None, *r[5:16], r[16] or None)
            for r in self.stored
            if not r[17]
        ]


@dataclass(frozen=True)
class AgreementSummary:
    id: int
    number: str
    status: str
    lines: int


@dataclass(frozen=True)
class HistoryRow:
    line_no: int | None
    field: str
    old_value: str | None
    new_value: str | None
    user: str
    at: datetime


def text(value: object) -> str | None:
    """How a value reads in the History tab."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# LineDraft.scope().cats of a group line without building a Scope: an agreement opens with
# thousands of lines over far fewer ladders.
scope_cats = lru_cache(maxsize=8192)(domain_scope_cats)


def line_values(line: LineDraft) -> dict[str, object]:
    cats = (None, None, None, None) if line.product else scope_cats(line.cats)
    values: dict[str, object] = {
        "CAT1": cats[0], "CAT2": cats[1], "CAT3": cats[2], "CAT4": cats[3],
        "Product": line.product or None,
        "Maximum Amount": line.max_amount, "Start Date": line.start, "End Date": line.end,
        "Rebate 1": line.rebates[0], "Rebate 2": line.rebates[1],
        "Rebate 3": line.rebates[2], "Rebate 4": line.rebates[3],
        "M": line.method, "Deg": line.degressive, "Retro": line.retro,
        "Product %": line.product_pct, "Period": line.period or None,
    }  # fmt: skip
    return values


def line_summary(line: LineDraft) -> str:
    scope = f"product {line.product}" if line.product else "/".join(line.scope().cats)
    rates = ", ".join(text(r) or "" for r in line.rebates if r is not None)
    return f"{scope} max {text(line.max_amount)} {text(line.start)}..{text(line.end)} rebates {rates}"


def result_of(line: LineDraft) -> Decimal:
    """Result shown in the grid: percent, 3 decimals, half-up (SPEC §4.1)."""
    return result_percent(line_result(line.rebates, line.degressive))


def _vendor(uow: UnitOfWork, code: str) -> Vendor:
    vendor = uow.session.scalar(select(Vendor).where(Vendor.code == code))
    if vendor is None:
        raise NotFound(f"Vendor {code} does not exist")
    return vendor


def list_agreements(uow: UnitOfWork, vendor: str, kind: str) -> list[AgreementSummary]:
    """A vendor's agreements of a kind, with their number of lines (Core selects: the
    agreement screen asks each time it opens)."""
    v, a, line = Vendor.__table__.c, Agreement.__table__.c, AgreementLine.__table__.c
    vendor_id = uow.session.scalar(select(v.id).where(v.code == vendor))
    if vendor_id is None:
        raise NotFound(f"Vendor {vendor} does not exist")
    rows = uow.session.execute(
        select(a.id, a.number, a.status, func.count(line.id))
        .select_from(Agreement.__table__.outerjoin(AgreementLine.__table__, line.agreement_id == a.id))
        .where(a.vendor_id == vendor_id, a.kind == kind)
        .group_by(a.id, a.number, a.status)
        .order_by(a.id)
    )
    return [AgreementSummary(i, n, s, c) for i, n, s, c in rows]


def _line_columns() -> tuple[Any, ...]:
    """The agreement_line columns a LineDraft needs (Core columns: no ORM objects are made
    for the lines of an agreement being opened; there can be thousands)."""
    c = AgreementLine.__table__.c
    return (
        c.line_no,
        c.cat1,
        c.cat2,
        c.cat3,
        c.cat4,
        c.max_amount,
        c.start_date,
        c.end_date,
        c.rebate1,
        c.rebate2,
        c.rebate3,
        c.rebate4,
        c.method,
        c.degressive,
        c.retro,
        c.product_pct,
        c.period,
    )


def _stored_lines(uow: UnitOfWork, agreement_id: int) -> tuple[StoredLine, ...]:
    """The stored lines of an agreement (STORED tuples), in screen order: group lines first
    (by CAT1–CAT4, ALL for a blank level), then product lines by product; then by dates and
    Maximum Amount.

    One Core select of the drivers' values, each column converted once per distinct value
    (app.adapters.reads): no ORM objects, no per-cell conversion for thousands of lines."""
    table, products = AgreementLine.__table__, Product.__table__
    rows = typed_rows(
        uow.session,
        (*_line_columns(), products.c.code),
        table.outerjoin(products, products.c.id == table.c.product_id),
        table.c.agreement_id == agreement_id,
    )
    rows.sort(key=_screen_order)
    return tuple(rows)


def _screen_order(row: StoredLine) -> tuple[Any, ...]:
    start, end, max_amount = row[6] or date.min, row[7] or date.min, row[5] or _ZERO
    if row[17]:
        return (1, row[17], (), start, end, max_amount)
    return (0, "", scope_cats((row[1], row[2], row[3], row[4])), start, end, max_amount)


def _stored_draft(row: StoredLine) -> LineDraft:
    (
        line_no,
        cat1,
        cat2,
        cat3,
        cat4,
        max_amount,
        start,
        end,
        rebate1,
        rebate2,
        rebate3,
        rebate4,
        method,
        degressive,
        retro,
        product_pct,
        period,
        product_code,
    ) = row
    return LineDraft(
        label=f"Line {line_no}", line_no=line_no, product=product_code,
        cats=(None, None, None, None) if product_code else (cat1, cat2, cat3, cat4),
        max_amount=max_amount, start=start, end=end, rebates=(rebate1, rebate2, rebate3, rebate4),
        method=method, degressive=degressive, retro=retro, product_pct=product_pct, period=period,
    )  # fmt: skip


_ZERO = Decimal(0)


def load_agreement(uow: UnitOfWork, agreement_id: int) -> AgreementView:
    a, v = Agreement.__table__.c, Vendor.__table__.c
    row = uow.session.execute(
        select(a.id, v.code, v.name, a.kind, a.number, a.status, a.version, a.updated_by, a.updated_at)
        .add_columns(a.description, a.vendor_ref, a.start_date, a.end_date, a.terms, a.decided_by, a.decided_at)
        .add_columns(a.amount, a.method, a.actuals_required)
        .join_from(Agreement.__table__, Vendor.__table__, v.id == a.vendor_id)
        .where(a.id == agreement_id)
    ).first()
    if row is None:
        raise NotFound(f"Agreement {agreement_id} does not exist")
    ident, code, name, kind, number, status, version, updated_by, updated_at = row[:9]
    description, vendor_ref, start, end, terms, decided_by, decided_at, amount, method, actuals_required = row[9:]
    lump_sum = LumpSum(amount, start, end, method) if kind == LUMP_SUM else None
    return AgreementView(
        ident,
        code,
        name,
        kind,
        number,
        status,
        version,
        updated_by,
        updated_at,
        _stored_lines(uow, agreement_id),
        lump_sum,
        description=description or "",
        vendor_ref=vendor_ref or "",
        start=start,
        end=end,
        terms=terms or "",
        decided_by=decided_by,
        decided_at=decided_at,
        actuals_required=bool(actuals_required),
    )


def find_agreement(uow: UnitOfWork, vendor: str, kind: str, number: str | None) -> int | None:
    v = _vendor(uow, vendor)
    query = select(Agreement.id).where(Agreement.vendor_id == v.id, Agreement.kind == kind)
    if number:
        query = query.where(Agreement.number == number)
    return uow.session.scalar(query.order_by(Agreement.id).limit(1))


def history(
    uow: UnitOfWork, agreement_id: int, line_no: int | None = None, field: str | None = None
) -> list[HistoryRow]:
    """Newest first, optionally for one line and/or field."""
    h = AgreementHistory
    query = select(h.line_no, h.field, h.old_value, h.new_value, h.user, h.at).where(h.agreement_id == agreement_id)
    if line_no is not None:
        query = query.where(h.line_no == line_no)
    if field:
        query = query.where(h.field == field)
    rows = uow.session.execute(query.order_by(h.at.desc(), h.id.desc()))
    return [HistoryRow(*r) for r in rows]
