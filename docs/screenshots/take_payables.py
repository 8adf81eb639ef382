"""Screenshots of the payables side (SPEC §15–§16) at 1280x800, on a copy of a SQLite database
with demo data:

    COOP_DATABASE_URL=sqlite:////tmp/ui_demo.sqlite .venv/bin/coop demo
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_payables.py \
        --db sqlite:////tmp/ui_demo.sqlite

On the copy only, the script closes October 2026, imports vendor invoices for posted receiving
slips (every slip of KEYSTEEL, invoiced monthly net 10; November slips of LAURGYP, FRASERLUM and IRONCLAD, one
line invoiced at a higher cost and one for more than was received), pays what is due on
1 December (KEYSTEEL, less its CD co-op invoices), runs the provisions for 2 December (KEYSTEEL,
paid in full, still owes its volume rebate: debit balance) and writes vendor-invoices.png,
vendor-invoice-entry.png (Enter Invoice… filled from a slip),
payment-run.png (the preview of 15 December), vendor-balances.png, scorecard.png,
reconciliation.png (a vendor file with a few differences compared) and remittance-pdf.png (the
first page of KEYSTEEL's remittance advice, with pdftoppm).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.domain.vocabulary import HELD, POSTED
from app.models import Product, ReceiptLine, ReceivingSlip, Vendor
from app.services import imports, month_close, payment_run, provisions, remittances
from app.services.context import AppContext
from app.services.reconciliation import VENDOR_BACKUP_COLUMNS, our_backup
from app.services.vendor_invoices import slip_to_invoice

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take import HERE, copy_database, grab, settle, show_window  # noqa: E402

FIRST_RUN, PROVISIONS, PREVIEW = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 15)
PAID_IN_FULL, NOVEMBER = "KEYSTEEL", ("LAURGYP", "FRASERLUM", "IRONCLAD")
RECONCILED = "IRONCLAD"
HEAD = ("invoice_no", "vendor_code", "invoice_date", "due_date", "slip_no", "line_no", "product_code", "quantity",
        "unit_cost")  # fmt: skip


def _slips(ctx: AppContext) -> dict[str, list[tuple[str, date, list[tuple[int, str, Decimal, Decimal]]]]]:
    """The posted slips of each vendor: number, date and lines (line, product, quantity, cost)."""
    out: dict[str, dict[str, tuple[str, date, list[tuple[int, str, Decimal, Decimal]]]]] = {}
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(Vendor.code, ReceivingSlip.slip_no, ReceivingSlip.received_date, ReceiptLine.line_no, Product.code,
                   ReceiptLine.quantity, ReceiptLine.unit_cost)
            .join(ReceivingSlip, ReceivingSlip.vendor_id == Vendor.id)
            .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
            .join(Product, Product.id == ReceiptLine.product_id)
            .where(ReceivingSlip.status == POSTED)
            .order_by(ReceivingSlip.received_date, ReceivingSlip.slip_no, ReceiptLine.line_no)
        ).all()  # fmt: skip
    for vendor, slip, day, line, product, qty, cost in rows:
        if qty <= 0:
            continue  # a return: the vendor's credit note, not its invoice
        out.setdefault(vendor, {}).setdefault(slip, (slip, day, []))[2].append((line, product, qty, cost))
    return {v: list(s.values()) for v, s in out.items()}


def invoice_file(ctx: AppContext, path: Path) -> None:
    """The vendors' invoices: KEYSTEEL's one a month for all its slips, the others' one per November slip."""
    slips = _slips(ctx)
    rows = []
    for slip, day, lines in slips[PAID_IN_FULL]:  # one statement invoice a month, net 10
        end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        due = end + timedelta(days=10) if day.month < 11 else PREVIEW - timedelta(days=3)
        rows += [(f"KS-26{day:%m}", PAID_IN_FULL, end, due, slip, ln, p, q, c) for ln, p, q, c in lines]
    for vendor in NOVEMBER:
        november = [s for s in slips[vendor] if s[1] >= date(2026, 11, 1)][:4]
        for n, (slip, day, lines) in enumerate(november, start=1):
            for ln, p, q, c in lines:
                if vendor == "LAURGYP" and n == 2 and ln == 1:
                    c = (c * Decimal("1.04")).quantize(Decimal("0.01"))  # a cost the vendor raised on its own
                if vendor == "FRASERLUM" and n == 3 and ln == 1:
                    q = q + 12  # more than was received
                rows.append((f"{vendor[:3]}-{day:%m%d}-{n}", vendor, day, day + timedelta(days=30), slip, ln, p, q, c))
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEAD)
        out.writerows(rows)


def vendor_backup_file(ctx: AppContext, path: Path) -> None:
    """IRONCLAD's own statement of its charges: our backup with a few differences."""
    with ctx.uow() as uow:
        vendor_id = uow.session.scalar(select(Vendor.id).where(Vendor.code == RECONCILED))
        lines = sorted(our_backup(uow, vendor_id), key=lambda b: (b.slip_no or "", b.line_no or 0))
    by_line: dict[tuple[str, int | None], list] = {}  # type: ignore[type-arg]
    for b in lines:  # a receipt line on two invoices (co-op and volume): one line, the rebates summed
        row = by_line.setdefault(
            (b.slip_no, b.line_no),
            [b.slip_no, b.line_no, b.vendor_item_code, b.received_date, b.quantity, b.amount, Decimal(0)],
        )
        row[6] += b.rebate
    rows = list(by_line.values())
    rows[3][6] = rows[3][6] + Decimal("12.50")  # their rebate differs
    rows[7][4], rows[7][5] = rows[7][4] + 10, rows[7][5] * (rows[7][4] + 10) / rows[7][4]  # they count more
    rows[7][5] = rows[7][5].quantize(Decimal("0.01"))
    del rows[11]  # a line they do not claim
    rows.append(["R-99120", 1, rows[0][2], rows[0][3], Decimal(40), Decimal("812.00"), Decimal("16.24")])  # not ours
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(VENDOR_BACKUP_COLUMNS)
        out.writerows(rows)


