"""Which database a workstation works on: a PostgreSQL server or the local SQLite file.

A server connection is a host, port, database, login and SSL mode; the password is
never part of the saved settings. It goes to the standard libpq password file
(`~/.pgpass`, mode 0600; `%APPDATA%\\postgresql\\pgpass.conf` on Windows; `PGPASSFILE`
when set), which psycopg (libpq) reads on every connection, and so do `coop`,
`psql`, `pg_dump` and `pg_restore` on the same workstation.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from app.adapters import db

from .context import AppContext
from .errors import PermissionDenied, Problem, ServiceError, ValidationFailed

SSL_MODES = ("disable", "prefer", "require", "verify-full")
DRIVER = "postgresql+psycopg"


class CannotConnect(ServiceError):
    """The database could not be opened (unreachable, refused login, newer schema…)."""


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int = 5432
    database: str = "coop"
    user: str = ""
    sslmode: str = "prefer"

    def problems(self) -> list[Problem]:
        found = []
        if not self.host.strip():
            found.append(Problem("Server", "host", "is required"))
        if not 0 < self.port < 65536:
            found.append(Problem("Server", "port", "must be between 1 and 65535"))
        if not self.database.strip():
            found.append(Problem("Server", "database", "is required"))
        if not self.user.strip():
            found.append(Problem("Server", "user", "is required"))
        if self.sslmode not in SSL_MODES:
            found.append(Problem("Server", "sslmode", f"must be one of {', '.join(SSL_MODES)}"))
        return found

    def url(self) -> str:
        """The SQLAlchemy URL, without a password (libpq takes it from the password file)."""
        if problems := self.problems():
            raise ValidationFailed(problems)
        return URL.create(
            DRIVER,
            username=self.user.strip(),
            host=self.host.strip(),
            port=self.port,
            database=self.database.strip(),
            query={"sslmode": self.sslmode},
        ).render_as_string(hide_password=False)

    @classmethod
    def from_url(cls, url: str) -> ServerSettings | None:
        """The settings of a PostgreSQL URL (None for any other database)."""
        try:
            parsed = make_url(url)
        except ArgumentError:
            return None
        if parsed.get_backend_name() != "postgresql":
            return None
        sslmode = parsed.query.get("sslmode", "prefer")
        return cls(
            parsed.host or "localhost",
            parsed.port or 5432,
            parsed.database or "",
            parsed.username or "",
            sslmode if isinstance(sslmode, str) else "prefer",
        )


def local_url() -> str:
    """The SQLite file of this workstation (in the user data directory)."""
    return db.default_url()


def display_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def open_context(url: str | None, user: str | None = None) -> AppContext:
    """Open (creating or migrating the schema) the database at `url`, else the default one,
    for `user`: an unknown or disabled one is refused first (app.services.admission).

    Every reason it cannot be used becomes one CannotConnect with a readable message.
    """
    shown = display_url(db.resolve_url(url))
    try:
        return AppContext.open(url, user, upgrade=True)
    except (db.SchemaTooNew, PermissionDenied) as exc:  # a newer schema; an unknown or disabled user
        raise CannotConnect(f"Cannot use {shown}: {exc}") from exc
    except ArgumentError as exc:
        raise CannotConnect(f"{shown} is not a valid database address: {exc}") from exc
    except DBAPIError as exc:
        raise CannotConnect(f"Cannot connect to {shown}:\n{_reason(exc)}") from exc
    except ModuleNotFoundError as exc:
        raise CannotConnect(f"Cannot connect to {shown}: the database driver is missing ({exc})") from exc


def _reason(exc: DBAPIError) -> str:
    text = str(exc.orig or exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[:4]) or type(exc.orig).__name__


# -- the libpq password file


def pgpass_path() -> Path:
    if os.environ.get("PGPASSFILE"):
        return Path(os.environ["PGPASSFILE"])
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def _fields(line: str) -> list[str]:
    """The fields of a password-file line (`:` separates, `\\` escapes)."""
    fields, current, escaped = [], [], False
    for ch in line:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    fields.append("".join(current))
    return fields


def save_password(server: ServerSettings, password: str, path: Path | None = None) -> Path:
    """Write (or replace) the password-file line of this host, port, database and user.

    Other lines are kept as they are; the file is rewritten atomically, mode 0600 (libpq
    ignores a password file that others can read).
    """
    target = path or pgpass_path()
    key = [server.host.strip(), str(server.port), server.database.strip(), server.user.strip()]
    entry = ":".join(_escape(v) for v in [*key, password])
    lines = target.read_text().splitlines() if target.exists() else []
    kept, replaced = [], False
    for line in lines:
        if not line.startswith("#") and _fields(line)[:4] == key:
            if not replaced:
                kept.append(entry)
            replaced = True
        else:
            kept.append(line)
    if not replaced:
        kept.append(entry)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".pgpass.", dir=target.parent)  # created 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(kept) + "\n")
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def has_password(server: ServerSettings, path: Path | None = None) -> bool:
    """Whether the password file holds a line for exactly this server, database and user."""
    target = path or pgpass_path()
    if not target.exists():
        return False
    key = [server.host.strip(), str(server.port), server.database.strip(), server.user.strip()]
    return any(not line.startswith("#") and _fields(line)[:4] == key for line in target.read_text().splitlines())
