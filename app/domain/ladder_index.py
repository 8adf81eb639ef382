"""Which ladder a receipt line falls in (SPEC §5.2): the most precise of its vendor's ladders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .ladder import Ladder, Scope
from .vocabulary import ALL

IRREGULAR = ("*",)  # a group scope with ALL before a code (never saved so): checked for every product


def _scope_bucket(scope: Scope) -> tuple[str, ...]:
    cats = scope.cats
    if scope.product is None and any(c == ALL and d != ALL for c, d in zip(cats, cats[1:], strict=False)):
        return IRREGULAR
    return scope.key


class LadderIndex:
    """The ladder of each kind a receipt line belongs to (SPEC §5.2): among the ladders of
    its vendor whose dates contain the received date and whose scope contains the product,
    the most precise (product, CAT4 … CAT1, all-ALL); on a tie the lower agreement id, then
    the earlier ladder. The candidates are remembered per product, since posting asks for
    millions of lines over a few thousand products."""

    def __init__(self, by_vendor: dict[int, dict[str, list[Ladder]]]) -> None:
        self.by_vendor = by_vendor
        self._candidates: dict[tuple[object, ...], list[tuple[str, list[Ladder]]]] = {}
        self._scopes: dict[tuple[int, str], dict[tuple[str, ...], list[tuple[int, Ladder]]]] = {}

    def _by_scope(
        self, vendor_id: int, kind: str, ladders: list[Ladder]
    ) -> dict[tuple[str, ...], list[tuple[int, Ladder]]]:
        """The ladders of a vendor and kind by scope key: a product's candidates are then the
        few scopes that can hold it, not a scan of every ladder (a vendor may have tens of
        thousands of product ladders)."""
        found = self._scopes.get((vendor_id, kind))
        if found is None:
            found = {}
            for position, ladder in enumerate(ladders):
                found.setdefault(_scope_bucket(ladder.scope), []).append((position, ladder))
            self._scopes[(vendor_id, kind)] = found
        return found

    def candidates(self, vendor_id: int, product: str, cats: tuple[str | None, ...]) -> list[tuple[str, list[Ladder]]]:
        """Per kind, the ladders whose scope contains the product, most precise first."""
        key = (vendor_id, product, cats)
        found = self._candidates.get(key)
        if found is None:
            found = []
            # The scopes that can hold it: its product, and its category chain with ALL from each
            # level on (ALL stands only as a suffix, SPEC §3.3); contains() still decides.
            chain = [(c or ALL) for c in (*cats, None, None, None, None)[:4]]
            wanted = [("P", product), *(("G", *chain[:n], *(ALL,) * (4 - n)) for n in range(4, -1, -1))]
            for kind, ladders in self.by_vendor.get(vendor_id, {}).items():
                by_scope = self._by_scope(vendor_id, kind, ladders)
                held = [
                    (-lad.scope.rank, lad.agreement_id, position, lad)
                    for scope in (*dict.fromkeys(wanted), IRREGULAR)
                    for position, lad in by_scope.get(scope, ())
                    if lad.scope.contains(product, cats)
                ]
                if held:  # ties: the earlier ladder in the vendor's list
                    found.append((kind, [lad for *_order, lad in sorted(held, key=lambda h: h[:3])]))
            self._candidates[key] = found
        return found

    def ladders_of(
        self, vendor_id: int, product: str, cats: tuple[str | None, ...], when: date
    ) -> Iterator[tuple[str, Ladder]]:
        """(kind, ladder) for each kind with a ladder covering the line."""
        for kind, covering in self.candidates(vendor_id, product, cats):
            for ladder in covering:
                if ladder.start <= when <= ladder.end:
                    yield kind, ladder
                    break
