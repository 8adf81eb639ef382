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


def accountant(url: str, ctx: AppContext) -> tuple[AppContext, AppContext]:
    """(the setup context: the superuser acting as the administrator, the accountant's context).
    `ctx` is the superuser's context on the database at `url`; on SQLite both are `ctx`."""
    if ctx.engine.dialect.name != "postgresql":
        return ctx, ctx
    with ctx.uow() as uow:
        security.save_user(uow, ADMIN, "ADMIN", "bench administrator")  # the first user
    admin = AppContext(ctx.engine, ADMIN)
    password = secrets.token_urlsafe(18)  # trust or password authentication alike
    with admin.uow() as uow:
        security.save_user(uow, ACCOUNTANT, "ACCOUNTANT", "bench accountant", password=password)
    login = make_url(url).set(username=ACCOUNTANT, password=password).render_as_string(hide_password=False)
    return admin, AppContext.open(login, upgrade=False)
