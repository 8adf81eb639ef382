"""Screenshots of the main screens at 1280x800, on a copy of a SQLite database with demo data.

    COOP_DATABASE_URL=sqlite:////tmp/ui_demo.sqlite .venv/bin/coop demo
    xvfb-run -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take.py \
        --db sqlite:////tmp/ui_demo.sqlite

Writes agreements.png, history.png and receiving.png beside this file. The database is
copied first: the script amends one rate (so the History tab has a change to show) and
enters a receiving slip without saving it, on the copy only.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.services import agreements, queries
from app.services.context import AppContext
from app.ui.base import UiEnv
from app.ui.interaction import HeadlessInteraction
from app.ui.main import MainWindow
from app.ui.operations import Runner

HERE = Path(__file__).resolve().parent


def copy_database(url: str) -> Path:
    """A copy of the SQLite database of `url` in a new temporary folder: the scripts change
    only the copy."""
    work = Path(tempfile.mkdtemp()) / "copy.sqlite"
    shutil.copy(Path(url.removeprefix("sqlite:///")), work)
    return work


def settle(ms: int = 300) -> None:
    QTest.qWait(ms)


def grab(window: QWidget, name: str, out: Path) -> None:
    settle()
    screen = QGuiApplication.primaryScreen()
    pixmap = screen.grabWindow(window.winId()) if QGuiApplication.platformName() == "xcb" else window.grab()
    if pixmap.isNull() or pixmap.width() < 100:
        pixmap = window.grab()
    pixmap.save(str(out / name))
    print(f"wrote {out / name}")


def show_window(ctx: AppContext, work: Path) -> tuple[UiEnv, MainWindow]:
    """The main window at 1280x800 on ctx (its settings beside the database copy `work`), shown
    and settled; the QApplication exists already."""
    settings = QSettings(str(work.with_suffix(".ini")), QSettings.Format.IniFormat)
    env = UiEnv(ctx, Runner(ctx, HeadlessInteraction()), settings)
    window = MainWindow(env)
    window.resize(1280, 800)
    window.move(0, 0)
    window.show()
    settle(500)
    return env, window


def pick_vendor(ctx: AppContext, kind: str) -> tuple[str, int] | None:
    """A vendor whose agreement of `kind` has group and product lines (the most lines)."""
    best: tuple[int, str, int] | None = None
    with ctx.uow() as uow:
        for vendor in queries.vendors(uow):
            for summary in agreements.list_agreements(uow, vendor.code, kind):
                view = agreements.load_agreement(uow, summary.id)
                has_both = any(ln.product for ln in view.lines) and any(not ln.product for ln in view.lines)
                if has_both and (best is None or summary.lines > best[0]):
                    best = (summary.lines, vendor.code, summary.id)
    return (best[1], best[2]) if best else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="SQLite URL of a database with demo data")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--kind", default="COOP")
    args = parser.parse_args(argv)
    source = Path(args.db.removeprefix("sqlite:///"))
    work = Path(tempfile.mkdtemp()) / "copy.sqlite"
    shutil.copy(source, work)
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    ctx = AppContext.open(f"sqlite:///{work}", user="mlefebvre")
    env, window = show_window(ctx, work)

    chosen = pick_vendor(ctx, args.kind)
    if chosen is None:
        print("no agreement with group and product lines; load the demo first", file=sys.stderr)
        return 1
    vendor, agreement_id = chosen
    screen = window.open_agreements(args.kind)
    screen.vendor_box.set_code(vendor)
    screen.agreement_box.setCurrentIndex(screen.agreement_box.findData(agreement_id))
    screen._open(agreement_id)
    # An amendment, so the History tab shows changes: next year's ladder, degressive.
    model = screen.group
    first = model.rows[0]
    start, end = first["Start Date"], first["End Date"]
    tiers = (("310000", ("1", "0.5", None, None)), ("999999999", ("2", "1", "0.5", None)))
    for max_amount, rebates in tiers:
        row = model.insert_row(len(model.rows), model.new_row(0))
        model.set_values(
            row,
            {
                "Start Date": start.replace(year=start.year + 1),
                "End Date": end.replace(year=end.year + 1),
                "Maximum Amount": Decimal(max_amount),
                "Deg": True,
                **{f"Rebate {i + 1}": Decimal(r) if r else None for i, r in enumerate(rebates)},
            },
        )
    screen.save()
    env.runner.wait()
    screen._open(agreement_id)
    column = model.column_index("Rebate 2")
    screen.group_view.setCurrentIndex(model.index(3, column))
    screen.group_view.setFocus()
    grab(window, "agreements.png", args.out)

    screen.tabs.setCurrentIndex(1)
    window.statusBar().clearMessage()
    grab(window, "history.png", args.out)

    slips = window.open_receiving()
    with ctx.uow() as uow:
        vendor_products = queries.products(uow, vendor)
    slips.vendor_box.set_code(vendor)
    products = vendor_products[:4]
    for i, product in enumerate(products):
        slips.lines.insert_row(i, {})
        slips.lines.set_values(i, {"Product": product.code, "Quantity": Decimal((1200, 350, 80, 24)[i])})
    slips.reference.setText("PO 45521")
    slips.refresh_preview()
    slips.view.setCurrentIndex(slips.lines.index(0, slips.lines.column_index("Quantity")))
    slips.view.setFocus(Qt.FocusReason.OtherFocusReason)
    window.statusBar().clearMessage()
    grab(window, "receiving.png", args.out)
    window.close()
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
