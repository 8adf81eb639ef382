"""SPEC §17 example I through the agreement screen, on SQLite and PostgreSQL: accepting VP's
COOP agreement on the screen trues up the provisional accruals (RERATE) with no other action."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from app.services import imports, posting
from app.services.context import AppContext
from app.services.reports import journal_rows
from tests.integration.test_provisional import EXAMPLE_I, SETUP
from tests.ui.test_agreement_lifecycle import choose_status, db_url, save  # noqa: F401  (db_url: both backends)


def test_accepting_on_the_screen_trues_up_the_provisional_accruals(open_agreements, qtbot, env, ctx: AppContext):
    for kind in (*SETUP, "receipts", "agreements"):
        with ctx.uow() as uow:
            imports.import_file(uow, kind, EXAMPLE_I / f"{kind}.csv")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2025, 2, 5))
    screen = open_agreements("COOP", vendor="VP")
    assert screen.loaded_status == "PENDING"
    choose_status(qtbot, screen, "ACCEPTED")
    save(qtbot, screen, env)
    assert screen.problems.messages() == []
    net: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    with ctx.uow() as uow:
        for row in journal_rows(uow):
            if row["source"] == "RERATE":
                net[(row["slip_no"], row["account_role"])] += row["debit"] - row["credit"]
    assert dict(net) == {
        ("P1-VP", "REBATE_RECEIVABLE"): Decimal("-50.00"),
        ("P1-VP", "ADVERTISING"): Decimal("50.00"),
        ("P2-VP", "REBATE_RECEIVABLE"): Decimal("-25.00"),
        ("P2-VP", "ADVERTISING"): Decimal("25.00"),
    }
    with ctx.uow() as uow:
        assert posting.rerate(uow) == 0
