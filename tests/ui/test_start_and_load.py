"""What keeps the start and the agreement screen fast: the main window does not import
the other screens, the PDF/spreadsheet libraries or Alembic; it imports the screens
opened most once it is idle; the agreement grids keep each ladder's rows for the tier
chart as the rows change."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from app.services import agreements
from app.services.agreements import LineDraft
from app.ui import main as main_module
from app.ui.agreement_lines import AgreementLinesModel
from app.ui.main import MainWindow


def test_the_main_window_module_does_not_import_the_screens_or_heavy_libraries():
    code = (
        "import sys; import app.ui.main; "
        "print(sorted(n for n in ('app.ui.agreements', 'app.ui.receiving', 'app.ui.estimated', "
        "'app.services.posting', 'reportlab', 'openpyxl', 'alembic') if n in sys.modules))"
    )
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
    return LineDraft(
        label="",
        line_no=line_no,
        cats=("A", "B", "C", cat4),
        max_amount=Decimal(maximum),
        rebates=(Decimal(1), None, None, None),
    )


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


# -- the window shows before the database is opened --------------------------------------


def test_the_window_shows_before_sqlalchemy_is_imported_or_the_database_opened(tmp_path):
    """main() shows the window, then starts opening the database: at that moment neither
    SQLAlchemy nor the models nor the services are imported, and every menu entry but Exit
    and Help waits."""
    url = f"sqlite:///{tmp_path / 'start.sqlite'}"
    code = f"""
import sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from app.ui import main as m, startup
seen = {{}}
original = startup.StartDatabase.start
def start(self):
    window = self.parent_widget
    seen['visible'] = window.isVisible()
    seen['ready'] = window.ready
    seen['label'] = window.db_label.text()
    seen['enabled'] = sorted(a.text().replace('&', '') for top in window.menuBar().actions()
                             for a in top.menu().actions() if a.isEnabled() and not a.isSeparator())
    seen['imported'] = sorted(n for n in ('sqlalchemy', 'app.models', 'app.services.context', 'app.adapters.db')
                              if n in sys.modules)
    original(self)
def quit_when_ready():
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox
    modal = QApplication.activeModalWidget()
    if isinstance(modal, QMessageBox):  # the demo, offered to the new database: declined
        seen['asked'] = modal.text()
        modal.button(QMessageBox.StandardButton.No).click()
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, m.MainWindow) and w.tabs.count()]
    if windows:
        seen['after'] = windows[0].db_label.text()
        seen['home'] = windows[0].tabs.tabText(0)
        windows[0].close()
    else:
        QTimer.singleShot(20, quit_when_ready)
startup.StartDatabase.start = start
app = QApplication([])
from PySide6.QtCore import QTimer
QTimer.singleShot(0, quit_when_ready)
code = m.main(['--db', {url!r}, '--user', 'clerk'],
              settings=QSettings({str(tmp_path / "s.ini")!r}, QSettings.Format.IniFormat))
print(repr((code, seen)))
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    result, seen = eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own repr
    assert result == 0
    assert seen["visible"] is True and seen["ready"] is False
    assert seen["label"] == "Opening the database…"
    assert seen["enabled"] == ["About", "Exit", "Keyboard shortcuts"]
    assert seen["imported"] == []
    assert seen["after"] == f"Database: {url}  ·  User: clerk (single-user mode: every permission)"
    assert seen["home"] == "Home" and "demo company" in seen["asked"]


def _enabled(window: MainWindow) -> dict[str, bool]:
    return {
        a.text().replace("&", ""): a.isEnabled()
        for top in window.menuBar().actions()
        for a in top.menu().actions()
        if not a.isSeparator()
    }


def test_the_menus_enable_by_role_once_the_database_is_open(qtbot, ctx, tmp_path):
    from PySide6.QtCore import QSettings

    from app.services import security
    from app.services.context import AppContext
    from app.ui.base import UiEnv
    from app.ui.interaction import HeadlessInteraction
    from app.ui.operations import Runner
    from app.ui.startup import StartDatabase

    with ctx.uow() as uow:
        security.save_user(uow, "root", "ADMIN", "Root")
    with AppContext(ctx.engine, "root").uow() as uow:
        security.save_user(uow, "carl", "CLERK", "Carl")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.ready and window.db_label.text() == "Opening the database…"
    assert {k for k, v in _enabled(window).items() if v} == {"Exit", "About", "Keyboard shortcuts"}
    opened: list[AppContext] = []

    def ready(opened_ctx: AppContext) -> None:
        opened.append(opened_ctx)
        window.attach(UiEnv(opened_ctx, Runner(opened_ctx, HeadlessInteraction()), settings))

    url = ctx.engine.url.render_as_string(hide_password=False)
    opening = StartDatabase(window, url, "carl", settings, ready, lambda: None)
    opening.start()
    qtbot.waitUntil(lambda: window.ready, timeout=30000)
    opening.finish()
    state = _enabled(window)
    assert state["Receiving Slips"] and state["Coop Advertising Agreements"] and state["Home"]
    assert state["Connect to server…"] and state["Use local database"] and state["Exit"]
    for item in ("Back up…", "Restore…", "Vendors", "Users", "Post slips", "Re-rate", "GL Reference"):
        assert state[item] is False, item
    assert window.db_label.text().endswith("User: carl (Clerk)")
    window.env.runner.wait()
    opened[0].engine.dispose()


