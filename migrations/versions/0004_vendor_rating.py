"""vendor rating fingerprints

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

What each vendor's posted accruals were last computed against, so a re-rate of an
unchanged state recomputes nothing. Empty after the upgrade: the next re-rate computes
every vendor once.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vendor_rating',
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_vendor_rating_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('vendor_id', name=op.f('pk_vendor_rating'))
    )


def downgrade() -> None:
    op.drop_table('vendor_rating')
