"""`coop close --month YYYY-MM [--date D]` (SPEC §13, §18): the month close."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from app.services.context import AppContext


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], as_date: Callable[[str], date]) -> None:
    p = sub.add_parser("close", help="close a month: lump-sum accruals and co-op invoices per vendor")
    p.add_argument("--month", required=True, help="the month to close, YYYY-MM")
    p.add_argument("--date", type=as_date, help="the run date (default today); from the first day of the next month")


def close_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import month_close
    from app.services.invoice_views import invoice_by_number

    def show(done: int, total: int) -> None:
        if total >= 20:
            print(f"\r{done:,} / {total:,} vendors", end="", file=sys.stderr, flush=True)

    result = month_close.close_month(ctx, args.month, args.date, progress=show)
    if result.already_closed:
        print(f"{args.month} is closed already; nothing was created")
        return 0
    with ctx.uow() as uow:
        for number in result.invoices:
            view = invoice_by_number(uow.session, number)
            if view is not None:
                agreement = view.agreement_no or "provisional"
                print(
                    f"{view.invoice_no}  {view.vendor_code}  {view.kind} {agreement}  {view.method}  "
                    f"{view.amount:,.2f} {view.currency}  {view.status}"
                )
    print(
        f"Closed {args.month}: {len(result.invoices)} invoice(s) for {result.vendors} vendor(s), "
        f"{result.lump_sum_entries} lump-sum accrual(s), {result.expected_entries} expected-tier adjustment(s)"
    )
    return 0
