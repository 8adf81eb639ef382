"""The grids of Vendors, Products, Categories and GL accounts: their columns, how their rows are
read (searched and filtered) and saved through the masterdata services. The screen that shows
them is app.ui.masterdata."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.filters import ColumnFilter, parse_filter
from app.domain.vocabulary import METHODS
from app.services import gl_accounts, masterdata, queries, vendor_balances
from app.services.errors import Problem, ValidationFailed

from .models import Column


@dataclass(frozen=True)
class GridSpec:
    title: str
    columns: tuple[Column, ...]
    key: str
    load: Callable[[Any], list[dict[str, Any]]]
    save: Callable[[Any, list[dict[str, Any]]], int]
    # (uow, text, filters by column name, at most, from) -> the rows whose text contains it and
    # that every filter keeps, at most that many from that position (products: read so in
    # SQL): a search box and a filter under every column, and the grid reads a page of PAGE
    # rows at a time, the next when it is scrolled to its end (100,000 products open at once)
    search: Callable[[Any, str, dict[str, ColumnFilter], int, int], list[dict[str, Any]]] | None = None
    one: str = "row"  # one row, as the count says it ("1 product")
    search_hint: str = "Search…"


def _text(row: dict[str, Any], name: str) -> str:
    return str(row.get(name) or "").strip()


def _terms_days(row: dict[str, Any], problems: list[Problem]) -> int | None:
    raw = _text(row, "Terms Days")
    if not raw:
        return 30
    try:
        return int(raw)
    except ValueError:
        problems.append(Problem(row["label"], "terms_days", f"{raw!r} is not a whole number of days"))
        return None


def _save_vendors(uow: Any, rows: list[dict[str, Any]]) -> int:
    problems: list[Problem] = []
    records = [
        masterdata.VendorIn(
            _text(r, "Code").upper(),
            _text(r, "Name"),
            _text(r, "Currency") or None,
            _text(r, "Address"),
            bool(r.get("Active", True)),
            label=r["label"],
            billing_address=str(r.get("Billing Address") or ""),
            email=_text(r, "E-mail"),
            default_method=_text(r, "Method").upper() or "CD",
            terms_days=_terms_days(r, problems),
        )
        for r in rows
    ]
    if problems:
        raise ValidationFailed(problems)
    return masterdata.save_vendors(uow, records)


def _save_products(uow: Any, rows: list[dict[str, Any]]) -> int:
    return masterdata.save_products(
        uow,
        [
            masterdata.ProductIn(
                _text(r, "Code").upper(),
                _text(r, "Description"),
                _text(r, "Vendor"),
                tuple(_text(r, c) or None for c in ("CAT1", "CAT2", "CAT3", "CAT4")),  # type: ignore[arg-type]
                r.get("Unit Cost") or Decimal(0),
                label=r["label"],
                vendor_item_code=_text(r, "Vendor Item"),
            )
            for r in rows
        ],
    )


def _save_categories(uow: Any, rows: list[dict[str, Any]]) -> int:
    records = []
    for r in rows:
        level = _text(r, "Level")
        records.append(
            masterdata.CategoryIn(
                int(level) if level.isdigit() else 0,
                _text(r, "Code"),
                _text(r, "Parent") or None,
                _text(r, "Description"),
                label=r["label"],
            )
        )
    return masterdata.save_categories(uow, records)


def _save_accounts(uow: Any, rows: list[dict[str, Any]]) -> int:
    return gl_accounts.save_accounts(
        uow,
        [gl_accounts.AccountIn(_text(r, "Number"), _text(r, "Name"), _text(r, "Type"), label=r["label"]) for r in rows],
    )


def _cats(cats: Sequence[str | None]) -> dict[str, Any]:
    return {f"CAT{i + 1}": c for i, c in enumerate(cats)}


VENDOR_SEARCH = ("Code", "Name", "Address", "E-mail")  # the columns the search box looks in
CATEGORY_SEARCH = ("Code", "Parent", "Description")

VENDORS = GridSpec(
    "Vendors",
    (
        # every column shows at 1280 pixels; a long name or address is whole in its tooltip
        Column("Code", "code", field="code", width=100),
        Column("Name", field="name", width=220),
        Column("Currency", "code", field="currency", width=70),
        Column("Address", field="address", width=200),
        Column("Billing Address", field="billing_address", width=180, heading="Billing\nAddress"),
        Column("E-mail", field="email", width=170),
        Column("Method", "choice", choices=METHODS, field="default_method", width=58),
        Column("Terms Days", field="terms_days", width=52, heading="Terms\nDays", align="right", filter="number"),
        Column("Active", "bool", field="active", width=50),
        Column("Debit Balance", "decimal", editable=False, width=90, heading="Debit\nBalance"),
    ),
    "Code",
    lambda uow: _vendor_rows(uow),
    _save_vendors,
    lambda uow, text, filters, most, start: _matching(_vendor_rows(uow), text, VENDOR_SEARCH, filters)[
        start : start + most
    ],
    "vendor",
    "Search code, name, address, e-mail…",
)


def _matching(
    rows: list[dict[str, Any]], text: str, names: Sequence[str], filters: dict[str, ColumnFilter]
) -> list[dict[str, Any]]:
    """The rows with the text in one of the columns `names` that every filter keeps (a few
    thousand rows, filtered here; products are filtered in SQL by the same rule)."""
    wanted = parse_filter(text)
    return [
        r
        for r in rows
        if (wanted is None or any(wanted.matches(r.get(n)) for n in names))
        and all(f.matches(r.get(name)) for name, f in filters.items())
    ]


def _vendor_rows(uow: Any) -> list[dict[str, Any]]:
    """The vendors; Debit Balance: what a vendor owes today beyond what we owe it (SPEC §15),
    blank when it owes no more than that."""
    owed = vendor_balances.debit_balance_excess(uow, date.today())
    return [
        {
            "Code": v.code,
            "Name": v.name,
            "Currency": v.currency,
            "Address": v.address,
            "Billing Address": v.billing_address,
            "E-mail": v.email,
            "Method": v.default_method,
            "Terms Days": str(v.terms_days),
            "Active": v.active,
            "Debit Balance": owed.get(v.code),
        }
        for v in queries.vendors(uow)
    ]  # fmt: skip


def _product_rows(
    uow: Any, search: str = "", filters: dict[str, ColumnFilter] | None = None, most: int | None = None, start: int = 0
) -> list[dict[str, Any]]:
    field = {c.name: c.field for c in PRODUCTS.columns}
    by_field = {field[name]: f for name, f in (filters or {}).items()}
    return [
        {
            "Code": p.code,
            "Description": p.description,
            "Vendor": p.vendor,
            **_cats(p.cats),
            "Unit Cost": p.unit_cost,
            "Vendor Item": p.vendor_item_code or "",
        }
        for p in queries.products(uow, search=search, limit=most, offset=start, filters=by_field)
    ]  # fmt: skip


PRODUCTS = GridSpec(
    "Products",
    (
        Column("Code", "code", field="code", width=150),
        Column("Description", field="description", width=260),
        Column("Vendor", "code", field="vendor_code", width=90),
        *(Column(f"CAT{i}", "code", field=f"cat{i}", width=110) for i in range(1, 5)),
        Column("Unit Cost", "decimal", places=2, max_places=4, field="unit_cost", width=90),
        Column("Vendor Item", field="vendor_item_code", width=120),
    ),
    "Code",
    _product_rows,
    _save_products,
    _product_rows,  # searched in SQL: 100,000 products are never all read
    "product",
    "Search code, description, vendor, vendor item…",
)

CATEGORIES = GridSpec(
    "Categories",
    (
        Column("Level", "choice", choices=("1", "2", "3", "4"), field="level", width=60),
        Column("Code", "code", field="code", width=160),
        Column("Parent", "code", field="parent_code", width=160),
        Column("Description", field="description", width=320),
    ),
    "Code",
    lambda uow: [
        {"Level": str(c.level), "Code": c.code, "Parent": c.parent or "", "Description": c.description}
        for c in queries.categories(uow)
    ],
    _save_categories,
    lambda uow, text, filters, most, start: _matching(CATEGORIES.load(uow), text, CATEGORY_SEARCH, filters)[
        start : start + most
    ],
    "category",
    "Search code, parent, description…",
)

ACCOUNTS = GridSpec(
    "GL accounts",
    (
        Column("Number", "code", field="number", width=100),
        Column("Name", field="name", width=280),
        Column("Type", "choice", choices=gl_accounts.ACCOUNT_TYPES, field="type", width=110),
    ),
    "Number",
    lambda uow: [{"Number": a.number, "Name": a.name, "Type": a.type} for a in queries.accounts(uow)],
    _save_accounts,
)
