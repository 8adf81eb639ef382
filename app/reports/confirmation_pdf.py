"""The agreement confirmation (SPEC §11.1): a ConfirmationData to PDF. The company and the
vendor, the agreement's header, its lines with their tiers and Result, its terms and
conditions, and a signature block for both parties."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import letter
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.domain.vocabulary import METHOD_NAMES, PERIOD_NAMES
from app.services.confirmation import ConfirmationData, ConfirmationLine

from .axis import is_unlimited
from .pdf_common import (
    DASH,
    INK,
    MARGIN,
    MUTED,
    PLAIN,
    SANS_BOLD,
    PageFrame,
    build_pdf,
    facts_box,
    grid_style,
    money,
    para,
    percent,
    styles,
)

TITLE = "Agreement confirmation"
WIDTH = letter[0] - 2 * MARGIN


def _day(value: date | None) -> str:
    return value.isoformat() if value else DASH


def _rate(value: Decimal | None) -> str:
    """A percent as the screen shows it: 2 decimals, up to 4 when it has them."""
    if value is None:
        return ""
    exponent = value.normalize().as_tuple().exponent
    return f"{value:.2f}" if not isinstance(exponent, int) or exponent >= -2 else f"{value.normalize():f}"


def _header(data: ConfirmationData) -> list[Flowable]:
    s = styles()
    left = [para(data.company_name, s.title), para(data.company_address, s.small)]
    right = [
        para(TITLE, s.title_right),
        para(f"{data.kind_name} agreement {data.number}", s.small_right),
        para(f"Printed {data.printed.isoformat()}", s.small_right),
    ]
    top = Table([[left, right]], colWidths=(WIDTH * 0.55, WIDTH * 0.45), style=TableStyle(PLAIN))
    vendor = [
        para("Vendor", s.muted),
        para(data.vendor_name, s.heading),
        para(f"Vendor code {data.vendor_code}", s.small),
        para(data.vendor_address, s.small),
    ]
    if data.vendor_email:
        vendor.append(para(data.vendor_email, s.small))
    facts = [
        ("Agreement", f"{data.number} · {data.kind_name} ({data.kind})"),
        ("Status", data.decision or data.status.capitalize()),
        ("Valid", f"{_day(data.start)} to {_day(data.end)}" if data.start or data.end else "as on each line"),
        ("Vendor ref", data.vendor_ref or DASH),
        ("Currency", data.currency),
    ]
    box = facts_box(facts, (WIDTH * 0.12, WIDTH * 0.30))
    middle = Table([[vendor, box]], colWidths=(WIDTH * 0.56, WIDTH * 0.44), style=TableStyle(PLAIN))
    story: list[Flowable] = [top, Spacer(0, 14), middle]
    if data.description:
        story += [para("Description", s.heading), para(data.description, s.body)]
    return story


def _scope(line: ConfirmationLine) -> str:
    if line.period:
        return f"{line.scope} · {PERIOD_NAMES.get(line.period, line.period).lower()}"
    return line.scope


LINE_HEAD = ["Scope", "Tier", "Maximum\nAmount", "Start", "End", "Rebate\n1", "Rebate\n2", "Rebate\n3", "Rebate\n4"]
LINE_HEAD += ["Result\n%", "M", "Product\n%", "Retro /\nDeg"]
LINE_WIDTHS = (106, 22, 58, 44, 44, 34, 34, 34, 34, 36, 18, 38, 38)


def _lines(data: ConfirmationData) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [para("Lines", s.heading)]
    if not data.lines:
        return [*story, para("This agreement has no lines yet.", s.body)]
    rows: list[list[Any]] = [[para(h, s.head if i == 0 else s.head_right) for i, h in enumerate(LINE_HEAD)]]
    for ln in data.lines:
        rows.append(
            [
                para(_scope(ln), s.cell),
                str(ln.tier),
                "no limit" if ln.max_amount is not None and is_unlimited(ln.max_amount) else money(ln.max_amount),
                _day(ln.start),
                _day(ln.end),
                *(_rate(r) for r in ln.rebates),
                percent(ln.result),
                ln.method or "",
                _rate(ln.product_pct or Decimal(0)),
                f"{'Y' if ln.retro else 'N'} / {'Y' if ln.degressive else 'N'}",
            ]
        )
    story.append(Table(rows, colWidths=LINE_WIDTHS, repeatRows=1, style=grid_style(1, font_size=7)))
    methods = sorted({ln.method for ln in data.lines if ln.method})
    story.append(Spacer(0, 3))
    story.append(
        para(
            "Tier: the rank of the line on its ladder (same scope and dates), by Maximum Amount. Result: the "
            "rate of the tier in percent. M: "
            + "; ".join(f"{m} {METHOD_NAMES.get(m, m)}" for m in methods)
            + ". Product %: the part of the rebate applied to the product's cost. Retro: the tier reached "
            "applies to all the volume; Deg: degressive rates.",
            s.muted,
        )
    )
    return story


def _terms(data: ConfirmationData) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [para("Terms and conditions", s.heading)]
    paragraphs = [p for p in data.terms.split("\n") if p.strip()] or ["No terms and conditions."]
    for text in paragraphs:
        story.append(para(text, s.small))
        story.append(Spacer(0, 2))
    return story


def _signatures(data: ConfirmationData) -> Flowable:
    s = styles()

    def block(party: str, name: str) -> list[Flowable]:
        rule = TableStyle([
            ("LINEBELOW", (1, 0), (1, -1), 0.6, INK), ("FONT", (0, 0), (0, -1), SANS_BOLD, 8),
            ("TEXTCOLOR", (0, 0), (0, -1), MUTED), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("TOPPADDING", (0, 0), (-1, -1), 9), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("LEFTPADDING", (0, 0), (-1, -1), 0)])  # fmt: skip
        lines = Table(
            [["Signature", ""], ["Name", ""], ["Title", ""], ["Date", ""]],
            colWidths=(52, WIDTH * 0.46 - 52),
            style=rule,
        )
        return [para(f"For the {party}", s.muted), para(name, s.cell_bold), lines]

    both = Table(
        [[block("vendor", data.vendor_name), block("company", data.company_name)]],
        colWidths=(WIDTH * 0.5, WIDTH * 0.5),
        style=TableStyle(PLAIN),
    )
    return KeepTogether(
        [
            para("Signatures", s.heading),
            para(
                f"Signed for {data.vendor_name} and {data.company_name}: the lines and the terms above are agreed.",
                s.small,
            ),
            Spacer(0, 4),
            both,
        ]
    )


def write_confirmation_pdf(out: str | Path | BinaryIO, data: ConfirmationData) -> int:
    """Lay out one confirmation; returns the number of pages."""
    frame = PageFrame(data.company_name, f"{TITLE} · {data.vendor_code}", f"{data.kind} agreement {data.number}")
    story = [*_header(data), *_lines(data), *_terms(data), _signatures(data)]
    return build_pdf(out, story, pagesize=letter, frame=frame, printed=data.printed)


def confirmation_filename(vendor: str, kind: str, number: str) -> str:
    """confirmation-VENDOR-KIND-NUMBER.pdf, with "_" for characters a file name cannot hold."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", f"{vendor}-{kind}-{number}")
    return f"confirmation-{safe}.pdf"
