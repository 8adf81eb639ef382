"""Estimated rebates (SPEC §8) on screen: filters, a sortable grid of ladders, vendor and
grand totals, drill-down to a ladder's receipt lines and their journal lines
(app.ui.estimated_drill), and export to PDF, XLSX and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import ZERO
from app.domain.vocabulary import KIND_NAMES, LUMP_SUM
from app.services import masterdata, queries
from app.services.estimated import EstimatedRow
from app.services.estimated_totals import EstimatedTotal, estimated_totals
from app.services.queries import EstimatedLadder

from .bars import hbox
from .base import Screen, UiEnv, heading
from .estimated_drill import LadderDialog
from .lookups import VendorBox
from .reports_common import OptionalDate, RCol, ReadsOnFilters, ReportModel, ReportView, date_edit, export

ALL_VENDORS = "All vendors"
ALL_KINDS = "All kinds"
# as of, vendor, received from, kind
Filters = tuple[date, str | None, date | None, str | None]


def _tier_text(r: EstimatedRow) -> str:
    if r.lump_sum:
        return ""
    return f"{r.tier} of {r.tiers}" + (" · max" if r.beyond_maximum is not None else "")


def _tier_tip(e: EstimatedLadder) -> str:
    r = e.row
    if r.beyond_maximum is not None:
        return f"Maximum reached: the volume above the last tier's maximum ({r.beyond_maximum:,.2f}) earns nothing"
    return f"Tier {r.tier} ends at {r.next_threshold:,.2f}" if r.next_threshold is not None else ""


def _earned_tip(e: EstimatedLadder) -> str:
    """A periodic ladder's rebate is to date, the sum of what each period earned."""
    r = e.row
    if not r.period:
        return ""
    lines = [f"Rebate earned to date: {r.rebate:,.2f}, the sum over the periods (each reaches its own tier):"]
    lines += [
        f"  {p.period_key}: volume {p.volume:,.2f} · tier {p.tier} at {p.rate_pct:.3f}% · earned {p.rebate:,.2f}"
        for p in r.periods
    ]
    return "\n".join(lines)


def _ladder_tip(e: EstimatedLadder) -> str:
    r = e.row
    parts = [
        f"{r.vendor} — {r.vendor_name}",
        f"{KIND_NAMES.get(r.kind, r.kind)} agreement {r.agreement_no}",
        f"{r.ladder}",
        f"{r.start.isoformat()} to {r.end.isoformat()} · method {r.method}",
        "Retro: yes" if r.retro else "Retro: no (marginal)",
    ]
    if r.lump_sum:
        parts[-2:] = [
            f"{r.start.isoformat()} to {r.end.isoformat()} · method {r.method}",
            f"Accrued evenly by day: {r.rebate:,.2f} to date, {r.to_accrue or ZERO:,.2f} still to accrue",
        ]
    if r.period:
        parts.append(f"Volume counted by period {r.period}; current period {r.period_key}")
    if r.next_threshold is not None:
        parts.append(f"Tier {r.tier} ends at {r.next_threshold:,.2f}")
    return "\n".join(parts)


ESTIMATED_COLUMNS = (
    RCol("Vendor", lambda e: e.row.vendor, width=80, tip=lambda e: e.row.vendor_name),
    RCol("Kind", lambda e: e.row.kind, width=58),
    RCol("Agr.", lambda e: e.row.agreement_no, width=34),
    RCol("Ladder", lambda e: e.row.ladder, width=124, tip=_ladder_tip),
    RCol("Period", lambda e: e.row.period_key, width=54, tip=_earned_tip),
    RCol("Volume", lambda e: None if e.row.lump_sum else e.row.volume, "decimal", width=88),
    RCol("Tier", lambda e: e.row.tier, "int", width=68, text=lambda e: _tier_text(e.row), tip=_tier_tip),
    RCol("Rate %", lambda e: None if e.row.lump_sum else e.row.rate_pct, "decimal", places=3, width=50),
    RCol("Rebate Earned", lambda e: e.row.rebate, "decimal", width=80, header="Rebate\nEarned", tip=_earned_tip),
    RCol("Regular", lambda e: e.row.regular, "decimal", width=80),
    RCol("Retroactive", lambda e: e.row.retroactive, "decimal", width=66, header="Retro-\nactive"),
    RCol("Applied to Cost", lambda e: e.row.applied_to_cost, "decimal", width=76, header="Applied\nto Cost"),
    RCol("To P&L", lambda e: e.row.to_pnl, "decimal", width=80),
    RCol("To Next Tier", lambda e: e.row.needed_for_next, "decimal", width=80, header="To Next\nTier"),
    RCol("Next Tier Adds", lambda e: e.row.rebate_at_next, "decimal", width=70, header="Next Tier\nAdds"),
    # A lump sum (SPEC §11.2): its amount; Rebate Earned is what it has accrued to date.
    RCol("Amount", lambda e: e.row.amount, "decimal", width=76, header=f"{KIND_NAMES[LUMP_SUM]}\nAmount"),
    RCol("Still to Accrue", lambda e: e.row.to_accrue, "decimal", width=70, header="Still to\nAccrue"),
)


