"""The program's vocabulary, in one place (SPEC §2, §6.2, §9): agreement kinds, statuses,
methods and periods with the names users read, journal sources, account roles, the `ALL`
scope level, and the roles and permissions of users. Plain names only (no rules, no
imports beyond the standard library), so that the window can use them before the
services are imported."""

from __future__ import annotations

from enum import StrEnum

# A CAT1–CAT4 level that matches every code; a blank level, or ALL in any case, means ALL
# (ladder.scope_cats stores every level that way).
ALL = "ALL"


def is_all(level: str | None) -> bool:
    """The ALL rule: a blank level, or `ALL` in any case, is ALL (codes are case-sensitive)."""
    return not level or level.upper() == ALL


COOP, VOLUME, PERIODIC = "COOP", "VOLUME", "PERIODIC"
DAMAGE, FREIGHT = "DAMAGE", "FREIGHT"  # allowances on net receipts, ladders like COOP (SPEC §11.2)
LUMP_SUM, PRICE_PROTECTION = "LUMP_SUM", "PRICE_PROTECTION"
# The kinds whose agreements are ladders of percents (SPEC §5, §11.2): a receipt line earns
# under each of them at once.
LADDER_KINDS = (COOP, VOLUME, PERIODIC, DAMAGE, FREIGHT)
KINDS = (*LADDER_KINDS, LUMP_SUM, PRICE_PROTECTION)
# The kinds a provisional rate may be set for (SPEC §12).
PROVISIONAL_KINDS = (COOP, DAMAGE, FREIGHT)


