"""The tier-progress chart of a ladder: volume to date against the tier thresholds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.domain.money import ZERO

from .axis import axis_end, is_unlimited
from .pdf_common import ACCENT, INK, MUTED, NARROW, NARROW_BOLD, RULE, money, percent

BANDS = ("#e3ecf5", "#cddcec", "#b7cce2", "#a1bcd9")
HEIGHT = 66
BAR_LOW, BAR_HIGH = 34, 52
FILL_INSET = 4
PAD = 6
FONT_SIZE = 7


def _label(
    x: float,
    y: float,
    value: str,
    *,
    anchor: str = "middle",
    bold: bool = False,
    color: colors.Color = INK,
    size: float = FONT_SIZE,
) -> String:
    return String(
        x, y, value, fontName=NARROW_BOLD if bold else NARROW, fontSize=size, fillColor=color, textAnchor=anchor
    )


def _width(value: str, bold: bool = False, size: float = FONT_SIZE) -> float:
    return float(stringWidth(value, NARROW_BOLD if bold else NARROW, size))


def tier_chart(
    width: float,
    thresholds: Sequence[Decimal],
    rates_pct: Sequence[Decimal],
    volume: Decimal,
    current_tier: int,
    *,
    currency: str,
    volume_label: str = "Volume to date",
) -> Drawing:
    """A horizontal bar of the volume over the tier bands, thresholds marked on the axis.

    current_tier is 1-based. Amounts are Decimal; floats are used for coordinates only.
    """
    drawing = Drawing(width, HEIGHT)
    left, right = PAD, width - PAD
    end = axis_end(thresholds, volume)

    def x_of(amount: Decimal) -> float:
        share = min(max(amount, ZERO), end) / end
        return left + float(share) * (right - left)  # float-ok: drawing coordinates

    lower = ZERO
    for i, (maximum, rate) in enumerate(zip(thresholds, rates_pct, strict=True)):
        x0, x1 = x_of(lower), x_of(maximum)
        if x1 > x0:
            drawing.add(
                Rect(
                    x0,
                    BAR_LOW,
                    x1 - x0,
                    BAR_HIGH - BAR_LOW,
                    fillColor=colors.HexColor(BANDS[min(i, len(BANDS) - 1)]),
                    strokeColor=colors.white,
                    strokeWidth=0.8,
                )
            )
            current = i + 1 == current_tier
            name = f"Tier {i + 1} · {percent(rate)}%" + (" · no limit" if is_unlimited(maximum) else "")
            for candidate in (name, f"T{i + 1} {percent(rate)}%", f"T{i + 1}"):
                if _width(candidate, current) + 4 <= x1 - x0:
                    drawing.add(
                        _label((x0 + x1) / 2, BAR_HIGH + 4, candidate, bold=current, color=INK if current else MUTED)
                    )
                    break
        lower = maximum
        if lower >= end:
            break
    if not is_unlimited(thresholds[-1]) and thresholds[-1] < end:
        x0 = x_of(thresholds[-1])
        note = "above the maximum: no rebate"
        if _width(note) + 4 <= right - x0:
            drawing.add(_label((x0 + right) / 2, BAR_HIGH + 4, note, color=MUTED))
    fill_to = x_of(volume)
    if fill_to > left:
        drawing.add(
            Rect(
                left,
                BAR_LOW + FILL_INSET,
                fill_to - left,
                BAR_HIGH - BAR_LOW - 2 * FILL_INSET,
                fillColor=ACCENT,
                strokeColor=None,
            )
        )
    _axis(drawing, x_of, left, right, end, thresholds)
    text = f"{volume_label} {money(volume)}"
    w = _width(text, True)
    mid = (BAR_LOW + BAR_HIGH) / 2 - 2.5
    if w + 8 <= fill_to - left:  # inside the bar, on a patch that hides the threshold marks
        drawing.add(
            Rect(
                fill_to - w - 6,
                BAR_LOW + FILL_INSET,
                w + 4,
                BAR_HIGH - BAR_LOW - 2 * FILL_INSET,
                fillColor=ACCENT,
                strokeColor=None,
            )
        )
        drawing.add(_label(fill_to - 4, mid, text, anchor="end", bold=True, color=colors.white))
    else:
        x = min(fill_to + 4, right - w)
        drawing.add(Rect(x - 2, mid - 2, w + 4, FONT_SIZE + 3, fillColor=colors.white, strokeColor=None))
        drawing.add(_label(x, mid, text, anchor="start", bold=True))
    unlimited = " (the last tier has no upper limit)" if is_unlimited(thresholds[-1]) else ""
    drawing.add(
        _label(
            right + PAD,
            0,
            f"Ladder volume, {currency}; thresholds marked on the axis{unlimited}",
            anchor="end",
            color=MUTED,
            size=6.5,
        )
    )
    return drawing


def _axis(
    drawing: Drawing,
    x_of: Callable[[Decimal], float],
    left: float,
    right: float,
    end: Decimal,
    thresholds: Sequence[Decimal],
) -> None:
    axis_y = BAR_LOW - 3
    drawing.add(Line(left, axis_y, right, axis_y, strokeColor=INK, strokeWidth=0.6))
    drawing.add(Polygon([right, axis_y - 2, right + 4, axis_y, right, axis_y + 2], fillColor=INK, strokeColor=None))
    ticks: list[tuple[Decimal, bool]] = [(ZERO, False)]
    ticks += [(t, True) for t in thresholds if not is_unlimited(t) and t <= end]
    if end not in thresholds:
        ticks.append((end, False))
    rows: list[float] = [left - 100, left - 100]  # right edge of the last label in each row
    for value, threshold in ticks:
        x = x_of(value)
        label = money(value).removesuffix(".00") if not threshold else money(value)
        w = _width(label, threshold)
        if threshold:
            drawing.add(
                Line(x, axis_y - 3, x, BAR_HIGH + 1, strokeColor=INK, strokeWidth=0.7, strokeDashArray=[2, 1.5])
            )
        else:
            drawing.add(Line(x, axis_y - 2, x, axis_y, strokeColor=RULE, strokeWidth=0.6))
        x_start = min(max(x - w / 2, left - PAD), right + PAD - w)
        for row, y in enumerate((axis_y - 10, axis_y - 18)):
            if x_start >= rows[row] + 4:
                drawing.add(
                    _label(x_start, y, label, anchor="start", bold=threshold, color=INK if threshold else MUTED)
                )
                rows[row] = x_start + w
                break
