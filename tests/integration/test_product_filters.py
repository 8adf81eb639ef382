"""Issue 17: the Products screen's filters are applied in SQL by the same rule the Vendors and
Categories screens apply to the rows they hold (app.domain.filters): for each filter, the
products read filtered are exactly those the rule keeps of all the products."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.domain.filters import NUMBER, TEXT, parse_filter
from app.services import masterdata, queries
from app.services.context import AppContext
from tests.conftest import import_example

PRODUCTS = [
    ("P-100", "Gypsum 100% recycled", ("GYPSUM", None, None, None), D("12.50"), "v_1"),
    ("P_UNDER", "Gypsum under_score", ("GYPSUM", "GYP-BOARD", None, None), D("10.00"), None),
    ("PLAIN", "SPF stud ÉPINETTE", ("LUMBER", None, None, None), D("9.9999"), "A-1"),
]
FIELD = {
    "code": lambda p: p.code, "description": lambda p: p.description, "vendor_code": lambda p: p.vendor,
    "cat1": lambda p: p.cats[0], "cat2": lambda p: p.cats[1], "unit_cost": lambda p: p.unit_cost,
    "vendor_item_code": lambda p: p.vendor_item_code,
}  # fmt: skip
CASES = [
    ("code", "%"), ("code", "_"), ("code", "p-"), ("code", "=plain"), ("description", "GYPSUM"),
    ("description", "100%"), ("description", "r_s"), ("cat2", "="), ("cat2", "gyp"), ("cat1", "=lumber"),
    ("vendor_code", "v100"), ("vendor_item_code", "="), ("vendor_item_code", "v_"), ("unit_cost", "10"),
    ("unit_cost", ">10"), ("unit_cost", "<=10"), ("unit_cost", "9.9999..12.5"), ("unit_cost", "<9.9999"),
    # accents fold alike in SQL and in the rule (SQLite's own lower() would not)
    ("description", "épinette"), ("description", "ÉPI"), ("description", "=spf stud épinette"),
    # bounds between two stored units, or past what the column holds, keep what they mean
    ("unit_cost", "9.99995"), ("unit_cost", ">9.99985"), ("unit_cost", ">=9.99995"), ("unit_cost", ">9.9999"),
    ("unit_cost", "<10.00005"), ("unit_cost", "<=9.99995"), ("unit_cost", "1e-7..20"), ("unit_cost", "12.49999..12.5"),
    ("unit_cost", ">1e30"), ("unit_cost", "<1e30"), ("unit_cost", ">-1e30"), ("unit_cost", "<-1e30"),
    ("unit_cost", "=1e30"), ("unit_cost", "-1e30..1e30"), ("unit_cost", "99999999999999999999"),
]  # fmt: skip


@pytest.fixture
def products(ctx: AppContext) -> list[queries.ProductRow]:
    import_example(ctx, "B_marginal", ("categories", "vendors", "products"))
    with ctx.uow() as uow:
        masterdata.save_products(
            uow,
            [
                masterdata.ProductIn(c, d, "V100", cats, cost, vendor_item_code=item)
                for c, d, cats, cost, item in PRODUCTS
            ],
        )
    with ctx.uow() as uow:
        return queries.products(uow)


@pytest.mark.parametrize(("field", "typed"), CASES)
def test_a_filter_read_in_sql_keeps_what_the_rule_keeps(ctx: AppContext, products, field, typed):
    f = parse_filter(typed, NUMBER if field == "unit_cost" else TEXT)
    assert f is not None
    expected = [p.code for p in products if f.matches(FIELD[field](p))]
    with ctx.uow() as uow:
        found = [p.code for p in queries.products(uow, filters={field: f})]
    assert found == expected


def test_filters_narrow_together_with_the_search_and_the_limit(ctx: AppContext, products):
    with ctx.uow() as uow:
        both = queries.products(
            uow, search="gyp", filters={"unit_cost": parse_filter(">=10", NUMBER), "cat2": parse_filter("=", TEXT)}
        )
        assert [p.code for p in both] == ["P-100"]
        wildcard = queries.products(uow, search="%")  # a percent sign typed is a percent sign
        assert [p.code for p in wildcard] == ["P-100"]
        assert len(queries.products(uow, filters={"cat1": parse_filter("gypsum", TEXT)}, limit=2)) == 2