def one_of(names: tuple[str, ...]) -> str:
    """Names as a message lists them: ("SC", "NC", "CD") -> "SC, NC or CD"."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)


KINDS_TEXT = one_of(KINDS)  # "COOP, VOLUME, …, LUMP_SUM or PRICE_PROTECTION"
PROVISIONAL_KINDS_TEXT = one_of(PROVISIONAL_KINDS)
# The names screens and history use (the menus say "<name> Agreements").
KIND_NAMES = {
    COOP: "Coop Advertising",
    VOLUME: "Volume Rebate",
    PERIODIC: "Periodic Rebate",
    DAMAGE: "Damage Allowance",
    FREIGHT: "Freight Allowance",
    LUMP_SUM: "Lump Sum",
    PRICE_PROTECTION: "Price Protection",
}
# The names in the vendor statement's prose ("Co-op advertising · agreement 1").
KIND_PHRASES = {
    COOP: "Co-op advertising",
    VOLUME: "Volume rebate",
    PERIODIC: "Periodic rebate",
    DAMAGE: "Damage allowance",
    FREIGHT: "Freight allowance",
    LUMP_SUM: "Lump sum",
    PRICE_PROTECTION: "Price protection",
}

PENDING, ACCEPTED, REJECTED = "PENDING", "ACCEPTED", "REJECTED"
STATUSES = (PENDING, ACCEPTED, REJECTED)

# A receiving slip is a draft until it is posted (then it is read-only).
DRAFT, POSTED = "DRAFT", "POSTED"

# How a line's rebate is settled (SPEC §2, the M column): by cheque, by credit note, or
# deducted from the next payment.
METHODS = ("SC", "NC", "CD")
DEFAULT_METHOD = "SC"
METHOD_NAMES = {"SC": "cheque", "NC": "credit note", "CD": "deduct on next payment"}

PERIODS = ("M", "Q", "Y")
PERIOD_NAMES = {"M": "Monthly", "Q": "Quarterly", "Y": "Yearly"}

# Journal sources (SPEC §6.2, §6.3): the receipt itself, its accrual, the retro catch-up,
# and the correction of a re-rate.
RECEIPT, ACCRUAL, RETRO, RERATE = "RECEIPT", "ACCRUAL", "RETRO", "RERATE"
# Part II (SPEC §11.2): a lump sum's accrual at the month close, a price-protection claim.
LUMP_SUM_SOURCE, PRICE_PROTECTION_SOURCE = LUMP_SUM, PRICE_PROTECTION
# Month close and settlement (SPEC §13–§14): an invoice moves the receivable to
# CLAIMS_RECEIVABLE; a vendor's actual corrects the accrual; cheques, credit notes, write-offs
# and dispute credits settle invoices; a reversal undoes one of them.
INVOICE, ACTUALS = "INVOICE", "ACTUALS"
# Accrual at the expected tier (issue 15): an estimate trued up at each close, never invoiced.
EXPECTED_TIER = "EXPECTED_TIER"
# Payables (SPEC §15): a vendor invoice's matched lines (Dr RECEIVED_NOT_INVOICED / Cr
# ACCOUNTS_PAYABLE, the price variance to PURCHASE_PRICE_VARIANCE), a payment run (Dr
# ACCOUNTS_PAYABLE / Cr CASH / Cr CLAIMS_RECEIVABLE); a co-op invoice deducted by a run.
VENDOR_INVOICE, PAYMENT_RUN, DEDUCTION = "VENDOR_INVOICE", "PAYMENT_RUN", "DEDUCTION"
PAYMENT, CREDIT_NOTE, WRITE_OFF, DISPUTE_CREDIT, REVERSAL = (
    "PAYMENT",
    "CREDIT_NOTE",
    "WRITE_OFF",
    "DISPUTE_CREDIT",
    "REVERSAL",
)
SOURCES = (
    RECEIPT,
    ACCRUAL,
    RETRO,
    RERATE,
    LUMP_SUM_SOURCE,
    PRICE_PROTECTION_SOURCE,
    INVOICE,
    ACTUALS,
    EXPECTED_TIER,
    VENDOR_INVOICE,
    PAYMENT_RUN,
    PAYMENT,
    CREDIT_NOTE,
    WRITE_OFF,
    DISPUTE_CREDIT,
    REVERSAL,
)
SOURCE_NAMES = {
    RECEIPT: "Receipt",
    ACCRUAL: "Accrual",
    RETRO: "Retroactive",
    RERATE: "Re-rate",
    LUMP_SUM_SOURCE: "Lump sum",
    PRICE_PROTECTION_SOURCE: "Price protection",
    INVOICE: "Co-op invoice",
    ACTUALS: "Vendor actual",
    EXPECTED_TIER: "Expected tier",
    VENDOR_INVOICE: "Vendor invoice",
    PAYMENT_RUN: "Payment run",
    PAYMENT: "Vendor payment",
    CREDIT_NOTE: "Vendor credit note",
    WRITE_OFF: "Write-off",
    DISPUTE_CREDIT: "Dispute credit",
    REVERSAL: "Reversal",
}
# A settlement's kind as the vendor statement names it (SPEC §14).
SETTLEMENT_NAMES = {
    PAYMENT: "Cheque",
    CREDIT_NOTE: "Credit note",
    WRITE_OFF: "Write-off",
    DISPUTE_CREDIT: "Dispute credit",
    REVERSAL: "Reversal",
    DEDUCTION: "Deducted from payment",
}

# A co-op invoice's status (SPEC §13–§14), derived from what settles it: HELD until the
# month's vendor actual is accepted; OPEN; SHORT_PAID once partly settled; PAID when nothing is
# open; CREDIT for a negative invoice (a credit to the vendor).
HELD, OPEN, SHORT_PAID, PAID, CREDIT = "HELD", "OPEN", "SHORT_PAID", "PAID", "CREDIT"
INVOICE_STATUSES = (HELD, OPEN, SHORT_PAID, PAID, CREDIT)
# Why a vendor disputes an invoice (SPEC §14); how a dispute or an actual is answered.
DISPUTE_REASONS = ("PRICING", "QUANTITY", "NOT_COVERED", "DUPLICATE", "RATE", "OTHER")
SUBMITTED = "SUBMITTED"
# Whose a supporting document is (document.owner): a dispute's or a vendor actual's.
DISPUTE_DOCUMENT, ACTUAL_DOCUMENT = "DISPUTE", "ACTUAL"
# Vendor invoice matching (SPEC §16): the defects that hold a line, how one is resolved.
PRODUCT_NOT_ON_SLIP = "PRODUCT_NOT_ON_SLIP"
UNRECOGNIZED_PRODUCT = "UNRECOGNIZED_PRODUCT"
QUANTITY_OVER_RECEIVED = "QUANTITY_OVER_RECEIVED"
COST_MISMATCH = "COST_MISMATCH"
MISSING_INVOICE = "MISSING_INVOICE"
DEFECTS = (PRODUCT_NOT_ON_SLIP, UNRECOGNIZED_PRODUCT, QUANTITY_OVER_RECEIVED, COST_MISMATCH, MISSING_INVOICE)
RESOLUTIONS = ("CREDIT_NOTE", "CORRECTED_INVOICE", "LATE_RECEIPT")
# A vendor invoice line's state: MATCHED (payable), HELD (flagged, not resolved), RESOLVED (a
# flagged line closed: a credit note, a corrected invoice, or re-matched on a late receipt as a
# new matched line).
MATCHED, RESOLVED = "MATCHED", "RESOLVED"
# A provision for receivables is named by the day it was placed; its reversal adds an R (SPEC §15).
PROVISION_SUFFIX, REVERSAL_MARK = "_PROVISION_FOR_RECEIVABLES", "R"
# Backup reconciliation (SPEC §16): how a line of the vendor's statement compares with ours.
MATCHED, AMOUNT_DIFFERS, QUANTITY_DIFFERS = "MATCHED", "AMOUNT_DIFFERS", "QUANTITY_DIFFERS"
ONLY_THEIRS, ONLY_OURS = "ONLY_THEIRS", "ONLY_OURS"
RECONCILE_STATUSES = (MATCHED, AMOUNT_DIFFERS, QUANTITY_DIFFERS, ONLY_THEIRS, ONLY_OURS)
RECONCILE_TOTAL = "TOTAL"

# Account roles of the GL reference (SPEC §6.1).
INVENTORY = "INVENTORY"
RECEIVED_NOT_INVOICED = "RECEIVED_NOT_INVOICED"
REBATE_RECEIVABLE = "REBATE_RECEIVABLE"
ADVERTISING = "ADVERTISING"
REBATE_EARNED = "REBATE_EARNED"
# Part II (SPEC §18).
DAMAGE_ALLOWANCE = "DAMAGE_ALLOWANCE"
FREIGHT_ALLOWANCE = "FREIGHT_ALLOWANCE"
CLAIMS_RECEIVABLE = "CLAIMS_RECEIVABLE"
CASH = "CASH"
ACCOUNTS_PAYABLE = "ACCOUNTS_PAYABLE"
REBATE_WRITE_OFF = "REBATE_WRITE_OFF"
PURCHASE_PRICE_VARIANCE = "PURCHASE_PRICE_VARIANCE"
ROLES = (
    INVENTORY,
    RECEIVED_NOT_INVOICED,
    REBATE_RECEIVABLE,
    ADVERTISING,
    REBATE_EARNED,
    DAMAGE_ALLOWANCE,
    FREIGHT_ALLOWANCE,
    CLAIMS_RECEIVABLE,
    CASH,
    ACCOUNTS_PAYABLE,
    REBATE_WRITE_OFF,
    PURCHASE_PRICE_VARIANCE,
)
ROLE_TEXT = {
    INVENTORY: "Inventory",
    RECEIVED_NOT_INVOICED: "Received not invoiced",
    REBATE_RECEIVABLE: "Rebate receivable",
    ADVERTISING: "Advertising (P&L of Coop and Lump Sum)",
    REBATE_EARNED: "Rebate earned (P&L of Volume and Periodic)",
    DAMAGE_ALLOWANCE: "Damage allowance (P&L of Damage)",
    FREIGHT_ALLOWANCE: "Freight allowance (P&L of Freight)",
    CLAIMS_RECEIVABLE: "Claims receivable (co-op invoices)",
    CASH: "Cash",
    ACCOUNTS_PAYABLE: "Accounts payable",
    REBATE_WRITE_OFF: "Rebate write-off",
    PURCHASE_PRICE_VARIANCE: "Purchase price variance",
}
# The P&L role each kind accrues to (SPEC §6.1, §11.2); PRICE_PROTECTION credits INVENTORY.
PNL_ROLES = {
    COOP: ADVERTISING,
    VOLUME: REBATE_EARNED,
    PERIODIC: REBATE_EARNED,
    DAMAGE: DAMAGE_ALLOWANCE,
    FREIGHT: FREIGHT_ALLOWANCE,
    LUMP_SUM: ADVERTISING,
    PRICE_PROTECTION: INVENTORY,
}


class Role(StrEnum):
    CLERK = "CLERK"
    MANAGER = "MANAGER"  # purchasing manager
    ACCOUNTANT = "ACCOUNTANT"
    ADMIN = "ADMIN"


class Permission(StrEnum):
    RECEIVE = "enter receiving slips"
    AGREEMENTS = "maintain agreements"
    ACCEPT = "accept agreements"
    MASTER = "maintain vendors, products and categories"
    GL = "maintain GL accounts and the GL reference"
    POST = "post receiving slips"
    RERATE = "re-rate"
    REPORTS = "run reports"
    EXPORT_GL = "record journal exports for the general ledger"
    USERS = "maintain users"
    ADMIN = "load the demo company, back up and restore"
    AUDIT_TRAIL = "view the audit trail"
    PROVISIONAL = "maintain provisional rates and waivers"
    PRICE_CHANGES = "enter price changes"  # SPEC §11.2 price protection
    TERMS = "maintain terms and conditions templates"
    CLOSE = "close months and issue co-op invoices"  # SPEC §13
    SETTLE = "record vendor payments, credit notes, disputes and actuals"  # SPEC §13–§14
    WRITE_OFF = "write off open amounts up to the tolerance"
    WRITE_OFF_ANY = "write off open amounts above the tolerance"
    PAYABLES = "enter vendor invoices, run payments and provisions"  # SPEC §15–§16


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.RECEIVE}),
    Role.MANAGER: frozenset(
        {
            Permission.AGREEMENTS,
            Permission.ACCEPT,
            Permission.MASTER,
            Permission.REPORTS,
            Permission.PROVISIONAL,
            Permission.PRICE_CHANGES,
            Permission.WRITE_OFF,
            Permission.WRITE_OFF_ANY,
        }
    ),
    Role.ACCOUNTANT: frozenset(
        {
            Permission.GL,
            Permission.POST,
            Permission.RERATE,
            Permission.REPORTS,
            Permission.EXPORT_GL,
            Permission.AUDIT_TRAIL,
            Permission.PRICE_CHANGES,
            Permission.CLOSE,
            Permission.SETTLE,
            Permission.WRITE_OFF,
            Permission.PAYABLES,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}
ROLE_NAMES = {
    Role.CLERK: "Clerk",
    Role.MANAGER: "Purchasing manager",
    Role.ACCOUNTANT: "Accountant",
    Role.ADMIN: "Administrator",
}
