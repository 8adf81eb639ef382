"""Settlement › Vendor Invoices › Enter Invoice… (SPEC §15–§16): a vendor's invoice keyed as a
header and a grid of lines (slip, slip line, product, quantity, unit cost), one row per line.
*Fill from Slip* puts a posted slip's lines left to invoice into the grid (the quantity not yet
on a matched vendor invoice line, at the cost received), and its vendor into the header, so that
the clerk only changes what the vendor's paper says differently. A refusal names the grid row as
the grid shows it ("line 2") and the column, and F-keys jump to the cell."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHeaderView, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QWidget

from app.domain.money import D
from app.services.errors import Problem
from app.services.vendor_invoices import (
    SlipToInvoice,
    VendorInvoiceIn,
    VendorInvoiceLineIn,
    enter_vendor_invoices,
    slip_to_invoice,
)

from .bars import hbox
from .base import UiEnv
from .reports_common import date_edit
from .settlement_dialogs import ActionDialog, day_of

# (caption, the field a refusal names, the width)
COLUMNS = (
    ("Slip", "slip_no", 90),
    ("Slip line", "line_no", 70),
    ("Product", "product_code", 130),
    ("Quantity", "quantity", 90),
    ("Unit cost", "unit_cost", 90),
)
FIELDS = [field for _caption, field, _width in COLUMNS]
ROW_LABEL = re.compile(r"^line (\d+)$")


def _decimal(text: str) -> Decimal | None:
    try:
        return D(text) if text.strip() else None
    except ValueError:
        return None


def _plain(value: Decimal | None, places: int = 0) -> str:
    """A number as typed: no trailing zeros beyond `places` decimals (100, 21.54, 2.9375)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    decimals = len(text.partition(".")[2])
    return format(value, f".{places}f") if decimals < places else text


class LinesGrid(QTableWidget):
    """The invoice's lines: a new empty row appears below the last as soon as it is filled; Ins
    inserts a row above the current one, Ctrl+Del removes it. Numbers right-aligned."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([caption for caption, _f, _w in COLUMNS])
        for col, (_caption, _field, width) in enumerate(COLUMNS):
            self.setColumnWidth(col, width)
        self.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(180)
        self.itemChanged.connect(self._grow)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Delete), self, self.remove_row)
        self._append()

    def _append(self, values: tuple[str, ...] = ()) -> None:
        self._insert(self.rowCount(), values)

    def _insert(self, row: int, values: tuple[str, ...] = ()) -> None:
        """A row of cells at `row` (numbers right-aligned), without growing the grid."""
        self.blockSignals(True)
        self.insertRow(row)
        for col in range(len(COLUMNS)):
            item = QTableWidgetItem(values[col] if col < len(values) else "")
            if col >= 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, col, item)
        self.blockSignals(False)

    def _grow(self, item: QTableWidgetItem) -> None:
        if item.row() == self.rowCount() - 1 and item.text().strip():
            self._append()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Insert:
            row = max(self.currentRow(), 0)  # the new row goes above the current one, which moves down
            self._insert(row)
            self.setCurrentCell(row, 0)
            return
        super().keyPressEvent(event)

    def remove_row(self) -> None:
        if self.rowCount() > 1 and self.currentRow() >= 0:
            self.removeRow(self.currentRow())

    def text(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return item.text().strip() if item is not None else ""

    def fill(self, lines: tuple[VendorInvoiceLineIn, ...]) -> int:
        """Add these lines below the rows already typed (an invoice may bill several slips),
        then the empty row; the row of the first line added."""
        while self.rowCount() and not any(self.text(self.rowCount() - 1, c) for c in range(len(COLUMNS))):
            self.removeRow(self.rowCount() - 1)
        first = self.rowCount()
        for ln in lines:
            self._append(
                (ln.slip_no, str(ln.slip_line_no), ln.product_code, _plain(ln.quantity), _plain(ln.unit_cost, 2))
            )
        self._append()
        return first

    def lines(self) -> tuple[VendorInvoiceLineIn, ...]:
        """Every row with something in it, labelled by its row number as the grid shows it
        (unreadable numbers left None: the service names them)."""
        out = []
        for row in range(self.rowCount()):
            cells = [self.text(row, col) for col in range(len(COLUMNS))]
            if not any(cells):
                continue
            line_no = int(cells[1]) if cells[1].isdigit() else None
            out.append(
                VendorInvoiceLineIn(cells[0].upper(), line_no, cells[2].upper(), _decimal(cells[3]),
                                    _decimal(cells[4]), f"line {row + 1}")
            )  # fmt: skip
        return tuple(out)

    def go_to(self, row: int, field: str) -> None:
        col = FIELDS.index(field) if field in FIELDS else 0
        if 0 <= row < self.rowCount():
            self.setCurrentCell(row, col)
            self.setFocus()


class EnterInvoiceDialog(ActionDialog):
    """The header, Fill from Slip, the lines grid; Enter records and matches it."""

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(
            env, "Enter Vendor Invoice",
            "A vendor's invoice for goods: each line is matched to the posted receiving line it names; a line "
            "that does not match is held until resolved. Fill from Slip puts a slip's lines left to invoice in "
            "the grid; change what the vendor's invoice says differently.", parent,
        )  # fmt: skip
        self.setMinimumWidth(640)
        self.vendor = self.add_row("Vendor:", QLineEdit(self), "vendor_code")
        self.number = self.add_row("Invoice no.:", QLineEdit(self), "invoice_no")
        self.invoice_date = self.add_row("Invoice date:", date_edit(self, date.today()), "invoice_date")
        self.due_date = self.add_row("Due date:", date_edit(self, date.today()), "due_date")
        self.slip = QLineEdit(self)
        self.slip.setPlaceholderText("slip number")
        self.fill_button = QPushButton("Fill from Slip", self)
        self.fill_button.clicked.connect(self.fill_from_slip)
        self.slip.returnPressed.connect(self.fill_from_slip)
        self.add_row("From slip:", hbox(self.slip, self.fill_button, None), "from_slip")
        self.grid = self.add_row("Lines:", LinesGrid(self), "lines")
        self.action.setText("Enter")

    def fill_from_slip(self) -> None:
        slip_no = self.slip.text().strip().upper()
        if not slip_no or self.env.runner.busy:
            return
        self.problems.show_problems([])
        self.env.runner.run(
            self, "Fill from Slip", lambda uow, _job: slip_to_invoice(uow, slip_no), self._filled,
            on_error=self._refused,
        )  # fmt: skip

    def _filled(self, found: SlipToInvoice) -> None:
        typed = self.vendor.text().strip().upper()
        slip_no = self.slip.text().strip().upper()
        if typed and typed != found.vendor_code:
            self.show_problems(
                [Problem(f"Slip {slip_no}", "slip_no", f"slip {slip_no} is of vendor {found.vendor_code}, not {typed}")]
            )
            return
        self.vendor.setText(found.vendor_code)
        self.grid.go_to(self.grid.fill(found.lines), "quantity")

    def work(self) -> Callable[[Any], Any] | None:
        record = VendorInvoiceIn(
            self.number.text().strip(), self.vendor.text().strip().upper(), day_of(self.invoice_date),
            day_of(self.due_date), self.grid.lines(), "Vendor invoice",
        )  # fmt: skip
        return lambda uow: enter_vendor_invoices(uow, [record])

    def _go_to(self, record: str, field: str) -> None:
        found = ROW_LABEL.match(record)
        if found is not None:
            self.grid.go_to(int(found.group(1)) - 1, field)
            return
        if record.startswith("Slip "):
            self.slip.setFocus()
            return
        super()._go_to(record, field)
