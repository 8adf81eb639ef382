"""Remittance advice files of a payment run (SPEC §15): one PDF and one CSV per vendor paid,
named remittance-<run date>-<vendor code>.pdf/.csv in the folder given (created)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.domain.payment_run import remittance_rows
from app.models import Company, Vendor
from app.reports.remittance_pdf import Remittance, write_remittance_pdf

from .context import UnitOfWork
from .payment_run import VendorRun

CSV_COLUMNS = ("run_id", "run_date", "vendor_code", "item", "reference", "due_date", "amount")


def remittance(uow: UnitOfWork, run_date: date, vendor: VendorRun) -> Remittance:
    session = uow.session
    company = session.get(Company, 1)
    address = session.scalar(select(Vendor.billing_address).where(Vendor.id == vendor.vendor_id)) or session.scalar(
        select(Vendor.address).where(Vendor.id == vendor.vendor_id)
    )
    return Remittance(
        company.name if company else "", company.address if company else "", vendor.vendor_code, vendor.vendor_name,
        address or "", vendor.run_id, run_date, company.currency if company else "",
        remittance_rows(vendor.payment),
    )  # fmt: skip


def write_remittances(uow: UnitOfWork, run_date: date, vendors: Sequence[VendorRun], folder: Path) -> list[Path]:
    """The PDF and CSV of each vendor; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for vendor in vendors:
        r = remittance(uow, run_date, vendor)
        stem = folder / f"remittance-{run_date.isoformat()}-{vendor.vendor_code}"
        write_remittance_pdf(stem.with_suffix(".pdf"), r, date.today())
        with stem.with_suffix(".csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(CSV_COLUMNS)
            for row in r.rows:
                w.writerow([r.run_id or "", run_date.isoformat(), r.vendor_code, row.item, row.reference,
                            row.day.isoformat() if row.day else "", f"{row.amount:.2f}"])  # fmt: skip
        out += [stem.with_suffix(".pdf"), stem.with_suffix(".csv")]
    return out
