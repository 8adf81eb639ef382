"""Vendor statements (SPEC §8): one vendor's statement saved as PDF and opened, or the
statements of every vendor with activity written to a folder in the background."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.reports import statement_pdf
from app.services import queries, statement_files

from .bars import typed_path
from .base import UiEnv, lay_out_form_dialog
from .lookups import VendorBox
from .operations import Job
from .reports_common import date_edit


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def presets(today: date) -> dict[str, tuple[date, date]]:
    """Common statement periods, as of today."""
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    quarter = _quarter_start(today)
    last_quarter = _quarter_start(quarter - timedelta(days=1))
    return {
        "Year to date": (date(today.year, 1, 1), today),
        "This month": (month_start, today),
        "Last month": (last_month_end.replace(day=1), last_month_end),
        "This quarter": (quarter, today),
        "Last quarter": (last_quarter, quarter - timedelta(days=1)),
        "Last year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }


class PeriodFields(QWidget):
    """From and To dates with a choice of common periods."""

    def __init__(self, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.choices = presets(today or date.today())
        self.preset = QComboBox(self)
        self.preset.addItems([*self.choices, "Other"])
        first, last = next(iter(self.choices.values()))
        self.date_from = date_edit(self, first)
        self.date_to = date_edit(self, last)
        self.preset.activated.connect(self._preset)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preset)
        layout.addSpacing(6)
        layout.addWidget(QLabel("from"))
        layout.addWidget(self.date_from)
        layout.addWidget(QLabel("to"))
        layout.addWidget(self.date_to)
        layout.addStretch(1)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._typed)

    def _preset(self, index: int) -> None:
        name = self.preset.itemText(index)
        if name in self.choices:
            self.set_period(*self.choices[name])
            self.preset.setCurrentIndex(index)

    def _typed(self, _d: QDate) -> None:
        if self.period() not in self.choices.values():
            self.preset.setCurrentText("Other")

    def set_period(self, first: date, last: date) -> None:
        for edit, value in ((self.date_from, first), (self.date_to, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)
        self._typed(QDate())

    def period(self) -> tuple[date, date]:
        return self.date_from.date().toPython(), self.date_to.date().toPython()  # type: ignore[return-value]


def _check_period(env: UiEnv, parent: QWidget, title: str, first: date, last: date) -> bool:
    if first > last:
        env.interaction.error(parent, title, "The period ends before it starts.")
        return False
    return True


class StatementDialog(QDialog):
    """One vendor: pick the vendor and the period, Save as PDF, and the PDF opens."""

    TITLE = "Vendor statement"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.written: Path | None = None
        self.setWindowTitle(self.TITLE)
        self.vendor_box = VendorBox(self)
        self.period = PeriodFields(self)
        self.open_after = QCheckBox("Open the PDF once written", self)
        self.open_after.setChecked(True)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        form = QFormLayout()
        form.addRow("Vendor:", self.vendor_box)
        form.addRow("Period:", self.period)
        form.addRow("", self.open_after)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        about = QLabel(
            "The statement shows the agreements in force, the rebate accrued by kind and month, "
            "retroactive adjustments and re-rates, and each ladder's tier progress."
        )
        about.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addLayout(buttons)
        vendors = env.runner.call(self, "Vendors", lambda uow: queries.vendors(uow)) or []
        self.vendor_box.set_vendors([(v.code, v.name) for v in vendors])
        if env.last_vendor:
            self.vendor_box.set_code(env.last_vendor, notify=False)
        self.resize(640, 200)

    def save(self) -> bool:
        vendor = self.vendor_box.code()
        if vendor is None:
            self.env.interaction.error(self, self.TITLE, "Choose a vendor first.")
            return False
        first, last = self.period.period()
        if not _check_period(self.env, self, self.TITLE, first, last):
            return False
        folder = self.env.settings.value("export/folder") or str(Path.home())
        suggested = Path(str(folder)) / statement_pdf.statement_filename(vendor, first, last)
        chosen = self.env.interaction.save_path(self, "Save the statement as", str(suggested), "PDF (*.pdf)")
        if not chosen:
            return False
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.env.settings.setValue("export/folder", str(path.parent))
        self.env.last_vendor = vendor

        def work(uow: Any, _job: Any, force: bool) -> int:
            return statement_files.write_statement(uow, vendor, first, last, path, force=force)

        self.env.runner.run_writing(self, f"Statement of {vendor}", work, lambda pages: self._written(path, pages))
        return True

    def _written(self, path: Path, pages: int) -> None:
        self.written = path
        self.setWindowTitle(f"{self.TITLE} — wrote {path.name} ({pages} page{'s' if pages != 1 else ''})")
        if self.open_after.isChecked() and not self.env.interaction.show_file(str(path)):
            self.env.interaction.inform(self, self.TITLE, f"Wrote {path}. No PDF viewer could be opened.")


class BatchDialog(QDialog):
    """Every vendor with activity in the period (or every vendor): one PDF each in a folder,
    written in the background with progress and Cancel."""

    TITLE = "Vendor statements (all vendors)"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.job: Job | None = None
        self.written: list[Path] = []
        self.setWindowTitle(self.TITLE)
        self.period = PeriodFields(self)
        self.folder = QLineEdit(str(env.settings.value("statements/folder") or Path.home() / "statements"), self)
        self.folder.setMinimumWidth(360)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.every_vendor = QCheckBox("Also vendors without rebate activity in the period", self)
        self.write_button = QPushButton("Write statements")
        self.write_button.clicked.connect(self.write)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay_out_form_dialog(
            self,
            "One PDF per vendor, named statement-VENDOR-FROM-TO.pdf; you are asked before "
            "files already there are replaced.",
            [("Period:", self.period), ("Folder:", folder_row), ("", self.every_vendor)],
            self.result,
            self.write_button,
        )
        self.resize(680, 200)

    def browse(self) -> None:
        chosen = self.env.interaction.folder_path(self, "Folder for the statements", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def write(self) -> Job | None:
        if self.env.runner.busy:
            return None
        first, last = self.period.period()
        if not _check_period(self.env, self, self.TITLE, first, last):
            return None
        folder = typed_path(self.env, self, self.TITLE, self.folder, "Choose the folder for the statements.")
        if folder is None:
            return None
        every = self.every_vendor.isChecked()
        self.env.settings.setValue("statements/folder", str(folder))

        def work(uow: Any, job: Job, force: bool) -> tuple[list[Path], bool]:
            paths = statement_files.write_statements(
                uow,
                first,
                last,
                folder,
                progress=job.progress,
                cancelled=job.cancelled,
                every_vendor=every,
                force=force,
            )
            return paths, job.cancelled()

        self.result.setText("")
        self.job = self.env.runner.run_writing(
            self, "Writing statements", work, self._written, cancellable=True, unit="statements", delay_ms=0
        )
        return self.job

    def _written(self, result: tuple[list[Path], bool]) -> None:
        paths, cancelled = result
        self.written = paths
        n = len(paths)
        text = f"Wrote {n} statement{'s' if n != 1 else ''} to {self.folder.text()}"
        if cancelled:
            text = f"Cancelled. {text}; the files written before the cancel are complete."
        elif not n:
            text = "No vendor has rebate activity in this period: no statement written."
        self.result.setText(text)
        self.env.interaction.inform(self, self.TITLE, text)
