"""`coop user`: the users of the database and their roles (administrators). On PostgreSQL each
user is a database login named as the user (app.adapters.roles): `add` creates it (and sets its
password with --password), `disable` takes its access to the database away, `enable` gives it
back, `password` sets a new password. The password is read without echo from the terminal, or
as one line from standard input; the program never stores it (the user keeps it in ~/.pgpass
or gives it to the Connect dialog)."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.services.context import AppContext

ROLES = ("CLERK", "MANAGER", "ACCOUNTANT", "ADMIN")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("user", help="users and roles").add_subparsers(dest="user_command", required=True)
    users.add_parser("list", help="list the users")
    ua = users.add_parser(
        "add",
        help="add a user or change a user's role (the first must be ADMIN); PostgreSQL: the login of that name",
    )
    ua.add_argument("login")
    ua.add_argument("--role", required=True, choices=ROLES, type=str.upper)
    ua.add_argument("--name", default="")
    ua.add_argument(
        "--password", action="store_true", help="PostgreSQL: set the login's password (asked, or read from stdin)"
    )
    ud = users.add_parser("disable", help="disable a user (PostgreSQL: the login loses every access to the database)")
    ud.add_argument("login")
    ue = users.add_parser("enable", help="enable a disabled user again")
    ue.add_argument("login")
    up = users.add_parser("password", help="PostgreSQL: set a user's login password (asked, or read from stdin)")
    up.add_argument("login")


def read_password(login: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"Password for {login}: ")
        if getpass.getpass("Again: ") != first:
            raise SystemExit("error: the passwords differ; nothing was changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def user_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import security

    command = args.user_command
    password = read_password(args.login) if command == "password" or getattr(args, "password", False) else None
    with ctx.uow() as uow:
        if command == "list":
            for u in security.list_users(uow):
                print(f"{u.login:20} {u.role:10} {'active' if u.active else 'disabled':8} {u.name}")
            return 0
        if command == "password":
            security.set_password(uow, args.login, password or "")
            print(f"User {args.login}: password set")
            return 0
        if command == "add":
            u = security.save_user(uow, args.login, args.role, args.name, password=password)
        else:
            current = security.get_user(uow, args.login)
            u = security.save_user(uow, args.login, current.role, current.name, active=command == "enable")
    print(f"User {u.login}: {u.role}{'' if u.active else ' (disabled)'}")
    return 0
