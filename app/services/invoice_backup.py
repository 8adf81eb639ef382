"""The backup of a co-op invoice (SPEC §13, §18): one row per journal line the invoice holds,
read only from rows frozen at the close (the invoice line with the scope, tier and rate it
captured, the posted journal line, its receipt line), so the backup never changes afterwards.
Written as CSV or XLSX here, as the invoice PDF's appendix by app.reports.invoice_pdf."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.adapters.bulk import rows_in
from app.domain.money import ZERO, cents
from app.domain.vocabulary import ACCRUAL, LADDER_KINDS, RERATE, RETRO
from app.models import CoopInvoice, InvoiceLine, JournalEntry, JournalLine, Product, ReceiptLine, ReceivingSlip

from .context import UnitOfWork
from .errors import NotFound
from .exports import TABLE_SUFFIXES, write_table
from .invoice_views import InvoiceView, invoice_by_number, invoice_views
from .security import Permission, require

BACKUP_COLUMNS = (
    "invoice_no", "slip_no", "line_no", "received_date", "product_code", "vendor_item_code", "quantity",
    "extended_amount", "agreement_no", "tier", "rate", "regular", "retroactive", "rerate", "provisional", "amount",
)  # fmt: skip
# The spreadsheet has two more columns after those of the CSV (SPEC §18 fixes the CSV's).
XLSX_EXTRA = ("description", "scope")
MONEY_COLUMNS = ("extended_amount", "regular", "retroactive", "rerate", "amount")
RATE_FORMAT = "0.000"
QUANTITY_FORMAT = "#,##0.####"
BACKUP_SUFFIXES = (*TABLE_SUFFIXES, ".pdf")
_RATE_PLACES = Decimal("0.001")
_NIL = Decimal("0.00")
# The source of a journal line -> the column its amount goes in (the others hold 0).
_SPLIT = {ACCRUAL: 0, RETRO: 1, RERATE: 2}


@dataclass(frozen=True)
class BackupRow:
    """One journal line of an invoice. received_date is the receipt's, else (a lump sum, a
    price-protection claim, a vendor actual) the entry's; slip, line, quantity and extended
    amount are then None and memo says what the line is."""

    invoice_no: str
    slip_no: str | None
    line_no: int | None
    received_date: date
    product_code: str | None
    vendor_item_code: str | None
    description: str
    quantity: Decimal | None
    extended_amount: Decimal | None
    agreement_no: str | None
    scope: str
    tier: int | None
    rate: Decimal | None  # percent, 3 decimals
    source: str
    regular: Decimal
    retroactive: Decimal
    rerate: Decimal
    provisional: bool
    amount: Decimal
    memo: str
    entry_id: int

    @property
    def month(self) -> str:
        """The received month, `YYYY-MM` (the PDF's totals per month)."""
        return self.received_date.isoformat()[:7]

    def values(self) -> tuple[object, ...]:
        """The cells of BACKUP_COLUMNS."""
        return (
            self.invoice_no, self.slip_no, self.line_no, self.received_date, self.product_code,
            self.vendor_item_code, self.quantity, self.extended_amount, self.agreement_no, self.tier, self.rate,
            self.regular, self.retroactive, self.rerate, self.provisional, self.amount,
        )  # fmt: skip

    def sort_key(self) -> tuple[date, str, int, int]:
        return (self.received_date, self.slip_no or "", self.line_no or 0, self.entry_id)


def _rate(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_RATE_PLACES, rounding=ROUND_HALF_UP)


def _quantity(value: Decimal | None) -> Decimal | None:
    """A quantity without trailing zeros, never in exponent form (20000, 12.5)."""
    if value is None:
        return None
    exact = value.normalize()
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact


def _query() -> Select[*tuple[Any, ...]]:
    il, jl, je, rl, rs = InvoiceLine, JournalLine, JournalEntry, ReceiptLine, ReceivingSlip
    return (
        select(
            il.invoice_id, il.scope, il.tier, il.rate, jl.debit, jl.credit, jl.slip_no, jl.line_no, jl.agreement_no,
            jl.memo, je.id, je.source, je.entry_date, rs.received_date, rl.quantity, rl.amount,
            Product.code, Product.vendor_item_code, Product.description,
        )
        .join(jl, jl.id == il.journal_line_id)
        .join(je, je.id == jl.entry_id)
        .outerjoin(rl, rl.id == jl.receipt_line_id)
        .outerjoin(rs, rs.id == rl.slip_id)
        .outerjoin(Product, Product.id == jl.product_id)
    )  # fmt: skip


def backup_rows_of(session: Session, invoices: Sequence[InvoiceView]) -> dict[str, list[BackupRow]]:
    """The backup rows of each invoice (by invoice number), sorted by received date, slip,
    line and entry. No permission check: callers have made theirs."""
    by_id = {v.id: v for v in invoices}
    out: dict[str, list[BackupRow]] = {v.invoice_no: [] for v in invoices}
    for row in rows_in(session, _query(), InvoiceLine.invoice_id, sorted(by_id)):
        (invoice_id, scope, tier, rate, debit, credit, slip_no, line_no, agreement_no, memo, entry_id, source,
         entry_date, received, quantity, extended, code, item_code, description) = row  # fmt: skip
        invoice = by_id[invoice_id]
        amount = cents(debit - credit)
        regular, retroactive, rerate = (amount if _SPLIT.get(source) == i else _NIL for i in range(3))
        provisional = invoice.provisional or (invoice.kind in LADDER_KINDS and agreement_no is None)
        out[invoice.invoice_no].append(
            BackupRow(
                invoice.invoice_no, slip_no, line_no, received or entry_date, code, item_code, description or "",
                _quantity(quantity), None if extended is None else cents(extended), agreement_no, scope or "", tier, _rate(rate), source, regular, retroactive, rerate,
                provisional, amount, memo or "", entry_id,
            )
        )  # fmt: skip
    for rows in out.values():
        rows.sort(key=BackupRow.sort_key)
    return out


@dataclass(frozen=True)
class InvoiceBackup:
    invoice: InvoiceView
    rows: tuple[BackupRow, ...]

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), ZERO)


