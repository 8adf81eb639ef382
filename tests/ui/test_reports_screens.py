"""Report screens driven with clicks and keys: estimated rebates (sorting, drill-down,
export), the journal, vendor statements, and the tier chart of the agreement screen."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QApplication

from app.services import agreements, estimated, posting, reports
from app.services.agreements import LineDraft
from app.ui.estimated import ESTIMATED_COLUMNS, EstimatedScreen
from app.ui.estimated_drill import LadderDialog
from app.ui.journal import JournalScreen
from app.ui.main import MainWindow
from app.ui.reports_common import ReportView
from app.ui.statements import BatchDialog, StatementDialog
from tests.conftest import import_example
from tests.ui.conftest import choose_vendor, click_cell, show, wait_idle

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def posted_b(ctx):
    """Example B (marginal COOP ladder, 55,000 received) plus an accepted 1 % VOLUME
    agreement on the same receipts, so the grid has two ladders to sort; all posted."""
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="VOLUME",
            status="ACCEPTED",
            lines=[
                LineDraft(
                    label="Group row 1",
                    cats=("GYPSUM", "ALL", "ALL", "ALL"),
                    max_amount=Decimal("999999999"),
                    start=YEAR[0],
                    end=YEAR[1],
                    rebates=(Decimal(1), None, None, None),
                )
            ],
        )
    with ctx.uow() as uow:
        result = posting.post_slips(uow)
    assert result.slips == 3


def open_estimated(qtbot, env) -> EstimatedScreen:
    screen = EstimatedScreen(env)
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, env)
    return screen


def column_texts(view: ReportView, name: str) -> list[str]:
    return [view.shown(r, name) for r in range(view.model().rowCount())]


def row_where(view: ReportView, name: str, text: str) -> int:
    return column_texts(view, name).index(text)


def double_click(qtbot, view: ReportView, row: int, name: str) -> None:
    pos = view.cell_center(row, name)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def click_header(qtbot, view: ReportView, name: str) -> None:
    header = view.horizontalHeader()
    section = view.source.column_index(name)
    view.scrollTo(view.model().index(0, section))
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_estimated_grid_shows_the_ladder_volume_rebate_and_totals(qtbot, env, posted_b, qtmodeltester):
    screen = open_estimated(qtbot, env)
    view = screen.view
    assert view.model().rowCount() == 2
    coop = row_where(view, "Kind", "COOP")
    assert view.shown(coop, "Vendor") == "V100"
    assert view.shown(coop, "Volume") == "55,000.00"
    assert view.shown(coop, "Rebate Earned") == "1,375.00"
    assert view.shown(coop, "Tier") == "3 of 3"
    assert view.shown(coop, "Rate %") == "3.500"
    assert (
        view.model().index(coop, view.source.column_index("Volume")).data(Qt.ItemDataRole.TextAlignmentRole)
        & Qt.AlignmentFlag.AlignRight
    )
    totals = screen.totals_view
    labels = column_texts(totals, "Totals")
    assert labels[0].startswith("Total V100") and labels[-1].startswith("Grand total (1 vendor)")
    assert totals.shown(0, "Rebate Earned") == "1,925.00"  # 1,375.00 COOP + 550.00 VOLUME
    assert totals.shown(len(labels) - 1, "Rebate Earned") == "1,925.00"
    assert "2 ladders" in screen.summary.text()
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.totals)
    qtmodeltester.check(view.proxy)


def test_sorting_by_rebate_is_numeric(qtbot, env, posted_b):
    screen = open_estimated(qtbot, env)
    view = screen.view
    click_header(qtbot, view, "Rebate Earned")
    assert column_texts(view, "Rebate Earned") == ["550.00", "1,375.00"]  # as text "1,375.00" would come first
    click_header(qtbot, view, "Rebate Earned")
    assert column_texts(view, "Rebate Earned") == ["1,375.00", "550.00"]
    click_header(qtbot, view, "Kind")
    assert column_texts(view, "Kind") == ["COOP", "VOLUME"]


def test_filters_by_kind_and_from_date(qtbot, env, posted_b):
    screen = open_estimated(qtbot, env)
    screen.kind_box.setFocus()
    qtbot.keyClicks(screen.kind_box, "Volume")
    wait_idle(qtbot, env)
    assert column_texts(screen.view, "Kind") == ["VOLUME"]
    assert screen.view.shown(0, "Rebate Earned") == "550.00"
    screen.kind_box.setCurrentIndex(0)
    wait_idle(qtbot, env)
    qtbot.mouseClick(screen.date_from.check, Qt.MouseButton.LeftButton)
    screen.date_from.edit.setDate(QDate(2026, 2, 2))
    screen.date_from.edit.editingFinished.emit()
    wait_idle(qtbot, env)
    coop = row_where(screen.view, "Kind", "COOP")
    # the rebate of S2 and S3 only; the volume (and so the tier) the whole ladder's
    assert screen.view.shown(coop, "Rebate Earned") == "875.00"
    assert screen.view.shown(coop, "Volume") == "55,000.00"
    choose_vendor(qtbot, screen.vendor_box, "V100")
    wait_idle(qtbot, env)
    assert screen.loaded is not None and screen.loaded[1] == "V100"
    assert set(column_texts(screen.view, "Vendor")) == {"V100"}


def test_double_click_drills_down_to_receipt_lines_and_their_journal(qtbot, env, posted_b, qtmodeltester):
    screen = open_estimated(qtbot, env)
    double_click(qtbot, screen.view, row_where(screen.view, "Kind", "COOP"), "Ladder")
    dialog = screen.drill
    assert isinstance(dialog, LadderDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    lines = dialog.lines_view
    assert column_texts(lines, "Slip") == ["S1", "S2", "S3"]
    assert column_texts(lines, "Rebate") == ["500.00", "550.00", "325.00"]
    assert column_texts(lines, "Volume After") == ["25,000.00", "45,000.00", "55,000.00"]
    assert column_texts(lines, "Tier") == ["1", "2", "3"]
    qtmodeltester.check(dialog.lines)
    double_click(qtbot, lines, 1, "Slip")
    journal = dialog.journal_view
    sources = column_texts(journal, "Source")
    assert sources == ["RECEIPT", "RECEIPT", "ACCRUAL", "ACCRUAL", "ACCRUAL", "ACCRUAL"]
    receivable = [
        r
        for r in range(len(sources))
        if journal.shown(r, "Role") == "REBATE_RECEIVABLE" and journal.shown(r, "Kind") == "COOP"
    ]
    assert [journal.shown(r, "Debit") for r in receivable] == ["550.00"]
    assert "S2 line 1" in dialog.journal_title.text()
    qtmodeltester.check(dialog.journal)
    lines.setFocus()
    qtbot.keyClick(lines, Qt.Key.Key_Down)  # Enter on the next line shows its journal
    qtbot.keyClick(lines, Qt.Key.Key_Return)
    assert "S3 line 1" in dialog.journal_title.text()


def test_export_xlsx_csv_and_pdf_to_the_chosen_file(qtbot, env, posted_b, tmp_path):
    screen = open_estimated(qtbot, env)
    xlsx, text, pdf = tmp_path / "est.xlsx", tmp_path / "est.csv", tmp_path / "est.pdf"
    env.interaction.chosen_paths.extend([str(xlsx), str(text), str(pdf)])
    for button in (screen.xlsx_button, screen.csv_button, screen.pdf_button):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, env)
    assert not env.interaction.of_kind("error")
    sheet = load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == estimated.ESTIMATED_COLUMNS
    coop = next(r for r in rows[1:] if r[2] == "COOP")
    named = dict(zip(rows[0], coop, strict=True))
    assert isinstance(named["volume"], int | float) and named["volume"] == 55000
    assert isinstance(named["rebate_earned"], int | float) and named["rebate_earned"] == 1375
    with text.open(newline="") as fh:
        records = list(csv.DictReader(fh))
    assert {(r["kind"], r["rebate_earned"]) for r in records} == {("COOP", "1375.00"), ("VOLUME", "550.00")}
    assert pdf.read_bytes().startswith(b"%PDF")
    asked = env.interaction.of_kind("save_path")
    assert [Path(m.text).suffix for m in asked] == [".xlsx", ".csv", ".pdf"]


def test_export_refuses_a_wrong_extension_and_cancel_writes_nothing(qtbot, env, posted_b, tmp_path):
    screen = open_estimated(qtbot, env)
    env.interaction.chosen_paths.append(str(tmp_path / "est.txt"))
    assert screen.export(".xlsx") is False
    assert "must end in .xlsx" in env.interaction.of_kind("error")[-1].text
    assert screen.export(".csv") is False  # no path: the dialog was cancelled
    assert not list(tmp_path.glob("est.*"))


def test_journal_shows_accrual_lines_filters_by_source_and_exports(qtbot, env, posted_b, tmp_path, qtmodeltester):
    screen = JournalScreen(env)
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, env)
    view = screen.view
    everything = view.model().rowCount()
    assert everything == 18  # 3 receipts x 2 lines, 3 COOP + 3 VOLUME accruals x 2 lines
    assert "balanced" in screen.summary.text()
    qtmodeltester.check(screen.model)
    screen.source_box.setFocus()
    qtbot.keyClicks(screen.source_box, "ACCRUAL")
    wait_idle(qtbot, env)
    assert set(column_texts(view, "Source")) == {"ACCRUAL"}
    assert view.model().rowCount() == 12
    coop_receivable = [
        view.shown(r, "Debit")
        for r in range(12)
        if view.shown(r, "Role") == "REBATE_RECEIVABLE" and view.shown(r, "Kind") == "COOP"
    ]
    assert coop_receivable == ["500.00", "550.00", "325.00"]
    assert column_texts(view, "Slip")[:2] == ["S1", "S1"]
    click_header(qtbot, view, "Debit")
    click_header(qtbot, view, "Debit")  # descending, numerically
    assert view.shown(0, "Debit") == "550.00"
    out = tmp_path / "journal.csv"
    env.interaction.chosen_paths.append(str(out))
    qtbot.mouseClick(screen.csv_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == reports.JOURNAL_COLUMNS
    assert len(rows) == 13 and {r[2] for r in rows[1:]} == {"ACCRUAL"}


def test_vendor_statement_is_saved_as_pdf_and_opened(qtbot, env, posted_b, tmp_path):
    dialog = StatementDialog(env)
    show(qtbot, dialog)
    choose_vendor(qtbot, dialog.vendor_box, "V100")
    dialog.period.set_period(*YEAR)
    out = tmp_path / "v100.pdf"
    env.interaction.chosen_paths.append(str(out))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert out.read_bytes().startswith(b"%PDF")
    assert env.interaction.of_kind("save_path")[-1].text.endswith("statement-V100-2026-01-01-2026-12-31.pdf")
    assert env.interaction.of_kind("show_file")[-1].text == str(out)
    assert not env.interaction.of_kind("error")


def test_statement_batch_writes_one_pdf_per_vendor_with_activity(qtbot, env, posted_b, tmp_path):
    dialog = BatchDialog(env)
    show(qtbot, dialog)
    dialog.period.set_period(*YEAR)
    folder = tmp_path / "statements"
    env.interaction.chosen_paths.append(str(folder))
    dialog.browse()
    assert dialog.folder.text() == str(folder)
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert sorted(p.name for p in folder.iterdir()) == ["statement-V100-2026-01-01-2026-12-31.pdf"]
    assert dialog.written == [folder / "statement-V100-2026-01-01-2026-12-31.pdf"]
    assert env.interaction.of_kind("inform")[-1].text.startswith("Wrote 1 statement to")


def test_statement_batch_cancel_stops_between_files(qtbot, env, posted_b, tmp_path):
    dialog = BatchDialog(env)
    show(qtbot, dialog)
    dialog.period.set_period(*YEAR)
    dialog.folder.setText(str(tmp_path / "cancelled"))
    job = dialog.write()
    assert job is not None
    job.cancel()
    wait_idle(qtbot, env)
    assert dialog.result.text().startswith("Cancelled.")
    assert len(dialog.written) <= 1


def test_statement_period_must_not_end_before_it_starts(qtbot, env, posted_b):
    dialog = BatchDialog(env)
    show(qtbot, dialog)
    dialog.period.set_period(date(2026, 12, 31), date(2026, 1, 1))
    assert dialog.write() is None
    assert "ends before it starts" in env.interaction.of_kind("error")[-1].text


def test_tier_chart_follows_the_selected_ladder(qtbot, env, posted_b, open_agreements):
    screen = open_agreements("COOP", vendor="V100")
    panel = screen.tier_progress
    click_cell(qtbot, screen.group_view, 1, "Rebate 1")
    state = panel.state
    assert state.thresholds == (Decimal("30000"), Decimal("50000"), Decimal("999999999"))
    assert state.volume == Decimal("55000.00")
    assert (state.tier, state.rate) == (3, Decimal("3.500"))
    assert state.rebate == Decimal("1375.00")
    assert "Volume to date 55,000.00 · tier 3 of 3 at 3.500%" in panel.headline.text()
    panel.chart.grab()  # paints without error
    volume = open_agreements("VOLUME", vendor="V100")
    click_cell(qtbot, volume.group_view, 0, "Maximum Amount")
    assert (volume.tier_progress.state.volume, volume.tier_progress.state.tier) == (Decimal("55000.00"), 1)


def test_tier_chart_of_a_periodic_ladder_counts_the_current_period(qtbot, env, ctx, open_agreements):
    import_example(ctx, "G_periodic")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    screen = open_agreements("PERIODIC", vendor="V100")
    screen.tier_progress.today = lambda: date(2026, 5, 31)
    screen.tier_progress.cache.clear()
    click_cell(qtbot, screen.group_view, 0, "Rebate 1")
    state = screen.tier_progress.state
    assert (state.period_key, state.volume, state.tier) == ("2026-Q2", Decimal("8000.00"), 1)
    screen.tier_progress.today = lambda: date(2026, 3, 31)
    click_cell(qtbot, screen.group_view, 1, "Rebate 1")
    state = screen.tier_progress.state
    assert (state.period_key, state.volume, state.tier) == ("2026-Q1", Decimal("12000.00"), 2)


def test_tier_chart_of_a_new_agreement_has_no_volume(qtbot, env, posted_b, open_agreements):
    screen = open_agreements("COOP", vendor="V100")
    screen.agreement_box.setCurrentIndex(screen.agreement_box.count() - 1)
    screen._agreement_chosen(screen.agreement_box.count() - 1)
    assert screen.tier_progress.state.thresholds == ()
    assert not env.interaction.of_kind("error")


def test_reports_menu_opens_the_screens_and_dialogs(qtbot, env, posted_b):
    window = show(qtbot, MainWindow(env))
    menus = {top.text().replace("&", ""): top for top in window.menuBar().actions()}
    names = list(menus)
    assert (
        names.index("Reports") == names.index("Settlement") + 1 == names.index("Processing") + 2 and names[-1] == "Help"
    )
    items = {a.text().replace("&", ""): a for a in menus["Reports"].menu().actions() if not a.isSeparator()}
    assert list(items) == [
        "Estimated Rebates",
        "Provisional Exposure",
        "Negotiation Preview",
        "Financial Scorecard",
        "Accrual Audit",
        "Vendor Statement…",
        "Vendor Statements (all vendors)…",
        "Journal",
    ]
    items["Estimated Rebates"].trigger()
    wait_idle(qtbot, env)
    assert isinstance(window.tabs.currentWidget(), EstimatedScreen)
    items["Journal"].trigger()
    wait_idle(qtbot, env)
    assert isinstance(window.tabs.currentWidget(), JournalScreen)
    for text, kind in (("Vendor Statement…", StatementDialog), ("Vendor Statements (all vendors)…", BatchDialog)):
        items[text].trigger()
        dialog = QApplication.activeModalWidget() or next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()
        )
        assert isinstance(dialog, kind)
        dialog.close()


def test_a_periodic_ladder_explains_its_rebate_to_date_and_lists_its_periods(qtbot, env, ctx):
    """Example G on 2026-12-06 (issue 17): the row is the current period (2026-Q4, tier 1 of 2),
    the rebate earned to date is 20.00; the tooltip and the drill-down list the periods."""
    import_example(ctx, "G_periodic")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    screen = EstimatedScreen(env)
    show(qtbot, screen)
    screen.as_of.setDate(QDate(2026, 12, 6))
    screen.start()
    wait_idle(qtbot, env)
    view = screen.view
    assert (view.shown(0, "Period"), view.shown(0, "Tier"), view.shown(0, "Rebate Earned")) == (
        "2026-Q4",
        "1 of 2",
        "20.00",
    )
    tip = view.model().index(0, view.source.column_index("Rebate Earned")).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines() == [
        "Rebate earned to date: 20.00, the sum over the periods (each reaches its own tier):",
        "  2026-Q1: volume 12,000.00 · tier 2 at 1.000% · earned 20.00",
        "  2026-Q2: volume 8,000.00 · tier 1 at 0.000% · earned 0.00",
    ]
    double_click(qtbot, view, 0, "Ladder")
    dialog = screen.drill
    assert isinstance(dialog, LadderDialog)
    qtbot.addWidget(dialog)
    assert not dialog.periods_view.isHidden()
    assert column_texts(dialog.periods_view, "Period") == ["2026-Q1", "2026-Q2"]
    assert column_texts(dialog.periods_view, "Tier") == ["2", "1"]
    assert column_texts(dialog.periods_view, "Rebate Earned") == ["20.00", "0.00"]


def test_the_periodic_tier_chart_marks_every_period(qtbot, env, ctx):
    """Issue 17: example G's chart on 2026-12-06 shows the current period (2026-Q4, empty) and
    marks Q1 (12,000.00, tier 2) and Q2 (8,000.00, tier 1); the headline names them."""
    from app.services.queries import ladder_progress
    from app.ui.tier_chart import ChartState, TierChart

    import_example(ctx, "G_periodic")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    with ctx.uow() as uow:
        agreement_id = agreements.list_agreements(uow, "V100", "PERIODIC")[0].id
        progress = ladder_progress(
            uow, agreement_id, None, ("GYPSUM", "ALL", "ALL", "ALL"), *YEAR, "Q", date(2026, 12, 6)
        )  # fmt: skip
    assert (progress.period_key, progress.volume) == ("2026-Q4", Decimal(0))
    assert progress.periods == (("2026-Q1", Decimal("12000.00")), ("2026-Q2", Decimal("8000.00")))
    state = ChartState(
        "GYPSUM", (Decimal("10000"), Decimal("999999999")), (Decimal("0"), Decimal("1")), progress.volume,
        progress.rebate, progress.period_key, "", progress.periods,
    )  # fmt: skip
    assert state.headline.endswith("· other periods: 2026-Q1 12,000.00 (tier 2), 2026-Q2 8,000.00 (tier 1)")
    chart = TierChart()
    qtbot.addWidget(chart)
    chart.resize(600, TierChart.HEIGHT)
    chart.set_state(state)
    assert not chart.render_picture().isNull()


def test_every_estimated_column_shows_at_1280_with_lump_sums(qtbot, env, ctx):
    """Issue 17: with the demo company (periodic, capped and provisional ladders, and lump
    sums, so every column is shown), the Estimated Rebates grid of a 1280-pixel window needs
    no horizontal scrollbar: each column as wide as what it holds and its heading, the sort
    arrow's room only on the column sorted by, the ladder capped (its text in the tooltip)."""
    from app.services import demo

    with ctx.uow() as uow:
        demo.load_demo(uow, today=date(2026, 12, 6))
    window = MainWindow(env)
    window.resize(1280, 800)
    show(qtbot, window)
    screen = window.open_estimated()
    wait_idle(qtbot, env)
    view = screen.view
    names = [c.name for i, c in enumerate(screen.model.columns) if not view.isColumnHidden(i)]
    assert len(names) == len(ESTIMATED_COLUMNS) == 17  # the lump sum columns too
    widths = [view.columnWidth(i) for i in range(len(names))]
    assert sum(widths) <= view.viewport().width() and view.horizontalScrollBar().maximum() == 0
    assert view.columnWidth(screen.model.column_index("Ladder")) == 150
    view.sortByColumn(screen.model.column_index("Rebate Earned"), Qt.SortOrder.DescendingOrder)
    assert view.horizontalScrollBar().maximum() == 0  # still, with the arrow's room
    for i in range(len(names)):  # no number cut: each column holds its widest cell
        assert view.columnWidth(i) >= min(view.sizeHintForColumn(i), 150)