def totals(rows: Sequence[EstimatedRow]) -> list[EstimatedTotal]:
    """One line per vendor, per kind when there are several, and the grand total."""
    lines = estimated_totals(rows)
    several = sum(1 for t in lines if t.kind) > 1
    return [t for t in lines if t.kind is None or several]


def _total_label(t: EstimatedTotal) -> str:
    if t.kind:
        return f"Total {KIND_NAMES[t.kind]}"
    if t.vendor:
        return f"Total {t.vendor} — {t.vendor_name}"
    return f"Grand total ({t.vendors} vendor{'s' if t.vendors != 1 else ''})"


TOTAL_COLUMNS = (
    RCol("Totals", _total_label, width=360),
    RCol("Ladders", lambda t: t.ladders, "int", width=70),
    RCol("Rebate Earned", lambda t: t.rebate, "decimal", width=110),
    RCol("Regular", lambda t: t.regular, "decimal", width=110),
    RCol("Retroactive", lambda t: t.retroactive, "decimal", width=110),
    RCol("Applied to Cost", lambda t: t.applied_to_cost, "decimal", width=120),
    RCol("To P&L", lambda t: t.to_pnl, "decimal", width=110),
)


class VendorFilter(VendorBox):
    """The vendor box with an "All vendors" entry first (code None)."""

    def set_vendors(self, vendors: Sequence[tuple[str, str]]) -> None:
        super().set_vendors(vendors)
        self.insertItem(0, ALL_VENDORS, "")
        self.setCurrentIndex(0)

    def set_code(self, code: str | None, notify: bool = True) -> bool:
        i = self.findData(code or "")
        if i < 0:
            return False
        self.setCurrentIndex(i)
        self._choose(code or "", notify)
        return True

    def code(self) -> str | None:
        return self._current or None


