"""The price-protection claims a vendor statement lists (SPEC §11.2): each with its product, the
cost before and after the change and the quantity on hand. Data only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.domain.vocabulary import REBATE_RECEIVABLE
from app.models import JournalLine, PriceChange, Product


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
