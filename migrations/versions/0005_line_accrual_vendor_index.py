"""drop the line_accrual vendor index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Posting a day's receiving inserted one entry per vendor and kind into
ix_line_accrual_vendor: a page of the index rewritten per vendor in every posting
transaction. A vendor's accrual rows are now found through its receipt lines
(line_accrual's primary key starts with receipt_line_id), so the index goes.
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_line_accrual_vendor', table_name='line_accrual')


def downgrade() -> None:
    op.create_index('ix_line_accrual_vendor', 'line_accrual', ['vendor_id', 'kind'], unique=False)
