"""Backup reconciliation (SPEC §16) as a PDF (the lines that differ first, then the totals by
status), or as XLSX or CSV by the file's extension: a row per compared line, then a TOTAL row
per status (slip_no: the status totalled, line_no: its lines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import landscape, letter
from reportlab.platypus import Flowable, Spacer, Table

from app.domain.reconciliation import COLUMNS, MONEY_COLUMNS, Compared, Reconciliation
from app.domain.vocabulary import RECONCILE_TOTAL
from app.services.exports import TABLE_SUFFIXES, about, write_table

from .pdf_common import PageFrame, build_pdf, grid_style, money, para, styles

TITLE = "Backup reconciliation"
SUFFIXES = (".pdf", *TABLE_SUFFIXES)
HEADS = ("Status", "Slip", "Line", "Item code", "Received", "Our qty", "Their qty", "Our amount", "Their amount",
         "Our rebate", "Their rebate", "Difference")  # fmt: skip
TOTAL_HEADS = ("Status", "Lines", "Our rebate", "Their rebate", "Difference")
WIDTHS = (84, 52, 30, 64, 58, 50, 50, 62, 62, 58, 58, 58)


def _number(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if not hasattr(value, "quantize") else f"{value.normalize():,f}"  # type: ignore[attr-defined]


def _cells(c: Compared) -> list[object]:
    ours, theirs = c.ours or (None, None, None), c.theirs or (None, None, None)
    return [
        c.status, c.slip_no, "" if c.line_no is None else str(c.line_no), c.vendor_item_code,
        c.received_date.isoformat() if c.received_date else "", _number(ours[0]), _number(theirs[0]),
        money(ours[1]), money(theirs[1]), money(ours[2]), money(theirs[2]), money(c.difference),
    ]  # fmt: skip


def _describe(result: Reconciliation) -> str:
    return f"Vendor {result.vendor_code}: its statement of what it was charged against our invoices' backup"


def write_reconciliation_pdf(
    out: str | Path | BinaryIO, result: Reconciliation, *, company: str, printed: date | None = None
) -> int:
    s = styles()
    describe = _describe(result)
    story: list[Flowable] = [para(TITLE, s.title), para(company, s.body), para(describe, s.muted), Spacer(0, 8)]
    data: list[list[Any]] = [[para(h, s.head if i < 5 else s.head_right) for i, h in enumerate(HEADS)]]
    data.extend(_cells(c) for c in result.lines)
    story += [Table(data, colWidths=WIDTHS, repeatRows=1, style=grid_style(5)), Spacer(0, 10)]
    totals: list[list[Any]] = [[para(h, s.head if i == 0 else s.head_right) for i, h in enumerate(TOTAL_HEADS)]]
    totals.extend(
        [t.status, f"{t.lines:,}", money(t.our_rebate), money(t.their_rebate), money(t.difference)]
        for t in result.totals()
    )
    story += [para("Totals", s.heading), Table(totals, colWidths=(110, 50, 80, 80, 80), style=grid_style(1))]
    frame = PageFrame(company, TITLE, describe)
    build_pdf(out, story, pagesize=landscape(letter), frame=frame, printed=printed or date.today())
    return len(result.lines)


def table_rows(result: Reconciliation) -> Iterator[tuple[object, ...]]:
    for c in result.lines:
        yield c.values()
    for t in result.totals():
        yield (RECONCILE_TOTAL, t.status, t.lines, "", "", "", "", "", "", t.our_rebate, t.their_rebate, t.difference)


def write_reconciliation(path: Path, result: Reconciliation, *, company: str) -> int:
    """The reconciliation as .pdf, .xlsx or .csv by the extension of `path`; the number of lines."""
    if path.suffix.lower() == ".pdf":
        return write_reconciliation_pdf(path, result, company=company)
    totals = [TOTAL_HEADS, *((t.status, t.lines, t.our_rebate, t.their_rebate, t.difference) for t in result.totals())]
    write_table(
        path, COLUMNS, table_rows(result), sheet="Reconciliation", money_columns=MONEY_COLUMNS,
        about=about(TITLE, company, _describe(result)), totals=totals,
    )  # fmt: skip
    return len(result.lines)
