"""The Agreements overview across vendors and the renewal of an agreement for the next period
(issue 14), on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services import agreements
from app.services.agreement_list import agreements_overview, copy_to_next_period, next_year
from app.services.context import AppContext
from app.services.errors import NotFound
from tests.conftest import import_example


def test_copy_to_next_period_and_the_overview(ctx: AppContext) -> None:
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        source = agreements.find_agreement(uow, "V100", "COOP", None)
        assert source is not None
    with ctx.uow() as uow:
        copied = copy_to_next_period(uow, source, today=date(2026, 12, 1))
    assert (copied.status, copied.number, copied.kind) == ("PENDING", "2", "COOP")
    assert [(ln.max_amount, ln.start, ln.end, ln.rebates[0]) for ln in copied.lines] == [
        (Decimal(m), date(2027, 1, 1), date(2027, 12, 31), Decimal(r))
        for m, r in (("30000.00", "2"), ("50000.00", "3"), ("999999999.00", "3.5"))
    ]
    with ctx.uow() as uow:
        history = agreements.history(uow, copied.id)
        rows = agreements_overview(uow)
        pending = agreements_overview(uow, status="PENDING", on=date(2027, 6, 1))
        none = agreements_overview(uow, kind="VOLUME")
    assert any(h.new_value == "renews agreement 1 for the next period" for h in history)
    assert [(r.vendor, r.kind, r.number, r.status, r.start, r.end, r.lines) for r in rows] == [
        ("V100", "COOP", "1", "ACCEPTED", date(2026, 1, 1), date(2026, 12, 31), 3),
        ("V100", "COOP", "2", "PENDING", date(2027, 1, 1), date(2027, 12, 31), 3),
    ]
    assert [r.number for r in pending] == ["2"] and none == []


def test_copying_an_unknown_agreement_is_refused(ctx: AppContext) -> None:
    with ctx.uow() as uow, pytest.raises(NotFound, match="Agreement 999 does not exist"):
        copy_to_next_period(uow, 999)


def test_next_year_keeps_the_day() -> None:
    assert next_year(date(2024, 2, 29)) == date(2025, 2, 28)
    assert next_year(date(2026, 12, 31)) == date(2027, 12, 31)


def test_a_lump_sum_is_copied_with_its_amount_and_dates(ctx: AppContext) -> None:
    import_example(ctx, "B_marginal", ("vendors",))
    with ctx.uow() as uow:
        view = agreements.save_agreement(
            uow, vendor="V100", kind="LUMP_SUM", status="ACCEPTED", lines=[],
            lump_sum=agreements.LumpSum(Decimal("12000"), date(2025, 1, 1), date(2025, 12, 31), "CD"),
        )  # fmt: skip
    with ctx.uow() as uow:
        copied = copy_to_next_period(uow, view.id)
    assert (copied.status, copied.lump_sum) == (
        "PENDING",
        agreements.LumpSum(Decimal("12000.00"), date(2026, 1, 1), date(2026, 12, 31), "CD"),
    )
