"""Settlement › Provisions (SPEC §15): choose a day and Run: each vendor whose receivable
exceeds its payable gets a provision of the difference; a changed difference reverses the
active one and places another, a difference gone reverses it. The list shows the provisions
placed and reversed on the day."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import provisions
from app.services.provisions import ProvisionEvent, ProvisionView

from .bars import hbox
from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView, date_edit

COLUMNS = (
    RCol("Provision", lambda p: p.name, width=280),
    RCol("Vendor", lambda p: p.vendor_code, width=90),
    RCol("Date", lambda p: p.event_date, "date", width=86),
    RCol("Amount", lambda p: p.amount, "decimal", width=110),
    RCol("Reversal", lambda p: p.reversal, width=70),
)


class ProvisionsScreen(Screen):
    title = "Provisions"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.day = date_edit(self, date.today())
        self.day.editingFinished.connect(self.refresh)
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(lambda _c=False: self.run())
        self.model = ReportModel(COLUMNS)
        self.view = ReportView(self.model, self)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel("")
        self.reads = 0  # the reads of the list started: only the latest one is shown
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(heading(self.title), 12, "Date:", self.day, self.run_button, None))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def on(self) -> date:
        day: date = self.day.date().toPython()  # type: ignore[assignment]
        return day

    def start(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        on = self.on()
        self.reads += 1
        read = self.reads

        def work(uow: Any, _job: Any) -> list[ProvisionView]:
            return provisions.provision_list(uow, on)

        self.runner.run(self, "Provisions", work, lambda found: self._loaded(found, read))

    def _loaded(self, found: list[ProvisionView], read: int = 0) -> None:
        if read and read != self.reads:
            return  # an earlier read finishing late: the list of the latest read stays
        self.model.set_records(found)
        self.summary.setText(f"{len(found):,} provision{'' if len(found) == 1 else 's'} placed or reversed")

    def run(self) -> None:
        on = self.on()

        def work(uow: Any, _job: Any) -> list[ProvisionEvent]:
            return provisions.run_provisions(uow, on)

        def done(events: list[ProvisionEvent]) -> None:
            self.status_message.emit(
                f"Provisions of {on.isoformat()}: {len(events)} placed or reversed" if events
                else f"Provisions of {on.isoformat()}: nothing changed"
            )  # fmt: skip
            self.refresh()

        self.runner.run(self, "Run provisions", work, done)
