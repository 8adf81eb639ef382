"""Processing › Month Close (SPEC §13): choose the month and the run date; Preview (F5) lists
per vendor the lump sums the close will accrue and the co-op invoices it will make, writing
nothing; Close Month (F10) runs the close in the background, one vendor at a time, with its
progress and a Cancel that stops between two vendors (those done stay invoiced, a new close
goes on with the rest); then the invoices made are listed. A month that may not close (not
over yet, out of order) is said on the screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.domain.invoicing import month_of, next_month, previous_month
from app.domain.money import ZERO
from app.domain.vocabulary import KIND_NAMES, LUMP_SUM, METHOD_NAMES
from app.services import invoice_detail, invoice_documents, month_close
from app.services.errors import ServiceError, ValidationFailed
from app.services.invoice_views import InvoiceView
from app.services.month_close import CloseCancelled, CloseResult, VendorPlan

from .bars import hbox
from .base import Screen, UiEnv, heading
from .operations import Job
from .reports_common import RCol, ReportModel, ReportView, date_edit

INVOICE_ROW, LUMP_SUM_ROW, TOTAL_ROW = "Invoice", "To accrue", "Total"


@dataclass(frozen=True)
class CloseRow:
    """A line of the grid: an invoice (to make, or made), a lump sum to accrue, or a total."""

    what: str
    vendor_code: str
    vendor_name: str
    invoice_no: str
    kind: str
    agreement: str  # the agreement's number, or "provisional"
    method: str
    lines: int | None
    amount: Decimal


def _kind(row: CloseRow) -> str:
    return KIND_NAMES.get(row.kind, row.kind)


def _method(row: CloseRow) -> str:
    return f"{row.method} ({METHOD_NAMES[row.method]})" if row.method in METHOD_NAMES else row.method


COLUMNS = (
    RCol("Vendor", lambda r: r.vendor_code, width=104),
    RCol("Name", lambda r: r.vendor_name, width=250, tip=lambda r: r.vendor_name),
    RCol("Type", lambda r: r.what, width=80),
    RCol("Invoice", lambda r: r.invoice_no, width=196),
    RCol("Kind", _kind, width=130),
    RCol("Agreement", lambda r: r.agreement, width=80),
    RCol("Method", _method, width=200),
    RCol("Lines", lambda r: r.lines, "int", width=56),
    RCol("Amount", lambda r: r.amount, "decimal", width=110),
)


def plan_rows(plans: list[VendorPlan]) -> list[CloseRow]:
    """The preview's rows: per vendor its lump sums, then its invoices; a total per vendor."""
    rows: list[CloseRow] = []
    for plan in plans:
        code, name = plan.vendor_code, plan.vendor_name
        for _aid, number, amount in plan.lump_sums:
            rows.append(CloseRow(LUMP_SUM_ROW, code, name, "", LUMP_SUM, number, "", None, amount))
        for d in plan.drafts:
            agreement = "provisional" if d.provisional else (d.agreement_no or "")
            amount = Decimal(d.amount).scaleb(-2)
            rows.append(
                CloseRow(INVOICE_ROW, code, name, "(to make)", d.kind, agreement, d.method, len(d.lines), amount)
            )
        billed = sum((Decimal(d.amount).scaleb(-2) for d in plan.drafts), ZERO)
        rows.append(CloseRow(TOTAL_ROW, code, "", "", "", "", "", None, billed))
    return rows


