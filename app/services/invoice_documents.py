"""Co-op invoice documents (SPEC §13): the invoice PDF with its backup appendix, the backup alone
(.xlsx, .csv or .pdf) and the batch of a month's invoices, one PDF per vendor addressed to its
billing address. The data here (the report gets no session), the pages in app.reports.invoice_pdf."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.domain.invoicing import parse_month
from app.models import Vendor

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .invoice_backup import BACKUP_SUFFIXES, InvoiceBackup, invoice_backup, month_backups, write_backup_table
from .masterdata import company
from .outfile import output_file, output_folder, protected_files

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Party:
    """Who sends the invoices (the company) or receives them (a vendor)."""

    code: str
    name: str
    address: str  # a vendor's billing address, else its address
    email: str = ""


@dataclass(frozen=True)
class InvoiceDocument:
    """One vendor's invoices as printed: each with its backup."""

    company: Party
    remit_to: str  # the company's bank details for payments
    vendor: Party
    invoices: tuple[InvoiceBackup, ...]
    printed: date


def _vendor(uow: UnitOfWork, vendor_id: int) -> Party:
    v = uow.session.scalars(select(Vendor).where(Vendor.id == vendor_id)).one()
    return Party(v.code, v.name, (v.billing_address or "").strip() or v.address or "", v.email or "")


def _documents(uow: UnitOfWork, backups: Sequence[InvoiceBackup], printed: date | None) -> list[InvoiceDocument]:
    firm = company(uow)
    sender = Party("", firm.name, firm.address or "")
    by_vendor: dict[int, list[InvoiceBackup]] = {}
    for b in backups:
        by_vendor.setdefault(b.invoice.vendor_id, []).append(b)
    docs = [
        InvoiceDocument(sender, firm.remit_to or "", _vendor(uow, vendor_id), tuple(group), printed or date.today())
        for vendor_id, group in by_vendor.items()
    ]
    return sorted(docs, key=lambda d: d.vendor.code)


def invoice_document(uow: UnitOfWork, invoice_no: str, printed: date | None = None) -> InvoiceDocument:
    """The document of one invoice (NotFound when there is none)."""
    return _documents(uow, [invoice_backup(uow, invoice_no)], printed)[0]


def month_documents(uow: UnitOfWork, month: str, printed: date | None = None) -> list[InvoiceDocument]:
    """One document per vendor holding its invoices of the month, by vendor code."""
    if parse_month(month) is None:
        raise ValidationFailed([Problem("Invoices", "month", f"{month!r} is not a month (YYYY-MM)")])
    return _documents(uow, month_backups(uow, month), printed)


def write_backup(uow: UnitOfWork, invoice_no: str, out: str | Path, *, force: bool = False) -> int:
    """`coop invoice backup`: the backup of one invoice to .xlsx, .csv or .pdf (the invoice with
    its appendix); returns the number of rows."""
    from app.reports.invoice_pdf import write_invoice_pdf

    with output_file(out, force=force, protect=protected_files(uow.ctx), suffixes=BACKUP_SUFFIXES) as temp:
        doc = invoice_document(uow, invoice_no)
        rows = doc.invoices[0].rows
        if temp.suffix.lower() == ".pdf":
            write_invoice_pdf(temp, doc)
        else:
            write_backup_table(temp, rows)
        return len(rows)


def invoice_filename(vendor: str) -> str:
    """VENDOR.pdf (the month is the folder's). A code with characters a file name cannot hold has them as
    "_" and a short digest of the code after "~", so that V/1 and V_1 never share a file."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", vendor)
    if safe != vendor:
        safe += "~" + hashlib.sha256(vendor.encode()).hexdigest()[:8]
    return f"{safe}.pdf"


def print_month(
    uow: UnitOfWork, month: str, folder: str | Path, *, force: bool = False, progress: Progress | None = None
) -> list[Path]:
    """`coop invoices print`: one PDF per vendor with invoices in the month, in `folder` (created
    when missing; files already there are refused all together unless force). The files written."""
    from app.reports.invoice_pdf import write_invoice_pdf

    docs = month_documents(uow, month)
    protect = protected_files(uow.ctx)
    targets = output_folder(folder, [invoice_filename(d.vendor.code) for d in docs], force=force, protect=protect)
    written: list[Path] = []
    for doc, path in zip(docs, targets, strict=True):
        with output_file(path, force=force, protect=protect) as temp:
            write_invoice_pdf(temp, doc)
        written.append(path)
        if progress is not None:
            progress(len(written), len(docs))
    return written
