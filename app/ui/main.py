"""The `coop-rebates` main window: menus, screens as tabs, database in the status bar."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QMessageBox, QTabWidget

from .base import Screen, UiEnv
from .collector import UiThreadCollector
from .operations import QtInteraction, Runner
from .startup import StartDatabase

if TYPE_CHECKING:
    from app.services.context import AppContext

    from .agreements import AgreementScreen
    from .estimated import EstimatedScreen
    from .home import HomeScreen
    from .journal import JournalScreen
    from .receiving import ReceivingScreen
    from .users import UsersScreen

# The main window shows before SQLAlchemy, the models and the services are imported and
# before the database is opened (app.ui.startup does both off the UI thread, then the
# menus enable). The other screens, dialogs and their services (reportlab, openpyxl,
# Alembic for backups) are imported when first opened. Once the database is open, the
# screens opened most are imported while the program is idle (one module per event-loop
# turn), so that opening them does not wait for the import either.
PRELOAD = ("app.ui.agreements", "app.ui.receiving", "app.ui.masterdata")
PRELOAD_AFTER_MS = 500


SHORTCUTS = """Keyboard shortcuts

In a grid
  Tab / Shift+Tab   next / previous cell
  Enter             commit the cell and move to the next one
  Ins               add a row (the next tier of the current ladder)
  Del               delete the selected rows
  F2                CAT1–CAT4: ALL (and the levels after it);
                    Maximum Amount: 999,999,999.00 (unlimited);
                    elsewhere: edit the cell
  F4                lookup list (categories, the vendor's products)
  Space             tick / untick Deg, Retro

On a screen
  Ctrl+S            save
  Esc               cancel the changes (after confirmation)
  Ctrl+W            close the tab"""


# What each menu entry needs, by the name of its app.services.security.Permission (names,
# so that the window shows before the services are imported); entries not listed are open
# to everyone (the services check the permission of every call regardless). The agreement
# screens open for every role (a clerk views agreements, SPEC §1) and are read-only
# without AGREEMENTS.
NEEDS: dict[str, str] = {
    "Back up…": "ADMIN", "Restore…": "ADMIN",
    "Vendors": "MASTER", "Products": "MASTER", "Categories": "MASTER",
    "GL Reference": "GL",
    "Users": "USERS", "Receiving Slips": "RECEIVE",
    "Post slips": "POST", "Re-rate": "RERATE",
    "Estimated Rebates": "REPORTS", "Vendor Statement…": "REPORTS",
    "Vendor Statements (all vendors)…": "REPORTS", "Journal": "REPORTS",
}  # fmt: skip
# Open to every user with a role (read-only without AGREEMENTS), not to strangers.
ANY_ROLE = {"Coop Advertising Agreements", "Volume Rebate Agreements", "Periodic Rebate Agreements"}
HOME_NEEDS = {"Post draft slips": "POST", "Vendor Statement": "REPORTS"}
# Usable while the database is still opening; every other entry waits until it is open.
WITHOUT_DATABASE = {"Exit", "About", "Keyboard shortcuts"}
# app.services.agreements.KIND_NAMES (the menus are made before the services are imported;
# a test keeps the two equal).
KIND_NAMES = {"COOP": "Coop Advertising", "VOLUME": "Volume Rebate", "PERIODIC": "Periodic Rebate"}
OPENING = "Opening the database…"


class MainWindow(QMainWindow):
    """The window of the program. Made with `env` it works on that database at once; made
    without (the program's start) it shows with only Exit and Help usable and the status
    bar saying the database is opening, until `attach(env)`."""

    env: UiEnv

    def __init__(self, env: UiEnv | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.ready = env is not None
        if env is not None:
            self.env = env
        settings = env.settings if env is not None else settings
        assert settings is not None, "a MainWindow needs the UiEnv or the settings"
        self.allowed: frozenset[object] = frozenset()
        self.screens: dict[str, Screen] = {}
        self.factories: dict[str, Callable[[], Screen]] = {}
        self.setWindowTitle("Co-op & Rebate Agreements")
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.setCentralWidget(self.tabs)
        self._menus()
        self.db_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self.update_access()
        self.resize(1280, 800)
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # type: ignore[arg-type]
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)  # type: ignore[arg-type]

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._item(file_menu, "&Home", self.open_home, "Ctrl+H")
        file_menu.addSeparator()
        self._item(file_menu, "&Connect to server…", self.connect_to_server)
        self._item(file_menu, "Use &local database", self.use_local_database)
        file_menu.addSeparator()
        self._item(file_menu, "&Import…", self.open_import, "Ctrl+I")
        file_menu.addSeparator()
        self._item(file_menu, "&Back up…", self.back_up)
        self._item(file_menu, "&Restore…", self.restore)
        file_menu.addSeparator()
        self._item(file_menu, "E&xit", self.close, "Ctrl+Q")
        maintenance = bar.addMenu("&Maintenance")
        self._item(maintenance, "&Vendors", lambda: self.open_records("vendors", "VENDORS"))
        self._item(maintenance, "&Products", lambda: self.open_records("products", "PRODUCTS"))
        self._item(maintenance, "&Categories", lambda: self.open_records("categories", "CATEGORIES"))
        maintenance.addSeparator()
        for kind, key in (("COOP", "Ctrl+1"), ("VOLUME", "Ctrl+2"), ("PERIODIC", "Ctrl+3")):
            self._item(maintenance, f"{KIND_NAMES[kind]} Agreements", lambda k=kind: self.open_agreements(k), key)
        maintenance.addSeparator()
        self._item(maintenance, "&GL Reference", self.open_gl_reference)
        maintenance.addSeparator()
        self._item(maintenance, "&Users", self.open_users)
        entries = bar.addMenu("&Entries")
        self._item(entries, "&Receiving Slips", self.open_receiving, "Ctrl+R")
        proc = bar.addMenu("&Processing")
        self._item(proc, "&Post slips", self.post_all)
        self._item(proc, "&Re-rate", self.rerate_all)
        reports_menu = bar.addMenu("&Reports")
        self._item(reports_menu, "&Estimated Rebates", self.open_estimated)
        self._item(reports_menu, "Vendor &Statement…", self.open_statement)
        self._item(reports_menu, "Vendor Statements (&all vendors)…", self.open_batch_statements)
        reports_menu.addSeparator()
        self._item(reports_menu, "&Journal", self.open_journal)
        help_menu = bar.addMenu("&Help")
        self._item(help_menu, "&About", self.about)
        self._item(help_menu, "&Keyboard shortcuts", self.shortcuts, "F1")
        close = QAction("Close tab", self)
        close.setShortcut(QKeySequence("Ctrl+W"))
        close.triggered.connect(lambda: self.close_tab(self.tabs.currentIndex()))
        self.addAction(close)

    def _item(self, menu: object, text: str, slot: Callable[[], object], key: str | None = None) -> QAction:
        action = menu.addAction(text)  # type: ignore[attr-defined]
        if key:
            action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- screens
    def preload_screens(self, modules: Sequence[str] = PRELOAD) -> None:
        """Import the modules of the screens opened most (what the idle preload does)."""
        for name in modules:
            importlib.import_module(name)
        settle()

    def preload_later(self, modules: Sequence[str] = PRELOAD) -> None:
        """Import the screens' modules one per event-loop turn, starting PRELOAD_AFTER_MS
        from now (the window is painted and answers input in between)."""
        pending = list(modules)

        def step() -> None:
            if pending:
                importlib.import_module(pending.pop(0))
                QTimer.singleShot(0, step)
            else:
                settle()

        QTimer.singleShot(PRELOAD_AFTER_MS, step)

    def open_screen(self, key: str, factory: Callable[[], Screen]) -> Screen:
        screen = self.screens.get(key)
        if screen is None:
            self.factories[key] = factory
            screen = factory()
            screen.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            self.screens[key] = screen
            self.tabs.addTab(screen, screen.title)
            screen.start()  # type: ignore[attr-defined]
        self.tabs.setCurrentWidget(screen)
        return screen

    def open_home(self) -> HomeScreen:
        from .home import HomeScreen

        actions = {
            "Receiving Slips": self.open_receiving,
            "Post draft slips": self.post_all,
            "Estimated Rebates": self.open_estimated,
            **{f"{KIND_NAMES[k]} Agreements": (lambda k=k: self.open_agreements(k)) for k in KIND_NAMES},
            "Vendor Statement": self.open_statement,
            "Journal": self.open_journal,
        }
        screen = self.open_screen("home", lambda: HomeScreen(self.env, actions))
        self.update_access()
        return screen  # type: ignore[return-value]

    def open_agreements(self, kind: str) -> AgreementScreen:
        from .agreements import AgreementScreen

        return self.open_screen(f"agreements:{kind}", lambda: AgreementScreen(self.env, kind))  # type: ignore[return-value]

    def open_receiving(self) -> ReceivingScreen:
        from .receiving import ReceivingScreen

        return self.open_screen("receiving", lambda: ReceivingScreen(self.env))  # type: ignore[return-value]

    def open_estimated(self) -> EstimatedScreen:
        from .estimated import EstimatedScreen

        return self.open_screen("estimated", lambda: EstimatedScreen(self.env))  # type: ignore[return-value]

    def open_journal(self) -> JournalScreen:
        from .journal import JournalScreen

        return self.open_screen("journal", lambda: JournalScreen(self.env))  # type: ignore[return-value]

    def open_records(self, key: str, spec_name: str) -> Screen:
        """Vendors, Products or Categories (the spec named in app.ui.masterdata)."""
        from . import masterdata

        spec = getattr(masterdata, spec_name)
        return self.open_screen(key, lambda: masterdata.RecordsScreen(self.env, spec))

    def open_gl_reference(self) -> Screen:
        from .gl_reference import GlReferenceScreen

        return self.open_screen("gl", lambda: GlReferenceScreen(self.env))

    def open_statement(self) -> QDialog:
        from .statements import StatementDialog

        return self.open_dialog(StatementDialog(self.env, self))

    def open_batch_statements(self) -> QDialog:
        from .statements import BatchDialog

        return self.open_dialog(BatchDialog(self.env, self))

    def open_import(self) -> QDialog:
        from .imports import ImportDialog

        return self.open_dialog(ImportDialog(self.env, self, done=lambda _count: self.refresh()))

    def post_all(self) -> None:
        from . import processing

        processing.post_all(self.env.runner, self, self._after_posting)

    def rerate_all(self) -> None:
        from . import processing

        processing.rerate_all(self.env.runner, self, self._after_posting)

    def back_up(self) -> None:
        from . import backup as backup_ui

        backup_ui.back_up(self)

    def restore(self) -> None:
        from . import backup as backup_ui

        backup_ui.restore(self)

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """A report dialog (vendor statements): window-modal, deleted once closed."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_users(self) -> UsersScreen:
        from .users import UsersScreen

        def make() -> UsersScreen:
            screen = UsersScreen(self.env)
            screen.saved.connect(self.update_access)
            return screen

        return self.open_screen("users", make)  # type: ignore[return-value]

    def close_tab(self, index: int) -> None:
        screen = self.tabs.widget(index)
        if not isinstance(screen, Screen) or not screen.can_close():
            return
        self.tabs.removeTab(index)
        self.screens = {k: s for k, s in self.screens.items() if s is not screen}
        screen.deleteLater()

    def _after_posting(self, _result: object) -> None:
        home = self.screens.get("home")
        if home is not None:
            home.refresh()  # type: ignore[attr-defined]
        receiving = self.screens.get("receiving")
        if receiving is not None and not receiving.is_dirty():  # the Receiving Slips screen
            receiving.refresh_slip_list()  # type: ignore[attr-defined]

    # -- the database and the user
    def attach(self, env: UiEnv) -> None:
        """The database is open (the program's start): the menus the role allows enable."""
        self.env = env
        self.ready = True
        self.update_access()

    def update_access(self) -> None:
        """Menu entries the user's role cannot use are disabled (every entry but Exit and
        Help while the database is opening); the status bar shows the database, the user
        and the role."""
        now = None
        if self.ready:
            from .access import access

            now = self.env.runner.call(self, "Database", access)
        allowed = now.allowed if now is not None else frozenset()
        names = {p.name for p in allowed}
        for top in self.menuBar().actions():
            for action in top.menu().actions() if top.menu() else ():
                name = action.text().replace("&", "")
                need = NEEDS.get(name)
                if not self.ready:
                    action.setEnabled(name in WITHOUT_DATABASE)
                elif need is not None:
                    action.setEnabled(need in names)
                elif name in ANY_ROLE:
                    action.setEnabled(bool(allowed))
                else:
                    action.setEnabled(True)
        self.allowed = allowed
        if not self.ready:
            self.db_label.setText(OPENING)
            return
        home = self.screens.get("home")
        if home is not None:
            for name, button in home.buttons.items():  # type: ignore[attr-defined]
                need = NEEDS.get(name) or HOME_NEEDS.get(name)
                button.setEnabled(bool(allowed) if name in ANY_ROLE else need is None or need in names)
        url = self.env.ctx.engine.url.render_as_string(hide_password=True)
        who = now.text if now is not None else f"User: {self.env.ctx.user}"
        self.db_label.setText(f"Database: {url}  ·  {who}")

    def connect_to_server(self) -> None:
        from . import connection as connection_ui

        connection_ui.ask_server(self)

    def use_local_database(self) -> None:
        from . import connection as connection_ui

        connection_ui.use_local(self)

    def may_discard_changes(self) -> bool:
        """Before the screens are reloaded on another database (or a restored one)."""
        for screen in list(self.screens.values()):
            if screen.is_dirty():
                self.tabs.setCurrentWidget(screen)
                if not self.env.interaction.confirm(self, "Unsaved changes", f"{screen.title}: discard the "
                                                    "unsaved changes?"):
                    return False
        return True

    def reopen_screens(self) -> None:
        """Close every screen and open it again (on the current database), in the same order."""
        current = self.tabs.currentWidget()
        order = [(key, screen) for key, screen in self.screens.items()]
        order.sort(key=lambda item: self.tabs.indexOf(item[1]))
        current_key = next((key for key, screen in order if screen is current), None)
        for _key, screen in order:
            self.tabs.removeTab(self.tabs.indexOf(screen))
            screen.deleteLater()
        self.screens = {}
        for key, _screen in order:
            self.open_screen(key, self.factories[key])
        if key_screen := self.screens.get(current_key or ""):
            self.tabs.setCurrentWidget(key_screen)

    def switch_database(self, ctx: AppContext) -> None:
        """Work on another database from now on: the screens reopen on it."""
        old = self.env.ctx
        self.env.ctx = ctx
        self.env.runner.ctx = ctx
        self.reopen_screens()
        self.update_access()
        if old is not ctx:
            old.engine.dispose()

    def refresh(self) -> None:
        for screen in self.screens.values():
            if not screen.is_dirty():
                screen.start()  # type: ignore[attr-defined]

    # -- help
    def about(self) -> None:
        if not self.ready:
            QMessageBox.information(self, "About", "Co-op & Rebate Agreements\n\n" + OPENING)
            return
        self.env.interaction.inform(self, "About", "Co-op & Rebate Agreements\n\nVendor rebate and co-op "
                                    "advertising agreements for building-materials distributors.\n\n"
                                    f"Database: {self.db_label.text()}")

    def shortcuts(self) -> None:
        if not self.ready:
            QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS)
            return
        self.env.interaction.inform(self, "Keyboard shortcuts", SHORTCUTS)

    # -- start and close
    def offer_demo(self) -> None:
        """An empty database (a first start) is offered the demo company, once."""
        from app.services import queries
        from app.services.security import Permission

        from .access import access

        if self.env.runner.call(self, "Database", queries.has_vendors) is not False:
            return
        if not self.env.runner.call(self, "Database", lambda uow: Permission.ADMIN in access(uow).allowed):
            return
        key = "demo_offered/" + self.env.ctx.engine.url.render_as_string(hide_password=True)
        if self.env.settings.value(key):
            return
        self.env.settings.setValue(key, "yes")
        if self.env.interaction.confirm(self, "New database", "This database is empty. Load the demo company "
                                        "(vendors, products, agreements and receiving slips) to try the program?"):
            from . import processing

            processing.load_demo(self.env.runner, self, lambda _s: self.refresh())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.ready:  # the database is still opening (or could not be opened)
            event.accept()
            return
        for screen in list(self.screens.values()):
            self.tabs.setCurrentWidget(screen)
            if not screen.can_close():
                event.ignore()
                return
        self.env.runner.wait()
        self.env.settings.setValue("window/geometry", self.saveGeometry())
        self.env.settings.setValue("window/state", self.saveState())
        self.env.settings.sync()
        event.accept()


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="coop-rebates", description="Co-op & Rebate Agreements")
    parser.add_argument("--db", help="database URL (else COOP_DATABASE_URL, else the SQLite file in the "
                                     "user data directory)")
    parser.add_argument("--user", help="user name for history and journal (default: OS login)")
    return parser.parse_known_args(argv)


