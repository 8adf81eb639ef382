"""database roles: an owner role owns the schema, each application role has only its daily privileges

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

PostgreSQL (issue 13; SQLite: only the empty db_security table). The migrating role must be a
superuser or have CREATEROLE (the database superuser's first `coop db upgrade`); else this
fails and says what to run. Roles belong to the whole cluster, so their names start with a
prefix stored in db_security (copied with the database): `coop_<database>` when the database
is secured, or the `coop.role_prefix` setting when one is given (a restore keeps the prefix of
the database restored into). Created when missing: `<prefix>_owner` (NOLOGIN, CREATEROLE) and
the NOLOGIN group roles `<prefix>_clerk`, `_manager`, `_accountant`, `_admin` (the last a
NOINHERIT member of the owner). Every table, sequence and function is given to the owner; each
group gets its privileges (app.adapters.roles); CONNECT on the database and USAGE on the
schema are taken from PUBLIC (CONNECT only when the migrating role may: a superuser or the
database's owner). Existing users get login roles named as them, members of their role's group.
Who wrote a journal entry, a history row, an export or an audit trail row is set by the
database: the login acting (app.adapters.guards).

Downgrade gives the objects back to the login that runs it (a superuser), takes the grants
back and gives PUBLIC its defaults again; the roles stay (other databases may use them).
"""
from alembic import op
import sqlalchemy as sa

from app.adapters import guards, roles, trail


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

REFUSED = (
    "Securing the database needs a PostgreSQL role that may create roles: run `coop db upgrade` "
    "once as the database superuser (for example `coop --db postgresql://postgres@HOST/DB db upgrade`), "
    "or as a login with CREATEROLE"
)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql" and not roles.may_create_roles(conn):
        raise RuntimeError(REFUSED)  # before anything: the database stays at 0012
    op.create_table(
        'db_security',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('role_prefix', sa.String(length=52), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_db_security')),
    )
    if conn.dialect.name != "postgresql":
        return
    given = conn.exec_driver_sql("SELECT current_setting('coop.role_prefix', true)").scalar()
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    prefix = given or roles.default_prefix(database)
    conn.execute(sa.text("INSERT INTO db_security (id, role_prefix) VALUES (1, :p)"), {"p": prefix})
    roles.create_roles(conn, prefix)
    guards.create(conn)
    trail.create_function(conn, f"{roles.DB_USER}()")
    roles.transfer_ownership(conn, roles.owner_role(prefix))
    roles.apply_grants(conn, prefix)
    if roles.owns_database(conn):
        roles.grant_database(conn, prefix)
    users = conn.exec_driver_sql("SELECT login, role, active FROM app_user ORDER BY login").all()
    roles.map_users(conn, prefix, [(str(u), str(r), bool(a)) for u, r, a in users])


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT set_config('role', 'none', true)")  # the login itself, not the owner
        prefix = conn.exec_driver_sql("SELECT role_prefix FROM db_security WHERE id = 1").scalar()
        login = conn.exec_driver_sql("SELECT session_user").scalar_one()
        guards.drop(conn)
        trail.create_function(conn)  # session_user again
        roles.transfer_ownership(conn, login)
        if prefix:
            roles.revoke_grants(conn, prefix, database=roles.owns_database(conn))
    op.drop_table('db_security')
