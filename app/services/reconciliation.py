"""Backup reconciliation (SPEC §16, `coop reconcile --vendor V FILE --out F`): the vendor's own
statement of what it believes it was charged (the vendor-backup columns of §18) read and
compared with our backup, the journal lines of the vendor's co-op invoices that come from
receipt lines (a lump sum's or a price-protection claim's line carries its own detail and is
not compared). The rules are app.domain.reconciliation; formats app.reports.reconciliation_pdf."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.domain.money import ZERO
from app.domain.reconciliation import BackupLine, Reconciliation, reconcile
from app.domain.vocabulary import Permission
from app.models import CoopInvoice, Vendor

from .context import UnitOfWork
from .errors import ImportFailed, Problem, ValidationFailed
from .invoice_backup import backup_rows_of
from .invoice_views import invoice_views
from .security import require
from .tabular import Cells, read_table

VENDOR_BACKUP_COLUMNS = ("slip_no", "line_no", "vendor_item_code", "received_date", "quantity", "amount", "rebate")


def read_vendor_backup(path: Path) -> list[BackupLine]:
    """The vendor's lines, every problem named by row and column (ImportFailed, nothing read)."""
    if not path.is_file():
        raise ValidationFailed([Problem(path.name, "", "no such file")])
    table = read_table(path, VENDOR_BACKUP_COLUMNS)
    problems: list[Problem] = []
    out = []
    for row in table.rows:
        cells = Cells(row)
        slip_no = cells.text("slip_no")
        line_no = cells.integer("line_no", required=bool(slip_no))
        code = cells.text("vendor_item_code", required=not slip_no)
        received = cells.date("received_date", required=not slip_no)
        quantity = cells.decimal("quantity", required=True, places=4)
        amount = cells.decimal("amount", required=True, places=2)
        rebate = cells.decimal("rebate", required=True, places=2)
        if cells.problems:
            problems.extend(cells.problems)
            continue
        assert quantity is not None and amount is not None and rebate is not None
        out.append(BackupLine(slip_no, line_no, code, received, quantity, amount, rebate))
    if problems:
        raise ImportFailed(problems)
    return out


def our_backup(uow: UnitOfWork, vendor_id: int) -> list[BackupLine]:
    """Our backup of the vendor: the receipt lines' rows of all its co-op invoices."""
    invoices = invoice_views(uow.session, [CoopInvoice.vendor_id == vendor_id])
    out = []
    for rows in backup_rows_of(uow.session, invoices).values():
        for r in rows:
            if r.slip_no is None:
                continue
            out.append(
                BackupLine(r.slip_no, r.line_no, r.vendor_item_code or "", r.received_date, r.quantity or ZERO,
                           r.extended_amount or ZERO, r.amount)
            )  # fmt: skip
    return out


def reconcile_backup(uow: UnitOfWork, vendor: str, path: Path) -> Reconciliation:
    """The vendor's file (by its code) compared with our backup; refused, naming the record and
    field, for an unknown vendor or a file with missing or unknown columns or bad cells."""
    require(uow, Permission.REPORTS)
    vendor_id = uow.session.scalar(select(Vendor.id).where(Vendor.code == vendor))
    if vendor_id is None:
        raise ValidationFailed([Problem("reconcile", "vendor", f"{vendor!r} does not exist")])
    theirs = read_vendor_backup(Path(path))
    return reconcile(vendor, our_backup(uow, vendor_id), theirs)
