"""Categories, vendors, products and the company (GL accounts and the GL reference:
app.services.gl_accounts, whose names are importable from here too).

Each `save_*` takes a batch of plain records (an import file or one screen row),
validates all of them, and writes all or nothing. Existing codes are updated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from sqlalchemy import select

from app.domain.limits import UNIT_COST_MAX, limit_text
from app.domain.money import ZERO, decimal_places
from app.domain.vocabulary import METHODS, one_of
from app.models import Category, Company, Product, Vendor

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .gl_accounts import (
    ACCOUNT_TYPES,
    AccountIn,
    gl_reference,
    roles_to_accounts,
    save_accounts,
    save_gl_reference,
)
from .record_checks import (
    check_code,
    check_length,
    check_name,
    existing_rows,
    keyed_records,
    missing_code,
    row_for,
    saved_rows,
)
from .security import Permission, require


@dataclass(frozen=True)
class CategoryIn:
    level: int
    code: str
    parent_code: str | None
    description: str = ""
    label: str = ""


@dataclass(frozen=True)
class VendorIn:
    code: str
    name: str
    currency: str | None = None
    address: str = ""
    active: bool = True
    label: str = ""
    # SPEC §11.1, §18 (None: unchanged; a new vendor: blank, CD and 30 days).
    billing_address: str | None = None
    email: str | None = None
    default_method: str | None = None
    terms_days: int | None = None


@dataclass(frozen=True)
class ProductIn:
    code: str
    description: str
    vendor_code: str
    cats: tuple[str | None, str | None, str | None, str | None]
    unit_cost: Decimal = ZERO
    label: str = ""
    vendor_item_code: str | None = None  # the vendor's own code (SPEC §18; None: unchanged)


def company(uow: UnitOfWork) -> Company:
    row = uow.session.get(Company, 1)
    if row is None:
        row = Company(id=1, name="My Company", currency="CAD", address="")
        uow.session.add(row)
        uow.session.flush()
    return row


def set_company(uow: UnitOfWork, name: str, currency: str, address: str = "", remit_to: str | None = None) -> None:
    """The company's name, currency and address (and, given, its remit-to bank details)."""
    require(uow, Permission.ADMIN)
    row = company(uow)
    has_vendors = uow.session.scalar(select(Vendor.id).limit(1)) is not None
    if currency != row.currency and has_vendors:
        raise ValidationFailed([Problem("Company", "currency", "cannot change once vendors exist")])
    row.name, row.currency, row.address = name, currency, address
    if remit_to is not None:
        row.remit_to = remit_to
    uow.commit()


def set_settlement_terms(
    uow: UnitOfWork, remit_to: str, write_off_tolerance: Decimal | None, dispute_window_days: int | None
) -> None:
    """The company's settlement settings (SPEC §13–§14): how vendors pay an invoice (remit-to
    bank details, printed on every invoice), the write-off tolerance of an accountant, the
    dispute filing window in days."""
    require(uow, Permission.ADMIN)
    problems = []
    if write_off_tolerance is None or write_off_tolerance < ZERO or decimal_places(write_off_tolerance) > 2:
        problems.append(Problem("Company", "write_off_tolerance", "must be an amount of 0.00 or more (2 decimals)"))
    if dispute_window_days is None or not 0 < dispute_window_days <= 3660:
        problems.append(Problem("Company", "dispute_window_days", "must be a number of days from 1 to 3660"))
    if len(remit_to) > 2000:
        problems.append(Problem("Company", "remit_to", f"is too long ({len(remit_to):,} characters; at most 2,000)"))
    if problems:
        raise ValidationFailed(problems)
    assert write_off_tolerance is not None and dispute_window_days is not None
    row = company(uow)
    row.remit_to, row.write_off_tolerance, row.dispute_window_days = remit_to, write_off_tolerance, dispute_window_days
    uow.commit()


def category_map(uow: UnitOfWork) -> dict[tuple[int, str], str | None]:
    """(level, code) -> parent code, for every category."""
    parent = Category.__table__.alias("p")
    rows = uow.session.execute(
        select(Category.level, Category.code, parent.c.code).outerjoin(parent, parent.c.id == Category.parent_id)
    )
    return {(lvl, code): pcode for lvl, code, pcode in rows}


