"""The Vendor Invoices and Payment Run screens (SPEC §15–§16) on example N: an invoice keyed
with a held line, the held line resolved by a credit note, the payment run previewed, run and
its remittance advice written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt

from app.services import month_close, posting
from app.ui.payables import PaymentRunScreen, VendorInvoicesScreen
from tests.conftest import import_example
from tests.ui.conftest import show, wait_idle

D = Decimal
LEFT = Qt.MouseButton.LeftButton


def set_day(edit, day: date) -> None:  # type: ignore[no-untyped-def]
    edit.setDate(QDate(day.year, day.month, day.day))


def test_key_an_invoice_resolve_a_held_line_and_run_the_payments(qtbot, ctx, env, tmp_path: Path):
    import_example(ctx, "N_payment_run")
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 2, 2))
    month_close.close_month(ctx, "2026-01", date(2026, 2, 1))
    screen = VendorInvoicesScreen(env)
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, env)
    dialog = screen.enter()
    qtbot.keyClicks(dialog.vendor, "V100")
    qtbot.keyClicks(dialog.number, "AP-1")
    set_day(dialog.invoice_date, date(2026, 1, 16))
    set_day(dialog.due_date, date(2026, 2, 15))
    qtbot.keyClicks(dialog.slip, "s1")  # Fill from Slip: the slip's lines left to invoice
    qtbot.mouseClick(dialog.fill_button, LEFT)
    wait_idle(qtbot, env)
    grid = dialog.grid
    assert [[grid.text(r, c) for c in range(5)] for r in range(grid.rowCount())] == [
        ["S1", "1", "GYP-OTHER", "12000", "1.00"], ["", "", "", "", ""]
    ]  # fmt: skip
    assert (grid.currentRow(), grid.currentColumn()) == (0, 3)
    for col, text in enumerate(("S2", "1", "GYP-HALF-4X8", "1O0", "2.50")):  # a letter O typed for a zero
        grid.item(1, col).setText(text)
    assert grid.rowCount() == 3  # a new empty row below the last filled one
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, env)
    assert dialog.problems.messages() == ["line 2, quantity: is required"]
    assert (grid.currentRow(), grid.currentColumn()) == (1, 3)  # the refusal goes to the cell
    grid.item(1, 3).setText("100")
    qtbot.mouseClick(dialog.action, LEFT)
    wait_idle(qtbot, env)
    wait_idle(qtbot, env)
    assert [(r.line_no, r.state, r.defect) for r in screen.model.records] == [
        (1, "MATCHED", None), (2, "HELD", "COST_MISMATCH")
    ]  # fmt: skip
    assert screen.summary.text() == "2 lines · 1 held"
    screen.view.setCurrentIndex(screen.view.model().index(1, 0))
    assert screen.resolve_button.isEnabled()
    resolve = screen.resolve()
    assert resolve is not None
    set_day(resolve.day, date(2026, 2, 1))
    qtbot.mouseClick(resolve.action, LEFT)  # no note: refused in the dialog
    wait_idle(qtbot, env)
    assert resolve.problems.messages() and "note" in resolve.problems.messages()[0]
    resolve.resolution.setCurrentIndex(resolve.resolution.findData("CREDIT_NOTE"))
    qtbot.keyClicks(resolve.note, "CN-77")
    qtbot.mouseClick(resolve.action, LEFT)
    wait_idle(qtbot, env)
    wait_idle(qtbot, env)
    assert [r.state for r in screen.model.records] == ["MATCHED", "RESOLVED"]

    run = PaymentRunScreen(env)
    show(qtbot, run)
    set_day(run.day, date(2026, 2, 15))
    run.preview()
    wait_idle(qtbot, env)
    (row,) = run.model.records
    assert (row.payment.gross, row.payment.deducted, row.payment.net) == (D("12000.00"), D("240.00"), D("11760.00"))
    assert run.summary.text() == "1 vendor to pay (preview) · net 11,760.00"
    env.runner.interaction.answers.append(True)  # type: ignore[attr-defined]
    run.run()
    wait_idle(qtbot, env)
    assert run.summary.text() == "1 vendor paid · net 11,760.00"
    run.write_remittances(str(tmp_path / "remit"))
    wait_idle(qtbot, env)
    assert sorted(p.name for p in (tmp_path / "remit").iterdir()) == [
        "remittance-2026-02-15-V100.csv", "remittance-2026-02-15-V100.pdf"
    ]  # fmt: skip


def test_enter_invoice_grid_insert_keeps_the_lines_and_fill_adds_below(qtbot, ctx, env):
    """Ins adds an empty row above the current one without blanking it; Fill from Slip adds the
    slip's lines below those typed; a slip of another vendor than the one typed is refused."""
    import_example(ctx, "N_payment_run")
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 2, 2))
    screen = VendorInvoicesScreen(env)
    show(qtbot, screen)
    dialog = screen.enter()
    grid = dialog.grid
    for col, text in enumerate(("S2", "1", "GYP-HALF-4X8", "100", "2.00")):
        grid.item(0, col).setText(text)
    grid.setCurrentCell(0, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Insert)
    rows = [[grid.text(r, c) for c in range(5)] for r in range(grid.rowCount())]
    assert rows[:2] == [["", "", "", "", ""], ["S2", "1", "GYP-HALF-4X8", "100", "2.00"]]
    qtbot.keyClicks(dialog.slip, "S1")
    qtbot.mouseClick(dialog.fill_button, LEFT)
    wait_idle(qtbot, env)
    assert [[grid.text(r, c) for c in range(5)] for r in range(grid.rowCount())][1:] == [
        ["S2", "1", "GYP-HALF-4X8", "100", "2.00"], ["S1", "1", "GYP-OTHER", "12000", "1.00"], ["", "", "", "", ""]
    ]  # fmt: skip
    assert dialog.vendor.text() == "V100" and grid.currentRow() == 2
    dialog.vendor.setText("V999")
    qtbot.mouseClick(dialog.fill_button, LEFT)
    wait_idle(qtbot, env)
    assert dialog.problems.messages() == ["Slip S1, slip_no: slip S1 is of vendor V100, not V999"]
    assert grid.rowCount() == 4  # nothing added