def made_rows(views: list[InvoiceView]) -> list[CloseRow]:
    rows = [
        CloseRow(
            INVOICE_ROW, v.vendor_code, v.vendor_name, v.invoice_no, v.kind,
            "provisional" if v.provisional else (v.agreement_no or ""), v.method, None, v.amount,
        )
        for v in views
    ]  # fmt: skip
    return rows


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class MonthCloseScreen(Screen):
    title = "Month Close"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.month_edit = QDateEdit(self)
        self.month_edit.setDisplayFormat("yyyy-MM")
        self.month_edit.setMaximumWidth(110)
        self.run_date = date_edit(self)
        self.run_date.setMaximumWidth(130)
        self.preview_button = QPushButton("Preview (F5)")
        self.preview_button.clicked.connect(self.preview)
        self.close_button = QPushButton("Close Month (F10)")
        self.close_button.clicked.connect(self.close_month)
        self.print_button = QPushButton("Print Invoices…")
        self.print_button.setToolTip("The month's invoice PDFs, one file per vendor, in a folder (SPEC §13)")
        self.print_button.clicked.connect(lambda _c=False: self.print_invoices())
        self.add_shortcut("Preview", "F5", self.preview)
        self.add_shortcut("Close month", "F10", self.close_month)
        self.last = QLabel("")
        self.last.setStyleSheet("color: #555;")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%v of %m vendors")
        self.progress.hide()
        self.caption = heading("")
        self.model = ReportModel(COLUMNS, emphasis=lambda r: r.what == TOTAL_ROW)
        self.view = ReportView(self.model, self, sorting=None)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel("")
        self.summary.setStyleSheet("font-weight: bold;")
        self.rows: list[CloseRow] = []
        self.job: Job | None = None  # the close running, or the last one
        note = QLabel(
            "A month closes from the first day of the following month, months in order. For each vendor, its "
            "lump sums accrue (dated the month's last day), then every rebate receivable dated up to the month's "
            "end and on no invoice yet goes on one co-op invoice per kind, agreement (or provisional accruals) and "
            "settlement method. Each vendor is closed in its own transaction: Cancel stops between two vendors."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(
            hbox(
                heading(self.title), 16, "Month:", self.month_edit, 12, "Run date:", self.run_date, 12,
                self.preview_button, self.close_button, self.print_button, 16, (self.last, 1),
            )
        )  # fmt: skip
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    # -- the month
    def start(self) -> None:
        last = self.runner.call(self, "Month close", invoice_detail.last_month_closed)
        today = date.today()
        self.set_month(next_month(last) if last else previous_month(month_of(today)))
        self.last.setText(f"Last month closed: {last}" if last else "No month closed yet")

    def set_month(self, month: str) -> None:
        self.month_edit.setDate(QDate(int(month[:4]), int(month[5:7]), 1))

    def set_run_date(self, day: date) -> None:
        self.run_date.setDate(_qdate(day))

    def month(self) -> str:
        chosen = self.month_edit.date()
        return f"{chosen.year():04d}-{chosen.month():02d}"

    def chosen_run_date(self) -> date:
        chosen = self.run_date.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.setStyleSheet("color: #8a1010; font-weight: bold;" if problem else "color: #1f3b57;")
        self.message.setText(text)

    def _refused(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            self._say("Not closed: " + "; ".join(p.message for p in exc.problems) + ". Nothing was written.", True)
            return True
        return False

    # -- printing (SPEC §13: the invoice PDFs of a close in one batch)
    def print_invoices(self, folder: str | None = None) -> None:
        month = self.month()
        folder = folder or self.env.interaction.folder_path(
            self, f"Folder for the invoices of {month}", str(Path.home())
        )
        if not folder:
            return

        def work(uow: Any, _job: Any) -> list[Path]:
            return invoice_documents.print_month(uow, month, folder)

        def done(paths: list[Path]) -> None:
            self._say(f"Wrote the invoices of {month}: {plural(len(paths), 'PDF')} (one per vendor) to {folder}.")

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ServiceError):
                self._say(f"Not printed: {exc}.", True)
                return True
            return False

        self.runner.run(self, "Print invoices", work, done, on_error=refused)

    # -- preview
    def preview(self) -> None:
        if self.runner.busy:
            return
        month, run_date = self.month(), self.chosen_run_date()

        def work(uow: Any, _job: Any) -> tuple[list[VendorPlan], bool]:
            return month_close.preview_close(uow, month, run_date), invoice_detail.month_is_closed(uow, month)

        self._say("")
        self.runner.run(
            self, "Previewing the close", work, lambda r: self._previewed(month, *r), on_error=self._refused
        )

    def _previewed(self, month: str, plans: list[VendorPlan], closed: bool) -> None:
        self.rows = plan_rows(plans)
        self.model.set_records(self.rows)
        invoices = [r for r in self.rows if r.what == INVOICE_ROW]
        lumps = [r for r in self.rows if r.what == LUMP_SUM_ROW]
        total = sum((r.amount for r in invoices), ZERO)
        self.caption.setText(f"Preview of the close of {month} (nothing written)")
        if closed:
            self._say(f"{month} is closed already: closing it again creates nothing.")
        elif not plans:
            self._say(f"Nothing to invoice for {month}; closing it records the month as closed.")
        self.summary.setText(
            f"{plural(len(plans), 'vendor')} · {plural(len(invoices), 'invoice')} · total {total:,.2f}"
            f" · {plural(len(lumps), 'lump sum')} to accrue {sum((r.amount for r in lumps), ZERO):,.2f}"
        )

    # -- close
    def close_month(self) -> None:
        if self.runner.busy:
            return
        month, run_date = self.month(), self.chosen_run_date()
        if not self.env.interaction.confirm(
            self, "Close Month", f"Close {month} with run date {run_date.isoformat()}? Invoices are frozen once made."
        ):
            return

        def work(uow: Any, job: Any) -> tuple[CloseResult, list[InvoiceView]]:
            result = month_close.close_month(uow.ctx, month, run_date, progress=job.progress, cancelled=job.cancelled)
            return result, invoice_detail.invoices_made(uow, month, result.invoices)

        self._say(f"Closing {month}…")
        self.progress.setValue(0)
        self.progress.setMaximum(1)
        self.progress.show()
        self.job = self.runner.run(
            self,
            f"Closing {month}",
            work,
            lambda r: self._closed(*r),
            on_error=lambda exc: self._stopped(month, exc),
            cancellable=True,
            unit="vendors",
            delay_ms=0,
            on_progress=self._progressed,
        )

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _closed(self, result: CloseResult, views: list[InvoiceView]) -> None:
        self.progress.hide()
        self.start_keep_month(result.month)
        if result.already_closed:
            self._say(f"{result.month} was closed already: nothing was created.")
            return
        self.rows = made_rows(views)
        self.model.set_records(self.rows)
        total = sum((v.amount for v in views), ZERO)
        self.caption.setText(f"Invoices made by the close of {result.month}")
        self._say(
            f"{result.month} is closed: {plural(len(result.invoices), 'invoice')} for "
            f"{plural(result.vendors, 'vendor')}, {plural(result.lump_sum_entries, 'lump-sum accrual')} posted."
        )
        self.summary.setText(f"{plural(len(views), 'invoice')} · total {total:,.2f}")
        self.status_message.emit(f"Closed {result.month}: {len(result.invoices)} invoices")

    def start_keep_month(self, month: str) -> None:
        """The last month closed again, keeping the month shown."""
        last = self.runner.call(self, "Month close", invoice_detail.last_month_closed)
        self.last.setText(f"Last month closed: {last}" if last else "No month closed yet")
        self.set_month(month)

    def _stopped(self, month: str, exc: BaseException) -> bool:
        self.progress.hide()
        if self._refused(exc):
            return True
        if not isinstance(exc, CloseCancelled):
            return False
        done = self.runner.call(self, "Month close", lambda uow: invoice_detail.vendors_closed(uow, month)) or []
        names = ", ".join(code for code, _name in done) or "none"
        text = (
            f"The close of {month} was cancelled. Vendors done (invoiced in full): {names}. The others are "
            "untouched: close the month again to go on with them."
        )
        self._say(text, True)
        self.env.interaction.inform(self, "Month Close", text)
        return True
