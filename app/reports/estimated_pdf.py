"""The estimated rebate report (SPEC §8) as a landscape PDF, with vendor and grand totals,
or as XLSX or CSV by the file's extension (write_estimated, for the command and the screen)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import landscape, letter
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.money import ZERO
from app.domain.vocabulary import KIND_NAMES, LUMP_SUM
from app.services import estimated
from app.services.estimated import EstimatedRow, PeriodEstimate
from app.services.estimated_totals import EstimatedTotal, estimated_totals
from app.services.exports import TABLE_SUFFIXES, write_table

from .pdf_common import (
    BAND_BG,
    INK,
    MUTED,
    NARROW,
    NARROW_BOLD,
    PageFrame,
    build_pdf,
    code_cell,
    grid_style,
    money,
    para,
    percent,
    styles,
    text,
    total_style,
)

TITLE = "Estimated rebates"
HEADERS = ("Vendor", "Kind", "Agr. no.", "Ladder (scope)", "M", "Volume", "Tier", "Rate %",
           "Rebate earned", "Regular", "Retroactive", "Applied to cost", "To P&L",
           "To next tier", "Next tier adds")  # fmt: skip
# 720 pt of landscape letter; summed columns hold a bold 9,999,999.99
WIDTHS = (58, 38, 30, 92, 18, 58, 28, 28, 55, 55, 52, 52, 55, 52, 49)
FIRST_NUMBER = 5
SUFFIXES = (".pdf", *TABLE_SUFFIXES)
MONEY_COLUMNS = (
    "volume",
    "rebate_earned",
    "regular",
    "retroactive",
    "applied_to_cost",
    "to_pnl",
    "next_tier_threshold",
    "amount_to_next_tier",
    "rebate_next_tier_adds",
)


@dataclass(frozen=True)
class EstimatedFilters:
    as_of: date
    vendor: str | None = None
    date_from: date | None = None

    def describe(self) -> str:
        received = (
            f"Volume and tiers of receipts to {self.as_of.isoformat()}; rebates of receipts "
            f"{self.date_from.isoformat()} to {self.as_of.isoformat()}"
            if self.date_from
            else f"Receipts to {self.as_of.isoformat()}"
        )
        return (
            f"As of {self.as_of.isoformat()} · Vendor: {self.vendor or 'all vendors'} · "
            f"{received} · Accepted agreements, and provisional rates where none covers a receipt"
        )


def _ladder_cell(row: EstimatedRow) -> Paragraph:
    s = styles()
    notes = [f"{row.start.isoformat()} – {row.end.isoformat()}"]
    if row.retro:
        notes.append("Retro")
    if row.period:
        notes.append(f"period {row.period}: {row.period_key} (current)")
        notes.append(f"rebate earned to date, over {len(row.periods)} period{'' if len(row.periods) == 1 else 's'}")
    warning = ""
    if row.beyond_maximum is not None:
        warning = (
            f"<br/><font size='{s.cell_muted.fontSize}' color='#b42318'>maximum reached: "
            f"{text(f'{row.beyond_maximum:,.2f}')} earns nothing</font>"
        )
    return Paragraph(
        f"{text(row.ladder)}<br/><font size='{s.cell_muted.fontSize}' color='#616e7c'>{text(' · '.join(notes))}</font>"
        + warning,
        s.cell,
    )


def _period_cells(row: EstimatedRow, p: PeriodEstimate) -> list[object]:
    """A period of a periodic ladder, under its row: its volume, the tier it reached, what it earned."""
    s = styles()
    label = f"period {p.period_key}" + (" (current)" if p.current else "")
    if p.beyond_maximum is not None:
        label += f" · maximum reached: {p.beyond_maximum:,.2f} earns nothing"
    return [
        "", "", "", para(label, s.cell_muted), "", money(p.volume), f"{p.tier} of {row.tiers}", percent(p.rate_pct),
        money(p.rebate), "", "", "", "", "", "",
    ]  # fmt: skip


def _row_cells(row: EstimatedRow) -> list[object]:
    s = styles()
    return [
        code_cell(row.vendor, s.cell, WIDTHS[0]), row.kind, para(row.agreement_no, s.cell), _ladder_cell(row), row.method,
        money(row.volume), f"{row.tier} of {row.tiers}", percent(row.rate_pct), money(row.rebate),
        money(row.regular), money(row.retroactive), money(row.applied_to_cost), money(row.to_pnl),
        money(row.needed_for_next), money(row.rebate_at_next),
    ]  # fmt: skip


def _total_cells(label: str, t: EstimatedTotal) -> list[object]:
    return [label, "", "", "", "", "", "", "", *(money(v) for v in t.sums), "", ""]


def estimated_table(rows: Sequence[EstimatedRow]) -> Table:
    s = styles()
    data: list[list[Any]] = [[para(h, s.head_right if i >= FIRST_NUMBER else s.head) for i, h in enumerate(HEADERS)]]
    extra: list[tuple[Any, ...]] = []
    *parts, grand = estimated_totals(rows)
    vendor_totals = {t.vendor: t for t in parts if t.vendor}
    for code, group in groupby(rows, key=lambda r: r.vendor):
        members = list(group)
        at = len(data)
        data.append([para(f"{code} — {members[0].vendor_name}", s.cell_bold)] + [""] * 14)
        extra += [
            ("SPAN", (0, at), (-1, at)),
            ("BACKGROUND", (0, at), (-1, at), BAND_BG),
            ("NOSPLIT", (0, at), (-1, at + 1)),
        ]  # no vendor band alone at a page foot
        for r in members:
            data.append(_row_cells(r))
            first = len(data)
            data.extend(_period_cells(r, p) for p in r.periods)
            if len(data) > first:
                extra += [
                    ("FONT", (5, first), (-1, len(data) - 1), NARROW, 7),
                    ("TEXTCOLOR", (5, first), (-1, len(data) - 1), MUTED),
                    ("NOSPLIT", (0, first - 1), (-1, len(data) - 1)),
                ]
        at = len(data)
        data.append(_total_cells(f"Total {code}", vendor_totals[code]))
        extra += [
            ("SPAN", (0, at), (7, at)),
            ("FONT", (0, at), (-1, at), NARROW_BOLD, 7.5),
            ("NOSPLIT", (0, at - 1), (-1, at)),
            ("LINEABOVE", (FIRST_NUMBER + 3, at), (-3, at), 0.5, INK),
        ]
    for t in parts:
        if t.kind:
            at = len(data)
            data.append(_total_cells(f"Total {t.kind} ({t.ladders} ladders)", t))
            extra += [("SPAN", (0, at), (7, at)), ("FONT", (0, at), (-1, at), NARROW_BOLD, 7.5)]
    at = len(data)
    data.append(_total_cells(f"Grand total ({grand.ladders} ladders, {grand.vendors} vendors)", grand))
    extra += [
        ("SPAN", (0, at), (7, at)),
        *total_style(at, rule=1),
    ]
    return Table(data, colWidths=WIDTHS, repeatRows=1, style=grid_style(FIRST_NUMBER, extra=extra))


LUMP_HEADERS = ("Vendor", "Agr. no.", "Start", "End", "M", "Amount", "Accrued to date", "Still to accrue")
LUMP_WIDTHS = (200, 60, 70, 70, 30, 90, 100, 100)


def lump_sum_table(rows: Sequence[EstimatedRow]) -> Table:
    """The accepted lump sums (SPEC §11.2): amount, accrued by the report date (evenly by day),
    still to accrue; with a total."""
    s = styles()
    first = 5
    data: list[list[Any]] = [[para(h, s.head_right if i >= first else s.head) for i, h in enumerate(LUMP_HEADERS)]]
    for r in rows:
        data.append(
            [para(f"{r.vendor} — {r.vendor_name}", s.cell), para(r.agreement_no, s.cell), r.start.isoformat(),
             r.end.isoformat(), r.method, money(r.amount), money(r.rebate), money(r.to_accrue)]
        )  # fmt: skip
    at = len(data)
    total = [sum((getattr(r, name) or ZERO for r in rows), ZERO) for name in ("amount", "rebate", "to_accrue")]
    data.append([f"Total ({len(rows)} lump sums)", "", "", "", "", *(money(v) for v in total)])
    extra = [
        ("SPAN", (0, at), (4, at)),
        *total_style(at, rule=1),
    ]
    return Table(data, colWidths=LUMP_WIDTHS, repeatRows=1, hAlign="LEFT", style=grid_style(first, extra=extra))


def estimated_story(rows: Sequence[EstimatedRow], company: str, filters: EstimatedFilters) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        para(TITLE, s.title),
        para(company, s.body),
        para(filters.describe(), s.muted),
        Spacer(0, 8),
    ]
    ladders = [r for r in rows if not r.lump_sum]
    lump_sums = [r for r in rows if r.lump_sum]
    if not rows:
        story.append(para("No ladder of an accepted agreement matches these filters.", s.body))
        return story
    if lump_sums:
        story += [
            para(f"{KIND_NAMES[LUMP_SUM]} agreements, accrued evenly by day over their dates", s.body),
            Spacer(0, 4),
        ]
        story += [lump_sum_table(lump_sums), Spacer(0, 10)]
    if not ladders:
        return story
    story.append(estimated_table(ladders))
    story.append(Spacer(0, 6))
    story.append(
        para(
            "Volume is the ladder's volume to date (for a periodic ladder, of its current "
            "period; its rebate earned is to date, the sum over its periods, each listed under "
            "it with the tier its own volume reached). Tier i covers volume above the previous "
            "tier's maximum up to its own; volume above the last tier's maximum earns nothing "
            '("maximum reached"); '
            '"To next tier" is the volume still needed to enter the next tier and '
            '"Next tier adds" the rebate that entering it would add. Amounts in the '
            "company currency.",
            s.muted,
        )
    )
    return story


def write_estimated_pdf(
    out: str | Path | BinaryIO,
    rows: Sequence[EstimatedRow],
    *,
    company: str,
    filters: EstimatedFilters,
    printed: date | None = None,
) -> int:
    """Write the report; returns the number of ladders."""
    build_pdf(
        out,
        estimated_story(rows, company, filters),
        pagesize=landscape(letter),
        frame=PageFrame(company, TITLE, filters.describe()),
        printed=printed or date.today(),
    )
    return len(rows)


def write_estimated(path: Path, rows: Sequence[EstimatedRow], *, company: str, filters: EstimatedFilters) -> int:
    """The report as .pdf, .xlsx or .csv by the extension of `path`; returns the number of ladders."""
    if path.suffix.lower() == ".pdf":
        return write_estimated_pdf(path, rows, company=company, filters=filters)
    with_periods = path.suffix.lower() == ".xlsx"  # for people; the CSV keeps a row per ladder for machines
    write_table(
        path,
        estimated.ESTIMATED_COLUMNS,
        (
            values
            for r in rows
            for values in (
                estimated.estimated_row_values(r),
                *(estimated.period_row_values(r, p) for p in (r.periods if with_periods else ())),
            )
        ),
        sheet="Estimated rebates",
        money_columns=MONEY_COLUMNS,
        formats={"current_rate": "0.000", "volume_earning_nothing": "#,##0.00"},
        about=f"{TITLE} · {company} · {filters.describe()}",
        totals=totals_table(rows),
    )
    return len(rows)


def totals_table(rows: Sequence[EstimatedRow]) -> list[tuple[object, ...]]:
    """The totals the PDF prints (per vendor, per kind, grand) as rows for the XLSX Totals sheet."""
    out: list[tuple[object, ...]] = [
        ("Totals", "Ladders", "Rebate earned", "Regular", "Retroactive", "Applied to cost", "To P&L")
    ]
    for t in estimated_totals(rows):
        if t.vendor:
            label = f"Total {t.vendor} — {t.vendor_name}"
        elif t.kind:
            label = f"Total {t.kind}"
        else:
            label = f"Grand total ({t.vendors} vendor{'' if t.vendors == 1 else 's'})"
        out.append((label, t.ladders, *t.sums))
    return out
