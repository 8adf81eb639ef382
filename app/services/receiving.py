"""Receiving slips: drafts, the rebate preview before posting, net unit cost (SPEC §6.4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.adapters.bulk import BulkWriter, slices, string_length, table_of
from app.domain.limits import AMOUNT_MAX, QUANTITY_MAX, limit_text, within
from app.domain.money import ZERO, cents, decimal_places, round_to
from app.domain.vocabulary import DRAFT, POSTED
from app.models import LineAccrual, Product, ReceiptLine, ReceivingSlip, Vendor

from .context import UnitOfWork
from .errors import AlreadyPosted, NotFound, Problem, ValidationFailed
from .masterdata import unit_cost_problems
from .record_checks import missing_code
from .security import Permission, require


@dataclass(frozen=True)
class SlipLineIn:
    line_no: int
    product: str
    quantity: Decimal
    unit_cost: Decimal | None = None  # None: the product's unit cost
    label: str = ""


@dataclass(frozen=True)
class SlipIn:
    slip_no: str | None
    vendor: str
    received: date
    lines: tuple[SlipLineIn, ...]
    reference: str = ""
    label: str = ""


@dataclass(frozen=True)
class SlipLineView:
    line_no: int
    product: str
    description: str
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal
    inventory_credit: Decimal
    net_unit_cost: Decimal


@dataclass(frozen=True)
class SlipView:
    slip_no: str
    vendor: str
    vendor_name: str
    received: date
    reference: str
    status: str
    lines: tuple[SlipLineView, ...]

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)


@dataclass(frozen=True)
class PreviewRow:
    line_no: int
    kind: str
    ladder: str
    agreement_no: str
    tier: int
    rate_pct: Decimal
    rebate: Decimal
    retro: Decimal
    applied_to_cost: Decimal
    net_unit_cost: Decimal
    note: str = ""  # why it earns what it does, when not plain (app.domain.ladder.earned_note)


SLIP_NO_LENGTH = string_length(ReceivingSlip, "slip_no")
REFERENCE_LENGTH = string_length(ReceivingSlip, "reference")
LINE_NO_LIMIT = 999_999
LINES_PER_WRITE = 10_000
SLIP_COLUMNS = ("id", "slip_no", "vendor_id", "received_date", "reference", "status", "created_by")
LINE_COLUMNS = ("slip_id", "line_no", "product_id", "quantity", "unit_cost", "amount")
Progress = Callable[[int, int], None]


def extended(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    return cents(quantity * unit_cost)


def line_problems(
    label: str, quantity: Decimal, unit_cost: Decimal | None, product_cost: Decimal | None
) -> list[Problem]:
    """What is wrong with a line's quantity and unit cost (None: the product's cost), within
    the limits of app.domain.limits; the amount is checked once both numbers are valid."""
    out: list[Problem] = []
    if quantity == ZERO:
        out.append(Problem(label, "quantity", "cannot be 0"))
    elif decimal_places(quantity) > 4:
        out.append(Problem(label, "quantity", "has more than 4 decimals"))
    elif not within(quantity, QUANTITY_MAX):
        limit = limit_text(QUANTITY_MAX)
        out.append(Problem(label, "quantity", f"is too large: must be between -{limit} and {limit} (got {quantity})"))
    if unit_cost is not None:
        out.extend(unit_cost_problems(label, "unit_cost", unit_cost))
    cost = unit_cost if unit_cost is not None else product_cost
    if not out and cost is not None:
        amount = extended(quantity, cost)
        if not within(amount, AMOUNT_MAX):
            limit = limit_text(AMOUNT_MAX)
            out.append(
                Problem(
                    label,
                    "quantity",
                    f"quantity x unit cost is too large: must be between -{limit} "
                    f"and {limit} per line (got {amount:,})",
                )
            )
    return out


def next_slip_no(uow: UnitOfWork) -> str:
    numbers = uow.session.scalars(select(ReceivingSlip.slip_no).where(ReceivingSlip.slip_no.like("R%"))).all()
    ints = [int(n[1:]) for n in numbers if n[1:].isdigit()]
    return f"R{max(ints, default=0) + 1:06d}"


def _slip_problems(
    slip: SlipIn, label: str, seen: dict[str, str], existing: dict[str, str], replace_draft: bool, out: list[Problem]
) -> None:
    """The slip's own fields: its number (length, repeated, posted or existing) and reference."""
    if slip.slip_no:
        if len(slip.slip_no) > SLIP_NO_LENGTH:
            out.append(
                Problem(label, "slip_no", f"is too long ({len(slip.slip_no)} characters; at most {SLIP_NO_LENGTH})")
            )
        if slip.slip_no in seen:
            out.append(Problem(label, "slip_no", f"slip {slip.slip_no} is repeated (also {seen[slip.slip_no]})"))
        seen[slip.slip_no] = label
        status = existing.get(slip.slip_no)
        if status == POSTED:
            out.append(Problem(label, "slip_no", f"slip {slip.slip_no} is already posted"))
        elif status == DRAFT and not replace_draft:
            out.append(Problem(label, "slip_no", f"slip {slip.slip_no} already exists"))
    if len(slip.reference) > REFERENCE_LENGTH:
        out.append(
            Problem(label, "reference", f"is too long ({len(slip.reference)} characters; at most {REFERENCE_LENGTH})")
        )


