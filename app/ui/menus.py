"""The main window's menus and what their entries do: open a screen or a dialog, post,
re-rate, back up, connect, help. The window itself (tabs, access, the database in use,
start and close) is app.ui.main; the screens are imported when first opened."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QTabWidget

from app import __version__
from app.domain.vocabulary import KIND_NAMES, KINDS, Permission

from .balance_menus import BalanceMenus
from .base import Screen, UiEnv

if TYPE_CHECKING:
    from .agreements import AgreementScreen
    from .estimated import EstimatedScreen
    from .home import HomeScreen
    from .journal import JournalScreen
    from .receiving import ReceivingScreen
    from .users import UsersScreen

SHORTCUTS = """Keyboard shortcuts

In a grid
  Tab / Shift+Tab   next / previous cell
  Enter             commit the cell and move to the next one
  Ins               add a row (the next tier of the current ladder)
  Del               delete the selected rows
  F2                CAT1–CAT4: ALL (and the levels after it);
                    Maximum Amount: 999,999,999.00 (unlimited);
                    elsewhere: edit the cell
  F4                lookup list (categories, the vendor's products)
  Space             tick / untick Deg, Retro

On a screen
  Ctrl+S            save
  Esc               cancel the changes (after confirmation)
  Ctrl+W            close the tab"""


# What each menu entry needs (a Permission of the vocabulary: the window shows before the
# services are imported); entries not listed are open to everyone (the services check the
# permission of every call regardless). The agreement screens open for every role (a clerk
# views agreements, SPEC §1) and are read-only without AGREEMENTS.
FULL_RERATE = "Re-rate every vendor (check the journal)"
NEEDS: dict[str, Permission] = {
    "Back up…": Permission.ADMIN, "Restore…": Permission.ADMIN,
    "Vendors": Permission.MASTER, "Products": Permission.MASTER, "Categories": Permission.MASTER,
    "GL Reference": Permission.GL, "Terms and Conditions": Permission.TERMS,
    "Users": Permission.USERS, "Audit Trail": Permission.AUDIT_TRAIL, "Receiving Slips": Permission.RECEIVE,
    "Post slips": Permission.POST, "Re-rate": Permission.RERATE, FULL_RERATE: Permission.RERATE,
    "Estimated Rebates": Permission.REPORTS, "Vendor Statement…": Permission.REPORTS,
    "Provisional Rates": Permission.PROVISIONAL, "Provisional Exposure": Permission.REPORTS,
    "Negotiation Preview": Permission.REPORTS,
    "Vendor Statements (all vendors)…": Permission.REPORTS, "Journal": Permission.REPORTS,
    "Price Changes": Permission.PRICE_CHANGES, "Month Close…": Permission.CLOSE,
    "Co-op Invoices": Permission.REPORTS, "Disputes": Permission.REPORTS, "Vendor Actuals": Permission.REPORTS,
    "Vendor Invoices": Permission.PAYABLES, "Payment Run": Permission.PAYABLES,
    "Vendor Balances": Permission.REPORTS, "Provisions": Permission.PAYABLES, "Financial Scorecard": Permission.REPORTS,
    "Backup Reconciliation": Permission.REPORTS, "Accrual Audit": Permission.REPORTS,
    "Company Settings…": Permission.ADMIN,
}  # fmt: skip
# The menu entry (and Home button) of each kind's agreement screen.
AGREEMENT_ENTRIES = {kind: f"{KIND_NAMES[kind]} Agreements" for kind in KINDS}
# Open to every user with a role (read-only without AGREEMENTS), not to strangers.
ANY_ROLE = {*AGREEMENT_ENTRIES.values(), "Agreements Overview"}
HOME_NEEDS = {"Post draft slips": Permission.POST, "Vendor Statement": Permission.REPORTS}
# Usable while the database is still opening; every other entry waits until it is open.
WITHOUT_DATABASE = {"Exit", "About", "Keyboard shortcuts"}
OPENING = "Opening the database…"


class MenuActions(BalanceMenus):
    """The menus of the main window and the slots of their entries (a mixin of MainWindow,
    which provides the tabs, the screens and the access of the user)."""

    env: UiEnv
    ready: bool
    tabs: QTabWidget
    screens: dict[str, Screen]
    db_label: QLabel

    if TYPE_CHECKING:  # provided by MainWindow (a QMainWindow)

        def open_screen(self, key: str, factory: Callable[[], Screen]) -> Screen: ...
        def update_access(self) -> None: ...
        def refresh(self) -> None: ...
        def close_tab(self, index: int) -> None: ...
        def menuBar(self) -> Any: ...  # noqa: N802
        def addAction(self, action: QAction) -> None: ...  # noqa: N802
        def close(self) -> bool: ...

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._item(file_menu, "&Home", self.open_home, "Ctrl+H")
        file_menu.addSeparator()
        self._item(file_menu, "&Connect to server…", self.connect_to_server)
        self._item(file_menu, "Use &local database", self.use_local_database)
        file_menu.addSeparator()
        self._item(file_menu, "&Import…", self.open_import, "Ctrl+I")
        file_menu.addSeparator()
        self._item(file_menu, "&Back up…", self.back_up)
        self._item(file_menu, "&Restore…", self.restore)
        file_menu.addSeparator()
        self._item(file_menu, "E&xit", self.close, "Ctrl+Q")
        maintenance = bar.addMenu("&Maintenance")
        self._item(maintenance, "&Vendors", lambda: self.open_records("vendors", "VENDORS"))
        self._item(maintenance, "&Products", lambda: self.open_records("products", "PRODUCTS"))
        self._item(maintenance, "&Categories", lambda: self.open_records("categories", "CATEGORIES"))
        maintenance.addSeparator()
        for number, kind in enumerate(KINDS, start=1):  # Ctrl+1 Coop … Ctrl+3 Periodic
            self._item(maintenance, AGREEMENT_ENTRIES[kind], lambda k=kind: self.open_agreements(k), f"Ctrl+{number}")
        self._item(maintenance, "Agreements &Overview", self.open_agreement_list)
        maintenance.addSeparator()
        self._item(maintenance, "Pro&visional Rates", self.open_provisional)
        self._item(maintenance, "&GL Reference", self.open_gl_reference)
        self._item(maintenance, "&Terms and Conditions", self.open_terms_templates)
        self._item(maintenance, "Co&mpany Settings…", self.open_company_settings)
        maintenance.addSeparator()
        self._item(maintenance, "&Users", self.open_users)
        self._item(maintenance, "&Audit Trail", self.open_audit_trail)
        entries = bar.addMenu("&Entries")
        self._item(entries, "&Receiving Slips", self.open_receiving, "Ctrl+R")
        proc = bar.addMenu("&Processing")
        self._item(proc, "&Post slips", self.post_all)
        self._item(proc, "&Re-rate", self.rerate_all)
        self._item(proc, FULL_RERATE, self.rerate_every_vendor)
        proc.addSeparator()
        self._item(proc, "Price &Changes", self.open_price_changes)
        proc.addSeparator()
        self._item(proc, "&Month Close…", self.open_month_close)
        settlement = bar.addMenu("&Settlement")
        self._item(settlement, "Co-op &Invoices", self.open_invoices)
        self._item(settlement, "&Disputes", self.open_disputes)
        self._item(settlement, "Vendor &Actuals", self.open_actuals)
        settlement.addSeparator()
        self._item(settlement, "&Vendor Invoices", self.open_vendor_invoices)
        self._item(settlement, "&Payment Run", self.open_payment_run)
        self._item(settlement, "Vendor &Balances", self.open_vendor_balances)
        self._item(settlement, "P&rovisions", self.open_provisions)
        self._item(settlement, "Backup R&econciliation", self.open_reconciliation)
        reports_menu = bar.addMenu("&Reports")
        self._item(reports_menu, "&Estimated Rebates", self.open_estimated)
        self._item(reports_menu, "&Provisional Exposure", self.open_exposure)
        self._item(reports_menu, "&Negotiation Preview", self.open_negotiation)
        self._item(reports_menu, "Financial S&corecard", self.open_scorecard)
        self._item(reports_menu, "Accrual A&udit", self.open_accrual_audit)
        self._item(reports_menu, "Vendor &Statement…", self.open_statement)
        self._item(reports_menu, "Vendor Statements (&all vendors)…", self.open_batch_statements)
        reports_menu.addSeparator()
        self._item(reports_menu, "&Journal", self.open_journal)
        help_menu = bar.addMenu("&Help")
        self._item(help_menu, "&About", self.about)
        self._item(help_menu, "&Keyboard shortcuts", self.shortcuts, "F1")
        close = QAction("Close tab", self)
        close.setShortcut(QKeySequence("Ctrl+W"))
        close.triggered.connect(lambda: self.close_tab(self.tabs.currentIndex()))
        self.addAction(close)

    def _item(self, menu: object, text: str, slot: Callable[[], object], key: str | None = None) -> QAction:
        action = menu.addAction(text)  # type: ignore[attr-defined]
        if key:
            action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def open_home(self) -> HomeScreen:
        from .home import HomeScreen

        actions = {
            "Receiving Slips": self.open_receiving,
            "Post draft slips": self.post_all,
            "Estimated Rebates": self.open_estimated,
            **{entry: (lambda k=k: self.open_agreements(k)) for k, entry in AGREEMENT_ENTRIES.items()},
            "Vendor Statement": self.open_statement,
            "Journal": self.open_journal,
            "Co-op Invoices": self.open_invoices,
        }
        screen = self.open_screen("home", lambda: HomeScreen(self.env, actions))
        self.update_access()
        return screen  # type: ignore[return-value]

    def open_agreements(self, kind: str) -> AgreementScreen:
        from .agreements import AgreementScreen

        return self.open_screen(f"agreements:{kind}", lambda: AgreementScreen(self.env, kind))  # type: ignore[return-value]

    def open_receiving(self) -> ReceivingScreen:
        from .receiving import ReceivingScreen

        return self.open_screen("receiving", lambda: ReceivingScreen(self.env))  # type: ignore[return-value]

    def open_estimated(self) -> EstimatedScreen:
        from .estimated import EstimatedScreen

        return self.open_screen("estimated", lambda: EstimatedScreen(self.env))  # type: ignore[return-value]

    def open_price_changes(self) -> Screen:
        from .price_changes import PriceChangeScreen

        return self.open_screen("price_changes", lambda: PriceChangeScreen(self.env))

    def open_month_close(self) -> Screen:
        from .month_close import MonthCloseScreen

        return self.open_screen("month_close", lambda: MonthCloseScreen(self.env))

    def open_invoices(self) -> Screen:
        from .invoices import InvoicesScreen

        return self.open_screen("invoices", lambda: InvoicesScreen(self.env))

    def open_disputes(self) -> Screen:
        from .disputes import DisputesScreen

        def show_invoice(invoice_no: str) -> None:
            self.open_invoices().show_invoice(invoice_no)  # type: ignore[attr-defined]

        return self.open_screen("disputes", lambda: DisputesScreen(self.env, show_invoice))

    def open_actuals(self) -> Screen:
        from .actuals import ActualsScreen

        return self.open_screen("actuals", lambda: ActualsScreen(self.env))

    def open_vendor_invoices(self) -> Screen:
        from .payables import VendorInvoicesScreen

        return self.open_screen("vendor_invoices", lambda: VendorInvoicesScreen(self.env))

    def open_payment_run(self) -> Screen:
        from .payables import PaymentRunScreen

        return self.open_screen("payment_run", lambda: PaymentRunScreen(self.env))

    def open_company_settings(self) -> QDialog:
        from .company_settings import CompanySettingsDialog

        return self.open_dialog(CompanySettingsDialog(self.env, self))  # type: ignore[arg-type]

    def open_journal(self) -> JournalScreen:
        from .journal import JournalScreen

        return self.open_screen("journal", lambda: JournalScreen(self.env))  # type: ignore[return-value]

    def open_records(self, key: str, spec_name: str) -> Screen:
        """Vendors, Products or Categories (the spec named in app.ui.masterdata)."""
        from . import masterdata

        spec = getattr(masterdata, spec_name)
        return self.open_screen(key, lambda: masterdata.RecordsScreen(self.env, spec))

    def open_agreement_list(self) -> Screen:
        from .agreement_list import AgreementListScreen

        def open_agreement(kind: str, vendor: str, agreement_id: int) -> None:
            self.open_agreements(kind).show_agreement(vendor, agreement_id)

        return self.open_screen("agreement_list", lambda: AgreementListScreen(self.env, open_agreement))

    def open_provisional(self) -> Screen:
        from .provisional import ProvisionalScreen

        return self.open_screen("provisional", lambda: ProvisionalScreen(self.env))

    def open_exposure(self) -> Screen:
        from .exposure import ExposureScreen

        return self.open_screen("exposure", lambda: ExposureScreen(self.env))

    def open_negotiation(self) -> Screen:
        from .negotiation import NegotiationScreen

        return self.open_screen("negotiation", lambda: NegotiationScreen(self.env))

    def open_gl_reference(self) -> Screen:
        from .gl_reference import GlReferenceScreen

        return self.open_screen("gl", lambda: GlReferenceScreen(self.env))

    def open_terms_templates(self) -> Screen:
        from .terms_templates import TermsTemplatesScreen

        return self.open_screen("terms", lambda: TermsTemplatesScreen(self.env))

    def open_statement(self) -> QDialog:
        from .statements import StatementDialog

        return self.open_dialog(StatementDialog(self.env, self))

    def open_batch_statements(self) -> QDialog:
        from .statements import BatchDialog

        return self.open_dialog(BatchDialog(self.env, self))

    def open_import(self) -> QDialog:
        from .imports import ImportDialog

        return self.open_dialog(ImportDialog(self.env, self, done=lambda _count: self.refresh()))

    def post_all(self) -> None:
        from . import processing

        processing.post_all(self.env.runner, self, self._after_posting)

    def rerate_all(self) -> None:
        from . import processing

        processing.rerate_all(self.env.runner, self, self._after_posting)

    def rerate_every_vendor(self) -> None:
        """`coop rerate --full`: every vendor recomputed after its accrual cache is checked
        against its journal; a vendor whose cache differs is reported, not re-rated."""
        from . import processing

        processing.rerate_all(self.env.runner, self, self._after_posting, full=True)

    def back_up(self) -> None:
        from . import backup as backup_ui

        backup_ui.back_up(self)

    def restore(self) -> None:
        from . import backup as backup_ui

        backup_ui.restore(self)

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """A report dialog (vendor statements): window-modal, deleted once closed."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_users(self) -> UsersScreen:
        from .users import UsersScreen

        def make() -> UsersScreen:
            screen = UsersScreen(self.env)
            screen.saved.connect(self.update_access)
            return screen

        return self.open_screen("users", make)  # type: ignore[return-value]

    def open_audit_trail(self) -> Screen:
        from .audit_trail import AuditTrailScreen

        return self.open_screen("audit_trail", lambda: AuditTrailScreen(self.env))

    def _after_posting(self, _result: object) -> None:
        home = self.screens.get("home")
        if home is not None:
            home.refresh()  # type: ignore[attr-defined]
        receiving = self.screens.get("receiving")
        if receiving is not None and not receiving.is_dirty():  # the Receiving Slips screen
            receiving.refresh_slip_list()  # type: ignore[attr-defined]

    def connect_to_server(self) -> None:
        from . import connection as connection_ui

        connection_ui.ask_server(self)

    def use_local_database(self) -> None:
        from . import connection as connection_ui

        connection_ui.use_local(self)

    def about(self) -> None:
        if not self.ready:
            QMessageBox.information(self, "About", f"Co-op & Rebate Agreements {__version__}\n\n" + OPENING)
            return
        self.env.interaction.inform(
            self,
            "About",
            f"Co-op & Rebate Agreements {__version__}\n\nVendor rebate and co-op "
            "advertising agreements for building-materials distributors.\n\n"
            + self.db_label.text(),  # "Database: … · User: …"
        )

    def shortcuts(self) -> None:
        if not self.ready:
            QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS)
            return
        self.env.interaction.inform(self, "Keyboard shortcuts", SHORTCUTS)
