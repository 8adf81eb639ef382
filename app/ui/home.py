"""Home: the first screen of the day — the company, what is waiting, and the way in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.vocabulary import KIND_NAMES
from app.services import invoice_detail, queries, vendor_balances
from app.services.invoice_detail import InvoiceCounts

from .base import Screen, UiEnv


def _card(title: str, value: str, note: str = "") -> QFrame:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setStyleSheet(
        "QFrame { background: white; border: 1px solid #c8d0da; border-radius: 4px; }QLabel { border: none; }"
    )
    box = QVBoxLayout(frame)
    caption = QLabel(title)
    caption.setStyleSheet("color: #5a6b7d;")
    caption.setWordWrap(True)  # five cards a row fit 1024 pixels
    number = QLabel(value)
    number.setObjectName("value")
    number.setStyleSheet("font-size: 20pt; font-weight: 600; color: #1f3b57;")
    box.addWidget(caption)
    box.addWidget(number)
    if note:
        extra = QLabel(note)
        extra.setWordWrap(True)
        extra.setStyleSheet("color: #5a6b7d;")
        box.addWidget(extra)
    return frame


class HomeScreen(Screen):
    title = "Home"

    def __init__(self, env: UiEnv, actions: dict[str, Callable[[], object]], parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.actions_by_name = actions
        self.data: queries.Overview | None = None
        self.invoices: InvoiceCounts | None = None
        self.debit_balances: int | None = None  # vendors in debit balance today (SPEC §15)
        self.loading = False
        self.again = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: 600; color: #1f3b57;")
        self.subheading = QLabel()
        self.subheading.setStyleSheet("color: #5a6b7d;")
        self.subheading.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        self.cards = QGridLayout()
        self.cards.setSpacing(12)
        layout.addSpacing(8)
        layout.addLayout(self.cards)
        layout.addSpacing(12)
        buttons = QGridLayout()
        buttons.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for i, name in enumerate(actions):
            button = QPushButton(name)
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _c=False, n=name: self.actions_by_name[n]())
            buttons.addWidget(button, i // 3, i % 3)
            self.buttons[name] = button
        layout.addLayout(buttons)
        layout.addStretch(1)
        tip = QLabel(
            "Tab/Enter move · Ins adds a row · Del removes · F2 default · F4 lookup · Ctrl+S saves · "
            "Esc cancels · F1 lists every shortcut"
        )
        tip.setStyleSheet("color: #5a6b7d;")
        tip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tip.setWordWrap(True)  # the window stays usable at 1024 pixels
        layout.addWidget(tip)

    def start(self) -> None:
        self.refresh()

    def showEvent(self, event: object) -> None:  # noqa: N802
        super().showEvent(event)  # type: ignore[arg-type]
        if self.data is not None:
            self.refresh()

    def refresh(self) -> None:
        """Load the overview in a worker: on a large company its counts and sums take
        seconds, and the window must not wait for them (the figures follow)."""
        if self.loading:
            self.again = True
            return
        self.loading, self.again = True, False
        if self.data is None:
            self.heading.setText("Loading…")

        def failed(_exc: BaseException) -> bool:
            self.loading = False
            return False  # the usual error dialog

        def work(uow: Any, _job: Any) -> tuple[queries.Overview, InvoiceCounts | None, int | None]:
            today = date.today()
            return (
                queries.overview(uow),
                invoice_detail.invoice_counts(uow, today),
                vendor_balances.debit_balances(uow, today),
            )

        self.runner.run(self, "Home", work, lambda r: self._loaded(*r), on_error=failed, delay_ms=60_000)

    def _loaded(
        self, data: queries.Overview, invoices: InvoiceCounts | None = None, debit_balances: int | None = None
    ) -> None:
        self.loading = False
        if self.again:
            self.refresh()
            return
        self.data, self.invoices, self.debit_balances = data, invoices, debit_balances
        self.heading.setText(data.company or "Co-op & Rebate Agreements")
        last = data.last_received.isoformat() if data.last_received else "none yet"
        self.subheading.setText(
            f"{data.vendors:,} vendors · {data.products:,} products · currency "
            f"{data.currency} · last receipt posted {last}"
        )
        while self.cards.count():
            item = self.cards.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        kinds = " · ".join(f"{KIND_NAMES[k].split()[0]} {data.accepted.get(k, 0)}" for k in KIND_NAMES)
        cards = [
            _card("Draft receiving slips to post", f"{data.draft_slips:,}", f"{data.draft_lines:,} lines"),
            _card("Accepted agreements", f"{sum(data.accepted.values()):,}", kinds),
            _card("Agreements waiting for acceptance", f"{data.pending:,}", "pending a manager's approval"),
            _card("Receipt lines posted", f"{data.posted_lines:,}", f"last received {last}"),
        ]
        if data.accrued is not None:
            cards.append(
                _card(
                    f"Rebates receivable accrued ({data.currency})",
                    f"{data.accrued:,.2f}",
                    "with retroactive parts and re-rates",
                )
            )
        for i, card in enumerate(cards):
            self.cards.addWidget(card, 0, i)
            self.cards.setColumnStretch(i, 1)
        second = invoice_cards(invoices, data.currency) if invoices is not None else []
        if debit_balances is not None:
            second.append(
                _card("Vendors in debit balance", f"{debit_balances:,}", "they owe more than we owe them (today)")
            )
        for i, card in enumerate(second):
            self.cards.addWidget(card, 1, i)


def invoice_cards(counts: InvoiceCounts, currency: str) -> list[QFrame]:
    """The co-op invoices waiting for the vendor or for us (SPEC §13–§14)."""
    return [
        _card("Co-op invoices past due", f"{counts.due:,}", f"{counts.due_amount:,.2f} {currency} open"),
        _card("Short-paid invoices", f"{counts.short_paid:,}", "partly settled, the rest still open"),
        _card("Invoices held for actuals", f"{counts.held:,}", "waiting for the vendor's accepted actual"),
        _card(
            "Disputes to answer this week", f"{counts.disputes_due:,}",
            f"{counts.disputes_overdue:,} overdue (more than 30 days)" if counts.disputes_overdue else "none overdue",
        ),
    ]  # fmt: skip
