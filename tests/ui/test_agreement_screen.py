"""Agreement maintenance driven with real key presses and clicks (SPEC §3)."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QHBoxLayout, QHeaderView, QWidget
from sqlalchemy import event

from app.services import agreements
from app.services.agreements import LineDraft
from app.ui.agreements import AgreementScreen
from app.ui.lookups import LookupDialog
from app.ui.models import PROBLEM
from tests.ui.conftest import choose_vendor, click_cell, make_env, press, qdate, show, type_cell, wait_idle

MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference")


def cell(view, row, column, role=Qt.ItemDataRole.DisplayRole):
    model = view.model()
    return model.index(row, model.column_index(column)).data(role)


def add_row(qtbot, view):
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)


def save(qtbot, screen, env):
    qtbot.keyClick(screen.group_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)


def test_degressive_seed_row_shows_result_4_913(open_agreements, example, qtbot):
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    add_row(qtbot, view)
    for column, text in (("Rebate 1", "2"), ("Rebate 2", "1.5"), ("Rebate 3", "1"), ("Rebate 4", "0.5")):
        type_cell(qtbot, view, 0, column, text)
    assert cell(view, 0, "Result") == "5.000"
    click_cell(qtbot, view, 0, "Deg")
    assert cell(view, 0, "Result") == "4.913"
    assert screen.group.rows[0]["Rebate 2"] == Decimal("1.5")


def test_result_follows_the_rebate_while_it_is_typed(open_agreements, example, qtbot):
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    add_row(qtbot, view)
    type_cell(qtbot, view, 0, "Rebate 1", "2")
    editor = type_cell(qtbot, view, 0, "Rebate 2", "1.5", commit=False)
    assert cell(view, 0, "Result") == "3.500"  # not committed yet
    press(qtbot, editor, Qt.Key.Key_Escape)
    assert cell(view, 0, "Result") == "2.000"
    assert screen.group.rows[0].get("Rebate 2") is None


def test_decimal_editor_refuses_letters_and_extra_decimals(open_agreements, example, qtbot):
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    add_row(qtbot, screen.group_view)
    editor = type_cell(qtbot, screen.group_view, 0, "Rebate 1", "1x.23456", commit=False)
    assert editor.text() == "1.2345"
    press(qtbot, editor, Qt.Key.Key_Return)
    assert screen.group.rows[0]["Rebate 1"] == Decimal("1.2345")


def test_f2_sets_all_in_a_category_cell_and_unlimited_maximum(open_agreements, example, qtbot):
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    add_row(qtbot, view)
    type_cell(qtbot, view, 0, "CAT1", "GYPSUM")
    type_cell(qtbot, view, 0, "CAT2", "GYP-BOARD")
    click_cell(qtbot, view, 0, "CAT2")
    qtbot.keyClick(view, Qt.Key.Key_F2)
    assert [cell(view, 0, c) for c in ("CAT1", "CAT2", "CAT3", "CAT4")] == ["GYPSUM", "ALL", "ALL", "ALL"]
    click_cell(qtbot, view, 0, "Maximum Amount")
    qtbot.keyClick(view, Qt.Key.Key_F2)
    assert cell(view, 0, "Maximum Amount") == "no limit"  # F2: 999,999,999.00 stored, shown as no limit
    assert screen.group.rows[0]["Maximum Amount"] == Decimal("999999999.00")


def test_f4_lists_the_categories_under_the_parent_chain(open_agreements, example, qtbot):
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    add_row(qtbot, view)
    type_cell(qtbot, view, 0, "CAT1", "GYPSUM")
    click_cell(qtbot, view, 0, "CAT2")
    seen = []

    def pick() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, LookupDialog)
        seen.extend(dialog.model.index(r, 0).data() for r in range(dialog.model.rowCount()))
        qtbot.keyClicks(dialog.filter, "BOARD")
        qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)

    QTimer.singleShot(100, pick)
    qtbot.keyClick(view, Qt.Key.Key_F4)
    assert seen == ["ALL", "GYP-BOARD"]  # LUM-DIM is under LUMBER
    assert cell(view, 0, "CAT2") == "GYP-BOARD"


def test_invalid_row_is_highlighted_and_nothing_is_saved(open_agreements, example, qtbot, env, ctx):
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    add_row(qtbot, view)
    type_cell(qtbot, view, 0, "CAT1", "GYPSUM")
    type_cell(qtbot, view, 0, "Maximum Amount", "1000")
    type_cell(qtbot, view, 0, "Rebate 1", "2")
    type_cell(qtbot, view, 0, "Start Date", "2026-06-01")
    type_cell(qtbot, view, 0, "End Date", "2026-01-31")
    add_row(qtbot, view)  # a second row without any rebate
    type_cell(qtbot, view, 1, "CAT1", "NOPE")
    save(qtbot, screen, env)
    assert screen.group.rows[0]["End Date"] == date(2026, 1, 31)
    assert cell(view, 0, "End Date", Qt.ItemDataRole.BackgroundRole).color() == PROBLEM
    assert "before the start date" in cell(view, 0, "End Date", Qt.ItemDataRole.ToolTipRole)
    assert cell(view, 1, "CAT1", Qt.ItemDataRole.BackgroundRole).color() == PROBLEM
    assert "does not exist" in cell(view, 1, "CAT1", Qt.ItemDataRole.ToolTipRole)
    assert cell(view, 1, "Rebate 1", Qt.ItemDataRole.BackgroundRole).color() == PROBLEM
    messages = screen.problems.messages()
    assert any(m.startswith("new group row 1, End Date:") for m in messages)  # as the grid labels them: new 1, new 2
    assert any(m.startswith("new group row 2, CAT1:") for m in messages)
    assert screen.problems.isVisible()
    with ctx.uow() as uow:
        assert agreements.list_agreements(uow, "V100", "COOP") == []


def test_saved_rate_change_shows_in_history(open_agreements, example, qtbot, env):
    example("A_degressive")
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    assert cell(view, 0, "Result") == "4.913"
    type_cell(qtbot, view, 0, "Rebate 1", "2.5")
    assert cell(view, 0, "Result") == "5.398"  # 0.025 + 0.975*0.015 + 0.96*0.01 + 0.95*0.005
    save(qtbot, screen, env)
    assert screen.problems.messages() == []
    assert screen.version == 2
    screen.tabs.setCurrentIndex(1)
    history = screen.history.model
    first = {history.columns[c].name: history.index(0, c).data() for c in range(history.columnCount())}
    assert (first["Line"], first["Field"], first["Old Value"], first["New Value"], first["User"]) == (
        "1",
        "Rebate 1",
        "2.00",  # as the grid shows it
        "2.50",
        "tester",
    )
    screen.history.field_filter.setCurrentText("Rebate 1")
    assert {history.index(r, 1).data() for r in range(history.rowCount())} == {"Rebate 1"}
    assert history.rowCount() == 2  # created, then changed
    screen.history.field_filter.setCurrentIndex(0)
    screen.history.line_filter.setCurrentIndex(screen.history.line_filter.findData(1))
    # one event per save of the line: the change, then its creation (one row, each field in the tooltip)
    assert [history.index(r, 1).data() for r in range(history.rowCount())][0] == "Rebate 1"
    created = history.index(history.rowCount() - 1, 1).data()
    assert created.startswith("created (") and {history.index(r, 0).data() for r in range(history.rowCount())} == {"1"}
    tip = history.index(history.rowCount() - 1, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "Rebate 1: — → 2.00" in tip.splitlines()
    # the selected event opens below, a row per field: the creation, each value it set
    assert screen.history.changes_title.text().startswith("Rebate 1 of line 1 by tester on ")
    screen.history.view.setCurrentIndex(history.index(history.rowCount() - 1, 0))
    changes = screen.history.changes
    fields = {changes.index(r, 0).data(): (changes.index(r, 1).data(), changes.index(r, 2).data())
              for r in range(changes.rowCount())}  # fmt: skip
    assert fields["Rebate 1"] == ("—", "2.00") and len(fields) == int(created.split("(")[1].split()[0])
    assert screen.history.changes_title.text().startswith("Created (")
    assert not history.flags(history.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_a_second_workstation_saving_a_stale_agreement_is_refused(example, qtbot, ctx, tmp_path):
    from app.services.context import AppContext

    example("A_degressive")
    alice_ctx = AppContext.open(ctx.engine.url.render_as_string(hide_password=False), user="alice", upgrade=False)
    bob_ctx = AppContext.open(ctx.engine.url.render_as_string(hide_password=False), user="bob", upgrade=False)
    alice, bob = make_env(alice_ctx, tmp_path, "alice"), make_env(bob_ctx, tmp_path, "bob")
    try:
        # Two workstations side by side in one window, each with its own connection and user.
        both = QWidget()
        row = QHBoxLayout(both)
        screen_a, screen_b = AgreementScreen(alice, "COOP"), AgreementScreen(bob, "COOP")
        row.addWidget(screen_a)
        row.addWidget(screen_b)
        show(qtbot, both)
        for screen in (screen_a, screen_b):
            screen.start()
            choose_vendor(qtbot, screen.vendor_box, "V100")
        type_cell(qtbot, screen_a.group_view, 0, "Rebate 1", "3")
        save(qtbot, screen_a, alice)
        assert screen_a.version == 2
        bob.interaction.answers.append(False)  # do not reload yet
        type_cell(qtbot, screen_b.group_view, 0, "Rebate 1", "4")
        save(qtbot, screen_b, bob)
        stale = bob.interaction.of_kind("confirm")[-1]
        assert "alice" in stale.text and "changed by" in stale.text
        assert screen_b.group.rows[0]["Rebate 1"] == Decimal("4")  # the clerk's edit is still there
        with ctx.uow() as uow:
            view = agreements.load_agreement(uow, screen_a.agreement_id)
        assert view.lines[0].rebates[0] == Decimal("3") and view.updated_by == "alice"
        bob.interaction.answers.append(True)  # now reload
        save(qtbot, screen_b, bob)
        assert screen_b.group.rows[0]["Rebate 1"] == Decimal("3")
        assert screen_b.version == 2
    finally:
        alice.runner.wait()
        bob.runner.wait()
        alice_ctx.engine.dispose()
        bob_ctx.engine.dispose()


def test_escape_discards_changes_after_confirmation(open_agreements, example, qtbot, env):
    example("A_degressive")
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    type_cell(qtbot, view, 0, "Rebate 1", "9")
    env.interaction.answers.append(False)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert screen.group.rows[0]["Rebate 1"] == Decimal("9")
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert screen.group.rows[0]["Rebate 1"] == Decimal("2")
    assert [m.kind for m in env.interaction.messages] == ["confirm", "confirm"]


def test_insert_and_delete_keys_add_and_remove_product_lines(open_agreements, example, qtbot):
    example("A_degressive")
    screen = open_agreements("COOP", vendor="V100")
    view = screen.product_view
    add_row(qtbot, view)
    add_row(qtbot, view)
    assert screen.product.rowCount() == 2
    type_cell(qtbot, view, 0, "Product", "GYP-HALF-4X8")
    click_cell(qtbot, view, 1, "Product")
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert screen.product.rowCount() == 1
    assert screen.product.rows[0]["Product"] == "GYP-HALF-4X8"


def test_ladders_are_sorted_and_banded(open_agreements, example, qtbot):
    example("B_marginal")
    screen = open_agreements("COOP", vendor="V100")
    assert [r["Maximum Amount"] for r in screen.group.rows] == [Decimal(30000), Decimal(50000), Decimal("999999999")]
    assert screen.group.bands == [0, 0, 0]
    click_cell(qtbot, screen.group_view, 2, "Rebate 1")
    add_row(qtbot, screen.group_view)  # a new tier of the same ladder: before its unlimited tier, same band
    current = screen.group_view.currentIndex()
    assert (current.row(), screen.group.column(current).name) == (2, "Maximum Amount")
    assert screen.group.bands == [0, 0, 0, 0]
    type_cell(qtbot, screen.group_view, 2, "Maximum Amount", "80000")
    assert [r["Maximum Amount"] for r in screen.group.rows] == [
        Decimal(30000), Decimal(50000), Decimal(80000), Decimal("999999999")
    ]  # fmt: skip
    type_cell(qtbot, screen.group_view, 3, "Start Date", "2027-01-01")
    type_cell(qtbot, screen.group_view, 3, "End Date", "2027-12-31")
    assert screen.group.rows[3]["Start Date"] == date(2027, 1, 1)
    assert screen.group.bands == [0, 0, 0, 1]


def test_an_agreement_of_5000_lines_opens_at_once(open_agreements, example, qtbot, ctx):
    example("A_degressive", kinds=MASTER)
    lines = [
        LineDraft(
            label=f"Line {i}",
            cats=("GYPSUM", "ALL", "ALL", "ALL"),
            max_amount=Decimal(1000 * (i + 1)),
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            rebates=(Decimal(1), None, None, None),
        )
        for i in range(5000)
    ]
    with ctx.uow() as uow:
        view = agreements.save_agreement(uow, vendor="V100", kind="COOP", status="PENDING", lines=lines)
    screen = open_agreements("COOP")
    started = time.perf_counter()
    screen.vendor_box.set_code("V100")
    qtbot.wait(1)
    elapsed = time.perf_counter() - started
    assert screen.agreement_id == view.id and screen.group.rowCount() == 5000
    assert elapsed < 2.0, f"opening took {elapsed:.2f}s"
    screen.group_view.scrollToBottom()
    assert cell(screen.group_view, 4999, "Result") == "1.000"


def test_ctrl_s_commits_the_cell_being_typed(open_agreements, example, qtbot, env, ctx):
    example("A_degressive")
    screen = open_agreements("COOP", vendor="V100")
    editor = type_cell(qtbot, screen.group_view, 0, "Rebate 4", "0.75", commit=False)
    press(qtbot, editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, screen.agreement_id)
    assert view.lines[0].rebates[3] == Decimal("0.75") and view.version == 2


def test_a_lump_sum_is_kept_as_amount_dates_and_method(open_agreements, example, qtbot, env, ctx):
    """SPEC §11.2: a LUMP_SUM agreement shows its amount, dates and M instead of the grids,
    with the even-by-day schedule (example J); a zero amount is refused, nothing saved."""
    from app.ui.lump_sum_panel import LumpSumPanel

    example("A_degressive", kinds=MASTER)
    screen = open_agreements("LUMP_SUM", vendor="V100")
    panel = screen.lump_sum
    assert isinstance(panel, LumpSumPanel) and panel.isVisible()
    assert not screen.group_view.isVisible() and not screen.product_view.isVisible()
    assert screen.tabs.tabText(0) == "Amount and Dates"
    panel.amount.setFocus()
    qtbot.keyClicks(panel.amount, "0")
    panel.start.setDate(qdate("2025-01-01"))
    panel.end.setDate(qdate("2025-12-31"))
    panel.method.setCurrentIndex(panel.method.findData("CD"))
    save(qtbot, screen, env)
    assert screen.problems.messages() == ["Agreement (new), Amount: must be greater than 0 (got 0)"]
    assert panel.amount.styleSheet() and screen.is_dirty()
    with ctx.uow() as uow:
        assert agreements.list_agreements(uow, "V100", "LUMP_SUM") == []
    panel.amount.selectAll()
    qtbot.keyClicks(panel.amount, "12000")
    assert [(f"{m:%Y-%m}", a) for m, a, _c in panel.months.records[:4]] == [
        ("2025-01", Decimal("1019.18")), ("2025-02", Decimal("920.55")), ("2025-03", Decimal("1019.17")),
        ("2025-04", Decimal("986.31")),
    ]  # fmt: skip
    assert panel.months.records[-1][2] == Decimal("12000.00")
    save(qtbot, screen, env)
    assert screen.problems.messages() == [] and not screen.is_dirty()
    with ctx.uow() as uow:
        (summary,) = agreements.list_agreements(uow, "V100", "LUMP_SUM")
        view = agreements.load_agreement(uow, summary.id)
    assert view.lump_sum == agreements.LumpSum(Decimal("12000.00"), date(2025, 1, 1), date(2025, 12, 31), "CD")
    assert view.stored == ()
    with ctx.uow() as uow:
        fields = {h.field: h.new_value for h in agreements.history(uow, summary.id)}
    assert (fields["Amount"], fields["Start Date"], fields["End Date"], fields["M"]) == (
        "12000", "2025-01-01", "2025-12-31", "CD",
    )  # fmt: skip
    other = open_agreements("LUMP_SUM", vendor="V100")  # opened again: the stored terms
    assert (other.lump_sum.amount.text(), other.lump_sum.method.currentData()) == ("12000.00", "CD")


def test_a_price_protection_agreement_keeps_the_grids_without_rates(open_agreements, example, qtbot, env, ctx):
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("PRICE_PROTECTION", vendor="V100")
    assert screen.lump_sum is None and screen.group_view.isVisible()
    view = screen.group_view
    add_row(qtbot, view)
    type_cell(qtbot, view, 0, "CAT1", "GYPSUM")
    type_cell(qtbot, view, 0, "Start Date", "2025-01-01")
    type_cell(qtbot, view, 0, "End Date", "2025-12-31")
    type_cell(qtbot, view, 0, "Rebate 1", "2")
    save(qtbot, screen, env)
    assert any(
        m.startswith("new group row 1, Rebate 1: a price-protection line has no rates")
        for m in screen.problems.messages()
    )
    screen.group.set_value(0, "Rebate 1", None)
    save(qtbot, screen, env)
    assert screen.problems.messages() == []
    with ctx.uow() as uow:
        (summary,) = agreements.list_agreements(uow, "V100", "PRICE_PROTECTION")
        (line,) = agreements.load_agreement(uow, summary.id).lines
    assert (line.cats[0], line.max_amount, line.rebates, line.start) == (
        "GYPSUM", Decimal("0.00"), (None, None, None, None), date(2025, 1, 1),
    )  # fmt: skip


def test_the_row_labels_are_as_wide_as_qt_measures_them(open_agreements, example, qtbot, ctx):
    """The grid's row header (app.ui.grid.RowHeader) measures only the widest label; its
    width must be Qt's own: the widest of the first and the last hundred labels, bold."""
    example("A_degressive", kinds=MASTER)
    lines = [
        LineDraft(
            label=f"Line {i}",
            cats=("GYPSUM", "ALL", "ALL", "ALL"),
            max_amount=Decimal(1000 * (i + 1)),
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            rebates=(Decimal(1), None, None, None),
        )
        for i in range(1200)
    ]
    with ctx.uow() as uow:
        agreements.save_agreement(uow, vendor="V100", kind="COOP", status="PENDING", lines=lines)
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    header = view.verticalHeader()

    def widths() -> tuple[int, int, int]:
        """Ours, Qt's, and the header's width as laid out."""
        QApplication.processEvents()
        return header.sizeHint().width(), QHeaderView.sizeHint(header).width(), header.width()

    first = widths()
    assert len(set(first)) == 1 and screen.group.row_header(1199) == "1200"
    view.go_to(600, 0)
    add_row(qtbot, view)  # "new" in the middle: not among the labels Qt measures
    assert screen.group.row_header(601) == "new 1" and widths() == first
    view.go_to(0, 0)
    add_row(qtbot, view)  # "new" second: measured
    assert screen.group.row_header(1) == "new 1" and screen.group.row_header(602) == "new 2"
    assert len(set(widths())) == 1
    screen.group.remove_rows(range(3, 1202))
    assert screen.group.rowCount() == 3 and len(set(widths())) == 1
    font = header.font()
    font.setPointSize(font.pointSize() + 8)
    header.setFont(font)
    assert len(set(widths())) == 1 and widths()[0] > first[0]


