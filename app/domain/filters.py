"""A column filter as a user types it in a grid's filter row, and the rule of what it keeps.

The rule is here once: `ColumnFilter.matches` applies it to rows a screen already holds, and
app.adapters.filter_sql renders the same filter as a SQL condition for rows read from the
database (100,000 products are filtered in SQL, never all read).

What a user may type:
- a text column: text it contains, any case (`gyp`); `=text` for exactly that text, any case;
  `=` alone for a blank cell.
- a number column: `12.50` or `=12.50` equal; `>10`, `>=10`, `<10`, `<=10`; `10..20` from 10
  to 20, both ends kept. Thousands separators are allowed (`1,000`).
- a yes/no column: `Y` or `N` (also yes/no, true/false, 1/0).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import D

TEXT, NUMBER, FLAG = "text", "number", "flag"
CONTAINS, EQUAL, BETWEEN = "contains", "=", ".."
COMPARISONS = (">=", "<=", ">", "<", "=")  # longest first: ">=" is not ">" then "=10"
YES, NO = ("Y", "YES", "TRUE", "1"), ("N", "NO", "FALSE", "0")


class FilterError(ValueError):
    """A filter that cannot be read; its message says why, for the filter box's tooltip."""


@dataclass(frozen=True)
class ColumnFilter:
    op: str  # CONTAINS, one of COMPARISONS, or BETWEEN
    value: str | Decimal | bool
    high: Decimal | None = None  # BETWEEN's upper end

    def matches(self, cell: object) -> bool:
        """Whether a row whose cell holds `cell` is kept."""
        if isinstance(self.value, bool):
            return bool(cell) == self.value
        if isinstance(self.value, str):
            text = "" if cell is None else str(cell).lower()
            return self.value in text if self.op == CONTAINS else text == self.value
        if cell is None or cell == "":
            return False
        number = Decimal(str(cell))
        if self.op == BETWEEN:
            assert self.high is not None
            return self.value <= number <= self.high
        return _compare(self.op, number, self.value)


def _compare(op: str, a: Decimal, b: Decimal) -> bool:
    return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "=": a == b}[op]


def _number(raw: str) -> Decimal:
    try:
        return D(raw)  # thousands separators allowed, infinities and NaN refused
    except ValueError:
        raise FilterError(f"{raw.strip()!r} is not a number") from None


def parse_filter(typed: str, kind: str = TEXT) -> ColumnFilter | None:
    """The filter the user typed for a column of `kind` (TEXT, NUMBER or FLAG); None when the
    box is blank; FilterError when it cannot be read."""
    text = typed.strip()
    if not text:
        return None
    if kind == FLAG:
        word = text.upper()
        if word in YES or word in NO:
            return ColumnFilter(EQUAL, word in YES)
        raise FilterError(f"{text!r}: type Y or N")
    if kind == NUMBER:
        if BETWEEN in text:
            low, _, high = text.partition(BETWEEN)
            lo, hi = _number(low), _number(high)
            if lo > hi:
                raise FilterError(f"{text!r}: the lower end comes first")
            return ColumnFilter(BETWEEN, lo, hi)
        op = next((c for c in COMPARISONS if text.startswith(c)), EQUAL)
        return ColumnFilter(op, _number(text[len(op) :] if text.startswith(op) else text))
    if text.startswith(EQUAL):
        return ColumnFilter(EQUAL, text[1:].strip().lower())
    return ColumnFilter(CONTAINS, text.lower())
