"""Agreement maintenance: create, amend, delete lines, status; history; optimistic locking.

The read side (the views the screens show) is app.services.agreement_views; its names are
importable from here too, so that callers use one module for agreements. What makes a save
refused is checked in app.services.agreement_checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session

from app.adapters.bulk import rows_in, table_of
from app.domain.lifecycle import needs_accept_right
from app.domain.lump_sum import LumpSum, lump_sum_problems
from app.domain.money import ZERO
from app.domain.validation import LineDraft, Problem
from app.domain.vocabulary import (
    ACCEPTED,
    DEFAULT_METHOD,
    KIND_NAMES,
    KINDS,
    KINDS_TEXT,
    LADDER_KINDS,
    LUMP_SUM,
    REJECTED,
)
from app.models import Agreement, AgreementHistory, AgreementLine, Product, Vendor

from .agreement_checks import agreement_problems, normalise
from .agreement_header import (
    AgreementHeader,
    header_problems,
    stored_lump_sum,
    with_header_dates,
    write_decision,
    write_header,
    write_lump_sum,
)
from .agreement_views import (
    GRID_NAMES,
    LINE_FIELDS,
    STORED,
    AgreementSummary,
    AgreementView,
    HistoryRow,
    StoredLine,
    _vendor,
    find_agreement,
    history,
    line_summary,
    line_values,
    list_agreements,
    load_agreement,
    result_of,
    text,
)
from .context import UnitOfWork
from .errors import NotFound, StaleRecord, ValidationFailed
from .security import Permission, require

__all__ = [  # the read side, re-exported
    "GRID_NAMES", "LINE_FIELDS", "STORED", "AgreementSummary", "AgreementView", "HistoryRow", "LineDraft",
    "LumpSum", "StoredLine", "find_agreement", "history", "line_summary", "line_values", "list_agreements",
    "load_agreement", "result_of", "text",
    # the use cases
    "AgreementHeader", "decide", "delete_agreement", "save_agreement", "set_status",
]  # fmt: skip


def now() -> datetime:
    return datetime.now(UTC)


def _to_draft(row: Any, product_code: str | None) -> LineDraft:
    return LineDraft(
        label=f"Line {row.line_no}",
        line_no=row.line_no,
        product=product_code,
        cats=(row.cat1, row.cat2, row.cat3, row.cat4) if product_code is None else (None,) * 4,
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


def _next_number(uow: UnitOfWork, vendor_id: int, kind: str) -> str:
    numbers = uow.session.scalars(
        select(Agreement.number).where(Agreement.vendor_id == vendor_id, Agreement.kind == kind)
    ).all()
    ints = [int(n) for n in numbers if n.isdigit()]
    return str(max(ints, default=0) + 1)


def _store(row: AgreementLine, line: LineDraft, product_ids: dict[str, int]) -> None:
    if line.product:
        row.product_id = product_ids[line.product]
        row.cat1 = row.cat2 = row.cat3 = row.cat4 = None
    else:
        row.product_id = None
        row.cat1, row.cat2, row.cat3, row.cat4 = line.cats
    assert line.start is not None and line.end is not None
    # A PRICE_PROTECTION line has no maximum: stored as 0 (the column is required)
    row.max_amount, row.start_date, row.end_date = line.max_amount or ZERO, line.start, line.end
    row.rebate1, row.rebate2, row.rebate3, row.rebate4 = line.rebates
    row.method = line.method or DEFAULT_METHOD
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
    lump_sum: LumpSum | None = None,
    header: AgreementHeader | None = None,
    decided_on: date | None = None,
) -> AgreementView:
    """Create (agreement_id None) or amend an agreement with all its lines, all or nothing.

    Lines whose line_no is None are new; stored lines missing from `lines` are deleted.
    Amending an accepted agreement, or accepting one, re-rates the vendor (SPEC §6.3).
    A LUMP_SUM agreement has no lines: its terms are `lump_sum` (None: as stored).
    header None: the stored header kept (a new agreement: blank, the terms of its kind's
    template). Accepting or rejecting records who and when (`decided_on`: that day, else now).
    """
    from .posting import rerate_vendors  # posting depends on agreements' ladders

    session = uow.session
    require(uow, Permission.AGREEMENTS)
    if kind not in KINDS:
        raise ValidationFailed([Problem("Agreement", "Kind", f"must be {KINDS_TEXT} (got {kind})")])
    v = _vendor(uow, vendor)
    lines = with_header_dates([normalise(ln) for ln in lines], header)
    row: Agreement | None = None
    if agreement_id is not None:
        # Locked, and read as committed now: the status it goes from is the stored one (SPEC §11.1)
        row = session.get(Agreement, agreement_id, with_for_update=True, populate_existing=True)
        if row is None:
            raise NotFound(f"Agreement {agreement_id} does not exist")
    if needs_accept_right(row.status if row is not None else None, status):  # SPEC §11.1
        require(uow, Permission.ACCEPT)
    problems = agreement_problems(uow, v, kind, status, lines, row, number) + header_problems(row, v.code, header)
    if kind == LUMP_SUM:
        lump_sum = lump_sum or (stored_lump_sum(row) if row is not None else LumpSum(None, None, None, None))
        lump_sum = LumpSum(lump_sum.amount, lump_sum.start, lump_sum.end, (lump_sum.method or "").upper() or None)
        problems.extend(lump_sum_problems(f"Agreement {row.number if row else number or '(new)'}", lump_sum))
    if problems:
        raise ValidationFailed(problems)
    was_accepted = row is not None and row.status == ACCEPTED
    old_status = row.status if row is not None else None
    history = _History(uow.user, now())
    row, changed = _save_header(uow, v, kind, status, row, number, expected_version, history)
    write_decision(row, old_status, decided_on, history)
    write_header(uow, row, header, old_status is None, history)  # no re-rate: the lines carry their dates
    changed = _save_lines(uow, row, lines, history) or changed
    if kind == LUMP_SUM and lump_sum is not None:
        changed = write_lump_sum(row, lump_sum, history) or changed
    history.write(session)
    session.expire(row, ["lines"])
    if (
        changed and kind in LADDER_KINDS and (was_accepted or status == ACCEPTED)
    ):  # the amendment's re-rate, in the same transaction
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
        self.rows.append(
            {
                "agreement_id": agreement_id,
                "line_no": line_no,
                "field": field,
                "old_value": text(old),
                "new_value": text(new),
                "user": self.user,
                "at": self.stamp,
            }
        )

    def write(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(table_of(AgreementHistory)), self.rows)


def _save_header(
    uow: UnitOfWork,
    v: Vendor,
    kind: str,
    status: str,
    row: Agreement | None,
    number: str | None,
    expected_version: int | None,
    history: _History,
) -> tuple[Agreement, bool]:
    """The agreement row created, or its version bumped (refused when another workstation
    saved it since expected_version) and its status set. (row, whether it changed)."""
    session = uow.session
    user, stamp = history.user, history.stamp
    if row is None:
        row = Agreement(
            vendor_id=v.id,
            kind=kind,
            number=number or _next_number(uow, v.id, kind),
            status=status,
            version=1,
            next_line_no=1,
            updated_by=user,
            updated_at=stamp,
        )
        session.add(row)
        session.flush()
        history.note(row.id, None, "Agreement", None, f"created {KIND_NAMES[kind]} {row.number}")
        history.note(row.id, None, "Status", None, status)
        return row, True
    if expected_version is not None:
        bumped = cast(
            "CursorResult[Any]",
            session.execute(
                update(Agreement)
                .where(Agreement.id == row.id, Agreement.version == expected_version)
                .values(version=Agreement.version + 1, updated_by=user, updated_at=stamp)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        session.refresh(row)
        if bumped != 1:
            raise StaleRecord(
                f"Agreement {row.number} of {v.code}", row.updated_by, row.updated_at.strftime("%Y-%m-%d %H:%M:%S")
            )
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
    existing = {
        ln.line_no: ln for ln in session.scalars(select(AgreementLine).where(AgreementLine.agreement_id == row.id))
    }
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
        history.note(
            row.id, line_no, "Line", line_summary(_to_draft(old_row, codes.get(old_row.product_id or -1))), "(deleted)"
        )
        session.delete(old_row)
        changed = True
    session.flush()
    if inserts:
        session.execute(insert(table_of(AgreementLine)), inserts)
    return changed


def set_status(
    uow: UnitOfWork,
    agreement_id: int,
    status: str,
    expected_version: int | None = None,
    today: date | None = None,
    decided_on: date | None = None,
) -> AgreementView:
    view = load_agreement(uow, agreement_id)
    return save_agreement(
        uow,
        vendor=view.vendor,
        kind=view.kind,
        status=status,
        lines=list(view.lines),
        agreement_id=agreement_id,
        expected_version=expected_version,
        today=today,
        decided_on=decided_on,
    )


def decide(
    uow: UnitOfWork, vendor: str, kind: str, number: str | None, status: str, on: date | None = None
) -> AgreementView:
    """`coop agreement accept|reject` (SPEC §11.1, §18): agreement `number` of the vendor and
    kind (None: its first, as the import finds it) accepted or rejected, recorded as decided
    on `on` (else now); accepting re-rates what it covers, its entries dated `on` (else today).
    Needs the right to accept agreements; an agreement that already has the status is refused."""
    require(uow, Permission.ACCEPT)
    if status not in (ACCEPTED, REJECTED):
        raise ValidationFailed([Problem("Agreement", "Status", f"must be ACCEPTED or REJECTED (got {status})")])
    if kind not in KINDS:
        raise ValidationFailed([Problem("Agreement", "Kind", f"must be {KINDS_TEXT} (got {kind})")])
    agreement_id = find_agreement(uow, vendor, kind, number)
    if agreement_id is None:
        raise NotFound(f"{vendor} has no {kind} agreement{f' {number}' if number else ''}")
    view = load_agreement(uow, agreement_id)
    if view.status == status:
        raise ValidationFailed(
            [Problem(f"Agreement {view.number}", "Status", f"agreement {view.number} of {vendor} is already {status}")]
        )
    return set_status(uow, agreement_id, status, expected_version=view.version, today=on, decided_on=on)


def delete_agreement(uow: UnitOfWork, agreement_id: int, expected_version: int | None = None) -> None:
    require(uow, Permission.AGREEMENTS)
    row = uow.session.get(Agreement, agreement_id)
    if row is None:
        raise NotFound(f"Agreement {agreement_id} does not exist")
    if row.status == ACCEPTED:
        raise ValidationFailed(
            [
                Problem(
                    f"Agreement {row.number}",
                    "Status",
                    "an accepted agreement cannot be deleted; amend its lines instead",
                )
            ]
        )
    if expected_version is not None and row.version != expected_version:
        raise StaleRecord(f"Agreement {row.number}", row.updated_by, row.updated_at.strftime("%Y-%m-%d %H:%M:%S"))
    uow.session.add(
        AgreementHistory(
            agreement_id=row.id,
            line_no=None,
            field="Agreement",
            old_value=f"{row.kind} {row.number}",
            new_value="(deleted)",
            user=uow.user,
            at=now(),
        )
    )
    uow.session.delete(row)
    uow.commit()