def save_categories(uow: UnitOfWork, records: Sequence[CategoryIn]) -> int:
    require(uow, Permission.MASTER)
    out: list[Problem] = []
    existing = category_map(uow)
    known = dict(existing)
    seen: dict[tuple[int, str], str] = {}
    for rec in records:
        if rec.level in (1, 2, 3, 4) and rec.code:
            known.setdefault((rec.level, rec.code), rec.parent_code or None)
    for rec in records:
        label = rec.label or f"Category {rec.code}"
        if rec.level not in (1, 2, 3, 4):
            out.append(Problem(label, "level", f"must be 1, 2, 3 or 4 (got {rec.level})"))
            continue
        if not check_code(rec.code, label, "code", out, Category.code):
            continue
        check_length(rec.description, label, "description", out, Category.description)
        key = (rec.level, rec.code)
        if key in seen:
            out.append(Problem(label, "code", f"{rec.code} is repeated (also on {seen[key]})"))
        seen[key] = label
        if rec.level == 1:
            if rec.parent_code:
                out.append(Problem(label, "parent_code", "a level 1 category has no parent"))
        elif not rec.parent_code:
            out.append(Problem(label, "parent_code", f"a level {rec.level} category needs a parent"))
        elif (rec.level - 1, rec.parent_code) not in known:
            out.append(
                Problem(
                    label,
                    "parent_code",
                    f"parent {rec.parent_code} does not exist at level {rec.level - 1}",
                )
            )
        if key in existing and (existing[key] or None) != (rec.parent_code or None):
            out.append(
                Problem(
                    label,
                    "parent_code",
                    f"{rec.code} already exists under {existing[key]}; it cannot be moved",
                )
            )
    if out:
        raise ValidationFailed(out)
    session = uow.session
    by_key = {(c.level, c.code): c for c in session.scalars(select(Category))}
    for rec in sorted(records, key=lambda r: r.level):
        row = by_key.get((rec.level, rec.code))
        parent = by_key.get((rec.level - 1, rec.parent_code or "")) if rec.level > 1 else None
        if row is None:
            row = Category(level=rec.level, code=rec.code, description=rec.description)
            row.parent = parent
            session.add(row)
            by_key[(rec.level, rec.code)] = row
        else:
            row.description = rec.description
        session.flush()
    uow.commit()
    return len(records)


def _code(rec: VendorIn | ProductIn) -> str:
    return rec.code


def save_vendors(uow: UnitOfWork, records: Sequence[VendorIn]) -> int:
    require(uow, Permission.MASTER)
    out: list[Problem] = []
    currency = company(uow).currency
    seen: dict[str, str] = {}
    for rec, label in keyed_records(records, _code, "code", "Vendor", Vendor.code, out, seen):
        check_name(rec.name, label, "name", out, Vendor.name)
        cur = (rec.currency or currency).upper()
        if not re.fullmatch(r"[A-Z]{3}", cur):
            out.append(Problem(label, "currency", f"{rec.currency!r} is not an ISO 4217 code"))
        elif cur != currency:
            out.append(
                Problem(
                    label,
                    "currency",
                    f"vendor currency {cur} differs from the company currency {currency}; "
                    "multi-currency is not supported yet",
                )
            )
        out.extend(billing_problems(rec, label))
    if out:
        raise ValidationFailed(out)
    for rec, row in zip(records, saved_rows(uow.session, Vendor, "code", [r.code for r in records]), strict=True):
        row.name, row.currency, row.address, row.active = (rec.name.strip(), currency, rec.address, rec.active)
        new = row.id is None
        for attr, default in (("billing_address", ""), ("email", ""), ("default_method", "CD"), ("terms_days", 30)):
            value = getattr(rec, attr)
            if value is not None or new:
                setattr(row, attr, value if value is not None else default)
    uow.commit()
    return len(records)


def billing_problems(rec: VendorIn, label: str) -> list[Problem]:
    """The vendor fields of SPEC §11.1 and §18: an e-mail with an @, a method of METHODS,
    terms of 0 to 365 days."""
    out: list[Problem] = []
    if rec.email:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", rec.email):
            out.append(Problem(label, "email", f"{rec.email!r} is not an e-mail address (name@domain)"))
        check_length(rec.email, label, "email", out, Vendor.email)
    if rec.default_method is not None and rec.default_method not in METHODS:
        out.append(Problem(label, "default_method", f"must be {one_of(METHODS)} (got {rec.default_method or 'blank'})"))
    if rec.terms_days is not None and not 0 <= rec.terms_days <= 365:
        out.append(Problem(label, "terms_days", f"must be 0 to 365 days (got {rec.terms_days})"))
    return out


