"""Price changes and price protection (SPEC §11.2, example K): `coop import price-changes`
and the Price Change screen. One use case, one transaction, all or nothing.

For each change, in effective-date order: old = the product's unit cost just before; if the
product is inside the scope of an accepted PRICE_PROTECTION agreement of its vendor whose
dates contain the effective date and the cost goes down, a claim of round((old − new) ×
on hand) posts as a PRICE_PROTECTION entry dated the effective date (Dr REBATE_RECEIVABLE /
Cr INVENTORY). In every case the product's unit cost becomes the new one and a price_change
row records what happened.

A change may not be dated before the product existed: before its first posted receipt (the
product was not in stock yet), nor before its last recorded price change (the cost before it
would not be the product's cost then)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update

from app.adapters.accruals import lock_vendors
from app.adapters.bulk import rows_in
from app.adapters.db import transaction_time
from app.adapters.entry_writer import OtherEntry, write_entries
from app.domain.journal import claim_lines
from app.domain.ladder import Scope
from app.domain.money import ZERO, decimal_places, to_units
from app.domain.price_protection import ProtectionScope, change_problems, claim, protecting
from app.domain.vocabulary import ACCEPTED, INVENTORY, KIND_PHRASES, POSTED, PRICE_PROTECTION, PRICE_PROTECTION_SOURCE
from app.domain.vocabulary import REBATE_RECEIVABLE as RECEIVABLE
from app.models import Agreement, AgreementLine, PriceChange, Product, ReceiptLine, ReceivingSlip

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .gl_accounts import gl_for
from .security import Permission, require


@dataclass(frozen=True)
class PriceChangeIn:
    """A price change as keyed or read from a file (values parsed; None: missing or unreadable)."""

    product: str
    effective_date: date | None
    new_unit_cost: Decimal | None
    on_hand: Decimal | None
    label: str = "Price change"


@dataclass(frozen=True)
class PriceChangeResult:
    product: str
    effective_date: date
    old_unit_cost: Decimal
    new_unit_cost: Decimal
    on_hand: Decimal
    claim: Decimal
    agreement_no: str | None  # the protecting agreement (None: no claim)
    entry_no: int | None  # the PRICE_PROTECTION journal entry (None: no claim)


@dataclass(frozen=True)
class _Product:
    id: int
    vendor_id: int
    cats: tuple[str | None, str | None, str | None, str | None]
    unit_cost: Decimal


def enter_price_changes(uow: UnitOfWork, records: list[PriceChangeIn], commit: bool = True) -> list[PriceChangeResult]:
    """Record the changes (file order kept for the messages, effective-date order for the
    costs); refused as a whole, writing nothing, when any is wrong."""
    require(uow, Permission.PRICE_CHANGES)
    session = uow.session
    codes = {r.product for r in records if r.product}
    # The vendors locked first (as posting does), then the products' costs and last changes
    # read: another workstation's change of the same product waits, or has committed.
    lock_vendors(session, {p.vendor_id for p in _products(uow, codes).values()})
    products = _products(uow, codes)
    problems = _problems(uow, records, products)
    if problems:
        raise ValidationFailed(problems)
    scopes = _scopes(uow, {p.vendor_id for p in products.values()})
    cost = {code: p.unit_cost for code, p in products.items()}
    results: list[PriceChangeResult] = []
    agreement_of: list[int | None] = []  # the protecting agreement's id, per result
    for rec in sorted(records, key=lambda r: r.effective_date or date.min):  # stable: file order within a day
        assert rec.effective_date is not None and rec.new_unit_cost is not None and rec.on_hand is not None
        p, old = products[rec.product], cost[rec.product]
        found = protecting(scopes.get(p.vendor_id, ()), rec.product, p.cats, rec.effective_date)
        amount = claim(old, rec.new_unit_cost, rec.on_hand) if found is not None else ZERO
        results.append(
            PriceChangeResult(
                rec.product, rec.effective_date, old, rec.new_unit_cost, rec.on_hand, amount,
                found.agreement_no if found is not None and amount else None, None,
            )
        )  # fmt: skip
        agreement_of.append(found.agreement_id if found is not None and amount else None)
        cost[rec.product] = rec.new_unit_cost
    results = _write(uow, results, products, agreement_of)
    if commit:
        uow.commit()
    return results


def check(uow: UnitOfWork, records: list[PriceChangeIn]) -> list[Problem]:
    """Why the changes would be refused (nothing written, no permission asked)."""
    return _problems(uow, records, _products(uow, {r.product for r in records if r.product}))


def _products(uow: UnitOfWork, codes: set[str]) -> dict[str, _Product]:
    p = Product
    query = select(p.code, p.id, p.vendor_id, p.cat1, p.cat2, p.cat3, p.cat4, p.unit_cost)
    return {
        code: _Product(pid, vid, (c1, c2, c3, c4), cost)
        for code, pid, vid, c1, c2, c3, c4, cost in rows_in(uow.session, query, p.code, sorted(codes))
    }


def _problems(uow: UnitOfWork, records: list[PriceChangeIn], products: dict[str, _Product]) -> list[Problem]:
    """Every reason to refuse the changes, by record and field."""
    session = uow.session
    ids = sorted({p.id for p in products.values()})
    first = dict(
        rows_in(
            session,
            select(ReceiptLine.product_id, func.min(ReceivingSlip.received_date))
            .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
            .where(ReceivingSlip.status == POSTED)
            .group_by(ReceiptLine.product_id),
            ReceiptLine.product_id,
            ids,
        )
    )
    last = dict(
        rows_in(
            session,
            select(PriceChange.product_id, func.max(PriceChange.effective_date)).group_by(PriceChange.product_id),
            PriceChange.product_id,
            ids,
        )
    )
    out: list[Problem] = []
    for rec in records:
        label = rec.label
        p = products.get(rec.product)
        if not rec.product:
            out.append(Problem(label, "product_code", "is required"))
        elif p is None:
            out.append(Problem(label, "product_code", f"product {rec.product} does not exist"))
        if rec.effective_date is None:
            out.append(Problem(label, "effective_date", "is required (YYYY-MM-DD)"))
        elif p is not None and p.id in first and rec.effective_date < first[p.id]:
            out.append(
                Problem(
                    label, "effective_date",
                    f"{rec.effective_date} is before product {rec.product} existed (first received {first[p.id]})",
                )
            )  # fmt: skip
        elif p is not None and p.id in last and rec.effective_date < last[p.id]:
            out.append(
                Problem(
                    label, "effective_date",
                    f"{rec.effective_date} is before the last price change of product {rec.product} ({last[p.id]})",
                )
            )  # fmt: skip
        out.extend(change_problems(label, rec.new_unit_cost, rec.on_hand))
    return out


def _scopes(uow: UnitOfWork, vendor_ids: set[int]) -> dict[int, list[ProtectionScope]]:
    """The lines of the vendors' accepted PRICE_PROTECTION agreements, by vendor id."""
    a, ln = Agreement, AgreementLine
    rows = uow.session.execute(
        select(a.vendor_id, a.id, a.number, ln.cat1, ln.cat2, ln.cat3, ln.cat4, Product.code, ln.start_date,
               ln.end_date)
        .join(ln, ln.agreement_id == a.id)
        .outerjoin(Product, Product.id == ln.product_id)
        .where(a.kind == PRICE_PROTECTION, a.status == ACCEPTED, a.vendor_id.in_(sorted(vendor_ids)))
    )  # fmt: skip
    out: dict[int, list[ProtectionScope]] = {}
    for vid, aid, number, c1, c2, c3, c4, product, start, end in rows:
        out.setdefault(vid, []).append(ProtectionScope(aid, number, Scope.of(product, (c1, c2, c3, c4)), start, end))
    return out


