"""Reports › Financial Scorecard (SPEC §16): per vendor and period, the count and amount of
each matching defect, vendor invoices paid on time, short-paid co-op invoices and open
disputes; a chart of the defects by type over the months (QPainter bars, one colour per
defect); export to PDF, Excel or CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.domain.scorecard import Scorecard, ScorecardRow
from app.domain.vocabulary import DEFECTS
from app.reports.scorecard_pdf import DEFECT_HEADS
from app.services import masterdata, scorecard

from .bars import hbox
from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView, date_edit, export

COLOURS = {
    "PRODUCT_NOT_ON_SLIP": "#2f6f9f", "UNRECOGNIZED_PRODUCT": "#f0b429", "QUANTITY_OVER_RECEIVED": "#9f4f2f",
    "COST_MISMATCH": "#5b8c3a", "MISSING_INVOICE": "#8a4f9f",
}  # fmt: skip
INK, MUTED = QColor("#1f2933"), QColor("#616e7c")


def _defect_column(defect: str) -> RCol:
    return RCol(
        DEFECT_HEADS[defect], lambda r: r.defects[defect].count, "int", width=90,
        tip=lambda r: f"{r.defects[defect].amount:,.2f}",
    )  # fmt: skip


def _on_time(r: ScorecardRow) -> str:
    pct = r.on_time_percent
    return f"{r.paid_on_time}/{r.invoices_due} ({pct}%)" if pct is not None else ""


COLUMNS = (
    RCol("Vendor", lambda r: r.vendor_code, width=80),
    RCol("Name", lambda r: r.vendor_name, width=160),
    *(_defect_column(d) for d in DEFECTS),
    RCol("Defects amount", lambda r: r.defect_amount, "decimal", width=100),
    RCol("Paid on time", lambda r: r.paid_on_time, "int", width=100, text=_on_time),
    RCol("Short-paid", lambda r: r.short_paid.amount, "decimal", width=96,
         tip=lambda r: f"{r.short_paid.count} co-op invoices"),
    RCol("Open disputes", lambda r: r.open_disputes.amount, "decimal", width=96,
         tip=lambda r: f"{r.open_disputes.count} disputes"),
)  # fmt: skip


class DefectChart(QWidget):
    """Bars of the defects by type for each month: one group per month, a bar per defect."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.by_month: dict[str, dict[str, int]] = {}
        self.setMinimumHeight(180)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 220)

    def set_data(self, by_month: dict[str, dict[str, int]]) -> None:
        self.by_month = dict(by_month)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        legend_x = 8.0
        for defect in DEFECTS:  # the legend on top
            p.fillRect(QRectF(legend_x, 6, 10, 10), QColor(COLOURS[defect]))
            p.setPen(INK)
            p.drawText(QRectF(legend_x + 14, 2, 160, 18), Qt.AlignmentFlag.AlignVCenter, DEFECT_HEADS[defect])
            legend_x += 24 + p.fontMetrics().horizontalAdvance(DEFECT_HEADS[defect])
        if not self.by_month:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No defect in the period")
            p.end()
            return
        top, bottom, left = 30.0, float(self.height() - 22), 36.0
        highest = max(max(c.values(), default=0) for c in self.by_month.values()) or 1
        group = (self.width() - left - 8) / len(self.by_month)
        bar = max(2.0, (group - 10) / len(DEFECTS))
        p.setPen(MUTED)
        p.drawLine(int(left), int(bottom), self.width() - 8, int(bottom))
        p.drawText(QRectF(0, top - 8, left - 4, 16), Qt.AlignmentFlag.AlignRight, str(highest))
        for i, (month, counts) in enumerate(self.by_month.items()):
            x0 = left + i * group + 5
            for j, defect in enumerate(DEFECTS):
                height = (bottom - top) * counts.get(defect, 0) / highest
                p.fillRect(QRectF(x0 + j * bar, bottom - height, bar - 1, height), QColor(COLOURS[defect]))
            p.setPen(INK)
            p.drawText(QRectF(x0, bottom + 2, group - 10, 18), Qt.AlignmentFlag.AlignHCenter, month)
        p.end()


class ScorecardScreen(Screen):
    title = "Financial Scorecard"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        today = date.today()
        self.date_from = date_edit(self, today.replace(month=1, day=1))
        self.date_to = date_edit(self, today)
        self.vendor_edit = QLineEdit(self)
        self.vendor_edit.setPlaceholderText("all vendors")
        self.vendor_edit.returnPressed.connect(self.refresh)
        show = QPushButton("Show (F5)")
        show.clicked.connect(lambda _c=False: self.refresh())
        self.add_shortcut("Show", "F5", self.refresh)
        buttons = []
        for suffix, text in ((".pdf", "PDF…"), (".xlsx", "Excel…"), (".csv", "CSV…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, s=suffix: self.export(s))
            buttons.append(button)
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.chart = DefectChart(self)
        self.summary = QLabel("")
        self.card: Scorecard | None = None
        self.reads = 0  # the reads started: only the latest one is shown
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.chart)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(
            hbox(heading(self.title), 12, "From:", self.date_from, "To:", self.date_to, "Vendor:", self.vendor_edit,
                 show, None, *buttons)
        )  # fmt: skip
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)

    def period(self) -> tuple[date, date, str | None]:
        start: date = self.date_from.date().toPython()  # type: ignore[assignment]
        end: date = self.date_to.date().toPython()  # type: ignore[assignment]
        return start, end, self.vendor_edit.text().strip() or None

    def start(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        start, end, vendor = self.period()
        self.reads += 1
        read = self.reads

        def work(uow: Any, _job: Any) -> Scorecard:
            return scorecard.scorecard(uow, start, end, vendor)

        self.runner.run(self, self.title, work, lambda card: self._loaded(card, read))

    def _loaded(self, card: Scorecard, read: int = 0) -> None:
        if read and read != self.reads:
            return  # an earlier read finishing late
        self.card = card
        self.model.set_records(card.rows)
        self.chart.set_data(card.by_month)
        total = card.total()
        self.summary.setText(f"{total.vendor_name} · {total.defect_count:,} defects")

    def export(self, suffix: str) -> bool:
        start, end, vendor = self.period()

        def write(uow: Any, path: Path) -> int:
            from app.reports.scorecard_pdf import write_scorecard

            found = scorecard.scorecard(uow, start, end, vendor)
            return write_scorecard(path, found, company=masterdata.company(uow).name)

        return export(self.env, self, "Export financial scorecard", f"scorecard-{start}-{end}{suffix}", [suffix], write)
