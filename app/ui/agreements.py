"""Agreement maintenance (SPEC §3.1): vendor, agreement, status, the group grid above the
product grid, F2 defaults, F4 lookups, Save with every bad cell highlighted, History tab."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.domain.lifecycle import allowed_statuses
from app.domain.vocabulary import KIND_NAMES, LUMP_SUM, PENDING, PERIODIC
from app.services import agreements, queries, terms
from app.services.agreements import AgreementHeader, LineDraft
from app.services.errors import Problem, StaleRecord, ValidationFailed
from app.services.security import Permission

from .access import access
from .agreement_editing import GridEditing
from .agreement_header import HeaderPanel, TermsTab, write_confirmation
from .agreement_lines import AgreementLinesModel, LinesPanel
from .bars import hbox
from .base import ProblemList, Screen, UiEnv
from .grid import GridView
from .history import HistoryView
from .lookups import VendorBox
from .lump_sum_panel import LumpSumPanel
from .models import captioned, map_problems
from .tier_chart import TierProgressPanel

NEW = "New agreement"


class AgreementScreen(GridEditing, Screen):
    def __init__(self, env: UiEnv, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.kind = kind
        self.title = f"{KIND_NAMES[kind]} Agreements"
        self.vendor: str | None = None
        self.agreement_id: int | None = None
        self.version: int | None = None
        self.loaded_status = PENDING
        self.vendor_products: list[queries.ProductRow] = []
        periodic = kind == PERIODIC
        self.group = AgreementLinesModel(False, periodic, agreements.result_of, LineDraft)
        self.product = AgreementLinesModel(True, periodic, agreements.result_of, LineDraft)
        self.group_view = GridView(self, self._completions)
        self.product_view = GridView(self, self._completions)
        self.group_view.setModel(self.group)
        self.product_view.setModel(self.product)
        allowed = self.runner.call(self, self.title, lambda uow: access(uow).allowed) or frozenset()
        self.read_only = Permission.AGREEMENTS not in allowed  # a clerk or an accountant views them
        self._build()
        if self.read_only:
            self._make_read_only()

    # -- layout
    def _build(self) -> None:
        self.vendor_box = VendorBox(self)
        self.vendor_box.setMinimumWidth(180)  # the header and its buttons fit 1024 pixels
        self.vendor_box.vendor_chosen.connect(self._vendor_chosen)
        self.agreement_box = QComboBox(self)
        self.agreement_box.setMinimumWidth(140)
        self.agreement_box.activated.connect(self._agreement_chosen)
        self.status_box = QComboBox(self)
        self._offer_statuses(None)
        self.info = QLabel("")
        self.info.setStyleSheet("color: #555;")
        save = QPushButton("Save (Ctrl+S)")
        self.save_button = save
        self.read_only_label = QLabel("")
        self.read_only_label.setStyleSheet("color: #8a4b00; font-weight: 600;")
        cancel = QPushButton("Cancel (Esc)")
        save.clicked.connect(self.save)
        cancel.clicked.connect(self.cancel)
        self.confirmation_button = QPushButton("Confirmation PDF…")
        self.confirmation_button.setToolTip("The agreement confirmation sent to the vendor (SPEC §11.1)")
        self.confirmation_button.clicked.connect(lambda: write_confirmation(self))
        self.header_panel = HeaderPanel(self)
        top = hbox(
            "Vendor:",
            (self.vendor_box, 2),
            10,
            "Agreement:",  # the kind is the tab's title
            (self.agreement_box, 1),
            10,
            "Status:",
            self.status_box,
            None,
            self.read_only_label,
            self.confirmation_button,
            save,
            cancel,
        )

        self.group_panel = LinesPanel("Group lines (CAT1–CAT4)", self.group, self.group_view)
        self.product_panel = LinesPanel("Product lines", self.product, self.product_view)
        for panel in (self.group_panel, self.product_panel):
            view = panel.view
            view.f2_handler = lambda index, m=panel.model: self._f2(m, index)
            view.insert_requested.connect(lambda p=panel: self._add(p))
            view.delete_requested.connect(lambda p=panel: self._delete(p))
            view.lookup_requested.connect(lambda index, p=panel: self._lookup(p, index))
            panel.add_button.clicked.connect(lambda _c=False, p=panel: self._add(p))
            panel.delete_button.clicked.connect(lambda _c=False, p=panel: self._delete(p))
            panel.lookup_button.clicked.connect(lambda _c=False, p=panel: self._lookup(p, p.view.currentIndex()))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.group_panel)
        splitter.addWidget(self.product_panel)
        self.tier_progress = TierProgressPanel(
            self.runner, [(self.group, self.group_view), (self.product, self.product_view)], lambda: self.agreement_id
        )
        splitter.addWidget(self.tier_progress)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.problems = ProblemList(self._go_to)
        lines_tab = QWidget()
        lines_layout = QVBoxLayout(lines_tab)
        lines_layout.setContentsMargins(4, 4, 4, 4)
        # A lump sum has no lines: its amount, dates and M instead of the grids (SPEC §11.2)
        self.lump_sum = LumpSumPanel(self) if self.kind == LUMP_SUM else None
        lines_layout.addWidget(splitter, 1)
        if self.lump_sum is not None:
            lines_layout.addWidget(self.lump_sum, 1)
            splitter.hide()
        lines_layout.addWidget(self.problems)
        self.history = HistoryView(self.runner)
        self.terms = TermsTab(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(lines_tab, "Lines")
        self.tabs.addTab(self.history, "History")
        if self.lump_sum is not None:
            self.tabs.setTabText(0, "Amount and Dates")
        self.tabs.addTab(self.terms, "Terms")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.header_panel)
        layout.addWidget(self.info)
        layout.addWidget(self.tabs, 1)

    # -- loading
    def start(self) -> None:
        """Fill the vendor list and open the last vendor used."""
        vendors = self.runner.call(self, "Vendors", lambda uow: queries.vendors(uow)) or []
        self.vendor_box.set_vendors([(v.code, v.name) for v in vendors])
        found = self.runner.call(self, "Categories", lambda uow: queries.categories(uow)) or []
        self.group.descriptions = {(f"CAT{c.level}", c.code): c.description for c in found}  # a code's tooltip
        last = self.env.last_vendor
        if last and not self.vendor_box.set_code(last):
            self.vendor_box.setCurrentIndex(-1)

    def _vendor_chosen(self, code: str) -> None:
        if self.vendor is not None and code != self.vendor and not self._may_discard():
            self.vendor_box.set_code(self.vendor, notify=False)
            return
        self.vendor = code
        self.env.last_vendor = code
        self.vendor_products = self.runner.call(self, "Products", lambda uow: queries.products(uow, code)) or []
        self._refresh_list(select=None)

    def _refresh_list(self, select: int | None, reopen: bool = True) -> None:
        vendor, kind = self.vendor, self.kind
        if vendor is None:
            return
        summaries = (
            self.runner.call(self, "Agreements", lambda uow: agreements.list_agreements(uow, vendor, kind)) or []
        )
        self.agreement_box.clear()
        for s in summaries:
            lines = "" if self.kind == LUMP_SUM else f" ({s.lines} lines)"  # a lump sum has none
            self.agreement_box.addItem(f"{s.number} — {s.status}{lines}", s.id)
        self.agreement_box.addItem(NEW, None)
        target = select if select is not None else (summaries[0].id if summaries else None)
        index = self.agreement_box.findData(target) if target is not None else self.agreement_box.count() - 1
        self.agreement_box.setCurrentIndex(index)
        if reopen:
            self._open(target)

    def show_agreement(self, vendor: str, agreement_id: int) -> None:
        """Open one agreement of a vendor (from the Agreements overview)."""
        if vendor != self.vendor:
            self.vendor_box.set_code(vendor)
            if vendor != self.vendor:  # changes kept: the user stayed where they were
                return
        if agreement_id != self.agreement_id and (self.agreement_id is None or self._may_discard()):
            self._refresh_list(select=agreement_id)

    def _agreement_chosen(self, index: int) -> None:
        wanted = self.agreement_box.itemData(index)
        if wanted == self.agreement_id and wanted is not None:
            return
        if not self._may_discard():
            self.agreement_box.setCurrentIndex(self.agreement_box.findData(self.agreement_id))
            return
        self._open(wanted)

    def _open(self, agreement_id: int | None) -> None:
        if agreement_id is None:
            self.agreement_id, self.version, self.loaded_status = None, None, PENDING
            self.group.load([], agreements.line_values)
            self.product.load([], agreements.line_values)
            self._offer_statuses(None)
            self.status_box.setCurrentText(PENDING)
            self.info.setText(f"New {KIND_NAMES[self.kind]} agreement for {self.vendor}: its number is given on Save.")
            self.header_panel.load(None)
            kind = self.kind
            template = self.runner.call(self, "Terms", lambda uow: terms.template_text(uow, kind)) or ""
            self.terms.load(template, None, self.read_only)
            self.confirmation_button.setEnabled(False)
            self.problems.show_problems([])
            self.history.set_agreement(None)
            if self.lump_sum is not None:
                self.lump_sum.load(None)
            return
        view = self.runner.call(self, "Open agreement", lambda uow: agreements.load_agreement(uow, agreement_id))
        if view is not None:
            self._show(view)

    def _show(self, view: agreements.AgreementView) -> None:
        self.agreement_id, self.version, self.loaded_status = view.id, view.version, view.status
        self.tier_progress.held = True  # the chart follows once, when both grids are loaded
        try:
            self.group.load_rows(agreements.GRID_NAMES, view.grid_rows(product=False))
            self.product.load_rows(agreements.GRID_NAMES, view.grid_rows(product=True))
        finally:
            self.tier_progress.held = False
        self.tier_progress.refresh()
        self._offer_statuses(view.status)
        self.status_box.setCurrentText(view.status)
        stamp = view.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        self.info.setText(
            f"Agreement {view.number} of {view.vendor} {view.vendor_name} · version {view.version} · "
            f"last changed by {view.updated_by} on {stamp} · {len(view.stored)} lines"
        )
        self.header_panel.load(view)
        self.terms.load(view.terms, view.status, self.read_only)
        self.confirmation_button.setEnabled(True)
        self.problems.show_problems([])
        self.history.set_agreement(view.id)
        if self.lump_sum is not None:
            self.lump_sum.load(view.lump_sum)

    def _offer_statuses(self, current: str | None) -> None:
        """The statuses the agreement may be saved with (SPEC §11.1: an accepted agreement
        stays accepted); the service refuses any other, whichever screen or file asks."""
        self.status_box.clear()
        self.status_box.addItems(allowed_statuses(current))

    # -- editing
    def is_dirty(self) -> bool:
        return (
            (self.lump_sum is not None and self.lump_sum.dirty)
            or self.group.dirty
            or self.product.dirty
            or self.status_box.currentText() != self.loaded_status
            or self.header_panel.is_dirty()
            or self.terms.is_dirty()
        )

    def _may_discard(self) -> bool:
        return not self.is_dirty() or self.env.interaction.confirm(
            self, self.title, "Discard the unsaved changes of this agreement?"
        )

    def discard(self) -> None:
        self._open(self.agreement_id)

    def _make_read_only(self) -> None:
        """Viewing without the right to maintain agreements: nothing can be edited or saved
        (the service refuses a save regardless)."""
        for model in (self.group, self.product):
            model.read_only = True
        for panel in (self.group_panel, self.product_panel):
            panel.add_button.setEnabled(False)
            panel.delete_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.status_box.setEnabled(False)
        if self.lump_sum is not None:
            self.lump_sum.set_read_only(True)
        self.header_panel.set_read_only(True)
        self.read_only_label.setText("Read only: your role can view agreements but not change them.")

    # -- saving
    def save(self) -> None:
        if self.runner.busy or self.read_only:
            return
        self.group_view.commit_editor()
        self.product_view.commit_editor()
        if self.vendor is None:
            self.env.interaction.error(self, self.title, "Choose a vendor first.")
            return
        vendor, kind, status = self.vendor, self.kind, self.status_box.currentText()
        lines = self.group.drafts() + self.product.drafts()
        agreement_id, version = self.agreement_id, self.version
        lump_sum = self.lump_sum.value() if self.lump_sum is not None else None
        start, end, bad = self.header_panel.dates()
        if bad:
            self._show_problems([Problem("Agreement", name, message) for name, message in bad])
            return
        description, vendor_ref, _s, _e = self.header_panel.texts()
        header = AgreementHeader(
            description.strip(),
            vendor_ref.strip(),
            start,
            end,
            self.terms.text(),
            self.header_panel.actuals.isChecked(),
        )

        def work(uow: Any, _job: Any) -> agreements.AgreementView:
            return agreements.save_agreement(
                uow,
                vendor=vendor,
                kind=kind,
                status=status,
                lines=lines,
                agreement_id=agreement_id,
                expected_version=version,
                lump_sum=lump_sum,
                header=header,
            )

        self.runner.run(self, "Saving agreement", work, self._saved, on_error=self._save_failed)

    def _saved(self, view: agreements.AgreementView) -> None:
        self._show(view)
        self._refresh_list(select=view.id, reopen=False)
        self.status_message.emit(f"Saved agreement {view.number} of {view.vendor} (version {view.version})")

    def _save_failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            self._show_problems(exc.problems)
            return True
        if isinstance(exc, StaleRecord):
            if self.env.interaction.confirm(
                self,
                "Changed on another workstation",
                f"{exc}\n\nReload the agreement now? Your changes on this screen are lost.",
            ):
                self.discard()
            return True
        return False

    def _show_problems(self, problems: list[Any]) -> None:
        self.group.set_problems(map_problems(problems, self.group, self.group.prefix))
        self.product.set_problems(map_problems(problems, self.product, self.product.prefix))
        self.problems.show_problems(captioned(problems, [self.group, self.product]))
        if self.lump_sum is not None:
            self.lump_sum.show_problems(problems)
        self.tabs.setCurrentIndex(0)
        self.status_message.emit(f"Not saved: {len(problems)} problem(s)")
        if problems:
            self._go_to(problems[0].record, problems[0].field)

    def _go_to(self, record: str, field: str) -> None:
        if self.lump_sum is not None:
            self.lump_sum.go_to(field)
        for model, view in ((self.group, self.group_view), (self.product, self.product_view)):
            row = model.row_of(record, model.prefix)
            if row is not None:
                view.go_to(row, model.column_index(field))
                return
