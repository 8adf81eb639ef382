"""`coop provisions --date D` (SPEC §15, §18): the daily provisions for receivables, one line
per provision placed or reversed (name, vendor, amount)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from app.services.context import AppContext

Command = Callable[[AppContext, argparse.Namespace], int]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], as_date: Callable[[str], date]) -> None:
    p = sub.add_parser(
        "provisions",
        help="place, recalculate and reverse the provisions for receivables of a day",
        description="For each vendor whose receivable exceeds its payable on the day, hold the difference as "
        "a provision YYMMDD_PROVISION_FOR_RECEIVABLES; a changed difference reverses it (its name with an R) "
        "and places a new one; a difference gone reverses it. Running a day again changes nothing.",
    )
    p.add_argument("--date", type=as_date, help="the day (default today)")


def provisions_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services.provisions import run_provisions

    with ctx.uow() as uow:
        events = run_provisions(uow, args.date or date.today())
    for event in events:
        print(f"{event.name}  {event.vendor_code}  {event.amount:,.2f}")
    if not events:
        print("No provision placed or reversed", file=sys.stderr)
    return 0


COMMANDS: dict[str, Command] = {"provisions": provisions_command}
