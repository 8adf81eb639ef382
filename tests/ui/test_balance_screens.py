"""Settlement › Vendor Balances and Settlement › Provisions (SPEC §15) on example O, and the
debit-balance card on Home: the balances of a day with the debit-balance flag, the documents
behind a vendor's balance, a provision run from the screen."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QDate

from app.ui.main import MainWindow
from app.ui.provisions import ProvisionsScreen
from app.ui.vendor_balances import VendorBalancesScreen
from tests.integration.payables_support import FEB_INVOICE, example_o
from tests.ui.conftest import make_env, show, wait_idle

D = Decimal


def test_vendor_balances_flag_the_debit_balance_and_drill_down(qtbot, ctx, tmp_path):
    example_o(ctx)
    env = make_env(ctx, tmp_path)
    screen = show(qtbot, VendorBalancesScreen(env))
    screen.day.setDate(QDate(2025, 3, 17))
    screen.refresh()
    wait_idle(qtbot, env)
    assert [screen.view.shown(0, c) for c in ("Vendor", "Receivable", "Payable", "Provision", "Flag")] == [
        "VR", "6,000.00", "4,500.00", "0.00", "Debit balance"
    ]  # fmt: skip
    assert screen.summary.text() == "1 vendor · 1 in debit balance (the vendor owes more than we owe it)"
    screen.open_vendor(screen.model.records[0])
    wait_idle(qtbot, env)
    assert [(c.invoice_no, c.open) for c in screen.coop.records] == [(FEB_INVOICE, D("5000.00"))]
    assert [(v.invoice_no, v.open) for v in screen.vendor_invoices.records] == [("AP-1", D("4000.00"))]
    assert screen.provisions.records == []
    env.runner.wait()


def test_provisions_run_from_the_screen_and_home_counts_debit_balances(qtbot, ctx, tmp_path):
    example_o(ctx)
    window = show(qtbot, MainWindow(make_env(ctx, tmp_path)))
    home = window.open_home()
    wait_idle(qtbot, window.env)
    assert home.debit_balances == 1  # today VR still owes 1,500.00 more than we owe it
    screen = window.open_provisions()
    assert isinstance(screen, ProvisionsScreen)
    wait_idle(qtbot, window.env)  # its first read of the list
    screen.day.setDate(QDate(2025, 3, 17))
    screen.run()
    wait_idle(qtbot, window.env)
    assert [(p.name, p.vendor_code, p.amount, p.reversal) for p in screen.model.records] == [
        ("250317_PROVISION_FOR_RECEIVABLES", "VR", D("1500.00"), False)
    ]
    balances = window.open_vendor_balances()
    wait_idle(qtbot, window.env)
    balances.day.setDate(QDate(2025, 3, 17))
    balances.refresh()
    wait_idle(qtbot, window.env)
    assert balances.view.shown(0, "Provision") == "1,500.00"


def test_scorecard_screen_lists_defects_and_draws_them_by_month(qtbot, ctx, tmp_path):
    from datetime import date

    from app.ui.scorecard import ScorecardScreen
    from tests.integration.payables_support import add_flagged_invoice

    example_o(ctx)
    add_flagged_invoice(ctx, "VR", "AP-3", date(2025, 3, 20), date(2025, 5, 19), "UNRECOGNIZED_PRODUCT", "75.00")
    env = make_env(ctx, tmp_path)
    screen = show(qtbot, ScorecardScreen(env))
    screen.date_from.setDate(QDate(2025, 3, 1))
    screen.date_to.setDate(QDate(2025, 4, 30))
    screen.refresh()
    wait_idle(qtbot, env)
    assert [screen.view.shown(0, c) for c in ("Vendor", "Unrecognized product", "Missing invoice", "Defects amount")] == [
        "VR", "1", "1", "575.00"
    ]  # fmt: skip
    assert screen.chart.by_month == {"2025-03": {"UNRECOGNIZED_PRODUCT": 1}, "2025-04": {"MISSING_INVOICE": 1}}
    assert not screen.chart.grab().isNull()  # the bars are drawn
    env.runner.wait()


def test_reconciliation_screen_compares_a_vendor_file(qtbot, ctx, tmp_path):
    from datetime import date

    from app.services import month_close
    from app.ui.reconciliation import ReconciliationScreen

    example_o(ctx)
    month_close.close_month(ctx, "2025-03", date(2025, 4, 1))  # R1 line 1: 1,000.00
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(
        "slip_no,line_no,vendor_item_code,received_date,quantity,amount,rebate\n"
        "R1,1,RB-100,2025-03-05,400,4000.00,1100.00\n"
    )
    env = make_env(ctx, tmp_path)
    screen = show(qtbot, ReconciliationScreen(env))
    qtbot.keyClicks(screen.vendor_edit, "VR")
    qtbot.keyClicks(screen.file_edit, str(theirs))
    screen.compare()
    wait_idle(qtbot, env)
    assert [screen.view.shown(0, c) for c in ("Status", "Slip", "Our rebate", "Their rebate", "Difference")] == [
        "AMOUNT_DIFFERS", "R1", "1,000.00", "1,100.00", "100.00"
    ]  # fmt: skip
    assert screen.totals.text().startswith("AMOUNT_DIFFERS 1 (ours 1,000.00, theirs 1,100.00, difference 100.00)")
    env.runner.wait()


def test_accrual_audit_screen_lists_the_section_16_lists(qtbot, ctx, tmp_path):
    from app.ui.accrual_audit import AccrualAuditScreen

    example_o(ctx)
    env = make_env(ctx, tmp_path)
    screen = show(qtbot, AccrualAuditScreen(env))
    screen.refresh()
    wait_idle(qtbot, env)
    assert [screen.view.shown(0, c) for c in ("List", "Vendor", "Slip", "Line", "Kind")] == [
        "NOT_COVERED", "VR", "R1", "2", "COOP"
    ]  # fmt: skip
    assert screen.summary.text() == (
        "NOT_DESIRED none · NOT_COVERED 1 · BACKUP_DIFFERS none · NO_RECEIPTS none · CACHE_DIFFERS none — "
        "the audit passed"
    )
    env.runner.wait()


def test_the_vendors_screen_flags_a_debit_balance(qtbot, ctx, tmp_path):
    from PySide6.QtCore import Qt

    from app.ui.masterdata import VENDORS, RecordsScreen

    example_o(ctx)  # today VR owes 6,000.00 against 4,500.00 owed to it
    env = make_env(ctx, tmp_path)
    screen = show(qtbot, RecordsScreen(env, VENDORS))
    screen.start()
    wait_idle(qtbot, env)
    model = screen.panel.model
    assert model.index(0, model.column_index("Debit Balance")).data(Qt.ItemDataRole.DisplayRole) == "1,500.00"
    assert not model.is_editable(0, VENDORS.columns[-1])
    env.runner.wait()
