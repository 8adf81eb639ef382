"""What a vendor's posted accruals were computed against (SPEC §6.3 re-rating): the accepted
ladders (cached until an agreement changes) and a fingerprint per vendor, so a re-rate
recomputes only the vendors whose ladders or products changed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.accruals import rating_stamps, stamp_vendors
from app.adapters.bulk import rows_in, slices
from app.domain.accrual import ENGINE_REVISION
from app.domain.ladder import Ladder
from app.domain.ladder_index import LadderIndex
from app.domain.provisional import ProvisionalTable
from app.domain.vocabulary import POSTED
from app.models import Product, ReceivingSlip, Vendor

from .context import UnitOfWork
from .ladders import accepted_signature, all_ladders
from .provisional import provisional_table


class LadderCache:
    """Accepted ladders by vendor, loaded once and again only when agreements change; the
    provisional rates and waivers (SPEC §12), read again each time (two small tables)."""

    def __init__(self) -> None:
        self.signature: tuple[int, int, int] | None = None
        self.by_vendor: dict[int, dict[str, list[Ladder]]] = {}
        self.index = LadderIndex({})
        self.provisional = ProvisionalTable()

    def get(self, session: Session) -> dict[int, dict[str, list[Ladder]]]:
        self.provisional = provisional_table(session)
        signature = accepted_signature(session)
        if signature != self.signature:
            self.by_vendor = all_ladders(session)
            self.index = LadderIndex(self.by_vendor)
            self.signature = signature
        return self.by_vendor


def vendor_fingerprints(
    session: Session,
    ladders_by_vendor: dict[int, dict[str, list[Ladder]]],
    vendor_ids: Iterable[int] | None = None,
    provisional: ProvisionalTable | None = None,
) -> dict[int, str]:
    """What decides the accruals of a vendor's posted lines: its accepted ladders, its
    products' codes and categories, the provisional rates and its waivers (and the engine's
    revision), as one digest per vendor. `provisional`: the table already read, if it was."""
    if provisional is None:
        provisional = provisional_table(session)
    query = select(
        Product.vendor_id, Product.id, Product.code, Product.cat1, Product.cat2, Product.cat3, Product.cat4
    ).order_by(Product.vendor_id, Product.id)
    wanted = None if vendor_ids is None else sorted(set(vendor_ids))
    products: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    if wanted is None:
        for row in session.execute(query):
            products[row[0]].append(tuple(row[1:]))
    else:
        for row in rows_in(session, query, Product.vendor_id, wanted):
            products[row[0]].append(tuple(row[1:]))
    ids = set(products) | set(ladders_by_vendor) if wanted is None else set(wanted)
    out = {}
    for vid in ids:
        digest = hashlib.sha256(ENGINE_REVISION.encode())
        digest.update(repr(sorted(ladders_by_vendor.get(vid, {}).items())).encode())
        digest.update(repr(products.get(vid, [])).encode())
        digest.update(provisional.fingerprint(vid).encode())
        out[vid] = digest.hexdigest()
    return out


def stamp_first_postings(
    session: Session, vendor_ids: set[int], slip_ids: list[int], ladders_by_vendor: dict[int, dict[str, list[Ladder]]]
) -> None:
    """A vendor posting its first slips with the current ladders is consistent with them."""
    unstamped = vendor_ids - set(rating_stamps(session, vendor_ids))
    if not unstamped:
        return
    posted_before = {
        vid
        for part in slices(sorted(unstamped))
        for vid in session.scalars(
            select(ReceivingSlip.vendor_id)
            .where(ReceivingSlip.vendor_id.in_(part), ReceivingSlip.status == POSTED, ReceivingSlip.id.not_in(slip_ids))
            .distinct()
        )
    }
    first = unstamped - posted_before
    if first:
        stamp_vendors(session, vendor_fingerprints(session, ladders_by_vendor, first))


def vendors_waiting(uow: UnitOfWork) -> list[str]:
    """Codes of the vendors with posted lines whose accruals were computed against other
    ladders, products or engine revision than today's (what `rerate` would recompute):
    after an upgrade, or a change made behind the services' back."""
    session = uow.session
    cache = LadderCache()
    current = vendor_fingerprints(session, cache.get(session), provisional=cache.provisional)
    stamps = rating_stamps(session)
    posted = session.execute(
        select(Vendor.id, Vendor.code)
        .where(Vendor.id.in_(select(ReceivingSlip.vendor_id).where(ReceivingSlip.status == POSTED)))
        .order_by(Vendor.code)
    )
    return [code for vid, code in posted if stamps.get(vid) != current.get(vid)]
