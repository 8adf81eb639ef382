"""The application context (made once at start-up) and the unit of work."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.adapters import db, roles, trail
from app.adapters.backup import backup_before_upgrade

from .admission import admit
from .errors import PermissionDenied


def claimed_user() -> str | None:
    """The user named in the environment (COOP_USER), if any."""
    return os.environ.get("COOP_USER") or None


def os_user() -> str:
    try:
        return claimed_user() or getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


def identify(login: roles.Login | None, user: str | None) -> str:
    """The application user. A file database (no login): `user`, else the operating-system
    login (or COOP_USER). A server database: its login; naming another user (--user,
    COOP_USER) is refused, but for a superuser login, which may act as any user (it may do
    anything in the database anyway; tests and setting up)."""
    if login is None:
        return user or os_user()
    named = user or claimed_user() or login.name
    if named != login.name and not login.superuser:
        raise PermissionDenied(
            f"you are logged in to the database as {login.name} and may not act as {named}: "
            f"the user is the database login (drop --user and COOP_USER, or log in as {named})"
        )
    return named


@dataclass
class AppContext:
    engine: Engine
    user: str = field(default_factory=os_user)
    named: str | None = None  # the user as named when opened (--user), None when it came from the login
    sessions: sessionmaker[Session] = field(init=False)
    # The copy of the SQLite file made before this start migrated it (a newer build), if any.
    upgrade_backup: Path | None = field(default=None, init=False)
    # What opening did to the schema: db.CREATED, db.MIGRATED or db.CURRENT.
    schema: str = field(default="current", init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        trail.record_app_user(self.sessions)  # every transaction names its user for the audit trail

    @classmethod
    def open(
        cls, url: str | None = None, user: str | None = None, upgrade: bool = True, administering: bool = False
    ) -> AppContext:
        """Open the database for `user` (else the operating-system login; on a server, the
        database login, see `identify`): an unknown or
        disabled user, or one who may not migrate a schema that needs it, is refused before
        anything else is done (app.services.admission); then, with `upgrade`, the schema is
        created or migrated. `administering`: the administrators' `coop db upgrade`."""
        engine = db.make_engine(db.resolve_url(url))
        try:
            login = identify(roles.login(engine), user)
            admit(engine, login, upgrading=upgrade, administering=administering)
            copy = backup_before_upgrade(engine) if upgrade else None
            schema = db.upgrade(engine) if upgrade else db.CURRENT
        except BaseException:
            engine.dispose()
            raise
        ctx = cls(engine, login, user)
        ctx.upgrade_backup = copy
        ctx.schema = schema
        return ctx

    @property
    def location(self) -> str:
        """The database as users see it named (its URL without the password)."""
        return self.engine.url.render_as_string(hide_password=True)

    def close_connections(self) -> None:
        """Close the pooled connections (a later unit of work connects again)."""
        self.engine.dispose()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self)


class UnitOfWork:
    """A session that rolls back unless the service commits."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.user = ctx.user
        self._held = 0

    def __enter__(self) -> UnitOfWork:
        self.session = self.ctx.sessions()
        trail.name_user(self.session, self.user)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        if self._held:
            self.session.flush()  # inside one_transaction: committed with the rest
        else:
            self.session.commit()

    @contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Several use cases as one unit of work: inside, a service's commit only flushes;
        the whole commits once at the end, or rolls back as one on an error. A service that
        rolls back on its own (to release a read) would drop the work before it: that is
        refused here rather than committing the rest."""
        rolled_back: list[bool] = []

        def note(_session: Session, _transaction: object) -> None:
            rolled_back.append(True)

        event.listen(self.session, "after_soft_rollback", note)
        self._held += 1
        try:
            yield
        except BaseException:
            self.session.rollback()
            raise
        finally:
            self._held -= 1
            event.remove(self.session, "after_soft_rollback", note)
        if rolled_back:
            self.session.rollback()
            raise RuntimeError("a service rolled back inside one_transaction; nothing was committed")
        if not self._held:
            self.session.commit()
