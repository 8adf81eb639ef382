"""File > Connect to server / Use local database, and which database the program opens
on start: --db, else COOP_DATABASE_URL, else the last saved connection, else the local
SQLite file. The saved connection (QSettings, per user) never holds the password: that
goes to the libpq password file (see app.services.connection)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services import connection
from app.services.connection import SSL_MODES, CannotConnect, ServerSettings
from app.services.context import AppContext

KEY = "connection/"
SSL_TEXT = {
    "disable": "disable — no encryption",
    "prefer": "prefer — encrypt when the server offers it",
    "require": "require — always encrypt",
    "verify-full": "verify-full — encrypt and check the server certificate",
}


def saved_server(settings: QSettings) -> ServerSettings | None:
    """The last server connected to, unless the local database was chosen since."""
    if settings.value(KEY + "mode") != "server":
        return None
    return last_server(settings)


def last_server(settings: QSettings) -> ServerSettings | None:
    host = settings.value(KEY + "host")
    if not host:
        return None
    try:
        port = int(settings.value(KEY + "port") or 5432)  # type: ignore[call-overload]
    except ValueError:
        port = 5432
    sslmode = str(settings.value(KEY + "sslmode") or "prefer")
    return ServerSettings(
        str(host),
        port,
        str(settings.value(KEY + "database") or ""),
        str(settings.value(KEY + "user") or ""),
        sslmode if sslmode in SSL_MODES else "prefer",
    )


def remember_server(settings: QSettings, server: ServerSettings) -> None:
    settings.setValue(KEY + "mode", "server")
    for name in ("host", "port", "database", "user", "sslmode"):
        settings.setValue(KEY + name, getattr(server, name))
    settings.sync()


def remember_local(settings: QSettings) -> None:
    settings.setValue(KEY + "mode", "local")
    settings.sync()


class ConnectDialog(QDialog):
    """Host, port, database, user, SSL mode and password of a PostgreSQL server."""

    def __init__(self, parent: QWidget | None, server: ServerSettings | None, login: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to server")
        self.setMinimumWidth(460)
        server = server or ServerSettings("", 5432, "coop", login)
        self.host = QLineEdit(server.host)
        self.host.setPlaceholderText("dbserver or 192.168.1.20")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(server.port)
        self.database = QLineEdit(server.database)
        self.user = QLineEdit(server.user)
        self.sslmode = QComboBox()
        for mode in SSL_MODES:
            self.sslmode.addItem(SSL_TEXT[mode], mode)
        self.sslmode.setCurrentIndex(SSL_MODES.index(server.sslmode))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        stored = connection.has_password(server) if server.host else False
        self.password.setPlaceholderText("saved" if stored else "")
        form = QFormLayout()
        form.addRow("&Host:", self.host)
        form.addRow("P&ort:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("&User:", self.user)
        form.addRow("&SSL mode:", self.sslmode)
        form.addRow("&Password:", self.password)
        note = QLabel(
            f"The password is kept in {connection.pgpass_path()} (readable only by you), "
            "where PostgreSQL programs look for it; leave it empty to keep the saved one."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #a01010;")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText("&Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        (self.host if not server.host else self.password).setFocus()

    def server(self) -> ServerSettings:
        return ServerSettings(
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
            str(self.sslmode.currentData()),
        )

    def accept(self) -> None:
        problems = self.server().problems()
        if problems:
            self.problem.setText("\n".join(f"{p.field.capitalize()} {p.message}." for p in problems))
            self.problem.show()
            return
        self.problem.hide()
        super().accept()

    def store_password(self) -> None:
        """Write the typed password (if any) to the password file."""
        if self.password.text():
            connection.save_password(self.server(), self.password.text())


# -- the main window's File menu


def ask_server(window: Any) -> ConnectDialog | None:
    """Open the dialog (window-modal); Connect switches the window to that server."""
    if not _may_switch(window):
        return None
    dialog = ConnectDialog(window, last_server(window.env.settings), window.env.ctx.user)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        server = dialog.server()
        try:
            dialog.store_password()
        except OSError as exc:
            window.env.interaction.error(
                window, "Connect to server", f"Cannot write the password file {connection.pgpass_path()}: {exc}"
            )
            return
        switch(window, server.url(), lambda: remember_server(window.env.settings, server))

    dialog.accepted.connect(accepted)
    window.connect_dialog = dialog
    dialog.open()
    return dialog


def use_local(window: Any) -> None:
    if _may_switch(window):
        switch(window, connection.local_url(), lambda: remember_local(window.env.settings))


def switch(window: Any, url: str, remember: Callable[[], None]) -> None:
    """Open `url` in the background; on success the window's screens reopen on it."""
    user = window.env.ctx.named  # as named at start (--user), else each database's own: a server's login

    def opened(ctx: AppContext) -> None:
        remember()
        window.switch_database(ctx)
        window.statusBar().showMessage(f"Connected to {connection.display_url(url)}", 8000)

    window.env.runner.run(
        window, "Connecting", lambda _uow, _job: connection.open_context(url, user), opened, delay_ms=200
    )


def _may_switch(window: Any) -> bool:
    if window.env.runner.busy:
        window.env.interaction.inform(window, "Database", "Wait until the running action has finished.")
        return False
    return bool(window.may_discard_changes())


# -- start-up


def start_url(db_arg: str | None, settings: QSettings) -> tuple[str | None, ServerSettings | None]:
    """The database the program starts on (None: the local SQLite file), and the saved
    server it comes from, if any: --db, else COOP_DATABASE_URL, else the saved server."""
    url = db_arg or os.environ.get("COOP_DATABASE_URL") or None
    server = None if url else saved_server(settings)
    if server is not None:
        url = server.url()
    return url, server


def start_context(
    db_arg: str | None,
    user: str | None,
    settings: QSettings,
    ask: Callable[[ServerSettings], ServerSettings | None] | None = None,
) -> AppContext | None:
    """The database the program starts on, or None (after saying why) when there is none.

    A saved server that cannot be opened offers the connection dialog again (a changed
    password, a server moved); a database named by --db or COOP_DATABASE_URL does not.
    (The program itself opens it off the UI thread the same way: app.ui.startup.)
    """
    url, server = start_url(db_arg, settings)
    while True:
        try:
            return connection.open_context(url, user)
        except CannotConnect as exc:
            QMessageBox.critical(None, "Cannot open the database", str(exc))
            server = try_again(settings, server, ask or ask_again)
            if server is None:
                return None
            url = server.url()


def try_again(
    settings: QSettings, server: ServerSettings | None, ask: Callable[[ServerSettings], ServerSettings | None]
) -> ServerSettings | None:
    """After the start database could not be opened: for a saved server, the connection
    dialog again (`ask`), the answer remembered for the next start; None: give up (a
    database named by --db or COOP_DATABASE_URL, or the dialog cancelled)."""
    if server is None:
        return None
    server = ask(server)
    if server is not None:
        remember_server(settings, server)
    return server


def ask_again(server: ServerSettings, parent: QWidget | None = None) -> ServerSettings | None:
    """The connection dialog for a saved server that could not be opened (None: cancelled)."""
    dialog = ConnectDialog(parent, server)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    dialog.store_password()
    return dialog.server()
