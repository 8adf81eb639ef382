"""The menu entries of vendor balances, provisions, the scorecard, backup reconciliation and
the accrual audit (SPEC §15–§16): a mixin of app.ui.menus.MenuActions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .base import Screen


class BalanceMenus:
    if TYPE_CHECKING:
        from .base import UiEnv

        env: UiEnv

        def open_screen(self, key: str, factory: Callable[[], Screen]) -> Screen: ...

    def open_vendor_balances(self) -> Screen:
        from .vendor_balances import VendorBalancesScreen

        return self.open_screen("vendor_balances", lambda: VendorBalancesScreen(self.env))

    def open_provisions(self) -> Screen:
        from .provisions import ProvisionsScreen

        return self.open_screen("provisions", lambda: ProvisionsScreen(self.env))

    def open_scorecard(self) -> Screen:
        from .scorecard import ScorecardScreen

        return self.open_screen("scorecard", lambda: ScorecardScreen(self.env))

    def open_reconciliation(self) -> Screen:
        from .reconciliation import ReconciliationScreen

        return self.open_screen("reconciliation", lambda: ReconciliationScreen(self.env))

    def open_accrual_audit(self) -> Screen:
        from .accrual_audit import AccrualAuditScreen

        return self.open_screen("accrual_audit", lambda: AccrualAuditScreen(self.env))
