"""Who may open a database, checked before anything else is done on it: before a migration,
before a command or the main window's first screen (issue 13).

- A database without users (a new, empty one, or one from before users) is in single-user
  mode: whoever opens it is its administrator. That is how a database starts: its first
  `coop db upgrade` (or the program's first start) creates the schema, and that person then
  adds the first user, an administrator (app.services.security.save_user).
- Once it has users, only an active user may open it: an unknown or disabled user is refused
  at once, and nothing is read or written for them.
- Only an administrator creates or migrates the schema: `coop db upgrade`, and the automatic
  upgrade when a program opens a database older than itself.

On PostgreSQL the user is the database login (app.services.context.identify), and a login
that has no role in the database cannot read its users: it is refused as not a user.

The users are read as stored (app.adapters.db.stored_user), whatever the schema's revision.
The services check each call's permission as well (app.services.security.require)."""

from __future__ import annotations

from sqlalchemy import Engine

from app.adapters import db
from app.domain.vocabulary import ROLE_NAMES, Role

from .errors import PermissionDenied

MIGRATE = "upgrade the database schema"


def admit(engine: Engine, login: str, *, upgrading: bool, administering: bool = False) -> None:
    """Refuses (PermissionDenied, naming the user) an unknown or disabled user of a database
    that has users, and a user who is not an administrator when the schema is to be created
    or migrated (`upgrading` and it is not at this program's head) or when `administering`
    (the administrators' `coop db upgrade`)."""
    users, standing = db.stored_user(engine, login)
    if users == 0:
        return  # single-user mode
    if standing is None:
        raise PermissionDenied(f"{login} is not a user of this database; ask an administrator to add you")
    role, active = standing
    if not active:
        raise PermissionDenied(f"{login} is a disabled user of this database; ask an administrator to enable you")
    if role == Role.ADMIN:
        return
    older = upgrading and db.needs_upgrade(engine)
    if administering or older:
        shown = ROLE_NAMES[Role(role)] if role in Role.__members__ else role
        why = "the database is older than this program and " if older else ""
        raise PermissionDenied(
            f"{why}{login} ({shown}) may not {MIGRATE}; ask an administrator to run `coop db upgrade`"
        )
