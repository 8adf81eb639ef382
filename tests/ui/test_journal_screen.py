"""The Journal screen's exports for the general ledger: export the new lines (recorded and
numbered), the list of exports, a re-print of one, and the lines not yet exported."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services import journal_exports, posting, reports
from app.ui.journal import JournalScreen
from tests.conftest import import_example
from tests.ui.conftest import show, wait_idle
from tests.ui.test_reports_screens import column_texts, double_click


@pytest.fixture
def posted_s1_s2(ctx, tmp_path):
    """Example B with S1 and S2 posted (12 journal lines); S3 stays a draft."""
    import_example(
        ctx,
        "B_marginal",
        ("categories", "vendors", "products", "gl-accounts", "gl-reference", "agreements", "receipts"),
    )
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S1", "S2"])


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def open_journal(qtbot, env) -> JournalScreen:
    screen = JournalScreen(env)
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, env)
    return screen


def test_export_new_lines_lists_the_export_and_reprints_it(qtbot, env, ctx, posted_s1_s2, tmp_path, qtmodeltester):
    screen = open_journal(qtbot, env)
    assert screen.exports_view.model().rowCount() == 0
    assert screen.pending.text() == "8 journal lines not yet exported"
    assert set(column_texts(screen.view, "Export")) == {""}

    (tmp_path / "gl").mkdir()
    first = tmp_path / "gl" / "first.csv"
    env.interaction.chosen_paths.append(str(first))
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("save_path")[-1].text.endswith("journal-export-0001.csv")
    exported = rows_of(first)
    assert [(r["source"], r["slip_no"], r["account_role"], r["debit"], r["export_no"]) for r in exported[::2]] == [
        ("RECEIPT", "S1", "INVENTORY", "25000.00", "1"),
        ("ACCRUAL", "S1", "REBATE_RECEIVABLE", "500.00", "1"),
        ("RECEIPT", "S2", "INVENTORY", "20000.00", "1"),
        ("ACCRUAL", "S2", "REBATE_RECEIVABLE", "550.00", "1"),
    ]
    view = screen.exports_view
    assert view.model().rowCount() == 1
    assert [view.shown(0, c) for c in ("No.", "By", "Lines", "Debit", "Credit", "File")] == [
        "1",
        "tester",
        "8",
        "46,050.00",
        "46,050.00",
        str(first),
    ]
    assert screen.pending.text() == "Every journal line is in an export"
    assert set(column_texts(screen.view, "Export")) == {"1"}
    assert set(column_texts(screen.view, "Agreement")) == {"", "1"}
    qtmodeltester.check(screen.exports_model)

    # S3 posted (tier 3: 325.00): the second export carries its 4 lines only; the newest is listed first
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S3"])
    screen.refresh()
    wait_idle(qtbot, env)
    assert screen.pending.text() == "4 journal lines not yet exported"
    screen.unexported_check.setChecked(True)
    wait_idle(qtbot, env)
    assert set(column_texts(screen.view, "Slip")) == {"S3"} and screen.view.model().rowCount() == 4
    second = tmp_path / "second.xlsx"
    env.interaction.chosen_paths.append(str(second))
    assert screen.export_new()
    wait_idle(qtbot, env)
    assert [(view.shown(r, "No."), view.shown(r, "Lines"), view.shown(r, "Debit")) for r in range(2)] == [
        ("2", "4", "10,325.00"),
        ("1", "8", "46,050.00"),
    ]
    assert screen.view.model().rowCount() == 0  # not yet exported: none

    # nothing new: said, nothing recorded, no file
    env.interaction.chosen_paths.append(str(tmp_path / "third.csv"))
    assert screen.export_new()
    wait_idle(qtbot, env)
    assert "no journal line to export" in env.interaction.of_kind("inform")[-1].text
    assert not (tmp_path / "third.csv").exists() and view.model().rowCount() == 2

    # re-print export 1 (double-click its row): the same file again
    again = tmp_path / "again.csv"
    env.interaction.chosen_paths.append(str(again))
    double_click(qtbot, view, 1, "No.")
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("save_path")[-1].text.endswith("journal-export-0001.csv")
    assert again.read_bytes() == first.read_bytes()
    assert not env.interaction.of_kind("error")

    screen.unexported_check.setChecked(False)
    wait_idle(qtbot, env)
    screen.resize(1400, 760)
    with ctx.uow() as uow:
        assert [(r.export_no, r.line_count, r.total_debit) for r in journal_exports.list_exports(uow)] == [
            (2, 4, Decimal("10325.00")),
            (1, 8, Decimal("46050.00")),
        ]
        assert len(reports.journal_rows(uow)) == 12


def test_reprint_needs_a_chosen_export_and_a_refused_export_says_why(qtbot, env, posted_s1_s2, tmp_path):
    screen = open_journal(qtbot, env)
    assert screen.reprint() is False
    assert env.interaction.of_kind("inform")[-1].text == "Choose an export in the list first."
    env.interaction.chosen_paths.append(str(tmp_path / "a-file" / "x.csv"))
    (tmp_path / "a-file").write_text("")
    assert screen.export_new()
    wait_idle(qtbot, env)
    error = env.interaction.of_kind("error")[-1]
    assert error.text == f"{tmp_path / 'a-file' / 'x.csv'}: the folder {tmp_path / 'a-file'} is not a folder"
    assert screen.exports_view.model().rowCount() == 0
    screen.refresh()
    wait_idle(qtbot, env)
    assert screen.pending.text() == "8 journal lines not yet exported"
