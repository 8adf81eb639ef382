"""Receiving slip entry: header, lines, totals, the rebate preview before posting, Save as
draft, Post, and the journal entries of a posted slip (read-only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.vocabulary import DRAFT, POSTED
from app.services import queries, receiving
from app.services.errors import ValidationFailed

from .base import ProblemList, Screen, UiEnv, heading
from .grid import GridView, read_only_view
from .list_model import ListModel
from .lookups import VendorBox, choose
from .models import captioned, fmt_decimal, map_problems, row_label_number
from .receiving_panels import JOURNAL_SPEC, PREVIEW_SPEC
from .slip_lines import SlipLinesModel

if TYPE_CHECKING:
    from app.services.context import UnitOfWork

LINE_PREFIX = "Line"


class ReceivingScreen(Screen):
    title = "Receiving Slips"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.status = "NEW"
        self.vendor: str | None = None
        self.lines = SlipLinesModel(receiving.extended)
        self.view = GridView(self, self._completions)
        self.view.setModel(self.lines)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(
            self.lines.column_index("Description"), QHeaderView.ResizeMode.Stretch
        )
        self.preview_model = ListModel(PREVIEW_SPEC)
        self.journal_model = ListModel(JOURNAL_SPEC)
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(250)
        self.preview_timer.timeout.connect(self.refresh_preview)
        self._build()
        for signal in (self.lines.dataChanged, self.lines.rowsInserted, self.lines.rowsRemoved):
            signal.connect(self._lines_changed)

    def _build(self) -> None:
        self.slip_box = QComboBox(self)
        self.slip_box.setMinimumWidth(330)
        self.slip_box.activated.connect(self._slip_chosen)
        new = QPushButton("New slip")
        new.clicked.connect(self.new_slip)
        self.slip_no = QLineEdit(self)
        self.slip_no.setMaximumWidth(130)
        self.vendor_box = VendorBox(self)
        self.vendor_box.vendor_chosen.connect(self._vendor_chosen)
        self.received = QDateEdit(self)
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("yyyy-MM-dd")
        self.received.dateChanged.connect(lambda _d: self._header_changed())
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText("packing slip, PO…")
        self.reference.textEdited.connect(lambda _t: self._header_changed())
        self.status_label = QLabel()
        self.status_label.setStyleSheet("font-weight: bold;")
        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Open slip:"))
        row1.addWidget(self.slip_box)
        row1.addWidget(new)
        row1.addStretch(1)
        row1.addWidget(self.status_label)
        row2 = QHBoxLayout()
        for text, widget, stretch in (
            ("Slip no:", self.slip_no, 0),
            ("Vendor:", self.vendor_box, 2),
            ("Received:", self.received, 0),
            ("Reference:", self.reference, 1),
        ):
            row2.addWidget(QLabel(text))
            row2.addWidget(widget, stretch)
            row2.addSpacing(8)

        self.add_button = QPushButton("Add (Ins)")
        self.delete_button = QPushButton("Delete (Del)")
        self.lookup_button = QPushButton("Lookup (F4)")
        self.add_button.clicked.connect(self._add)
        self.delete_button.clicked.connect(self._delete)
        self.lookup_button.clicked.connect(lambda: self._lookup(self.view.currentIndex()))
        self.view.insert_requested.connect(self._add)
        self.view.delete_requested.connect(self._delete)
        self.view.lookup_requested.connect(self._lookup)
        bar = QHBoxLayout()
        bar.addWidget(heading("Lines"))
        bar.addStretch(1)
        for button in (self.add_button, self.delete_button, self.lookup_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            bar.addWidget(button)
        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-weight: bold;")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.addLayout(bar)
        lines_layout.addWidget(self.view, 1)
        lines_layout.addWidget(self.total_label)

        self.preview_view = read_only_view(self.preview_model)
        self.preview_view.horizontalHeader().setStretchLastSection(True)
        self.journal_view = read_only_view(self.journal_model)
        self.journal_view.horizontalHeader().setStretchLastSection(True)
        self.bottom = QTabWidget()
        self.bottom.addTab(self.preview_view, "Rebate preview")
        self.bottom.addTab(self.journal_view, "Journal entries")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(lines_box)
        splitter.addWidget(self.bottom)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([360, 300])

        self.problems = ProblemList(self._go_to)
        self.save_button = QPushButton("Save draft (Ctrl+S)")
        self.post_button = QPushButton("Post")
        self.save_button.clicked.connect(self.save)
        self.post_button.clicked.connect(self.post)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.post_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)

    # -- opening
    def start(self) -> None:
        vendors = self.runner.call(self, "Vendors", lambda uow: queries.vendors(uow)) or []
        self.vendor_box.set_vendors([(v.code, v.name) for v in vendors])
        self.new_slip()

    def refresh_slip_list(self) -> None:
        slips = self.runner.call(self, "Slips", lambda uow: queries.slips(uow)) or []
        current = self.slip_no.text()
        self.slip_box.clear()
        self.slip_box.addItem("(choose a slip to open)", None)
        for s in slips:
            self.slip_box.addItem(
                f"{s.slip_no} · {s.vendor} · {s.received} · {s.status} · {fmt_decimal(s.total)}", s.slip_no
            )
        self.slip_box.setCurrentIndex(max(self.slip_box.findData(current), 0))

    def new_slip(self) -> None:
        if not self._may_discard():
            return
        number = self.runner.call(self, "Slip number", lambda uow: receiving.next_slip_no(uow)) or ""
        self._set_status("NEW")
        self.slip_no.setText(number)
        self.received.setDate(QDate.currentDate())
        self.reference.clear()
        if not self.vendor_box.set_code(self.env.last_vendor):
            self._vendor_chosen(None)
        self.lines.set_rows([])
        self.journal_model.set_records([])
        self.problems.show_problems([])
        self.refresh_slip_list()
        self.bottom.setCurrentIndex(0)
        self.refresh_preview()

    def _slip_chosen(self, index: int) -> None:
        slip_no = self.slip_box.itemData(index)
        if slip_no is None or not self._may_discard():
            return
        self.open_slip(slip_no)

    def open_slip(self, slip_no: str) -> None:
        slip = self.runner.call(self, "Open slip", lambda uow: receiving.load_slip(uow, slip_no))
        if slip is None:
            return
        self.slip_no.setText(slip.slip_no)
        self.vendor_box.set_code(slip.vendor)
        self.received.setDate(QDate(slip.received.year, slip.received.month, slip.received.day))
        self.reference.setText(slip.reference)
        self.lines.set_rows(
            [{"Product": ln.product, "Quantity": ln.quantity, "Unit Cost": ln.unit_cost} for ln in slip.lines]
        )
        self._set_status(slip.status)
        self.problems.show_problems([])
        if slip.status == POSTED:
            self.lines.set_credits({ln.line_no: (ln.inventory_credit, ln.net_unit_cost) for ln in slip.lines})
            self.preview_model.set_records([])
            journal = self.runner.call(self, "Journal", lambda uow: queries.slip_journal(uow, slip_no)) or []
            self.journal_model.set_records(journal)
            self.bottom.setCurrentIndex(1)
        else:
            self.journal_model.set_records([])
            self.bottom.setCurrentIndex(0)
            self.refresh_preview()
        self.refresh_slip_list()
        self._update_total()

    def _set_status(self, status: str) -> None:
        self.status = status
        posted = status == POSTED
        self.lines.read_only = posted
        self.lines.dirty = False
        for widget in (
            self.slip_no,
            self.vendor_box,
            self.received,
            self.reference,
            self.save_button,
            self.post_button,
            self.add_button,
            self.delete_button,
            self.lookup_button,
        ):
            widget.setEnabled(not posted)
        self.slip_no.setReadOnly(status == DRAFT)
        self.bottom.setTabEnabled(0, not posted)
        self.status_label.setText({"NEW": "New slip", DRAFT: "Draft", POSTED: "Posted (read-only)"}[status])

    def _vendor_chosen(self, code: str | None) -> None:
        self.vendor = code
        if code:
            self.env.last_vendor = code
        products = self.runner.call(self, "Products", lambda uow: queries.products(uow, code)) if code else []
        self.lines.products = {p.code: p for p in products or []}
        self._header_changed()

    # -- editing
    def is_dirty(self) -> bool:
        return self.status != POSTED and self.lines.dirty

    def _may_discard(self) -> bool:
        return not self.is_dirty() or self.env.interaction.confirm(
            self, self.title, "Discard the unsaved changes of this slip?"
        )

    def discard(self) -> None:
        self.lines.dirty = False
        if self.status == DRAFT:
            self.open_slip(self.slip_no.text())
        else:
            self.new_slip()

    def _header_changed(self) -> None:
        if self.status != POSTED:
            self.lines.dirty = self.lines.dirty or bool(self.lines.rows)
            self.preview_timer.start()

    def _lines_changed(self, *_args: Any) -> None:
        self._update_total()
        if self.status != POSTED:
            self.preview_timer.start()

    def _update_total(self) -> None:
        n = len(self.lines.rows)
        self.total_label.setText(f"{n} line{'s' if n != 1 else ''} · Total {fmt_decimal(self.lines.total())}")

    def _add(self) -> None:
        if self.lines.read_only:
            return
        current = self.view.currentIndex()
        position = self.lines.insert_row(current.row() + 1 if current.isValid() else len(self.lines.rows), {})
        self.view.go_to(position, self.lines.column_index("Product"))

    def _delete(self) -> None:
        rows = self.view.selected_rows()
        if rows and not self.lines.read_only:
            self.lines.remove_rows(rows)

    def _completions(self, _index: Any) -> list[str]:
        return sorted(self.lines.products)

    def _lookup(self, index: QModelIndex) -> None:
        if self.lines.read_only or not self.lines.products:
            return
        row = index.row() if index.isValid() else -1
        if row < 0:
            self._add()
            row = self.view.currentIndex().row()
        rows = [(p.code, p.description) for p in self.lines.products.values()]
        code = choose(self, f"Products of {self.vendor}", rows, self.lines.rows[row].get("Product"))
        if code:
            self.lines.set_value(row, "Product", code)

    def slip_in(self) -> receiving.SlipIn:
        received: date = self.received.date().toPython()  # type: ignore[assignment]
        return receiving.SlipIn(
            self.slip_no.text().strip() or None,
            self.vendor or "",
            received,
            self.lines.lines_in(LINE_PREFIX),
            self.reference.text().strip(),
            label="Slip",
        )

    def refresh_preview(self) -> None:
        if self.status == POSTED:
            return
        slip = self.slip_in()
        complete = receiving.SlipIn(
            slip.slip_no,
            slip.vendor,
            slip.received,
            tuple(ln for ln in slip.lines if ln.product and ln.quantity),
            slip.reference,
        )
        rows = self.runner.call(self, "Rebate preview", lambda uow: receiving.preview(uow, complete)) or []
        self.preview_model.set_records(rows)
        self.lines.show_preview(complete.lines, rows)

    # -- saving and posting
    def save(self) -> None:
        self._submit(
            "Saving receiving slip",
            lambda uow, slip: receiving.save_slips(uow, [slip], replace_draft=True)[0],
            "Saved draft slip",
        )

    def post(self) -> None:
        self._submit("Posting receiving slip", receiving.save_and_post, "Posted slip")

    def _submit(self, title: str, work: Callable[[UnitOfWork, receiving.SlipIn], str], done: str) -> None:
        """Save or post the slip on screen in the background; then show it as stored."""
        if self.status == POSTED or self.runner.busy:
            return
        self.view.commit_editor()
        slip = self.slip_in()
        self.runner.run(
            self,
            title,
            lambda uow, _job: work(uow, slip),
            lambda slip_no: self._done(slip_no, done),
            on_error=self._failed,
        )

    def _done(self, slip_no: str, done: str) -> None:
        self.lines.dirty = False
        self.open_slip(slip_no)
        self.status_message.emit(f"{done} {slip_no}")

    def _failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            self.lines.set_problems(map_problems(exc.problems, self.lines, LINE_PREFIX))
            self.problems.show_problems(captioned(exc.problems, [self.lines]))
            self.status_message.emit(f"Not saved: {len(exc.problems)} problem(s)")
            return True
        # Anything else (a posting refused): nothing was written, the entry stays on screen as
        # typed, to correct and post again or to save as a draft.
        return False

    def _go_to(self, record: str, field: str) -> None:
        row = row_label_number(record, LINE_PREFIX)
        if row is not None:
            self.view.go_to(row, self.lines.column_index(field))
