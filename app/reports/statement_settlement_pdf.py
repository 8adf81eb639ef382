"""The vendor statement's sections beyond the ladders (SPEC §11.2, §13–§14): lump-sum and
price-protection agreements, price-protection claims, co-op invoices, settlements and open
disputes. A section with no rows is left out."""

from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.platypus import Flowable, Spacer, Table

from app.domain.money import ZERO
from app.domain.vocabulary import KIND_PHRASES, METHOD_NAMES, PRICE_PROTECTION, SETTLEMENT_NAMES, SOURCE_NAMES
from app.services.statements import StatementData

from .pdf_common import MARGIN, grid_style, money, para, styles, total_style

WIDTH = letter[0] - 2 * MARGIN
PROVISIONAL = "provisional"


def statement_total(row: int) -> list[tuple[Any, ...]]:
    return total_style(row, 8)


def _cost(value: Any) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.2f}"


def _quantity(value: Any) -> str:
    return f"{value.normalize():,f}" if value % 1 else f"{value:,.0f}"


def claims(data: StatementData) -> list[Flowable]:
    if not data.claims:
        return []
    s = styles()
    rows: list[list[object]] = [
        ["Date", "Product", "Description", "Agreement", "Old cost", "New cost", "On hand", "Claim"]
    ]
    for c in data.claims:
        rows.append(
            [
                c.effective_date.isoformat(), para(c.product_code, s.cell), para(c.description, s.cell),
                c.agreement_no, _cost(c.old_unit_cost), _cost(c.new_unit_cost), _quantity(c.on_hand), money(c.amount),
            ]
        )  # fmt: skip
    rows.append(["Total", "", "", "", "", "", "", money(sum((c.amount for c in data.claims), ZERO))])
    widths = (56, 90, WIDTH - 416, 58, 54, 54, 50, 54)
    style = grid_style(4, font_size=7.5, extra=statement_total(len(rows) - 1))
    return [
        para(f"{KIND_PHRASES[PRICE_PROTECTION]} claims", s.heading),
        Table(rows, colWidths=widths, repeatRows=1, style=style),
        para("Each claim is (old cost − new cost) × quantity on hand on the date of the price change.", s.muted),
    ]


def other_agreements(data: StatementData) -> list[Flowable]:
    """The lump-sum and price-protection agreements in force (they have no tiers)."""
    if not data.others:
        return []
    s = styles()
    rows: list[list[object]] = [["Kind", "Agreement", "From", "To", "Method", "Terms"]]
    for o in data.others:
        if o.amount is not None:
            terms = f"{money(o.amount)} {data.currency}, accrued evenly by day at each month close"
        else:
            terms = f"scope {o.scope}: (old cost − new cost) × on hand when the cost is lowered"
        method = f"{METHOD_NAMES.get(o.method, o.method)} ({o.method})" if o.method else ""
        rows.append(
            [KIND_PHRASES.get(o.kind, o.kind), o.agreement_no, o.start.isoformat(), o.end.isoformat(),
             para(method, s.cell), para(terms, s.cell)]
        )  # fmt: skip
    widths = (70, 50, 50, 50, 110, WIDTH - 330)
    return [Spacer(0, 2), Table(rows, colWidths=widths, repeatRows=1, style=grid_style(6, font_size=7.5)), Spacer(0, 8)]


def invoices(data: StatementData) -> list[Flowable]:
    if not data.invoices:
        return []
    s = styles()
    rows: list[list[object]] = [["Invoice", "Date", "Due", "Kind", "Agreement", "Method", "Amount", "Open", "Status"]]
    for v in data.invoices:
        rows.append(
            [
                para(v.invoice_no, s.cell), v.invoice_date.isoformat(), v.due_date.isoformat(),
                KIND_PHRASES.get(v.kind, v.kind), v.agreement_no or PROVISIONAL, v.method,
                money(v.balance.billed), money(v.open_amount), v.status,
            ]
        )  # fmt: skip
    billed = sum((v.balance.billed for v in data.invoices), ZERO)
    still = sum((v.open_amount for v in data.invoices), ZERO)
    rows.append(["Total", "", "", "", "", "", money(billed), money(still), ""])
    widths = (WIDTH - 444, 50, 50, 78, 50, 36, 62, 62, 56)
    style = grid_style(6, font_size=7.5, extra=[
        ("ALIGN", (5, 0), (5, -1), "CENTER"), ("ALIGN", (8, 0), (8, -1), "LEFT"),
        *statement_total(len(rows) - 1)])  # fmt: skip
    return [
        para("Co-op invoices", s.heading),
        Table(rows, colWidths=widths, repeatRows=1, style=style),
        para(
            f"Invoices dated in the period. Open amounts and statuses as of {data.date_to.isoformat()}; "
            "a negative amount is a credit to you.",
            s.muted,
        ),
    ]


def settlements(data: StatementData) -> list[Flowable]:
    if not data.settlements:
        return []
    s = styles()
    rows: list[list[object]] = [["Date", "Kind", "Reference", "Invoices", "Amount"]]
    for t in data.settlements:
        kind = SETTLEMENT_NAMES.get(t.kind) or SOURCE_NAMES.get(t.kind, t.kind)
        rows.append(
            [t.settle_date.isoformat(), kind, para(t.reference, s.cell), para(", ".join(t.invoices), s.cell),
             money(t.amount)]
        )  # fmt: skip
    rows.append(["Total", "", "", "", money(sum((t.amount for t in data.settlements), ZERO))])
    widths = (56, 70, 120, WIDTH - 316, 70)
    style = grid_style(4, font_size=7.5, extra=statement_total(len(rows) - 1))
    return [
        para("Settlements", s.heading),
        Table(rows, colWidths=widths, repeatRows=1, style=style),
        para("Cheques, credit notes, write-offs and dispute credits dated in the period; a reversal is negative.",
             s.muted),
    ]  # fmt: skip


def disputes(data: StatementData) -> list[Flowable]:
    if not data.disputes:
        return []
    s = styles()
    rows: list[list[object]] = [["Dispute ID", "Invoice", "Reason", "Title", "Amount", "Filed", "Deadline", "Overdue"]]
    for d in data.disputes:
        rows.append(
            [
                d.dispute_no, para(d.invoice_no, s.cell), d.reason, para(d.title, s.cell), money(d.amount),
                d.filed_date.isoformat(), d.deadline.isoformat(), "yes" if d.overdue else "no",
            ]
        )  # fmt: skip
    rows.append(["Total", "", "", "", money(sum((d.amount for d in data.disputes), ZERO)), "", "", ""])
    widths = (78, 82, 62, WIDTH - 430, 60, 54, 54, 40)
    style = grid_style(4, font_size=7.5, extra=[
        ("ALIGN", (5, 0), (-1, -1), "LEFT"), ("ALIGN", (7, 0), (7, -1), "CENTER"),
        *statement_total(len(rows) - 1)])  # fmt: skip
    return [
        para(f"Open disputes as of {data.date_to.isoformat()}", s.heading),
        Table(rows, colWidths=widths, repeatRows=1, style=style),
        para("A disputed amount is not deducted while its dispute is open. A dispute not answered by its "
             "deadline (30 days after it was filed) is overdue.", s.muted),
    ]  # fmt: skip


def settlement_story(data: StatementData) -> list[Flowable]:
    """The invoices, settlements and disputes, in that order."""
    return [*invoices(data), *settlements(data), *disputes(data)]