def check_cat_chain(
    cats: Sequence[str | None],
    categories: dict[tuple[int, str], str | None],
    label: str,
    prefix: str,
    out: list[Problem],
) -> None:
    """Product categories: CAT1 required, blanks only at the end, each under the one above."""
    blank_seen = False
    for level, code in enumerate(cats, start=1):
        name = f"{prefix}{level}"
        if not code:
            blank_seen = True
            if level == 1:
                out.append(Problem(label, name, "is required"))
            continue
        if blank_seen:
            out.append(Problem(label, name, f"{code} follows a blank category"))
            continue
        if (level, code) not in categories:
            out.append(Problem(label, name, f"category {code} does not exist at level {level}"))
            continue
        if level > 1 and cats[level - 2] and categories[(level, code)] != cats[level - 2]:
            out.append(
                Problem(
                    label,
                    name,
                    f"category {code} belongs to {categories[(level, code)]}, not to {cats[level - 2]}",
                )
            )


def unit_cost_problems(label: str, field: str, unit_cost: Decimal) -> list[Problem]:
    """A unit cost, of a product or a receipt line: 0 or more, 4 decimals, within the limit
    (app.domain.limits)."""
    if unit_cost < ZERO:
        return [Problem(label, field, f"cannot be negative (got {unit_cost})")]
    if decimal_places(unit_cost) > 4:
        return [Problem(label, field, "has more than 4 decimals")]
    if unit_cost > UNIT_COST_MAX:
        return [Problem(label, field, f"is too large (got {unit_cost}; at most {limit_text(UNIT_COST_MAX)})")]
    return []


def save_products(uow: UnitOfWork, records: Sequence[ProductIn]) -> int:
    require(uow, Permission.MASTER)
    out: list[Problem] = []
    session = uow.session
    vendors = dict(session.execute(select(Vendor.code, Vendor.id)).all())
    categories = category_map(uow)
    seen: dict[str, str] = {}
    for rec, label in keyed_records(records, _code, "code", "Product", Product.code, out, seen):
        check_length(rec.description, label, "description", out, Product.description)
        if rec.vendor_code not in vendors:
            out.append(Problem(label, "vendor_code", missing_code(session, "vendor", Vendor.code, rec.vendor_code)))
        check_cat_chain(rec.cats, categories, label, "cat", out)
        out.extend(unit_cost_problems(label, "unit_cost", rec.unit_cost))
        if rec.vendor_item_code:
            check_length(rec.vendor_item_code, label, "vendor_item_code", out, Product.vendor_item_code)
    if out:
        raise ValidationFailed(out)
    by_code = existing_rows(session, Product, "code", seen)
    # A product's categories decide which ladder its posted lines belong to (SPEC §5.2).
    wanted = {rec.code: tuple(c or None for c in rec.cats) for rec in records}
    moved = [p.id for p in by_code.values() if (p.cat1, p.cat2, p.cat3, p.cat4) != wanted[p.code]]
    if moved:
        _lock_vendors_of(uow, [p for p in by_code.values() if p.id in set(moved)])
    for rec in records:
        row = by_code.get(rec.code)
        if row is not None and row.vendor_id != vendors[rec.vendor_code] and row.received_qty != ZERO:
            raise ValidationFailed(
                [Problem(rec.label or rec.code, "vendor_code", "product already received from another vendor")]
            )
        row = row_for(session, by_code, rec.code, partial(Product, code=rec.code, received_qty=ZERO, received_net=ZERO))
        row.description = rec.description
        row.vendor_id = vendors[rec.vendor_code]
        row.cat1, row.cat2, row.cat3, row.cat4 = (c or None for c in rec.cats)
        row.unit_cost = rec.unit_cost
        if rec.vendor_item_code is not None:
            row.vendor_item_code = rec.vendor_item_code or None
    if moved:
        _rerate_products(uow, moved)
    uow.commit()
    return len(records)


def _lock_vendors_of(uow: UnitOfWork, products: Sequence[Product]) -> None:
    """Lock the vendors of products about to move, before their rows are written: posting
    locks a vendor, then writes its products' received totals, so taking the locks in the
    other order deadlocks with a posting of the same products, and a posting that read the
    old categories would commit unseen by the re-rate (PostgreSQL; SQLite has one writer)."""
    from app.adapters.accruals import lock_vendors  # the adapter's accrual side reads master data

    lock_vendors(uow.session, {p.vendor_id for p in products})


def _rerate_products(uow: UnitOfWork, product_ids: list[int]) -> None:
    """Re-categorised products are an amendment (SPEC §6.3): their vendors' posted lines are
    re-rated in the same transaction, so the journal never waits on a later `coop rerate`."""
    from app.adapters.accruals import posted_vendors_of_products

    from .posting import rerate_vendors  # posting reads master data

    session = uow.session
    session.flush()
    vendors = posted_vendors_of_products(session, product_ids)
    if vendors:
        rerate_vendors(uow, vendors)


__all__ = [  # the GL side, re-exported
    "ACCOUNT_TYPES",
    "AccountIn",
    "gl_reference",
    "roles_to_accounts",
    "save_accounts",
    "save_gl_reference",
]
