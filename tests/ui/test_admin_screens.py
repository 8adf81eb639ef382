"""File menu (connect to a server, local database, back up, restore), the Users screen,
menus by role, and a database newer than the program at start-up."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.adapters import db
from app.services import masterdata, queries, security
from app.services.connection import ServerSettings
from app.services.context import AppContext
from app.ui import connection as connection_ui
from app.ui.main import MainWindow
from app.ui.masterdata import RecordsScreen
from app.ui.users import UsersScreen
from tests.conftest import drop_pg
from tests.ui.conftest import make_env, press, show, type_cell, wait_idle
from tests.ui.test_main_window import menu_actions

PG_URL = os.environ.get("COOP_TEST_PG_URL")


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    """A private home folder: the password file and the local database go there."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / ".local" / "share"))
    monkeypatch.delenv("PGPASSFILE", raising=False)
    monkeypatch.delenv("COOP_DATABASE_URL", raising=False)
    return folder


def retype(qtbot, widget, value: str) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, value)


def fill_dialog(qtbot, dialog, server: ServerSettings, password: str = "") -> None:  # type: ignore[no-untyped-def]
    retype(qtbot, dialog.host, server.host)
    retype(qtbot, dialog.port, str(server.port))
    retype(qtbot, dialog.database, server.database)
    retype(qtbot, dialog.user, server.user)
    dialog.sslmode.setFocus()
    while dialog.sslmode.currentData() != server.sslmode:
        qtbot.keyClick(dialog.sslmode, Qt.Key.Key_Down)
    retype(qtbot, dialog.password, password)


def test_file_menu_comes_first(qtbot, env):
    window = show(qtbot, MainWindow(env))
    assert window.menuBar().actions()[0].text().replace("&", "") == "File"
    assert list(menu_actions(window)["File"]) == [
        "Home",
        "Connect to server…",
        "Use local database",
        "Import…",
        "Back up…",
        "Restore…",
        "Exit",
    ]


def test_the_connection_dialog_builds_the_url_and_keeps_the_password_in_pgpass(qtbot, env, ctx, home, tmp_path):
    pgpass = home / ".pgpass"
    pgpass.write_text("otherhost:5432:*:someone:keep\\:me\n127.0.0.1:1:coop:clerk:old\n")
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["File"]["Connect to server…"].trigger()
    dialog = window.connect_dialog
    qtbot.waitExposed(dialog)
    wanted = ServerSettings("127.0.0.1", 1, "coop", "clerk", "require")
    fill_dialog(qtbot, dialog, wanted, "s3cr:et")
    assert dialog.server() == wanted
    assert dialog.server().url() == "postgresql+psycopg://clerk@127.0.0.1:1/coop?sslmode=require"
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, env)
    assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600
    assert pgpass.read_text() == "otherhost:5432:*:someone:keep\\:me\n127.0.0.1:1:coop:clerk:s3cr\\:et\n"
    error = env.interaction.of_kind("error")[-1]  # nothing listens on port 1
    assert error.title == "Connecting"
    assert "Cannot connect to postgresql+psycopg://clerk@127.0.0.1:1/coop?sslmode=require" in error.text
    assert "refused" in error.text.lower() and "Traceback" not in error.text and not error.details
    assert window.env.ctx is ctx  # still on the database it was on
    assert connection_ui.saved_server(env.settings) is None  # only a connection that worked is kept
    env.settings.sync()
    ini = Path(env.settings.fileName())
    assert not ini.exists() or "s3cr" not in ini.read_text()


def test_a_dialog_with_missing_fields_says_so_and_stays_open(qtbot, env, home):
    window = show(qtbot, MainWindow(env))
    dialog = connection_ui.ask_server(window)
    retype(qtbot, dialog.host, "")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Host is required" in dialog.problem.text()
    assert not (home / ".pgpass").exists()
    dialog.reject()


def empty_pg_database() -> tuple[str, str]:
    assert PG_URL
    name = f"coop_ui_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db.make_engine(PG_URL).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(str(db.make_engine(PG_URL).url)).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    drop_pg(name)  # and the roles its first upgrade made (conftest)


