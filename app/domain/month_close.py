"""The month close (SPEC §13): which co-op invoices a vendor's uninvoiced receivable makes, and
a lump sum's accrual of the month. Pure rules: the service reads the lines and writes what
these functions decide.

Each REBATE_RECEIVABLE journal line with an entry date up to the month's end that is on no
invoice yet goes on the invoice of its vendor, kind, agreement (or the vendor's provisional
accruals of the kind) and settlement method. A group that adds up to zero makes no invoice:
its lines stay uninvoiced and join the group's next invoice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .lump_sum import cumulative
from .vocabulary import KINDS


@dataclass(frozen=True)
class ClaimLine:
    """An uninvoiced REBATE_RECEIVABLE journal line and what decides its invoice; amount in
    cents (debit − credit); scope, tier and rate (percent) as the line stands at the close."""

    line_id: int
    kind: str
    agreement_no: str | None
    provisional: bool
    method: str
    amount: int
    scope: str = ""
    tier: int | None = None
    rate: Decimal | None = None


@dataclass
class InvoiceDraft:
    """What one invoice will hold: its key and lines; amount in cents (< 0: a credit)."""

    kind: str
    agreement_no: str | None
    provisional: bool
    method: str
    lines: list[ClaimLine] = field(default_factory=list)

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


def invoice_drafts(lines: Iterable[ClaimLine]) -> list[InvoiceDraft]:
    """The invoices of one vendor's lines, in a stable order (kind as the vocabulary lists
    them, agreement number, provisional last, method); none for a zero total."""
    groups: dict[tuple[str, str | None, bool, str], InvoiceDraft] = {}
    for line in lines:
        key = (line.kind, line.agreement_no, line.provisional, line.method)
        draft = groups.get(key)
        if draft is None:
            draft = groups[key] = InvoiceDraft(*key)
        draft.lines.append(line)
    order = {kind: i for i, kind in enumerate(KINDS)}
    drafts = sorted(
        groups.values(),
        key=lambda d: (order.get(d.kind, len(order)), d.provisional, d.agreement_no or "", d.method),
    )
    for draft in drafts:
        draft.lines.sort(key=lambda line: line.line_id)
    return [d for d in drafts if d.amount]


def lump_sum_due(amount: Decimal, start: date, end: date, month_end: date, accrued: Decimal) -> Decimal:
    """A lump sum's accrual at a month's close: cumulative to the month's end less what was
    accrued before (an agreement accepted late catches up)."""
    return cumulative(amount, start, end, month_end) - accrued


def totals_by_key(drafts: Iterable[InvoiceDraft]) -> dict[tuple[str, str | None, bool, str], int]:
    """Amount in cents per invoice key (a preview's figures)."""
    out: dict[tuple[str, str | None, bool, str], int] = defaultdict(int)
    for d in drafts:
        out[(d.kind, d.agreement_no, d.provisional, d.method)] += d.amount
    return dict(out)
