"""Users screen (Maintenance > Users): logins, names, roles and the active flag, saved
through security.save_user; and what the current user may do (menus, status bar)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain.vocabulary import GRANTS, Permission, Role
from app.services import security
from app.services.errors import Problem, ValidationFailed

from .base import Screen, UiEnv
from .masterdata import CHANGED, GridSpec, RecordsModel, RecordsPanel
from .models import Column

ROLES = tuple(Role)


def _load(uow: Any) -> list[dict[str, Any]]:
    return [
        {"Login": u.login, "Name": u.name, "Role": u.role, "Active": u.active, "Can": _can_text(u.role)}
        for u in security.list_users(uow)
    ]


def _can_text(role: str) -> str:
    try:
        granted = GRANTS[Role(role)]
    except ValueError:
        return ""
    return "everything" if granted == frozenset(Permission) else ", ".join(p.value for p in Permission if p in granted)


def _save(uow: Any, rows: list[dict[str, Any]]) -> int:
    """Checks every row first (all problems at once), then saves them one by one: the
    administrators first, and in single-user mode the current user first (the first user
    must be an administrator, and whoever saves must still be a user afterwards)."""
    problems = []
    cleaned = []
    for row in rows:
        login = str(row.get("Login") or "").strip()
        role = str(row.get("Role") or "").strip().upper()
        if not login:
            problems.append(Problem(row["label"], "login", "is required"))
        if role not in Role.__members__:
            problems.append(Problem(row["label"], "role", f"must be one of {', '.join(Role)}"))
        cleaned.append((row["label"], login, role, str(row.get("Name") or "").strip(), row.get("Active") is not False))
    logins = [c[1] for c in cleaned if c[1]]
    for label, login, *_rest in cleaned:
        if login and logins.count(login) > 1:
            problems.append(Problem(label, "login", f"{login} is in the list twice"))
    if not security.list_users(uow):
        mine = [c for c in cleaned if c[1] == uow.user]
        if not mine or mine[0][2] != Role.ADMIN or not mine[0][4]:
            label = mine[0][0] if mine else cleaned[0][0]
            problems.append(
                Problem(
                    label,
                    "login" if not mine else "role",
                    f"the first user must be you ({uow.user}), an active ADMIN: once users "
                    "exist only they can open this database",
                )
            )
    if problems:
        raise ValidationFailed(problems)
    cleaned.sort(key=lambda c: (c[1] != uow.user, c[2] != Role.ADMIN))
    for label, login, role, name, active in cleaned:
        try:
            security.save_user(uow, login, role, name, active)
        except ValidationFailed as exc:
            raise ValidationFailed([Problem(label, p.field, p.message) for p in exc.problems]) from exc
    return len(cleaned)


USERS = GridSpec(
    "Users",
    (
        Column("Login", "code", field="login", width=140),
        Column("Name", field="name", width=240),
        Column("Role", "choice", choices=ROLES, field="role", width=120),
        Column("Active", "bool", field="active", width=60),
        Column("Can", editable=False, width=420),
    ),
    "Login",
    _load,
    _save,
)


class UsersModel(RecordsModel):
    """The "Can" column follows the role as it is chosen."""

    def set_values(self, row: int, values: dict[str, Any]) -> None:
        if "Role" in values:
            values = {**values, "Can": _can_text(str(values["Role"] or ""))}
        super().set_values(row, values)


class UsersPanel(RecordsPanel):
    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, USERS, parent)
        self.model = UsersModel(USERS)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(True)

    def add(self) -> None:
        position = self.model.insert_row(
            len(self.model.rows),
            {CHANGED: True, "Role": Role.CLERK.value, "Active": True, "Can": _can_text(Role.CLERK)},
        )
        self.view.go_to(position, 0)


class UsersScreen(Screen):
    title = "Users"
    saved = Signal()

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.panel = UsersPanel(env, self)
        self.panel.on_saved = self._saved
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.panel, 1)

    def start(self) -> None:
        self.panel.reload()
        self._hint()

    def _saved(self) -> None:
        self._hint()
        self.saved.emit()

    def _hint(self) -> None:
        if self.panel.model.rows:
            self.hint.setText(
                "Each person signs in with their operating-system login (or --user); on a server, with "
                "their own database login of the same name, which saving a user here creates (its password: "
                "coop user password LOGIN). A disabled user can no longer open this database."
            )
        else:
            self.hint.setText(
                f"Single-user mode: this database has no users, so whoever runs the program "
                f"may do everything. Add yourself ({self.env.ctx.user}) first, as an ADMIN; "
                "from then on only the users listed here can open it."
            )

    def is_dirty(self) -> bool:
        return self.panel.model.dirty

    def save(self) -> None:
        self.panel.save()

    def discard(self) -> None:
        self.start()
