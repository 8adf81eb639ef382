"""The Home screen: the company, what is waiting, and buttons that follow the role."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from app.services import posting, security
from app.services.context import AppContext
from app.ui.main import MainWindow
from app.ui.receiving import ReceivingScreen
from tests.conftest import import_example
from tests.ui.conftest import make_env, show, wait_idle


def test_home_shows_drafts_and_accruals_and_opens_screens(qtbot, ctx, tmp_path):
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S1"])
    window = show(qtbot, MainWindow(make_env(ctx, tmp_path)))
    home = window.open_home()
    assert home.heading.text() == "Loading…"  # the figures are read in a worker
    wait_idle(qtbot, window.env)
    assert home.data.draft_slips == 2 and home.data.draft_lines == 2
    assert home.data.posted_lines == 1
    assert home.data.accrued == Decimal("500.00")
    assert home.data.accepted == {"COOP": 1}
    qtbot.mouseClick(home.buttons["Receiving Slips"], Qt.MouseButton.LeftButton)
    assert isinstance(window.tabs.currentWidget(), ReceivingScreen)


def test_home_buttons_follow_the_role(qtbot, ctx, tmp_path):
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
    with ctx.uow() as uow:
        security.save_user(uow, "carl", "CLERK")
    window = show(qtbot, MainWindow(make_env(AppContext(ctx.engine, "carl"), tmp_path)))
    home = window.open_home()
    assert home.buttons["Receiving Slips"].isEnabled()
    assert not home.buttons["Post draft slips"].isEnabled()
    assert not home.buttons["Estimated Rebates"].isEnabled()
    wait_idle(qtbot, window.env)
    assert home.data.accrued is None  # a clerk does not see report figures
