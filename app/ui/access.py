"""Who the current user is for the database in use, and what they may do (menus, the
status bar). Kept apart from the Users screen so the main window starts without it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.vocabulary import ROLE_NAMES, Permission, Role
from app.services import security
from app.services.errors import PermissionDenied


@dataclass(frozen=True)
class Access:
    """Who the current user is for this database, and what they may do."""

    login: str
    role: Role | None  # None: not an active user of this database
    single_user: bool
    allowed: frozenset[Permission]

    @property
    def text(self) -> str:
        if self.role is None:
            return f"User: {self.login} (not a user of this database)"
        if self.single_user:
            return f"User: {self.login} (single-user mode: every permission)"
        return f"User: {self.login} ({ROLE_NAMES[self.role]})"


def access(uow: Any) -> Access:
    single = not security.list_users(uow)
    try:
        role: Role | None = security.current_role(uow)
    except PermissionDenied:
        role = None
    allowed = frozenset(p for p in Permission if security.can(uow, p)) if role is not None else frozenset()
    return Access(uow.user, role, single, allowed)