def test_opening_an_agreement_reads_its_tier_volume_once(open_agreements, example, ctx):
    """Both grids are loaded before the tier chart follows: one read of the volume."""
    example("A_degressive")
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if "line_accrual" in statement:
            seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        screen = open_agreements("COOP", vendor="V100")
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    assert screen.group.rowCount() > 0 and len(seen) == 1
    assert screen.tier_progress.state.thresholds and screen.tier_progress.state.volume == Decimal(0)


def test_every_column_explains_itself_and_a_period_reads_as_its_name(example, qtbot, env):
    """Issue 17: a tooltip on every column header, the current column's hint in the status bar,
    999,999,999.00 shown as "no limit", a period shown as Monthly / Quarterly / Yearly."""
    from PySide6.QtWidgets import QMainWindow

    from app.ui.agreement_lines import agreement_columns

    example("G_periodic")
    window = QMainWindow()
    screen = AgreementScreen(env, "PERIODIC")
    window.setCentralWidget(screen)
    show(qtbot, window)
    screen.start()
    choose_vendor(qtbot, screen.vendor_box, "V100")
    model = screen.group
    header = {model.column(i).name: model.headerData(i, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
              for i in range(model.columnCount())}  # fmt: skip
    assert all(header.values()), [name for name, tip in header.items() if not tip]
    assert header["Deg"].startswith("Degressive: each rebate applies to what the ones before it left")
    assert header["M"] == "Method of settlement: SC cheque, NC credit note, CD deduct on next payment."
    assert {c.name for c in agreement_columns(True, False)} <= {*header, "Product"}
    view = screen.group_view
    assert [cell(view, r, "Period") for r in range(2)] == ["Quarterly", "Quarterly"]
    assert [cell(view, r, "Maximum Amount") for r in range(2)] == ["10,000.00", "no limit"]
    view.setCurrentIndex(model.index(0, model.column_index("Retro")))  # the keyboard moves there
    assert window.statusBar().currentMessage().startswith("Retro: Retroactive: reaching a tier re-rates")
    hover = model.index(0, model.column_index("Deg")).data(Qt.ItemDataRole.StatusTipRole)
    assert hover.startswith("Deg: Degressive:")  # the mouse over a cell says it too


def test_f4_opens_the_lookup_on_the_cells_value(open_agreements, example, qtbot):
    """Issue 17: F4 on CAT1 = LUMBER starts with LUMBER selected; on a partial code, filtered by it."""
    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    view = screen.group_view
    add_row(qtbot, view)
    type_cell(qtbot, view, 0, "CAT1", "LUMBER")
    click_cell(qtbot, view, 0, "CAT1")
    opened: list[tuple[str, str]] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, LookupDialog)
        opened.append((dialog.chosen() or "", dialog.filter.text()))
        dialog.reject()

    QTimer.singleShot(100, look)
    qtbot.keyClick(view, Qt.Key.Key_F4)
    assert opened == [("LUMBER", "")]
    dialog = LookupDialog(None, "CAT1", [("ALL", "every"), ("GYPSUM", "Gypsum"), ("LUMBER", "Lumber")], "gyp")
    qtbot.addWidget(dialog)
    assert (dialog.filter.text(), dialog.chosen(), dialog.proxy.rowCount()) == ("gyp", "GYPSUM", 1)


