"""Vendor statements to PDF files (SPEC §8): the data from app.services.statements, the
pages from app.reports.statement_pdf, the files through app.services.outfile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.reports.statement_pdf import statement_filename, write_statement_pdf

from .context import AppContext, UnitOfWork
from .outfile import output_file, output_folder, protected_files
from .statements import iter_statements, statement_data, statement_vendor_codes

Progress = Callable[[int, int], None]  # (done, total)
Cancelled = Callable[[], bool]


def write_statement(
    uow: UnitOfWork, vendor: str, date_from: date, date_to: date, out: str | Path, *, force: bool = False
) -> int:
    """The statement of one vendor to a PDF file (replacing one there only with force);
    returns the number of pages."""
    with output_file(out, force=force, protect=protected_files(uow.ctx), suffixes=(".pdf",)) as temp:
        return write_statement_pdf(temp, statement_data(uow, vendor, date_from, date_to))


def write_statements(
    ctx_or_uow: AppContext | UnitOfWork,
    date_from: date,
    date_to: date,
    folder: str | Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    every_vendor: bool = False,
    vendors: list[str] | None = None,
    force: bool = False,
) -> list[Path]:
    """One PDF per vendor with rebate activity in the period (every vendor if asked) in folder.

    Files already in the folder are refused, all before the first is written, unless
    force. progress(done, total) is called after each file; when cancelled() turns true
    the batch stops after the current file. Returns the files written.
    """
    if isinstance(ctx_or_uow, AppContext):
        with ctx_or_uow.uow() as uow:
            return write_statements(
                uow,
                date_from,
                date_to,
                folder,
                progress,
                cancelled,
                every_vendor=every_vendor,
                vendors=vendors,
                force=force,
            )
    uow = ctx_or_uow
    if vendors is None:
        vendors = statement_vendor_codes(uow, date_from, date_to, every_vendor=every_vendor)
    protect = protected_files(uow.ctx)
    targets = output_folder(
        folder, [statement_filename(code, date_from, date_to) for code in vendors], force=force, protect=protect
    )
    where = dict(zip(vendors, targets, strict=True))
    written: list[Path] = []
    total = len(vendors)
    for data in iter_statements(uow, date_from, date_to, vendors):
        if cancelled is not None and cancelled():
            break
        path = where[data.vendor_code]
        with output_file(path, force=force, protect=protect) as temp:
            write_statement_pdf(temp, data)
        written.append(path)
        if progress is not None:
            progress(len(written), total)
    return written
