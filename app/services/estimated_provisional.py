"""The provisional rows of the estimated rebates report (SPEC §8, §12): per vendor, kind and
provisional rate, what the vendor's receipts that no accepted ladder covers have accrued at
it. Marked provisional: no agreement number, the ladder named `provisional 2.000% (ALL)`."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.domain.money import ZERO
from app.domain.provisional import Provisional, shown_rate
from app.models import LineAccrual, Vendor

from .estimated import NO_MONEY, EstimatedRow
from .provisional import provisional_table
from .provisional_report import PROVISIONAL_KEYS


def provisional_rows(
    session: Session, as_of: date, date_from: date | None = None, vendor_id: int | None = None
) -> dict[int, list[tuple[str, EstimatedRow]]]:
    """{vendor id: [(accrual key, row), ...]} in kind and rate order, for lines received by as_of
    (with date_from, the money of the lines received from then, the volume of all)."""
    table = provisional_table(session)
    if not table:  # no rate, no provisional accrual (deleting a rate re-rates its accruals away): no scan
        return {}
    t = LineAccrual.__table__.c
    where: list[ColumnElement[bool]] = [t.ladder_key.like(PROVISIONAL_KEYS), t.received_date <= as_of]
    if vendor_id is not None:
        where.append(t.vendor_id == vendor_id)
    rebate: ColumnElement[Any] = t.rebate
    if date_from:
        rebate = type_coerce(case((t.received_date >= date_from, t.rebate)), t.rebate.type)
    rows = session.execute(
        select(t.vendor_id, t.ladder_key, func.sum(t.amount), func.sum(rebate))
        .where(*where)
        .group_by(t.vendor_id, t.ladder_key)
        .order_by(t.vendor_id, t.ladder_key)
    ).all()
    if not rows:
        return {}
    rates = {p.key: p for kind_rates in table.rates.values() for p in kind_rates}
    vendors = {
        vid: (code, name, method)
        for vid, code, name, method in session.execute(
            select(Vendor.id, Vendor.code, Vendor.name, Vendor.default_method).where(
                Vendor.id.in_({r[0] for r in rows})
            )
        )
    }
    out: dict[int, list[tuple[str, EstimatedRow]]] = defaultdict(list)
    for vid, key, volume, earned in rows:
        code, name, method = vendors[vid]
        _tag, kind, cat1, start, end = json.loads(key)
        rate = rates.get(key) or Provisional(kind, cat1, date.fromisoformat(start), date.fromisoformat(end), ZERO)
        money = earned if earned is not None else NO_MONEY
        out[vid].append(
            (
                key,
                EstimatedRow(
                    code,
                    name,
                    kind,
                    "",
                    rate.label,
                    rate.start,
                    rate.end,
                    method,
                    False,
                    None,
                    "",
                    volume,
                    1,
                    1,
                    shown_rate(rate.rate),
                    money,
                    money,
                    NO_MONEY,
                    NO_MONEY,
                    money,
                    None,
                    None,
                    None,
                ),  # fmt: skip
            )
        )
    return out
