"""Lump-sum agreements (SPEC §11.2, example J): one amount for the agreement's dates, accrued
evenly by day. Both ends of the dates count. The cumulative accrual to a date is
`round(amount × days elapsed / days in the agreement)`, half-up to the cent; a month's accrual
is the cumulative at its end less the cumulative before it, so the months add up to the
amount exactly."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .limits import MAX_AMOUNT_MAX, limit_text
from .money import ZERO, cents, decimal_places
from .validation import Problem
from .vocabulary import METHODS, one_of


@dataclass(frozen=True)
class LumpSum:
    """A lump sum's terms as stored on the agreement header (amount, dates, M)."""

    amount: Decimal | None
    start: date | None
    end: date | None
    method: str | None


def days_in(start: date, end: date) -> int:
    """Days of start..end, both ends included."""
    return (end - start).days + 1


def cumulative(amount: Decimal, start: date, end: date, as_of: date) -> Decimal:
    """What has accrued by the end of as_of: 0 before start, the whole amount from end on."""
    if as_of < start:
        return ZERO
    if as_of >= end:
        return amount
    return cents(amount * days_in(start, as_of) / days_in(start, end))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_accrual(amount: Decimal, start: date, end: date, year: int, month: int) -> Decimal:
    """The accrual of one calendar month: cumulative at its end less cumulative before it."""
    first = date(year, month, 1)
    return cumulative(amount, start, end, month_end(year, month)) - cumulative(
        amount, start, end, first - timedelta(days=1)
    )


def schedule(amount: Decimal, start: date, end: date) -> list[tuple[date, Decimal]]:
    """(month end, the month's accrual) for every month the dates touch, in order."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append((month_end(year, month), month_accrual(amount, start, end, year, month)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def lump_sum_problems(label: str, terms: LumpSum) -> list[Problem]:
    """Why a lump sum's terms are refused (amount > 0 with 2 decimals, dates in order, M)."""
    out: list[Problem] = []
    amount = terms.amount
    if amount is None:
        out.append(Problem(label, "Amount", "is required for a lump sum"))
    elif amount <= ZERO:
        out.append(Problem(label, "Amount", f"must be greater than 0 (got {amount})"))
    elif decimal_places(amount) > 2:
        out.append(Problem(label, "Amount", f"has more than 2 decimals ({amount})"))
    elif amount > MAX_AMOUNT_MAX:
        out.append(Problem(label, "Amount", f"is too large (got {amount}; at most {limit_text(MAX_AMOUNT_MAX)})"))
    if terms.start is None:
        out.append(Problem(label, "Start Date", "is required"))
    if terms.end is None:
        out.append(Problem(label, "End Date", "is required"))
    if terms.start and terms.end and terms.start > terms.end:
        out.append(Problem(label, "End Date", f"{terms.end} is before the start date {terms.start}"))
    if terms.method not in METHODS:
        out.append(Problem(label, "M", f"must be {one_of(METHODS)} (got {terms.method or 'blank'})"))
    return out
