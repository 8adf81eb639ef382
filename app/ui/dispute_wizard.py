"""File Dispute (SPEC §14), a wizard of three pages: 1) reason and amount (and the day it is
filed), 2) title, summary and supporting documents, 3) review and Submit, which shows the
Dispute ID. Each page is checked before Next as filing checks it (app.services.settlement_reads
.dispute_problems, the document rules of app.domain.documents); Submit files it through
app.services.disputes.file_dispute, which checks everything again and writes nothing when it
refuses."""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.documents import ACCEPTED_TEXT, MAX_BYTES, TYPE_NAMES, content_type, document_problems, size_text
from app.domain.validation import Problem
from app.domain.vocabulary import DISPUTE_REASONS
from app.services import disputes, settlement_reads
from app.services.disputes import TITLE_MAX, DisputeView
from app.services.invoice_views import InvoiceView

from .bars import hbox
from .base import ProblemList, UiEnv
from .editors import DecimalEdit
from .reports_common import date_edit
from .settlement_dialogs import day_of, refusal_problems

FILE_FILTER = "Documents (*.pdf *.png *.jpg *.jpeg *.xlsx *.csv);;All files (*)"
BUTTONS = QWizard.WizardButton


class ReasonPage(QWizardPage):
    def __init__(self, wizard: DisputeWizard) -> None:
        super().__init__()
        self.wiz = wizard
        v = wizard.invoice
        self.setTitle("1. Reason and amount")
        self.setSubTitle(
            f"Invoice {v.invoice_no} of {v.vendor_code} {v.vendor_name}: amount {v.amount:,.2f} {v.currency}, "
            f"open {v.open_amount:,.2f}. The amount disputed is more than 0 and at most what is open."
        )
        self.reason = QComboBox(self)
        self.reason.addItems(DISPUTE_REASONS)
        self.amount = DecimalEdit(self)
        self.amount.setText(f"{v.open_amount:.2f}")
        self.day = date_edit(self)
        self.problems = ProblemList(wizard.go_to, self)
        form = QFormLayout()
        form.addRow("Reason:", self.reason)
        form.addRow("Amount disputed:", self.amount)
        form.addRow("Filed on:", self.day)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addStretch(1)

    def validatePage(self) -> bool:  # noqa: N802
        w = self.wiz
        number, reason, amount, day = w.invoice.invoice_no, self.reason.currentText(), self.amount.decimal(), w.day()
        found = w.env.runner.call(
            self, "File Dispute", lambda uow: settlement_reads.dispute_problems(uow, number, reason, amount, day)
        )
        if found is None:  # the read failed and was reported
            return False
        return w.show_problems(self.problems, found)


