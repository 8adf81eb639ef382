"""The lump-sum and price-protection parts of a vendor statement (SPEC §11.2): those agreements
in force in the period (they have no ladders), and the price-protection claims, each with its
product, the cost before and after the change and the quantity on hand. Data only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.domain.ladder import Scope
from app.domain.vocabulary import ACCEPTED, LUMP_SUM, PRICE_PROTECTION, REBATE_RECEIVABLE
from app.models import Agreement, AgreementLine, JournalLine, PriceChange, Product


@dataclass(frozen=True)
class PriceClaim:
    """A price-protection claim (SPEC §11.2): (old - new cost) x on hand, on the effective date."""

    effective_date: date
    product_code: str
    description: str
    agreement_no: str
    old_unit_cost: Decimal
    new_unit_cost: Decimal
    on_hand: Decimal
    amount: Decimal


def price_claims(
    session: Session, date_from: date, date_to: date, vendor_ids: Sequence[int] | None
) -> dict[int, list[PriceClaim]]:
    """The price-protection claims dated in the period, by vendor id: the price change and
    its entry's REBATE_RECEIVABLE line."""
    pc, jl = PriceChange, JournalLine
    query = (
        select(jl.vendor_id, pc.effective_date, Product.code, Product.description, jl.agreement_no,
               pc.old_unit_cost, pc.new_unit_cost, pc.on_hand, jl.debit - jl.credit)
        .select_from(pc)
        .join(jl, and_(jl.entry_id == pc.entry_id, jl.role == REBATE_RECEIVABLE))
        .join(Product, Product.id == pc.product_id)
        .where(pc.effective_date >= date_from, pc.effective_date <= date_to)
        .order_by(pc.effective_date, Product.code, pc.id)
    )  # fmt: skip
    if vendor_ids is not None:
        query = query.where(jl.vendor_id.in_(vendor_ids))
    result: dict[int, list[PriceClaim]] = defaultdict(list)
    for vid, day, code, description, agreement_no, old, new, on_hand, amount in session.execute(query):
        if vid is None:
            continue
        result[vid].append(PriceClaim(day, code, description or "", agreement_no or "", old, new, on_hand, amount))
    return result


@dataclass(frozen=True)
class OtherAgreement:
    """An accepted LUMP_SUM agreement (its amount), or one line of an accepted PRICE_PROTECTION
    agreement (its scope), whose dates overlap the period."""

    kind: str
    agreement_no: str
    start: date
    end: date
    method: str
    amount: Decimal | None
    scope: str


def other_agreements(
    session: Session, date_from: date, date_to: date, vendor_ids: Sequence[int] | None
) -> dict[int, list[OtherAgreement]]:
    """By vendor id, lump sums before price protection, in agreement number order."""
    a, ln = Agreement, AgreementLine
    of_vendors = [] if vendor_ids is None else [a.vendor_id.in_(vendor_ids)]
    result: dict[int, list[OtherAgreement]] = defaultdict(list)
    lump_sums = (
        select(a.vendor_id, a.number, a.start_date, a.end_date, a.method, a.amount)
        .where(a.status == ACCEPTED, a.kind == LUMP_SUM, a.start_date <= date_to, a.end_date >= date_from, *of_vendors)
        .order_by(a.number, a.id)
    )
    for vid, number, start, end, method, amount in session.execute(lump_sums):
        if start is None or end is None:  # left out by the query already
            continue
        result[vid].append(OtherAgreement(LUMP_SUM, number, start, end, method or "", amount, ""))
    protection = (
        select(a.vendor_id, a.number, ln.start_date, ln.end_date, ln.method, Product.code, ln.cat1, ln.cat2, ln.cat3,
               ln.cat4)
        .join(ln, ln.agreement_id == a.id)
        .outerjoin(Product, Product.id == ln.product_id)
        .where(a.status == ACCEPTED, a.kind == PRICE_PROTECTION, ln.start_date <= date_to, ln.end_date >= date_from,
               *of_vendors)
        .order_by(a.number, a.id, ln.line_no)
    )  # fmt: skip
    for vid, number, start, end, method, product, *cats in session.execute(protection):
        scope = Scope.of(product, tuple(cats)).label
        result[vid].append(OtherAgreement(PRICE_PROTECTION, number, start, end, method or "", None, scope))
    return result
