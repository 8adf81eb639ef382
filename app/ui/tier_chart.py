"""Tier progress of a ladder on the agreement screen: the volume to date drawn against the
tier thresholds (QPainter; the same picture as the statement's chart in app/reports)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QTableView, QVBoxLayout, QWidget

from app.reports.axis import axis_end, is_unlimited
from app.services import queries

from .agreement_lines import AgreementLinesModel
from .base import heading
from .models import fmt_decimal
from .operations import Runner
from .tier_state import ChartState

BANDS = ("#e3ecf5", "#cddcec", "#b7cce2", "#a1bcd9")
ACCENT = QColor("#2f6f9f")
INK = QColor("#1f2933")
MUTED = QColor("#616e7c")
CURRENT = QColor("#f0b429")
PERIOD_MARK = QColor("#7c5e10")  # another period of a periodic ladder


def _mark_periods(
    painter: QPainter, state: ChartState, x_of: Callable[[Decimal], float], top: float, bottom: float
) -> None:
    """Each other period of a periodic ladder: a line across the bar at its volume, labelled
    with the period (Q1, M03…), so that the year's attainment shows beside the current period."""
    small = QFont(painter.font())
    small.setPointSizeF(max(6.0, small.pointSizeF() - 2))
    painter.setFont(small)
    for key, amount in state.periods:
        if key == state.period_key:
            continue
        x = x_of(amount)
        painter.setPen(QPen(PERIOD_MARK, 2))
        painter.drawLine(QPointF(x, top + 1), QPointF(x, bottom - 1))
        painter.setPen(PERIOD_MARK)
        painter.drawText(QRectF(x + 2, top, 40, 10), Qt.AlignmentFlag.AlignLeft, key.rpartition("-")[2])


def _money(value: Decimal, short: bool = False) -> str:
    text = fmt_decimal(value)
    return text.removesuffix(".00") if short else text


