"""The negotiation preview (issue 14) as a PDF: per ladder of the proposed agreement, its tiers
with the window's volume in each, the tier reached, what it would have earned and what the same
receipts earn today; or as XLSX or CSV (one row per ladder and tier) by the file's extension."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import letter
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from app.domain.vocabulary import KIND_NAMES, PERIOD_NAMES
from app.services.exports import TABLE_SUFFIXES, about, write_table
from app.services.negotiation import MONEY_COLUMNS, NEGOTIATION_COLUMNS, LadderRow, NegotiationPreview

from .pdf_common import (
    BAND_BG,
    INK,
    NARROW_BOLD,
    TOTAL_BG,
    PageFrame,
    build_pdf,
    grid_style,
    money,
    para,
    percent,
    styles,
)

TITLE = "Negotiation preview"
SUFFIXES = (".pdf", *TABLE_SUFFIXES)
WIDTH = 572


def _describe(data: NegotiationPreview) -> str:
    return (
        f"{data.vendor} — {data.vendor_name} · {KIND_NAMES.get(data.kind, data.kind)} agreement {data.agreement_no} "
        f"({data.status.lower()}) · receipts {data.date_from.isoformat()} to {data.date_to.isoformat()}"
    )


def _ladder_table(lad: LadderRow) -> Table:
    s = styles()
    notes = [f"{lad.start.isoformat()} – {lad.end.isoformat()}", f"M {lad.method}"]
    if lad.retro:
        notes.append("Retro")
    if lad.period:
        notes.append(PERIOD_NAMES.get(lad.period, lad.period))
    head = [para(f"{lad.ladder} · {' · '.join(notes)}", s.cell_bold), "", "", ""]
    data: list[list[Any]] = [
        head,
        [para(h, s.head if i == 0 else s.head_right) for i, h in enumerate(("Tier", "Maximum", "Rate %", "Volume"))],
    ]
    for t in lad.tiers:
        mark = " ◂ reached" if t.tier == lad.tier and lad.lines else ""
        data.append([f"{t.tier}{mark}", money(t.max_amount), percent(t.rate_pct), money(t.volume)])
    data.append([f"{lad.lines:,} receipt lines", "", "", money(lad.volume)])
    data.append(["Would have earned", "", "", money(lad.would_earn)])
    data.append(["Earned today on the same receipts", "", "", money(lad.earns_now)])
    data.append(["Difference", "", "", money(lad.difference)])
    n = len(data)
    extra: list[tuple[Any, ...]] = [
        ("SPAN", (0, 0), (-1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), BAND_BG),
        *(("SPAN", (0, r), (2, r)) for r in range(n - 4, n)),
        ("FONT", (0, n - 4), (-1, n - 1), NARROW_BOLD, 7.5),
        ("LINEABOVE", (0, n - 4), (-1, n - 4), 0.5, INK),
        ("BACKGROUND", (0, n - 1), (-1, n - 1), TOTAL_BG),
    ]
    return Table(
        data, colWidths=(WIDTH * 0.46, WIDTH * 0.18, WIDTH * 0.14, WIDTH * 0.22), style=grid_style(1, extra=extra)
    )


def story(data: NegotiationPreview, company: str) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [para(TITLE, s.title), para(company, s.body), para(_describe(data), s.muted), Spacer(0, 8)]
    summary = (
        f"On {money(data.receipts)} of posted receipts, this agreement would have earned "
        f"{money(data.would_earn)}; the same receipts earn {money(data.earns_now)} today "
        f"(agreements in force or provisional rates): a difference of {money(data.difference)}."
    )
    out += [para(summary, s.body), Spacer(0, 8)]
    if not data.ladders:
        out.append(para("The agreement has no ladder.", s.body))
    for lad in data.ladders:
        out += [KeepTogether(_ladder_table(lad)), Spacer(0, 8)]
    out.append(
        para(
            "Each ladder applies its tiers to the vendor's receipts of the window as if it had been in force "
            "then (the most precise ladder of the kind holds a receipt, as when posting). Nothing is posted.",
            s.muted,
        )
    )
    return out


def write_negotiation_pdf(
    out: str | Path | BinaryIO, data: NegotiationPreview, *, company: str, printed: date | None = None
) -> int:
    frame = PageFrame(company, TITLE, _describe(data))
    return build_pdf(out, story(data, company), pagesize=letter, frame=frame, printed=printed or date.today())


def write_negotiation(path: Path, data: NegotiationPreview, *, company: str) -> int:
    """The preview as .pdf (returns pages), .xlsx or .csv (returns rows) by the extension of `path`."""
    if path.suffix.lower() == ".pdf":
        return write_negotiation_pdf(path, data, company=company)
    totals: list[tuple[object, ...]] = [
        ("Totals", "Amount"), ("Receipts in the window", data.receipts), ("Would have earned", data.would_earn),
        ("Earns now", data.earns_now), ("Difference", data.difference),
    ]  # fmt: skip
    return write_table(
        path, NEGOTIATION_COLUMNS, data.rows(), sheet="Negotiation preview", money_columns=MONEY_COLUMNS,
        formats={"rate": "0.000"}, about=about(TITLE, company, _describe(data)), totals=totals,
    )  # fmt: skip
