"""`coop import vendor-invoices FILE` (SPEC §18): rows with the same vendor and invoice_no form
one vendor invoice (its lines in file order); all or nothing, errors by row and column."""

from __future__ import annotations

from datetime import date

from .context import UnitOfWork
from .errors import ImportFailed, Problem
from .tabular import Cells, Row
from .vendor_invoices import VendorInvoiceIn, VendorInvoiceLineIn, enter_vendor_invoices

COLUMNS = ("invoice_no", "vendor_code", "invoice_date", "due_date", "slip_no", "line_no", "product_code", "quantity",
           "unit_cost")  # fmt: skip


def vendor_invoices(uow: UnitOfWork, rows: list[Row], _today: date | None) -> int:
    problems: list[Problem] = []
    groups: dict[tuple[str, str], list[tuple[Row, date | None, date | None, VendorInvoiceLineIn]]] = {}
    for row in rows:
        c = Cells(row, problems)
        key = (c.text("vendor_code", True), c.text("invoice_no", True))
        line = VendorInvoiceLineIn(
            c.text("slip_no", True), c.integer("line_no"), c.text("product_code", True),
            c.decimal("quantity", required=True), c.decimal("unit_cost", required=True), row.label,
        )  # fmt: skip
        groups.setdefault(key, []).append((row, c.date("invoice_date"), c.date("due_date"), line))
    records = []
    for (vendor, number), members in groups.items():
        first, invoice_date, due, _line = members[0]
        for row, other_date, other_due, _ln in members[1:]:  # one invoice, one date and due date
            if other_date != invoice_date:
                problems.append(
                    Problem(row.label, "invoice_date", f"invoice {number} is dated {invoice_date} on {first.label}")
                )
            if other_due != due:
                problems.append(Problem(row.label, "due_date", f"invoice {number} is due {due} on {first.label}"))
        records.append(VendorInvoiceIn(number, vendor, invoice_date, due, tuple(m[3] for m in members), first.label))
    if problems:
        raise ImportFailed(problems)
    enter_vendor_invoices(uow, records)
    return len(rows)
