"""The financial scorecard (SPEC §16) as a PDF (a row per vendor, then the defects by type and
month), or as XLSX or CSV by the file's extension (write_scorecard, for the command and the
screen)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import landscape, letter
from reportlab.platypus import Flowable, Spacer, Table

from app.domain.scorecard import CSV_COLUMNS, MONEY_COLUMNS, Scorecard, ScorecardRow
from app.domain.vocabulary import DEFECTS
from app.services.exports import TABLE_SUFFIXES, about, write_table

from .pdf_common import PageFrame, build_pdf, code_cell, grid_style, money, para, styles, total_style

TITLE = "Financial scorecard"
SUFFIXES = (".pdf", *TABLE_SUFFIXES)
DEFECT_HEADS = {
    "PRODUCT_NOT_ON_SLIP": "Product not on slip",
    "UNRECOGNIZED_PRODUCT": "Unrecognized product",
    "QUANTITY_OVER_RECEIVED": "Quantity over received",
    "COST_MISMATCH": "Cost mismatch",
    "MISSING_INVOICE": "Missing invoice",
}


# 720 pt of landscape letter: the code never split, each count over its amount (two lines)
WIDTHS = (58, 100, *(60 for _ in DEFECTS), 64, 58, 72, 68)


def _count_amount(count: int, amount: Any) -> str:
    return f"{count:,}\n{money(amount)}" if count else "—"


def _cells(row: ScorecardRow) -> list[object]:
    s = styles()
    pct = row.on_time_percent
    on_time = f"{row.paid_on_time}/{row.invoices_due}" + (f" ({pct}%)" if pct is not None else "")
    return [
        code_cell(row.vendor_code, s.cell, WIDTHS[0]), para(row.vendor_name, s.cell),
        *(_count_amount(row.defects[d].count, row.defects[d].amount) for d in DEFECTS),
        _count_amount(row.defect_count, row.defect_amount), on_time if row.invoices_due else "—",
        _count_amount(row.short_paid.count, row.short_paid.amount),
        _count_amount(row.open_disputes.count, row.open_disputes.amount),
    ]  # fmt: skip


def vendor_table(card: Scorecard) -> Table:
    s = styles()
    heads = ["Vendor", "Name", *(DEFECT_HEADS[d] for d in DEFECTS), "All defects", "Paid on time",
             "Short-paid co-op invoices", "Open disputes"]  # fmt: skip
    data: list[list[Any]] = [[para(h, s.head if i < 2 else s.head_right) for i, h in enumerate(heads)]]
    data.extend(_cells(r) for r in card.rows)
    data.append(_cells(card.total()))
    at = len(data) - 1
    return Table(data, colWidths=WIDTHS, repeatRows=1, style=grid_style(2, extra=total_style(at, rule=1)))


def month_table(card: Scorecard) -> Table:
    s = styles()
    data: list[list[Any]] = [[para(h, s.head if i == 0 else s.head_right)
                              for i, h in enumerate(["Month", *(DEFECT_HEADS[d] for d in DEFECTS), "All"])]]  # fmt: skip
    for month, counts in card.by_month.items():
        data.append([month, *(f"{counts.get(d, 0):,}" for d in DEFECTS), f"{sum(counts.values()):,}"])
    return Table(data, colWidths=(60, *(90 for _ in DEFECTS), 50), repeatRows=1, style=grid_style(1))


def _describe(card: Scorecard) -> str:
    period = f"Vendor invoices and receipts {card.date_from.isoformat()} to {card.date_to.isoformat()}"
    return period + (f" · Vendor {card.vendor}" if card.vendor else " · All vendors")


def totals_table(card: Scorecard) -> list[tuple[object, ...]]:
    """The PDF's total row as rows for the XLSX Totals sheet: a measure, its count, its amount."""
    t = card.total()
    return [
        ("Totals", "Count", "Amount"),
        *((DEFECT_HEADS[d], t.defects[d].count, t.defects[d].amount) for d in DEFECTS),
        ("All defects", t.defect_count, t.defect_amount),
        ("Vendor invoices due", t.invoices_due, None),
        ("Paid on time", t.paid_on_time, None),
        ("Paid on time, percent of those due", t.on_time_percent, None),
        ("Short-paid co-op invoices (open)", t.short_paid.count, t.short_paid.amount),
        ("Open disputes", t.open_disputes.count, t.open_disputes.amount),
    ]


def write_scorecard_pdf(
    out: str | Path | BinaryIO, card: Scorecard, *, company: str, printed: date | None = None
) -> int:
    s = styles()
    story: list[Flowable] = [para(TITLE, s.title), para(company, s.body), para(_describe(card), s.muted), Spacer(0, 8)]
    if card.rows:
        story += [vendor_table(card), Spacer(0, 10), para("Defects by type and month", s.heading)]
        story += [month_table(card) if card.by_month else para("No defect in the period.", s.body)]
        story += [
            Spacer(0, 6),
            para(
                "Each defect as its count over its amount. A vendor invoice line counts under its defect in the month of its "
                "invoice; a receiving line with no vendor invoice 30 days after receipt counts as a missing invoice "
                "on the day after. Paid on time: vendor invoices due in the period that payment runs paid by the "
                "due date. Short-paid co-op invoices (their open amount) and open disputes are those at the "
                "period's end.",
                s.muted,
            ),
        ]
    else:
        story.append(para("No vendor has defects, vendor invoices due, short-paid invoices or open disputes.", s.body))
    frame = PageFrame(company, TITLE, _describe(card))
    build_pdf(out, story, pagesize=landscape(letter), frame=frame, printed=printed or date.today())
    return len(card.rows)


def write_scorecard(path: Path, card: Scorecard, *, company: str) -> int:
    """The scorecard as .pdf, .xlsx or .csv by the extension of `path`; returns the number of vendor rows."""
    if path.suffix.lower() == ".pdf":
        return write_scorecard_pdf(path, card, company=company)
    return write_table(
        path, CSV_COLUMNS, (r.values() for r in card.rows), sheet="Financial scorecard", money_columns=MONEY_COLUMNS,
        about=about(TITLE, company, _describe(card)), totals=totals_table(card),
    )  # fmt: skip
