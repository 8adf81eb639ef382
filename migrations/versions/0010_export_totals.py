"""journal export totals hold what SQLite holds

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A numbered export records the debit and credit totals of the lines it carries
(journal_export.total_debit, total_credit). They are sums over the journal, like the
running totals of 0009, but were NUMERIC(18, 2) on PostgreSQL: the first `--new` export
of a journal whose lines add up to 10^16 dollars or more (lines an older version
accepted, of up to 10^13 each) failed there with a driver error, and every later one
with it, while SQLite recorded it. They become NUMERIC(19, 2), the width of SQLite's
64-bit integers; an export beyond even that is refused with a message
(app.services.journal_exports). SQLite: nothing to change.

Downgrade narrows them back; it fails (and changes nothing) if a total no longer fits.
"""
from alembic import op
import app.adapters.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = ('total_debit', 'total_credit')


def _precision(digits: int) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for column in COLUMNS:
        op.alter_column('journal_export', column, type_=app.adapters.types.ScaledDecimal(2, digits),
                        existing_type=app.adapters.types.ScaledDecimal(2, 18 if digits == 19 else 19),
                        existing_nullable=False)


def upgrade() -> None:
    _precision(19)


def downgrade() -> None:
    _precision(18)
