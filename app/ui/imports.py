"""File > Import…: a CSV or XLSX file of one kind (SPEC §9), as `coop import` does it, in
the background with progress; all or nothing, every problem listed by row and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.services import imports

from .bars import typed_path
from .base import UiEnv, lay_out_form_dialog
from .operations import Job

# What the list shows -> the import kind, in the order the files are best imported.
KINDS = {
    "Categories": "categories", "Vendors": "vendors", "Products": "products", "GL accounts": "gl-accounts",
    "GL reference": "gl-reference", "Provisional rates": "provisional-rates", "Waivers": "waivers",
    "Agreements": "agreements", "Receiving slips (drafts)": "receipts", "Price changes": "price-changes",
}  # fmt: skip


def columns_text(kind: str) -> str:
    required, optional = imports.HEADERS[kind]
    text = "Columns: " + ", ".join(required)
    if optional:
        text += "; optional: " + ", ".join(optional)
    percent = imports.PERCENT_COLUMNS.get(kind)
    if percent:
        text += (
            f". Percents ({', '.join(percent)}): 2 means 2%; in a spreadsheet a cell formatted as a "
            "percent counts as the percent it shows."
        )
    return text


class ImportDialog(QDialog):
    """Choose the kind and the file, Import. `progressed(done, total)` repeats the import's
    progress in rows (the progress dialog shows it too)."""

    TITLE = "Import"
    progressed = Signal(int, int)

    def __init__(self, env: UiEnv, parent: QWidget | None = None, done: Callable[[int], None] | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.done_callback = done
        self.job: Job | None = None
        self.imported: int | None = None
        self.setWindowTitle(self.TITLE)
        self.kind = QComboBox(self)
        self.kind.addItems(list(KINDS))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.path = QLineEdit(self)
        self.path.setMinimumWidth(380)
        self.path.setPlaceholderText("a .csv or .xlsx file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.columns = QLabel(self)
        self.columns.setWordWrap(True)
        self.columns.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.import_button = QPushButton("Import")
        self.import_button.clicked.connect(self.run_import)
        lay_out_form_dialog(
            self,
            "The whole file is imported or nothing is: a problem on any row is listed with "
            "its row and column, and nothing is written.",
            [("Kind:", self.kind), ("File:", file_row), ("", self.columns)],
            self.status,
            self.import_button,
        )
        self._kind_changed()
        self.resize(680, 220)

    def chosen_kind(self) -> str:
        return KINDS[self.kind.currentText()]

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentText(next(name for name, k in KINDS.items() if k == kind))

    def _kind_changed(self, _index: int = 0) -> None:
        self.columns.setText(columns_text(self.chosen_kind()))

    def browse(self) -> None:
        start = self.path.text() or str(self.env.settings.value("import/folder") or Path.home())
        chosen = self.env.interaction.open_path(
            self, "Import from", start, "CSV or Excel (*.csv *.xlsx);;All files (*)"
        )
        if chosen:
            self.path.setText(chosen)

    def run_import(self) -> Job | None:
        if self.env.runner.busy:
            self.env.interaction.inform(self, self.TITLE, "Wait until the running action has finished.")
            return None
        path = typed_path(self.env, self, self.TITLE, self.path, "Choose the file to import.")
        if path is None:
            return None
        kind, name = self.chosen_kind(), self.kind.currentText()
        self.env.settings.setValue("import/folder", str(path.parent))

        def work(uow: Any, job: Job) -> int:
            return imports.import_file(uow, kind, path, progress=job.progress)

        self.imported = None
        self.status.setText("")
        self.job = self.env.runner.run(
            self,
            f"Importing {name.lower()}",
            work,
            lambda n: self._imported(n, path),
            on_error=self._failed,
            unit="rows",
            delay_ms=0,
            on_progress=self._progress,
        )
        return self.job

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.status.setText(f"Wrote {done:,} of {total:,} rows…" if done else f"Read {total:,} rows; checking them…")
        self.progressed.emit(done, total)

    def _failed(self, _exc: BaseException) -> bool:
        self.status.setText("Nothing was imported.")
        return False  # the one error dialog lists the problems

    def _imported(self, count: int, path: Path) -> None:
        self.imported = count
        text = f"Imported {count:,} row{'' if count == 1 else 's'} from {path.name}."
        self.status.setText(text)
        self.env.interaction.inform(self, self.TITLE, text)
        if self.done_callback is not None:
            self.done_callback(count)
