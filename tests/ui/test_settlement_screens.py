"""The settlement screens (SPEC §13–§14) on example M (and example L flagged actuals required):
a cheque through the invoice's Record Payment dialog, a refusal listed in the dialog with
nothing written, the dispute wizard's three pages, the Disputes screen accepting part of a
dispute and refusing a reject without reason, the Vendor Actuals screen submitting and
accepting, the company's settlement settings, the agreement header's Actuals required box."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from app.models import Agreement, Company, Dispute, Document
from app.services import actuals, agreements, disputes, month_close, posting
from app.services.context import AppContext
from app.services.imports import import_file
from app.services.invoice_views import invoice_by_number, invoice_views
from app.ui.actuals import ActualsScreen
from app.ui.base import UiEnv
from app.ui.company_settings import CompanySettingsDialog
from app.ui.dispute_wizard import DisputeWizard
from app.ui.disputes import OVERDUE_FG, DisputesScreen
from app.ui.invoice_detail import InvoiceDetailPanel
from app.ui.main import MainWindow
from app.ui.settlement_dialogs import ticked
from tests.conftest import EXAMPLES, import_example
from tests.integration.settlement_support import FEB, MAR, counts, example_m
from tests.ui.conftest import activate, make_env, show, wait_idle
from tests.ui.test_main_window import menu_actions

D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def anna(ctx: AppContext, tmp_path: Path, qapp) -> UiEnv:  # type: ignore[no-untyped-def]
    """Example M closed (three invoices), the screens used by anna, an accountant."""
    users = example_m(ctx)
    env = make_env(users["anna"], tmp_path, "anna")
    yield env
    env.runner.wait()


def state(ctx: AppContext, number: str) -> tuple[Decimal, str]:
    with ctx.uow() as uow:
        view = invoice_by_number(uow.session, number)
        assert view is not None
        return view.open_amount, view.status


def panel_on(qtbot, env: UiEnv, number: str) -> InvoiceDetailPanel:  # type: ignore[no-untyped-def]
    panel = InvoiceDetailPanel(env)
    show(qtbot, panel)
    panel.open_invoice(number)
    wait_idle(qtbot, env)
    return panel


def set_day(edit, day: date) -> None:  # type: ignore[no-untyped-def]
    edit.setDate(QDate(day.year, day.month, day.day))


def test_a_cheque_recorded_through_the_dialog_leaves_the_invoice_short_paid(qtbot, ctx, anna):
    panel = panel_on(qtbot, anna, FEB)
    assert "open <b>1,050.00</b> · <b>OPEN</b>" in panel.header.text()
    dialog = panel.record_payment()
    assert dialog is not None
    assert dialog.currency.text() == "CAD"
    assert ticked(dialog.invoices) == [FEB]  # the invoice opened, ticked; March's offered
    assert [dialog.invoices.item(i).text().split(" · ")[0] for i in range(dialog.invoices.count())] == [FEB, MAR]
    set_day(dialog.day, date(2026, 5, 10))
    qtbot.keyClicks(dialog.amount, "1,000.00")
    qtbot.keyClicks(dialog.reference, "CHQ-1001")
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, anna)
    assert state(ctx, FEB) == (D("50.00"), "SHORT_PAID")
    assert "open <b>50.00</b> · <b>SHORT_PAID</b>" in panel.header.text()
    assert panel.tabs.tabText(1) == "Settlements (1)"
    assert panel.settlements.text(0, "Applied") == "1,000.00"
    assert anna.interaction.messages == []  # type: ignore[attr-defined]


def test_a_cheque_is_undone_by_a_reversing_record_from_the_settlements_tab(qtbot, ctx, anna):
    """SPEC §14: a mistake is corrected by a reversing record, never an edit."""
    from app.services import settlement
    from app.services.context import AppContext as Ctx

    as_anna = Ctx(ctx.engine, user="anna")
    with as_anna.uow() as uow:
        settlement.record_payment(uow, "V100", date(2026, 5, 10), D("1000.00"), "CAD", "CHQ-1001", [FEB])
    panel = panel_on(qtbot, anna, FEB)
    assert panel.action_buttons["Reverse Settlement…"].isEnabled()
    dialog = panel.reverse_settlement()
    assert dialog is not None
    set_day(dialog.day, date(2026, 5, 12))
    qtbot.mouseClick(dialog.action, LEFT)  # no reason: refused in the dialog, nothing written
    wait_idle(qtbot, anna)
    assert dialog.isVisible() and state(ctx, FEB) == (D("50.00"), "SHORT_PAID")
    qtbot.keyClicks(dialog.reason, "cheque returned by the bank")
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, anna)
    assert state(ctx, FEB) == (D("1050.00"), "OPEN")
    assert panel.tabs.tabText(1) == "Settlements (2)"
    assert [panel.settlements.text(r, "Applied") for r in range(2)] == ["1,000.00", "-1,000.00"]


def test_a_refused_payment_is_listed_in_the_dialog_and_nothing_is_written(qtbot, ctx, anna):
    panel = panel_on(qtbot, anna, FEB)
    before = counts(ctx)
    dialog = panel.record_payment()
    assert dialog is not None
    set_day(dialog.day, date(2026, 5, 10))
    qtbot.keyClicks(dialog.amount, "1100.00")
    qtbot.keyClicks(dialog.reference, "CHQ-1001")
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, anna)
    assert dialog.problems.messages() == [
        "Vendor payment CHQ-1001, amount: 1,100.00 is more than the open 1,050.00 of CO-2602-V100-0001"
    ]
    assert dialog.isVisible() and dialog.amount.hasFocus()
    assert anna.interaction.messages == []  # type: ignore[attr-defined]  # no error box, no traceback
    assert counts(ctx) == before
    assert state(ctx, FEB) == (D("1050.00"), "OPEN")


def test_an_accountant_writing_off_above_the_tolerance_is_told_in_the_dialog(qtbot, ctx, anna):
    panel = panel_on(qtbot, anna, FEB)
    before = counts(ctx)
    dialog = panel.write_off()
    assert dialog is not None and dialog.amount.text() == "1050.00"  # the open amount
    qtbot.keyClicks(dialog.reason, "small balance")
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, anna)
    assert dialog.problems.messages() == [
        "Write Off: anna (Accountant) may not write off 1,050.00 of invoice CO-2602-V100-0001: above the company's "
        "tolerance of 5.00 only a manager or an administrator may; nothing was written"
    ]
    assert counts(ctx) == before


def wizard_on(qtbot, env: UiEnv) -> DisputeWizard:  # type: ignore[no-untyped-def]
    panel = panel_on(qtbot, env, FEB)
    wizard = panel.file_dispute()
    assert isinstance(wizard, DisputeWizard)
    qtbot.waitExposed(wizard)
    activate(qtbot, wizard)
    return wizard


def first_page(qtbot, wizard: DisputeWizard, amount: str = "100.00") -> None:  # type: ignore[no-untyped-def]
    wizard.first.reason.setCurrentText("PRICING")
    wizard.first.amount.setText(amount)
    set_day(wizard.first.day, date(2026, 3, 10))
    wizard.next()


def test_the_wizard_files_a_dispute_with_its_documents_and_shows_its_id(qtbot, ctx, anna, tmp_path):
    wizard = wizard_on(qtbot, anna)
    first_page(qtbot, wizard, "1100.00")  # more than open: stays on page 1
    assert wizard.currentPage() is wizard.first
    assert wizard.first.problems.messages() == [
        "Dispute of CO-2602-V100-0001, amount: 1,100.00 is more than the open 1,050.00 of CO-2602-V100-0001"
    ]
    first_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.details
    page = wizard.details
    qtbot.keyClicks(page.title_edit, "Wrong rate on S2")
    page.summary.setPlainText("The vendor says tier 2 was never reached.")
    assert page.add_document("proof.png", PNG)
    sheet = tmp_path / "figures.csv"
    sheet.write_text("slip,amount\nS2,550.00\n")
    anna.interaction.chosen_paths.append(str(sheet))  # type: ignore[attr-defined]
    page.choose_file()
    assert not page.add_document("tool.exe", b"MZ\x90\x00")  # refused, not listed
    assert page.problems.messages() == [
        "Dispute of CO-2602-V100-0001, attachment tool.exe: is an executable program; only PDF, PNG, JPEG, XLSX or "
        "CSV documents are accepted"
    ]
    assert page.listed() == [("proof.png", "PNG", "40 bytes"), ("figures.csv", "CSV", "22 bytes")]
    wizard.next()
    assert wizard.currentPage() is wizard.last
    review = wizard.last.review.text()
    for text in ("PRICING", "100.00 CAD", "2026-03-10", "Wrong rate on S2", "tier 2 was never reached", "figures.csv"):
        assert text in review
    assert not wizard.button(wizard.WizardButton.FinishButton).isVisible()
    wizard.button(wizard.WizardButton.CustomButton1).click()  # Submit
    wait_idle(qtbot, anna)
    assert wizard.last.outcome.text() == "Filed as Dispute ID DSP-2026-000001 · answer due by 2026-04-09"
    assert wizard.button(wizard.WizardButton.FinishButton).isEnabled()
    panel = wizard.parent()
    assert isinstance(panel, InvoiceDetailPanel) and panel.tabs.tabText(2) == "Disputes (1)"  # read again
    assert panel.disputes.text(0, "Dispute ID") == "DSP-2026-000001"
    with ctx.uow() as uow:
        row = uow.session.execute(select(Dispute.dispute_no, Dispute.reason, Dispute.amount, Dispute.title)).one()
        docs = uow.session.execute(select(Document.file_name, Document.content_type, Document.size)).all()
    assert tuple(row) == ("DSP-2026-000001", "PRICING", D("100.00"), "Wrong rate on S2")
    assert [tuple(d) for d in docs] == [("proof.png", "image/png", 40), ("figures.csv", "text/csv", 22)]


def test_an_empty_summary_blocks_next_and_submit_and_writes_nothing(qtbot, ctx, anna):
    before = counts(ctx)
    wizard = wizard_on(qtbot, anna)
    first_page(qtbot, wizard)
    qtbot.keyClicks(wizard.details.title_edit, "Wrong rate")
    wizard.next()
    assert wizard.currentPage() is wizard.details
    assert wizard.details.problems.messages() == ["Dispute of CO-2602-V100-0001, summary: is required"]
    assert wizard.details.summary.hasFocus()
    wizard.submit()  # the service refuses it as well
    wait_idle(qtbot, anna)
    assert wizard.last.problems.messages() == ["Dispute of CO-2602-V100-0001, summary: is required"]
    assert wizard.filed is None and anna.interaction.messages == []  # type: ignore[attr-defined]
    assert counts(ctx) == before


def file(ctx: AppContext, amount: str, day: date = date(2026, 3, 10)) -> str:
    with AppContext(ctx.engine, "anna").uow() as uow:
        view = disputes.file_dispute(uow, FEB, "RATE", D(amount), "Rate", "Tier 2 not reached", [], day)
    return view.dispute_no


def test_the_disputes_screen_accepts_part_of_a_dispute(qtbot, ctx, anna):
    number = file(ctx, "100.00")
    screen = DisputesScreen(anna)
    screen.today = date(2026, 4, 20)  # past the deadline of 2026-04-09
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, anna)
    names = ("Dispute ID", "Invoice", "Vendor", "Reason", "Amount", "Deadline", "Overdue", "Status")
    assert [screen.view.shown(0, n) for n in names] == [
        number,
        FEB,
        "V100",
        "RATE",
        "100.00",
        "2026-04-09",
        "OVERDUE",
        "OPEN",
    ]
    assert screen.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_FG
    screen.select(number)
    assert screen.accept_button.isEnabled()
    before = counts(ctx)
    reject = screen.reject_selected()
    assert reject is not None
    qtbot.mouseClick(reject.action, LEFT)  # no reason
    wait_idle(qtbot, anna)
    assert reject.problems.messages() == [f"Dispute {number}, reason: is required"]
    assert counts(ctx) == before
    reject.close()
    dialog = screen.accept_selected()
    assert dialog is not None and dialog.amount is not None and dialog.amount.text() == "100.00"
    dialog.amount.setText("40.00")
    set_day(dialog.day, date(2026, 4, 20))
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, anna)
    assert [screen.view.shown(0, n) for n in ("Dispute ID", "Status", "Credited", "Answered", "Overdue")] == [
        number,
        "ACCEPTED",
        "40.00",
        "2026-04-20",
        "",
    ]
    assert state(ctx, FEB) == (D("1010.00"), "SHORT_PAID")


@pytest.fixture
def held(ctx: AppContext, tmp_path: Path) -> AppContext:
    """As tests/integration/test_actuals.py: example L's agreement flagged actuals required, S2
    and S3 posted, March closed: one HELD invoice of 900.00."""
    import_example(ctx, "L_invoices")
    flagged = tmp_path / "agreements.csv"
    rows = (EXAMPLES / "L_invoices" / "agreements.csv").read_text().splitlines()
    flagged.write_text("\n".join([rows[0] + ",actuals_required"] + [r + ",Y" for r in rows[1:]]) + "\n")
    with ctx.uow() as uow:
        import_file(uow, "agreements", flagged)
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S2", "S3"], today=date(2026, 3, 1))
    month_close.close_month(ctx, "2026-03", date(2026, 4, 1))
    return ctx


def test_the_actuals_screen_submits_and_accepts(qtbot, held, env):
    screen = ActualsScreen(env)
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, env)
    dialog = screen.submit()
    assert (dialog.vendor.text(), dialog.kind.currentData(), dialog.number.text()) == ("V100", "COOP", "1")
    qtbot.keyClicks(dialog.month, "2026-03")
    qtbot.keyClicks(dialog.amount, "875.50")
    qtbot.keyClicks(dialog.comment, "our figures")
    dialog.add_attachment(("proof.png", PNG))
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, env)
    names = ("Vendor", "Agreement", "Month", "Amount", "Documents", "Status")
    assert [screen.view.shown(0, n) for n in names] == ["V100", "1", "2026-03", "875.50", "1", "SUBMITTED"]
    screen.select_row(0)
    assert screen.accept_button.isEnabled()
    accept = screen.decide("ACCEPTED")
    assert accept is not None
    qtbot.mouseClick(accept.action, LEFT)
    wait_idle(qtbot, env)
    assert screen.view.shown(0, "Status") == "ACCEPTED"
    with held.uow() as uow:
        (view,) = invoice_views(uow.session)
        assert (view.balance.billed, view.status) == (D("875.50"), "OPEN")
        assert [a.status for a in actuals.actual_views(uow)] == ["ACCEPTED"]


def test_a_bad_actual_is_listed_in_the_dialog(qtbot, held, env):
    screen = ActualsScreen(env)
    show(qtbot, screen)
    dialog = screen.submit()
    qtbot.keyClicks(dialog.month, "2026-3")
    qtbot.keyClicks(dialog.amount, "875.50")
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, env)
    assert dialog.problems.messages() == [
        "Actual of COOP agreement 1 for 2026-3, month: must be YYYY-MM (e.g. 2025-02)"
    ]
    assert dialog.month.hasFocus()
    with held.uow() as uow:
        assert actuals.actual_views(uow) == []


def test_the_company_settings_dialog_saves(qtbot, ctx, env):
    dialog = CompanySettingsDialog(env)
    show(qtbot, dialog)
    assert (dialog.tolerance.text(), dialog.window_days.value()) == ("5.00", 60)
    dialog.remit_to.setPlainText("Bank of Montreal\nTransit 00012, account 1234567")
    dialog.tolerance.setText("")
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, env)
    assert dialog.problems.messages() == [
        "Company, write_off_tolerance: must be an amount of 0.00 or more (2 decimals)"
    ]
    with ctx.uow() as uow:
        assert uow.session.get(Company, 1) is None or uow.session.get(Company, 1).remit_to == ""  # type: ignore[union-attr]
    dialog.tolerance.setText("10.00")
    dialog.window_days.setValue(90)
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        row = uow.session.get(Company, 1)
        assert row is not None
        assert (row.remit_to, row.write_off_tolerance, row.dispute_window_days) == (
            "Bank of Montreal\nTransit 00012, account 1234567", D("10.00"), 90,
        )  # fmt: skip


def test_actuals_required_is_ticked_on_the_agreement_header_and_kept_in_history(
    open_agreements, example, qtbot, env, ctx
):
    example("B_marginal")  # V100's COOP agreement 1, accepted
    screen = open_agreements("COOP", vendor="V100")
    box = screen.header_panel.actuals
    assert box.isEnabled() and not box.isChecked()
    box.click()
    assert screen.is_dirty()
    qtbot.keyClick(screen.group_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert screen.problems.messages() == []
    with ctx.uow() as uow:
        assert uow.session.scalars(select(Agreement.actuals_required)).all() == [True]
        changes = agreements.history(uow, screen.agreement_id, field="Actuals Required")
    assert [(h.old_value, h.new_value, h.user) for h in changes] == [("N", "Y", "tester"), (None, "N", "tester")]
    assert screen.header_panel.actuals.isChecked() and not screen.is_dirty()


def test_company_settings_are_for_administrators(qtbot, ctx, anna, tmp_path):
    window = show(qtbot, MainWindow(anna))
    menus = menu_actions(window)
    assert not menus["Maintenance"]["Company Settings…"].isEnabled()
    assert menus["Settlement"]["Disputes"].isEnabled() and menus["Settlement"]["Vendor Actuals"].isEnabled()
    wait_idle(qtbot, anna)
    root = make_env(AppContext(ctx.engine, "root"), tmp_path, "root")
    window2 = show(qtbot, MainWindow(root))
    assert menu_actions(window2)["Maintenance"]["Company Settings…"].isEnabled()
    wait_idle(qtbot, root)