@pytest.mark.pg
@pytest.mark.skipif(not PG_URL, reason="COOP_TEST_PG_URL is not set")
def test_connecting_to_an_empty_server_database_creates_the_schema(qtbot, env, ctx, example, home):
    example("B_marginal", kinds=("vendors",))
    name, url = empty_pg_database()
    target = make_url(url)
    server = ServerSettings(
        target.host or "127.0.0.1", target.port or 5432, name, target.username or "postgres", "prefer"
    )
    try:
        window = show(qtbot, MainWindow(env))
        vendors = menu_actions(window)["Maintenance"]["Vendors"]
        vendors.trigger()
        assert window.screens["vendors"].panel.model.rowCount() == 1  # the SQLite company
        menu_actions(window)["File"]["Connect to server…"].trigger()
        dialog = window.connect_dialog
        fill_dialog(qtbot, dialog, server, target.password or "")
        press(qtbot, dialog.password, Qt.Key.Key_Return)
        wait_idle(qtbot, env)
        assert env.interaction.of_kind("error") == []
        on_server = window.env.ctx
        assert on_server is not ctx and on_server.engine.dialect.name == "postgresql" and env.runner.ctx is on_server
        assert db.current_revision(on_server.engine) == db.head_revision()  # the schema was made
        screen = window.screens["vendors"]
        assert isinstance(screen, RecordsScreen) and screen.panel.model.rowCount() == 0  # reopened there
        assert f"/{name}?sslmode=prefer" in window.db_label.text() and "single-user" in window.db_label.text()
        assert connection_ui.saved_server(env.settings) == server
        again = connection_ui.start_context(None, "tester", env.settings)  # the next start goes there too
        assert again is not None and again.engine.url.database == name
        again.engine.dispose()

        menu_actions(window)["File"]["Use local database"].trigger()
        wait_idle(qtbot, env)
        assert window.env.ctx.engine.dialect.name == "sqlite"
        assert str(home) in str(window.env.ctx.engine.url.database)
        assert connection_ui.saved_server(env.settings) is None
        assert window.screens["vendors"].panel.model.rowCount() == 0  # a new local file
        window.env.ctx.engine.dispose()
    finally:
        drop_pg_database(name)


