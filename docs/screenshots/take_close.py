"""Screenshots of the month close and the co-op invoices (SPEC §13–§14) at 1280x800, on a copy
of a SQLite database with demo data:

    COOP_DATABASE_URL=sqlite:////tmp/ui_demo.sqlite .venv/bin/coop demo
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_close.py \
        --db sqlite:////tmp/ui_demo.sqlite

On the copy only, the script closes October 2026 (the demo's receipts run to November), then
writes month-close.png (Processing › Month Close… previewing November) and, after closing
November, invoices.png (Settlement › Co-op Invoices with one invoice opened on its Backup tab).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.services import month_close
from app.services.context import AppContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take import HERE, copy_database, grab, settle, show_window  # noqa: E402

FIRST, SHOWN = "2026-10", "2026-11"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="SQLite URL of a database with demo data")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    work = copy_database(args.db)
    ctx = AppContext.open(f"sqlite:///{work}", user="mlefebvre")
    month_close.close_month(ctx, FIRST, date(2026, 11, 1))
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    env, window = show_window(ctx, work)
    screen = window.open_month_close()
    screen.set_month(SHOWN)  # type: ignore[attr-defined]
    screen.set_run_date(date(2026, 12, 1))  # type: ignore[attr-defined]
    screen.preview()  # type: ignore[attr-defined]
    env.runner.wait()
    window.statusBar().clearMessage()
    grab(window, "month-close.png", args.out)

    result = month_close.close_month(ctx, SHOWN, date(2026, 12, 1))
    invoices = window.open_invoices()
    env.runner.wait()
    chosen = result.invoices[0]
    for i, record in enumerate(invoices.found):  # type: ignore[attr-defined]
        if record.invoice_no == chosen:
            invoices.view.selectRow(i)  # type: ignore[attr-defined]
    invoices.open_invoice(chosen)  # type: ignore[attr-defined]
    env.runner.wait()
    settle()
    window.statusBar().clearMessage()
    grab(window, "invoices.png", args.out)
    window.close()
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
