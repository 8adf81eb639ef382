"""The remittance advice of a payment run (SPEC §15): per vendor, the vendor invoices paid,
each co-op invoice deducted, each provision held, then gross, deductions, provision and net."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.platypus import Flowable, Spacer, Table

from app.domain.payment_run import GROSS, RemittanceRow

from .pdf_common import INK, MARGIN, NARROW_BOLD, TOTAL_BG, PageFrame, build_pdf, grid_style, money, para, styles

TITLE = "Remittance advice"
WIDTH = letter[0] - 2 * MARGIN


@dataclass(frozen=True)
class Remittance:
    company: str
    company_address: str
    vendor_code: str
    vendor_name: str
    vendor_address: str
    run_id: int | None
    run_date: date
    currency: str
    rows: Sequence[RemittanceRow]


def _story(r: Remittance) -> list[Flowable]:
    s = styles(8.5)
    head = [
        para(r.company, s.title),
        para(r.company_address, s.small),
        Spacer(0, 8),
        para(f"{TITLE} · payment run {r.run_id or '(preview)'} of {r.run_date.isoformat()}", s.heading),
        para(f"To {r.vendor_name} (vendor {r.vendor_code})", s.body),
        para(r.vendor_address or "(no address on file)", s.small),
        para(f"Amounts in {r.currency}. A deduction or a hold lowers the payment.", s.muted),
        Spacer(0, 10),
    ]
    data: list[list[Any]] = [["Item", "Reference", "Due date", "Amount"]]
    first_total = next(i for i, row in enumerate(r.rows) if row.item == GROSS) + 1
    for row in r.rows:
        data.append([row.item, row.reference, row.day.isoformat() if row.day else "", money(row.amount)])
    extra = [
        ("FONT", (0, first_total), (-1, -1), NARROW_BOLD, 8.5),
        ("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), TOTAL_BG),
        ("LINEABOVE", (0, first_total), (-1, first_total), 0.8, INK),
    ]
    table = Table(
        data,
        colWidths=(WIDTH * 0.3, WIDTH * 0.38, WIDTH * 0.14, WIDTH * 0.18),
        style=grid_style(3, font_size=8.5, extra=extra),
    )
    return [*head, table]


def write_remittance_pdf(out: str | Path, remittance: Remittance, printed: date) -> int:
    frame = PageFrame(remittance.company, TITLE, f"{remittance.vendor_code} · {remittance.run_date.isoformat()}")
    return build_pdf(out, _story(remittance), pagesize=letter, frame=frame, printed=printed)
