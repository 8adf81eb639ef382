"""GL accounts and the GL reference (SPEC §6.1): which account each account role posts to.

Like the other master data, each `save_*` validates its whole batch and writes all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.vocabulary import ROLES
from app.models import GlAccount, GlReference

from .context import UnitOfWork
from .errors import PostingRefused, Problem, ValidationFailed
from .record_checks import check_name, keyed_records, saved_rows
from .security import Permission, require

ACCOUNT_TYPES = ("ASSET", "LIABILITY", "EQUITY", "INCOME", "EXPENSE")


@dataclass(frozen=True)
class AccountIn:
    number: str
    name: str
    type: str
    label: str = ""


def _number(rec: AccountIn) -> str:
    return rec.number


def save_accounts(uow: UnitOfWork, records: Sequence[AccountIn]) -> int:
    require(uow, Permission.GL)
    out: list[Problem] = []
    seen: dict[str, str] = {}
    for rec, label in keyed_records(records, _number, "number", "Account", GlAccount.number, out, seen):
        check_name(rec.name, label, "name", out, GlAccount.name)
        if rec.type.upper() not in ACCOUNT_TYPES:
            out.append(Problem(label, "type", f"must be one of {', '.join(ACCOUNT_TYPES)} (got {rec.type!r})"))
    if out:
        raise ValidationFailed(out)
    for rec, row in zip(
        records, saved_rows(uow.session, GlAccount, "number", [r.number for r in records]), strict=True
    ):
        row.name, row.type = rec.name.strip(), rec.type.upper()
    uow.commit()
    return len(records)


def save_gl_reference(uow: UnitOfWork, mapping: Sequence[tuple[str, str, str]]) -> int:
    """(label, role, account number) triples."""
    require(uow, Permission.GL)
    out: list[Problem] = []
    session = uow.session
    accounts = dict(session.execute(select(GlAccount.number, GlAccount.id)).all())
    seen: dict[str, str] = {}
    for label, role, number in mapping:
        if role not in ROLES:
            out.append(Problem(label, "role", f"must be one of {', '.join(ROLES)} (got {role!r})"))
        elif role in seen:
            out.append(Problem(label, "role", f"{role} is repeated (also on {seen[role]})"))
        seen[role] = label
        if number not in accounts:
            out.append(Problem(label, "account_number", f"GL account {number or '(blank)'} does not exist"))
    if out:
        raise ValidationFailed(out)
    for _label, role, number in mapping:
        row = session.get(GlReference, role)
        if row is None:
            session.add(GlReference(role=role, account_id=accounts[number]))
        else:
            row.account_id = accounts[number]
    uow.commit()
    return len(mapping)


def gl_reference(uow: UnitOfWork) -> dict[str, tuple[int, str]]:
    """role -> (account id, account number)."""
    return roles_to_accounts(uow.session)


def roles_to_accounts(session: Session) -> dict[str, tuple[int, str]]:
    rows = session.execute(select(GlReference.role, GlAccount.id, GlAccount.number).join(GlAccount))
    return {role: (aid, number) for role, aid, number in rows}


def refuse_missing(missing: Sequence[str], nothing: str = "") -> None:
    """SPEC §6.1, §18: a command that needs a role with no account refuses to run, naming the
    roles and saying what was not done."""
    if missing:
        raise PostingRefused(
            "GL reference incomplete: no account for " + ", ".join(missing)
            + " (set it in Maintenance > GL Reference)" + (f"; {nothing}" if nothing else "")
        )  # fmt: skip


def gl_for(session: Session, roles: Sequence[str], nothing: str) -> dict[str, int]:
    """The accounts of the roles an entry posts to; refused naming a role with no account."""
    if not roles:
        return {}
    accounts = roles_to_accounts(session)
    refuse_missing([role for role in roles if role not in accounts], nothing)
    return {role: accounts[role][0] for role in roles}