class TierChart(QWidget):
    """Bands per tier (labelled with their rate), the thresholds ticked and labelled on the
    axis, and the volume as a bar over the bands. `state` is what it shows (for tests).

    The picture is drawn once per state and size into a pixmap, and at most one band or
    tick per few pixels (a ladder can have thousands of tiers): paintEvent only copies it.
    """

    HEIGHT = 92
    MIN_GAP = 3.0  # pixels between two drawn ticks or bands

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ChartState()
        self._picture: QPixmap | None = None
        self._picture_key: tuple[Any, ...] | None = None
        self.setMinimumHeight(self.HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_state(self, state: ChartState) -> None:
        if state == self.state:
            return
        self.state = state
        self.setToolTip(state.headline)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, self.HEIGHT)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        ratio = self.devicePixelRatioF()
        key = (self.state, self.width(), self.height(), ratio)
        if self._picture is None or self._picture_key != key:
            self._picture, self._picture_key = self.render_picture(ratio), key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._picture)
        painter.end()

    def render_picture(self, ratio: float = 1.0) -> QPixmap:
        picture = QPixmap(max(1, int(self.width() * ratio)), max(1, int(self.height() * ratio)))
        picture.setDevicePixelRatio(ratio)
        picture.fill(QColor("#ffffff"))
        painter = QPainter(picture)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._draw(painter)
        finally:
            painter.end()
        return picture

    def _draw(self, painter: QPainter) -> None:
        state = self.state
        font = QFont(self.font())
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(font)
        if not state.thresholds:
            painter.setPen(MUTED)
            painter.drawText(
                QRectF(0, 0, self.width(), self.height()),
                Qt.AlignmentFlag.AlignCenter,
                state.note or "Select a line: its ladder's tiers and volume to date show here.",
            )
            return
        metrics, bold_metrics = QFontMetrics(font), QFontMetrics(bold)
        line = float(metrics.height())  # float-ok: drawing coordinates
        left, right = 8.0, float(self.width() - 14)  # float-ok: drawing coordinates
        label_y = 2.0
        bar_top = label_y + line + 2
        bar_bottom = bar_top + 26
        axis_y = bar_bottom + 3
        volume = state.volume if state.volume is not None else Decimal(0)
        end = axis_end(state.thresholds, max([volume, *(v for _k, v in state.periods)]))

        def x_of(amount: Decimal) -> float:
            share = min(max(amount, Decimal(0)), end) / end
            return left + float(share) * (right - left)  # float-ok: drawing coordinates

        current = state.tier
        painter.fillRect(
            QRectF(left, bar_top, x_of(state.thresholds[-1]) - left, bar_bottom - bar_top), QColor(BANDS[0])
        )
        lower, last_edge = Decimal(0), left
        for i, (maximum, rate) in enumerate(zip(state.thresholds, state.rates, strict=True), start=1):
            x0, x1 = x_of(lower), x_of(maximum)
            lower = maximum
            if x1 - last_edge < self.MIN_GAP and i != current:
                continue  # too narrow to see: the base fill shows instead
            x0 = max(x0, last_edge)
            last_edge = x1
            band = QRectF(x0, bar_top, x1 - x0, bar_bottom - bar_top)
            painter.fillRect(band, QColor(BANDS[(i - 1) % len(BANDS)]))
            strong = i == current
            text = _tier_label(i, rate, maximum, bold_metrics if strong else metrics, x1 - x0)
            if text:
                painter.setFont(bold if strong else font)
                painter.setPen(INK if strong else MUTED)
                painter.drawText(QRectF(x0, label_y, x1 - x0, line), Qt.AlignmentFlag.AlignCenter, text)
            if i == current:
                painter.setPen(QPen(CURRENT, 2))
                painter.drawRect(band.adjusted(1, 1, -1, -1))
            if x1 >= right:
                break
        painter.setFont(font)
        last = state.thresholds[-1]
        if not is_unlimited(last) and last < end:  # the axis goes past the last maximum
            _label_fitting(painter, metrics, "no rebate above", QRectF(x_of(last), label_y, right - x_of(last), line))
        fill_to = x_of(volume)
        if state.volume is not None and fill_to > left:
            painter.fillRect(QRectF(left, bar_top + 7, fill_to - left, bar_bottom - bar_top - 14), ACCENT)
        _mark_periods(painter, state, x_of, bar_top, bar_bottom)
        painter.setPen(QPen(INK, 1))
        painter.drawLine(QPointF(left, axis_y), QPointF(right, axis_y))
        taken: list[tuple[float, float]] = []

        def label_at(x: float, text: str, strong: bool) -> None:
            width = float(
                (bold_metrics if strong else metrics).horizontalAdvance(text)
            )  # float-ok: drawing coordinates
            x_start = min(max(x - width / 2, 0.0), float(self.width()) - width - 2)  # float-ok: drawing coordinates
            if any(x_start < b + 6 and x_start + width > a - 6 for a, b in taken):
                return
            taken.append((x_start, x_start + width))
            painter.setFont(bold if strong else font)
            painter.setPen(INK if strong else MUTED)
            painter.drawText(QRectF(x_start, axis_y + 3, width + 2, line), Qt.AlignmentFlag.AlignLeft, text)

        label_at(left, "0", False)
        dashed = QPen(INK, 1, Qt.PenStyle.DashLine)
        last_tick = left - self.MIN_GAP
        for value in state.thresholds:
            if is_unlimited(value) or value > end:
                break
            x = x_of(value)
            if x - last_tick < self.MIN_GAP:
                continue
            last_tick = x
            painter.setPen(dashed)
            painter.drawLine(QPointF(x, bar_top - 1), QPointF(x, axis_y + 3))
            label_at(x, _money(value), True)
        label_at(right, _money(end, short=True), False)
        # the volume, on the bar (inside it when it fits)
        painter.setFont(bold)
        text = fmt_decimal(volume) if state.volume is not None else "no volume yet"
        _volume_label(
            painter,
            bold_metrics,
            text,
            QRectF(left, bar_top, right - left, bar_bottom - bar_top),
            fill_to if state.volume is not None else None,
        )


Source = tuple[AgreementLinesModel, QTableView]


