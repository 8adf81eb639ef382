"""Screenshots of Maintenance › Provisional Rates and Reports › Provisional Exposure at
1280x800, on a copy of a SQLite database (the demo company has provisional rates and a waiver):

    xvfb-run -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_provisional.py \
        --db sqlite:////tmp/ui_demo.sqlite

Writes provisional.png and exposure.png beside this file (or into --out).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication

from app.services.context import AppContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take import HERE, copy_database, grab, show_window  # noqa: E402  (beside this script)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="SQLite URL of a database with demo data")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--as-of", default="", help="the exposure report's date (YYYY-MM-DD; default today)")
    args = parser.parse_args(argv)
    work = copy_database(args.db)
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    ctx = AppContext.open(f"sqlite:///{work}", user="mlefebvre")
    _env, window = show_window(ctx, work)
    window.open_provisional()
    window.statusBar().clearMessage()
    grab(window, "provisional.png", args.out)
    exposure = window.open_exposure()
    if args.as_of:
        exposure.as_of.setDate(QDate.fromString(args.as_of, "yyyy-MM-dd"))  # type: ignore[attr-defined]
    window.statusBar().clearMessage()
    grab(window, "exposure.png", args.out)
    window.close()
    app.processEvents()
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