def _write(
    uow: UnitOfWork, results: list[PriceChangeResult], products: dict[str, _Product], agreement_of: list[int | None]
) -> list[PriceChangeResult]:
    """The claims' entries, the price_change rows and the products' new costs; the results
    with their entry numbers."""
    session = uow.session
    claims = [r for r in results if r.claim]
    gl = gl_for(session, (RECEIVABLE, INVENTORY) if claims else (), "no price change was recorded")
    stamp = transaction_time(session.connection())
    for r in results:
        session.execute(update(Product).where(Product.id == products[r.product].id).values(unit_cost=r.new_unit_cost))
    entries = [
        OtherEntry(
            r.effective_date, PRICE_PROTECTION_SOURCE, f"price change {r.product}", products[r.product].vendor_id,
            products[r.product].id, r.agreement_no,
            claim_lines(PRICE_PROTECTION, to_units(r.claim, 2), _memo(r)),
        )
        for r in claims
    ]  # fmt: skip
    numbers = iter(write_entries(session, entries, gl, uow.user, stamp))
    out = []
    for r, agreement_id in zip(results, agreement_of, strict=True):
        entry_no = next(numbers) if r.claim else None
        out.append(
            PriceChangeResult(
                r.product, r.effective_date, r.old_unit_cost, r.new_unit_cost, r.on_hand, r.claim, r.agreement_no,
                entry_no,
            )
        )  # fmt: skip
        session.add(
            PriceChange(
                product_id=products[r.product].id, effective_date=r.effective_date, old_unit_cost=r.old_unit_cost,
                new_unit_cost=r.new_unit_cost, on_hand=r.on_hand, claim=r.claim,
                agreement_id=agreement_id, entry_id=entry_no,
                created_by=uow.user, created_at=stamp,
            )
        )  # fmt: skip
    session.flush()
    return out


def _memo(r: PriceChangeResult) -> str:
    return (
        f"{KIND_PHRASES[PRICE_PROTECTION]} {r.product}: cost {_shown(r.old_unit_cost)} -> {_shown(r.new_unit_cost)}, "
        f"{r.on_hand.normalize():f} on hand"
    )


def _shown(cost: Decimal) -> str:
    """A unit cost as read: at least 2 decimals, up to its 4 (10.00, 9.125)."""
    exact = cost.normalize()
    return f"{exact:f}" if decimal_places(exact) > 2 else f"{cost:.2f}"


def price_change_history(uow: UnitOfWork, product: str | None = None) -> list[PriceChangeResult]:
    """The recorded price changes, newest first (optionally of one product)."""
    pc = PriceChange
    query = (
        select(Product.code, pc.effective_date, pc.old_unit_cost, pc.new_unit_cost, pc.on_hand, pc.claim,
               Agreement.number, pc.entry_id)
        .join(Product, Product.id == pc.product_id)
        .outerjoin(Agreement, Agreement.id == pc.agreement_id)
        .order_by(pc.effective_date.desc(), pc.id.desc())
    )  # fmt: skip
    if product:
        query = query.where(Product.code == product)
    return [PriceChangeResult(*row) for row in uow.session.execute(query)]
