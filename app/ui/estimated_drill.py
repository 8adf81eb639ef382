"""The drill-down of the Estimated Rebates screen: one ladder's receipt lines (Enter or a
double-click shows a line's journal lines below them); for a periodic ladder, first each
period with volume, the tier it reached and what it earned (issue 17: the row's volume and
tier are the current period's, its rebate the sum to date)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.domain.money import ZERO
from app.domain.vocabulary import KIND_NAMES
from app.services import queries
from app.services.queries import EstimatedLadder, LadderLine

from .base import UiEnv, heading
from .reports_common import RCol, ReportModel, ReportView

PERIOD_COLUMNS = (
    RCol("Period", lambda p: p.period_key + (" (current)" if p.current else ""), width=130),
    RCol("Volume", lambda p: p.volume, "decimal", width=110),
    RCol("Tier", lambda p: p.tier, "int", width=44),
    RCol("Rate %", lambda p: p.rate_pct, "decimal", places=3, width=60),
    RCol("Rebate Earned", lambda p: p.rebate, "decimal", width=100),
    RCol("Earns Nothing", lambda p: p.beyond_maximum, "decimal", width=110,
         tip=lambda p: "volume above the last tier's maximum" if p.beyond_maximum is not None else ""),
)  # fmt: skip

LINE_COLUMNS = (
    RCol("Slip", lambda ln: ln.slip_no, width=90),
    RCol("Line", lambda ln: ln.line_no, "number", width=44),
    RCol("Date", lambda ln: ln.received, "date", width=86),
    RCol("Product", lambda ln: ln.product, width=130),
    RCol("Period", lambda ln: ln.period_key, width=60),
    RCol("Amount", lambda ln: ln.amount, "decimal", width=100),
    RCol("Volume After", lambda ln: ln.volume_after, "decimal", width=106),
    RCol("Tier", lambda ln: ln.tier, "int", width=44),
    RCol("Rebate", lambda ln: ln.rebate, "decimal", width=90),
    RCol("Retro", lambda ln: ln.retro, "decimal", width=84),
    RCol("Applied to Cost", lambda ln: ln.applied_to_cost, "decimal", width=104),
)

JOURNAL_LINE_COLUMNS = (
    RCol("Entry", lambda j: j["entry_no"], "number", width=56),
    RCol("Date", lambda j: j["entry_date"], "date", width=86),
    RCol("Source", lambda j: j["source"], width=70),
    RCol("Account", lambda j: j["account"], width=70),
    RCol("Role", lambda j: j["account_role"], width=180),
    RCol("Debit", lambda j: j["debit"] or None, "decimal", width=96),
    RCol("Credit", lambda j: j["credit"] or None, "decimal", width=96),
    RCol("Kind", lambda j: j["agreement_kind"] or "", width=70),
    RCol("Memo", lambda j: j["memo"], width=300),
)


class LadderDialog(QDialog):
    """Drill-down: the receipt lines of one ladder; Enter or double-click on a line shows
    its journal lines below."""

    def __init__(
        self, env: UiEnv, ladder: EstimatedLadder, lines: Sequence[LadderLine], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.env, self.ladder = env, ladder
        r = ladder.row
        self.setWindowTitle(f"Receipt lines — {r.vendor} {KIND_NAMES.get(r.kind, r.kind)} {r.agreement_no} {r.ladder}")
        self.lines = ReportModel(LINE_COLUMNS, lines)
        self.lines_view = ReportView(self.lines, self)
        self.lines_view.activated.connect(self.show_journal)
        self.journal = ReportModel(JOURNAL_LINE_COLUMNS)
        self.journal_view = ReportView(self.journal, self, sorting=None)
        self.journal_view.horizontalHeader().setStretchLastSection(True)
        self.journal_title = heading("Journal lines: double-click a receipt line (or press Enter)")
        period = f" · period {r.period_key}" if r.period_key else ""
        summary = QLabel(
            f"{r.vendor} — {r.vendor_name} · {KIND_NAMES.get(r.kind, r.kind)} agreement {r.agreement_no} · "
            f"{r.ladder} · {r.start.isoformat()} to {r.end.isoformat()}{period}\n"
            f"{len(lines)} receipt lines · volume {sum((ln.amount for ln in lines), ZERO):,.2f} · "
            f"rebate {sum((ln.rebate for ln in lines), ZERO):,.2f} · tier {r.tier} of {r.tiers} at "
            f"{r.rate_pct:.3f}%"
            + (f" · maximum reached: {r.beyond_maximum:,.2f} earns nothing" if r.beyond_maximum is not None else "")
        )
        summary.setWordWrap(True)
        self.periods = ReportModel(PERIOD_COLUMNS, list(r.periods))
        self.periods_view = ReportView(self.periods, self, sorting=None)
        self.periods_view.setMaximumHeight(22 * (len(r.periods) + 1) + 30)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(heading("Receipt lines"))
        top_layout.addWidget(self.lines_view)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.journal_title)
        bottom_layout.addWidget(self.journal_view)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        if r.period:  # each period reaches its own tier: what each earned, the rebate being their sum
            layout.addWidget(heading(f"Periods with volume (rebate earned to date {r.rebate:,.2f})"))
            layout.addWidget(self.periods_view)
        else:
            self.periods_view.hide()
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1060, 560)
        if lines:
            self.lines_view.selectRow(0)

    def show_journal(self, index: QModelIndex) -> None:
        line: LadderLine | None = self.lines_view.record(index)
        if line is None:
            return
        slip, no = line.slip_no, line.line_no
        rows = self.env.runner.call(self, "Journal lines", lambda uow: queries.receipt_line_journal(uow, slip, no))
        self.journal.set_records(rows or [])
        self.journal_title.setText(f"Journal lines of receipt {slip} line {no} ({len(rows or [])})")