def settle() -> None:
    """Start-up is over (the database open, the screens opened most imported): the objects
    made so far (modules, classes, SQLAlchemy's mappers and caches) live as long as the
    program, so the cyclic garbage collector stops going through them again and again
    (gc.freeze); a full collection then takes a few milliseconds instead of tens."""
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None, settings: QSettings | None = None) -> int:
    """The window shows first; the database opens in the background (app.ui.startup), then
    the menus enable, the demo is offered to an empty database and Home opens. A database
    that cannot be opened is said so and ends the program (status 1), as before."""
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setOrganizationName("CoopRebates")
    app.setApplicationName("coop-rebates")
    settings = settings if settings is not None else QSettings()
    collector = UiThreadCollector()  # garbage collection on the UI thread only
    collector.start()
    window = MainWindow(None, settings)
    outcome = {"code": 0}

    def ready(ctx: AppContext) -> None:
        window.attach(UiEnv(ctx, Runner(ctx, QtInteraction()), settings))
        window.offer_demo()
        window.open_home()
        window.preload_later()

    def failed() -> None:
        outcome["code"] = 1
        window.close()  # the last window: the event loop ends (a second quit would end the next one)
        if not app.quitOnLastWindowClosed():
            app.quit()

    opening = StartDatabase(window, args.db, args.user, settings, ready, failed)
    window.show()
    opening.start()
    code = app.exec()
    opening.finish()
    collector.stop()
    window.deleteLater()
    if not window.ready:
        window.hide()
        return outcome["code"] or code
    finished = window.env.runner.wait()
    window.env.ctx.engine.dispose()
    return code if finished else 1


if __name__ == "__main__":
    sys.exit(main())
