"""audit trail: every change to master data, users, GL setup and settings, recorded by triggers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

audit_trail holds one row per row inserted, updated or deleted in an audited table: when, the
database login (PostgreSQL's session_user; NULL on SQLite), the application user the program
named for the transaction, the table, the action, the record's key and the row before and
after as JSON. Row triggers write it (app.adapters.trail), so changes made behind the program
are recorded too; an UPDATE that changes no recorded column writes nothing. Like the journal,
audit_trail is append-only: triggers refuse UPDATE and DELETE. audit_context is the one-row
table SQLite's triggers read the application user from (unused on PostgreSQL).

A table joins the trail by being listed in AUDITED (with the columns not recorded: derived
running totals, which posting updates and which the journal records); a later migration adds
one with app.adapters.trail.create_triggers. The trail starts empty: rows already there are
not recorded until they change.

Downgrade drops the triggers and both tables (the recorded changes with them).
"""
from alembic import op
import sqlalchemy as sa

import app.adapters.types
from app.adapters import trail


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

AUDITED = {
    "company": (),  # the settings: name, currency, address
    "category": (),
    "vendor": (),
    "product": ("received_qty", "received_net"),  # running totals of what was received
    "gl_account": (),
    "gl_reference": (),
    "app_user": (),  # users and their roles
}


def upgrade() -> None:
    op.create_table(
        'audit_trail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('changed_at', app.adapters.types.UtcDateTime(), nullable=False),
        sa.Column('db_user', sa.String(length=64), nullable=True),
        sa.Column('app_user', sa.String(length=60), nullable=True),
        sa.Column('table_name', sa.String(length=40), nullable=False),
        sa.Column('action', sa.String(length=6), nullable=False),
        sa.Column('record_key', sa.Text(), nullable=False),
        sa.Column('old_values', sa.Text(), nullable=True),
        sa.Column('new_values', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_trail')),
    )
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_trail_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_trail_table_name'), ['table_name'], unique=False)
    op.create_table(
        'audit_context',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('app_user', sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_context')),
    )
    op.execute("INSERT INTO audit_context (id, app_user) VALUES (1, NULL)")

    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER audit_trail_no_{action} BEFORE {action.upper()} ON audit_trail "
                "BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END"
            )
    else:  # coop_append_only() is migration 0001's
        op.execute(
            "CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail "
            "FOR EACH ROW EXECUTE FUNCTION coop_append_only()"
        )
    trail.create_function(conn)
    for table, ignored in AUDITED.items():
        trail.create_triggers(conn, table, ignored)


def downgrade() -> None:
    conn = op.get_bind()
    for table in AUDITED:
        trail.drop_triggers(conn, table)
    trail.drop_function(conn)
    if conn.dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_trail_no_{action}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_trail_append_only ON audit_trail")
    op.drop_table('audit_context')
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_trail_table_name'))
        batch_op.drop_index(batch_op.f('ix_audit_trail_changed_at'))
    op.drop_table('audit_trail')
