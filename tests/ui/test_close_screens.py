"""Processing › Month Close and Settlement › Co-op Invoices (SPEC §13–§14) on example L: the
preview lists March's 900.00 invoice and writes nothing; Close Month makes it; a month not
over is refused on the screen with nothing written; the Invoices screen finds April's invoice
by number and by status and its Backup tab shows its three lines."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QRunnable, Qt, QThreadPool
from sqlalchemy import func, select

from app.models import CoopInvoice, InvoiceLine, JournalEntry, MonthClose, VendorClose
from app.services import month_close, posting, security
from app.services.context import AppContext
from app.ui.base import UiEnv
from app.ui.interaction import HeadlessInteraction
from app.ui.invoices import InvoicesScreen
from app.ui.main import MainWindow
from app.ui.month_close import INVOICE_ROW, TOTAL_ROW, MonthCloseScreen
from app.ui.operations import Runner
from tests.conftest import import_example
from tests.ui.conftest import make_env, press, show, wait_idle
from tests.ui.test_main_window import menu_actions

D = Decimal


def post(ctx: AppContext, *slips: str, today: date) -> None:
    with ctx.uow() as uow:
        posting.post_slips(uow, list(slips), today=today)


def counts(ctx: AppContext) -> tuple[int, ...]:
    with ctx.uow() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(t)) or 0
            for t in (CoopInvoice, InvoiceLine, JournalEntry, MonthClose, VendorClose)
        )


@pytest.fixture
def example_l(ctx: AppContext) -> AppContext:
    """Example L: S2 (Feb 10) and S3 (Mar 1) posted, no month closed."""
    import_example(ctx, "L_invoices")
    post(ctx, "S2", "S3", today=date(2026, 3, 1))
    return ctx


def close_screen(qtbot, env: UiEnv, month: str, run: date) -> MonthCloseScreen:  # type: ignore[no-untyped-def]
    screen = MonthCloseScreen(env)
    show(qtbot, screen)
    screen.start()
    screen.set_month(month)
    screen.set_run_date(run)
    return screen


def shown(screen: MonthCloseScreen) -> list[tuple[str, str, str, str, str, str, str]]:
    view = screen.view
    names = ("Vendor", "Type", "Kind", "Agreement", "Method", "Lines", "Amount")
    return [tuple(view.shown(row, n) for n in names) for row in range(view.model().rowCount())]  # type: ignore[misc]


def test_preview_lists_march_invoice_and_writes_nothing(qtbot, example_l: AppContext, env: UiEnv) -> None:
    before = counts(example_l)
    screen = close_screen(qtbot, env, "2026-03", date(2026, 4, 1))
    assert screen.last.text() == "No month closed yet"
    press(qtbot, screen, Qt.Key.Key_F5)
    wait_idle(qtbot, env)
    assert shown(screen) == [
        ("V100", INVOICE_ROW, "Coop Advertising", "1", "CD (deduct on next payment)", "2", "900.00"),
        ("V100", TOTAL_ROW, "", "", "", "", "900.00"),
    ]
    assert screen.summary.text() == "1 vendor · 1 invoice · total 900.00 · 0 lump sums to accrue 0.00"
    assert counts(example_l) == before


def test_close_month_makes_the_invoice(qtbot, example_l: AppContext, env: UiEnv) -> None:
    screen = close_screen(qtbot, env, "2026-03", date(2026, 4, 1))
    press(qtbot, screen, Qt.Key.Key_F10)  # the headless interaction confirms
    wait_idle(qtbot, env)
    assert screen.message.text() == "2026-03 is closed: 1 invoice for 1 vendor, 0 lump-sum accruals posted."
    assert [(r.invoice_no, r.amount) for r in screen.rows] == [("CO-2603-V100-0001", D("900.00"))]
    assert screen.view.shown(0, "Amount") == "900.00"
    assert screen.last.text() == "Last month closed: 2026-03"
    with example_l.uow() as uow:
        made = uow.session.execute(select(CoopInvoice.invoice_no, CoopInvoice.amount, CoopInvoice.month)).all()
        months = uow.session.scalars(select(MonthClose.month)).all()
    assert [tuple(r) for r in made] == [("CO-2603-V100-0001", D("900.00"), "2026-03")]
    assert months == ["2026-03"]
    screen.print_invoices(str(env_folder := (Path(env.settings.fileName()).parent / "invoices")))
    wait_idle(qtbot, env)
    assert sorted(p.name for p in env_folder.iterdir()) == ["V100.pdf"]
    assert screen.message.text().startswith("Wrote the invoices of 2026-03: 1 PDF (one per vendor)")
    screen.print_invoices(str(env_folder))  # again: the file is there, refused on the screen
    wait_idle(qtbot, env)
    assert screen.message.text().startswith("Not printed:")
    screen.start()  # the month after the last closed one
    assert screen.month() == "2026-04"


def test_a_month_not_over_is_refused_on_the_screen(qtbot, example_l: AppContext, env: UiEnv) -> None:
    before = counts(example_l)
    screen = close_screen(qtbot, env, "2026-03", date(2026, 3, 31))
    press(qtbot, screen, Qt.Key.Key_F10)
    wait_idle(qtbot, env)
    assert screen.message.text() == (
        "Not closed: 2026-03 is not over on 2026-03-31: a month closes from the first day of the following "
        "month (2026-04-01). Nothing was written."
    )
    assert env.runner.interaction.of_kind("error") == []  # type: ignore[attr-defined]
    assert counts(example_l) == before
    press(qtbot, screen, Qt.Key.Key_F5)  # the preview says the same
    wait_idle(qtbot, env)
    assert screen.message.text().startswith("Not closed: 2026-03 is not over")


def test_a_cancelled_close_says_which_vendors_were_done(qtbot, example_l: AppContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Cancel pressed before the worker reaches the first vendor: none is done, nothing written."""
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    gate = threading.Event()
    blocker = QRunnable.create(lambda: gate.wait(10))
    pool.start(blocker)  # the close waits in the queue behind it
    interaction = HeadlessInteraction()
    env = UiEnv(example_l, Runner(example_l, interaction, pool), make_env(example_l, tmp_path).settings)
    screen = close_screen(qtbot, env, "2026-03", date(2026, 4, 1))
    screen.close_month()
    assert screen.job is not None
    screen.job.cancel()
    gate.set()
    wait_idle(qtbot, env)
    text = (
        "The close of 2026-03 was cancelled. Vendors done (invoiced in full): none. The others are untouched: "
        "close the month again to go on with them."
    )
    assert screen.message.text() == text
    assert [m.text for m in interaction.of_kind("inform")] == [text]
    assert counts(example_l)[0] == 0
    screen.close_month()  # closing again goes on
    wait_idle(qtbot, env)
    assert [r.invoice_no for r in screen.rows] == ["CO-2603-V100-0001"]
    pool.waitForDone()


