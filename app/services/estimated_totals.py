"""The totals of the estimated rebates (SPEC §8): per vendor, per kind and the grand total, summed
once here for the screen, the PDF and the XLSX (each words its own labels). Pure: no SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.money import ZERO
from app.domain.vocabulary import KINDS

from .estimated import EstimatedRow

SUMMED = ("rebate", "regular", "retroactive", "applied_to_cost", "to_pnl")


@dataclass(frozen=True)
class EstimatedTotal:
    """A vendor's total (vendor set), a kind's (kind set) or the grand total (neither)."""

    vendor: str | None
    vendor_name: str
    kind: str | None
    ladders: int
    vendors: int  # the vendors summed
    rebate: Decimal
    regular: Decimal
    retroactive: Decimal
    applied_to_cost: Decimal
    to_pnl: Decimal

    @property
    def grand(self) -> bool:
        return self.vendor is None and self.kind is None

    @property
    def sums(self) -> tuple[Decimal, ...]:
        """The summed amounts, in SUMMED order."""
        return tuple(getattr(self, name) for name in SUMMED)


def _total(vendor: str | None, name: str, kind: str | None, rows: Sequence[EstimatedRow]) -> EstimatedTotal:
    sums = (sum((getattr(r, field) for r in rows), ZERO) for field in SUMMED)
    return EstimatedTotal(vendor, name, kind, len(rows), len({r.vendor for r in rows}), *sums)


def estimated_totals(rows: Sequence[EstimatedRow]) -> list[EstimatedTotal]:
    """A total per vendor (in the rows' order), per kind with rows (KINDS order), then the grand total."""
    by_vendor: dict[str, list[EstimatedRow]] = {}
    for r in rows:
        by_vendor.setdefault(r.vendor, []).append(r)
    out = [_total(code, members[0].vendor_name, None, members) for code, members in by_vendor.items()]
    for kind in KINDS:
        members = [r for r in rows if r.kind == kind]
        if members:
            out.append(_total(None, "", kind, members))
    out.append(_total(None, "", None, rows))
    return out