class TierProgressPanel(QWidget):
    """The chart under the agreement grids: follows the current line of the grid last used.

    Thresholds and rates come from the grid (as edited); the volume to date from the
    service (accepted agreements accrue), read once per ladder and agreement shown.
    """

    def __init__(
        self,
        runner: Runner,
        sources: Sequence[Source],
        agreement_id: Callable[[], int | None],
        parent: QWidget | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.runner, self.sources, self.agreement_id, self.today = runner, list(sources), agreement_id, today
        self.active: Source | None = None
        self.cache: dict[tuple[Any, ...], queries.LadderProgress | None] = {}
        self.held = False  # both grids being loaded: refresh once they are (one volume read)
        self.chart = TierChart(self)
        self.headline = QLabel("")
        self.headline.setStyleSheet("color: #1f2933;")
        self.headline.setWordWrap(True)  # a long headline wraps: the window stays usable at 1024 pixels
        self.headline.setMinimumWidth(200)
        top = QHBoxLayout()
        top.addWidget(heading("Tier progress"))
        top.addSpacing(8)
        top.addWidget(self.headline, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.chart)
        for source in self.sources:
            model, view = source
            view.selectionModel().currentChanged.connect(lambda cur, _prev, s=source: self._current(s, cur))
            model.modelReset.connect(self._reset)
            model.dataChanged.connect(lambda *_a: self.refresh())
            model.rowsInserted.connect(lambda *_a: self.refresh())
            model.rowsRemoved.connect(lambda *_a: self.refresh())
        self.setMaximumHeight(124)

    @property
    def state(self) -> ChartState:
        return self.chart.state

    def _current(self, source: Source, index: QModelIndex) -> None:
        if index.isValid():
            self.active = source
        self.refresh()

    def _reset(self) -> None:
        self.cache.clear()
        self.refresh()

    def _selected(self) -> tuple[AgreementLinesModel, int] | None:
        ordered = ([self.active] if self.active else []) + [s for s in self.sources if s is not self.active]
        for model, view in ordered:
            index = view.currentIndex()
            if index.isValid() and index.row() < len(model.rows):
                return model, index.row()
        for model, _view in self.sources:
            if model.rows:
                return model, 0
        return None

    def refresh(self) -> None:
        if self.held:
            return
        selected = self._selected()
        if selected is None:
            self._show(ChartState())
            return
        model, row = selected
        values = model.rows[row]
        lid = model.ladder_id(row)
        members = [r for r in model.ladder_rows(row) if model.rows[r].get("Maximum Amount") is not None]
        tiers = sorted(((model.rows[r]["Maximum Amount"], model.result(r)) for r in members), key=lambda t: t[0])
        scope = f"Product {lid[0]}" if model.product else " / ".join(lid[:4])
        start, end = values.get("Start Date"), values.get("End Date")
        dates = f"{start.isoformat()} to {end.isoformat()}" if start and end else "dates to fill in"
        caption = f"{scope} · {dates}"
        if not tiers:
            self._show(ChartState(caption, note="This ladder has no Maximum Amount yet."))
            return
        progress, note = self._volume(model, row)
        self._show(
            ChartState(
                caption,
                tuple(t[0] for t in tiers),
                tuple(t[1] for t in tiers),
                progress.volume if progress else None,
                progress.rebate if progress else None,
                progress.period_key if progress else "",
                note,
                progress.periods if progress else (),
            )
        )

    def _volume(self, model: AgreementLinesModel, row: int) -> tuple[queries.LadderProgress | None, str]:
        agreement_id = self.agreement_id()
        values = model.rows[row]
        start, end = values.get("Start Date"), values.get("End Date")
        if agreement_id is None:
            return None, "not saved yet: no volume"
        if start is None or end is None:
            return None, "dates to fill in"
        product = (values.get("Product") or None) if model.product else None
        cats = tuple(values.get(c) for c in ("CAT1", "CAT2", "CAT3", "CAT4"))
        period = values.get("Period") if model.periodic else None
        today = self.today()
        key = (agreement_id, model.ladder_id(row), period, today)
        if key not in self.cache:
            self.cache[key] = self.runner.call(
                self,
                "Tier progress",
                lambda uow: queries.ladder_progress(uow, agreement_id, product, cats, start, end, period, today),
                on_error=lambda _e: True,
            )  # no permission to read rebates: the chart says so
        progress = self.cache[key]
        return progress, "" if progress is not None else "volume not available"

    def _show(self, state: ChartState) -> None:
        self.chart.set_state(state)
        headline = state.headline
        self.headline.setText(f"{state.caption} — {headline}" if headline else state.caption)


def _tier_label(tier: int, rate: Decimal | None, maximum: Decimal, metrics: QFontMetrics, width: float) -> str:
    """The longest label of a tier's band that fits its width ("" when none does)."""
    rate_text = "—" if rate is None else f"{fmt_decimal(rate, 3)}%"
    candidates = (
        f"Tier {tier} · {rate_text}" + (" · no limit" if is_unlimited(maximum) else ""),
        f"T{tier} {rate_text}",
        f"T{tier}",
    )
    return next((c for c in candidates if metrics.horizontalAdvance(c) + 6 <= width), "")


def _label_fitting(painter: QPainter, metrics: QFontMetrics, text: str, room: QRectF) -> None:
    """A muted label centred in room, when it fits."""
    if metrics.horizontalAdvance(text) + 6 <= room.width():
        painter.setPen(MUTED)
        painter.drawText(room, Qt.AlignmentFlag.AlignCenter, text)


def _volume_label(painter: QPainter, metrics: QFontMetrics, text: str, bar: QRectF, fill_to: float | None) -> None:
    """The volume on the bar: inside its fill when it fits, else just after it on white."""
    width = float(metrics.horizontalAdvance(text))  # float-ok: drawing coordinates
    top, height = bar.top(), bar.height()
    if fill_to is not None and width + 10 <= fill_to - bar.left():
        painter.setPen(QColor("#ffffff"))
        painter.drawText(
            QRectF(fill_to - width - 6, top, width + 2, height),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            text,
        )
        return
    start = bar.left() if fill_to is None else fill_to
    x = min(start + 4, bar.right() - width)
    painter.fillRect(QRectF(x - 2, top + 6, width + 4, height - 12), QColor("#ffffff"))
    painter.setPen(INK)
    painter.drawText(
        QRectF(x, top, width + 2, height), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
    )
