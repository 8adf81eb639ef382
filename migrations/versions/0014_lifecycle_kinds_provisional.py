"""agreement lifecycle, further kinds, provisional rates and waivers, price changes (issue 14)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

SPEC §11, §12, §18. New tables: terms_template (the company's terms and conditions per kind),
provisional_rate and waiver (what a receipt line no accepted ladder covers earns), price_change
(a vendor's price changes and the price-protection claims they made; append-only). New
columns: on agreement who decided it and when, its terms, header (description, the vendor's
contract reference, validity dates), a lump sum's amount and method, actuals required; on
vendor the billing address, e-mail, default settlement method and terms days; on product the
vendor's item code. Kind and source columns widen to 20 characters (PRICE_PROTECTION) on
PostgreSQL; SQLite does not enforce a VARCHAR's length, and rewriting its journal tables to
change a declaration would be a copy of the whole journal, so they keep theirs there.

The new settings tables join the audit trail (migration 0012); vendor's and product's trail
triggers are made again so that they record the new columns. On PostgreSQL the group roles get
their privileges on the new tables (app.adapters.roles; price_change: SELECT and INSERT only).

Downgrade drops the tables and columns (their contents with them).
"""

from alembic import op
import sqlalchemy as sa

import app.adapters.types
from app.adapters import guards, roles, trail


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

AUDITED = {"terms_template": (), "provisional_rate": (), "waiver": ()}
RECORDED_AGAIN = {"vendor": (), "product": ("received_qty", "received_net")}  # as migration 0012
ADDED = {
    "vendor": ("terms_days", "default_method", "email", "billing_address"),
    "product": ("vendor_item_code",),
    "agreement": (
        "actuals_required",
        "method",
        "amount",
        "end_date",
        "start_date",
        "vendor_ref",
        "description",
        "terms",
        "decided_at",
        "decided_by",
    ),
}
WIDENED = (
    ("agreement", "kind", False),
    ("journal_entry", "source", False),
    ("journal_line", "kind", True),
    ("line_accrual", "kind", False),
)


def upgrade() -> None:
    conn = op.get_bind()
    prefix = roles.stored_prefix(conn)
    if prefix:  # as the owner, whatever role ran 0013 in this transaction: what is made here is its
        roles.act_as_owner(conn, prefix)
    op.create_table(
        "terms_template",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_terms_template")),
    )
    op.create_table(
        "provisional_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("cat1", sa.String(length=40), nullable=False),
        sa.Column("rate", app.adapters.types.ScaledDecimal(4, 9), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provisional_rate")),
    )
    op.create_table(
        "waiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"], name=op.f("fk_waiver_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiver")),
    )
    with op.batch_alter_table("waiver", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waiver_vendor_id"), ["vendor_id"], unique=False)
    op.create_table(
        "price_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("old_unit_cost", app.adapters.types.ScaledDecimal(4, 18), nullable=False),
        sa.Column("new_unit_cost", app.adapters.types.ScaledDecimal(4, 18), nullable=False),
        sa.Column("on_hand", app.adapters.types.ScaledDecimal(4, 18), nullable=False),
        sa.Column("claim", app.adapters.types.ScaledDecimal(2, 18), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", app.adapters.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_price_change_product_id_product")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_change")),
    )
    with op.batch_alter_table("price_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_change_product_id"), ["product_id"], unique=False)

    # Added columns only, with ALTER TABLE ADD COLUMN: never a batch here, which on SQLite copies the
    # table and drops the old one (agreement's lines would go with it: ON DELETE CASCADE).
    op.add_column("agreement", sa.Column("decided_by", sa.String(length=60), nullable=True))
    op.add_column("agreement", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("agreement", sa.Column("terms", sa.Text(), nullable=False, server_default=""))
    op.add_column("agreement", sa.Column("description", sa.String(length=200), nullable=False, server_default=""))
    op.add_column("agreement", sa.Column("vendor_ref", sa.String(length=60), nullable=False, server_default=""))
    op.add_column("agreement", sa.Column("start_date", sa.Date(), nullable=True))
    op.add_column("agreement", sa.Column("end_date", sa.Date(), nullable=True))
    op.add_column("agreement", sa.Column("amount", app.adapters.types.ScaledDecimal(2, 18), nullable=True))
    op.add_column("agreement", sa.Column("method", sa.String(length=2), nullable=True))
    op.add_column("agreement", sa.Column("actuals_required", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("product", sa.Column("vendor_item_code", sa.String(length=40), nullable=True))
    op.add_column("vendor", sa.Column("billing_address", sa.Text(), nullable=False, server_default=""))
    op.add_column("vendor", sa.Column("email", sa.String(length=120), nullable=False, server_default=""))
    op.add_column("vendor", sa.Column("default_method", sa.String(length=2), nullable=False, server_default="CD"))
    op.add_column("vendor", sa.Column("terms_days", sa.Integer(), nullable=False, server_default="30"))
    # Agreements made before keep NULL header dates and no recorded decision (their history has it).
    if conn.dialect.name == "postgresql":
        for table, column, nullable in WIDENED:
            op.alter_column(
                table,
                column,
                type_=sa.String(length=20),
                existing_type=sa.String(length=10),
                existing_nullable=nullable,
            )
    for table, ignored in RECORDED_AGAIN.items():
        trail.drop_triggers(conn, table)
        trail.create_triggers(conn, table, ignored)
    for table, ignored in AUDITED.items():
        trail.create_triggers(conn, table, ignored)
    _append_only("price_change")
    if prefix:
        guards.create_stamp(conn, "price_change", "created_by")
        roles.apply_grants(conn, prefix)


def _append_only(table: str) -> None:
    """As migration 0001's journal tables: UPDATE and DELETE refused."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    else:  # coop_append_only() is migration 0001's
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION coop_append_only()"
        )


def downgrade() -> None:
    conn = op.get_bind()
    for table in AUDITED:
        trail.drop_triggers(conn, table)
    if conn.dialect.name == "postgresql":
        guards.drop_stamp(conn, "price_change")
        for table, column, nullable in WIDENED:
            op.alter_column(
                table,
                column,
                type_=sa.String(length=10),
                existing_type=sa.String(length=20),
                existing_nullable=nullable,
            )
    for table in RECORDED_AGAIN:  # they name the columns going
        trail.drop_triggers(conn, table)
    for table, columns in ADDED.items():
        for column in columns:  # ALTER TABLE DROP COLUMN (SQLite 3.35): no copy, no cascade
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for table, ignored in RECORDED_AGAIN.items():
        trail.create_triggers(conn, table, ignored)
    op.drop_table("price_change")
    op.drop_table("waiver")
    op.drop_table("provisional_rate")
    op.drop_table("terms_template")
