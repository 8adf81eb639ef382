"""F2 defaults of the agreement grids (SPEC §3.2), shared by the screens and tests."""

from __future__ import annotations

from decimal import Decimal

from app.domain.money import UNLIMITED
from app.domain.vocabulary import ALL

CAT_COLUMNS = ("CAT1", "CAT2", "CAT3", "CAT4")


def f2_default(column: str) -> str | Decimal | None:
    """The value F2 puts in a cell, or None where F2 has no default."""
    if column in CAT_COLUMNS:
        return ALL
    if column == "Maximum Amount":
        return UNLIMITED
    return None


def apply_f2(values: dict[str, object], column: str) -> dict[str, object]:
    """Row values after F2 in column: ALL in a category cell also fills the levels below it."""
    default = f2_default(column)
    if default is None:
        return dict(values)
    updated = dict(values)
    if column in CAT_COLUMNS:
        for name in CAT_COLUMNS[CAT_COLUMNS.index(column) :]:
            updated[name] = ALL
    else:
        updated[column] = default
    return updated
