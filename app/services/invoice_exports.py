"""The export of co-op invoices by invoice date (SPEC §13, §18): XLSX or CSV, for a window of at
most 90 days counting both ends; a longer window (or one that ends before it starts) is refused
before anything is read or written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.domain.money import ZERO
from app.domain.vocabulary import INVOICE_STATUSES
from app.models import CoopInvoice

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .exports import TABLE_SUFFIXES, about, write_table
from .invoice_views import InvoiceView, invoice_views
from .masterdata import company
from .outfile import output_file, protected_files
from .security import Permission, require

INVOICE_COLUMNS = (
    "invoice_no", "invoice_date", "due_date", "vendor_code", "agreement_no", "kind", "method", "currency",
    "amount", "open_amount", "status",
)  # fmt: skip
MONEY_COLUMNS = ("amount", "open_amount")
MAX_WINDOW_DAYS = 90


def window_problems(date_from: date, date_to: date) -> list[Problem]:
    """Why the window from date_from to date_to (both counted) cannot be exported; none when it can."""
    if date_from > date_to:
        return [Problem("Invoice export", "from", f"{date_from.isoformat()} is after --to {date_to.isoformat()}")]
    days = (date_to - date_from).days + 1
    if days > MAX_WINDOW_DAYS:
        return [
            Problem(
                "Invoice export",
                "to",
                f"the window {date_from.isoformat()} to {date_to.isoformat()} is {days} days counting both ends; "
                f"export at most {MAX_WINDOW_DAYS} days at a time",
            )
        ]
    return []


def invoice_values(v: InvoiceView) -> tuple[object, ...]:
    """The cells of INVOICE_COLUMNS."""
    return (
        v.invoice_no, v.invoice_date, v.due_date, v.vendor_code, v.agreement_no, v.kind, v.method, v.currency,
        v.amount, v.open_amount, v.status,
    )  # fmt: skip


def invoice_totals(views: list[InvoiceView]) -> list[tuple[object, ...]]:
    """The XLSX Totals sheet, per currency (amounts of two currencies are never added): the
    invoices, amount and open amount per status (INVOICE_STATUSES order, those present),
    then all of the currency's."""
    out: list[tuple[object, ...]] = [("Totals", "Currency", "Invoices", "Amount", "Open amount")]
    for currency in sorted({v.currency for v in views}):
        of_currency = [v for v in views if v.currency == currency]
        for status in INVOICE_STATUSES:
            members = [v for v in of_currency if v.status == status]
            if members:
                out.append(_sums(f"Total {status}", currency, members))
        out.append(_sums("Total", currency, of_currency))
    return out


def _sums(label: str, currency: str, views: list[InvoiceView]) -> tuple[object, ...]:
    return (
        label,
        currency,
        len(views),
        sum((v.amount for v in views), ZERO),
        sum((v.open_amount for v in views), ZERO),
    )


def invoices_in_window(uow: UnitOfWork, date_from: date, date_to: date) -> list[InvoiceView]:
    """The invoices dated in the window, by invoice date and number (ValidationFailed when the
    window is not one of at most 90 days)."""
    require(uow, Permission.REPORTS)
    problems = window_problems(date_from, date_to)
    if problems:
        raise ValidationFailed(problems)
    inv = CoopInvoice
    return invoice_views(uow.session, [inv.invoice_date >= date_from, inv.invoice_date <= date_to])


def export_invoices(uow: UnitOfWork, date_from: date, date_to: date, out: str | Path, *, force: bool = False) -> int:
    """`coop invoices export`: the invoices of the window to `out` (.xlsx or .csv); the row count.
    The window and the file are checked first: a refusal writes nothing."""
    problems = window_problems(date_from, date_to)
    if problems:
        raise ValidationFailed(problems)
    with output_file(out, force=force, protect=protected_files(uow.ctx), suffixes=TABLE_SUFFIXES) as temp:
        rows = invoices_in_window(uow, date_from, date_to)
        window = f"Invoice dates {date_from.isoformat()} to {date_to.isoformat()} · Open amounts after every settlement"
        return write_table(
            temp,
            INVOICE_COLUMNS,
            [invoice_values(v) for v in rows],
            sheet="Co-op invoices",
            money_columns=MONEY_COLUMNS,
            about=about("Co-op invoices", company(uow).name, window),
            totals=invoice_totals(rows),
        )
