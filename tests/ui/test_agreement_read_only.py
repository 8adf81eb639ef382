"""A clerk views agreements (SPEC §1) but cannot change them: the screen opens read-only."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.models import AgreementLine
from app.services import security
from app.services.context import AppContext
from app.ui.main import MainWindow
from tests.ui.conftest import click_cell, make_env, show


def test_a_clerk_opens_the_agreement_read_only(qtbot, ctx, tmp_path, open_agreements, example):
    example("B_marginal")
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
    with ctx.uow() as uow:
        security.save_user(uow, "carl", "CLERK")
    clerk = make_env(AppContext(ctx.engine, "carl"), tmp_path, "carl")
    window = show(qtbot, MainWindow(clerk))
    menu = {
        a.text().replace("&", ""): a for top in window.menuBar().actions() if top.menu() for a in top.menu().actions()
    }
    assert menu["Coop Advertising Agreements"].isEnabled()  # every role may look
    assert not menu["Users"].isEnabled()

    screen = open_agreements("COOP", vendor="V100", environment=clerk)
    assert screen.read_only and "Read only" in screen.read_only_label.text()
    assert [row["Maximum Amount"] for row in screen.group.rows] == [
        Decimal("30000.00"),
        Decimal("50000.00"),
        Decimal("999999999.00"),
    ]
    assert not screen.save_button.isEnabled() and not screen.group_panel.add_button.isEnabled()
    view = screen.group_view
    click_cell(qtbot, view, 0, "Rebate 1")
    index = view.currentIndex()
    assert not (screen.group.flags(index) & Qt.ItemFlag.ItemIsEditable)
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.keyClick(screen, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(screen.group.rows) == 3
    assert clerk.interaction.messages == []  # no refusal on the way: viewing is allowed
    with ctx.uow() as uow:
        rates = sorted(uow.session.scalars(select(AgreementLine.rebate1)))
    assert rates == [Decimal("2.0000"), Decimal("3.0000"), Decimal("3.5000")]


def test_a_manager_edits_the_same_agreement(ctx, tmp_path, open_agreements, example):
    example("B_marginal")
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
    with ctx.uow() as uow:
        security.save_user(uow, "mia", "MANAGER")
    screen = open_agreements(
        "COOP", vendor="V100", environment=make_env(AppContext(ctx.engine, "mia"), tmp_path, "mia")
    )
    assert not screen.read_only and screen.save_button.isEnabled() and screen.read_only_label.text() == ""
