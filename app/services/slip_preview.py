"""The slip preview (SPEC §5, §12): what each line of a receiving slip would earn if it were
posted now, after the posted lines, under each kind: its ladder's tier and rate, or the
provisional rate where no accepted ladder of the kind covers it. Nothing is written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, select

from app.domain.ladder import Ladder, LadderRun, earned_note
from app.domain.ladder import LineAccrual as LineEarned  # app.models has a LineAccrual (the stored row)
from app.domain.ladder_index import LadderIndex
from app.domain.money import ZERO, round_to, to_units
from app.domain.rates import result_percent
from app.domain.vocabulary import KINDS
from app.models import LineAccrual, Product, Vendor

from .context import UnitOfWork
from .ladders import vendor_ladders
from .provisional import provisional_table
from .receiving import PreviewRow, SlipIn, SlipLineIn, extended

PROVISIONAL_NOTE = "provisional rate: no accepted agreement of this kind covers it (flat, no tiers)"


def slip_preview(uow: UnitOfWork, slip: SlipIn) -> list[PreviewRow]:
    """What each line would earn if the slip were posted now, after the posted lines."""
    session = uow.session
    vendor_id = session.scalar(select(Vendor.id).where(Vendor.code == slip.vendor))
    if vendor_id is None:
        return []
    codes = {ln.product for ln in slip.lines}
    products = {
        r[0]: r
        for r in session.execute(
            select(Product.code, Product.unit_cost, Product.cat1, Product.cat2, Product.cat3, Product.cat4).where(
                Product.code.in_(codes), Product.vendor_id == vendor_id
            )
        )
    }
    index = LadderIndex({vendor_id: vendor_ladders(session, vendor_id)})
    runs: dict[str, LadderRun] = {}
    rows: list[PreviewRow] = []
    credit_by_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    pending: list[tuple[SlipLineIn, Decimal, str, Ladder, LineEarned]] = []
    table = provisional_table(session)
    flat: list[PreviewRow] = []  # at provisional rates: no tier, no Product %
    for line in sorted(slip.lines, key=lambda ln: ln.line_no):
        info = products.get(line.product)
        if info is None or line.quantity == ZERO:
            continue
        cost = line.unit_cost if line.unit_cost is not None else info[1]
        amount = extended(line.quantity, cost)
        covered = sorted(index.ladders_of(vendor_id, line.product, info[2:6], slip.received))
        for kind in table.kinds():
            if kind in {k for k, _ladder in covered}:
                continue
            prov = table.rate_for(vendor_id, kind, info[2], slip.received)
            if prov is not None:
                rebate = Decimal(prov.earned(to_units(amount, 2)).rebate).scaleb(-2)
                flat.append(PreviewRow(line.line_no, kind, prov.label, "", 0, round_to(prov.rate, 3), rebate, ZERO,
                                       ZERO, ZERO, PROVISIONAL_NOTE))  # fmt: skip
        for kind, ladder in covered:
            if ladder.key not in runs:
                volumes = dict(
                    session.execute(
                        select(LineAccrual.period_key, func.sum(LineAccrual.amount))
                        .where(LineAccrual.ladder_key == ladder.key, LineAccrual.received_date <= slip.received)
                        .group_by(LineAccrual.period_key)
                    ).all()
                )
                runs[ladder.key] = LadderRun(ladder.terms, volumes)
            acc = runs[ladder.key].add(slip.received, amount)
            credit_by_line[line.line_no] += acc.inventory
            pending.append((line, amount, kind, ladder, acc))
    for line, amount, kind, ladder, acc in pending:
        net = round_to((amount - credit_by_line[line.line_no]) / line.quantity, 4)
        rate = ladder.terms.tiers[acc.tier - 1].rate
        rows.append(
            PreviewRow(
                line.line_no,
                kind,
                ladder.scope.label,
                ladder.agreement_no,
                acc.tier,
                result_percent(rate),
                acc.rebate,
                acc.retro,
                acc.inventory,
                net,
                earned_note(ladder.terms, amount, acc),
            )
        )
    for row in flat:  # the net unit cost of the line, as on its ladder rows
        line = next(ln for ln in slip.lines if ln.line_no == row.line_no)
        cost = line.unit_cost if line.unit_cost is not None else products[line.product][1]
        net = round_to((extended(line.quantity, cost) - credit_by_line[line.line_no]) / line.quantity, 4)
        rows.append(replace(row, net_unit_cost=net))
    return sorted(rows, key=lambda r: (r.line_no, KINDS.index(r.kind)))
