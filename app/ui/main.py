"""The `coop-rebates` main window: screens as tabs, the user's access, the database in the
status bar, start and close (the menus and what their entries do: app.ui.menus)."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget

from app.domain.vocabulary import Permission

from .base import Screen, UiEnv
from .collector import UiThreadCollector
from .interaction import QtInteraction
from .menus import ANY_ROLE, HOME_NEEDS, NEEDS, OPENING, WITHOUT_DATABASE, MenuActions
from .operations import Runner
from .smoke import Smoke
from .startup import StartDatabase

if TYPE_CHECKING:
    from app.services.context import AppContext


# The main window shows before SQLAlchemy, the models and the services are imported and
# before the database is opened (app.ui.startup does both off the UI thread, then the
# menus enable). The other screens, dialogs and their services (reportlab, openpyxl,
# Alembic for backups) are imported when first opened. Once the database is open, the
# screens opened most are imported while the program is idle (one module per event-loop
# turn), so that opening them does not wait for the import either.
PRELOAD = ("app.ui.agreements", "app.ui.receiving", "app.ui.masterdata")
PRELOAD_AFTER_MS = 500


class MainWindow(MenuActions, QMainWindow):
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

    def close_tab(self, index: int) -> None:
        screen = self.tabs.widget(index)
        if not isinstance(screen, Screen) or not screen.can_close():
            return
        self.tabs.removeTab(index)
        self.screens = {k: s for k, s in self.screens.items() if s is not screen}
        screen.deleteLater()

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
        for top in self.menuBar().actions():
            for action in top.menu().actions() if top.menu() else ():
                name = action.text().replace("&", "")
                need = NEEDS.get(name)
                if not self.ready:
                    action.setEnabled(name in WITHOUT_DATABASE)
                elif need is not None:
                    action.setEnabled(need in allowed)
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
                button.setEnabled(bool(allowed) if name in ANY_ROLE else need is None or need in allowed)
        url = self.env.ctx.location
        who = now.text if now is not None else f"User: {self.env.ctx.user}"
        self.db_label.setText(f"Database: {url}  ·  {who}")

    def may_discard_changes(self) -> bool:
        """Before the screens are reloaded on another database (or a restored one)."""
        for screen in list(self.screens.values()):
            if screen.is_dirty():
                self.tabs.setCurrentWidget(screen)
                if not self.env.interaction.confirm(
                    self, "Unsaved changes", f"{screen.title}: discard the unsaved changes?"
                ):
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
            old.close_connections()

    def refresh(self) -> None:
        for screen in self.screens.values():
            if not screen.is_dirty():
                screen.start()  # type: ignore[attr-defined]

    # -- start and close
    def offer_demo(self) -> None:
        """An empty database (a first start) is offered the demo company, once."""
        from app.services import queries

        from .access import access

        if self.env.runner.call(self, "Database", queries.has_vendors) is not False:
            return
        if not self.env.runner.call(self, "Database", lambda uow: Permission.ADMIN in access(uow).allowed):
            return
        key = "demo_offered/" + self.env.ctx.location
        if self.env.settings.value(key):
            return
        self.env.settings.setValue(key, "yes")
        if self.env.interaction.confirm(
            self,
            "New database",
            "This database is empty. Load the demo company "
            "(vendors, products, agreements and receiving slips) to try the program?",
        ):
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
    parser.add_argument(
        "--db", help="database URL (else COOP_DATABASE_URL, else the SQLite file in the user data directory)"
    )
    parser.add_argument(
        "--user", help="user name for history and journal (default: OS login; on a server: the database login)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check the installation: start, open the database, print the times as JSON and quit (app.ui.smoke)",
    )
    return parser.parse_known_args(argv)


def settle() -> None:
    """Start-up is over (the database open, the screens opened most imported): the objects
    made so far (modules, classes, SQLAlchemy's mappers and caches) live as long as the
    program, so the cyclic garbage collector stops going through them again and again
    (gc.freeze); a full collection then takes a few milliseconds instead of tens."""
    gc.collect()
    gc.freeze()


def no_display(environ: Mapping[str, str], platform: str, qt_args: Sequence[str] = ()) -> str:
    """Why the window cannot show, in one line ("" when it can): on Linux and the BSDs a window
    needs an X11 or Wayland display unless a Qt platform is chosen (QT_QPA_PLATFORM, -platform);
    without one Qt aborts with a misleading message about xcb-cursor0."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return ""
    if environ.get("QT_QPA_PLATFORM") or "-platform" in qt_args:
        return ""
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return ""
    return (
        "no display to show the window on (DISPLAY and WAYLAND_DISPLAY are not set): start it from a desktop "
        "session, or use the coop command line"
    )


def main(argv: list[str] | None = None, settings: QSettings | None = None) -> int:
    """The window shows first; the database opens in the background (app.ui.startup), then
    the menus enable, the demo is offered to an empty database and Home opens. A database
    that cannot be opened is said so and ends the program (status 1), as before."""
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    missing = no_display(os.environ, sys.platform, qt_args)
    if missing and QApplication.instance() is None:
        print(f"coop-rebates: {missing}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setOrganizationName("CoopRebates")
    app.setApplicationName("coop-rebates")
    settings = settings if settings is not None else QSettings()
    collector = UiThreadCollector()  # garbage collection on the UI thread only
    collector.start()
    window = MainWindow(None, settings)
    outcome = {"code": 0}
    smoke = Smoke(window, window.close) if args.smoke else None

    def ready(ctx: AppContext) -> None:
        window.attach(UiEnv(ctx, Runner(ctx, QtInteraction()), settings))
        if ctx.upgrade_backup is not None:
            window.statusBar().showMessage(f"The database was copied to {ctx.upgrade_backup} before it was migrated")
        if smoke is not None:
            smoke.opened(ctx.location)
            return
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
    if smoke is not None:
        smoke.start()
    opening.start()
    code = app.exec()
    opening.finish()
    collector.stop()
    window.deleteLater()
    if not window.ready:
        window.hide()
        return outcome["code"] or code
    finished = window.env.runner.wait()
    window.env.ctx.close_connections()
    return code if finished else 1


if __name__ == "__main__":
    sys.exit(main())