@pytest.mark.parametrize(
    ("login", "why"),
    [
        ("stranger", "stranger is not a user of this database; ask an administrator to add you"),
        ("dana", "dana is a disabled user of this database; ask an administrator to enable you"),
    ],
)
def test_an_unknown_or_disabled_user_is_refused_at_start_before_any_migration(qtbot, ctx, tmp_path, login, why):
    """The window's start (app.ui.startup) on a database with users, one revision older than
    the program: the user is refused before anything else, and the schema is not migrated."""
    from alembic.script import ScriptDirectory
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.adapters import db
    from app.services import security
    from app.services.context import AppContext
    from app.ui.startup import StartDatabase

    with ctx.uow() as uow:
        security.save_user(uow, "root", "ADMIN", "Root")
    with AppContext(ctx.engine, "root").uow() as uow:
        security.save_user(uow, "dana", "CLERK", "Dana", active=False)
    older = ScriptDirectory.from_config(db.alembic_config()).get_revision(db.head_revision()).down_revision
    assert isinstance(older, str)
    ctx.engine.dispose()
    db.downgrade(ctx.engine, older)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show()
    boxes: list[str] = []
    gave_up: list[bool] = []

    def close_box() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox):
            boxes.append(modal.text())
            modal.button(QMessageBox.StandardButton.Ok).click()
            return
        QTimer.singleShot(20, close_box)

    QTimer.singleShot(0, close_box)
    url = ctx.engine.url.render_as_string(hide_password=False)
    opening = StartDatabase(window, url, login, settings, lambda _ctx: None, lambda: gave_up.append(True))
    opening.start()
    qtbot.waitUntil(lambda: bool(gave_up), timeout=30000)
    opening.finish()
    assert boxes == [f"Cannot use {ctx.engine.url.render_as_string(hide_password=True)}: {why}"]
    assert not window.ready
    assert db.stored_revisions(ctx.engine) == frozenset({older})  # no migration ran


def test_a_saved_server_that_cannot_be_opened_offers_the_dialog_then_gives_up(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.services.connection import ServerSettings
    from app.ui import connection as connection_ui
    from app.ui.startup import StartDatabase

    monkeypatch.delenv("COOP_DATABASE_URL", raising=False)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    saved = ServerSettings("127.0.0.1", 1, "coop", "clerk")
    connection_ui.remember_server(settings, saved)
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show()
    boxes: list[str] = []
    asked: list[ServerSettings] = []
    gave_up: list[bool] = []

    def close_box() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox):
            boxes.append(modal.text())
            modal.button(QMessageBox.StandardButton.Ok).click()
            return
        QTimer.singleShot(20, close_box)

    QTimer.singleShot(0, close_box)
    opening = StartDatabase(
        window,
        None,
        "clerk",
        settings,
        lambda _ctx: None,
        lambda: gave_up.append(True),
        ask=lambda s: asked.append(s) or None,
    )
    opening.start()
    qtbot.waitUntil(lambda: bool(gave_up), timeout=30000)
    opening.finish()
    assert boxes and boxes[0].startswith("Cannot connect to postgresql+psycopg://clerk@127.0.0.1:1/coop")
    assert asked == [saved]
    assert not window.ready


def test_the_window_s_names_are_the_services_names():
    """The menus use the vocabulary the services enforce (one copy: the same objects)."""
    from app.domain import vocabulary
    from app.services import security
    from app.ui import menus

    assert security.Permission is vocabulary.Permission and security.GRANTS is vocabulary.GRANTS
    assert set(menus.NEEDS.values()) | set(menus.HOME_NEEDS.values()) <= set(security.Permission)
    assert menus.NEEDS["Post slips"] is security.Permission.POST
    assert menus.ANY_ROLE == {
        "Coop Advertising Agreements",
        "Volume Rebate Agreements",
        "Periodic Rebate Agreements",
        "Damage Allowance Agreements",
        "Freight Allowance Agreements",
        "Lump Sum Agreements",
        "Price Protection Agreements",
        "Agreements Overview",
    }
    assert main_module.NEEDS is menus.NEEDS
