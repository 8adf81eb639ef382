"""File > Import…: the import of `coop import`, in the background with its progress."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.models import AgreementLine, ReceiptLine, ReceivingSlip
from app.ui.imports import ImportDialog
from app.ui.main import MainWindow
from tests.conftest import EXAMPLES
from tests.integration.test_bad_input import snapshot
from tests.integration.test_big_imports import receipts_csv
from tests.integration.test_import_percent import one_row_workbook, percent_workbook
from tests.ui.conftest import MASTER, show, wait_idle
from tests.ui.test_main_window import menu_actions

D = Decimal


def open_dialog(qtbot, env) -> tuple[MainWindow, ImportDialog]:
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["File"]["Import…"].trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    return window, dialog


def test_a_big_receipts_file_imports_with_its_progress(qtbot, env, ctx, example, tmp_path):
    example("B_marginal")
    path = receipts_csv(tmp_path / "receipts.csv", 25_000)
    _window, dialog = open_dialog(qtbot, env)
    dialog.set_kind("receipts")
    assert dialog.columns.text() == (
        "Columns: slip_no, vendor_code, received_date, line_no, product_code, quantity, unit_cost; optional: reference"
    )
    env.interaction.chosen_paths.append(str(path))
    dialog.browse()
    assert dialog.path.text() == str(path)
    seen: list[tuple[int, int]] = []
    dialog.progressed.connect(lambda done, total: seen.append((done, total)))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert seen == [(0, 25_000), (10_000, 25_000), (20_000, 25_000), (25_000, 25_000)]
    assert not env.interaction.of_kind("error")
    assert env.interaction.of_kind("inform")[-1].text == "Imported 25,000 rows from receipts.csv."
    assert dialog.imported == 25_000 and dialog.status.text() == "Imported 25,000 rows from receipts.csv."
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ReceivingSlip)) == 25_000
        assert uow.session.scalar(select(func.count()).select_from(ReceiptLine)) == 25_000


def test_percent_cells_import_as_percents_and_a_bad_file_writes_nothing(qtbot, env, ctx, example, tmp_path):
    example("B_marginal", kinds=MASTER)
    _window, dialog = open_dialog(qtbot, env)
    dialog.set_kind("agreements")
    assert "a cell formatted as a percent counts as the percent it shows" in dialog.columns.text()
    before = snapshot(ctx)
    bad = one_row_workbook(
        tmp_path / "bad.xlsx", {"max_amount": 300, "rebate1": 0.02}, {"max_amount": "0%", "rebate1": "0%"}
    )
    dialog.path.setText(str(bad))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    error = env.interaction.of_kind("error")[-1]
    assert error.text == "1 problem; nothing was saved."
    assert error.details == (
        "row 2, max_amount: is formatted as a percent (shows 30000%) but is not a percent "
        "column: format the cell as a plain number",
    )
    assert dialog.status.text() == "Nothing was imported."
    assert snapshot(ctx) == before

    good = percent_workbook(EXAMPLES / "B_marginal" / "agreements.csv", tmp_path / "agreements.xlsx")
    dialog.path.setText(str(good))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("inform")[-1].text == "Imported 3 rows from agreements.xlsx."
    with ctx.uow() as uow:
        rates = uow.session.scalars(select(AgreementLine.rebate1).order_by(AgreementLine.max_amount)).all()
    assert rates == [D(2), D(3), D("3.5")]