def test_start_up_takes_db_then_the_environment_then_the_saved_server(tmp_path, home, monkeypatch, qapp):
    settings = QSettings(str(tmp_path / "start.ini"), QSettings.Format.IniFormat)
    connection_ui.remember_server(settings, ServerSettings("127.0.0.1", 1, "coop", "clerk"))
    local = f"sqlite:///{tmp_path / 'explicit.sqlite'}"
    ctx = connection_ui.start_context(local, "tester", settings)
    assert ctx is not None and ctx.engine.url.database.endswith("explicit.sqlite")
    ctx.engine.dispose()
    monkeypatch.setenv("COOP_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    ctx = connection_ui.start_context(None, "tester", settings)
    assert ctx is not None and ctx.engine.url.database.endswith("env.sqlite")
    ctx.engine.dispose()
    monkeypatch.delenv("COOP_DATABASE_URL")
    asked = []
    QTimer.singleShot(0, lambda: _close_message_box(asked))
    ctx = connection_ui.start_context(None, "tester", settings, ask=lambda s: asked.append(s) or None)
    assert ctx is None  # the saved server is unreachable, and the dialog was cancelled
    assert asked[0].startswith("Cannot connect to postgresql+psycopg://clerk@127.0.0.1:1/coop")
    assert asked[1] == ServerSettings("127.0.0.1", 1, "coop", "clerk")
    connection_ui.remember_local(settings)
    ctx = connection_ui.start_context(None, "tester", settings)
    assert ctx is not None and str(home) in ctx.engine.url.database
    ctx.engine.dispose()


def _close_message_box(seen: list) -> None:
    modal = QApplication.activeModalWidget()
    if isinstance(modal, QMessageBox):
        seen.append(modal.text())
        modal.button(QMessageBox.StandardButton.Ok).click()
        return
    QTimer.singleShot(20, lambda: _close_message_box(seen))


def test_a_database_newer_than_the_program_is_refused_at_start(qtbot, tmp_path, home, qapp):
    from app.ui import main as main_module

    url = f"sqlite:///{tmp_path / 'newer.sqlite'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    seen: list[str] = []
    QTimer.singleShot(50, lambda: _close_message_box(seen))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert main_module.main(["--db", url], settings=settings) == 1
    assert len(seen) == 1 and "newer than this program" in seen[0] and "Traceback" not in seen[0]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def add_users(ctx: AppContext) -> None:
    with ctx.uow() as uow:
        security.save_user(uow, "root", "ADMIN", "Root")
    with AppContext(ctx.engine, "root").uow() as uow:
        security.save_user(uow, "carl", "CLERK", "Carl")
        security.save_user(uow, "anna", "ACCOUNTANT", "Anna")


def enabled(window) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {text: a.isEnabled() for items in menu_actions(window).values() for text, a in items.items()}


def test_a_clerk_s_menus_offer_only_what_the_role_allows(qtbot, ctx, tmp_path):
    add_users(ctx)
    env = make_env(AppContext(ctx.engine, "carl"), tmp_path, "carl")
    window = show(qtbot, MainWindow(env))
    state = enabled(window)
    assert state["Receiving Slips"] and state["Connect to server…"] and state["Use local database"]
    assert state["Exit"] and state["About"]
    for item in (
        "Back up…",
        "Restore…",
        "Vendors",
        "Products",
        "Categories",
        "GL Reference",
        "Users",
        "Audit Trail",
        "Post slips",
        "Re-rate",
    ):
        assert state[item] is False, item
    assert state["Coop Advertising Agreements"]  # a clerk views agreements, read-only
    assert "User: carl (Clerk)" in window.db_label.text()
    accountant = show(qtbot, MainWindow(make_env(AppContext(ctx.engine, "anna"), tmp_path, "anna")))
    state = enabled(accountant)
    assert state["Post slips"] and state["GL Reference"] and not state["Users"] and not state["Back up…"]
    assert state["Audit Trail"]  # accountants and administrators see the audit trail
    stranger = show(qtbot, MainWindow(make_env(AppContext(ctx.engine, "nobody"), tmp_path, "nobody")))
    state = enabled(stranger)
    assert not state["Receiving Slips"] and state["Connect to server…"]
    assert not state["Coop Advertising Agreements"]
    assert "not a user of this database" in stranger.db_label.text()


def test_in_single_user_mode_everything_is_open(qtbot, env):
    window = show(qtbot, MainWindow(env))
    state = enabled(window)
    assert all(state.values()), [k for k, v in state.items() if not v]
    assert "User: tester (single-user mode" in window.db_label.text()


def test_users_are_added_with_the_keyboard(qtbot, env, ctx):
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["Maintenance"]["Users"].trigger()
    screen = window.tabs.currentWidget()
    assert isinstance(screen, UsersScreen) and "Single-user mode" in screen.hint.text()
    view = screen.panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    type_cell(qtbot, view, 0, "Login", "carl")
    type_cell(qtbot, view, 0, "Name", "Carl Clerk")
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    type_cell(qtbot, view, 1, "Login", "tester")
    type_cell(qtbot, view, 1, "Name", "Tess Admin")
    type_cell(qtbot, view, 1, "Role", "AD")
    assert screen.panel.model.value(1, "Role") == "ADMIN" and screen.panel.model.value(0, "Role") == "CLERK"
    assert screen.panel.model.value(1, "Can") == "everything"
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("error") == []
    with ctx.uow() as uow:
        users = {(u.login, u.name, u.role, u.active) for u in security.list_users(uow)}
    assert users == {("carl", "Carl Clerk", "CLERK", True), ("tester", "Tess Admin", "ADMIN", True)}
    assert "User: tester (Administrator)" in window.db_label.text()
    assert not screen.is_dirty() and "single-user" not in screen.hint.text().lower()
    # carl leaves: untick Active with a click, save
    row = next(i for i, r in enumerate(screen.panel.model.rows) if r["Login"] == "carl")
    from tests.ui.conftest import click_cell

    click_cell(qtbot, view, row, "Active")
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        assert security.get_user(uow, "carl").active is False


def test_the_first_user_must_be_the_one_at_the_keyboard(qtbot, env, ctx):
    window = show(qtbot, MainWindow(env))
    screen = window.open_users()
    view = screen.panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    type_cell(qtbot, view, 0, "Login", "alice")
    type_cell(qtbot, view, 0, "Role", "AD")
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert "the first user must be you (tester)" in screen.panel.problems.messages()[0]
    with ctx.uow() as uow:
        assert security.list_users(uow) == []


def test_back_up_and_restore_from_the_file_menu(qtbot, env, ctx, example, tmp_path):
    example("B_marginal", kinds=("vendors",))
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["Maintenance"]["Vendors"].trigger()
    before = window.screens["vendors"]
    file = tmp_path / "monday.sqlite"
    env.interaction.chosen_paths.append(str(file))
    menu_actions(window)["File"]["Back up…"].trigger()
    wait_idle(qtbot, env)
    assert file.is_file() and env.interaction.of_kind("save_path")[-1].text.endswith(".sqlite")
    assert env.interaction.of_kind("save_path")[-1].details == ("SQLite backup (*.sqlite);;All files (*)",)
    assert f"is backed up to {file}" in env.interaction.of_kind("inform")[-1].text
    with ctx.uow() as uow:
        masterdata.save_vendors(uow, [masterdata.VendorIn("V999", "After the backup", label="Row 1")])

    env.interaction.answers.append(False)  # first time: changed my mind
    env.interaction.chosen_paths.append(str(file))
    menu_actions(window)["File"]["Restore…"].trigger()
    wait_idle(qtbot, env)
    assert "Replace every record" in env.interaction.of_kind("confirm")[-1].text
    assert env.interaction.of_kind("open_path")[-1].details == ("SQLite backup (*.sqlite);;All files (*)",)
    with ctx.uow() as uow:
        assert "V999" in {v.code for v in queries.vendors(uow)}

    env.interaction.chosen_paths.append(str(file))
    menu_actions(window)["File"]["Restore…"].trigger()
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("error") == []
    assert "is restored from" in env.interaction.of_kind("inform")[-1].text
    with ctx.uow() as uow:
        assert {v.code for v in queries.vendors(uow)} == {"V100"}
    after = window.screens["vendors"]
    assert after is not before and after.panel.model.rowCount() == 1


def test_restoring_a_file_that_is_not_a_backup_shows_why(qtbot, env, ctx, tmp_path):
    junk = tmp_path / "vendors.sqlite"
    junk.write_text("code,name\nV1,Acme\n")
    window = show(qtbot, MainWindow(env))
    env.interaction.chosen_paths.append(str(junk))
    menu_actions(window)["File"]["Restore…"].trigger()
    wait_idle(qtbot, env)
    assert env.interaction.of_kind("confirm") == []
    error = env.interaction.of_kind("error")[-1]
    assert "not a backup of this application" in error.text and not error.details


def test_switching_to_a_database_newer_than_the_program_is_refused(qtbot, env, ctx, tmp_path):
    url = f"sqlite:///{tmp_path / 'newer.sqlite'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    window = show(qtbot, MainWindow(env))
    connection_ui.switch(window, url, lambda: None)
    wait_idle(qtbot, env)
    error = env.interaction.of_kind("error")[-1]
    assert "newer than this program" in error.text and not error.details
    assert window.env.ctx is ctx and "ui.sqlite" in window.db_label.text()


def test_unsaved_changes_are_not_dropped_by_a_switch_without_asking(qtbot, env, ctx, home):
    window = show(qtbot, MainWindow(env))
    menu_actions(window)["Maintenance"]["Vendors"].trigger()
    screen = window.screens["vendors"]
    screen.panel.add()
    assert screen.is_dirty()
    env.interaction.answers.append(False)
    assert connection_ui.ask_server(window) is None  # kept the changes: no dialog
    assert "discard the unsaved changes" in env.interaction.of_kind("confirm")[-1].text
    menu_actions(window)["File"]["Use local database"].trigger()  # this time: discard
    wait_idle(qtbot, env)
    assert window.env.ctx is not ctx and not window.screens["vendors"].is_dirty()
    window.env.ctx.engine.dispose()
