"""Settlement › Vendor Actuals (SPEC §13): what vendors state they expect to be billed for a month
of an agreement flagged actuals required. Submit… records one (with a comment and documents);
Accept bills the month's held invoice at the vendor's amount; Reject… answers it with a reason
(a new one may be submitted then)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget

from app.domain.vocabulary import ACCEPTED, KIND_NAMES, KINDS, REJECTED, SUBMITTED
from app.services import actuals, settlement_reads
from app.services.actuals import ActualView
from app.services.settlement_reads import ActualsAgreement

from .bars import hbox
from .base import Screen, UiEnv, heading
from .dispute_wizard import FILE_FILTER
from .editors import DecimalEdit
from .reports_common import RCol, ReportModel, ReportView
from .settlement_dialogs import ActionDialog, AnswerDialog

D = TypeVar("D", bound=ActionDialog)
COLUMNS = (
    RCol("Vendor", lambda a: a.vendor_code, width=70),
    RCol("Kind", lambda a: KIND_NAMES.get(a.kind, a.kind), width=130),
    RCol("Agreement", lambda a: a.agreement_no, width=72),
    RCol("Month", lambda a: a.month, width=70),
    RCol("Amount", lambda a: a.amount, "decimal", width=96),
    RCol("Comment", lambda a: a.comment, width=200, tip=lambda a: a.comment),
    RCol("Documents", lambda a: a.documents, "int", width=76),
    RCol("Submitted", lambda a: a.submitted_date, "date", width=86),
    RCol("By", lambda a: a.submitted_by, width=80),
    RCol("Status", lambda a: a.status, width=86),
    RCol("Reason", lambda a: a.reason, width=180, tip=lambda a: a.reason),
)


class SubmitActualDialog(ActionDialog):
    """An actual: the agreement (vendor, kind, number; the flagged ones offered), month, amount,
    comment and documents."""

    def __init__(self, env: UiEnv, flagged: list[ActualsAgreement], parent: QWidget | None = None) -> None:
        super().__init__(
            env,
            "Submit Vendor Actual",
            "What the vendor expects to be billed for the month. The month's invoice of the agreement stays HELD "
            "until an actual is accepted.",
            parent,
        )
        self.attachments: list[Path | tuple[str, bytes]] = []
        self.pick = QComboBox(self)
        self.pick.addItem("(type the agreement below)", None)
        for a in flagged:
            self.pick.addItem(
                f"{a.vendor} · {KIND_NAMES.get(a.kind, a.kind)} {a.number} · {a.status} {a.description}", a
            )
        self.pick.currentIndexChanged.connect(lambda _i: self._picked())
        self.vendor = QLineEdit(self)
        self.kind = QComboBox(self)
        for kind in KINDS:
            self.kind.addItem(KIND_NAMES[kind], kind)
        self.number = QLineEdit(self)
        self.month = QLineEdit(self)
        self.month.setPlaceholderText("YYYY-MM")
        self.amount = DecimalEdit(self)
        self.comment = QLineEdit(self)
        self.files = QListWidget(self)
        self.files.setMaximumHeight(70)
        add = QPushButton("Add file…")
        add.clicked.connect(lambda _c=False: self.choose_file())
        self.add_row("Agreements requiring actuals:", self.pick)
        self.add_row("Vendor:", self.vendor, "vendor")
        self.add_row("Kind:", self.kind, "kind")
        self.add_row("Agreement:", self.number, "agreement")
        self.add_row("Month:", self.month, "month")
        self.add_row("Amount:", self.amount, "amount")
        self.add_row("Comment:", self.comment, "comment")
        self.add_row("Documents:", self.files, "attachment")
        self.form.addRow("", add)
        self.action.setText("Submit")
        if flagged:
            self.pick.setCurrentIndex(1)

    def _picked(self) -> None:
        chosen: ActualsAgreement | None = self.pick.currentData()
        if chosen is not None:
            self.vendor.setText(chosen.vendor)
            self.kind.setCurrentIndex(self.kind.findData(chosen.kind))
            self.number.setText(chosen.number)

    def choose_file(self) -> None:
        chosen = self.env.interaction.open_path(self, "Add a document", str(Path.home()), FILE_FILTER)
        if chosen:
            self.add_attachment(Path(chosen))

    def add_attachment(self, item: Path | tuple[str, bytes]) -> None:
        """A file, or a name and its bytes; checked by the service on Submit."""
        self.attachments.append(item)
        self.files.addItem(item.name if isinstance(item, Path) else item[0])

    def work(self) -> Callable[[Any], Any] | None:
        vendor, kind, number = self.vendor.text().strip().upper(), self.kind.currentData(), self.number.text().strip()
        month, amount, comment = self.month.text().strip(), self.amount.decimal(), self.comment.text().strip()
        attachments = list(self.attachments)
        return lambda uow: actuals.submit_actual(uow, vendor, kind, number or None, month, amount, comment, attachments)


class ActualsScreen(Screen):
    title = "Vendor Actuals"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.rows: list[ActualView] = []
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(lambda _c=False: self.refresh())
        self.add_shortcut("Refresh", "F5", self.refresh)
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.submit_button = QPushButton("Submit…")
        self.submit_button.clicked.connect(lambda _c=False: self.submit())
        self.accept_button = QPushButton("Accept…")
        self.accept_button.setToolTip("Bill the month's held invoice at the vendor's amount")
        self.accept_button.clicked.connect(lambda _c=False: self.decide(ACCEPTED))
        self.reject_button = QPushButton("Reject…")
        self.reject_button.clicked.connect(lambda _c=False: self.decide(REJECTED))
        self.summary = QLabel("")
        self.view.selectionModel().currentRowChanged.connect(lambda _n, _o: self._enable())
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(heading(self.title), None, refresh))
        layout.addWidget(self.view, 1)
        layout.addLayout(hbox((self.summary, 1), self.submit_button, 12, self.accept_button, self.reject_button))
        self._enable()

    def start(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(self, "Vendor actuals", lambda uow, _job: actuals.actual_views(uow), self._loaded)

    def _loaded(self, rows: list[ActualView]) -> None:
        self.rows = rows
        self.model.set_records(rows)
        waiting = sum(1 for r in rows if r.status == SUBMITTED)
        self.summary.setText(f"{len(rows):,} actual{'' if len(rows) == 1 else 's'} · {waiting:,} to decide")
        self._enable()

    def selected(self) -> ActualView | None:
        record = self.view.record()
        return record if isinstance(record, ActualView) else None

    def select_row(self, row: int) -> None:
        self.view.setCurrentIndex(self.view.model().index(row, 0))

    def _enable(self) -> None:
        chosen = self.selected()
        waiting = chosen is not None and chosen.status == SUBMITTED
        self.accept_button.setEnabled(waiting)
        self.reject_button.setEnabled(waiting)

    def submit(self) -> SubmitActualDialog:
        flagged = self.runner.call(self, "Agreements", settlement_reads.actuals_agreements) or []
        return self._open(SubmitActualDialog(self.env, flagged, self))

    def decide(self, status: str) -> AnswerDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.status != SUBMITTED:
            return None
        vendor, kind, number, month = chosen.vendor_code, chosen.kind, chosen.agreement_no, chosen.month

        def call(uow: Any, _amount: Decimal | None, reason: str, day: date) -> ActualView:
            return actuals.decide_actual(uow, vendor, kind, number, month, status, reason, day)

        what = f"the actual of {vendor} agreement {number} for {month} ({chosen.amount:,.2f})"
        if status == ACCEPTED:
            title, note = "Accept actual", f"Accept {what}: the month's held invoice is billed at this amount."
        else:
            title, note = "Reject actual", f"Reject {what}; the reason is required. A new one may be submitted."
        return self._open(AnswerDialog(self.env, title, note, call, needs_reason=status == REJECTED, parent=self))

    def _open(self, dialog: D) -> D:
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog
