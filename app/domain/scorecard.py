"""The financial scorecard (SPEC §16): per vendor and period, the count and amount of each
vendor-invoice matching defect, the vendor invoices paid on time, the short-paid co-op invoices
and the open disputes. Pure rules: no SQL.

- A flagged vendor invoice line counts under its defect in the month of its invoice date.
- MISSING_INVOICE: a posted receiving line (quantity above zero) that no vendor invoice dated
  within 30 days of receipt names; it counts on the first day it is missing (received + 31
  days), for the line's amount.
- A vendor invoice due in the period is paid on time when payment runs paid it and the last
  of them ran on or before its due date.
- Short-paid co-op invoices and open disputes are those at the period's end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .money import ZERO
from .vocabulary import DEFECTS

CSV_COLUMNS = (
    "vendor_code", "vendor_name",
    *(f"{d.lower()}_{what}" for d in DEFECTS for what in ("count", "amount")),
    "defects_count", "defects_amount", "invoices_due", "paid_on_time", "on_time_percent",
    "short_paid_count", "short_paid_open", "open_disputes_count", "open_disputes_amount",
)  # fmt: skip
MONEY_COLUMNS = (
    *(f"{d.lower()}_amount" for d in DEFECTS), "defects_amount", "short_paid_open", "open_disputes_amount"
)  # fmt: skip


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class Tally:
    count: int = 0
    amount: Decimal = ZERO

    def add(self, amount: Decimal) -> None:
        self.count += 1
        self.amount += amount


@dataclass
class ScorecardRow:
    """One vendor's scorecard for the period."""

    vendor_code: str
    vendor_name: str
    defects: dict[str, Tally] = field(default_factory=lambda: {d: Tally() for d in DEFECTS})
    invoices_due: int = 0
    paid_on_time: int = 0
    short_paid: Tally = field(default_factory=Tally)
    open_disputes: Tally = field(default_factory=Tally)

    @property
    def defect_count(self) -> int:
        return sum(t.count for t in self.defects.values())

    @property
    def defect_amount(self) -> Decimal:
        return sum((t.amount for t in self.defects.values()), ZERO)

    @property
    def on_time_percent(self) -> Decimal | None:
        """Paid on time as a percent of the invoices due, 1 decimal; None when none was due."""
        if not self.invoices_due:
            return None
        return (Decimal(self.paid_on_time) * 100 / self.invoices_due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def values(self) -> tuple[object, ...]:
        """The CSV/XLSX row (CSV_COLUMNS)."""
        pct = self.on_time_percent
        cells: list[object] = [self.vendor_code, self.vendor_name]
        for d in DEFECTS:
            cells += [self.defects[d].count, self.defects[d].amount]
        return (
            *cells, self.defect_count, self.defect_amount, self.invoices_due, self.paid_on_time,
            "" if pct is None else pct, self.short_paid.count, self.short_paid.amount,
            self.open_disputes.count, self.open_disputes.amount,
        )  # fmt: skip


@dataclass(frozen=True)
class Scorecard:
    """The scorecard of a period: a row per vendor with anything to show, and the defects by
    type and month (the chart): {month: {defect: count}}."""

    date_from: date
    date_to: date
    rows: tuple[ScorecardRow, ...]
    by_month: dict[str, dict[str, int]]
    vendor: str | None = None  # the one vendor asked for; None for all

    def total(self) -> ScorecardRow:
        """Every vendor's row summed (vendor_code "Total"), its on-time percent of the sums."""
        out = ScorecardRow("Total", f"{len(self.rows)} vendor{'' if len(self.rows) == 1 else 's'}")
        for row in self.rows:
            for d in DEFECTS:
                out.defects[d].count += row.defects[d].count
                out.defects[d].amount += row.defects[d].amount
            out.invoices_due += row.invoices_due
            out.paid_on_time += row.paid_on_time
            for mine, theirs in ((out.short_paid, row.short_paid), (out.open_disputes, row.open_disputes)):
                mine.count += theirs.count
                mine.amount += theirs.amount
        return out
