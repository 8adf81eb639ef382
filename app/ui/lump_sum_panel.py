"""The terms of a LUMP_SUM agreement on the agreement screen (SPEC §11.2): one amount, Start and
End Date and M, in place of the grids (a lump sum has no lines), with the even-by-day schedule
the month close will accrue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.domain.lump_sum import LumpSum, schedule
from app.domain.vocabulary import DEFAULT_METHOD, KIND_NAMES, LUMP_SUM, METHOD_NAMES, METHODS

from .base import heading
from .editors import DecimalEdit
from .reports_common import RCol, ReportModel, ReportView, date_edit

# The problem fields of app.domain.lump_sum -> the widget to go to.
FIELDS = ("Amount", "Start Date", "End Date", "M")
BAD = "background: #fde2e2;"
MONTH_COLUMNS = (
    RCol("Month", lambda r: f"{r[0]:%Y-%m}", width=90),
    RCol("Accrual", lambda r: r[1], "decimal", width=130),
    RCol("Cumulative", lambda r: r[2], "decimal", width=130),
)


def _qdate(when: date) -> QDate:
    return QDate(when.year, when.month, when.day)


class LumpSumPanel(QWidget):
    """Amount, dates and M of a lump sum; `value()` is what Save sends to the service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount = DecimalEdit(self, places=2)
        self.amount.setPlaceholderText("0.00")
        self.amount.setMaximumWidth(180)
        self.start = date_edit(self)
        self.end = date_edit(self)
        self.method = QComboBox(self)
        for code in METHODS:
            self.method.addItem(f"{code} — {METHOD_NAMES[code]}", code)
        for widget in (self.start, self.end, self.method):
            widget.setMaximumWidth(260)
        self.schedule = QLabel("")
        self.schedule.setStyleSheet("color: #555;")
        self.schedule.setWordWrap(True)
        self.months = ReportModel(MONTH_COLUMNS)
        self.months_view = ReportView(self.months, self, sorting=None)
        self.months_view.setMaximumWidth(420)
        form = QFormLayout()
        form.addRow("Amount:", self.amount)
        form.addRow("Start Date:", self.start)
        form.addRow("End Date:", self.end)
        form.addRow("M (settlement):", self.method)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.addWidget(
            heading(f"{KIND_NAMES[LUMP_SUM]}: one amount for the agreement's dates, accrued evenly by day")
        )
        layout.addLayout(form)
        layout.addWidget(heading("Schedule (what each month close accrues)"))
        layout.addWidget(self.schedule)
        layout.addWidget(self.months_view, 1)
        self.widgets = dict(zip(FIELDS, (self.amount, self.start, self.end, self.method), strict=True))
        self.amount.textChanged.connect(self._changed)
        self.start.dateChanged.connect(self._changed)
        self.end.dateChanged.connect(self._changed)
        self.method.currentIndexChanged.connect(self._changed)
        self.loaded = self.value()

    def load(self, terms: LumpSum | None) -> None:
        """Show stored terms, or a new lump sum's (this year, the default method)."""
        today = date.today()
        self.amount.setText(f"{terms.amount:.2f}" if terms and terms.amount is not None else "")
        self.start.setDate(_qdate(terms.start if terms and terms.start else date(today.year, 1, 1)))
        self.end.setDate(_qdate(terms.end if terms and terms.end else date(today.year, 12, 31)))
        index = self.method.findData((terms.method if terms else None) or DEFAULT_METHOD)
        self.method.setCurrentIndex(max(index, 0))
        self.show_problems([])
        self.loaded = self.value()
        self._changed()

    def value(self) -> LumpSum:
        return LumpSum(
            self.amount.decimal() if self.amount.text().strip() else None,
            self.start.date().toPython(),  # type: ignore[arg-type]
            self.end.date().toPython(),  # type: ignore[arg-type]
            self.method.currentData(),
        )

    @property
    def dirty(self) -> bool:
        return self.value() != self.loaded

    def set_read_only(self, read_only: bool) -> None:
        for widget in self.widgets.values():
            widget.setEnabled(not read_only)

    def show_problems(self, problems: Sequence[object]) -> None:
        """Highlight the fields named by the problems (the list below the panel says why)."""
        named = {getattr(p, "field", "") for p in problems}
        for name, widget in self.widgets.items():
            widget.setStyleSheet(BAD if name in named else "")
        first = next((self.widgets[f] for f in FIELDS if f in named), None)
        if first is not None:
            first.setFocus()

    def go_to(self, field: str) -> None:
        widget = self.widgets.get(field)
        if widget is not None:
            widget.setFocus()

    def _changed(self, *_args: object) -> None:
        terms = self.value()
        amount, start, end = terms.amount, terms.start, terms.end
        if amount is None or amount <= Decimal(0) or start is None or end is None or start > end:
            self.schedule.setText("Enter an amount greater than 0 and a Start Date on or before the End Date.")
            self.months.set_records([])
            return
        months = schedule(amount, start, end)
        days = (end - start).days + 1
        self.schedule.setText(
            f"{amount:,.2f} over {days} days, both dates included: each month accrues its days' share, rounded "
            "so that the months add up to the amount. Posted by the month close: Dr Rebate receivable / Cr "
            "Advertising."
        )
        total = Decimal(0)
        rows = []
        for when, value in months:
            total += value
            rows.append((when, value, total))
        self.months.set_records(rows)
