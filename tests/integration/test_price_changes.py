"""Price changes and price protection through the service (SPEC §11.2): which agreement
protects a product, the cost chain of several changes, and LUMP_SUM / PRICE_PROTECTION
agreements stored and amended through the agreements import. Both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Agreement, JournalLine, LineAccrual, Product
from app.services import agreements, posting, price_changes
from app.services.errors import ValidationFailed
from app.services.imports import import_file
from app.services.price_changes import PriceChangeIn
from tests.conftest import IMPORT_ORDER, import_example
from tests.integration.test_bad_input import LUMP_SUM_ROW, PROTECTION_ROW, lump_sum_csv

D = Decimal


def imp(ctx, tmp_path, *rows, base=LUMP_SUM_ROW):  # type: ignore[no-untyped-def]
    path = tmp_path / "agreements.csv"
    path.write_text(lump_sum_csv(*rows, base=base))
    with ctx.uow() as uow:
        import_file(uow, "agreements", path)


def enter(ctx, *changes: tuple[str, str, str, str]):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return price_changes.enter_price_changes(
            uow, [PriceChangeIn(p, date.fromisoformat(d), D(c), D(q), f"change {i}") for i, (p, d, c, q) in
                  enumerate(changes, start=1)]
        )  # fmt: skip


def cost(ctx, code: str) -> Decimal:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return uow.session.scalar(select(Product.unit_cost).where(Product.code == code))  # type: ignore[no-any-return]


@pytest.fixture
def protected(ctx, tmp_path):  # type: ignore[no-untyped-def]
    """Example K's data, posted: V100's accepted PRICE_PROTECTION agreement 1 (ALL, 2025)."""
    import_example(ctx, "K_price_protection", IMPORT_ORDER)
    with ctx.uow() as uow:
        posting.post_slips(uow, None)
    return ctx


def test_several_changes_chain_their_costs_in_date_order(protected):
    results = enter(
        protected,
        ("GYP-HALF-4X8", "2025-06-01", "9.00", "100"),  # keyed after, dated later
        ("GYP-HALF-4X8", "2025-04-01", "9.25", "120"),
        ("GYP-HALF-4X8", "2025-06-01", "9.50", "100"),  # an increase the same day: no claim
    )
    assert [(r.effective_date, r.old_unit_cost, r.new_unit_cost, r.claim) for r in results] == [
        (date(2025, 4, 1), D("10.00"), D("9.25"), D("90.00")),
        (date(2025, 6, 1), D("9.25"), D("9.00"), D("25.00")),
        (date(2025, 6, 1), D("9.00"), D("9.50"), D("0.00")),
    ]
    assert cost(protected, "GYP-HALF-4X8") == D("9.50")
    assert [r.entry_no is not None for r in results] == [True, True, False]
    with pytest.raises(ValidationFailed) as refused:  # before the last recorded change
        enter(protected, ("GYP-HALF-4X8", "2025-05-31", "8.00", "10"))
    assert str(refused.value) == (
        "change 1, effective_date: 2025-05-31 is before the last price change of product GYP-HALF-4X8 (2025-06-01)"
    )
    with protected.uow() as uow:
        history = price_changes.price_change_history(uow, "GYP-HALF-4X8")
        rates = uow.session.scalar(
            select(func.count()).select_from(LineAccrual).where(LineAccrual.kind == "PRICE_PROTECTION")
        )
    assert [h.new_unit_cost for h in history] == [D("9.50"), D("9.00"), D("9.25")]
    assert rates == 0  # a price-protection agreement is no ladder: receipts accrue nothing under it


def test_only_an_accepted_scope_of_the_vendor_in_its_dates_protects(protected, tmp_path):
    # A product-scope agreement 2 (pending) and a LUMBER agreement of V100 (accepted): neither
    # protects SPF-2X4-8 of V200; after its dates nothing is protected either.
    imp(protected, tmp_path, {"agreement_no": "2", "status": "PENDING", "cat1": "", "product_code": "GYP-HALF-4X8"},
        {"agreement_no": "3", "cat1": "LUMBER"}, base=PROTECTION_ROW)  # fmt: skip
    results = enter(
        protected,
        ("SPF-2X4-8", "2025-04-01", "4.00", "10"),  # V200: no agreement of its vendor
        ("GYP-HALF-4X8", "2026-01-02", "9.00", "10"),  # after agreement 1's dates
    )
    assert [(r.claim, r.agreement_no) for r in results] == [(D("0.00"), None), (D("0.00"), None)]
    with protected.uow() as uow:
        assert (
            uow.session.scalar(
                select(func.count()).select_from(JournalLine).where(JournalLine.kind == "PRICE_PROTECTION")
            )
            == 0
        )
        view = agreements.load_agreement(uow, agreements.find_agreement(uow, "V100", "PRICE_PROTECTION", "3"))
    (line,) = view.lines
    assert (line.cats, line.max_amount, line.rebates, line.method) == (
        ("LUMBER", "ALL", "ALL", "ALL"), D("0.00"), (None, None, None, None), "CD",
    )  # fmt: skip


def test_a_lump_sum_is_stored_on_its_agreement_and_amended_by_a_new_import(ctx, tmp_path):
    import_example(ctx, "B_marginal", ("categories", "vendors", "products", "gl-accounts", "gl-reference"))
    imp(ctx, tmp_path, {"status": "PENDING"})
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "LUMP_SUM", "L1")
        view = agreements.set_status(uow, agreement_id, "ACCEPTED")  # the stored terms kept
    assert view.lump_sum == agreements.LumpSum(D("12000.00"), date(2026, 1, 1), date(2026, 12, 31), "CD")
    assert view.stored == () and view.status == "ACCEPTED"
    imp(ctx, tmp_path, {"status": "ACCEPTED", "amount": "15000", "end_date": "2026-06-30", "method": "sc"})
    with ctx.uow() as uow:
        row = uow.session.get(Agreement, agreement_id)
        assert (row.amount, row.start_date, row.end_date, row.method) == (
            D("15000.00"), date(2026, 1, 1), date(2026, 6, 30), "SC",
        )  # fmt: skip
        changed = [(h.field, h.old_value, h.new_value) for h in agreements.history(uow, agreement_id)][:3]
    assert sorted(changed) == [
        ("Amount", "12000", "15000"),
        ("End Date", "2026-12-31", "2026-06-30"),
        ("M", "CD", "SC"),
    ]
    with ctx.uow() as uow, pytest.raises(ValidationFailed) as refused:
        agreements.save_agreement(uow, vendor="V100", kind="LUMP_SUM", status="ACCEPTED", lines=[],
                                  agreement_id=agreement_id, lump_sum=agreements.LumpSum(None, None, None, "CD"))  # fmt: skip
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("Amount", "is required for a lump sum"), ("Start Date", "is required"), ("End Date", "is required"),
    ]  # fmt: skip
