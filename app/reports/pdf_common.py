"""What every printed report shares: embedded fonts, styles, page frame, "Page X of Y".

The fonts ship in resources/fonts (DejaVu, Bitstream Vera licence) and are embedded in
every PDF, so a statement prints the same on any machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from app.paths import resource

FONT_DIR = resource("fonts")
SANS, SANS_BOLD = "DejaVuSans", "DejaVuSans-Bold"
NARROW, NARROW_BOLD = "DejaVuSansCondensed", "DejaVuSansCondensed-Bold"
_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    NARROW: "DejaVuSansCondensed.ttf",
    NARROW_BOLD: "DejaVuSansCondensed-Bold.ttf",
}

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#9aa5b1")
HEAD_BG = colors.HexColor("#e4e7eb")
BAND_BG = colors.HexColor("#f5f7fa")
TOTAL_BG = colors.HexColor("#d9e2ec")
ACCENT = colors.HexColor("#2f6f9f")

MARGIN = 0.5 * inch
# A layout table (no grid): cells top-aligned, no side padding.
PLAIN = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
]
DASH = "—"


@cache
def register_fonts() -> None:
    """Register the embedded fonts once per process (on first use, not at import)."""
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
    pdfmetrics.registerFontFamily(NARROW, normal=NARROW, bold=NARROW_BOLD, italic=NARROW, boldItalic=NARROW_BOLD)


def money(value: Decimal | None) -> str:
    return DASH if value is None else f"{value:,.2f}"


def percent(value: Decimal | None) -> str:
    return DASH if value is None else f"{value:,.3f}"


def text(value: object) -> str:
    """Plain text made safe for a Paragraph (names may hold &, < or >)."""
    return escape(str(value)).replace("\n", "<br/>")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_muted: ParagraphStyle
    head: ParagraphStyle
    head_right: ParagraphStyle
    title_right: ParagraphStyle
    small_right: ParagraphStyle


@cache
def styles(cell_size: float = 7.5) -> Styles:
    register_fonts()
    base = ParagraphStyle("base", fontName=SANS, fontSize=9, leading=11.5, textColor=INK)
    cell = ParagraphStyle("cell", base, fontName=NARROW, fontSize=cell_size, leading=cell_size + 1.8)
    head = ParagraphStyle("head", cell, fontName=NARROW_BOLD)
    title = ParagraphStyle("title", base, fontName=SANS_BOLD, fontSize=16, leading=20, spaceAfter=2)
    small = ParagraphStyle("small", base, fontSize=8, leading=10)
    return Styles(
        title=title,
        heading=ParagraphStyle(
            "heading", base, fontName=SANS_BOLD, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4, textColor=ACCENT
        ),
        body=base,
        small=small,
        muted=ParagraphStyle("muted", base, fontSize=8, leading=10, textColor=MUTED),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", cell, fontName=NARROW_BOLD),
        cell_muted=ParagraphStyle("cell_muted", cell, fontSize=cell_size - 1, leading=cell_size, textColor=MUTED),
        head=head,
        head_right=ParagraphStyle("head_right", head, alignment=TA_RIGHT),
        title_right=ParagraphStyle("title_right", title, alignment=TA_RIGHT),
        small_right=ParagraphStyle("small_right", small, alignment=TA_RIGHT),
    )


def total_style(row: int, size: float = 7.5, rule: float = 0.8) -> list[tuple[Any, ...]]:
    """A total row of a grid_style table: bold, shaded, ruled above."""
    return [
        ("FONT", (0, row), (-1, row), NARROW_BOLD, size),
        ("BACKGROUND", (0, row), (-1, row), TOTAL_BG),
        ("LINEABOVE", (0, row), (-1, row), rule, INK),
    ]


def grid_style(numeric_from: int, *, font_size: float = 7.5, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    """A ruled table: bold shaded header row, numbers right-aligned from column numeric_from."""
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), NARROW, font_size),
        ("FONT", (0, 0), (-1, 0), NARROW_BOLD, font_size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        *extra,
    ])  # fmt: skip


def numbered_canvas(footer_left: str) -> type[Canvas]:
    """A canvas that holds pages back until the end to write "Page X of Y" on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _height = self._pagesize
            y = MARGIN * 0.55
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, y + 9, width - MARGIN, y + 9)
            self.setFont(SANS, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, y, footer_left)
            self.drawRightString(width - MARGIN, y, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


@dataclass(frozen=True)
class PageFrame:
    """The running header of every page: company on the left, report on the right."""

    company: str
    title: str
    subtitle: str = ""

    def draw(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        if doc.page == 1:  # the first page opens with the report's own title block
            return
        width, height = doc.pagesize
        y = height - MARGIN * 0.7
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(SANS_BOLD, 9)
        canvas.drawString(MARGIN, y, self.company)
        canvas.drawRightString(width - MARGIN, y, self.title)
        if self.subtitle:
            canvas.setFont(SANS, 7.5)
            canvas.setFillColor(MUTED)
            canvas.drawRightString(width - MARGIN, y - 10, self.subtitle)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y - 14, width - MARGIN, y - 14)
        canvas.restoreState()


def build_pdf(
    out: str | Path | BinaryIO,
    story: list[Flowable],
    *,
    pagesize: tuple[float, float],
    frame: PageFrame,
    printed: date,
    author: str = "",
) -> int:
    """Lay out the story on pages with the running header and the numbered footer.

    Returns the number of pages.
    """
    register_fonts()
    width, height = pagesize
    doc = BaseDocTemplate(
        out if not isinstance(out, Path) else str(out), pagesize=pagesize,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 18, bottomMargin=MARGIN + 6,
        title=f"{frame.title} {frame.subtitle}".strip(), author=author or frame.company,
        subject=frame.title, creator="coop-rebates", invariant=True,
    )  # fmt: skip
    body = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[body], onPage=frame.draw)])
    footer = f"{frame.company} · {frame.title} · printed {printed.isoformat()}"
    doc.build(story, canvasmaker=numbered_canvas(footer))
    return int(doc.page)


def facts_box(facts: Sequence[tuple[str, str]], widths: tuple[float, float], padding: float = 2) -> Table:
    """A framed, shaded box of labelled facts (a document's number, dates, status …) beside its
    addressee: the confirmation's and the invoice's."""
    s = styles()
    return Table(
        [[para(k, s.muted), para(v, s.small)] for k, v in facts],
        colWidths=widths,
        style=TableStyle([
            ("BOX", (0, 0), (-1, -1), 0.8, ACCENT), ("BACKGROUND", (0, 0), (-1, -1), BAND_BG),
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), padding),
            ("BOTTOMPADDING", (0, 0), (-1, -1), padding), ("LEFTPADDING", (0, 0), (-1, -1), 6)]),
    )  # fmt: skip


def para(value: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text(value), style)


def code_cell(value: str, style: ParagraphStyle, width: float, padding: float = 12) -> Paragraph:
    """A code on one line: its font made smaller (down to 4.5 pt) when it would not fit the
    column, and never split (at a hyphen or anywhere), so that a vendor or product code is
    never broken across lines."""
    size = style.fontSize
    room = width - padding
    while size > 4.5 and pdfmetrics.stringWidth(value, style.fontName, size) > room:
        size -= 0.25
    fitted = ParagraphStyle(
        f"{style.name}-code", style, fontSize=size, leading=max(style.leading, size + 1.8),
        splitLongWords=0, embeddedHyphenation=0,
    )  # fmt: skip
    return Paragraph(text(value), fitted)