def prepare(ctx: AppContext, work: Path) -> Path:
    """The data of the screenshots; the folder of the first run's remittance advice."""
    month_close.close_month(ctx, "2026-10", date(2026, 11, 1))
    invoice_file(ctx, work / "vendor-invoices.csv")
    with ctx.uow() as uow:
        imports.import_file(uow, "vendor-invoices", work / "vendor-invoices.csv", today=date(2026, 12, 1))
    with ctx.uow() as uow:
        result = payment_run.run_payments(uow, FIRST_RUN)
    remit = work / "remittances"
    with ctx.uow() as uow:
        remittances.write_remittances(uow, FIRST_RUN, result.vendors, remit)
    with ctx.uow() as uow:
        provisions.run_provisions(uow, PROVISIONS)
    vendor_backup_file(ctx, work / "ironclad-backup.csv")
    return remit


def set_day(edit, day: date) -> None:  # type: ignore[no-untyped-def]
    edit.setDate(QDate(day.year, day.month, day.day))


def entry_shot(ctx: AppContext, screen, env, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Enter Invoice… filled from the latest posted slip with lines left to invoice."""
    with ctx.uow() as uow:
        slips = uow.session.scalars(
            select(ReceivingSlip.slip_no)
            .where(ReceivingSlip.status == POSTED)
            .order_by(ReceivingSlip.received_date.desc())
        ).all()
        slip = next(no for no in slips if slip_to_invoice(uow, no).lines)
    dialog = screen.enter()
    dialog.number.setText("INV-88213")
    dialog.slip.setText(slip)
    dialog.fill_from_slip()
    env.runner.wait()
    settle()
    dialog.resize(700, 520)
    grab(dialog, "vendor-invoice-entry.png", out)
    dialog.reject()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="SQLite URL of a database with demo data")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    work = copy_database(args.db)
    ctx = AppContext.open(f"sqlite:///{work}", user="mlefebvre")
    remit = prepare(ctx, work.parent)
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    env, window = show_window(ctx, work)

    screen = window.open_vendor_invoices()
    env.runner.wait()
    settle()
    rows = screen.model.records  # type: ignore[attr-defined]
    held = next(i for i, r in enumerate(rows) if r.state == HELD)
    screen.view.selectRow(held)  # type: ignore[attr-defined]
    screen.view.scrollTo(screen.model.index(max(0, held - 4), 0))  # type: ignore[attr-defined]
    window.statusBar().clearMessage()
    grab(window, "vendor-invoices.png", args.out)
    entry_shot(ctx, screen, env, args.out)  # type: ignore[arg-type]

    run = window.open_payment_run()
    set_day(run.day, PREVIEW)  # type: ignore[attr-defined]
    run.preview()  # type: ignore[attr-defined]
    env.runner.wait()
    window.statusBar().clearMessage()
    grab(window, "payment-run.png", args.out)

    balances = window.open_vendor_balances()
    set_day(balances.day, PROVISIONS)  # type: ignore[attr-defined]
    balances.refresh()  # type: ignore[attr-defined]
    env.runner.wait()
    chosen = next(r for r in balances.rows if r.balance.vendor_code == PAID_IN_FULL)  # type: ignore[attr-defined]
    balances.view.selectRow(balances.model.records.index(chosen))  # type: ignore[attr-defined]
    balances.open_vendor(chosen)  # type: ignore[attr-defined]
    env.runner.wait()
    window.statusBar().clearMessage()
    grab(window, "vendor-balances.png", args.out)

    card = window.open_scorecard()
    set_day(card.date_from, date(2026, 1, 1))  # type: ignore[attr-defined]
    set_day(card.date_to, PREVIEW)  # type: ignore[attr-defined]
    card.refresh()  # type: ignore[attr-defined]
    env.runner.wait()
    window.statusBar().clearMessage()
    grab(window, "scorecard.png", args.out)

    rec = window.open_reconciliation()
    rec.vendor_edit.setText(RECONCILED)  # type: ignore[attr-defined]
    rec.file_edit.setText(str(work.parent / "ironclad-backup.csv"))  # type: ignore[attr-defined]
    rec.compare()  # type: ignore[attr-defined]
    env.runner.wait()
    window.statusBar().clearMessage()
    grab(window, "reconciliation.png", args.out)
    window.close()
    ctx.engine.dispose()

    pdf = sorted(remit.glob(f"remittance-*-{PAID_IN_FULL}.pdf"))[0]
    stem = work.parent / "remittance"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)], check=True
    )
    shutil.copy(stem.with_suffix(".png"), args.out / "remittance-pdf.png")
    print(f"wrote {args.out / 'remittance-pdf.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
