"""Price-protection claims (SPEC §11.2, example K): when a vendor lowers a product's cost, a claim of
`round((old − new) × on hand)` for a product inside the scope of an accepted
PRICE_PROTECTION agreement of its vendor whose dates contain the effective date. A price
increase, or a product outside every such scope, changes the cost and claims nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .ladder import Scope
from .limits import QUANTITY_MAX, UNIT_COST_MAX, limit_text
from .money import ZERO, cents, decimal_places
from .validation import Problem


@dataclass(frozen=True)
class ProtectionScope:
    """One line of an accepted PRICE_PROTECTION agreement: its scope and dates."""

    agreement_id: int
    agreement_no: str
    scope: Scope
    start: date
    end: date


def protecting(
    scopes: Sequence[ProtectionScope], product: str, cats: tuple[str | None, ...], when: date
) -> ProtectionScope | None:
    """The line that protects the product on that date: among those whose dates contain it and
    whose scope contains the product, the most precise (as SPEC §5.2), then the lowest
    agreement number; None when no line does."""
    found = [s for s in scopes if s.start <= when <= s.end and s.scope.contains(product, cats)]
    if not found:
        return None
    return min(found, key=lambda s: (-s.scope.rank, s.agreement_no, s.agreement_id, s.start))


def claim(old_cost: Decimal, new_cost: Decimal, on_hand: Decimal) -> Decimal:
    """The claim of a price decrease, to the cent (half-up); 0 for an increase or no change."""
    if new_cost >= old_cost:
        return ZERO
    return cents((old_cost - new_cost) * on_hand)


def change_problems(label: str, new_cost: Decimal | None, on_hand: Decimal | None) -> list[Problem]:
    """A price change's values: a new unit cost > 0 with at most 4 decimals, an on-hand
    quantity of 0 or more with at most 4 decimals, both within the limits."""
    out: list[Problem] = []
    if new_cost is None:
        out.append(Problem(label, "new_unit_cost", "is required"))
    elif new_cost <= ZERO:
        out.append(Problem(label, "new_unit_cost", f"must be greater than 0 (got {new_cost})"))
    elif decimal_places(new_cost) > 4:
        out.append(Problem(label, "new_unit_cost", f"has more than 4 decimals ({new_cost})"))
    elif new_cost > UNIT_COST_MAX:
        out.append(Problem(label, "new_unit_cost", f"is too large (at most {limit_text(UNIT_COST_MAX)})"))
    if on_hand is None:
        out.append(Problem(label, "on_hand", "is required"))
    elif on_hand < ZERO:
        out.append(Problem(label, "on_hand", f"cannot be negative (got {on_hand})"))
    elif decimal_places(on_hand) > 4:
        out.append(Problem(label, "on_hand", f"has more than 4 decimals ({on_hand})"))
    elif on_hand > QUANTITY_MAX:
        out.append(Problem(label, "on_hand", f"is too large (at most {limit_text(QUANTITY_MAX)})"))
    return out
