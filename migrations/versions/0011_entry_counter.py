"""gap-free journal entry numbers: a counter row instead of a sequence

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Accountants expect continuous entry numbers. On PostgreSQL the entries took their ids from
the table's sequence, which hands out values outside the transaction: a posting rolled back
or killed mid-way consumed them, and the next posting's entries started thousands higher.
number_series holds the next number of each numbered series in one row, taken inside the
posting transaction with `UPDATE … SET next_value = next_value + n RETURNING next_value`
(app.adapters.bulk.BulkWriter.next_ids): the row stays locked until the transaction ends, so
numbers are handed out in commit order and a rollback gives them back. The series
`journal_entry` starts at max(journal_entry.id) + 1. The id column's own default stays; the
program does not use it.

Downgrade drops the table (entries keep their numbers; the sequence is moved past them so
an older program goes on without a collision).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'number_series',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('next_value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_number_series')),
    )
    op.execute(
        "INSERT INTO number_series (name, next_value) "
        "SELECT 'journal_entry', coalesce(max(id), 0) + 1 FROM journal_entry"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM journal_entry), false)"
        )
    op.drop_table('number_series')
