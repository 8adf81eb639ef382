"""What a printed vendor statement holds (SPEC §8): data only, the PDF is in app/reports.

The rebate accrued in a period is read from the journal: the REBATE_RECEIVABLE lines of
ACCRUAL, RETRO and RERATE entries, of the month closes' LUMP_SUM accruals and of
PRICE_PROTECTION claims dated in the period, by agreement kind and entry month. A lump sum's
accrual and a price-protection claim are their kind's regular accrual. A vendor's actual
(ACTUALS) bills the difference from the accrual straight onto the held invoice: its
REBATE_RECEIVABLE lines net to zero, so its CLAIMS_RECEIVABLE line is what it adds.
Ladder progress (volume to date, tier, what the next tier adds) is the estimate of
app.services.estimated as of the last day of the period. The invoices, settlements and
disputes are read by app.services.statement_settlement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from app.adapters.bulk import slices
from app.domain.balances import VendorBalance
from app.domain.ladder import Ladder
from app.domain.money import ZERO
from app.domain.rates import line_result, result_percent
from app.domain.vocabulary import (
    ACCRUAL,
    ACTUALS,
    CLAIMS_RECEIVABLE,
    KINDS,
    LUMP_SUM_SOURCE,
    PRICE_PROTECTION_SOURCE,
    REBATE_RECEIVABLE,
    RERATE,
    RETRO,
)
from app.models import AgreementLine, CoopInvoice, JournalEntry, JournalLine, Settlement, Vendor

from .context import UnitOfWork
from .errors import NotFound
from .estimated import EstimatedRow, ladder_estimates
from .expected_accruals import standing_by_kind
from .invoice_views import InvoiceView
from .ladders import vendor_ladders
from .masterdata import company
from .security import Permission, require
from .statement_claims import OtherAgreement, PriceClaim, other_agreements, price_claims
from .statement_settlement import NOTHING, SettlementParts, StatementDispute, StatementSettlement, settlement_parts
from .vendor_balances import vendor_balance, vendor_balances

# What a statement counts (no RECEIPT lines): on REBATE_RECEIVABLE, and ACTUALS on CLAIMS_RECEIVABLE.
RECEIVABLE_SOURCES = (ACCRUAL, RETRO, RERATE, LUMP_SUM_SOURCE, PRICE_PROTECTION_SOURCE)
SOURCES = (*RECEIVABLE_SOURCES, ACTUALS)
OWN_ACCRUALS = (ACCRUAL, LUMP_SUM_SOURCE, PRICE_PROTECTION_SOURCE)  # a kind's regular accrual
ADJUSTMENTS = (RETRO, RERATE, ACTUALS)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class TierTerms:
    number: int
    max_amount: Decimal
    rebates: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]
    degressive: bool
    result_pct: Decimal


@dataclass(frozen=True)
class LadderInForce:
    """One ladder of an accepted agreement whose dates overlap the period, with its progress."""

    kind: str
    agreement_no: str
    scope: str
    start: date
    end: date
    method: str
    retro: bool
    product_pct: Decimal
    period: str | None
    tiers: tuple[TierTerms, ...]
    progress: EstimatedRow | None  # None when the ladder starts after the period

    @property
    def thresholds(self) -> tuple[Decimal, ...]:
        return tuple(t.max_amount for t in self.tiers)


@dataclass(frozen=True)
class MonthRow:
    month: str  # YYYY-MM
    by_kind: tuple[Decimal, ...]  # in StatementData.kinds order
    total: Decimal

    @property
    def label(self) -> str:
        year, month = self.month.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"


@dataclass(frozen=True)
class KindTotal:
    kind: str
    accrual: Decimal
    retro: Decimal
    rerate: Decimal
    provisional: Decimal = ZERO  # of the total: accrued at provisional rates (SPEC §12)
    actuals: Decimal = ZERO  # vendor actuals: billed beyond (or short of) the accrual (SPEC §13)

    @property
    def total(self) -> Decimal:
        return self.accrual + self.retro + self.rerate + self.actuals


@dataclass(frozen=True)
class Adjustment:
    """A retroactive part or a re-rate, as it hit the rebate receivable."""

    entry_date: date
    source: str
    slip_no: str
    line_no: int | None
    kind: str
    amount: Decimal
    memo: str


@dataclass(frozen=True)
class StatementData:
    company_name: str
    company_address: str
    currency: str
    vendor_code: str
    vendor_name: str
    vendor_address: str
    date_from: date
    date_to: date
    kinds: tuple[str, ...]
    ladders: tuple[LadderInForce, ...]
    months: tuple[MonthRow, ...]
    by_kind: tuple[KindTotal, ...]
    adjustments: tuple[Adjustment, ...]
    claims: tuple[PriceClaim, ...] = ()
    others: tuple[OtherAgreement, ...] = ()  # lump-sum and price-protection agreements in force
    invoices: tuple[InvoiceView, ...] = ()  # dated in the period; open amounts as of its end
    settlements: tuple[StatementSettlement, ...] = ()
    disputes: tuple[StatementDispute, ...] = ()  # open at the period's end
    expected: tuple[tuple[str, Decimal], ...] = ()  # (kind, expected-tier adjustment at the period's end)
    balance: VendorBalance | None = None  # the vendor's balance at the period's end (SPEC §15)

    @property
    def total(self) -> Decimal:
        return sum((k.total for k in self.by_kind), ZERO)

    @property
    def has_activity(self) -> bool:
        return any(k.accrual or k.retro or k.rerate or k.actuals for k in self.by_kind)


@dataclass(frozen=True)
class _JLine:
    entry_date: date
    source: str
    slip_no: str
    line_no: int | None
    kind: str
    amount: Decimal  # debit - credit on REBATE_RECEIVABLE
    memo: str
    provisional: bool = False  # under no agreement: at a provisional rate


def _journal(
    session: Session, date_from: date, date_to: date, vendor_ids: Sequence[int] | None
) -> dict[int, list[_JLine]]:
    query = (
        select(JournalLine.vendor_id, JournalEntry.entry_date, JournalEntry.source, JournalLine.slip_no,
               JournalLine.line_no, JournalLine.kind, JournalLine.debit, JournalLine.credit,
               JournalLine.memo, JournalLine.agreement_no)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(_counted(), JournalEntry.entry_date >= date_from, JournalEntry.entry_date <= date_to)
        .order_by(JournalEntry.entry_date, JournalLine.slip_no, JournalLine.line_no, JournalEntry.id)
    )  # fmt: skip
    if vendor_ids is not None:
        query = query.where(JournalLine.vendor_id.in_(vendor_ids))
    result: dict[int, list[_JLine]] = defaultdict(list)
    for vid, when, source, slip, line, kind, debit, credit, memo, agreement_no in session.execute(query):
        if vid is None:  # a receivable line carries its vendor; statements are read by vendor id
            continue
        result[vid].append(
            _JLine(when, source, slip or "", line, kind or "", debit - credit, memo or "", agreement_no is None)
        )
    return result


def _counted() -> ColumnElement[bool]:
    return or_(
        and_(JournalLine.role == REBATE_RECEIVABLE, JournalEntry.source.in_(RECEIVABLE_SOURCES)),
        and_(JournalLine.role == CLAIMS_RECEIVABLE, JournalEntry.source == ACTUALS),
    )


def _months(date_from: date, date_to: date) -> list[str]:
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _tiers(session: Session, ladders: Iterable[Ladder]) -> dict[int, AgreementLine]:
    ids = [i for ladder in ladders for i in ladder.line_ids]
    if not ids:
        return {}
    return {
        line.id: line
        for part in slices(ids)
        for line in session.scalars(select(AgreementLine).where(AgreementLine.id.in_(part)))
    }


def _ladder(ladder: Ladder, lines: dict[int, AgreementLine], progress: EstimatedRow | None) -> LadderInForce:
    members = sorted((lines[i] for i in ladder.line_ids), key=lambda m: m.max_amount)
    tiers = tuple(
        TierTerms(n, m.max_amount, (m.rebate1, m.rebate2, m.rebate3, m.rebate4), m.degressive,
                  result_percent(line_result((m.rebate1, m.rebate2, m.rebate3, m.rebate4), m.degressive)))
        for n, m in enumerate(members, start=1)
    )  # fmt: skip
    terms = ladder.terms
    return LadderInForce(
        ladder.kind,
        ladder.agreement_no,
        ladder.scope.label,
        ladder.start,
        ladder.end,
        ladder.method,
        terms.retro,
        terms.product_pct,
        terms.period,
        tiers,
        progress,
    )


def _build(
    session: Session,
    vendor: Vendor,
    journal: list[_JLine],
    date_from: date,
    date_to: date,
    header: tuple[str, str, str],
    claims: Sequence[PriceClaim] = (),
    parts: SettlementParts = NOTHING,
    others: Sequence[OtherAgreement] = (),
    balance: VendorBalance | None = None,
) -> StatementData:
    by_kind = vendor_ladders(session, vendor.id)
    in_force = [
        lad
        for kind_ladders in by_kind.values()
        for lad in kind_ladders
        if lad.start <= date_to and lad.end >= date_from
    ]
    progress = {lad.key: row for lad, row in ladder_estimates(session, vendor, date_to, ladders=by_kind)}
    lines = _tiers(session, in_force)
    in_force.sort(
        key=lambda lad: (KINDS.index(lad.kind), lad.agreement_no, -lad.scope.rank, lad.scope.label, lad.start)
    )
    kinds = tuple(k for k in KINDS if k in by_kind or any(j.kind == k for j in journal))
    month_sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    source_sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    provisional: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for j in journal:
        month_sums[(j.entry_date.strftime("%Y-%m"), j.kind)] += j.amount
        source_sums[(j.kind, j.source)] += j.amount
        if j.provisional:
            provisional[j.kind] += j.amount
    months = tuple(
        MonthRow(m, tuple(month_sums[(m, k)] for k in kinds), sum((month_sums[(m, k)] for k in kinds), ZERO))
        for m in _months(date_from, date_to)
    )  # fmt: skip
    totals = tuple(
        KindTotal(k, sum((source_sums[(k, s)] for s in OWN_ACCRUALS), ZERO), source_sums[(k, RETRO)],
                  source_sums[(k, RERATE)], provisional[k], source_sums[(k, ACTUALS)])
        for k in kinds
    )  # fmt: skip
    adjustments = tuple(
        Adjustment(j.entry_date, j.source, j.slip_no, j.line_no, j.kind, j.amount, j.memo)
        for j in journal
        if j.source in ADJUSTMENTS and j.amount
    )
    name, address, currency = header
    return StatementData(
        name, address, currency, vendor.code, vendor.name, vendor.address or "", date_from, date_to, kinds,
        tuple(_ladder(lad, lines, progress.get(lad.key)) for lad in in_force), months, totals, adjustments,
        tuple(claims), tuple(others), parts.invoices, parts.settlements, parts.disputes,
        standing_by_kind(session, vendor.id, date_to), balance,
    )  # fmt: skip


def _header(uow: UnitOfWork) -> tuple[str, str, str]:
    row = company(uow)
    return row.name, row.address or "", row.currency


def statement_data(uow: UnitOfWork, vendor: str, date_from: date, date_to: date) -> StatementData:
    """Everything on the statement of one vendor (by code) for a period."""
    require(uow, Permission.REPORTS)
    session = uow.session
    row = session.scalar(select(Vendor).where(Vendor.code == vendor))
    if row is None:
        raise NotFound(f"vendor {vendor!r} does not exist")
    journal = _journal(session, date_from, date_to, [row.id])
    claims = price_claims(session, date_from, date_to, [row.id])
    parts = settlement_parts(session, date_from, date_to, [row.id])
    others = other_agreements(session, date_from, date_to, [row.id])
    return _build(
        session, row, journal.get(row.id, []), date_from, date_to, _header(uow), claims.get(row.id, ()),
        parts.get(row.id, NOTHING), others.get(row.id, ()), vendor_balance(session, row.id, date_to),
    )  # fmt: skip


def active_vendor_codes(uow: UnitOfWork, date_from: date, date_to: date) -> list[str]:
    """Vendors with rebate entries, co-op invoices or settlements dated in the period."""
    require(uow, Permission.REPORTS)
    journal = (
        select(JournalLine.vendor_id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(_counted(), JournalEntry.entry_date >= date_from, JournalEntry.entry_date <= date_to)
    )
    invoiced = select(CoopInvoice.vendor_id).where(
        CoopInvoice.invoice_date >= date_from, CoopInvoice.invoice_date <= date_to
    )
    settled = select(Settlement.vendor_id).where(Settlement.settle_date >= date_from, Settlement.settle_date <= date_to)
    active = journal.union(invoiced, settled).subquery()
    query = select(Vendor.code).where(Vendor.id.in_(select(active.c.vendor_id))).order_by(Vendor.code)
    return list(uow.session.scalars(query))


def statement_vendor_codes(uow: UnitOfWork, date_from: date, date_to: date, *, every_vendor: bool = False) -> list[str]:
    """The vendors (by code, in code order) that get a statement for the period: those with
    rebate entries dated in it, or every vendor."""
    if not every_vendor:
        return active_vendor_codes(uow, date_from, date_to)
    require(uow, Permission.REPORTS)
    return list(uow.session.scalars(select(Vendor.code).order_by(Vendor.code)))


def iter_statements(uow: UnitOfWork, date_from: date, date_to: date, codes: Sequence[str]) -> Iterator[StatementData]:
    """Statements of many vendors, reading the period's journal once."""
    require(uow, Permission.REPORTS)
    session = uow.session
    header = _header(uow)
    journal = _journal(session, date_from, date_to, None)
    claims = price_claims(session, date_from, date_to, None)
    parts = settlement_parts(session, date_from, date_to, None)
    others = other_agreements(session, date_from, date_to, None)
    wanted = set(codes)
    vendors = [v for v in session.scalars(select(Vendor).order_by(Vendor.code)) if v.code in wanted]
    owed = {b.vendor_id: b for b in vendor_balances(session, date_to, [v.id for v in vendors])}
    for vendor in vendors:
        yield _build(
            session, vendor, journal.get(vendor.id, []), date_from, date_to, header, claims.get(vendor.id, ()),
            parts.get(vendor.id, NOTHING), others.get(vendor.id, ()), owed.get(vendor.id),
        )  # fmt: skip
