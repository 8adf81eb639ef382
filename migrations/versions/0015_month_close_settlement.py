"""month close, co-op invoices, settlement, disputes, vendor actuals (issue 15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

SPEC §13, §14. New tables, all append-only (UPDATE and DELETE refused by triggers; on
PostgreSQL the group roles get SELECT and INSERT only, and who wrote a row is stamped by the
database): month_close and vendor_close (a month closed in full; one vendor's part of it),
coop_invoice and invoice_line (the REBATE_RECEIVABLE journal lines an invoice holds: the
primary key is the journal line, so none is on two invoices), settlement and settlement_line
(cheques, credit notes, write-offs, dispute credits and what they apply to invoices),
dispute and dispute_resolution, vendor_actual and actual_decision, document (attachments).
New columns: company.remit_to, write_off_tolerance (5.00), dispute_window_days (60);
agreement_line.expected_volume (accrual at the expected tier). The company's trail triggers
are made again so that they record the new columns.

Downgrade drops the tables and columns (their contents with them).
"""
from alembic import op
import sqlalchemy as sa

import app.adapters.types
from app.adapters import guards, roles, trail


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STAMPED = {
    "month_close": "closed_by",
    "vendor_close": "closed_by",
    "coop_invoice": "created_by",
    "settlement": "created_by",
    "dispute": "created_by",
    "dispute_resolution": "created_by",
    "vendor_actual": "created_by",
    "actual_decision": "created_by",
    "document": "created_by",
}
APPEND_ONLY = (*STAMPED, "invoice_line", "settlement_line")


def upgrade() -> None:
    conn = op.get_bind()
    prefix = roles.stored_prefix(conn)
    if prefix:  # as the owner (see migration 0014)
        roles.act_as_owner(conn, prefix)
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_owner', ['owner', 'owner_id'], unique=False)

    op.create_table('month_close',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('closed_by', sa.String(length=60), nullable=False),
    sa.Column('closed_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_month_close'))
    )
    op.create_table('coop_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_no', sa.String(length=40), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('agreement_no', sa.String(length=20), nullable=True),
    sa.Column('kind', sa.String(length=20).with_variant(sa.String(length=10), 'sqlite'), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_coop_invoice_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coop_invoice')),
    sa.UniqueConstraint('invoice_no', name=op.f('uq_coop_invoice_invoice_no'))
    )
    with op.batch_alter_table('coop_invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coop_invoice_invoice_date'), ['invoice_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_coop_invoice_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_coop_invoice_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('settle_date', sa.Date(), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_settlement_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement'))
    )
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('vendor_close',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('closed_by', sa.String(length=60), nullable=False),
    sa.Column('closed_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_vendor_close_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('month', 'vendor_id', name=op.f('pk_vendor_close'))
    )
    op.create_table('dispute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_no', sa.String(length=20), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('filed_date', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['coop_invoice.id'], name=op.f('fk_dispute_invoice_id_coop_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute')),
    sa.UniqueConstraint('dispute_no', name=op.f('uq_dispute_dispute_no'))
    )
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('settlement_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['coop_invoice.id'], name=op.f('fk_settlement_line_invoice_id_coop_invoice')),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlement.id'], name=op.f('fk_settlement_line_settlement_id_settlement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_line'))
    )
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_line_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_line_settlement_id'), ['settlement_id'], unique=False)

    op.create_table('vendor_actual',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted_date', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_vendor_actual_agreement_id_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_actual'))
    )
    with op.batch_alter_table('vendor_actual', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_actual_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_vendor_actual_agreement_month', ['agreement_id', 'month'], unique=False)

    op.create_table('actual_decision',
    sa.Column('actual_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_date', sa.Date(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actual_id'], ['vendor_actual.id'], name=op.f('fk_actual_decision_actual_id_vendor_actual')),
    sa.PrimaryKeyConstraint('actual_id', name=op.f('pk_actual_decision'))
    )
    op.create_table('dispute_resolution',
    sa.Column('dispute_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('amount', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('resolved_date', sa.Date(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', app.adapters.types.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['dispute.id'], name=op.f('fk_dispute_resolution_dispute_id_dispute')),
    sa.PrimaryKeyConstraint('dispute_id', name=op.f('pk_dispute_resolution'))
    )
    op.create_table('invoice_line',
    sa.Column('journal_line_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=True),
    sa.Column('rate', app.adapters.types.ScaledDecimal(4, 9), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['coop_invoice.id'], name=op.f('fk_invoice_line_invoice_id_coop_invoice')),
    sa.ForeignKeyConstraint(['journal_line_id'], ['journal_line.id'], name=op.f('fk_invoice_line_journal_line_id_journal_line')),
    sa.PrimaryKeyConstraint('journal_line_id', name=op.f('pk_invoice_line'))
    )
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_line_invoice_id'), ['invoice_id'], unique=False)

    # Added columns with ALTER TABLE ADD COLUMN, never a batch (see migration 0014).
    op.add_column("agreement_line", sa.Column("expected_volume", app.adapters.types.ScaledDecimal(2, 19), nullable=True))
    op.add_column("company", sa.Column("remit_to", sa.Text(), nullable=False, server_default=""))
    five = "500" if conn.dialect.name == "sqlite" else "5.00"  # SQLite keeps money as cents (ScaledDecimal)
    op.add_column(
        "company",
        sa.Column("write_off_tolerance", app.adapters.types.ScaledDecimal(2, 18), nullable=False, server_default=five),
    )
    op.add_column("company", sa.Column("dispute_window_days", sa.Integer(), nullable=False, server_default="60"))
    trail.drop_triggers(conn, "company")
    trail.create_triggers(conn, "company", ())
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
    trail.drop_triggers(conn, "company")
    for table, column in (
        ("company", "dispute_window_days"),
        ("company", "write_off_tolerance"),
        ("company", "remit_to"),
        ("agreement_line", "expected_volume"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    trail.create_triggers(conn, "company", ())
    for table in (
        "invoice_line",
        "dispute_resolution",
        "actual_decision",
        "vendor_actual",
        "settlement_line",
        "dispute",
        "vendor_close",
        "settlement",
        "coop_invoice",
        "month_close",
        "document",
    ):
        op.drop_table(table)
