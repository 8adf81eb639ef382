"""The application context (made once at start-up) and the unit of work."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import db


def os_user() -> str:
    try:
        return os.environ.get("COOP_USER") or getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


@dataclass
class AppContext:
    engine: Engine
    user: str = field(default_factory=os_user)
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None, user: str | None = None, upgrade: bool = True) -> AppContext:
        engine = db.make_engine(db.resolve_url(url))
        if upgrade:
            db.upgrade(engine)
        return cls(engine, user or os_user())

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self)


class UnitOfWork:
    """A session that rolls back unless the service commits."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.user = ctx.user

    def __enter__(self) -> UnitOfWork:
        self.session = self.ctx.sessions()
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
        self.session.commit()
