"""Agreement maintenance: create, amend, delete lines, status; history; optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import Dialect, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from app.adapters.bulk import by_distinct_value, rows_in
from app.domain.ladder import KINDS
from app.domain.ladder import scope_cats as domain_scope_cats
from app.domain.rates import line_result, result_percent
from app.domain.validation import (
    LineDraft,
    Lookups,
    OtherLadder,
    Problem,
    validate_agreement,
)
from app.models import Agreement, AgreementHistory, AgreementLine, Product, Vendor

from .context import UnitOfWork
from .errors import NotFound, StaleRecord, ValidationFailed
from .ladders import build_ladders
from .masterdata import category_map
from .security import Permission, require

KIND_NAMES = {"COOP": "Coop Advertising", "VOLUME": "Volume Rebate", "PERIODIC": "Periodic Rebate"}
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

    @cached_property
    def lines(self) -> tuple[LineDraft, ...]:
        """The stored lines as drafts, in screen order (made when first asked for)."""
        return tuple(_stored_draft(row) for row in self.stored)

    def grid_rows(self, product: bool) -> list[StoredLine]:
        """The group lines (product False) or the product lines as grid rows: values in
        GRID_NAMES order, the same values as line_values() of their drafts."""
        if product:
            return [(r[0], None, None, None, None, r[17], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15], r[16] or None)
                    for r in self.stored if r[17]]
        return [(r[0], *scope_cats((r[1], r[2], r[3], r[4])), None, r[5], r[6], r[7], r[8], r[9], r[10], r[11],
                 r[12], r[13], r[14], r[15], r[16] or None)
                for r in self.stored if not r[17]]


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


def now() -> datetime:
    return datetime.now(UTC)


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


def _to_draft(row: Any, product_code: str | None) -> LineDraft:
    return LineDraft(
        label=f"Line {row.line_no}",
        line_no=row.line_no,
        product=product_code,
        cats=(row.cat1, row.cat2, row.cat3, row.cat4) if product_code is None else (None,) * 4,  # type: ignore[arg-type]
        max_amount=row.max_amount,
        start=row.start_date,
        end=row.end_date,
        rebates=(row.rebate1, row.rebate2, row.rebate3, row.rebate4),
        method=row.method,
        degressive=row.degressive,
        retro=row.retro,
        product_pct=row.product_pct,
        period=row.period,
    )


def _vendor(uow: UnitOfWork, code: str) -> Vendor:
    vendor = uow.session.scalar(select(Vendor).where(Vendor.code == code))
    if vendor is None:
        raise NotFound(f"Vendor {code} does not exist")
    return vendor


def list_agreements(uow: UnitOfWork, vendor: str, kind: str) -> list[AgreementSummary]:
    v = _vendor(uow, vendor)
    rows = uow.session.execute(
        select(Agreement.id, Agreement.number, Agreement.status, func.count(AgreementLine.id))
        .outerjoin(AgreementLine)
        .where(Agreement.vendor_id == v.id, Agreement.kind == kind)
        .group_by(Agreement.id, Agreement.number, Agreement.status)
        .order_by(Agreement.id)
    )
    return [AgreementSummary(i, n, s, c) for i, n, s, c in rows]


def _line_columns() -> tuple[Any, ...]:
    """The agreement_line columns a LineDraft needs (Core columns: no ORM objects are made
    for the lines of an agreement being opened; there can be thousands)."""
    c = AgreementLine.__table__.c
    return (c.line_no, c.cat1, c.cat2, c.cat3, c.cat4, c.max_amount, c.start_date, c.end_date,
            c.rebate1, c.rebate2, c.rebate3, c.rebate4, c.method, c.degressive, c.retro, c.product_pct, c.period)


def _result_converter(column: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would do to a value the driver returned for `column`: the column
    type's own result conversion (None: the driver's value as it is)."""
    return column.type.dialect_impl(dialect).result_processor(dialect, None)  # type: ignore[no-any-return]


