"""Co-op invoices (SPEC §13–§14): months, numbers, due dates, and an invoice's status from what
settles it. Pure rules: no SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .lump_sum import month_end
from .money import ZERO
from .vocabulary import CREDIT, HELD, OPEN, PAID, SHORT_PAID

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int] | None:
    """`YYYY-MM` as (year, month); None when it is not one."""
    found = MONTH.match(text.strip()) if text else None
    if found is None:
        return None
    year, month = int(found[1]), int(found[2])
    return (year, month) if 1 <= month <= 12 and year >= 1900 else None


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_of(day: date) -> str:
    return month_text(day.year, day.month)


def last_day(month: str) -> date:
    """The month's last day (the invoice date of its close)."""
    parsed = parse_month(month)
    if parsed is None:
        raise ValueError(f"not a month: {month!r}")
    return month_end(*parsed)


def first_day(month: str) -> date:
    return last_day(month).replace(day=1)


def next_month(month: str) -> str:
    return month_of(last_day(month) + timedelta(days=1))


def previous_month(month: str) -> str:
    return month_of(first_day(month) - timedelta(days=1))


def invoice_number(month: str, vendor_code: str, sequence: int) -> str:
    """`CO-2502-V100-0001`: the month as YYMM, the vendor's code, its invoices of the month in order."""
    year, mon = month.split("-")
    return f"CO-{year[2:]}{mon}-{vendor_code}-{sequence:04d}"


def due_date(invoice_date: date, terms_days: int) -> date:
    return invoice_date + timedelta(days=terms_days)


@dataclass(frozen=True)
class Balance:
    """What an invoice bills and what is still open on it. billed: the invoice's amount, or the
    vendor's accepted actual for a held invoice; settled: the sum its settlements applied."""

    invoice_id: int
    billed: Decimal
    settled: Decimal
    held: bool  # actuals required and the month's actual not accepted yet

    @property
    def open(self) -> Decimal:
        return self.billed - self.settled

    @property
    def status(self) -> str:
        return invoice_status(self.billed, self.settled, self.held)


def invoice_status(billed: Decimal, settled: Decimal, held: bool) -> str:
    """HELD until the actual is accepted; PAID when nothing is open (a credit to the vendor too,
    once a payment run paid it); CREDIT for a credit to the vendor still open; SHORT_PAID when
    partly settled; else OPEN."""
    if held:
        return HELD
    if billed - settled == ZERO:
        return PAID
    if billed < ZERO:
        return CREDIT
    return SHORT_PAID if settled != ZERO else OPEN
