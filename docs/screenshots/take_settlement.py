"""Screenshots of the dispute wizard and the Disputes screen (SPEC §14) at 1280x800, on a copy of
a SQLite database with demo data:

    COOP_DATABASE_URL=sqlite:////tmp/ui_demo.sqlite .venv/bin/coop demo
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_settlement.py \
        --db sqlite:////tmp/ui_demo.sqlite

On the copy only, the script closes October and November 2026, records a cheque and files a few
disputes (one accepted in part, one rejected), then writes dispute-wizard.png (Settlement ›
Co-op Invoices, File Dispute… on its review page, with two documents) and disputes.png
(Settlement › Disputes as of 2026-12-08: the overdue one in red).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, QPoint, QRect, QSize
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.vocabulary import OPEN
from app.services import disputes, month_close, settlement
from app.services.context import AppContext
from app.services.invoice_views import invoice_views

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take import HERE, copy_database, grab, settle, show_window  # noqa: E402

AS_OF = date(2026, 12, 8)
PNG = (HERE / "invoices.png").read_bytes()
CSV = b"slip,line,product,claimed\nR-10231,2,GYP-12,4.25\nR-10244,1,GYP-12,4.25\n"


def prepare(ctx: AppContext) -> tuple[str, Decimal]:
    """Close two months, file disputes on the October invoices; the November invoice shown."""
    month_close.close_month(ctx, "2026-10", date(2026, 11, 1))
    month_close.close_month(ctx, "2026-11", date(2026, 12, 1))
    with ctx.uow() as uow:
        owed = [v for v in invoice_views(uow.session) if v.status == OPEN and v.amount > 100]
    october = [v for v in owed if v.month == "2026-10"][:4]
    november = sorted((v for v in owed if v.month == "2026-11"), key=lambda v: -v.amount)
    filed = []
    for i, (v, reason, title, day) in enumerate(
        zip(
            october,
            ("QUANTITY", "PRICING", "RATE", "NOT_COVERED"),
            ("Returned pallets counted twice", "Old cost used for October", "Tier 2 rate not reached",
             "Private-label items not covered"),
            (date(2026, 11, 3), date(2026, 11, 12), date(2026, 11, 20), date(2026, 11, 25)),
            strict=False,
        )
    ):  # fmt: skip
        amount = (v.open_amount / (2 + i)).quantize(Decimal("0.01"))
        with ctx.uow() as uow:
            filed.append(
                disputes.file_dispute(uow, v.invoice_no, reason, amount, title, "As the vendor wrote.", [], day)
            )
    if len(filed) > 2:
        with ctx.uow() as uow:
            disputes.accept_dispute(uow, filed[1].dispute_no, (filed[1].amount / 2).quantize(Decimal("0.01")), AS_OF)
        with ctx.uow() as uow:
            disputes.reject_dispute(uow, filed[2].dispute_no, "The receipts show tier 2 was reached.", AS_OF)
    shown = november[0]
    paid = (shown.open_amount * Decimal("0.8")).quantize(Decimal("1"))
    with ctx.uow() as uow:
        settlement.record_payment(
            uow, shown.vendor_code, date(2026, 12, 4), paid, shown.currency, "CHQ-40117", [shown.invoice_no]
        )
    return shown.invoice_no, ((shown.open_amount - paid) / 2).quantize(Decimal("0.01"))


def grab_over(window: QWidget, dialog: QWidget, name: str, out: Path) -> None:
    """The main window with the dialog drawn over it, framed (no window manager draws a frame)."""
    settle()
    pixmap = window.grab()
    corner = dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
    painter = QPainter(pixmap)
    painter.fillRect(QRect(corner + QPoint(6, 6), dialog.size()), QColor(0, 0, 0, 60))
    painter.drawPixmap(corner, dialog.grab())
    painter.setPen(QColor("#5b6b7f"))
    painter.drawRect(QRect(corner - QPoint(1, 1), dialog.size() + QSize(1, 1)))
    painter.end()
    pixmap.save(str(out / name))
    print(f"wrote {out / name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="SQLite URL of a database with demo data")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    work = copy_database(args.db)
    ctx = AppContext.open(f"sqlite:///{work}", user="mlefebvre")
    number, disputed = prepare(ctx)
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    env, window = show_window(ctx, work)

    invoices = window.open_invoices()
    env.runner.wait()
    invoices.show_invoice(number)  # type: ignore[attr-defined]
    env.runner.wait()
    wizard = invoices.detail.file_dispute()  # type: ignore[attr-defined]
    settle()
    wizard.first.reason.setCurrentText("PRICING")
    wizard.first.amount.setText(f"{disputed:.2f}")
    wizard.first.day.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    wizard.next()
    wizard.details.title_edit.setText("Cost change of 1 November not applied")
    wizard.details.summary.setPlainText(
        "The vendor lowered its cost on 1 November; the co-op rebate on the receipts of 3–14 November was "
        "worked out on the old cost. The vendor's price list and its own calculation are attached."
    )
    wizard.details.add_document("price-list-2026-11.png", PNG)
    wizard.details.add_document("vendor-calculation.csv", CSV)
    wizard.next()
    wizard.move(window.x() + 260, window.y() + 120)
    settle(400)
    grab_over(window, wizard, "dispute-wizard.png", args.out)
    wizard.reject()

    screen = window.open_disputes()
    screen.today = AS_OF  # type: ignore[attr-defined]
    screen.refresh()  # type: ignore[attr-defined]
    env.runner.wait()
    screen.view.selectRow(1)  # type: ignore[attr-defined]  # the overdue first row shows its red
    window.statusBar().clearMessage()
    grab(window, "disputes.png", args.out)
    window.close()
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
