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
KINDS = (COOP, VOLUME, PERIODIC)


def one_of(names: tuple[str, ...]) -> str:
    """Names as a message lists them: ("SC", "NC", "CD") -> "SC, NC or CD"."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)


KINDS_TEXT = one_of(KINDS)  # "COOP, VOLUME or PERIODIC"
# The names screens and history use (the menus say "<name> Agreements").
KIND_NAMES = {COOP: "Coop Advertising", VOLUME: "Volume Rebate", PERIODIC: "Periodic Rebate"}
# The names in the vendor statement's prose ("Co-op advertising · agreement 1").
KIND_PHRASES = {COOP: "Co-op advertising", VOLUME: "Volume rebate", PERIODIC: "Periodic rebate"}

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
SOURCES = (RECEIPT, ACCRUAL, RETRO, RERATE)
SOURCE_NAMES = {RECEIPT: "Receipt", ACCRUAL: "Accrual", RETRO: "Retroactive", RERATE: "Re-rate"}

# Account roles of the GL reference (SPEC §6.1).
INVENTORY = "INVENTORY"
RECEIVED_NOT_INVOICED = "RECEIVED_NOT_INVOICED"
REBATE_RECEIVABLE = "REBATE_RECEIVABLE"
ADVERTISING = "ADVERTISING"
REBATE_EARNED = "REBATE_EARNED"
ROLES = (INVENTORY, RECEIVED_NOT_INVOICED, REBATE_RECEIVABLE, ADVERTISING, REBATE_EARNED)
ROLE_TEXT = {
    INVENTORY: "Inventory",
    RECEIVED_NOT_INVOICED: "Received not invoiced",
    REBATE_RECEIVABLE: "Rebate receivable",
    ADVERTISING: "Advertising (P&L of Coop)",
    REBATE_EARNED: "Rebate earned (P&L of Volume and Periodic)",
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


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.RECEIVE}),
    Role.MANAGER: frozenset({Permission.AGREEMENTS, Permission.ACCEPT, Permission.MASTER, Permission.REPORTS}),
    Role.ACCOUNTANT: frozenset(
        {
            Permission.GL,
            Permission.POST,
            Permission.RERATE,
            Permission.REPORTS,
            Permission.EXPORT_GL,
            Permission.AUDIT_TRAIL,
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