def _stored_lines(uow: UnitOfWork, agreement_id: int) -> tuple[StoredLine, ...]:
    """The stored lines of an agreement (STORED tuples), in screen order: group lines first
    (by CAT1–CAT4, ALL for a blank level), then product lines by product; then by dates and
    Maximum Amount.

    One Core select of the drivers' values; each column is converted by its type's own
    processor once per distinct value (an agreement of 5,000 lines has a few hundred
    distinct amounts, rates and dates), not once per cell."""
    table, products = AgreementLine.__table__, Product.__table__
    dialect = uow.session.get_bind().dialect
    columns = (*_line_columns(), products.c.code)
    converters = [_result_converter(c, dialect) for c in columns]
    stored = uow.session.execute(
        select(*(c if convert is None else type_coerce(c, NullType()) for c, convert in zip(columns, converters, strict=True)))
        .select_from(table.outerjoin(products, products.c.id == table.c.product_id))
        .where(table.c.agreement_id == agreement_id)
    ).all()
    rows = by_distinct_value(stored, [(i, convert) for i, convert in enumerate(converters) if convert is not None])
    rows.sort(key=_screen_order)
    return tuple(rows)


def _screen_order(row: StoredLine) -> tuple[Any, ...]:
    start, end, max_amount = row[6] or date.min, row[7] or date.min, row[5] or _ZERO
    if row[17]:
        return (1, row[17], (), start, end, max_amount)
    return (0, "", scope_cats((row[1], row[2], row[3], row[4])), start, end, max_amount)


def _stored_draft(row: StoredLine) -> LineDraft:
    (line_no, cat1, cat2, cat3, cat4, max_amount, start, end, rebate1, rebate2, rebate3, rebate4,
     method, degressive, retro, product_pct, period, product_code) = row
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
        .join_from(Agreement.__table__, Vendor.__table__, v.id == a.vendor_id)
        .where(a.id == agreement_id)
    ).first()
    if row is None:
        raise NotFound(f"Agreement {agreement_id} does not exist")
    return AgreementView(*row, _stored_lines(uow, agreement_id))


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


def _lookups(uow: UnitOfWork, vendor: Vendor, kind: str, agreement_id: int | None,
             lines: list[LineDraft]) -> Lookups:
    session = uow.session
    wanted = {ln.product for ln in lines if ln.product}
    products = {}
    if wanted:
        rows = rows_in(session, select(Product.code, Vendor.code, Product.cat1, Product.cat2, Product.cat3,
                                       Product.cat4).join(Vendor, Vendor.id == Product.vendor_id),
                       Product.code, sorted(wanted))
        products = {code: (vcode, (c1, c2, c3, c4)) for code, vcode, c1, c2, c3, c4 in rows}
    others = list(session.scalars(select(Agreement).where(
        Agreement.vendor_id == vendor.id, Agreement.kind == kind,
        Agreement.status == "ACCEPTED", Agreement.id != (agreement_id or -1))))
    other_ladders: list[OtherLadder] = []
    if others:
        olines = list(session.scalars(select(AgreementLine).where(
            AgreementLine.agreement_id.in_([a.id for a in others]))))
        pids = {ln.product_id for ln in olines if ln.product_id}
        codes = dict(rows_in(session, select(Product.id, Product.code), Product.id, sorted(pids)))
        for ladder in build_ladders(others, olines, codes):
            other_ladders.append(OtherLadder(ladder.agreement_no, ladder.scope.key, ladder.start, ladder.end))
    return Lookups(category_map(uow), products, other_ladders)


def _next_number(uow: UnitOfWork, vendor_id: int, kind: str) -> str:
    numbers = uow.session.scalars(
        select(Agreement.number).where(Agreement.vendor_id == vendor_id, Agreement.kind == kind)
    ).all()
    ints = [int(n) for n in numbers if n.isdigit()]
    return str(max(ints, default=0) + 1)


def _normalise(line: LineDraft) -> LineDraft:
    """Codes upper-cased where users type them; group lines get ALL for blank levels."""
    if line.product:
        return replace(line, cats=(None, None, None, None), method=(line.method or "").upper() or None,
                       period=(line.period or "").upper() or None)
    return replace(line, cats=scope_cats(tuple(line.cats)), method=(line.method or "").upper() or None,  # type: ignore[arg-type]
                   period=(line.period or "").upper() or None)


def _store(row: AgreementLine, line: LineDraft, product_ids: dict[str, int]) -> None:
    if line.product:
        row.product_id = product_ids[line.product]
        row.cat1 = row.cat2 = row.cat3 = row.cat4 = None
    else:
        row.product_id = None
        row.cat1, row.cat2, row.cat3, row.cat4 = line.cats
    assert line.max_amount is not None and line.start is not None and line.end is not None
    row.max_amount, row.start_date, row.end_date = line.max_amount, line.start, line.end
    row.rebate1, row.rebate2, row.rebate3, row.rebate4 = line.rebates
    row.method = line.method or "SC"
    row.degressive, row.retro = line.degressive, line.retro
    row.product_pct = line.product_pct if line.product_pct is not None else Decimal(0)
    row.period = line.period or None


