"""Opening the start database after the main window has shown.

The window shows first (menus, status bar, the tab area, "Opening the database…"); then,
off the UI thread, SQLAlchemy, the models and the services are imported and the database
is opened (created or migrated, a newer schema refused) the same way as
app.ui.connection.start_context does. Every dialog (the error, the connection dialog for a
saved server that cannot be opened) is shown on the UI thread; the worker threads only
import modules and open the AppContext (no Qt object is made or used there).

This module imports PySide6 only: the main window imports it before it shows.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QSettings, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from app.services.connection import ServerSettings
    from app.services.context import AppContext

# Imported off the UI thread while the window paints: what opening the database and the
# window's first screens need.
SERVICES = ("app.services.connection", "app.services.security", "app.services.queries")
TITLE = "Cannot open the database"


def import_services() -> None:
    for name in SERVICES:
        importlib.import_module(name)


class _Relay(QObject):
    """Made on the UI thread; the worker emits, the UI thread receives (queued)."""

    done = Signal(object)
    failed = Signal(object)


class _Call(QRunnable):
    """work() in a worker thread. Kept by StartDatabase until run() has returned, so that
    it is never freed on the worker thread (as app.ui.operations._Task)."""

    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work, self.relay = work, relay
        self.setAutoDelete(False)
        self.returned = threading.Event()
        self.result: Any = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # reported on the UI thread
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(self.result)
        finally:
            self.returned.set()


class StartDatabase(QObject):
    """Opens the database the program starts on: --db, else COOP_DATABASE_URL, else the
    saved server, else the local file (app.ui.connection.start_url).

    `ready(ctx)` is called on the UI thread once it is open. When it cannot be opened, the
    reason is shown ("Cannot open the database") and `failed()` is called; a saved server
    that cannot be opened offers the connection dialog again first (`ask`, the dialog by
    default), as at every start.
    """

    def __init__(
        self,
        parent: QWidget | None,
        db_arg: str | None,
        user: str | None,
        settings: QSettings,
        ready: Callable[[AppContext], None],
        failed: Callable[[], None],
        ask: Callable[[ServerSettings], ServerSettings | None] | None = None,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__()
        self.parent_widget = parent
        self.db_arg, self.user, self.settings = db_arg, user, settings
        self.ready, self.failed, self.ask = ready, failed, ask
        self.pool = pool or QThreadPool.globalInstance()
        self.calls: list[tuple[_Call, _Relay]] = []
        self.url: str | None = None
        self.server: ServerSettings | None = None
        self.abandoned = False
        self.handed_over = False

    @property
    def busy(self) -> bool:
        return bool(self.calls) and not self.calls[-1][0].returned.is_set()

    def start(self) -> None:
        self._background(import_services, self._imported)

    def finish(self, timeout_s: float = 60.0) -> None:
        """After the event loop: wait for the worker (a window closed while the database
        was opening) and close a database that was opened but never handed over."""
        self.abandoned = True
        for call, _relay in self.calls:
            call.returned.wait(timeout_s)
        result = self.calls[-1][0].result if self.calls else None
        if not self.handed_over and result is not None and hasattr(result, "close_connections"):
            result.close_connections()  # an AppContext

    # -- the steps, each continued on the UI thread
    def _background(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        relay = _Relay()
        relay.done.connect(done, Qt.ConnectionType.QueuedConnection)
        relay.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        call = _Call(work, relay)
        self.calls.append((call, relay))
        self.pool.start(call)

    @Slot(object)
    def _imported(self, _result: object) -> None:
        if self.abandoned:
            return
        from . import connection as connection_ui

        self.url, self.server = connection_ui.start_url(self.db_arg, self.settings)
        self._open()

    def _open(self) -> None:
        from app.services import connection

        url, user = self.url, self.user
        self._background(lambda: connection.open_context(url, user), self._opened)

    @Slot(object)
    def _opened(self, ctx: AppContext) -> None:
        if self.abandoned:
            return
        self.handed_over = True
        self.ready(ctx)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        if self.abandoned:
            return
        from app.services.connection import CannotConnect

        from . import connection as connection_ui

        if not isinstance(exc, CannotConnect):
            QMessageBox.critical(self.parent_widget, TITLE, f"{type(exc).__name__}: {exc}")
            self.failed()
            return
        QMessageBox.critical(self.parent_widget, TITLE, str(exc))
        ask = self.ask or (lambda s: connection_ui.ask_again(s, self.parent_widget))
        server = connection_ui.try_again(self.settings, self.server, ask)
        if server is None:
            self.failed()
            return
        self.server, self.url = server, server.url()
        self._open()
