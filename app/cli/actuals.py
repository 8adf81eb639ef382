"""`coop actual submit|accept|reject` (SPEC §13 vendor actuals): the actual of one agreement
(--vendor, --kind, --no as `coop agreement`) and month."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.cli.settlement import money, refused
from app.domain.vocabulary import ACCEPTED, KINDS, REJECTED
from app.services.context import AppContext


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], as_date: Callable[[str], date]) -> None:
    actual = sub.add_parser("actual", help="vendor actuals of agreements flagged actuals required").add_subparsers(
        dest="actual_command", required=True
    )
    for name, does in (
        ("submit", "record the amount the vendor expects to be billed for a month"),
        ("accept", "accept the month's actual: its held invoice bills the vendor's amount"),
        ("reject", "reject the month's actual (it may be submitted again)"),
    ):
        p = actual.add_parser(name, help=does)
        p.add_argument("--vendor", required=True, help="vendor code")
        p.add_argument("--kind", required=True, type=str.upper, choices=KINDS)
        p.add_argument("--no", dest="number", help="agreement number (default: the vendor's first of that kind)")
        p.add_argument("--month", required=True, help="the month, YYYY-MM")
        p.add_argument("--date", type=as_date, help="the day it was submitted or decided (default today)")
        if name == "submit":
            p.add_argument("--amount", required=True, type=money)
            p.add_argument("--comment", default="")
            p.add_argument(
                "--attach", action="append", type=Path, default=[], help="a supporting document (repeatable)"
            )
        if name == "reject":
            p.add_argument("--reason", required=True, help="e.g. incorrect amount, insufficient documentation")


@refused
def actual_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import actuals

    with ctx.uow() as uow:
        if args.actual_command == "submit":
            view = actuals.submit_actual(
                uow, args.vendor, args.kind, args.number, args.month, args.amount, args.comment, args.attach, args.date
            )
        else:
            status = ACCEPTED if args.actual_command == "accept" else REJECTED
            view = actuals.decide_actual(
                uow, args.vendor, args.kind, args.number, args.month, status, getattr(args, "reason", ""), args.date
            )
    print(
        f"Actual of {view.kind} agreement {view.agreement_no} of {view.vendor_code} for {view.month}: "
        f"{view.amount:,.2f} {view.status}" + (f" ({view.reason})" if view.reason else "")
    )
    return 0
