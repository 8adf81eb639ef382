"""The negotiation preview of an agreement (issue 14): what it would have earned on its vendor's
posted receipts of a window (default: the twelve months to today), per ladder and tier, beside
what the same receipts earn today. Read-only; the numbers come from app.domain.negotiation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.adapters.accruals import line_query, posting_lines
from app.adapters.bulk import rows_in
from app.domain.negotiation import negotiation_preview
from app.domain.rates import result_percent
from app.domain.validation import Problem
from app.domain.vocabulary import LADDER_KINDS, POSTED, one_of
from app.models import Agreement, AgreementLine, LineAccrual, Product, ReceivingSlip, Vendor

from .context import UnitOfWork
from .errors import NotFound, ValidationFailed
from .ladders import build_ladders
from .security import Permission, require

NEGOTIATION_COLUMNS = (
    "ladder", "start_date", "end_date", "tier", "max_amount", "rate", "lines", "volume", "volume_in_tier",
    "tier_reached", "would_earn", "earns_now", "difference",
)  # fmt: skip
MONEY_COLUMNS = ("max_amount", "volume", "volume_in_tier", "would_earn", "earns_now", "difference")


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True)
class TierRow:
    tier: int
    max_amount: Decimal
    rate_pct: Decimal
    volume: Decimal  # of the window, in this tier's band


@dataclass(frozen=True)
class LadderRow:
    ladder: str
    start: date
    end: date
    method: str
    retro: bool
    period: str | None
    lines: int
    volume: Decimal
    tier: int
    would_earn: Decimal
    earns_now: Decimal
    tiers: tuple[TierRow, ...]

    @property
    def difference(self) -> Decimal:
        return self.would_earn - self.earns_now


@dataclass(frozen=True)
class NegotiationPreview:
    vendor: str
    vendor_name: str
    kind: str
    agreement_no: str
    status: str
    date_from: date
    date_to: date
    receipts: Decimal  # every posted receipt of the vendor in the window
    ladders: tuple[LadderRow, ...]

    @property
    def would_earn(self) -> Decimal:
        return sum((lad.would_earn for lad in self.ladders), Decimal("0.00"))

    @property
    def earns_now(self) -> Decimal:
        return sum((lad.earns_now for lad in self.ladders), Decimal("0.00"))

    @property
    def difference(self) -> Decimal:
        return self.would_earn - self.earns_now

    def rows(self) -> list[tuple[object, ...]]:
        """One row per ladder and tier, in NEGOTIATION_COLUMNS order (for XLSX and CSV)."""
        out: list[tuple[object, ...]] = []
        for lad in self.ladders:
            for t in lad.tiers:
                out.append(
                    (lad.ladder, lad.start, lad.end, t.tier, t.max_amount, t.rate_pct, lad.lines, lad.volume,
                     t.volume, lad.tier, lad.would_earn, lad.earns_now, lad.difference)
                )  # fmt: skip
        return out


def preview_agreement(
    uow: UnitOfWork, agreement_id: int, date_from: date | None = None, date_to: date | None = None
) -> NegotiationPreview:
    """The preview of one agreement (any status) on its vendor's receipts from date_from to
    date_to (both included; default the twelve months to today)."""
    require(uow, Permission.REPORTS)
    session = uow.session
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(f"Agreement {agreement_id} does not exist")
    if agreement.kind not in LADDER_KINDS:  # a lump sum or price protection earns nothing on receipts
        why = f"a {agreement.kind} agreement earns nothing on receipts (the preview is for {one_of(LADDER_KINDS)})"
        raise ValidationFailed([Problem(f"Agreement {agreement.number}", "Kind", why)])
    date_to = date_to or date.today()
    date_from = date_from or date_to - timedelta(days=364)
    if date_from > date_to:
        raise ValidationFailed([Problem("Negotiation preview", "from", f"{date_from} is after to {date_to}")])
    vendor = session.get(Vendor, agreement.vendor_id)
    assert vendor is not None
    lines = list(session.scalars(select(AgreementLine).where(AgreementLine.agreement_id == agreement_id)))
    pids = sorted({ln.product_id for ln in lines if ln.product_id is not None})
    codes = dict(rows_in(session, select(Product.id, Product.code), Product.id, pids)) if pids else {}
    ladders = sorted(build_ladders([agreement], lines, codes), key=lambda lad: (-lad.scope.rank, lad.scope.label))
    where = (
        (ReceivingSlip.vendor_id == vendor.id)
        & (ReceivingSlip.status == POSTED)
        & (ReceivingSlip.received_date >= date_from)
        & (ReceivingSlip.received_date <= date_to)
    )
    received = posting_lines(session, line_query(session).where(where))
    t = LineAccrual
    now = {
        (line_id, kind): int(rebate.scaleb(2))
        for line_id, kind, rebate in session.execute(
            select(t.receipt_line_id, t.kind, t.rebate).where(
                t.vendor_id == vendor.id,
                t.kind == agreement.kind,
                t.received_date >= date_from,
                t.received_date <= date_to,
            )
        )
    }
    outcomes = negotiation_preview(ladders, received, now, (date_from, date_to))
    rows = tuple(
        LadderRow(
            o.ladder.scope.label,
            o.ladder.start,
            o.ladder.end,
            o.ladder.method,
            o.ladder.terms.retro,
            o.ladder.terms.period,
            o.lines,
            _money(o.volume),
            o.tier,
            _money(o.would_earn),
            _money(o.earns_now),
            tuple(TierRow(x.tier, _money(x.max_amount), result_percent(x.rate), _money(x.volume)) for x in o.tiers),
        )  # fmt: skip
        for o in outcomes
    )
    total = _money(sum(line.amount for line in received))
    return NegotiationPreview(
        vendor.code, vendor.name, agreement.kind, agreement.number, agreement.status, date_from, date_to, total, rows
    )
