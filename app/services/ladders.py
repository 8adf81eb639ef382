"""Turns stored agreement lines into domain ladders (SPEC §5.1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.adapters.bulk import rows_in
from app.domain.ladder import Ladder, LadderTerms, Scope, Tier, ladder_key
from app.domain.rates import line_result
from app.domain.vocabulary import ACCEPTED, LADDER_KINDS, PERIODIC
from app.models import Agreement, AgreementLine, Product


def line_scope(line: AgreementLine, product_code: str | None) -> Scope:
    if line.product_id is not None:
        return Scope(product=product_code)
    return Scope.of(None, (line.cat1, line.cat2, line.cat3, line.cat4))


def build_ladders(
    agreements: Iterable[Agreement],
    lines: Iterable[AgreementLine],
    product_codes: dict[int, str],
) -> list[Ladder]:
    by_id = {a.id: a for a in agreements}
    groups: dict[str, list[tuple[AgreementLine, Scope]]] = defaultdict(list)
    for line in lines:
        agreement = by_id.get(line.agreement_id)
        if agreement is None:
            continue
        scope = line_scope(line, product_codes.get(line.product_id or -1))
        groups[ladder_key(agreement.id, scope, line.start_date, line.end_date)].append((line, scope))
    ladders = []
    for key, members in groups.items():
        members.sort(key=lambda m: m[0].max_amount)
        first, scope = members[0]
        agreement = by_id[first.agreement_id]
        tiers = tuple(
            Tier(m.max_amount, line_result((m.rebate1, m.rebate2, m.rebate3, m.rebate4), m.degressive))
            for m, _ in members
        )
        terms = LadderTerms(
            tiers=tiers,
            retro=first.retro,
            product_pct=first.product_pct,
            period=first.period if agreement.kind == PERIODIC else None,
        )
        ladders.append(
            Ladder(
                key=key,
                agreement_id=agreement.id,
                agreement_no=agreement.number,
                kind=agreement.kind,
                scope=scope,
                start=first.start_date,
                end=first.end_date,
                terms=terms,
                method=first.method,
                line_ids=tuple(m.id for m, _ in members),
            )
        )
    ladders.sort(key=lambda lad: lad.key)
    return ladders


def vendor_ladders(session: Session, vendor_id: int, status: str = ACCEPTED) -> dict[str, list[Ladder]]:
    """Ladders of the vendor's agreements in a status, by kind (the kinds of percent ladders:
    LUMP_SUM and PRICE_PROTECTION agreements accrue otherwise)."""
    agreements = list(
        session.scalars(
            select(Agreement).where(
                Agreement.vendor_id == vendor_id, Agreement.status == status, Agreement.kind.in_(LADDER_KINDS)
            )
        )
    )
    if not agreements:
        return {}
    ids = [a.id for a in agreements]
    lines = list(session.scalars(select(AgreementLine).where(AgreementLine.agreement_id.in_(ids))))
    pids = {line.product_id for line in lines if line.product_id is not None}
    codes: dict[int, str] = {}
    if pids:
        codes = dict(rows_in(session, select(Product.id, Product.code), Product.id, sorted(pids)))
    result: dict[str, list[Ladder]] = defaultdict(list)
    for ladder in build_ladders(agreements, lines, codes):
        result[ladder.kind].append(ladder)
    return dict(result)


def accepted_signature(session: Session) -> tuple[int, int, int]:
    """Changes whenever an agreement is accepted or an accepted one is amended."""
    row = session.execute(
        select(
            func.count(), func.coalesce(func.sum(Agreement.version), 0), func.coalesce(func.max(Agreement.id), 0)
        ).where(Agreement.status == ACCEPTED)
    ).one()
    return (int(row[0]), int(row[1]), int(row[2]))


def all_ladders(session: Session) -> dict[int, dict[str, list[Ladder]]]:
    """Every accepted ladder, by vendor id and kind (three queries; percent kinds only)."""
    accepted = (Agreement.status == ACCEPTED, Agreement.kind.in_(LADDER_KINDS))
    agreements = list(session.scalars(select(Agreement).where(*accepted)))
    if not agreements:
        return {}
    lines = list(session.scalars(select(AgreementLine).join(Agreement).where(*accepted)))
    pids = {line.product_id for line in lines if line.product_id is not None}
    codes: dict[int, str] = {}
    if pids:
        codes = dict(rows_in(session, select(Product.id, Product.code), Product.id, sorted(pids)))
    vendor_of = {a.id: a.vendor_id for a in agreements}
    result: dict[int, dict[str, list[Ladder]]] = defaultdict(lambda: defaultdict(list))
    for ladder in build_ladders(agreements, lines, codes):
        result[vendor_of[ladder.agreement_id]][ladder.kind].append(ladder)
    return {vid: dict(kinds) for vid, kinds in result.items()}
