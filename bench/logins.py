"""PostgreSQL: the bench posts and re-rates as an accountant's own login, made the way the
README's server section says (the superuser adds the first administrator, the administrator
adds the accountant with a password), so that it measures under the accountant's privileges
and the database's triggers. SQLite has no logins: the bench works in single-user mode there."""

from __future__ import annotations

import secrets

from sqlalchemy.engine import make_url

from app.services import security
from app.services.context import AppContext

ADMIN = "coop_bench_admin"
ACCOUNTANT = "coop_bench_accountant"
MANAGER = "coop_bench_manager"  # accepts agreements (bench/lifecycle.py): the right to accept is a manager's


def accountant(url: str, ctx: AppContext) -> tuple[AppContext, AppContext]:
    """(the setup context: the superuser acting as the administrator, the accountant's context).
    `ctx` is the superuser's context on the database at `url`; on SQLite both are `ctx`."""
    if ctx.engine.dialect.name != "postgresql":
        return ctx, ctx
    with ctx.uow() as uow:
        security.save_user(uow, ADMIN, "ADMIN", "bench administrator")  # the first user
    admin = AppContext(ctx.engine, ADMIN)
    return admin, user(url, admin, ACCOUNTANT, "ACCOUNTANT")


def user(url: str, admin: AppContext, login: str, role: str) -> AppContext:
    """PostgreSQL: the administrator adds (or updates) `login` with `role` and a new random
    password (trust or password authentication alike); the context of that login."""
    password = secrets.token_urlsafe(18)
    with admin.uow() as uow:
        security.save_user(uow, login, role, f"bench {role.lower()}", password=password)
    url = make_url(url).set(username=login, password=password).render_as_string(hide_password=False)
    return AppContext.open(url, upgrade=False)
