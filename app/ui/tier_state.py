"""What the tier chart of the agreement screen shows (app.ui.tier_chart draws it): the
ladder's thresholds and rates, the volume to date (of the current period, with the other
periods' volumes for a periodic ladder), and the headline that says it in words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import fmt_decimal


@dataclass(frozen=True)
class ChartState:
    """What the chart shows; `tier` is 1-based (0: no tiers), volume None when unknown."""

    caption: str = ""
    thresholds: tuple[Decimal, ...] = ()
    rates: tuple[Decimal | None, ...] = ()
    volume: Decimal | None = None
    rebate: Decimal | None = None
    period_key: str = ""
    note: str = ""
    periods: tuple[tuple[str, Decimal], ...] = ()  # a periodic ladder's other periods, marked on the bar

    @property
    def tier(self) -> int:
        return self.tier_of(self.volume or Decimal(0))

    @property
    def rate(self) -> Decimal | None:
        return self.rates[self.tier - 1] if self.tier else None

    @property
    def headline(self) -> str:
        if not self.thresholds:
            return ""
        label = f"Volume {self.period_key}" if self.period_key else "Volume to date"
        if self.volume is None:
            count = len(self.thresholds)
            return f"{count} tier{'' if count == 1 else 's'} · {self.note or 'volume not available'}"
        text = f"{label} {fmt_decimal(self.volume)} · tier {self.tier} of {len(self.thresholds)}"
        if self.rate is not None:
            text += f" at {fmt_decimal(self.rate, 3)}%"
        if self.rebate is not None:
            text += f" · earned {fmt_decimal(self.rebate)}"
        if self.tier < len(self.thresholds):
            needed = self.thresholds[self.tier - 1] - max(self.volume, Decimal(0)) + Decimal("0.01")
            text += f" · {fmt_decimal(needed)} more reaches tier {self.tier + 1}"
        others = [(k, v) for k, v in self.periods if k != self.period_key]
        if others:
            text += " · other periods: " + ", ".join(
                f"{k} {fmt_decimal(v)} (tier {self.tier_of(v)})" for k, v in others
            )
        return text

    def tier_of(self, volume: Decimal) -> int:
        """The tier holding a volume: (Max_{i-1}, Max_i]; past the last maximum, the last (0:
        no tiers). `tier` is the current volume's; a periodic ladder's other periods have theirs."""
        for i, maximum in enumerate(self.thresholds, start=1):
            if volume <= maximum:
                return i
        return len(self.thresholds)