class EstimatedScreen(ReadsOnFilters[Filters], Screen):
    title = "Estimated Rebates"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.records: list[EstimatedLadder] = []
        self.drill: LadderDialog | None = None
        self.model = ReportModel(ESTIMATED_COLUMNS)
        self.view = ReportView(self.model, self)
        self.view.activated.connect(self.drill_down)
        self.totals = ReportModel(TOTAL_COLUMNS, emphasis=lambda t: t.grand)
        self.totals_view = ReportView(self.totals, self, sorting=None)
        self.add_shortcut("Refresh", "F5", self.refresh)
        self._build()

    def _build(self) -> None:
        self.as_of = date_edit(self)
        self.as_of.editingFinished.connect(self._filters_changed)
        self.date_from = OptionalDate("Received from", self)
        self.date_from.changed.connect(self._filters_changed)
        self.vendor_box = VendorFilter(self)
        self.vendor_box.setMinimumWidth(200)
        self.vendor_box.vendor_chosen.connect(lambda _c: self._filters_changed())
        self.kind_box = QComboBox(self)
        self.kind_box.addItem(ALL_KINDS, None)
        for kind, name in KIND_NAMES.items():
            self.kind_box.addItem(name, kind)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._filters_changed())
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(self.refresh)
        self.pdf_button = QPushButton("PDF…")
        self.xlsx_button = QPushButton("XLSX…")
        self.csv_button = QPushButton("CSV…")
        for button, suffix in ((self.pdf_button, ".pdf"), (self.xlsx_button, ".xlsx"), (self.csv_button, ".csv")):
            button.setToolTip(f"Export the ladders shown to a {suffix[1:].upper()} file")
            button.clicked.connect(lambda _c=False, s=suffix: self.export(s))
        filters = hbox(
            "As of:",
            self.as_of,
            8,
            self.date_from,
            8,
            "Vendor:",
            (self.vendor_box, 1),
            8,
            "Kind:",
            self.kind_box,
            refresh,
            None,
        )
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #555;")
        below = hbox((self.summary, 1), "Export:", self.pdf_button, self.xlsx_button, self.csv_button)
        self.totals_view.setMinimumHeight(120)
        self.totals_view.setMaximumHeight(176)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        self.grand = QLabel("")
        self.grand.setWordWrap(True)  # the window stays usable at 1024 pixels
        self.grand.setStyleSheet("font-weight: bold;")
        self.grand.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        totals_bar = hbox(heading("Totals"), (self.grand, 1))
        layout.addLayout(below)
        layout.addLayout(totals_bar)
        layout.addWidget(self.totals_view)

    # -- loading
    def start(self) -> None:
        vendors = self.runner.call(self, "Vendors", lambda uow: queries.vendors(uow)) or []
        self.vendor_box.set_vendors([(v.code, v.name) for v in vendors])
        self.reload()

    def filters(self) -> Filters:
        return (
            self.as_of.date().toPython(),
            self.vendor_box.code(),
            self.date_from.value(),  # type: ignore[return-value]
            self.kind_box.currentData(),
        )

    def refresh(self) -> None:
        wanted = self.filters()
        as_of, vendor, date_from, kind = wanted

        def work(uow: Any, _job: Any) -> list[EstimatedLadder]:
            return queries.estimated_ladders(uow, as_of, vendor, date_from, kind)

        self.runner.run(self, "Estimated rebates", work, lambda rows: self._loaded(wanted, rows))

    def _loaded(self, wanted: Filters, records: list[EstimatedLadder]) -> None:
        if self.is_stale(wanted):
            return
        self.loaded = wanted
        self.records = records
        self.model.set_records(records)
        rows = [r.row for r in records]
        lump_sums = any(r.lump_sum for r in rows)  # their two columns only when there are lump sums
        for name in ("Amount", "Still to Accrue"):
            self.view.setColumnHidden(self.model.column_index(name), not lump_sums)
        self.view.fit_to_contents({"Ladder": 150})  # the ladder's whole text is in its tooltip
        lines = totals(rows) if rows else []
        self.totals.set_records(lines)
        grand = lines[-1] if lines else None
        self.grand.setText(
            f"Grand total: rebate earned {grand.rebate:,.2f} · regular {grand.regular:,.2f} · retroactive "
            f"{grand.retroactive:,.2f} · applied to cost {grand.applied_to_cost:,.2f} · to P&L {grand.to_pnl:,.2f}"
            if grand
            else ""
        )
        vendors = len({r.vendor for r in rows})
        self.summary.setText(
            f"{len(rows)} ladder{'s' if len(rows) != 1 else ''} of accepted agreements, {vendors} vendor"
            f"{'s' if vendors != 1 else ''} · volume as of {wanted[0].isoformat()}"
            + (f"; rebates of receipts from {wanted[2].isoformat()} (tiers from the whole volume)" if wanted[2] else "")
            + " · click a heading to sort · double-click a ladder for its receipt lines"
        )

    # -- drill-down
    def drill_down(self, index: QModelIndex) -> LadderDialog | None:
        record: EstimatedLadder | None = self.view.record(index)
        if record is None or self.loaded is None or not record.ladder_key:  # a lump sum has no receipt lines
            return None
        as_of, _vendor, date_from, _kind = self.loaded
        key = record.ladder_key
        vendor = record.row.vendor
        lines = self.runner.call(
            self, "Receipt lines", lambda uow: queries.ladder_lines(uow, key, as_of, date_from, vendor)
        )
        if lines is None:
            return None
        if self.drill is not None:
            self.drill.close()
        self.drill = LadderDialog(self.env, record, lines, self)
        self.drill.show()
        return self.drill

    # -- export
    def export(self, suffix: str) -> bool:
        if self.loaded is None:
            return False
        as_of, vendor, date_from, _kind = self.loaded
        rows = [r.row for r in self.records]
        suggested = f"estimated-rebates-{as_of.isoformat()}{suffix}"

        def write(uow: Any, path: Path) -> int:
            from app.reports.estimated_pdf import EstimatedFilters, write_estimated

            return write_estimated(
                path, rows, company=masterdata.company(uow).name, filters=EstimatedFilters(as_of, vendor, date_from)
            )

        return export(
            self.env,
            self,
            "Export estimated rebates",
            suggested,
            [suffix],
            write,
            lambda path, n: self.status_message.emit(f"Wrote {n} ladders to {path}"),
        )
