"""`coop invoice backup` and `coop invoices export|print` (SPEC §13, §18): the documents of the
co-op invoices a month close made."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.services.context import AppContext


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], as_date: Callable[[str], date]) -> None:
    one = sub.add_parser("invoice", help="one co-op invoice").add_subparsers(dest="invoice_command", required=True)
    bk = one.add_parser("backup", help="the backup of an invoice (.xlsx, .csv, or .pdf: the invoice with it)")
    bk.add_argument("number", metavar="NO", help="invoice number, e.g. CO-2502-V100-0001")
    bk.add_argument("--out", required=True, type=Path, metavar="F", help="the .xlsx, .csv or .pdf file to write")
    bk.add_argument("--force", action="store_true", help="replace the --out file if it exists")

    many = sub.add_parser("invoices", help="co-op invoices").add_subparsers(dest="invoices_command", required=True)
    ex = many.add_parser("export", help="invoices by invoice date, at most 90 days (.xlsx or .csv)")
    ex.add_argument("--from", dest="date_from", required=True, type=as_date, metavar="D", help="invoice date from")
    ex.add_argument("--to", dest="date_to", required=True, type=as_date, metavar="D", help="invoice date to")
    ex.add_argument("--out", required=True, type=Path, metavar="F", help="the .xlsx or .csv file to write")
    ex.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    pr = many.add_parser("print", help="a month's invoices, one PDF per vendor")
    pr.add_argument("--month", required=True, metavar="YYYY-MM")
    pr.add_argument("--out", required=True, type=Path, metavar="DIR", help="the folder (created when missing)")
    pr.add_argument("--force", action="store_true", help="replace files of the same names in the folder")


def invoice_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import invoice_documents

    with ctx.uow() as uow:
        n = invoice_documents.write_backup(uow, args.number, args.out, force=args.force)
    print(f"Wrote the backup of invoice {args.number} ({n} lines) to {args.out}")
    return 0


def invoices_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import invoice_documents, invoice_exports

    if args.invoices_command == "export":
        with ctx.uow() as uow:
            n = invoice_exports.export_invoices(uow, args.date_from, args.date_to, args.out, force=args.force)
        print(f"Wrote {n} invoices dated {args.date_from} to {args.date_to} to {args.out}")
        return 0

    def show(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"  {done}/{total} vendors", file=sys.stderr)

    with ctx.uow() as uow:
        paths = invoice_documents.print_month(uow, args.month, args.out, force=args.force, progress=show)
    print(f"Wrote the invoices of {args.month} for {len(paths)} vendors to {args.out}")
    return 0
