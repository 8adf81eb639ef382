"""Receiving slip entry: enter, preview, save as draft, post, journal (SPEC §6.2, §10 B)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from app.services import queries
from app.services.reports import journal_rows
from app.ui.receiving import ReceivingScreen
from tests.ui.conftest import MASTER, choose_vendor, click_cell, press, show, type_cell, wait_idle


def open_receiving(qtbot, env, vendor="V100", day="2026-02-01"):
    screen = ReceivingScreen(env)
    show(qtbot, screen)
    screen.start()
    choose_vendor(qtbot, screen.vendor_box, vendor)
    screen.received.setFocus()
    screen.received.setSelectedSection(screen.received.Section.YearSection)
    qtbot.keyClicks(screen.received, day.replace("-", ""))
    assert screen.received.date().toString("yyyy-MM-dd") == day
    return screen


def enter_line(qtbot, screen, row, product, quantity):
    screen.view.setFocus()
    qtbot.keyClick(screen.view, Qt.Key.Key_Insert)
    type_cell(qtbot, screen.view, row, "Product", product)
    type_cell(qtbot, screen.view, row, "Quantity", quantity)


def cell(model, row, column):
    return model.index(row, model.column_index(column)).data()


def test_a_posted_slip_accrues_500_on_25000(qtbot, env, ctx, example):
    example("B_marginal")
    screen = open_receiving(qtbot, env)
    assert screen.slip_no.text() == "R000001"
    enter_line(qtbot, screen, 0, "GYP-OTHER", "25000")
    assert cell(screen.lines, 0, "Unit Cost") == "1.00"  # the product's cost
    assert cell(screen.lines, 0, "Extended") == "25,000.00"
    assert "Total 25,000.00" in screen.total_label.text()
    qtbot.waitUntil(lambda: screen.preview_model.rowCount() == 1)
    preview = screen.preview_model
    assert (cell(preview, 0, "Kind"), cell(preview, 0, "Rate %"), cell(preview, 0, "Rebate")) == (
        "COOP",
        "2.000",
        "500.00",
    )
    assert cell(preview, 0, "Net Unit Cost") == "1.0000"
    with ctx.uow() as uow:
        assert queries.slips(uow) == []  # a preview writes nothing
    qtbot.mouseClick(screen.post_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert env.interaction.messages == []
    with ctx.uow() as uow:
        rows = [r for r in journal_rows(uow) if r["slip_no"] == "R000001"]
    lines = {(r["source"], r["account_role"]): (r["debit"], r["credit"]) for r in rows}
    assert lines[("ACCRUAL", "REBATE_RECEIVABLE")] == (Decimal("500.00"), Decimal("0.00"))
    assert lines[("ACCRUAL", "ADVERTISING")] == (Decimal("0.00"), Decimal("500.00"))
    assert lines[("RECEIPT", "INVENTORY")] == (Decimal("25000.00"), Decimal("0.00"))
    assert lines[("RECEIPT", "RECEIVED_NOT_INVOICED")] == (Decimal("0.00"), Decimal("25000.00"))
    # The screen now shows the posted slip, read-only, with its journal entries.
    assert screen.status == "POSTED" and screen.lines.read_only
    assert not screen.lines.flags(screen.lines.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    journal = screen.journal_model
    shown = {
        (cell(journal, r, "Source"), cell(journal, r, "Role"), cell(journal, r, "Debit"), cell(journal, r, "Credit"))
        for r in range(journal.rowCount())
    }
    assert ("ACCRUAL", "REBATE_RECEIVABLE", "500.00", "") in shown
    assert ("RECEIPT", "INVENTORY", "25,000.00", "") in shown
    assert screen.bottom.currentIndex() == 1


def test_slip_saved_as_draft_then_reopened_and_posted(qtbot, env, ctx, example):
    example("B_marginal")
    screen = open_receiving(qtbot, env)
    enter_line(qtbot, screen, 0, "GYP-OTHER", "25000")
    enter_line(qtbot, screen, 1, "GYP-OTHER", "20000")
    type_cell(qtbot, screen.view, 1, "Unit Cost", "1.00")
    press(qtbot, screen.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert screen.status == "DRAFT"
    with ctx.uow() as uow:
        assert [(s.slip_no, s.status, s.lines, s.total) for s in queries.slips(uow)] == [
            ("R000001", "DRAFT", 2, Decimal("45000.00"))
        ]
    qtbot.waitUntil(lambda: screen.preview_model.rowCount() == 2)
    assert [cell(screen.preview_model, r, "Rebate") for r in range(2)] == ["500.00", "550.00"]
    screen.new_slip()
    assert screen.slip_no.text() == "R000002" and screen.lines.rowCount() == 0
    screen.slip_box.setCurrentIndex(screen.slip_box.findData("R000001"))
    screen._slip_chosen(screen.slip_box.currentIndex())
    assert screen.lines.rowCount() == 2
    qtbot.mouseClick(screen.post_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        accrued = sum(
            r["debit"] for r in journal_rows(uow, source="ACCRUAL") if r["account_role"] == "REBATE_RECEIVABLE"
        )
    assert accrued == Decimal("1050.00")


def test_bad_lines_are_highlighted_and_not_saved(qtbot, env, ctx, example):
    example("B_marginal")
    screen = open_receiving(qtbot, env)
    enter_line(qtbot, screen, 0, "NOSUCH", "5")
    screen.view.setFocus()
    qtbot.keyClick(screen.view, Qt.Key.Key_Insert)
    type_cell(qtbot, screen.view, 1, "Product", "GYP-OTHER")
    press(qtbot, screen.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    tip = Qt.ItemDataRole.ToolTipRole
    assert "does not exist" in screen.lines.index(0, screen.lines.column_index("Product")).data(tip)
    assert "cannot be 0" in screen.lines.index(1, screen.lines.column_index("Quantity")).data(tip)
    with ctx.uow() as uow:
        assert queries.slips(uow) == []


def test_lines_beyond_the_limits_are_shown_with_their_field_and_not_saved(qtbot, env, ctx, example):
    """The limits of app.domain.limits, through the screen's own validation display."""
    example("B_marginal")
    screen = open_receiving(qtbot, env)
    enter_line(qtbot, screen, 0, "GYP-OTHER", "2000000")
    enter_line(qtbot, screen, 1, "GYP-OTHER", "10000")
    type_cell(qtbot, screen.view, 1, "Unit Cost", "99999999.99")
    press(qtbot, screen.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert screen.problems.messages() == [
        "Line 1, Quantity: is too large: must be between -1,000,000 and 1,000,000 (got 2000000)",
        "Line 2, Quantity: quantity x unit cost is too large: must be between -100,000,000.00 and "
        "100,000,000.00 per line (got 999,999,999,900.00)",
    ]
    tip = Qt.ItemDataRole.ToolTipRole
    quantity = screen.lines.column_index("Quantity")
    assert "must be between -1,000,000 and 1,000,000" in screen.lines.index(0, quantity).data(tip)
    assert "quantity x unit cost is too large" in screen.lines.index(1, quantity).data(tip)
    assert screen.status == "NEW"
    with ctx.uow() as uow:
        assert queries.slips(uow) == []


def test_posting_without_gl_reference_names_the_missing_roles(qtbot, env, ctx, example):
    example("B_marginal", kinds=("categories", "vendors", "products", "gl-accounts", "agreements"))
    screen = open_receiving(qtbot, env)
    enter_line(qtbot, screen, 0, "GYP-OTHER", "100")
    click_cell(qtbot, screen.view, 0, "Quantity")
    qtbot.mouseClick(screen.post_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    errors = env.interaction.of_kind("error")
    assert len(errors) == 1
    assert "INVENTORY" in errors[0].text and "RECEIVED_NOT_INVOICED" in errors[0].text
    # save and post are one unit of work: nothing was saved, the entry is still on screen
    with ctx.uow() as uow:
        assert journal_rows(uow) == []
        assert queries.slips(uow) == []
    assert screen.status != "POSTED" and screen.lines.dirty
    assert cell(screen.lines, 0, "Product") == "GYP-OTHER"
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)  # it can still be kept as a draft
    wait_idle(qtbot, env)
    qtbot.waitUntil(lambda: screen.status == "DRAFT")
    with ctx.uow() as uow:
        assert [s.status for s in queries.slips(uow)] == ["DRAFT"]


def test_product_lookup_lists_only_the_vendors_products(qtbot, env, example, ctx):
    from app.services import masterdata

    example("B_marginal", kinds=MASTER)
    with ctx.uow() as uow:
        masterdata.save_vendors(uow, [masterdata.VendorIn("V200", "Other vendor")])
    with ctx.uow() as uow:
        masterdata.save_products(uow, [masterdata.ProductIn("OTHER-1", "x", "V200", ("LUMBER", None, None, None))])
    screen = open_receiving(qtbot, env)
    assert sorted(screen.lines.products) == ["GYP-HALF-4X8", "GYP-OTHER", "SPF-2X4-8"]
    assert screen._completions(None) == ["GYP-HALF-4X8", "GYP-OTHER", "SPF-2X4-8"]


def test_enter_and_tab_skip_the_read_only_description(qtbot, env, ctx, example):
    """Issue 17: from Product, Enter and Tab go to Quantity (Description is read-only), then
    Unit Cost; Shift+Tab comes back over Description to Product."""
    example("B_marginal", kinds=("categories", "vendors", "products", "gl-accounts", "gl-reference"))
    screen = open_receiving(qtbot, env)
    view = screen.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    model = screen.lines

    def at() -> str:
        return str(model.columns[view.currentIndex().column()].name)

    view.setCurrentIndex(model.index(0, model.column_index("Product")))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert at() == "Quantity"
    view.setCurrentIndex(model.index(0, model.column_index("Product")))
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert at() == "Quantity"
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert at() == "Unit Cost"
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert at() == "Product"
