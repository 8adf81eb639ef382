"""Maintenance > Terms and Conditions (SPEC §11.1): administrators edit the template of each
kind; a new agreement of that kind starts with it; other roles cannot open the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services import security, terms
from app.services.context import AppContext
from app.ui.main import MainWindow
from app.ui.terms_templates import TermsTemplatesScreen
from tests.ui.conftest import make_env, show, wait_idle
from tests.ui.test_main_window import menu_actions


def test_an_administrator_edits_a_template_and_new_agreements_take_it(qtbot, env, ctx, example):
    example("B_marginal")
    screen = show(qtbot, TermsTemplatesScreen(env))
    screen.start()
    assert screen.kind_list.count() == 7 and screen.kind_list.item(0).text() == "Coop Advertising (COOP)"
    assert screen.editor.toPlainText() == terms.DEFAULT_TERMS["COOP"] and "Not saved yet" in screen.note.text()
    screen.editor.setPlainText("Our co-op terms, 2027 edition.")
    screen.kind_list.setCurrentRow(1)  # the edit is kept while another kind is shown
    assert screen.editor.toPlainText() == terms.DEFAULT_TERMS["VOLUME"]
    assert screen.is_dirty()
    qtbot.keyClick(screen.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert not screen.is_dirty()
    with ctx.uow() as uow:
        assert terms.template_text(uow, "COOP") == "Our co-op terms, 2027 edition."
        assert [t.stored for t in terms.list_templates(uow)] == [True] + [False] * 6


def test_only_administrators_see_the_entry(qtbot, ctx, tmp_path, example):
    example("B_marginal")
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
        security.save_user(uow, "maria", "MANAGER")
    for login, enabled in (("tester", True), ("maria", False)):
        environment = make_env(AppContext(ctx.engine, login), tmp_path, login)
        window = show(qtbot, MainWindow(environment))
        wait_idle(qtbot, environment)
        qtbot.waitUntil(lambda w=window: w.ready)
        window.update_access()
        assert menu_actions(window)["Maintenance"]["Terms and Conditions"].isEnabled() is enabled, login
        window.close()