def invoice_backup(uow: UnitOfWork, invoice_no: str) -> InvoiceBackup:
    """The backup of invoice `invoice_no` (NotFound when there is none)."""
    require(uow, Permission.REPORTS)
    invoice = invoice_by_number(uow.session, invoice_no)
    if invoice is None:
        raise NotFound(f"Invoice {invoice_no}: no co-op invoice has this number")
    return InvoiceBackup(invoice, tuple(backup_rows_of(uow.session, [invoice])[invoice.invoice_no]))


def month_backups(uow: UnitOfWork, month: str) -> list[InvoiceBackup]:
    """Every invoice of a closed month with its backup, by vendor code and invoice number."""
    require(uow, Permission.REPORTS)
    invoices = sorted(
        invoice_views(uow.session, [CoopInvoice.month == month]), key=lambda v: (v.vendor_code, v.invoice_no)
    )
    rows = backup_rows_of(uow.session, invoices)
    return [InvoiceBackup(v, tuple(rows[v.invoice_no])) for v in invoices]


def write_backup_table(path: Path, rows: Iterable[BackupRow]) -> int:
    """The rows to .csv (the columns of SPEC §18) or .xlsx (those, then description and scope;
    numbers as numeric cells); returns the row count."""
    formats = {"rate": RATE_FORMAT, "quantity": QUANTITY_FORMAT}
    if path.suffix.lower() == ".csv":
        return write_table(path, BACKUP_COLUMNS, (r.values() for r in rows))
    return write_table(
        path,
        (*BACKUP_COLUMNS, *XLSX_EXTRA),
        ((*r.values(), r.description or r.memo, r.scope) for r in rows),
        sheet="Invoice backup",
        money_columns=MONEY_COLUMNS,
        formats=formats,
    )