def save_agreement(
    uow: UnitOfWork,
    *,
    vendor: str,
    kind: str,
    status: str,
    lines: list[LineDraft],
    agreement_id: int | None = None,
    number: str | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    commit: bool = True,
) -> AgreementView:
    """Create (agreement_id None) or amend an agreement with all its lines, all or nothing.

    Lines whose line_no is None are new; stored lines missing from `lines` are deleted.
    Amending an accepted agreement, or accepting one, re-rates the vendor (SPEC §6.3).
    """
    from .posting import rerate_vendors  # posting depends on agreements' ladders

    session = uow.session
    require(uow, Permission.AGREEMENTS)
    if kind not in KINDS:
        raise ValidationFailed([Problem("Agreement", "Kind", f"must be COOP, VOLUME or PERIODIC (got {kind})")])
    v = _vendor(uow, vendor)
    lines = [_normalise(ln) for ln in lines]
    row: Agreement | None = None
    if agreement_id is not None:
        row = session.get(Agreement, agreement_id)
        if row is None:
            raise NotFound(f"Agreement {agreement_id} does not exist")
    if status == "ACCEPTED" or (row is not None and row.status == "ACCEPTED"):
        require(uow, Permission.ACCEPT)
    problems = _agreement_problems(uow, v, kind, status, lines, row, number)
    if problems:
        raise ValidationFailed(problems)
    was_accepted = row is not None and row.status == "ACCEPTED"
    history = _History(uow.user, now())
    row, changed = _save_header(uow, v, kind, status, row, number, expected_version, history)
    changed = _save_lines(uow, row, lines, history) or changed
    history.write(session)
    session.expire(row, ["lines"])
    if changed and (was_accepted or status == "ACCEPTED"):  # the amendment's re-rate, in the same transaction
        rerate_vendors(uow, [v.id], today=today)
    view = load_agreement(uow, row.id)
    if commit:
        uow.commit()
    return view


class _History:
    """The history records of one save (SPEC §7), written at once."""

    def __init__(self, user: str, stamp: datetime) -> None:
        self.user, self.stamp = user, stamp
        self.rows: list[dict[str, object]] = []

    def note(self, agreement_id: int, line_no: int | None, field: str, old: object, new: object) -> None:
        self.rows.append({"agreement_id": agreement_id, "line_no": line_no, "field": field, "old_value": text(old),
                          "new_value": text(new), "user": self.user, "at": self.stamp})

    def write(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(AgreementHistory.__table__), self.rows)


def _agreement_problems(uow: UnitOfWork, v: Vendor, kind: str, status: str, lines: list[LineDraft],
                        row: Agreement | None, number: str | None) -> list[Problem]:
    """Every reason to refuse the save (SPEC §3.3), at once."""
    session = uow.session
    problems = validate_agreement(v.code, kind, status, lines,
                                  _lookups(uow, v, kind, row.id if row is not None else None, lines))
    if row is not None and row.status == "ACCEPTED" and status == "REJECTED":
        problems.append(Problem(f"Agreement {row.number}", "Status", "an accepted agreement cannot be rejected"))
    if number and len(number) > 20:
        problems.append(Problem(f"Agreement {number[:20]}…", "Number", "is too long (at most 20 characters)"))
    elif number and row is None and session.scalar(select(Agreement.id).where(
            Agreement.vendor_id == v.id, Agreement.kind == kind, Agreement.number == number)):
        problems.append(Problem(f"Agreement {number}", "Number", f"{v.code} already has {kind} agreement {number}"))
    if row is not None:
        stored = {ln.line_no for ln in row.lines}
        problems.extend(Problem(ln.label, "Line", f"line {ln.line_no} is not on this agreement")
                        for ln in lines if ln.line_no is not None and ln.line_no not in stored)
    return problems


