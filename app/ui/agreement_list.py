"""Maintenance › Agreements Overview (issue 14): every agreement of every vendor (vendor, kind,
number, status, dates, description, who accepted it, last change), filtered by vendor, kind,
status and text; Enter or a double-click opens the agreement on its screen; Copy to next
period renews the selected agreement as a new pending one a year later."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.vocabulary import ACCEPTED, KIND_NAMES, KINDS, STATUSES
from app.services.agreement_list import OverviewRow, agreements_overview, copy_to_next_period

from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView

COLUMNS = (
    RCol("Vendor", lambda r: r.vendor, width=90),
    RCol("Name", lambda r: r.vendor_name, width=170),
    RCol("Kind", lambda r: KIND_NAMES.get(r.kind, r.kind), width=130),
    RCol("Number", lambda r: r.number, width=70),
    RCol("Status", lambda r: r.status, width=80),
    RCol("Start", lambda r: r.start, width=90),
    RCol("End", lambda r: r.end, width=90),
    RCol("Description", lambda r: r.description, width=160),
    RCol("Lines", lambda r: r.lines, "int", width=50),
    RCol("Accepted by", lambda r: r.decided_by if r.status == ACCEPTED else "", width=100),
    RCol("Last change", lambda r: f"{r.updated_at:%Y-%m-%d %H:%M} {r.updated_by}", width=150),
)
ALL = "All"

OpenAgreement = Callable[[str, str, int], object]


class AgreementListScreen(Screen):
    title = "Agreements Overview"

    def __init__(self, env: UiEnv, open_agreement: OpenAgreement, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.open_agreement = open_agreement
        self.vendor = QLineEdit()
        self.vendor.setPlaceholderText("vendor code")
        self.vendor.setMaximumWidth(120)
        self.kind = QComboBox()
        self.kind.addItem(ALL, None)
        for kind in KINDS:
            self.kind.addItem(KIND_NAMES[kind], kind)
        self.status = QComboBox()
        self.status.addItem(ALL, None)
        for status in STATUSES:
            self.status.addItem(status.capitalize(), status)
        self.text = QLineEdit()
        self.text.setPlaceholderText("number or description contains…")
        for edit in (self.vendor, self.text):
            edit.returnPressed.connect(self.refresh)
        for box in (self.kind, self.status):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        copy = QPushButton("Copy to next period…")
        copy.clicked.connect(self.copy_selected)
        open_button = QPushButton("Open (Enter)")
        open_button.clicked.connect(self.open_selected)
        bar = QHBoxLayout()
        bar.addWidget(heading(self.title))
        for label, widget in (("Vendor:", self.vendor), ("Kind:", self.kind), ("Status:", self.status)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.text, 1)
        bar.addWidget(open_button)
        bar.addWidget(copy)
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.view.activated.connect(lambda _i: self.open_selected())
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        self.rows: list[OverviewRow] = []

    def start(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        vendor, text = self.vendor.text().strip().upper() or None, self.text.text().strip() or None
        kind, status = self.kind.currentData(), self.status.currentData()
        rows = self.runner.call(
            self,
            self.title,
            lambda uow: agreements_overview(uow, vendor=vendor, kind=kind, status=status, text=text),
        )
        self.rows = rows or []
        self.model.set_records(self.rows)
        self.count.setText(f"{len(self.rows):,} agreements")

    def selected(self) -> OverviewRow | None:
        record = self.view.record()
        return record if isinstance(record, OverviewRow) else None

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_agreement(row.kind, row.vendor, row.id)

    def copy_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not self.env.interaction.confirm(
            self,
            "Copy to next period",
            f"Renew {KIND_NAMES.get(row.kind, row.kind)} agreement {row.number} of {row.vendor} as a new pending "
            "agreement with every date a year later?",
        ):
            return
        self.env.runner.run(
            self,
            "Copying the agreement",
            lambda uow, _job: copy_to_next_period(uow, row.id),
            lambda view: (self.refresh(), self.open_agreement(view.kind, view.vendor, view.id)),
        )
