"""Settlement › Disputes (SPEC §14): every dispute, the open ones first by the deadline of their
answer (30 days after filing; an overdue one in red), then the answered ones. Accept… credits
all or part of the selected open dispute; Reject… answers it with a reason; Open Invoice shows
its invoice in the Co-op Invoices screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.money import ZERO
from app.domain.vocabulary import OPEN
from app.services import disputes, settlement_reads
from app.services.disputes import DisputeView

from .bars import hbox
from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView
from .settlement_dialogs import AnswerDialog


def _answer(d: DisputeView) -> str:
    """The day a dispute was answered and, when rejected, why."""
    if d.resolved_date is None:
        return ""
    return f"{d.resolved_date.isoformat()} {d.resolution_reason}".strip()


OVERDUE_FG = QColor("#9b1c1c")
OVERDUE_BG = QColor("#fbe9e9")
COLUMNS = (
    RCol("Dispute ID", lambda d: d.dispute_no, width=120),
    RCol("Invoice", lambda d: d.invoice_no, width=184, tip=lambda d: d.invoice_no),
    RCol("Vendor", lambda d: d.vendor, width=84),
    RCol("Reason", lambda d: d.reason, width=100),
    RCol("Amount", lambda d: d.amount, "decimal", width=84),
    RCol("Title", lambda d: d.title, width=176, tip=lambda d: d.title),
    RCol("Filed", lambda d: d.filed_date, "date", width=80),
    RCol("Deadline", lambda d: d.deadline, "date", width=80),
    RCol("Overdue", lambda d: "OVERDUE" if d.overdue else "", width=66),
    RCol("Status", lambda d: d.status, width=76),
    RCol("Credited", lambda d: d.resolved_amount, "decimal", width=76),
    RCol("Answered", lambda d: d.resolved_date, "date", width=80, text=_answer, tip=_answer),
)


class DisputeModel(ReportModel):
    """An overdue dispute in red."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            record = self.records[index.row()]
            if record.overdue:
                return QBrush(OVERDUE_FG if role == Qt.ItemDataRole.ForegroundRole else OVERDUE_BG)
        return super().data(index, role)


class DisputesScreen(Screen):
    title = "Disputes"

    def __init__(
        self, env: UiEnv, open_invoice: Callable[[str], object] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(env, parent)
        self.today = date.today()  # what overdue is judged against (a test may set it)
        self.open_invoice_of = open_invoice
        self.rows: list[DisputeView] = []
        self.open_only = QCheckBox("Open only", self)
        self.open_only.toggled.connect(lambda _on: self._show())
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(lambda _c=False: self.refresh())
        self.add_shortcut("Refresh", "F5", self.refresh)
        self.model = DisputeModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.activated.connect(lambda _i: self.open_invoice())
        self.accept_button = QPushButton("Accept…")
        self.accept_button.setToolTip("Accept all or part of the disputed amount: a credit memo settles it")
        self.accept_button.clicked.connect(lambda _c=False: self.accept_selected())
        self.reject_button = QPushButton("Reject…")
        self.reject_button.clicked.connect(lambda _c=False: self.reject_selected())
        self.invoice_button = QPushButton("Open Invoice")
        self.invoice_button.clicked.connect(lambda _c=False: self.open_invoice())
        self.summary = QLabel("")
        self.summary.setStyleSheet("font-weight: bold;")
        self.view.selectionModel().currentRowChanged.connect(lambda _n, _o: self._enable())
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(heading(self.title), 12, self.open_only, None, refresh))
        layout.addWidget(self.view, 1)
        layout.addLayout(hbox((self.summary, 1), self.accept_button, self.reject_button, 12, self.invoice_button))
        self._enable()

    def start(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        today = self.today
        self.runner.run(self, "Disputes", lambda uow, _job: settlement_reads.dispute_list(uow, today), self._loaded)

    def _loaded(self, rows: list[DisputeView]) -> None:
        self.rows = rows
        self._show()

    def _show(self) -> None:
        shown = [r for r in self.rows if r.status == OPEN] if self.open_only.isChecked() else self.rows
        self.model.set_records(shown)
        still = [r for r in self.rows if r.status == OPEN]
        overdue = sum(1 for r in still if r.overdue)
        self.summary.setText(
            f"{len(shown):,} dispute{'' if len(shown) == 1 else 's'} · {len(still):,} open, "
            f"{sum((r.amount for r in still), ZERO):,.2f} disputed · {overdue:,} overdue"
        )
        self._enable()

    def selected(self) -> DisputeView | None:
        record = self.view.record()
        return record if isinstance(record, DisputeView) else None

    def select(self, dispute_no: str) -> None:
        for row in range(self.view.model().rowCount()):
            if self.view.shown(row, "Dispute ID") == dispute_no:
                self.view.selectRow(row)
                self.view.setCurrentIndex(self.view.model().index(row, 0))
                return

    def _enable(self) -> None:
        chosen = self.selected()
        is_open = chosen is not None and chosen.status == OPEN
        self.accept_button.setEnabled(is_open)
        self.reject_button.setEnabled(is_open)
        self.invoice_button.setEnabled(chosen is not None and self.open_invoice_of is not None)

    def accept_selected(self) -> AnswerDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.status != OPEN:
            return None
        number = chosen.dispute_no

        def call(uow: Any, amount: Decimal | None, _reason: str, day: date) -> DisputeView:
            return disputes.accept_dispute(uow, number, amount, day)

        note = (
            f"Accept dispute {number} of invoice {chosen.invoice_no} ({chosen.reason}, {chosen.amount:,.2f}): "
            "the amount accepted (all or part of it) is credited to the invoice."
        )
        return self._answer(AnswerDialog(self.env, f"Accept {number}", note, call, amount=chosen.amount, parent=self))

    def reject_selected(self) -> AnswerDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.status != OPEN:
            return None
        number = chosen.dispute_no

        def call(uow: Any, _amount: Decimal | None, reason: str, day: date) -> DisputeView:
            return disputes.reject_dispute(uow, number, reason, day)

        note = f"Reject dispute {number} of invoice {chosen.invoice_no}: nothing is credited. The reason is required."
        return self._answer(AnswerDialog(self.env, f"Reject {number}", note, call, needs_reason=True, parent=self))

    def _answer(self, dialog: AnswerDialog) -> AnswerDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._answered(dialog.result_value))
        dialog.open()
        return dialog

    def _answered(self, view: DisputeView) -> None:
        self.status_message.emit(f"Dispute {view.dispute_no} {view.status}")
        self.refresh()

    def open_invoice(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.open_invoice_of is not None:
            self.open_invoice_of(chosen.invoice_no)