class DetailsPage(QWizardPage):
    def __init__(self, wizard: DisputeWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("2. Title, summary and documents")
        self.setSubTitle(
            f"Both the title and the summary are required. Documents: {ACCEPTED_TEXT}, at most 10 MB each."
        )
        self.title_edit = QLineEdit(self)
        self.title_edit.setMaxLength(TITLE_MAX)
        self.summary = QPlainTextEdit(self)
        self.summary.setMaximumHeight(90)
        self.documents = QTableWidget(0, 3, self)
        self.documents.setHorizontalHeaderLabels(["Name", "Type", "Size"])
        self.documents.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.documents.verticalHeader().hide()
        self.documents.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.documents.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.documents.setMinimumHeight(90)
        self.add_button = QPushButton("Add file…")
        self.add_button.clicked.connect(lambda _c=False: self.choose_file())
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(lambda _c=False: self.remove_selected())
        self.problems = ProblemList(wizard.go_to, self)
        form = QFormLayout()
        form.addRow("Title:", self.title_edit)
        form.addRow("Summary:", self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(hbox(QLabel("Supporting documents:"), None, self.add_button, self.remove_button))
        layout.addWidget(self.documents, 1)
        layout.addWidget(self.problems)

    def choose_file(self) -> None:
        chosen = self.wiz.env.interaction.open_path(self, "Add a supporting document", str(Path.home()), FILE_FILTER)
        if chosen:
            self.add_file(Path(chosen))

    def add_file(self, path: Path) -> bool:
        """Read a file and add it (refused, listed below, when it is not a document accepted)."""
        label = self.wiz.label
        try:
            size = path.stat().st_size
            data = path.read_bytes() if size <= MAX_BYTES else None
        except OSError as exc:
            return self.wiz.show_problems(self.problems, [Problem(label, f"attachment {path.name}", str(exc))])
        return self.add_document(path.name, data, size)

    def add_document(self, name: str, data: bytes | None, size: int | None = None) -> bool:
        """A document given as its name and bytes (a file read, or an upload)."""
        size = len(data or b"") if size is None else size
        if not self.wiz.show_problems(self.problems, document_problems(self.wiz.label, name, size, data)):
            return False
        assert data is not None
        self.wiz.attachments.append((name, data))
        row = self.documents.rowCount()
        self.documents.insertRow(row)
        kind = content_type(data)
        for column, text in enumerate((name, TYPE_NAMES.get(kind or "", ""), size_text(size))):
            item = QTableWidgetItem(text)
            if column == 2:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.documents.setItem(row, column, item)
        return True

    def listed(self) -> list[tuple[str, str, str]]:
        """(name, type, size) of each document listed."""
        table = self.documents
        return [
            tuple(item.text() if (item := table.item(r, c)) is not None else "" for c in range(3))  # type: ignore[misc]
            for r in range(table.rowCount())
        ]

    def remove_selected(self) -> None:
        row = self.documents.currentRow()
        if 0 <= row < len(self.wiz.attachments):
            del self.wiz.attachments[row]
            self.documents.removeRow(row)

    def validatePage(self) -> bool:  # noqa: N802
        label, found = self.wiz.label, []
        if not self.title_edit.text().strip():
            found.append(Problem(label, "title", "is required"))
        if not self.summary.toPlainText().strip():
            found.append(Problem(label, "summary", "is required"))
        return self.wiz.show_problems(self.problems, found)


class ReviewPage(QWizardPage):
    def __init__(self, wizard: DisputeWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("3. Review and submit")
        self.setSubTitle("Check the dispute, then Submit: it is given its Dispute ID. Back changes it first.")
        self.review = QLabel("")
        self.review.setWordWrap(True)
        self.review.setTextFormat(Qt.TextFormat.RichText)
        self.review.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.outcome = QLabel("")
        self.outcome.setStyleSheet("font-weight: bold; color: #1d6b2f; font-size: 14px;")
        self.problems = ProblemList(wizard.go_to, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.review, 1)
        layout.addWidget(self.outcome)
        layout.addWidget(self.problems)

    def initializePage(self) -> None:  # noqa: N802
        w, first, details = self.wiz, self.wiz.first, self.wiz.details
        v = w.invoice
        docs = "".join(f"<li>{escape(name)} ({kind}, {size})</li>" for name, kind, size in details.listed())
        rows = (
            ("Invoice", f"{v.invoice_no} · {v.vendor_code} {v.vendor_name} · open {v.open_amount:,.2f} {v.currency}"),
            ("Reason", first.reason.currentText()),
            ("Amount disputed", f"{first.amount.decimal() or 0:,.2f} {v.currency}"),
            ("Filed on", w.day().isoformat()),
            ("Title", details.title_edit.text().strip()),
            ("Summary", details.summary.toPlainText().strip()),
        )
        table = "".join(
            f"<tr><td style='padding-right:14px'><b>{name}</b></td><td>{escape(text).replace(chr(10), '<br>')}</td></tr>"
            for name, text in rows
        )
        self.review.setText(
            f"<table cellspacing='4'>{table}</table><p><b>Supporting documents</b>"
            f"{f'<ul>{docs}</ul>' if docs else ': none'}</p>"
        )
        self.problems.show_problems([])

    def isComplete(self) -> bool:  # noqa: N802
        return self.wiz.filed is not None


class DisputeWizard(QWizard):
    """The three pages; `filed` (the DisputeView) once submitted, also emitted."""

    dispute_filed = Signal(object)

    def __init__(self, env: UiEnv, invoice: InvoiceView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env, self.invoice = env, invoice
        self.label = f"Dispute of {invoice.invoice_no}"
        self.attachments: list[tuple[str, bytes]] = []
        self.filed: DisputeView | None = None
        self.setWindowTitle(f"File Dispute — {invoice.invoice_no}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(760, 560)
        self.first, self.details, self.last = ReasonPage(self), DetailsPage(self), ReviewPage(self)
        for page in (self.first, self.details, self.last):
            self.addPage(page)
        self.setButtonText(BUTTONS.CustomButton1, "Submit")
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.customButtonClicked.connect(lambda _which: self.submit())
        self.currentIdChanged.connect(self._buttons)
        self._buttons()
        self.fields = {
            "reason": self.first.reason, "amount": self.first.amount, "date": self.first.day,
            "title": self.details.title_edit, "summary": self.details.summary, "attachment": self.details.documents,
        }  # fmt: skip

    def day(self) -> date:
        return day_of(self.first.day)

    def _buttons(self, _page: int = -1) -> None:
        on_review = self.currentPage() is self.last
        if self.filed is not None:
            layout = [BUTTONS.Stretch, BUTTONS.FinishButton]
        elif on_review:
            layout = [BUTTONS.Stretch, BUTTONS.BackButton, BUTTONS.CustomButton1, BUTTONS.CancelButton]
        else:
            layout = [BUTTONS.Stretch, BUTTONS.BackButton, BUTTONS.NextButton, BUTTONS.CancelButton]
        self.setButtonLayout(layout)

    def show_problems(self, where: ProblemList, problems: list[Problem]) -> bool:
        """List the problems on the page (focusing the first one's field); whether there were none."""
        where.show_problems(problems)
        if problems:
            self.go_to(problems[0].record, problems[0].field)
        return not problems

    def go_to(self, _record: str, field: str) -> None:
        widget = self.fields.get(field) or self.fields.get(field.split(" ")[0])
        if widget is not None:
            widget.setFocus()

    def submit(self) -> None:
        if self.filed is not None or self.env.runner.busy:
            return
        number, reason, amount = self.invoice.invoice_no, self.first.reason.currentText(), self.first.amount.decimal()
        title, summary = self.details.title_edit.text(), self.details.summary.toPlainText()
        attachments, day = list(self.attachments), self.day()
        self.button(BUTTONS.CustomButton1).setEnabled(False)

        def work(uow, _job):  # type: ignore[no-untyped-def]
            return disputes.file_dispute(uow, number, reason, amount, title, summary, attachments, day)

        self.env.runner.run(self, "File Dispute", work, self._filed, on_error=self._refused)

    def _filed(self, view: DisputeView) -> None:
        self.filed = view
        self.last.outcome.setText(f"Filed as Dispute ID {view.dispute_no} · answer due by {view.deadline.isoformat()}")
        self._buttons()
        self.last.completeChanged.emit()
        self.dispute_filed.emit(view)

    def _refused(self, exc: BaseException) -> bool:
        self.button(BUTTONS.CustomButton1).setEnabled(True)
        problems = refusal_problems("File Dispute", exc)
        if problems is None:
            return False
        self.last.problems.show_problems(problems)
        return True
