"""What keeps the start and the agreement screen fast: the main window does not import
the other screens, the PDF/spreadsheet libraries or Alembic; it imports the screens
opened most once it is idle; the agreement grids keep each ladder's rows for the tier
chart as the rows change."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

from app.services import agreements
from app.services.agreements import LineDraft
from app.ui import main as main_module
from app.ui.main import MainWindow
from app.ui.models import AgreementLinesModel


def test_the_main_window_module_does_not_import_the_screens_or_heavy_libraries():
    code = ("import sys; import app.ui.main; "
            "print(sorted(n for n in ('app.ui.agreements', 'app.ui.receiving', 'app.ui.estimated', "
            "'app.services.posting', 'reportlab', 'openpyxl', 'alembic') if n in sys.modules))")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_screens_are_imported_once_the_window_is_idle(qtbot, env, monkeypatch):
    imported: list[str] = []
    monkeypatch.setattr(main_module, "PRELOAD_AFTER_MS", 0)
    monkeypatch.setattr(main_module.importlib, "import_module", imported.append)
    window = MainWindow(env)
    qtbot.addWidget(window)
    window.preload_later(("app.ui.agreements", "app.ui.receiving"))
    assert imported == []  # not before the event loop turns
    qtbot.waitUntil(lambda: len(imported) == 2)
    assert imported == ["app.ui.agreements", "app.ui.receiving"]


def _line(cat4: str, maximum: str, line_no: int) -> LineDraft:
    return LineDraft(label="", line_no=line_no, cats=("A", "B", "C", cat4), max_amount=Decimal(maximum),
                     rebates=(Decimal(1), None, None, None))


def test_each_ladder_s_rows_follow_the_edits():
    model = AgreementLinesModel(False, False, agreements.result_of, LineDraft)
    model.load([_line("D1", "100", 1), _line("D1", "200", 2), _line("D2", "100", 3)], agreements.line_values)
    assert model.ladder_rows(0) == [0, 1] and model.ladder_rows(2) == [2]
    model.set_value(1, "CAT4", "D2")  # line 2 moves to the other ladder
    assert model.ladder_rows(0) == [0] and model.ladder_rows(2) == [1, 2]
    model.insert_row(0, model.new_row(2))  # a new tier of D2, first
    assert model.ladder_rows(0) == [0, 2, 3] and model.ladder_rows(1) == [1]
    model.remove_rows([0])
    assert model.ladder_rows(0) == [0] and model.ladder_rows(1) == [1, 2]
    model.rows[0]["CAT4"] = "D2"  # changed behind the model's back: found all the same
    assert model.ladder_rows(0) == [0, 1, 2]
