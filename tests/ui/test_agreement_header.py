"""The agreement screen's header, decision, Terms tab and Confirmation button (SPEC §11.1,
issue 14): typed into the screen, saved through the service, shown again when reopened."""

from __future__ import annotations

from datetime import date

from pypdf import PdfReader
from PySide6.QtCore import Qt

from app.services import agreements, terms
from tests.ui.conftest import type_cell, wait_idle


def save(qtbot, screen, env) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(screen.group_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)


def test_a_new_agreement_with_header_and_terms_from_the_screen(open_agreements, example, qtbot, env, ctx):
    example("B_marginal")
    screen = open_agreements("VOLUME", vendor="V100")  # V100 has no VOLUME agreement: a new one
    assert screen.agreement_id is None
    assert screen.terms.text() == terms.DEFAULT_TERMS["VOLUME"] and not screen.terms.editor.isReadOnly()
    panel = screen.header_panel
    qtbot.keyClicks(panel.description, "Volume 2026")
    qtbot.keyClicks(panel.vendor_ref, "NG-77")
    qtbot.keyClicks(panel.start, "2026-04-01")
    qtbot.keyClicks(panel.end, "2026-09-30")
    screen.terms.editor.setPlainText("Volume terms for V100.")
    screen.group_view.setFocus()
    qtbot.keyClick(screen.group_view, Qt.Key.Key_Insert)  # the first line takes the header's dates
    for column, text in (("CAT1", "GYPSUM"), ("Maximum Amount", "999999999"), ("Rebate 1", "1.5")):
        type_cell(qtbot, screen.group_view, 0, column, text)
    assert (screen.group.rows[0]["Start Date"], screen.group.rows[0]["End Date"]) == (
        date(2026, 4, 1),
        date(2026, 9, 30),
    )
    save(qtbot, screen, env)
    assert screen.agreement_id is not None, screen.problems.messages()
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, screen.agreement_id)
    assert (view.description, view.vendor_ref, view.start, view.end, view.terms) == (
        "Volume 2026",
        "NG-77",
        date(2026, 4, 1),
        date(2026, 9, 30),
        "Volume terms for V100.",
    )
    assert not screen.is_dirty()


def test_an_accepted_agreement_shows_who_accepted_it_and_read_only_terms(
    open_agreements, example, qtbot, env, ctx, tmp_path
):
    example("B_marginal")  # V100's COOP agreement 1, accepted by the import of "tester"
    screen = open_agreements("COOP", vendor="V100")
    today = date.today().isoformat()
    assert screen.header_panel.decision.text() == f"Accepted by tester on {today}"
    assert screen.terms.editor.isReadOnly() and "Read only" in screen.terms.note.text()
    out = tmp_path / "confirmation.pdf"
    env.interaction.chosen_paths.append(str(out))
    screen.confirmation_button.click()
    wait_idle(qtbot, env)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Agreement confirmation" in text and f"Accepted by tester on {today}" in text


def test_a_bad_header_date_is_named_and_nothing_is_saved(open_agreements, example, qtbot, env, ctx):
    example("B_marginal")
    screen = open_agreements("COOP", vendor="V100")
    version = screen.version
    qtbot.keyClicks(screen.header_panel.start, "2026-13-01")
    save(qtbot, screen, env)
    assert screen.problems.messages() == ["Agreement, Start Date: '2026-13-01' is not a date (YYYY-MM-DD)"]
    with ctx.uow() as uow:
        assert agreements.load_agreement(uow, screen.agreement_id).version == version
