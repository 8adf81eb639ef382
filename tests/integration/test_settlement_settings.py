"""The company's settlement settings (SPEC §13–§14): remit-to, write-off tolerance (default
5.00), dispute filing window (default 60 days); bad values refused, nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.services import masterdata
from app.services.errors import ValidationFailed


def settings(ctx):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        row = masterdata.company(uow)
        return row.remit_to, row.write_off_tolerance, row.dispute_window_days


def test_defaults_then_set_and_refused(ctx):
    with ctx.uow() as uow:
        masterdata.set_company(uow, "Co", "CAD")
    assert settings(ctx) == ("", Decimal("5.00"), 60)
    with ctx.uow() as uow:
        masterdata.set_settlement_terms(uow, "Bank 001, account 42", Decimal("10.00"), 45)
    assert settings(ctx) == ("Bank 001, account 42", Decimal("10.00"), 45)
    for tolerance, days, field in ((Decimal("-1"), 45, "write_off_tolerance"), (Decimal("1.001"), 45,
                                    "write_off_tolerance"), (Decimal(1), 0, "dispute_window_days")):  # fmt: skip
        with ctx.uow() as uow, pytest.raises(ValidationFailed, match=field):
            masterdata.set_settlement_terms(uow, "x", tolerance, days)
    assert settings(ctx) == ("Bank 001, account 42", Decimal("10.00"), 45)
