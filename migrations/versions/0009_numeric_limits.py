"""running totals hold what SQLite holds

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

A ladder's volume (ladder_volume.volume) and a product's received quantity and net
(product.received_qty, received_net) are running totals: they grow with every posted
line. On PostgreSQL they were NUMERIC(18, s) like the single values, so two slips that
SQLite posted (1,200 lines of almost 10^13 dollars) overflowed a ladder's volume there.
They become NUMERIC(19, s): 19 digits hold every 64-bit integer, which is what SQLite
stores, so both databases hold the same totals, and app.domain.limits keeps every
accepted input far inside them. Widening a NUMERIC's precision with the same scale
rewrites nothing on PostgreSQL. SQLite stores scaled 64-bit integers already: nothing
to change there.

Downgrade narrows them back; it fails (and changes nothing) if a total no longer fits
NUMERIC(18, s), which the older program could not have stored either.
"""
from alembic import op
import app.adapters.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COLUMNS = (('ladder_volume', 'volume', 2), ('product', 'received_qty', 4), ('product', 'received_net', 2))


def _precision(digits: int) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, column, scale in COLUMNS:
        op.alter_column(table, column, type_=app.adapters.types.ScaledDecimal(scale, digits),
                        existing_type=app.adapters.types.ScaledDecimal(scale, 18 if digits == 19 else 19),
                        existing_nullable=False)


def upgrade() -> None:
    _precision(19)


def downgrade() -> None:
    _precision(18)
