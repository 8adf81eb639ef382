"""Main window: menus, screens as tabs, database in the status bar, remembered state."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool

from app import __version__
from app.services import queries
from app.ui import processing
from app.ui.actuals import ActualsScreen
from app.ui.agreements import AgreementScreen
from app.ui.audit_trail import AuditTrailScreen
from app.ui.disputes import DisputesScreen
from app.ui.exposure import ExposureScreen
from app.ui.gl_reference import GlReferenceScreen
from app.ui.invoices import InvoicesScreen
from app.ui.main import MainWindow, parse_args
from app.ui.masterdata import RecordsScreen
from app.ui.month_close import MonthCloseScreen
from app.ui.negotiation import NegotiationScreen
from app.ui.provisional import ProvisionalScreen
from app.ui.receiving import ReceivingScreen
from app.ui.terms_templates import TermsTemplatesScreen
from tests.ui.conftest import MASTER, make_env, show, wait_idle

MENUS = {
    "File": ["Home", "Connect to server…", "Use local database", "Import…", "Back up…", "Restore…", "Exit"],
    "Maintenance": [
        "Vendors",
        "Products",
        "Categories",
        "Coop Advertising Agreements",
        "Volume Rebate Agreements",
        "Periodic Rebate Agreements",
        "Damage Allowance Agreements",
        "Freight Allowance Agreements",
        "Lump Sum Agreements",
        "Price Protection Agreements",
        "Agreements Overview",
        "Provisional Rates",
        "GL Reference",
        "Terms and Conditions",
        "Company Settings…",
        "Users",
        "Audit Trail",
    ],
    "Entries": ["Receiving Slips"],
    "Processing": [
        "Post slips",
        "Re-rate",
        "Re-rate every vendor (check the journal)",
        "Price Changes",
        "Month Close…",
    ],
    "Settlement": [
        "Co-op Invoices",
        "Disputes",
        "Vendor Actuals",
        "Vendor Invoices",
        "Payment Run",
        "Vendor Balances",
        "Provisions",
        "Backup Reconciliation",
    ],
    "Reports": [
        "Estimated Rebates",
        "Provisional Exposure",
        "Negotiation Preview",
        "Financial Scorecard",
        "Accrual Audit",
        "Vendor Statement…",
        "Vendor Statements (all vendors)…",
        "Journal",
    ],
    "Help": ["About", "Keyboard shortcuts"],
}


def menu_actions(window):
    out = {}
    for top in window.menuBar().actions():
        name = top.text().replace("&", "")
        out[name] = {a.text().replace("&", ""): a for a in top.menu().actions() if not a.isSeparator()}
    return out


def test_menus_are_exactly_the_issue_s(qtbot, env):
    window = show(qtbot, MainWindow(env))
    menus = menu_actions(window)
    assert {name: list(items) for name, items in menus.items()} == MENUS


def test_every_menu_entry_opens_its_screen_once(qtbot, env, example):
    example("B_marginal")
    window = show(qtbot, MainWindow(env))
    menus = menu_actions(window)
    expected = {
        "Vendors": RecordsScreen,
        "Products": RecordsScreen,
        "Categories": RecordsScreen,
        "Coop Advertising Agreements": AgreementScreen,
        "Volume Rebate Agreements": AgreementScreen,
        "Periodic Rebate Agreements": AgreementScreen,
        "Damage Allowance Agreements": AgreementScreen,
        "Freight Allowance Agreements": AgreementScreen,
        "Provisional Rates": ProvisionalScreen,
        "GL Reference": GlReferenceScreen,
        "Terms and Conditions": TermsTemplatesScreen,
        "Audit Trail": AuditTrailScreen,
    }
    for text, kind in expected.items():
        menus["Maintenance"][text].trigger()
        assert isinstance(window.tabs.currentWidget(), kind)
        assert window.tabs.tabText(window.tabs.currentIndex()) == (
            text if kind is not GlReferenceScreen else "GL Reference"
        )
    menus["Entries"]["Receiving Slips"].trigger()
    assert isinstance(window.tabs.currentWidget(), ReceivingScreen)
    for text, kind in (("Provisional Exposure", ExposureScreen), ("Negotiation Preview", NegotiationScreen)):
        menus["Reports"][text].trigger()
        assert isinstance(window.tabs.currentWidget(), kind)
    menus["Processing"]["Month Close…"].trigger()
    assert isinstance(window.tabs.currentWidget(), MonthCloseScreen)
    menus["Settlement"]["Co-op Invoices"].trigger()
    assert isinstance(window.tabs.currentWidget(), InvoicesScreen)
    for text, kind in (("Disputes", DisputesScreen), ("Vendor Actuals", ActualsScreen)):
        menus["Settlement"][text].trigger()
        assert isinstance(window.tabs.currentWidget(), kind)
    wait_idle(qtbot, env)
    count = window.tabs.count()
    menus["Maintenance"]["Vendors"].trigger()
    assert window.tabs.count() == count  # brought to front, not opened twice
    periodic = window.screens["agreements:PERIODIC"]
    assert periodic.group.columns[-1].name == "Period" and periodic.kind == "PERIODIC"
    assert "Database: sqlite:///" in window.db_label.text()
    menus["Help"]["Keyboard shortcuts"].trigger()
    assert "F2" in env.interaction.of_kind("inform")[-1].text
    menus["Help"]["About"].trigger()
    assert f"Co-op & Rebate Agreements {__version__}\n" in env.interaction.of_kind("inform")[-1].text


def test_window_state_and_last_vendor_are_remembered(qtbot, ctx, tmp_path, example):
    example("B_marginal")
    env = make_env(ctx, tmp_path, "state")
    window = show(qtbot, MainWindow(env))
    screen = window.open_agreements("VOLUME")
    screen.vendor_box.set_code("V100")
    window.resize(1000, 700)
    window.close()
    assert env.settings.value("last_vendor") == "V100"
    again = make_env(ctx, tmp_path, "state")
    window2 = show(qtbot, MainWindow(again))
    assert window2.open_agreements("COOP").vendor == "V100"
    assert again.settings.value("window/geometry") is not None


def test_an_empty_database_is_offered_the_demo_once(qtbot, env):
    env.interaction.default = False
    window = show(qtbot, MainWindow(env))
    window.offer_demo()
    window.offer_demo()
    offers = env.interaction.of_kind("confirm")
    assert len(offers) == 1 and "demo company" in offers[0].text


def test_the_demo_is_loaded_in_the_background(qtbot, env, ctx):
    window = show(qtbot, MainWindow(env))
    window.offer_demo()  # the headless interaction answers yes
    wait_idle(qtbot, env)
    assert [m.kind for m in env.interaction.messages] == ["confirm", "inform"], env.interaction.messages
    assert env.interaction.messages[-1].text == (
        "Demo company loaded: 8 vendors, 352 products, 26 agreements (35 ladders), 2,353 receipt lines "
        "posted (607 slips), 4 draft slips"
    )
    with ctx.uow() as uow:
        assert queries.has_vendors(uow)


def test_command_line_takes_a_database_url():
    args, rest = parse_args(["--db", "sqlite:////tmp/x.sqlite", "-platform", "offscreen"])
    assert args.db == "sqlite:////tmp/x.sqlite" and rest == ["-platform", "offscreen"]


def test_post_slips_runs_in_the_background_and_reports(qtbot, env, ctx, example):
    example("B_marginal", kinds=(*MASTER, "agreements", "receipts"))
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["Processing"]["Post slips"].trigger()
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("inform")[-1].text.startswith("Posted 3 slips, 3 lines")
    with ctx.uow() as uow:
        assert {s.status for s in queries.slips(uow)} == {"POSTED"}
    menu_actions(window)["Processing"]["Re-rate"].trigger()
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("inform")[-1].text == "Re-rated: nothing to post."


def test_full_re_rate_lists_a_cache_that_differs_from_the_journal(qtbot, env, ctx, example):
    example("B_marginal", kinds=(*MASTER, "agreements", "receipts"))
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["Processing"]["Post slips"].trigger()
    wait_idle(qtbot, env)
    full = menu_actions(window)["Processing"]["Re-rate every vendor (check the journal)"]
    full.trigger()
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("inform")[-1].text == "Re-rated: nothing to post."
    with ctx.engine.begin() as conn:  # behind the program's back: S1's cached rebate 500.00 -> 400.00
        conn.exec_driver_sql("UPDATE line_accrual SET rebate = rebate - 10000 WHERE slip_no = 'S1'")
        entries = conn.exec_driver_sql("SELECT count(*) FROM journal_entry").scalar()
    full.trigger()
    wait_idle(qtbot, env)
    error = env.interaction.of_kind("error")[-1]
    assert error.text.startswith("1 vendor not re-rated: the accruals cached in line_accrual differ from the journal")
    assert "Nothing else to post." in error.text and "`coop audit` lists every difference" in error.text
    assert error.details == (
        "V100 slip S1 line 1 COOP pnl: line_accrual 400.00, journal 500.00",
        "V100 slip S1 line 1 COOP rebate: line_accrual 400.00, journal 500.00",
    )
    with ctx.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM journal_entry").scalar() == entries  # nothing laundered


def test_cancel_stops_posting_between_batches(qtbot, env, ctx, example):
    example("B_marginal", kinds=(*MASTER, "agreements", "receipts"))
    release = threading.Event()
    env.runner.pool = QThreadPool()
    env.runner.pool.setMaxThreadCount(1)
    env.runner.pool.start(lambda: release.wait(10))  # keeps the worker busy until the cancel
    job = processing.post_all(env.runner, None)
    job.cancel()
    release.set()
    wait_idle(qtbot, env)
    assert "Cancelled" in env.interaction.of_kind("inform")[-1].text
    with ctx.uow() as uow:
        assert {s.status for s in queries.slips(uow)} == {"DRAFT"}


def test_first_start_creates_the_database_and_offers_the_demo(qtbot, tmp_path, qapp):
    """`coop-rebates --db URL` on a new file: the schema is made, the demo is offered (declined
    here), and closing the window ends the program."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.services.context import AppContext
    from app.ui import main as main_module

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    seen = []

    def step() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox):
            seen.append(modal.text())
            answer = modal.button(QMessageBox.StandardButton.No) or modal.button(QMessageBox.StandardButton.Ok)
            answer.click()  # an unexpected error box is recorded and closed, never left to hang the run
        else:
            windows = [
                w for w in QApplication.topLevelWidgets() if isinstance(w, main_module.MainWindow) and w.isVisible()
            ]
            if windows and windows[0].ready:  # it shows while the database opens
                seen.append(windows[0].db_label.text())
                windows[0].close()
                return
        QTimer.singleShot(50, step)

    QTimer.singleShot(50, step)
    assert main_module.main(["--db", url, "--user", "clerk"], settings=settings) == 0
    assert len(seen) == 2, seen  # the demo question and the window: no error box on the way
    assert any("demo company" in text for text in seen)
    assert any(f"Database: {url}" in text and "User: clerk" in text for text in seen)
    ctx = AppContext.open(url, upgrade=False)
    with ctx.uow() as uow:
        assert queries.has_vendors(uow) is False  # migrated, empty, demo declined
    ctx.engine.dispose()


