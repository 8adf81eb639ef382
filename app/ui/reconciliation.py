"""Settlement › Backup Reconciliation (SPEC §16): choose a vendor and the vendor's statement of
what it believes it was charged (.csv or .xlsx, the vendor-backup columns), Compare: each line
matched, amount differs, quantity differs, only theirs or only ours, with totals by status;
export to PDF, Excel or CSV. Refusals (an unknown vendor, missing columns, bad cells) are
listed in the usual error dialog, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.reconciliation import Reconciliation
from app.domain.vocabulary import MATCHED
from app.services import masterdata
from app.services.reconciliation import reconcile_backup

from .bars import hbox, typed_path
from .base import Screen, UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView, export


def _side(index: int, ours: bool) -> Any:
    return lambda c: (c.ours if ours else c.theirs)[index] if (c.ours if ours else c.theirs) else None


COLUMNS = (
    RCol("Status", lambda c: c.status, width=150),
    RCol("Slip", lambda c: c.slip_no, width=70),
    RCol("Line", lambda c: c.line_no, "number", width=44),
    RCol("Item code", lambda c: c.vendor_item_code, width=90),
    RCol("Received", lambda c: c.received_date, "date", width=84),
    RCol("Our qty", _side(0, True), "decimal", places=4, width=80),
    RCol("Their qty", _side(0, False), "decimal", places=4, width=80),
    RCol("Our amount", _side(1, True), "decimal", width=96),
    RCol("Their amount", _side(1, False), "decimal", width=96),
    RCol("Our rebate", _side(2, True), "decimal", width=90),
    RCol("Their rebate", _side(2, False), "decimal", width=90),
    RCol("Difference", lambda c: c.difference, "decimal", width=90),
)
FILTERS = "Vendor backup (*.csv *.xlsx);;All files (*)"


class ReconciliationScreen(Screen):
    title = "Backup Reconciliation"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.result: Reconciliation | None = None
        self.vendor_edit = QLineEdit(self)
        self.vendor_edit.setPlaceholderText("vendor code")
        self.vendor_edit.setMaximumWidth(120)
        self.file_edit = QLineEdit(self)
        self.file_edit.setPlaceholderText("the vendor's statement, .csv or .xlsx")
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda _c=False: self.browse())
        compare = QPushButton("Compare")
        compare.clicked.connect(lambda _c=False: self.compare())
        buttons = []
        for suffix, text in ((".pdf", "PDF…"), (".xlsx", "Excel…"), (".csv", "CSV…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, s=suffix: self.export(s))
            buttons.append(button)
        self.model = ReportModel(COLUMNS, emphasis=lambda c: c.status != MATCHED)
        self.view = ReportView(self.model, self)
        self.totals = QLabel("")
        self.totals.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(
            hbox(heading(self.title), 12, "Vendor:", self.vendor_edit, "File:", (self.file_edit, 3), browse, compare,
                 None, *buttons)
        )  # fmt: skip
        layout.addWidget(self.view, 1)
        layout.addWidget(self.totals)

    def start(self) -> None:
        """Opened from the menu: nothing to read until a vendor's file is compared."""

    def browse(self) -> None:
        chosen = self.env.interaction.open_path(self, "The vendor's statement", self.file_edit.text(), FILTERS)
        if chosen:
            self.file_edit.setText(chosen)

    def compare(self) -> None:
        vendor = self.vendor_edit.text().strip()
        path = typed_path(self.env, self, self.title, self.file_edit, "Choose the vendor's statement first.")
        if path is None:
            return

        def work(uow: Any, _job: Any) -> Reconciliation:
            return reconcile_backup(uow, vendor, path)

        self.runner.run(self, self.title, work, self._loaded)

    def _loaded(self, result: Reconciliation) -> None:
        self.result = result
        self.model.set_records(result.lines)
        self.totals.setText(
            " · ".join(
                f"{t.status} {t.lines} (ours {t.our_rebate:,.2f}, theirs {t.their_rebate:,.2f}, "
                f"difference {t.difference:,.2f})"
                for t in result.totals()
            )
        )

    def export(self, suffix: str) -> bool:
        result = self.result
        if result is None:
            self.env.interaction.error(self, self.title, "Compare a vendor's statement first.")
            return False

        def write(uow: Any, path: Path) -> int:
            from app.reports.reconciliation_pdf import write_reconciliation

            return write_reconciliation(path, result, company=masterdata.company(uow).name)

        name = f"reconciliation-{result.vendor_code}{suffix}"
        return export(self.env, self, "Export backup reconciliation", name, [suffix], write)
