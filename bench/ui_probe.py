"""Child process of the UI measurements (QT_QPA_PLATFORM=offscreen).

    python -m bench.ui_probe bare               a bare QMainWindow
    python -m bench.ui_probe app URL INI        app.ui.main.main() with the benchmark database
    python -m bench.ui_probe screen URL INI VENDOR

bare/app print {"shown_at": epoch seconds} once the first window is exposed, then quit;
the parent measures from before it spawned the process. screen opens the main window,
then times opening the COOP agreement screen and choosing VENDOR until the grids are
loaded and painted, and prints {"open_ms": …, "rows": …}.
"""

from __future__ import annotations

import json
import os
import sys
import time

# Who opens the database: on PostgreSQL the bench administrator (bench.logins), whom the
# superuser acts as; on SQLite (single-user mode) any name.
USER = os.environ.get("COOP_BENCH_USER", "bench")


def _exposed_then(app: object, report: object) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            handle = widget.windowHandle()
            if isinstance(widget, QMainWindow) and widget.isVisible() and handle is not None and handle.isExposed():
                report()  # type: ignore[operator]
                QApplication.quit()
                return
        QTimer.singleShot(1, poll)

    QTimer.singleShot(0, poll)


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1280, 800)
    window.show()
    _exposed_then(app, lambda: print(json.dumps({"shown_at": time.time()}), flush=True))
    app.exec()


def app_main(url: str, ini: str) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.ui.main import main

    app = QApplication([sys.argv[0]])
    _exposed_then(app, lambda: print(json.dumps({"shown_at": time.time()}), flush=True))
    main(["--db", url, "--user", USER], settings=QSettings(ini, QSettings.Format.IniFormat))


def screen(url: str, ini: str, vendor: str) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.services.context import AppContext
    from app.ui.base import UiEnv
    from app.ui.collector import UiThreadCollector
    from app.ui.interaction import HeadlessInteraction
    from app.ui.main import MainWindow
    from app.ui.operations import Runner

    app = QApplication([sys.argv[0]])
    # As main() does: the program collects garbage from a timer on the UI thread
    # (app.ui.collector), not whenever an allocation crosses the threshold.
    collector = UiThreadCollector()
    collector.start()
    ctx = AppContext.open(url, USER, upgrade=False)
    env = UiEnv(ctx, Runner(ctx, HeadlessInteraction()), QSettings(ini, QSettings.Format.IniFormat))
    window = MainWindow(env)
    window.show()
    deadline = time.monotonic() + 10
    while not (window.windowHandle() and window.windowHandle().isExposed()) and time.monotonic() < deadline:
        app.processEvents()
    app.processEvents()
    # main() imports the screens' modules once the window is up (MainWindow.preload_later);
    # this window is built without main(), so it does the same before the clock starts:
    # the row times opening the screen, not importing its code.
    window.preload_screens()
    timings = []
    rows = 0
    for attempt in range(2):
        started = time.perf_counter()
        agreement_screen = window.open_agreements("COOP")
        agreement_screen.vendor_box.set_code(vendor)
        app.processEvents()
        agreement_screen.repaint()
        app.processEvents()
        timings.append((time.perf_counter() - started) * 1000)
        rows = agreement_screen.group.rowCount() + agreement_screen.product.rowCount()
        if attempt == 0:  # close the tab, so the second time builds the screen again
            window.close_tab(window.tabs.indexOf(agreement_screen))
            app.processEvents()
    env.runner.wait()
    print(
        json.dumps(
            {
                "open_ms": timings[0],
                "again_ms": timings[1],
                "rows": rows,
                "errors": [m.text for m in env.interaction.messages if m.kind == "error"],
            }
        ),  # type: ignore[attr-defined]
        flush=True,
    )
    window.close()
    collector.stop()
    ctx.engine.dispose()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        bare()
    elif mode == "app":
        app_main(sys.argv[2], sys.argv[3])
    else:
        screen(sys.argv[2], sys.argv[3], sys.argv[4])
