"""`coop audit-trail`: the recorded changes to master data, users and roles, the GL setup and
the company's settings (issue 13), searched like the Maintenance > Audit Trail screen."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.services.context import AppContext
from app.services.exports import TABLE_SUFFIXES
from app.services.outfile import output_file, protected_files


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], moment_type: Callable[[str], Any]) -> None:
    from app.services.audit_trail import LIMIT, TABLES

    at = sub.add_parser(
        "audit-trail",
        help="the recorded changes to master data, users, the GL setup and settings (administrators, accountants)",
        description="Every insert, update and delete of the audited tables, as the database recorded it: when, "
        "the database login (PostgreSQL; the identity the database vouches for), the user the program named, "
        "the table, the record and what changed. Newest first.",
    )
    at.add_argument("--table", choices=tuple(TABLES), help="only this table")
    at.add_argument("--user", dest="who", metavar="U", help="only changes by this user or database login")
    at.add_argument(
        "--from",
        dest="date_from",
        type=moment_type,
        metavar="D",
        help="changed on or after this day (YYYY-MM-DD, local) or time (YYYY-MM-DDTHH:MM[:SS])",
    )
    at.add_argument("--to", dest="date_to", type=moment_type, metavar="D", help="changed on or before this day or time")
    at.add_argument("--text", help="only changes whose record or values contain this text (any case)")
    at.add_argument("--limit", type=int, default=LIMIT, help=f"at most this many changes (default {LIMIT:,}; 0: all)")
    at.add_argument("--out", type=Path, metavar="FILE", help="write the changes to this .csv or .xlsx file")
    at.add_argument("--force", action="store_true", help="replace the --out file if it exists")


def audit_trail_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import audit_trail
    from app.services.exports import write_table
    from app.services.reports import posted_window

    if args.date_from is not None and args.date_to is not None:
        start, end = posted_window(args.date_from, args.date_to)
        if start >= end:  # type: ignore[operator]
            print("error: --from is after --to", file=sys.stderr)
            return 2
    filters = {
        "table": args.table,
        "user": args.who,
        "date_from": args.date_from,
        "date_to": args.date_to,
        "text": args.text,
        "limit": args.limit or None,
    }
    if args.out is None:
        with ctx.uow() as uow:
            rows = audit_trail.search(uow, **filters)
        for line in audit_trail.text_lines(rows):
            print(line)
        print(f"{len(rows):,} change{'s' if len(rows) != 1 else ''}", file=sys.stderr)
        return 0
    with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=TABLE_SUFFIXES) as temp:
        with ctx.uow() as uow:
            rows = audit_trail.search(uow, **filters)
        n = write_table(temp, audit_trail.COLUMNS, (r.values() for r in rows), sheet="Audit trail")
    print(f"Wrote {n:,} changes to {args.out}")
    return 0
