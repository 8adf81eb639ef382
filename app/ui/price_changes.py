"""Price Changes (SPEC §11.2 price protection): key one vendor price change of a product, its
effective date, new unit cost and quantity on hand. Enter records it in one transaction: the
product's cost becomes the new one, and when an accepted price-protection agreement of the
vendor covers the product on that date and the cost goes down, the claim is posted. Below,
the price changes recorded, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import price_changes, queries
from app.services.errors import ValidationFailed
from app.services.price_changes import PriceChangeIn, PriceChangeResult

from .bars import hbox
from .base import ProblemList, Screen, UiEnv, heading
from .editors import DecimalEdit
from .reports_common import RCol, ReportModel, ReportView, date_edit

RECORD = "Price change"
HISTORY_COLUMNS = (
    RCol("Effective", lambda r: r.effective_date, "date", width=90),
    RCol("Product", lambda r: r.product, width=150),
    RCol("Old Cost", lambda r: r.old_unit_cost, "decimal", places=4, width=90),
    RCol("New Cost", lambda r: r.new_unit_cost, "decimal", places=4, width=90),
    RCol("On Hand", lambda r: r.on_hand, "decimal", places=4, width=90),
    RCol("Claim", lambda r: r.claim, "decimal", width=96),
    RCol("Agreement", lambda r: r.agreement_no or "", width=80),
    RCol("Entry", lambda r: r.entry_no, "number", width=70),
)


class PriceChangeScreen(Screen):
    title = "Price Changes"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.products: dict[str, queries.ProductRow] = {}
        self.product_box = QComboBox(self)
        self.product_box.setEditable(True)
        self.product_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.product_box.setMinimumWidth(240)
        self.product_box.currentIndexChanged.connect(lambda _i: self._product_shown())
        self.effective = date_edit(self)
        self.new_cost = DecimalEdit(self, places=4)
        self.on_hand = DecimalEdit(self, places=4)
        for edit in (self.effective, self.new_cost, self.on_hand):
            edit.setMaximumWidth(160)
        self.current = QLabel("")
        self.current.setStyleSheet("color: #555;")
        self.current.setWordWrap(True)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.enter_button = QPushButton("Enter (Ctrl+S)")
        self.enter_button.clicked.connect(self.save)
        self.problems = ProblemList(self._go_to)
        self.history = ReportModel(HISTORY_COLUMNS)
        self.history_view = ReportView(self.history, self)
        self.fields = {
            "product_code": self.product_box,
            "effective_date": self.effective,
            "new_unit_cost": self.new_cost,
            "on_hand": self.on_hand,
        }
        form = QFormLayout()
        form.addRow("Product:", hbox((self.product_box, 1), 10, (self.current, 2)))
        form.addRow("Effective date:", self.effective)
        form.addRow("New unit cost:", self.new_cost)
        form.addRow("Quantity on hand:", self.on_hand)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Key a vendor's price change"))
        note = QLabel(
            "The product's cost becomes the new cost. A decrease on a product that an accepted price-protection "
            "agreement of its vendor covers on that date claims (old − new) × on hand from the vendor."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addLayout(hbox((self.result, 1), self.enter_button))
        layout.addWidget(self.problems)
        layout.addWidget(heading("Price changes recorded (newest first)"))
        layout.addWidget(self.history_view, 1)

    def start(self) -> None:
        rows = self.runner.call(self, "Products", lambda uow: queries.products(uow)) or []
        self.products = {p.code: p for p in rows}
        self.product_box.clear()
        for p in rows:
            self.product_box.addItem(f"{p.code} — {p.description}", p.code)
        completer = QCompleter([self.product_box.itemText(i) for i in range(self.product_box.count())], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.product_box.setCompleter(completer)
        self.product_box.setCurrentIndex(-1)
        self._product_shown()
        self._reload_history()

    def _reload_history(self) -> None:
        rows = self.runner.call(self, "Price changes", lambda uow: price_changes.price_change_history(uow))
        self.history.set_records(rows or [])

    def product_code(self) -> str:
        """The product chosen, or the code typed (an unknown one is refused on Enter)."""
        data = self.product_box.currentData()
        if data and self.product_box.currentText() == self.product_box.itemText(self.product_box.currentIndex()):
            return str(data)
        return self.product_box.currentText().split(" — ")[0].strip()

    def _product_shown(self) -> None:
        p = self.products.get(self.product_code())
        self.current.setText(f"Vendor {p.vendor} · current cost {p.unit_cost:,.4f}" if p else "")

    def is_dirty(self) -> bool:
        return bool(self.new_cost.text() or self.on_hand.text())

    def discard(self) -> None:
        self.new_cost.clear()
        self.on_hand.clear()
        self.problems.show_problems([])

    def save(self) -> None:
        if self.runner.busy:
            return
        record = PriceChangeIn(
            self.product_code(),
            self.effective.date().toPython(),  # type: ignore[arg-type]
            self.new_cost.decimal(),
            self.on_hand.decimal(),
            RECORD,
        )

        def work(uow: Any, _job: Any) -> list[PriceChangeResult]:
            return price_changes.enter_price_changes(uow, [record])

        self.runner.run(self, "Entering the price change", work, self._entered, on_error=self._failed)

    def _entered(self, results: list[PriceChangeResult]) -> None:
        (r,) = results
        claim = (
            f"claim {r.claim:,.2f} under price-protection agreement {r.agreement_no}, journal entry {r.entry_no}"
            if r.claim
            else "no claim (a price increase, or no accepted price-protection agreement covers it)"
        )
        self.result.setText(
            f"{r.product} effective {r.effective_date.isoformat()}: cost {r.old_unit_cost:,.4f} → "
            f"{r.new_unit_cost:,.4f}; {claim}."
        )
        self.discard()
        self.start_keep_product(r.product)
        self.status_message.emit(f"Price change of {r.product} recorded")

    def start_keep_product(self, code: str) -> None:
        self.start()
        index = self.product_box.findData(code)
        self.product_box.setCurrentIndex(index)
        self._product_shown()

    def _failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            self.problems.show_problems(exc.problems)
            self.result.setText("Not recorded: nothing was changed.")
            if exc.problems:
                self._go_to(exc.problems[0].record, exc.problems[0].field)
            return True
        return False

    def _go_to(self, _record: str, field: str) -> None:
        widget = self.fields.get(field)
        if widget is not None:
            widget.setFocus()
