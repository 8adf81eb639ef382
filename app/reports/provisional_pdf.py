"""The provisional exposure report (SPEC §12) as a PDF with vendor and kind totals, or as XLSX
or CSV by the file's extension (write_exposure, for the command and the screen)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import letter
from reportlab.platypus import Flowable, Spacer, Table

from app.domain.vocabulary import KIND_NAMES
from app.services.exports import TABLE_SUFFIXES, about, write_table
from app.services.provisional_report import EXPOSURE_COLUMNS, MONEY_COLUMNS, ExposureRow, ExposureTotal, exposure_totals

from .pdf_common import NARROW_BOLD, PageFrame, build_pdf, grid_style, money, para, styles, total_style

TITLE = "Provisional exposure"
HEADERS = ("Vendor", "Name", "Kind", "Lines", "Receipts", "Provisional accrual", "First month", "Last month", "Months")
WIDTHS = (52, 130, 70, 36, 70, 70, 52, 52, 40)  # 572 pt of portrait letter
FIRST_NUMBER = 3
SUFFIXES = (".pdf", *TABLE_SUFFIXES)


def _cells(row: ExposureRow) -> list[object]:
    s = styles()
    return [
        para(row.vendor, s.cell), para(row.vendor_name, s.cell), KIND_NAMES.get(row.kind, row.kind), f"{row.lines:,}",
        money(row.receipts), money(row.provisional), row.first_month, row.last_month, str(row.months),
    ]  # fmt: skip


def _total_cells(t: ExposureTotal) -> list[object]:
    lines = "" if t.lines is None else f"{t.lines:,}"
    return [t.label, "", "", lines, "" if t.receipts is None else money(t.receipts), money(t.provisional), "", "", ""]


def exposure_table(rows: Sequence[ExposureRow]) -> Table:
    s = styles()
    data: list[list[Any]] = [
        [para(h, s.head_right if 3 <= i <= 5 or i == 8 else s.head) for i, h in enumerate(HEADERS)]
    ]
    data.extend(_cells(r) for r in rows)
    extra: list[tuple[Any, ...]] = []
    *kinds, grand = exposure_totals(rows)
    for t in kinds:
        at = len(data)
        data.append(_total_cells(t))
        extra += [("SPAN", (0, at), (2, at)), ("FONT", (0, at), (-1, at), NARROW_BOLD, 7.5)]
    at = len(data)
    data.append(_total_cells(grand))
    extra += [("SPAN", (0, at), (2, at)), *total_style(at, rule=1)]
    return Table(data, colWidths=WIDTHS, repeatRows=1, style=grid_style(FIRST_NUMBER, extra=extra))


def totals_table(rows: Sequence[ExposureRow]) -> list[tuple[object, ...]]:
    """The PDF's totals as rows for the XLSX Totals sheet."""
    head: tuple[object, ...] = ("Totals", "Lines", "Receipts", "Provisional accrual")
    return [head, *((t.label, t.lines, t.receipts, t.provisional) for t in exposure_totals(rows))]


def _describe(as_of: date, vendor: str | None) -> str:
    who = f"Vendor {vendor}" if vendor else "All vendors"
    return f"Receipts to {as_of.isoformat()} accrued at provisional rates (no accepted agreement covers them) · {who}"


def write_exposure_pdf(
    out: str | Path | BinaryIO,
    rows: Sequence[ExposureRow],
    *,
    company: str,
    as_of: date,
    vendor: str | None = None,
    printed: date | None = None,
) -> int:
    s = styles()
    story: list[Flowable] = [
        para(TITLE, s.title),
        para(company, s.body),
        para(_describe(as_of, vendor), s.muted),
        Spacer(0, 8),
    ]
    if rows:
        story += [
            exposure_table(rows),
            Spacer(0, 6),
            para(
                "Each receipt line that no accepted ladder of its kind covers accrues at the provisional rate "
                "of its received date, unless the vendor is waived from the kind. Accepting an agreement that "
                "covers these lines re-rates them to the negotiated rates. The receipts of a line accrued under "
                "two kinds count under each; the grand total counts accruals only.",
                s.muted,
            ),
        ]
    else:
        story.append(para("No receipt is accrued at a provisional rate.", s.body))
    build_pdf(
        out,
        story,
        pagesize=letter,
        frame=PageFrame(company, TITLE, _describe(as_of, vendor)),
        printed=printed or date.today(),
    )
    return len(rows)


def write_exposure(
    path: Path, rows: Sequence[ExposureRow], *, company: str, as_of: date, vendor: str | None = None
) -> int:
    """The report as .pdf, .xlsx or .csv by the extension of `path`; returns the number of rows."""
    if path.suffix.lower() == ".pdf":
        return write_exposure_pdf(path, rows, company=company, as_of=as_of, vendor=vendor)
    return write_table(
        path, EXPOSURE_COLUMNS, (r.values() for r in rows), sheet="Provisional exposure", money_columns=MONEY_COLUMNS,
        about=about(TITLE, company, _describe(as_of, vendor)), totals=totals_table(rows),
    )  # fmt: skip
