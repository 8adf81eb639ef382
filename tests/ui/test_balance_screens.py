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
    screen.day.setDate(QDate(2025, 3, 17))
    screen.run()
    wait_idle(qtbot, window.env)
    assert [(p.name, p.vendor_code, p.amount, p.reversal) for p in screen.model.records] == [
        ("250317_PROVISION_FOR_RECEIVABLES", "VR", D("1500.00"), False)
    ]
    balances = window.open_vendor_balances()
    balances.day.setDate(QDate(2025, 3, 17))
    balances.refresh()
    wait_idle(qtbot, window.env)
    assert balances.view.shown(0, "Provision") == "1,500.00"
