"""Maintenance › Company Settings… (SPEC §13–§14), for administrators: the company's remit-to
bank details printed on every co-op invoice, the write-off tolerance of an accountant and the
dispute filing window in days."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QSpinBox, QWidget

from app.services import masterdata, settlement_reads

from .base import UiEnv
from .editors import DecimalEdit
from .settlement_dialogs import ActionDialog

WINDOW_MAX = 3660


class CompanySettingsDialog(ActionDialog):
    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(
            env,
            "Company Settings",
            "How vendors pay a co-op invoice (printed on every invoice), how much an accountant may write off, and "
            "how many days after an invoice's date a dispute may be filed.",
            parent,
        )
        self.remit_to = QPlainTextEdit(self)
        self.remit_to.setPlaceholderText("Bank, transit and account number, payee name…")
        self.remit_to.setMinimumHeight(110)
        self.tolerance = DecimalEdit(self)
        self.window_days = QSpinBox(self)
        self.window_days.setRange(1, WINDOW_MAX)
        self.window_days.setSuffix(" days")
        self.add_row("Remit to:", self.remit_to, "remit_to")
        self.add_row("Write-off tolerance:", self.tolerance, "write_off_tolerance")
        self.add_row("Dispute filing window:", self.window_days, "dispute_window_days")
        self.action.setText("Save")
        terms = env.runner.call(self, "Company settings", settlement_reads.settlement_terms)
        if terms is not None:
            self.remit_to.setPlainText(terms.remit_to)
            self.tolerance.setText(f"{terms.write_off_tolerance:.2f}")
            self.window_days.setValue(terms.dispute_window_days)

    def work(self) -> Callable[[Any], Any] | None:
        remit_to, tolerance, days = self.remit_to.toPlainText(), self.tolerance.decimal(), self.window_days.value()
        return lambda uow: masterdata.set_settlement_terms(uow, remit_to, tolerance, days)
