"""The printed vendor statement (SPEC §8): a StatementData to PDF, and its file name.
The files of one or many vendors are written by app.services.statement_files."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import letter
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.domain.money import ZERO
from app.domain.vocabulary import (
    ACTUALS,
    KIND_PHRASES,
    LUMP_SUM,
    METHOD_NAMES,
    PERIOD_NAMES,
    PRICE_PROTECTION,
    SOURCE_NAMES,
)
from app.services.statements import LadderInForce, StatementData

from .axis import is_unlimited
from .pdf_common import (
    ACCENT,
    BAND_BG,
    INK,
    MARGIN,
    MUTED,
    NARROW_BOLD,
    SANS_BOLD,
    PageFrame,
    build_pdf,
    grid_style,
    money,
    para,
    percent,
    styles,
    text,
)
from .statement_settlement_pdf import claims, other_agreements, settlement_story, statement_total
from .tier_chart import tier_chart

TITLE = "Rebate statement"
WIDTH = letter[0] - 2 * MARGIN


def _header(data: StatementData) -> list[Flowable]:
    s = styles()
    period = f"{data.date_from.isoformat()} to {data.date_to.isoformat()}"
    left = [para(data.company_name, s.title), para(data.company_address, s.small)]
    right = [
        para(TITLE, s.title_right),
        para(f"Period: {period}", s.small_right),
        para(f"Currency: {data.currency}", s.small_right),
    ]
    top = Table(
        [[left, right]],
        colWidths=(WIDTH * 0.55, WIDTH * 0.45),
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        ),
    )
    vendor = [
        para("Vendor", s.muted),
        para(f"{data.vendor_name}", s.heading),
        para(f"Vendor code {data.vendor_code}", s.small),
        para(data.vendor_address, s.small),
    ]
    summary = Table(
        [["Rebate accrued in the period"], [f"{money(data.total)} {data.currency}"], [period]],
        colWidths=(WIDTH * 0.38,),
        style=TableStyle([
            ("FONT", (0, 0), (-1, -1), SANS_BOLD, 8), ("TEXTCOLOR", (0, 0), (-1, -1), MUTED),
            ("FONT", (0, 1), (-1, 1), SANS_BOLD, 15), ("TEXTCOLOR", (0, 1), (-1, 1), INK),
            ("LEADING", (0, 1), (-1, 1), 19), ("FONT", (0, 2), (-1, 2), "DejaVuSans", 7.5),
            ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
            ("BACKGROUND", (0, 0), (-1, -1), BAND_BG), ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8)]),
    )  # fmt: skip
    middle = Table(
        [[vendor, summary]],
        colWidths=(WIDTH * 0.6, WIDTH * 0.4),
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        ),
    )
    return [top, Spacer(0, 14), middle, Spacer(0, 6)]


def _by_kind(data: StatementData) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [para("Summary by kind", s.heading)]
    if not data.by_kind:
        return [*story, para("No agreement and no rebate accrued in this period.", s.body)]
    fields = ["accrual", "retro", "rerate"]
    head = ["Kind", "Regular accruals", "Retroactive", "Re-rates"]
    if any(k.actuals for k in data.by_kind):  # a column only for a vendor that states actuals
        fields.append("actuals")
        head.append("Vendor actuals")
    rows: list[list[object]] = [[*head, "Total"]]
    for k in data.by_kind:
        rows.append([KIND_PHRASES.get(k.kind, k.kind), *(money(getattr(k, f)) for f in fields), money(k.total)])
    totals = [sum((getattr(k, f) for k in data.by_kind), ZERO) for f in fields]
    rows.append(["Total", *(money(v) for v in totals), money(data.total)])
    widths = (WIDTH * 0.32, *((WIDTH * 0.68) / (len(fields) + 1),) * (len(fields) + 1))
    story.append(Table(rows, colWidths=widths, style=grid_style(1, font_size=8, extra=statement_total(len(rows) - 1))))
    own = [
        f"{KIND_PHRASES[k].lower()}: {w}" for k, w in _OWN_ACCRUALS.items() if any(t.kind == k for t in data.by_kind)
    ]
    if own:
        story.append(para("Regular accruals of " + "; of ".join(own) + ".", s.muted))
    if data.expected:
        story.append(
            para(
                "Accrued toward the tier expected this period, at the period's end (an estimate trued up at each "
                "month close, not invoiced and not in the totals above): "
                + "; ".join(f"{KIND_PHRASES.get(kind, kind)} {money(amount)}" for kind, amount in data.expected)
                + ".",
                s.muted,
            )
        )
    provisional = [f"{KIND_PHRASES.get(k.kind, k.kind)} {money(k.provisional)}" for k in data.by_kind if k.provisional]
    if provisional:
        story.append(
            para(
                "Of these, accrued at provisional rates (no accepted agreement covers those receipts; they are "
                "re-rated to the agreement's rates when one is accepted): " + "; ".join(provisional) + ".",
                s.muted,
            )
        )
    return story


_OWN_ACCRUALS = {
    LUMP_SUM: "the month closes' accruals of the amount, evenly by day",
    PRICE_PROTECTION: "the claims on price changes, listed below",
}


def _by_month(data: StatementData) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [para("Rebate accrued by month", s.heading)]
    if not data.kinds:
        return story[:0]
    rows: list[list[object]] = [["Month", *(KIND_PHRASES.get(k, k) for k in data.kinds), "Total"]]
    for m in data.months:
        rows.append([m.label, *(money(v) for v in m.by_kind), money(m.total)])
    totals = [sum((m.by_kind[i] for m in data.months), ZERO) for i in range(len(data.kinds))]
    rows.append(["Total", *(money(v) for v in totals), money(sum(totals, ZERO))])
    number = (WIDTH - WIDTH * 0.2) / (len(data.kinds) + 1)
    table = Table(
        rows,
        colWidths=(WIDTH * 0.2, *(number,) * (len(data.kinds) + 1)),
        repeatRows=1,
        style=grid_style(1, font_size=8, extra=statement_total(len(rows) - 1)),
    )
    story.append(table)
    story.append(
        para(
            "By the date of the journal entry: a receipt's accrual in the month it was "
            "received, a re-rate in the month it was posted.",
            s.muted,
        )
    )
    return story


def _adjustments(data: StatementData) -> list[Flowable]:
    s = styles()
    title = "Retroactive adjustments and re-rates"
    if any(a.source == ACTUALS for a in data.adjustments):
        title = "Retroactive adjustments, re-rates and vendor actuals"
    story: list[Flowable] = [para(title, s.heading)]
    if not data.adjustments:
        return [*story, para("None in this period.", s.small)]
    rows: list[list[object]] = [["Date", "Type", "Slip", "Line", "Kind", "Amount", "Description"]]
    for a in data.adjustments:
        rows.append(
            [
                a.entry_date.isoformat(),
                SOURCE_NAMES.get(a.source, a.source),
                para(a.slip_no, s.cell),
                "" if a.line_no is None else str(a.line_no),
                a.kind,
                money(a.amount),
                para(a.memo, s.cell),
            ]
        )
    total = sum((a.amount for a in data.adjustments), ZERO)
    rows.append(["Total", "", "", "", "", money(total), ""])
    widths = (56, 54, 70, 28, 50, 66, WIDTH - 324)
    style = grid_style(5, font_size=7.5, extra=[
        ("ALIGN", (6, 0), (6, -1), "LEFT"), ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        *statement_total(len(rows) - 1)])  # fmt: skip
    story.append(Table(rows, colWidths=widths, repeatRows=1, style=style))
    return story


def _tier_table(ladder: LadderInForce) -> Table:
    rows: list[list[object]] = [
        ["Tier", "Volume up to", "Rebate 1", "Rebate 2", "Rebate 3", "Rebate 4", "Deg", "Result %"]
    ]
    current = ladder.progress.tier if ladder.progress else 0
    for t in ladder.tiers:
        upto = "no limit" if is_unlimited(t.max_amount) else money(t.max_amount)
        rows.append(
            [
                f"{t.number} of {len(ladder.tiers)}",
                upto,
                *("" if r is None else f"{r.normalize():f}" for r in t.rebates),
                "Y" if t.degressive else "N",
                percent(t.result_pct),
            ]
        )
    extra: list[tuple[Any, ...]] = [("ALIGN", (6, 0), (6, -1), "CENTER")]
    if current:
        extra += [
            ("BACKGROUND", (0, current), (-1, current), BAND_BG),
            ("FONT", (0, current), (-1, current), NARROW_BOLD, 7.5),
        ]
    return Table(
        rows, colWidths=(44, 78, 52, 52, 52, 52, 30, 56), hAlign="LEFT", style=grid_style(1, font_size=7.5, extra=extra)
    )


def _ladder(ladder: LadderInForce, data: StatementData, note: Flowable | None = None) -> Flowable:
    s = styles()
    title = f"{KIND_PHRASES.get(ladder.kind, ladder.kind)} · agreement {ladder.agreement_no} · {ladder.scope}"
    terms = [
        f"{ladder.start.isoformat()} to {ladder.end.isoformat()}",
        f"paid by {METHOD_NAMES.get(ladder.method, ladder.method)} ({ladder.method})",
        "Retro: yes" if ladder.retro else "Retro: no (marginal)",
        f"Product %: {ladder.product_pct.normalize():f}",
    ]
    if ladder.period:
        terms.append(f"volume counted {PERIOD_NAMES.get(ladder.period, ladder.period).lower()}")
    parts: list[Flowable] = [
        para(title, s.cell_bold),
        para(" · ".join(terms), s.muted),
        Spacer(0, 3),
        _tier_table(ladder),
        Spacer(0, 4),
    ]
    p = ladder.progress
    if p is None:
        parts.append(para("Starts after the period: no progress yet.", s.small))
    else:
        volume_label = f"Volume {p.period_key}" if p.period_key else "Volume to date"
        as_of = min(ladder.end, data.date_to).isoformat()
        line = (
            f"{text(volume_label)} (as of {as_of}): <b>{money(p.volume)}</b> · tier {p.tier} of "
            f"{p.tiers} at {percent(p.rate_pct)}% · earned to date <b>{money(p.rebate)}</b>"
        )
        if p.needed_for_next is not None:
            line += f" · {money(p.needed_for_next)} more reaches tier {p.tier + 1}"
            if p.rebate_at_next:
                line += f", adding {money(p.rebate_at_next)} at once"
        if p.beyond_maximum is not None:
            line += (
                f" · <font color='#b42318'>maximum reached: {money(p.beyond_maximum)} above the last tier's maximum "
                "earns nothing</font>"
            )
        parts.append(Paragraph(line, s.small))
        if p.periods:  # each period reaches its own tier; earned to date is their sum
            parts.append(
                para(
                    "Periods: "
                    + " · ".join(
                        f"{q.period_key} {q.volume:,.2f}, tier {q.tier} at {q.rate_pct:.3f}%, earned {q.rebate:,.2f}"
                        for q in p.periods
                    ),
                    s.small,
                )
            )
        parts.append(Spacer(0, 3))
        chart = tier_chart(
            WIDTH - 8,
            ladder.thresholds,
            [t.result_pct for t in ladder.tiers],
            p.volume,
            p.tier,
            currency=data.currency,
            volume_label=volume_label,
        )
        parts.append(chart)
    parts.append(Spacer(0, 10))
    if note is not None:
        parts.append(note)
    return KeepTogether(parts)


def debit_balance_line(data: StatementData) -> str:
    """The statement's debit-balance line (SPEC §15), blank when the vendor is not in debit
    balance at the period's end."""
    b = data.balance
    if b is None or not b.debit_balance:
        return ""
    return (
        f"Debit balance: the vendor owes {b.excess:,.2f} {data.currency} more than we owe it "
        f"(receivable {b.receivable:,.2f} against payable {b.payable:,.2f} on {data.date_to.isoformat()})."
    )


