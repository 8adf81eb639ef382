"""`coop agreement accept|reject|confirmation` (SPEC §11.1, §18): one agreement of a vendor and
kind (--no N, else the vendor's first of that kind, as `coop import agreements` finds it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.domain.vocabulary import ACCEPTED, KINDS, REJECTED
from app.services.context import AppContext
from app.services.errors import ValidationFailed


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], as_date: Callable[[str], date]) -> None:
    ag = sub.add_parser("agreement", help="accept, reject or confirm an agreement").add_subparsers(
        dest="agreement_command", required=True
    )
    for name, does in (
        ("accept", "accept a pending agreement (re-rates what it covers)"),
        ("reject", "reject a pending agreement"),
        ("confirmation", "the agreement confirmation PDF sent to the vendor"),
    ):
        p = ag.add_parser(name, help=does)
        p.add_argument("--vendor", required=True, help="vendor code")
        p.add_argument("--kind", required=True, type=str.upper, choices=KINDS)
        p.add_argument("--no", dest="number", help="agreement number (default: the vendor's first of that kind)")
        if name == "confirmation":
            p.add_argument("--out", required=True, type=Path, help="the .pdf file to write")
            p.add_argument("--force", action="store_true", help="replace the --out file if it exists")
        else:
            p.add_argument(
                "--date", type=as_date, help="the day the decision was made, and of the re-rate entries (default today)"
            )


def agreement_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import agreements

    if args.agreement_command == "confirmation":
        return _confirmation(ctx, args)
    status = ACCEPTED if args.agreement_command == "accept" else REJECTED
    try:
        with ctx.uow() as uow:
            view = agreements.decide(uow, args.vendor, args.kind, args.number, status, args.date)
    except ValidationFailed as exc:  # one line per problem, naming the agreement and the field
        for problem in exc.problems:
            print(f"error: {problem}; nothing was written", file=sys.stderr)
        return 1
    print(
        f"{view.kind} agreement {view.number} of {view.vendor} is {view.status.lower()} "
        f"(by {view.decided_by} on {view.decided_at.astimezone().date().isoformat() if view.decided_at else '?'})"
    )
    return 0


def _confirmation(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import confirmation

    with ctx.uow() as uow:
        data, pages = confirmation.write_confirmation(
            uow, args.vendor, args.kind, args.number, args.out, force=args.force
        )
    print(
        f"Wrote the confirmation of {data.kind} agreement {data.number} of {data.vendor_code} ({pages} pages) to {args.out}"
    )
    return 0
