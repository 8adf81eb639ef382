"""Screenshots of the report screens at 1280x800, on a copy of a SQLite database with demo data.

    COOP_DATABASE_URL=sqlite:////tmp/rep_ui.sqlite .venv/bin/coop demo
    xvfb-run -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_reports.py \
        --db sqlite:////tmp/rep_ui.sqlite

Writes beside this file:
- estimated-screen.png: Estimated Rebates sorted by rebate earned, with the drill-down of
  one ladder open (its receipt lines, and the journal lines of one of them);
- journal.png: the Journal with its numbered exports, after today's drafts were posted;
- agreements.png: an accepted agreement with the tier progress chart of a ladder that is
  part-way up its tiers (run after take.py, which writes an agreements.png of its own);
- products.png: the Products screen filtered under its columns (a vendor, a category, a
  unit cost range).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.services import agreements, journal_exports, posting, queries
from app.services.context import AppContext
from app.ui.base import UiEnv
from app.ui.interaction import HeadlessInteraction
from app.ui.main import MainWindow
from app.ui.operations import Runner

HERE = Path(__file__).resolve().parent


def settle(ms: int = 300) -> None:
    QTest.qWait(ms)


def grab(window: QWidget, name: str, out: Path, whole_screen: bool = False) -> None:
    """The window (or the whole screen, to include a dialog over it) as a PNG."""
    settle()
    screen = QGuiApplication.primaryScreen()
    if QGuiApplication.platformName() == "xcb":
        pixmap = screen.grabWindow(0 if whole_screen else window.winId())
    else:
        pixmap = window.grab()
    if pixmap.isNull() or pixmap.width() < 100:
        pixmap = window.grab()
    pixmap.save(str(out / name))
    print(f"wrote {out / name}")


def composite(window: QWidget, dialog: QWidget, at: tuple[int, int]) -> QPixmap:
    """The window with the dialog drawn over it, framed and titled (Xvfb has no window
    manager to draw the frame)."""
    settle()
    picture = window.grab()
    inner = dialog.grab()
    title_h = 26
    painter = QPainter(picture)
    x, y = at
    painter.fillRect(x + 4, y + 4, inner.width() + 2, inner.height() + title_h + 2, QColor(0, 0, 0, 60))
    painter.fillRect(x, y, inner.width() + 2, title_h, QColor("#3b4a5a"))
    painter.setPen(QColor("#ffffff"))
    font = QFont(dialog.font())
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(x + 10, y, inner.width() - 20, title_h, Qt.AlignmentFlag.AlignVCenter, dialog.windowTitle())
    painter.drawPixmap(x + 1, y + title_h, inner)
    painter.setPen(QColor("#3b4a5a"))
    painter.drawRect(x, y, inner.width() + 1, inner.height() + title_h)
    painter.end()
    return picture


def ladder_in_the_middle(ctx: AppContext) -> tuple[str, str, int, str] | None:
    """(vendor, kind, agreement id, scope label) of an accepted ladder of three or more tiers
    whose volume is past the first tier but not on the last: the chart has most to show.
    Agreements that also have product lines come first, so both grids show data."""
    with ctx.uow() as uow:
        best: tuple[tuple[int, int, int], tuple[str, str, int, str]] | None = None
        for e in queries.estimated_ladders(uow):
            r = e.row
            if r.period or r.tiers < 2 or r.volume <= 0:
                continue
            for summary in agreements.list_agreements(uow, r.vendor, r.kind):
                if summary.number != r.agreement_no:
                    continue
                view = agreements.load_agreement(uow, summary.id)
                rank = (int(any(line.product for line in view.lines)), int(1 < r.tier < r.tiers), r.tiers)
                if best is None or rank > best[0]:
                    best = (rank, (r.vendor, r.kind, summary.id, r.ladder))
    return best[1] if best else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="SQLite URL of a database with demo data")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    source = Path(args.db.removeprefix("sqlite:///"))
    work = Path(tempfile.mkdtemp()) / "copy.sqlite"
    shutil.copy(source, work)
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    ctx = AppContext.open(f"sqlite:///{work}", user="mlefebvre")
    settings = QSettings(str(work.with_suffix(".ini")), QSettings.Format.IniFormat)
    env = UiEnv(ctx, Runner(ctx, HeadlessInteraction()), settings)
    window = MainWindow(env)
    window.resize(1280, 800)
    window.move(0, 0)
    window.show()
    settle(500)

    # Estimated rebates, biggest rebate first, with one ladder drilled into.
    screen = window.open_estimated()
    env.runner.wait()
    view = screen.view
    view.sortByColumn(screen.model.column_index("Rebate Earned"), Qt.SortOrder.DescendingOrder)
    # the ladder with the most retroactive rebate: its lines climb the tiers
    target = max(range(view.model().rowCount()), key=lambda r: view.record(view.model().index(r, 0)).row.retroactive)
    index = view.model().index(target, screen.model.column_index("Ladder"))
    view.setCurrentIndex(index)
    dialog = screen.drill_down(index)
    if dialog is None:
        print("no ladder to drill into; load the demo first", file=sys.stderr)
        return 1
    dialog.resize(1060, 450)
    lines = dialog.lines_view
    records = [lines.record(lines.model().index(r, 0)) for r in range(lines.model().rowCount())]
    row = next((i for i, line in enumerate(records) if line.retro), min(2, len(records) - 1))
    lines.setCurrentIndex(lines.model().index(row, 0))
    lines.scrollTo(lines.currentIndex(), lines.ScrollHint.PositionAtCenter)
    dialog.show_journal(lines.model().index(row, 0))
    settle(300)
    composite(window, dialog, (110, 296)).save(str(args.out / "estimated-screen.png"))
    print(f"wrote {args.out / 'estimated-screen.png'}")
    dialog.close()
    window.close_tab(window.tabs.indexOf(screen))

    # The journal with one numbered export made and today's draft slips posted since.
    with ctx.uow() as uow:
        journal_exports.export_new(uow, work.with_name("journal-export-0001.csv"))
    with ctx.uow() as uow:
        posting.post_slips(uow)
    journal = window.open_journal()
    env.runner.wait()
    settle(300)
    window.statusBar().clearMessage()
    grab(window, "journal.png", args.out)
    window.close_tab(window.tabs.indexOf(journal))

    # The agreement screen with the tier chart of a ladder part-way up its tiers.
    chosen = ladder_in_the_middle(ctx)
    if chosen is None:
        print("no ladder between its first and last tier; load the demo first", file=sys.stderr)
        return 1
    vendor, kind, agreement_id, scope = chosen
    agreement = window.open_agreements(kind)
    agreement.vendor_box.set_code(vendor)
    agreement.agreement_box.setCurrentIndex(agreement.agreement_box.findData(agreement_id))
    agreement._open(agreement_id)
    product = scope.startswith("Product ")
    model, grid = (agreement.product, agreement.product_view) if product else (agreement.group, agreement.group_view)
    wanted = scope.removeprefix("Product ") if product else scope
    for r in range(len(model.rows)):
        lid = model.ladder_id(r)
        label = lid[0] if product else " / ".join(lid[:4])
        if label == wanted:
            grid.setCurrentIndex(model.index(r, model.column_index("Rebate 1")))
            break
    grid.setFocus()
    window.statusBar().clearMessage()
    grab(window, "agreements.png", args.out)
    window.close_tab(window.tabs.indexOf(agreement))

    # Products, filtered under their columns.
    products = window.open_records("products", "PRODUCTS")
    panel = products.panel  # type: ignore[attr-defined]
    with ctx.uow() as uow:
        sample = queries.products(uow)[len(queries.products(uow)) // 2]
    boxes = {b.column.name: b for b in panel.filter_row.boxes}
    for name, typed in (("Vendor", sample.vendor), ("CAT1", sample.cats[0] or ""), ("Unit Cost", "5..100")):
        boxes[name].setText(typed)
    panel.reload()
    panel.view.setFocus()
    window.statusBar().clearMessage()
    grab(window, "products.png", args.out)
    window.close()
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
