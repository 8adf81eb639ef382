"""`coop-rebates --smoke`: the check of an installation (`make dist-check`, an IT person
after installing). The program starts as usual; once its main window is on the screen and
the database is open, it prints one line of JSON and quits with status 0:

    {"version": "0.1.0", "shown_at": <epoch s>, "ready_at": <epoch s>, "database": "<URL>"}

`shown_at` is when the main window was first exposed (what a start time is measured to),
`ready_at` when the database was opened (created or migrated). Nothing is asked (the demo
is not offered), nothing is written to the database beyond what opening it does.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow

from app import __version__

POLL_MS = 1


class Smoke:
    """Waits for `window` to be exposed and for `opened(location)`, then prints and calls `quit`."""

    def __init__(self, window: QMainWindow, quit_: Callable[[], None]) -> None:
        self.window, self.quit = window, quit_
        self.shown_at: float | None = None
        self.ready_at: float | None = None
        self.location = ""

    def start(self) -> None:
        QTimer.singleShot(0, self._poll)

    def opened(self, location: str) -> None:
        self.ready_at, self.location = time.time(), location
        self._maybe_done()

    def _poll(self) -> None:
        handle = self.window.windowHandle()
        if self.window.isVisible() and handle is not None and handle.isExposed():
            self.shown_at = time.time()
            self._maybe_done()
        else:
            QTimer.singleShot(POLL_MS, self._poll)

    def _maybe_done(self) -> None:
        if self.shown_at is None or self.ready_at is None:
            return
        report = {"version": __version__, "shown_at": self.shown_at, "ready_at": self.ready_at}
        print(json.dumps({**report, "database": self.location}), flush=True)
        sys.stdout.flush()
        self.quit()
