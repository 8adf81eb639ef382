"""The estimated rebate report for all vendors (one GROUP BY, the ladders read once) gives the
same rows as the per-vendor estimates the statements and the drill-down use."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import Vendor
from app.services.reports import estimated_rebates, keyed_estimates, ladder_estimates
from tests.integration.test_reports_pdf import load

CUTS = [(date(2026, 12, 31), None), (date(2026, 3, 15), None), (date(2026, 6, 30), date(2026, 2, 1)),
        (date(2025, 12, 31), None)]  # fmt: skip


@pytest.mark.parametrize("example", ["C_retro", "D_precedence", "E_product_pct", "G_periodic"])
def test_the_report_for_all_vendors_equals_the_per_vendor_estimates(db_url, ctx, example):
    load(db_url, example)
    with ctx.uow() as uow:
        session = uow.session
        vendors = list(session.scalars(select(Vendor).order_by(Vendor.code)))
        for as_of, date_from in CUTS:
            expected = {v.code: [row for _ladder, row in ladder_estimates(session, v, as_of, date_from)]
                        for v in vendors}  # fmt: skip
            every = estimated_rebates(uow, as_of, date_from=date_from)
            assert every == [row for v in vendors for row in expected[v.code]], (as_of, date_from)
            for v in vendors:
                assert estimated_rebates(uow, as_of, v.code, date_from) == expected[v.code]
        assert any(estimated_rebates(uow, date(2026, 12, 31)))
        assert estimated_rebates(uow, date(2026, 12, 31), "NO-SUCH-VENDOR") == []


def test_keyed_estimates_name_the_ladder_of_each_row(db_url, ctx):
    load(db_url, "D_precedence")
    with ctx.uow() as uow:
        session = uow.session
        expected = [(ladder.key, row) for v in session.scalars(select(Vendor).order_by(Vendor.code))
                    for ladder, row in ladder_estimates(session, v, date(2026, 12, 31))]  # fmt: skip
        assert len(expected) >= 2
        assert keyed_estimates(uow, date(2026, 12, 31)) == expected
