"""`coop provisions --date D` (SPEC §15, §18): the daily provisions for receivables, one line
per provision placed or reversed (name, vendor, amount). `coop reconcile --vendor V FILE --out F`
(§16): the vendor's backup compared with ours."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

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
    rec = sub.add_parser(
        "reconcile",
        help="compare a vendor's statement of what it was charged with our backup (SPEC §16)",
        description="FILE (.csv or .xlsx) has the columns slip_no,line_no,vendor_item_code,received_date,quantity,"
        "amount,rebate; a line without slip_no is matched by vendor_item_code and received_date. Writes each "
        "line matched, amount differs, quantity differs, only theirs or only ours, with totals.",
    )
    rec.add_argument("--vendor", required=True, help="vendor code")
    rec.add_argument("file", type=Path, help="the vendor's statement, .csv or .xlsx")
    rec.add_argument("--out", required=True, type=Path, help="the .pdf, .xlsx or .csv file to write")
    rec.add_argument("--force", action="store_true", help="replace the --out file if it exists")


def provisions_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services.provisions import run_provisions

    with ctx.uow() as uow:
        events = run_provisions(uow, args.date or date.today())
    for event in events:
        print(f"{event.name}  {event.vendor_code}  {event.amount:,.2f}")
    if not events:
        print("No provision placed or reversed", file=sys.stderr)
    return 0


def reconcile_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.reports.reconciliation_pdf import SUFFIXES, write_reconciliation
    from app.services import masterdata
    from app.services.outfile import output_file, protected_files
    from app.services.reconciliation import reconcile_backup

    with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=SUFFIXES) as temp:
        with ctx.uow() as uow:
            result = reconcile_backup(uow, args.vendor, args.file)
            company = masterdata.company(uow).name
        write_reconciliation(temp, result, company=company)
    for total in result.totals():
        print(
            f"{total.status}  {total.lines} lines  ours {total.our_rebate:,.2f}  theirs {total.their_rebate:,.2f}  "
            f"difference {total.difference:,.2f}"
        )
    print(f"Wrote the reconciliation of {args.vendor} to {args.out}")
    return 0


COMMANDS: dict[str, Command] = {"provisions": provisions_command, "reconcile": reconcile_command}