def test_a_category_cell_shows_its_description(open_agreements, example, qtbot):
    example("B_marginal")
    screen = open_agreements("COOP", vendor="V100")
    tip = cell(screen.group_view, 0, "CAT1", Qt.ItemDataRole.ToolTipRole)
    assert tip == "Gypsum"  # categories.csv: 1,GYPSUM,,Gypsum
    assert cell(screen.group_view, 0, "CAT2", Qt.ItemDataRole.ToolTipRole) is None  # ALL: no category


def test_a_letter_in_a_number_cell_is_said_and_an_unknown_code_is_flagged_when_left(open_agreements, example, qtbot):
    """Issue 17: a refused keystroke says why (a tooltip), not dropped silently; a category code
    the lookup does not know is flagged in its cell as soon as it is left, before Save."""
    from PySide6.QtWidgets import QToolTip

    example("A_degressive", kinds=MASTER)
    screen = open_agreements("COOP", vendor="V100")
    add_row(qtbot, screen.group_view)
    editor = type_cell(qtbot, screen.group_view, 0, "Rebate 1", "1x", commit=False)
    assert editor.text() == "1"
    assert QToolTip.text() == "Not taken: a number of 0 or more, at most 4 decimals"
    press(qtbot, editor, Qt.Key.Key_Return)
    type_cell(qtbot, screen.group_view, 0, "CAT1", "PLYWOOD")
    field = screen.group.columns[screen.group.column_index("CAT1")].problem_field
    assert screen.group.problems[(0, field)] == "CAT1: PLYWOOD is not known here (F4 lists the codes)"
    assert cell(screen.group_view, 0, "CAT1", Qt.ItemDataRole.BackgroundRole) is not None
    type_cell(qtbot, screen.group_view, 0, "CAT1", "GYPSUM")
    assert (0, field) not in screen.group.problems
