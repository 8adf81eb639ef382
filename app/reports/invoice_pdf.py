"""The co-op invoice (SPEC §13): an InvoiceDocument to PDF. Per invoice: the company, the vendor's
billing address, the invoice's facts, the amount (a negative one is a credit to the vendor), how
to pay (the remit-to bank details, the exact amount and currency, the invoice number to quote),
totals per tier and per received month, then the backup as an appendix. A vendor's invoices of
a month follow one another in one file, each from a new page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import letter
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.domain.money import ZERO
from app.domain.vocabulary import DEFAULT_METHOD, HELD, KIND_NAMES, LADDER_KINDS, METHOD_NAMES, METHODS, SOURCE_NAMES
from app.services.invoice_backup import BackupRow, InvoiceBackup
from app.services.invoice_documents import InvoiceDocument

from .pdf_common import (
    ACCENT,
    BAND_BG,
    DASH,
    INK,
    MARGIN,
    MUTED,
    PLAIN,
    SANS,
    SANS_BOLD,
    PageFrame,
    build_pdf,
    facts_box,
    grid_style,
    money,
    para,
    percent,
    styles,
    text,
    total_style,
)

TITLE = "Co-op invoice"
WIDTH = letter[0] - 2 * MARGIN
# What each settlement method (METHODS: cheque, credit note, deduction) asks of the vendor.
_HOW = dict(
    zip(
        METHODS,
        (
            "Please pay by cheque or bank transfer to the account below.",
            "Please settle it by a credit note to us, or pay it to the account below.",
            "We will deduct this amount from our next payment to you; to pay it instead, use the account below.",
        ),
        strict=True,
    )
)


def _title(b: InvoiceBackup) -> str:
    return "Credit note" if b.invoice.amount < ZERO else TITLE


def _agreement(b: InvoiceBackup) -> str:
    v = b.invoice
    if v.agreement_no:
        return v.agreement_no
    return "none (accrued at provisional rates)" if v.provisional else DASH


def _header(doc: InvoiceDocument, b: InvoiceBackup) -> list[Flowable]:
    s, v = styles(), b.invoice
    left = [para(doc.company.name, s.title), para(doc.company.address, s.small)]
    right = [
        para(_title(b), s.title_right),
        para(f"No. {v.invoice_no}", s.small_right),
        para(f"Printed {doc.printed.isoformat()}", s.small_right),
    ]
    top = Table([[left, right]], colWidths=(WIDTH * 0.55, WIDTH * 0.45), style=TableStyle(PLAIN))
    vendor = [
        para("Bill to", s.muted),
        para(doc.vendor.name, s.heading),
        para(f"Vendor code {doc.vendor.code}", s.small),
        para(doc.vendor.address or "(no address on file)", s.small),
    ]
    if doc.vendor.email:
        vendor.append(para(doc.vendor.email, s.small))
    facts = [
        ("Invoice no.", v.invoice_no),
        ("Invoice date", v.invoice_date.isoformat()),
        ("Due date", v.due_date.isoformat()),
        ("Month", v.month),
        ("Agreement", _agreement(b)),
        ("Kind", f"{KIND_NAMES.get(v.kind, v.kind)} ({v.kind})"),
        ("Method", f"{METHOD_NAMES.get(v.method, v.method)} ({v.method})"),
        ("Currency", v.currency),
        ("Status", v.status),
    ]
    box = facts_box(facts, (WIDTH * 0.13, WIDTH * 0.29), padding=1.5)
    middle = Table([[vendor, box]], colWidths=(WIDTH * 0.58, WIDTH * 0.42), style=TableStyle(PLAIN))
    return [top, Spacer(0, 14), middle, Spacer(0, 10)]


def _amount_band(b: InvoiceBackup) -> Flowable:
    v = b.invoice
    credit = v.balance.billed < ZERO
    label = "Credit to the vendor" if credit else "Amount due"
    shown = money(-v.balance.billed if credit else v.balance.billed)
    lines = [[label], [f"{shown} {v.currency}"], [f"due {v.due_date.isoformat()}" if not credit else "credit note"]]
    return Table(
        lines,
        colWidths=(WIDTH * 0.42,),
        hAlign="RIGHT",
        style=TableStyle([
            ("FONT", (0, 0), (-1, -1), SANS_BOLD, 8), ("TEXTCOLOR", (0, 0), (-1, -1), MUTED),
            ("FONT", (0, 1), (-1, 1), SANS_BOLD, 16), ("TEXTCOLOR", (0, 1), (-1, 1), INK),
            ("LEADING", (0, 1), (-1, 1), 20), ("FONT", (0, 2), (-1, 2), SANS, 7.5),
            ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
            ("BACKGROUND", (0, 0), (-1, -1), BAND_BG), ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8)]),
    )  # fmt: skip


def _how_to_pay(doc: InvoiceDocument, b: InvoiceBackup) -> list[Flowable]:
    s, v = styles(), b.invoice
    billed = v.balance.billed
    story: list[Flowable] = [para("How to pay", s.heading)]
    if billed < ZERO:
        story.append(
            para(
                f"This is a credit to you: {doc.company.name} owes {doc.vendor.name} {money(-billed)} {v.currency}, "
                f"settled by {METHOD_NAMES.get(v.method, v.method)}. Nothing is to be paid on it. "
                f"Please quote invoice number {v.invoice_no} in any correspondence.",
                s.body,
            )
        )
        return story
    exact = f"Amount to pay: exactly <b>{text(money(billed))} {text(v.currency)}</b> by {text(v.due_date.isoformat())}"
    if v.balance.settled != ZERO:
        exact += f" (of which {text(money(v.open_amount))} {text(v.currency)} is still open)"
    remit = doc.remit_to.strip() or "(no bank details are set: ask us for them)"
    story += [
        para(_HOW.get(v.method, _HOW[DEFAULT_METHOD]), s.body),
        Spacer(0, 4),
        Paragraph(exact + ".", s.body),
        Spacer(0, 4),
        Table(
            [[para("Remit to", s.muted), para(remit, s.body)]],
            colWidths=(WIDTH * 0.13, WIDTH * 0.87),
            style=TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, ACCENT),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            ),
        ),  # fmt: skip
        Spacer(0, 4),
        Paragraph(f"Please quote invoice number <b>{text(v.invoice_no)}</b> with your payment.", s.body),
    ]
    if v.status == HELD:
        story.append(para("This invoice is held until your actual for the month is accepted.", s.muted))
    return story


def _rates(rows: Sequence[BackupRow]) -> str:
    found = sorted({r.rate for r in rows if r.rate is not None})
    return percent(found[0]) if len(found) == 1 else ("various" if found else DASH)


def _tier_totals(b: InvoiceBackup) -> Table:
    groups: dict[tuple[str, int], list[BackupRow]] = {}
    for r in b.rows:
        groups.setdefault((r.scope, r.tier if r.tier is not None else 0), []).append(r)
    data: list[list[object]] = [["Ladder scope", "Tier", "Rate %", "Lines", "Amount"]]
    for (scope, tier), rows in sorted(groups.items()):
        data.append([para(scope or DASH, styles().cell), str(tier) if tier else DASH, _rates(rows), str(len(rows)),
                     money(sum((r.amount for r in rows), ZERO))])  # fmt: skip
    data.append(["Total", "", "", str(len(b.rows)), money(b.total)])
    style = grid_style(1, font_size=7.5, extra=total_style(len(data) - 1, 7.5))
    return Table(data, colWidths=(WIDTH * 0.34, 40, 50, 40, 70), hAlign="LEFT", repeatRows=1, style=style)


def _month_totals(b: InvoiceBackup) -> Table:
    months: dict[str, list[BackupRow]] = {}
    for r in b.rows:
        months.setdefault(r.month, []).append(r)
    data: list[list[object]] = [["Received month", "Lines", "Regular", "Retroactive", "Re-rate", "Amount"]]

    def sums(rows: Sequence[BackupRow]) -> list[object]:
        return [str(len(rows)), *(money(sum((getattr(r, f) for r in rows), ZERO))
                                  for f in ("regular", "retroactive", "rerate", "amount"))]  # fmt: skip

    for month, rows in sorted(months.items()):
        data.append([month, *sums(rows)])
    data.append(["Total", *sums(b.rows)])
    style = grid_style(1, font_size=7.5, extra=total_style(len(data) - 1, 7.5))
    return Table(data, colWidths=(WIDTH - 50 - 4 * 70, 50, 70, 70, 70, 70), hAlign="LEFT", repeatRows=1, style=style)


def _summary(b: InvoiceBackup) -> list[Flowable]:
    s, v = styles(), b.invoice
    story: list[Flowable] = [para("Summary of the backup", s.heading)]
    if not b.rows:
        return [*story, para("This invoice holds no journal lines.", s.body)]
    if v.kind in LADDER_KINDS:
        story += [para("By tier", s.cell_bold), _tier_totals(b), Spacer(0, 6)]
        story += [para("By received month", s.cell_bold), _month_totals(b), Spacer(0, 4)]
    agrees = "equals" if b.total == v.amount else "differs from"
    story.append(
        para(f"Grand total {money(b.total)} {v.currency} {agrees} the invoice amount {money(v.amount)}.", s.small)
    )
    if v.balance.billed != v.amount:
        story.append(para(f"Billed at the vendor's accepted actual of {money(v.balance.billed)}.", s.muted))
    return story


BACKUP_HEAD = ["Slip / line", "Received", "Product", "Qty", "Extended", "Agr.", "Tier", "Rate %", "Regular"]
BACKUP_HEAD += ["Retro", "Re-rate", "Prov", "Amount"]
BACKUP_WIDTHS = (44, 44, 92, 38, 50, 24, 20, 30, 42, 42, 42, 22, 50)


def _slip(r: BackupRow) -> str:
    return DASH if r.slip_no is None else f"{r.slip_no} / {r.line_no}"


def _product(r: BackupRow) -> list[Flowable]:
    s = styles(6.8)
    out = [para(r.product_code or SOURCE_NAMES.get(r.source, r.source), s.cell)]
    detail = " · ".join(x for x in (r.vendor_item_code or "", r.description) if x)
    if r.slip_no is None and r.memo:
        detail = r.memo
    if detail:
        out.append(para(detail, s.cell_muted))
    return out


def _backup_table(b: InvoiceBackup) -> Table:
    s = styles(6.8)
    data: list[list[Any]] = [[para(h, s.head if i < 3 else s.head_right) for i, h in enumerate(BACKUP_HEAD)]]
    for r in b.rows:
        data.append([
            para(_slip(r), s.cell), r.received_date.isoformat(), _product(r),
            "" if r.quantity is None else f"{r.quantity:,}", money(r.extended_amount) if r.extended_amount is not None else "",
            r.agreement_no or "", "" if r.tier is None else str(r.tier), percent(r.rate) if r.rate is not None else "",
            money(r.regular), money(r.retroactive), money(r.rerate), "Y" if r.provisional else "N", money(r.amount),
        ])  # fmt: skip
    total = [sum((getattr(r, f) for r in b.rows), ZERO) for f in ("regular", "retroactive", "rerate")]
    data.append(["Total", "", "", "", "", "", "", "", *(money(t) for t in total), "", money(b.total)])
    extra = [("ALIGN", (11, 0), (11, -1), "CENTER"), *total_style(len(data) - 1, 6.8)]
    return Table(data, colWidths=BACKUP_WIDTHS, repeatRows=1, style=grid_style(3, font_size=6.8, extra=extra))


def _detail_table(b: InvoiceBackup) -> Table:
    """The own detail of a lump-sum or price-protection invoice: what each entry was."""
    s = styles(7.5)
    data: list[list[Any]] = [["Date", "Type", "Product", "Description", "Agr.", "Amount"]]
    for r in b.rows:
        data.append([
            r.received_date.isoformat(), SOURCE_NAMES.get(r.source, r.source), para(r.product_code or "", s.cell),
            para(r.memo or r.description, s.cell), r.agreement_no or "", money(r.amount),
        ])  # fmt: skip
    data.append(["Total", "", "", "", "", money(b.total)])
    widths = (54, 70, 80, WIDTH - 54 - 70 - 80 - 30 - 60, 30, 60)
    extra = [("ALIGN", (2, 0), (4, -1), "LEFT"), *total_style(len(data) - 1, 7.5)]
    return Table(data, colWidths=widths, repeatRows=1, style=grid_style(5, font_size=7.5, extra=extra))


def _appendix(b: InvoiceBackup) -> list[Flowable]:
    s = styles()
    heading = para(f"Appendix: backup of invoice {b.invoice.invoice_no}", s.heading)
    if not b.rows:
        return [heading, para("No lines.", s.body)]
    if b.invoice.kind not in LADDER_KINDS:
        heading = para(f"Appendix: detail of invoice {b.invoice.invoice_no}", s.heading)
        return [CondPageBreak(120), heading, _detail_table(b)]
    note = (
        "One row per journal line of the rebate receivable on this invoice. Regular: the accrual of a receipt; "
        "Retro: the retroactive catch-up; Re-rate: a correction of an earlier accrual (tier and rate after it). "
        "Rate: the percent of the tier. Prov: accrued at a provisional rate. Received: the receipt's date, else "
        "the date of the entry."
    )
    return [CondPageBreak(120), heading, _backup_table(b), Spacer(0, 3), para(note, s.muted)]


def invoice_story(doc: InvoiceDocument) -> list[Flowable]:
    story: list[Flowable] = []
    for i, b in enumerate(doc.invoices):
        if i:
            story.append(PageBreak())
        story += _header(doc, b)
        story.append(KeepTogether([_amount_band(b), *_how_to_pay(doc, b)]))
        story += _summary(b)
        story += _appendix(b)
    return story


def write_invoice_pdf(out: str | Path | BinaryIO, doc: InvoiceDocument) -> int:
    """Lay out a vendor's invoices (one or more); returns the number of pages."""
    numbers = [b.invoice.invoice_no for b in doc.invoices]
    subtitle = numbers[0] if len(numbers) == 1 else f"{len(numbers)} invoices, {doc.invoices[0].invoice.month}"
    frame = PageFrame(doc.company.name, f"{TITLE} · {doc.vendor.code}", subtitle)
    return build_pdf(out, invoice_story(doc), pagesize=letter, frame=frame, printed=doc.printed)