def debit_balance(data: StatementData) -> list[Flowable]:
    line = debit_balance_line(data)
    return [Spacer(0, 6), para(text(line), styles().heading)] if line else []


def statement_story(data: StatementData) -> list[Flowable]:
    s = styles()
    story = [*_header(data), *_by_kind(data), *_by_month(data), *_adjustments(data), *claims(data)]
    story.extend(settlement_story(data))
    story.extend(debit_balance(data))
    story.append(CondPageBreak(200))
    story.append(para("Agreements in force and tier progress", s.heading))
    story.extend(other_agreements(data))
    if not data.ladders and not data.others:
        story.append(para("No accepted agreement of this vendor is in force during the period.", s.body))
    note = para(
        "Amounts are rebates accrued to the rebate receivable from posted receiving slips, month closes and "
        f"price changes, in {text(data.currency)}. Volume to date and tiers are as of {data.date_to.isoformat()}. "
        "Please report any difference to our accounts payable department.",
        s.muted,
    )
    for n, ladder in enumerate(data.ladders, start=1):  # the note goes with the last ladder, not alone on a page
        story.append(_ladder(ladder, data, note if n == len(data.ladders) else None))
    if not data.ladders:
        story.extend([Spacer(0, 6), note])
    return story


def write_statement_pdf(out: str | Path | BinaryIO, data: StatementData, printed: date | None = None) -> int:
    """Lay out one statement; returns the number of pages."""
    frame = PageFrame(
        data.company_name,
        f"{TITLE} · {data.vendor_code}",
        f"{data.date_from.isoformat()} to {data.date_to.isoformat()}",
    )
    return build_pdf(out, statement_story(data), pagesize=letter, frame=frame, printed=printed or date.today())


def statement_filename(vendor: str, date_from: date, date_to: date) -> str:
    """statement-VENDOR-FROM-TO.pdf. A code with characters a file name cannot hold (a code
    may contain "/") has them as "_" and a short digest of the code after "~" (which no
    code keeps), so that V/1 and V_1 never share a file."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", vendor)
    if safe != vendor:
        safe += "~" + hashlib.sha256(vendor.encode()).hexdigest()[:8]
    return f"statement-{safe}-{date_from.isoformat()}-{date_to.isoformat()}.pdf"
