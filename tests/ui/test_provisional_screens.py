"""Maintenance › Provisional Rates (SPEC §12) keyed as a user would, and Reports › Provisional
Exposure: a rate typed in the grid and saved accrues the posted receipts at once; a bad rate
is shown on its row and cell and nothing is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt

from app.services import imports, posting, provisional
from app.services.context import AppContext
from app.ui.base import UiEnv
from app.ui.exposure import ExposureScreen
from app.ui.provisional import ProvisionalScreen
from tests.ui.conftest import press, show, type_cell, wait_idle

EXAMPLE_I = Path(__file__).parent.parent / "fixtures" / "part2" / "I_provisional"


def load(ctx: AppContext, kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        with ctx.uow() as uow:
            imports.import_file(uow, kind, EXAMPLE_I / f"{kind}.csv")


def test_a_rate_keyed_and_saved_accrues_the_posted_receipts(qtbot, ctx: AppContext, env: UiEnv) -> None:
    load(ctx, ("categories", "vendors", "products", "gl-accounts", "gl-reference", "receipts"))
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2025, 2, 5))
    screen = ProvisionalScreen(env)
    show(qtbot, screen)
    screen.start()
    panel = screen.rates
    press(qtbot, panel.view, Qt.Key.Key_Insert)
    type_cell(qtbot, panel.view, 0, "Kind", "COOP")
    type_cell(qtbot, panel.view, 0, "From", "2025-01-01")
    type_cell(qtbot, panel.view, 0, "To", "2025-12-31")
    type_cell(qtbot, panel.view, 0, "Rate %", "101")
    screen.save()
    wait_idle(qtbot, env)
    assert panel.problems.messages() == ["Row 1, rate: must be between 0 and 100 (got 101)"]
    with ctx.uow() as uow:
        assert provisional.list_rates(uow) == []
    type_cell(qtbot, panel.view, 0, "Rate %", "2")
    screen.save()
    wait_idle(qtbot, env)
    assert panel.problems.messages() == []
    with ctx.uow() as uow:
        rates = provisional.list_rates(uow)
    assert [(r.kind, r.cat1, r.rate) for r in rates] == [("COOP", "ALL", Decimal("2.0000"))]
    assert not panel.model.is_editable(0, panel.model.columns[0])  # a saved rate is read-only

    exposure = ExposureScreen(env)
    show(qtbot, exposure)
    exposure.as_of.setDate(exposure.as_of.date().fromString("2025-03-01", "yyyy-MM-dd"))
    exposure.refresh()
    assert [(r.vendor, r.kind, r.provisional) for r in exposure.rows] == [
        ("VP", "COOP", Decimal("300.00")),
        ("VQ", "COOP", Decimal("300.00")),
    ]
    assert exposure.total.text() == "2 vendors · provisional accrual 600.00"


def test_negotiation_preview_screen(qtbot, ctx: AppContext, env: UiEnv) -> None:
    from app.ui.negotiation import NegotiationScreen

    load(ctx, ("categories", "vendors", "products", "gl-accounts", "gl-reference", "provisional-rates", "receipts"))
    load(ctx, ("agreements",))
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2025, 2, 5))
    screen = NegotiationScreen(env)
    show(qtbot, screen)
    screen.start()
    screen.vendor_box.set_code("VP")
    assert screen.agreement_box.currentText() == "2025 (pending)"
    screen.date_from.setDate(screen.date_from.date().fromString("2025-01-01", "yyyy-MM-dd"))
    screen.date_to.setDate(screen.date_to.date().fromString("2025-12-31", "yyyy-MM-dd"))
    screen.refresh()
    assert screen.data is not None
    assert (screen.data.would_earn, screen.data.earns_now) == (Decimal("225.00"), Decimal("300.00"))
    assert screen.model.rowCount() == 1
    assert "would have earned 225.00" in screen.summary.text() and "difference of -75.00" in screen.summary.text()


def test_agreements_overview_opens_and_copies(qtbot, ctx: AppContext, env: UiEnv, example) -> None:  # type: ignore[no-untyped-def]
    from app.ui.agreements import AgreementScreen
    from app.ui.main import MainWindow
    from tests.ui.test_main_window import menu_actions

    example("B_marginal")
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["Maintenance"]["Agreements Overview"].trigger()
    screen = window.tabs.currentWidget()
    assert [(r.vendor, r.kind, r.number, r.status) for r in screen.rows] == [("V100", "COOP", "1", "ACCEPTED")]
    screen.view.setCurrentIndex(screen.view.model().index(0, 0))
    screen.copy_selected()  # the headless interaction confirms
    wait_idle(qtbot, env)
    opened = window.tabs.currentWidget()
    assert isinstance(opened, AgreementScreen) and opened.loaded_status == "PENDING"
    assert [(r.number, r.status, str(r.start)) for r in screen.rows] == [
        ("1", "ACCEPTED", "2026-01-01"),
        ("2", "PENDING", "2027-01-01"),
    ]
    screen.status.setCurrentIndex(screen.status.findData("PENDING"))
    assert [r.number for r in screen.rows] == ["2"]
