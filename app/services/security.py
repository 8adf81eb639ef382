"""Users, roles and permissions, enforced by the services (not only by the screens).

A database with no users is in single-user mode: whoever runs the program has every
permission (one workstation on its own SQLite file). Once an administrator adds users,
the user (the operating-system login, or --user / COOP_USER, on SQLite; the database login
on PostgreSQL, app.services.context.identify) must be an active user, and each service
checks the role's permission before it writes anything. On PostgreSQL the database checks
as well: each user's login has only the privileges of its role (app.adapters.roles).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.adapters import roles
from app.domain.vocabulary import GRANTS, ROLE_NAMES, Permission, Role
from app.models import AppUser

from .context import UnitOfWork
from .errors import NotFound, PermissionDenied, Problem, ValidationFailed

# The roles and permissions live in the vocabulary (the window reads them before the
# services are imported); here they are enforced.
__all__ = [
    "GRANTS",
    "ROLE_NAMES",
    "Permission",
    "Role",
    "UserView",
    "can",
    "current_role",
    "get_user",
    "list_users",
    "require",
    "save_user",
    "set_password",
]


@dataclass(frozen=True)
class UserView:
    login: str
    name: str
    role: str
    active: bool


def current_role(uow: UnitOfWork) -> Role:
    """The role of the unit of work's user (ADMIN in single-user mode)."""
    cached = getattr(uow, "_role", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    session = uow.session
    if session.scalar(select(func.count()).select_from(AppUser)) == 0:
        role = Role.ADMIN
    else:
        row = session.scalar(select(AppUser).where(AppUser.login == uow.user))
        if row is None or not row.active:
            raise PermissionDenied(
                f"{uow.user} is not an active user of this database; ask an administrator to add you"
            )
        role = Role(row.role)
    uow._role = role  # type: ignore[attr-defined]
    return role


def require(uow: UnitOfWork, permission: Permission) -> None:
    role = current_role(uow)
    if permission not in GRANTS[role]:
        raise PermissionDenied(f"{uow.user} ({ROLE_NAMES[role]}) may not {permission.value}")


def can(uow: UnitOfWork, permission: Permission) -> bool:
    try:
        require(uow, permission)
    except PermissionDenied:
        return False
    return True


def list_users(uow: UnitOfWork) -> list[UserView]:
    rows = uow.session.scalars(select(AppUser).order_by(AppUser.login))
    return [UserView(u.login, u.name, u.role, u.active) for u in rows]


def save_user(
    uow: UnitOfWork, login: str, role: str, name: str = "", active: bool = True, password: str | None = None
) -> UserView:
    """Add or change a user. The first user must be an administrator (or nobody could
    manage users afterwards); the last active administrator cannot be demoted.

    On a secured PostgreSQL database (app.adapters.roles) the user is a login role named as
    the user, created when missing, a member of its role's group role while active (none when
    disabled: it cannot even connect); `password`, when given, becomes the login's password
    (kept by PostgreSQL only). Nothing of this on SQLite."""
    session = uow.session
    problems = []
    if not login or len(login) > 60:
        problems.append(Problem(f"User {login}", "login", "is required (at most 60 characters)"))
    if role.upper() not in Role.__members__:
        problems.append(Problem(f"User {login}", "role", f"must be one of {', '.join(Role)} (got {role!r})"))
    if problems:
        raise ValidationFailed(problems)
    role = role.upper()
    existing = list_users(uow)
    if not existing:
        if role != Role.ADMIN or not active:
            raise ValidationFailed([Problem(f"User {login}", "role", "the first user must be an active administrator")])
    else:
        require(uow, Permission.USERS)
        admins = [u for u in existing if u.role == Role.ADMIN and u.active and u.login != login]
        if not admins and (role != Role.ADMIN or not active):
            raise ValidationFailed(
                [Problem(f"User {login}", "role", "the last active administrator cannot be removed")]
            )
    row = session.scalar(select(AppUser).where(AppUser.login == login))
    if row is None:
        row = AppUser(login=login)
        session.add(row)
    row.role, row.active = role, active
    if name or not row.name:
        row.name = name
    roles.set_user(session.connection(), login, role, active, password)  # as the owner role, to the end
    uow.commit()
    return UserView(row.login, row.name, row.role, row.active)


def set_password(uow: UnitOfWork, login: str, password: str) -> None:
    """A new password of a user's database login (administrators; PostgreSQL keeps it, the
    program stores nothing). Refused on a database without logins (SQLite)."""
    require(uow, Permission.USERS)
    get_user(uow, login)
    if not password:
        raise ValidationFailed([Problem(f"User {login}", "password", "is required")])
    if not roles.set_password(uow.session.connection(), login, password):
        raise ValidationFailed([Problem(f"User {login}", "password", "this database has no logins (a file)")])
    uow.commit()


def get_user(uow: UnitOfWork, login: str) -> UserView:
    row = uow.session.scalar(select(AppUser).where(AppUser.login == login))
    if row is None:
        raise NotFound(f"User {login} does not exist")
    return UserView(row.login, row.name, row.role, row.active)
