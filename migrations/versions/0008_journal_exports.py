"""numbered journal exports, posting time and agreement number of journal lines

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

A monthly export by entry date misses a back-dated slip posted after its month was
exported (SPEC §9). `coop export journal --new` exports every line no export carried
yet and records the export: journal_export (one row per numbered export) and
journal_export_line (the export of each exported line; the line is the primary key, so
no line is in two exports). Both are append-only like the journal.

journal_entry.created_at (the posting's stamp, exported as posted_at) gets an index for
--posted-from/--posted-to. journal_line.agreement_no names the agreement an ACCRUAL,
RETRO or RERATE line accrues under; posting fills it from now on. Lines posted before
this revision get the agreement their receipt line accrues under at the upgrade (from
line_accrual): the one they were posted under, except for a line re-rated from one
agreement to another before the upgrade, whose earlier lines name the later agreement;
lines whose accrual was ended stay empty. The journal is append-only: its update
trigger is lifted for this one statement.

Downgrade drops the tables, the index and the column.
"""
from alembic import op
import sqlalchemy as sa
import app.adapters.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

EXPORT_TABLES = ("journal_export", "journal_export_line")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _append_only(table: str) -> None:
    """The append-only triggers of 0001 on a new table."""
    if _sqlite():
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        return
    op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
               "FOR EACH ROW EXECUTE FUNCTION coop_append_only()")


def _drop_append_only(table: str) -> None:
    if _sqlite():
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


def _backfill_agreement_numbers() -> None:
    fill = """
        UPDATE journal_line SET agreement_no = found.number
        FROM (SELECT la.receipt_line_id, la.kind, a.number
              FROM line_accrual la JOIN agreement a ON a.id = la.agreement_id) AS found
        WHERE found.receipt_line_id = journal_line.receipt_line_id AND found.kind = journal_line.kind
    """
    if _sqlite():
        op.execute("DROP TRIGGER journal_line_no_update")
        op.execute(fill)
        op.execute("CREATE TRIGGER journal_line_no_update BEFORE UPDATE ON journal_line "
                   "BEGIN SELECT RAISE(ABORT, 'journal_line is append-only'); END")
        return
    op.execute("ALTER TABLE journal_line DISABLE TRIGGER journal_line_append_only")
    op.execute(fill)
    op.execute("ALTER TABLE journal_line ENABLE TRIGGER journal_line_append_only")


def upgrade() -> None:
    op.create_table('journal_export',
    sa.Column('export_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('exported_by', sa.String(length=60), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_debit', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('total_credit', app.adapters.types.ScaledDecimal(2, 18), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('export_no', name=op.f('pk_journal_export'))
    )
    op.create_table('journal_export_line',
    sa.Column('line_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('export_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['export_no'], ['journal_export.export_no'],
                            name=op.f('fk_journal_export_line_export_no_journal_export')),
    sa.ForeignKeyConstraint(['line_id'], ['journal_line.id'], name=op.f('fk_journal_export_line_line_id_journal_line')),
    sa.PrimaryKeyConstraint('line_id', name=op.f('pk_journal_export_line'))
    )
    op.create_index(op.f('ix_journal_export_line_export_no'), 'journal_export_line', ['export_no'], unique=False)
    op.create_index(op.f('ix_journal_entry_created_at'), 'journal_entry', ['created_at'], unique=False)
    op.add_column('journal_line', sa.Column('agreement_no', sa.String(length=20), nullable=True))
    _backfill_agreement_numbers()
    for table in EXPORT_TABLES:
        _append_only(table)


def downgrade() -> None:
    for table in EXPORT_TABLES:
        _drop_append_only(table)
    op.drop_column('journal_line', 'agreement_no')
    op.drop_index(op.f('ix_journal_entry_created_at'), table_name='journal_entry')
    op.drop_index(op.f('ix_journal_export_line_export_no'), table_name='journal_export_line')
    op.drop_table('journal_export_line')
    op.drop_table('journal_export')
