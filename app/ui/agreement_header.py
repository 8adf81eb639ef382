"""The agreement screen's header (issue 14, SPEC §11.1): description, the vendor's contract
reference, the header dates new lines default to, who accepted or rejected it and when; and
the Terms tab (editable until the agreement is accepted; the service refuses a change after)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from app.domain.vocabulary import ACCEPTED, REJECTED

from .bars import hbox

DATE_HINT = "YYYY-MM-DD"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


class HeaderPanel(QWidget):
    """Description, Vendor ref, Start and End Date of the agreement, whether it requires vendor
    actuals (SPEC §13: editable like the description, also once accepted), and its decision."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.description = QLineEdit(self)
        self.description.setMaxLength(200)
        self.description.setPlaceholderText("what the agreement is for")
        self.vendor_ref = QLineEdit(self)
        self.vendor_ref.setMaxLength(60)
        self.vendor_ref.setPlaceholderText("the vendor's contract number")
        self.start = QLineEdit(self)
        self.end = QLineEdit(self)
        for edit in (self.start, self.end):
            edit.setPlaceholderText(DATE_HINT)
            edit.setMaximumWidth(100)
        self.actuals = QCheckBox("Actuals required", self)
        self.actuals.setToolTip(
            "The vendor states each month's amount; the month's invoice is held until that actual is accepted"
        )
        self.actuals.toggled.connect(lambda _on: self.edited.emit())
        self.decision = QLabel("")
        self.decision.setWordWrap(True)  # "Accepted by … on …" wraps rather than widen the window
        self.decision.setObjectName("decision")
        for edit in (self.description, self.vendor_ref, self.start, self.end):
            edit.textEdited.connect(lambda _t: self.edited.emit())
        row = hbox(
            "Description:",
            (self.description, 3),
            10,
            "Vendor ref:",
            (self.vendor_ref, 1),
            10,
            "Start Date:",
            self.start,
            "End Date:",
            self.end,
            10,
            self.actuals,
            10,
            self.decision,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        self.loaded: tuple[str, str, str, str] = ("", "", "", "")
        self.loaded_actuals = False

    def load(self, view: Any | None) -> None:
        """The header of an AgreementView (None: a new agreement, blank)."""
        values = (
            ("", "", "", "") if view is None else (view.description, view.vendor_ref, _day(view.start), _day(view.end))
        )
        for edit, value in zip((self.description, self.vendor_ref, self.start, self.end), values, strict=True):
            edit.setText(value)
            edit.setCursorPosition(0)  # a long description shows its beginning
        self.loaded = values
        self.actuals.blockSignals(True)
        self.actuals.setChecked(bool(view is not None and view.actuals_required))
        self.actuals.blockSignals(False)
        self.loaded_actuals = self.actuals.isChecked()
        self.show_decision(view)

    def show_decision(self, view: Any | None) -> None:
        if view is None or view.status not in (ACCEPTED, REJECTED) or view.decided_at is None:
            self.decision.setText("")
            return
        day = view.decided_at.astimezone().date().isoformat()
        colour = "#1d6b2f" if view.status == ACCEPTED else "#9b1c1c"
        self.decision.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.decision.setText(f"{view.status.capitalize()} by {view.decided_by} on {day}")

    def texts(self) -> tuple[str, str, str, str]:
        return (self.description.text(), self.vendor_ref.text(), self.start.text().strip(), self.end.text().strip())

    def is_dirty(self) -> bool:
        return self.texts() != self.loaded or self.actuals.isChecked() != self.loaded_actuals

    def dates(self) -> tuple[date | None, date | None, list[tuple[str, str]]]:
        """(start, end, problems as (field, message)) of the date fields."""
        problems: list[tuple[str, str]] = []
        out: list[date | None] = []
        for name, edit in (("Start Date", self.start), ("End Date", self.end)):
            raw = edit.text().strip()
            try:
                out.append(date.fromisoformat(raw) if raw else None)
            except ValueError:
                problems.append((name, f"{raw!r} is not a date ({DATE_HINT})"))
                out.append(None)
        return out[0], out[1], problems

    def set_read_only(self, read_only: bool) -> None:
        for edit in (self.description, self.vendor_ref, self.start, self.end):
            edit.setReadOnly(read_only)
        self.actuals.setEnabled(not read_only)


class TermsTab(QWidget):
    """The agreement's terms and conditions: a copy of the company's template for its kind
    when created, editable until it is accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel("")
        self.note.setStyleSheet("color: #555;")
        self.editor = QPlainTextEdit(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.note)
        layout.addWidget(self.editor, 1)
        self.loaded = ""

    def load(self, text: str, status: str | None, read_only: bool) -> None:
        self.editor.setPlainText(text)
        self.loaded = self.editor.toPlainText()
        locked = read_only or status == ACCEPTED
        self.editor.setReadOnly(locked)
        if status == ACCEPTED:
            self.note.setText("Read only: the agreement is accepted; its terms and conditions can no longer change.")
        elif status is None:
            self.note.setText("The company's template for this kind; edit it for this agreement before sending it.")
        else:
            self.note.setText("Editable until the agreement is accepted.")

    def text(self) -> str:
        return self.editor.toPlainText()

    def is_dirty(self) -> bool:
        return self.text() != self.loaded


def write_confirmation(screen: Any) -> None:
    """The Confirmation PDF button: the agreement as stored, to a file the user chooses."""
    from pathlib import Path

    from app.reports.confirmation_pdf import confirmation_filename
    from app.services import confirmation

    agreement_id = screen.agreement_id
    if agreement_id is None or screen.vendor is None:
        return
    title = "Agreement confirmation"
    if screen.is_dirty():
        screen.env.interaction.inform(screen, title, "The confirmation shows the agreement as saved: save it first.")
        return
    number = screen.agreement_box.currentText().split(" ")[0]
    folder = screen.env.settings.value("export/folder") or str(Path.home())
    suggested = Path(str(folder)) / confirmation_filename(screen.vendor, screen.kind, number)
    chosen = screen.env.interaction.save_path(screen, "Save the confirmation as", str(suggested), "PDF (*.pdf)")
    if not chosen:
        return
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    screen.env.settings.setValue("export/folder", str(path.parent))

    def work(uow: Any, _job: Any, force: bool) -> int:
        return confirmation.write_confirmation_of(uow, agreement_id, path, force=force)

    def done(pages: int) -> None:
        screen.status_message.emit(f"Wrote the confirmation ({pages} page{'s' if pages != 1 else ''}) to {path}")
        if not screen.env.interaction.show_file(str(path)):
            screen.env.interaction.inform(screen, title, f"Wrote {path}. No PDF viewer could be opened.")

    screen.env.runner.run_writing(screen, title, work, done)