def _lines_problems(
    session: Session,
    slip: SlipIn,
    label: str,
    vid: int | None,
    products: dict[str, tuple[int, int, Decimal]],
    out: list[Problem],
) -> None:
    """Each line: its number, its product (of this vendor) and the limits of SPEC §2 / app.domain.limits."""
    if not slip.lines:
        out.append(Problem(label, "line_no", "a slip needs at least one line"))
    line_nos: dict[int, str] = {}
    for line in slip.lines:
        llabel = line.label or f"{label} line {line.line_no}"
        if line.line_no <= 0:
            out.append(Problem(llabel, "line_no", f"must be a positive whole number (got {line.line_no})"))
        elif line.line_no > LINE_NO_LIMIT:
            out.append(Problem(llabel, "line_no", f"is too large (got {line.line_no}; at most {LINE_NO_LIMIT})"))
        elif line.line_no in line_nos:
            out.append(
                Problem(
                    llabel,
                    "line_no",
                    f"slip {slip.slip_no} line {line.line_no} is repeated (also {line_nos[line.line_no]})",
                )
            )
        line_nos[line.line_no] = llabel
        info = products.get(line.product)
        if info is None:
            out.append(Problem(llabel, "product_code", missing_code(session, "product", Product.code, line.product)))
        elif vid is not None and info[1] != vid:
            out.append(Problem(llabel, "product_code", f"product {line.product} is not supplied by {slip.vendor}"))
        out.extend(line_problems(llabel, line.quantity, line.unit_cost, info[2] if info is not None else None))


def save_slips(
    uow: UnitOfWork, slips: Sequence[SlipIn], *, replace_draft: bool = False, progress: Progress | None = None
) -> list[str]:
    """Store draft slips, all or nothing. With replace_draft, a draft of the same number is
    replaced (the entry screen saving again); a posted slip is never replaced.
    progress(lines written, lines), as the lines are written (one transaction still)."""
    session = uow.session
    require(uow, Permission.RECEIVE)
    out: list[Problem] = []
    vendors = dict(session.execute(select(Vendor.code, Vendor.id)).all())
    products: dict[str, tuple[int, int, Decimal]] = {}
    for part in slices(sorted({ln.product for s in slips for ln in s.lines})):
        products.update(
            (code, (pid, vid, cost))
            for code, pid, vid, cost in session.execute(
                select(Product.code, Product.id, Product.vendor_id, Product.unit_cost).where(Product.code.in_(part))
            )
        )
    numbers = [s.slip_no for s in slips if s.slip_no]
    # Locked (PostgreSQL): a posting of one of these slips in progress is waited for, so
    # its status is read after it commits and a posted slip is refused, never deleted.
    # Sorted slices: every transaction locks slips in one order.
    existing: dict[str, str] = {}
    for part in slices(sorted(set(numbers))):
        existing.update(
            session.execute(
                select(ReceivingSlip.slip_no, ReceivingSlip.status)
                .where(ReceivingSlip.slip_no.in_(part))
                .order_by(ReceivingSlip.slip_no)
                .with_for_update()
            ).all()
        )
    seen: dict[str, str] = {}
    for slip in slips:
        label = slip.label or f"Slip {slip.slip_no}"
        _slip_problems(slip, label, seen, existing, replace_draft, out)
        vid = vendors.get(slip.vendor)
        if vid is None:
            out.append(Problem(label, "vendor_code", missing_code(session, "vendor", Vendor.code, slip.vendor)))
        _lines_problems(session, slip, label, vid, products, out)
    if out:
        raise ValidationFailed(out)
    for part in slices(sorted(existing)):  # drafts saved again (a posted one was refused above)
        old_ids = list(session.scalars(select(ReceivingSlip.id).where(ReceivingSlip.slip_no.in_(part))))
        session.execute(delete(ReceiptLine).where(ReceiptLine.slip_id.in_(old_ids)))
        session.execute(delete(ReceivingSlip).where(ReceivingSlip.id.in_(old_ids)))
    stored: list[str] = []
    generated = next_slip_no(uow)
    for slip in slips:
        if slip.slip_no:
            stored.append(slip.slip_no)
        else:
            stored.append(generated)
            generated = f"R{int(generated[1:]) + 1:06d}"
    total = sum(len(slip.lines) for slip in slips)
    done = 0
    bulk = BulkWriter(session)
    slip_table, line_table = table_of(ReceivingSlip), table_of(ReceiptLine)
    # In parts of about LINES_PER_WRITE lines, all in this one transaction: a big import
    # reports its progress as it goes, and never holds all its driver rows at once.
    for numbered in _parts(list(zip(stored, slips, strict=True))):
        ids = bulk.next_ids(slip_table, len(numbered))
        bulk.insert(
            slip_table,
            SLIP_COLUMNS,
            [
                (slip_id, slip_no, vendors[slip.vendor], slip.received, slip.reference, DRAFT, uow.user)
                for slip_id, (slip_no, slip) in zip(ids, numbered, strict=True)
            ],
        )
        rows = []
        for slip_id, (_no, slip) in zip(ids, numbered, strict=True):
            for line in slip.lines:
                pid, _vid, cost = products[line.product]
                unit_cost = line.unit_cost if line.unit_cost is not None else cost
                rows.append((slip_id, line.line_no, pid, line.quantity, unit_cost, extended(line.quantity, unit_cost)))
        bulk.insert(line_table, LINE_COLUMNS, rows)
        done += len(rows)
        if progress:
            progress(done, total)
    uow.commit()
    return stored


