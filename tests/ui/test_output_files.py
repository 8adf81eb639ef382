"""Screens that write files: asked once before a file there is replaced, the database
file refused, a missing folder reported in one message; all through the interaction."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from PySide6.QtCore import Qt

from app.ui.main import MainWindow
from app.ui.statements import BatchDialog, StatementDialog
from tests.integration.test_backup import contents
from tests.ui.conftest import choose_vendor, show, wait_idle
from tests.ui.test_main_window import menu_actions
from tests.ui.test_reports_screens import YEAR, open_estimated, posted_b  # noqa: F401 - fixture

OLD = b"last month's file\n"


def test_an_export_asks_before_replacing_a_file_and_keeps_it_on_no(qtbot, env, posted_b, tmp_path):
    screen = open_estimated(qtbot, env)
    out = tmp_path / "out" / "est.csv"
    out.parent.mkdir()
    out.write_bytes(OLD)
    env.interaction.answers.append(False)
    env.interaction.chosen_paths.append(str(out))
    qtbot.mouseClick(screen.csv_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    (asked,) = env.interaction.of_kind("confirm")
    assert asked.text == f"{out} already exists. Replace it?"
    assert out.read_bytes() == OLD and os.listdir(out.parent) == ["est.csv"]
    assert not env.interaction.of_kind("error")

    env.interaction.answers.append(True)
    env.interaction.chosen_paths.append(str(out))
    qtbot.mouseClick(screen.csv_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert len(env.interaction.of_kind("confirm")) == 2
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["kind"], r["rebate_earned"]) for r in rows} == {("COOP", "1375.00"), ("VOLUME", "550.00")}
    assert os.listdir(out.parent) == ["est.csv"]


def test_an_export_onto_the_database_or_into_a_missing_folder_is_refused_in_one_message(
    qtbot, env, ctx, posted_b, tmp_path
):
    screen = open_estimated(qtbot, env)
    live = Path(str(ctx.engine.url.database))
    before = contents(ctx)
    link = tmp_path / "looks-like-an-export.xlsx"
    link.symlink_to(live)
    missing = tmp_path / "no-such-folder" / "est.pdf"
    env.interaction.chosen_paths.extend([str(link), str(missing)])
    qtbot.mouseClick(screen.xlsx_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert [(m.text, m.details) for m in env.interaction.of_kind("error")] == [
        (f"{link} is the database itself or one of its files; choose another file", ()),
        (f"{missing}: the folder {missing.parent} does not exist", ()),
    ]
    assert not env.interaction.of_kind("confirm")  # refused, not offered to replace
    assert link.is_symlink() and not missing.parent.exists()
    assert contents(ctx) == before


def test_the_vendor_statement_asks_before_replacing_its_pdf(qtbot, env, posted_b, tmp_path):
    dialog = StatementDialog(env)
    show(qtbot, dialog)
    choose_vendor(qtbot, dialog.vendor_box, "V100")
    dialog.period.set_period(*YEAR)
    out = tmp_path / "v100.pdf"
    out.write_bytes(OLD)
    env.interaction.answers.append(True)
    env.interaction.chosen_paths.append(str(out.with_suffix("")))  # the dialog adds .pdf
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("confirm")[-1].text == f"{out} already exists. Replace it?"
    assert out.read_bytes().startswith(b"%PDF") and dialog.written == out
    assert not env.interaction.of_kind("error")


def test_the_statement_batch_asks_once_for_every_file_already_in_the_folder(qtbot, env, posted_b, tmp_path):
    dialog = BatchDialog(env)
    show(qtbot, dialog)
    dialog.period.set_period(*YEAR)
    folder = tmp_path / "statements"
    folder.mkdir()
    v100 = folder / "statement-V100-2026-01-01-2026-12-31.pdf"
    v100.write_bytes(OLD)
    dialog.folder.setText(str(folder))
    env.interaction.answers.append(False)
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("confirm")[-1].text == (
        f"1 file already exists in {folder} ({v100.name}). Replace it?"
    )
    assert v100.read_bytes() == OLD and dialog.written == []
    env.interaction.answers.append(True)
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert v100.read_bytes().startswith(b"%PDF") and dialog.written == [v100]
    assert env.interaction.of_kind("inform")[-1].text.startswith("Wrote 1 statement to")
    assert os.listdir(folder) == [v100.name]


def test_a_backup_asks_before_replacing_a_file(qtbot, env, ctx, example, tmp_path):
    example("B_marginal", kinds=("vendors",))
    window = show(qtbot, MainWindow(env))
    file = tmp_path / "monday.sqlite"
    file.write_bytes(OLD)
    for answer in (False, True):
        env.interaction.answers.append(answer)
        env.interaction.chosen_paths.append(str(file))
        menu_actions(window)["File"]["Back up…"].trigger()
        wait_idle(qtbot, env)
        assert env.interaction.of_kind("confirm")[-1].text == f"{file} already exists. Replace it?"
        assert file.read_bytes().startswith(b"SQLite format 3\x00" if answer else OLD)
    assert f"is backed up to {file}" in env.interaction.of_kind("inform")[-1].text
    assert not env.interaction.of_kind("error")