def test_month_close_needs_the_close_permission(qtbot, example_l: AppContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with example_l.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
        security.save_user(uow, "maria", "MANAGER")
    window = show(qtbot, MainWindow(make_env(AppContext(example_l.engine, "maria"), tmp_path)))
    menus = menu_actions(window)
    assert not menus["Processing"]["Month Close…"].isEnabled()
    assert menus["Settlement"]["Co-op Invoices"].isEnabled()
    wait_idle(qtbot, window.env)


@pytest.fixture
def closed_l(example_l: AppContext) -> AppContext:
    """Example L in full: February and March closed, S1 posted on Apr 10, April closed."""
    ctx = example_l
    month_close.close_month(ctx, "2026-02", date(2026, 3, 1))
    month_close.close_month(ctx, "2026-03", date(2026, 4, 1))
    post(ctx, "S1", today=date(2026, 4, 10))
    month_close.close_month(ctx, "2026-04", date(2026, 5, 1))
    return ctx


def test_invoices_screen_finds_by_number_and_status_and_shows_the_backup(
    qtbot,  # type: ignore[no-untyped-def]
    closed_l: AppContext,
    env: UiEnv,
    tmp_path,
) -> None:
    screen = InvoicesScreen(env)
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, env)
    assert [v.invoice_no for v in screen.found] == ["CO-2602-V100-0001", "CO-2603-V100-0001", "CO-2604-V100-0001"]
    assert [screen.view.shown(i, "Amount") for i in range(3)] == ["400.00", "500.00", "450.00"]
    screen.set_status("PAID")
    wait_idle(qtbot, env)
    assert screen.found == []
    screen.set_status("OPEN")
    wait_idle(qtbot, env)
    assert len(screen.found) == 3 and screen.summary.text() == "3 invoices · amount 1,350.00 · open 1,350.00"
    screen.number_edit.setText("2604")
    press(qtbot, screen.number_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, env)
    assert [v.invoice_no for v in screen.found] == ["CO-2604-V100-0001"]
    screen.view.setCurrentIndex(screen.view.model().index(0, 0))
    press(qtbot, screen.view, Qt.Key.Key_Return)  # opens it (a single match opens by itself too)
    wait_idle(qtbot, env)
    detail = screen.detail
    assert detail.detail is not None and detail.detail.view.invoice_no == "CO-2604-V100-0001"
    backup = detail.tab_named("Backup")
    rows = [
        (backup.shown(i, "Slip"), backup.shown(i, "Source"), backup.shown(i, "Tier"), backup.shown(i, "Amount"))
        for i in range(backup.model().rowCount())
    ]
    assert rows == [("S1", "regular", "1", "300.00"), ("S2", "re-rate", "2", "50.00"), ("S3", "re-rate", "2", "100.00")]
    assert backup.shown(0, "Rate %") == "2.000" and backup.shown(0, "Quantity") == "15,000"
    assert detail.tabs.tabText(0) == "Backup (3)"
    history = detail.tab_named("History")
    assert history.shown(0, "What") == "Made by the close of 2026-04" and history.shown(0, "Who") == "tester"
    out = tmp_path / "backup.csv"
    env.runner.interaction.chosen_paths.append(str(out))  # type: ignore[attr-defined]
    assert detail.write_file()
    wait_idle(qtbot, env)
    lines = out.read_text().splitlines()
    assert (
        lines[1]
        == '"CO-2604-V100-0001","S1",1,2026-01-15,"GYP-OTHER",,15000,15000.00,"1",1,2.000,300.00,0.00,0.00,"N",300.00'
    )
    assert len(lines) == 4
