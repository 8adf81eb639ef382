"""payables: vendor invoices and their matching, payment runs, provisions (issue 16)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

SPEC §15, §16. New tables, all append-only (UPDATE and DELETE refused by triggers; on
PostgreSQL the group roles get SELECT and INSERT only, and who wrote a row is stamped by the
database): vendor_invoice (unique number per vendor) and vendor_invoice_line (as given and as
matched to a receiving line, or the defect that holds it), invoice_resolution (how a flagged
line was resolved), payment_run, payment_run_vendor (what a run paid a vendor) and
payment_run_line (the vendor invoice lines paid, each once; the co-op invoices deducted; the
provisions held), provision (placed and reversed provisions for receivables).

Downgrade drops the tables (their contents with them).
"""
from alembic import op
import sqlalchemy as sa

import app.adapters.types
from app.adapters import guards, roles


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STAMPED = {
    "vendor_invoice": "created_by",
    "invoice_resolution": "created_by",
    "payment_run": "created_by",
    "provision": "created_by",
}
APPEND_ONLY = (*STAMPED, "vendor_invoice_line", "payment_run_vendor", "payment_run_line")
TABLES = (  # in the order they can be dropped
    "invoice_resolution",
    "payment_run_line",
    "vendor_invoice_line",
    "vendor_invoice",
    "provision",
    "payment_run_vendor",
    "payment_run",
)


def upgrade() -> None:
    conn = op.get_bind()
    prefix = roles.stored_prefix(conn)
    if prefix:  # as the owner (see migration 0014)
        roles.act_as_owner(conn, prefix)
    op.create_table('payment_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_run'))
    )
    with op.batch_alter_table('payment_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_run_run_date'), ['run_date'], unique=False)

    op.create_table('payment_run_vendor',
    sa.Column('run_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('gross', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('deductions', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('provision', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('net', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['payment_run.id'], name=op.f('fk_payment_run_vendor_run_id_payment_run')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_payment_run_vendor_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('run_id', 'vendor_id', name=op.f('pk_payment_run_vendor'))
    )
    op.create_table('provision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_provision_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provision')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_provision_reverses_id'))
    )
    with op.batch_alter_table('provision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provision_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('vendor_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('invoice_no', sa.String(length=40), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_vendor_invoice_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_invoice')),
    sa.UniqueConstraint('vendor_id', 'invoice_no', name=op.f('uq_vendor_invoice_vendor_id_invoice_no'))
    )
    with op.batch_alter_table('vendor_invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_invoice_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_invoice_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('vendor_invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_invoice_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('slip_no', sa.String(length=30), nullable=False),
    sa.Column('slip_line_no', sa.Integer(), nullable=True),
    sa.Column('receipt_line_id', sa.Integer(), nullable=True),
    sa.Column('product_code', sa.String(length=40), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('quantity', app.adapters.types.ScaledDecimal(4, 18), nullable=False),
    sa.Column('unit_cost', app.adapters.types.ScaledDecimal(4, 18), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('received_value', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('defect', sa.String(length=30), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_vendor_invoice_line_product_id_product')),
    sa.ForeignKeyConstraint(['receipt_line_id'], ['receipt_line.id'], name=op.f('fk_vendor_invoice_line_receipt_line_id_receipt_line')),
    sa.ForeignKeyConstraint(['vendor_invoice_id'], ['vendor_invoice.id'], name=op.f('fk_vendor_invoice_line_vendor_invoice_id_vendor_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_invoice_line'))
    )
    with op.batch_alter_table('vendor_invoice_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_invoice_line_receipt_line_id'), ['receipt_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_invoice_line_vendor_invoice_id'), ['vendor_invoice_id'], unique=False)

    op.create_table('invoice_resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_invoice_line_id', sa.Integer(), nullable=False),
    sa.Column('resolution', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_invoice_line_id'], ['vendor_invoice_line.id'], name=op.f('fk_invoice_resolution_vendor_invoice_line_id_vendor_invoice_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_resolution'))
    )
    with op.batch_alter_table('invoice_resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_resolution_vendor_invoice_line_id'), ['vendor_invoice_line_id'], unique=False)

    op.create_table('payment_run_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('vendor_invoice_id', sa.Integer(), nullable=True),
    sa.Column('vendor_invoice_line_id', sa.Integer(), nullable=True),
    sa.Column('coop_invoice_id', sa.Integer(), nullable=True),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('provision_id', sa.Integer(), nullable=True),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.ForeignKeyConstraint(['coop_invoice_id'], ['coop_invoice.id'], name=op.f('fk_payment_run_line_coop_invoice_id_coop_invoice')),
    sa.ForeignKeyConstraint(['run_id'], ['payment_run.id'], name=op.f('fk_payment_run_line_run_id_payment_run')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_payment_run_line_vendor_id_vendor')),
    sa.ForeignKeyConstraint(['vendor_invoice_id'], ['vendor_invoice.id'], name=op.f('fk_payment_run_line_vendor_invoice_id_vendor_invoice')),
    sa.ForeignKeyConstraint(['vendor_invoice_line_id'], ['vendor_invoice_line.id'], name=op.f('fk_payment_run_line_vendor_invoice_line_id_vendor_invoice_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_run_line')),
    sa.UniqueConstraint('vendor_invoice_line_id', name=op.f('uq_payment_run_line_vendor_invoice_line_id'))
    )
    with op.batch_alter_table('payment_run_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_run_line_coop_invoice_id'), ['coop_invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_run_line_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_run_line_vendor_invoice_id'), ['vendor_invoice_id'], unique=False)

    for table in APPEND_ONLY:
        guards.create_append_only(conn, table)
    if prefix:
        for table, column in STAMPED.items():
            guards.create_stamp(conn, table, column)
        roles.apply_grants(conn, prefix)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table in STAMPED:
            guards.drop_stamp(conn, table)
    for table in TABLES:
        op.drop_table(table)