def _save_header(uow: UnitOfWork, v: Vendor, kind: str, status: str, row: Agreement | None, number: str | None,
                 expected_version: int | None, history: _History) -> tuple[Agreement, bool]:
    """The agreement row created, or its version bumped (refused when another workstation
    saved it since expected_version) and its status set. (row, whether it changed)."""
    session = uow.session
    user, stamp = history.user, history.stamp
    if row is None:
        row = Agreement(vendor_id=v.id, kind=kind, number=number or _next_number(uow, v.id, kind),
                        status=status, version=1, next_line_no=1, updated_by=user, updated_at=stamp)
        session.add(row)
        session.flush()
        history.note(row.id, None, "Agreement", None, f"created {KIND_NAMES[kind]} {row.number}")
        history.note(row.id, None, "Status", None, status)
        return row, True
    if expected_version is not None:
        bumped = session.execute(
            update(Agreement).where(Agreement.id == row.id, Agreement.version == expected_version)
            .values(version=Agreement.version + 1, updated_by=user, updated_at=stamp)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(row)
        if bumped != 1:
            raise StaleRecord(f"Agreement {row.number} of {v.code}", row.updated_by,
                              row.updated_at.strftime("%Y-%m-%d %H:%M:%S"))
    else:
        row.version += 1
        row.updated_by, row.updated_at = user, stamp
    if row.status == status:
        return row, False
    history.note(row.id, None, "Status", row.status, status)
    row.status = status
    return row, True


def _save_lines(uow: UnitOfWork, row: Agreement, lines: list[LineDraft], history: _History) -> bool:
    """The agreement's lines made equal to `lines` (new ones numbered, missing ones deleted),
    each change noted; whether anything changed."""
    session = uow.session
    wanted = {ln.product for ln in lines if ln.product}
    product_ids = dict(rows_in(session, select(Product.code, Product.id), Product.code, sorted(wanted)))
    existing = {ln.line_no: ln for ln in session.scalars(
        select(AgreementLine).where(AgreementLine.agreement_id == row.id))}
    codes = {pid: code for code, pid in product_ids.items()}
    missing = {ln.product_id for ln in existing.values() if ln.product_id and ln.product_id not in codes}
    codes.update(rows_in(session, select(Product.id, Product.code), Product.id, sorted(missing)))
    changed = False
    inserts: list[dict[str, object]] = []
    for line in lines:
        if line.line_no is None:
            line_no = row.next_line_no
            row.next_line_no += 1
            new_row = AgreementLine(agreement_id=row.id, line_no=line_no)
            _store(new_row, line, product_ids)
            inserts.append({c.key: getattr(new_row, c.key) for c in AgreementLine.__table__.c if c.key != "id"})
            for name, value in line_values(line).items():
                if value is not None and value is not False:
                    history.note(row.id, line_no, name, None, value)
            changed = True
            continue
        old_row = existing.pop(line.line_no)
        old = line_values(_to_draft(old_row, codes.get(old_row.product_id or -1)))
        new = line_values(line)
        diffs = [(name, old[name], new[name]) for name in new if text(old[name]) != text(new[name])]
        if diffs:
            _store(old_row, line, product_ids)
            for name, o, n in diffs:
                history.note(row.id, line.line_no, name, o, n)
            changed = True
    for line_no, old_row in existing.items():  # not kept: deleted
        history.note(row.id, line_no, "Line", line_summary(_to_draft(old_row, codes.get(old_row.product_id or -1))),
                     "(deleted)")
        session.delete(old_row)
        changed = True
    session.flush()
    if inserts:
        session.execute(insert(AgreementLine.__table__), inserts)
    return changed


def set_status(uow: UnitOfWork, agreement_id: int, status: str, expected_version: int | None = None,
               today: date | None = None) -> AgreementView:
    view = load_agreement(uow, agreement_id)
    return save_agreement(uow, vendor=view.vendor, kind=view.kind, status=status, lines=list(view.lines),
                          agreement_id=agreement_id, expected_version=expected_version, today=today)


def delete_agreement(uow: UnitOfWork, agreement_id: int, expected_version: int | None = None) -> None:
    require(uow, Permission.AGREEMENTS)
    row = uow.session.get(Agreement, agreement_id)
    if row is None:
        raise NotFound(f"Agreement {agreement_id} does not exist")
    if row.status == "ACCEPTED":
        raise ValidationFailed([Problem(f"Agreement {row.number}", "Status",
                                        "an accepted agreement cannot be deleted; amend its lines instead")])
    if expected_version is not None and row.version != expected_version:
        raise StaleRecord(f"Agreement {row.number}", row.updated_by, row.updated_at.strftime("%Y-%m-%d %H:%M:%S"))
    uow.session.add(AgreementHistory(agreement_id=row.id, line_no=None, field="Agreement",
                                     old_value=f"{row.kind} {row.number}", new_value="(deleted)",
                                     user=uow.user, at=now()))
    uow.session.delete(row)
    uow.commit()
