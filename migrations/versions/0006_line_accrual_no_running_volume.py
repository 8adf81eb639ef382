"""line_accrual without the running volume

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

line_accrual.volume_after held the ladder volume after each line. A back-dated slip
shifts that volume for every later line of its ladders, so posting it rewrote every
later row (100,000 for a big ladder) although only the lines whose rounded cents or
tier move need a RERATE entry. The volume after a line is the running sum of the
ladder's amounts in posting order (per period bucket), so it is derived where it is
shown (queries.ladder_lines, a window sum) instead of stored.

Downgrade adds the column back and fills it with that same running sum.
"""
from alembic import op
import sqlalchemy as sa
import app.adapters.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column('line_accrual', 'volume_after')


def downgrade() -> None:
    op.add_column('line_accrual', sa.Column('volume_after', app.adapters.types.ScaledDecimal(2, 18), nullable=False,
                                            server_default='0'))
    # Money is stored as scaled integers on SQLite and numeric on PostgreSQL: a sum of the
    # stored values is the stored value of the sum on both.
    op.execute("""
        UPDATE line_accrual SET volume_after = running.volume
        FROM (SELECT receipt_line_id, kind,
                     sum(amount) OVER (PARTITION BY ladder_key, period_key
                                       ORDER BY received_date, slip_no, line_no) AS volume
              FROM line_accrual) AS running
        WHERE running.receipt_line_id = line_accrual.receipt_line_id AND running.kind = line_accrual.kind
    """)