def _parts(slips: list[tuple[str, SlipIn]]) -> Iterator[list[tuple[str, SlipIn]]]:
    """Whole slips, about LINES_PER_WRITE lines a part."""
    part: list[tuple[str, SlipIn]] = []
    size = 0
    for item in slips:
        part.append(item)
        size += len(item[1].lines)
        if size >= LINES_PER_WRITE:
            yield part
            part, size = [], 0
    if part:
        yield part


def save_and_post(uow: UnitOfWork, slip: SlipIn) -> str:
    """The receiving screen's Post: the slip saved (a draft of the same number replaced) and
    posted as one unit of work, so a posting refused (a GL role without an account, a
    limit) leaves nothing saved either. Returns the slip number."""
    from .posting import post_slips  # posting reads what receiving stores

    with uow.one_transaction():
        slip_no = save_slips(uow, [slip], replace_draft=True)[0]
        post_slips(uow, [slip_no])
    return slip_no


def delete_draft(uow: UnitOfWork, slip_no: str) -> None:
    require(uow, Permission.RECEIVE)
    row = uow.session.scalar(select(ReceivingSlip).where(ReceivingSlip.slip_no == slip_no).with_for_update())
    if row is None:
        raise NotFound(f"Receiving slip {slip_no} does not exist")
    if row.status != DRAFT:
        raise AlreadyPosted(f"Receiving slip {slip_no} is posted; post a correction instead")
    uow.session.delete(row)
    uow.commit()


def load_slip(uow: UnitOfWork, slip_no: str) -> SlipView:
    session = uow.session
    slip = session.scalar(select(ReceivingSlip).where(ReceivingSlip.slip_no == slip_no))
    if slip is None:
        raise NotFound(f"Receiving slip {slip_no} does not exist")
    credits = dict(
        session.execute(
            select(LineAccrual.receipt_line_id, func.sum(LineAccrual.inventory))
            .join(ReceiptLine, ReceiptLine.id == LineAccrual.receipt_line_id)
            .where(ReceiptLine.slip_id == slip.id)
            .group_by(LineAccrual.receipt_line_id)
        ).all()
    )
    lines = []
    for ln in slip.lines:
        credit = credits.get(ln.id) or ZERO
        net = round_to((ln.amount - credit) / ln.quantity, 4) if ln.quantity else ZERO
        lines.append(
            SlipLineView(
                ln.line_no, ln.product.code, ln.product.description, ln.quantity, ln.unit_cost, ln.amount, credit, net
            )
        )
    return SlipView(
        slip.slip_no, slip.vendor.code, slip.vendor.name, slip.received_date, slip.reference, slip.status, tuple(lines)
    )


def preview(uow: UnitOfWork, slip: SlipIn) -> list[PreviewRow]:
    """What each line would earn if the slip were posted now, after the posted lines
    (app.services.slip_preview)."""
    from .slip_preview import slip_preview

    return slip_preview(uow, slip)
