"""The read-only panels below the receiving slip's lines: the rebate preview of a slip
not yet posted and the journal entries of a posted slip (their columns and rows)."""

from __future__ import annotations

from decimal import Decimal

from .list_model import RecordSpec
from .models import Column

PREVIEW_SPEC = RecordSpec(
    columns=(
        Column("Line", "computed", places=0, grouping=False, width=44),
        Column("Kind", width=70, align="center"),
        Column("Ladder", width=210),
        Column("Agreement", width=72, align="center"),
        Column("Tier", "computed", places=0, width=40),
        Column("Rate %", "decimal", places=3, width=64),
        Column("Rebate", "decimal", width=92),
        Column("Retro", "decimal", width=84),
        Column("Applied to Cost", "decimal", width=104),
        Column("Net Unit Cost", "decimal", places=4, width=96),
        Column("Note", width=280),  # the rest of the width; a long note whole in its tooltip
    ),
    to_row=lambda p: {
        "Line": Decimal(p.line_no),
        "Kind": p.kind,
        "Ladder": p.ladder,
        "Agreement": p.agreement_no,
        "Tier": Decimal(p.tier),
        "Rate %": p.rate_pct,
        "Rebate": p.rebate,
        "Retro": p.retro,
        "Applied to Cost": p.applied_to_cost,
        "Net Unit Cost": p.net_unit_cost,
        "Note": p.note,
    },
)

JOURNAL_SPEC = RecordSpec(
    columns=(
        Column("Entry", "computed", places=0, grouping=False, width=56),
        Column("Date", "date", width=90),
        Column("Source", width=76, align="center"),
        Column("Line", "computed", places=0, grouping=False, width=44),
        Column("Account", width=70),
        Column("Role", width=170),
        Column("Debit", "decimal", width=100),
        Column("Credit", "decimal", width=100),
        Column("Kind", width=70),
        Column("Memo", width=300),
    ),
    to_row=lambda j: {
        "Entry": Decimal(j.entry_no),
        "Date": j.entry_date,
        "Source": j.source,
        "Line": Decimal(j.line_no) if j.line_no is not None else None,
        "Account": j.account,
        "Role": j.role,
        "Debit": j.debit or None,
        "Credit": j.credit or None,
        "Kind": j.kind or "",
        "Memo": j.memo,
    },
)