def test_the_about_box_names_the_database_once(qtbot, env):
    window = show(qtbot, MainWindow(env))
    window.about()
    text = env.interaction.of_kind("inform")[-1].text  # type: ignore[attr-defined]
    assert text.count("Database:") == 1 and "User:" in text


def test_one_tier_is_one_tier():
    from decimal import Decimal

    from app.ui.tier_chart import ChartState

    one = ChartState("COOP", (Decimal("999999999.00"),), (Decimal("1.000"),), None, note="volume not available")
    assert one.headline == "1 tier · volume not available"
    two = ChartState("COOP", (Decimal("1000"), Decimal("999999999.00")), (Decimal("1"), Decimal("2")))
    assert two.headline == "2 tiers · volume not available"


def test_no_display_is_said_in_one_line():
    import subprocess
    import sys

    from app.ui.main import no_display

    assert no_display({}, "linux").startswith("no display to show the window on")
    assert no_display({"DISPLAY": ":0"}, "linux") == ""
    assert no_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert no_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert no_display({}, "linux", ["-platform", "offscreen"]) == ""
    assert no_display({}, "win32") == "" and no_display({}, "darwin") == ""
    env = {
        k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from app.ui.main import main; sys.exit(main([]))"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "coop-rebates: no display to show the window on (DISPLAY and WAYLAND_DISPLAY are not set): start it from a "
        "desktop session, or use the coop command line"
    ]


def test_every_screen_fits_a_1024_by_768_window(qtbot, env, example):
    """Issue 17: the main window is usable at 1024x768: no screen (as the menus open it, with
    example B's data) asks for more than 1024 pixels of width."""
    example("B_marginal")
    window = show(qtbot, MainWindow(env))
    wide: dict[str, int] = {}
    for menu, items in menu_actions(window).items():
        if menu in ("File", "Help"):
            continue
        for text, action in items.items():
            if text.endswith("…") and menu != "Processing":
                continue  # a dialog, not a screen
            action.trigger()
            wait_idle(qtbot, env)
            screen = window.tabs.currentWidget()
            if screen is None:
                continue  # it ran something (Post slips, Re-rate) rather than open a screen
            width = screen.minimumSizeHint().width()
            if width > 1024 - 20:
                wide[f"{menu} › {text}"] = width
            while window.tabs.count():
                window.tabs.widget(0).deleteLater()
                window.tabs.removeTab(0)
            window.screens.clear()
    assert wide == {}
