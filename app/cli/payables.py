"""`coop payment-run --date D [--out DIR]` (SPEC §15, §18): pays every vendor with matched vendor
invoices due, less its CD co-op invoices and its provision; prints one line per vendor paid and
writes the remittance advice (PDF and CSV per vendor) into DIR (created)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.domain.money import fmt_money
from app.services import payment_run, remittances
from app.services.context import AppContext


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], as_date: Callable[[str], date]) -> None:
    run = sub.add_parser("payment-run", help="pay vendors their matched invoices due, less co-op deductions")
    run.add_argument("--date", required=True, type=as_date, help="the run date: invoices due by then are paid")
    run.add_argument("--out", type=Path, metavar="DIR", help="folder for the remittance advice (created)")


def payment_run_command(ctx: AppContext, args: argparse.Namespace) -> int:
    with ctx.uow() as uow:
        result = payment_run.run_payments(uow, args.date)
        for v in result.vendors:
            p = v.payment
            print(
                f"{v.vendor_code}: gross {fmt_money(p.gross)}, deductions {fmt_money(p.deducted)}, "
                f"provision {fmt_money(p.held)}, net {fmt_money(p.net)}"
            )
        if not result.vendors:
            print(f"Nothing to pay on {args.date.isoformat()}")
        if args.out is not None:
            paths = remittances.write_remittances(uow, args.date, result.vendors, args.out)
            print(f"Wrote {len(paths) // 2} remittance advices to {args.out}")
    return 0


COMMANDS = {"payment-run": payment_run_command}
