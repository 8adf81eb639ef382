"""The rows of an agreements file (SPEC §9, §18) as what they describe: a line of a ladder
(or of a PRICE_PROTECTION scope), or a LUMP_SUM agreement's terms. Problems are collected
by row and column (tabular.Cells); nothing here reads the database."""

from __future__ import annotations

from decimal import Decimal

from app.domain.lump_sum import LumpSum, lump_sum_problems
from app.domain.validation import LineDraft
from app.domain.vocabulary import LUMP_SUM, PRICE_PROTECTION

from .errors import Problem
from .tabular import Cells

# A LUMP_SUM row's columns that stay blank (a 0 reads as blank), and its flags (N or blank).
NOT_LUMP_SUM = ("cat1", "cat2", "cat3", "cat4", "product_code", "max_amount", "rebate1", "rebate2", "rebate3",
                "rebate4", "product_pct", "period")  # fmt: skip
NUMERIC = ("max_amount", "rebate1", "rebate2", "rebate3", "rebate4", "product_pct")
# Field names of app.domain.lump_sum -> the import column.
LUMP_SUM_COLUMNS = {"Amount": "amount", "Start Date": "start_date", "End Date": "end_date", "M": "method"}


def _blank(raw: str, column: str) -> bool:
    if not raw:
        return True
    if column in NUMERIC:
        try:
            return Decimal(raw) == 0
        except ArithmeticError:
            return False
    return False


def lump_sum_row(c: Cells) -> LumpSum:
    """A LUMP_SUM row: amount, dates and method; every other column blank (SPEC §18)."""
    row, label = c.row, c.row.label
    for column in NOT_LUMP_SUM:
        if not _blank(row.cells.get(column, ""), column):
            c.problems.append(
                Problem(label, column, f"must be blank on a LUMP_SUM row (got {row.cells[column]!r}): a lump sum "
                        "has an amount, dates and method, no scope, maximum or rates")
            )  # fmt: skip
    for flag in ("degressive", "retro"):
        if c.boolean(flag):
            c.problems.append(Problem(label, flag, "must be N or blank on a LUMP_SUM row"))
    terms = LumpSum(
        c.decimal("amount"),
        c.date("start_date", required=False),
        c.date("end_date", required=False),
        c.text("method").upper() or None,
    )
    if not any(p.record == label for p in c.problems):  # what the cells say, once they read
        c.problems.extend(
            Problem(p.record, LUMP_SUM_COLUMNS.get(p.field, p.field), p.message)
            for p in lump_sum_problems(label, terms)
        )
    return terms


def line_row(c: Cells, kind: str) -> LineDraft:
    """A line of a ladder kind, or a PRICE_PROTECTION scope (no maximum: not required)."""
    row = c.row
    if row.cells.get("amount", ""):
        c.problems.append(Problem(row.label, "amount", f"only a {LUMP_SUM} row has an amount (this is {kind})"))
    rebates = tuple(c.decimal(f"rebate{i}") for i in (1, 2, 3, 4))
    pct = c.decimal("product_pct")
    return LineDraft(
        label=row.label,
        product=c.text("product_code") or None,
        cats=(c.text("cat1") or None, c.text("cat2") or None, c.text("cat3") or None, c.text("cat4") or None),
        max_amount=c.decimal("max_amount", required=kind != PRICE_PROTECTION),
        start=c.date("start_date"),
        end=c.date("end_date"),
        rebates=rebates,  # type: ignore[arg-type]
        method=c.text("method").upper() or None,
        degressive=c.boolean("degressive"),
        retro=c.boolean("retro"),
        product_pct=pct if pct is not None else Decimal(0),
        period=c.text("period").upper() or None,
    )
