"""`coop rerate` and `coop audit` (SPEC §6.3, §16): re-rating, and what the journal, the accrual
cache and the agreements say of the posted receipt lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.services import posting
from app.services.context import AppContext
from app.services.errors import JournalMismatch
from app.services.exports import TABLE_SUFFIXES
from app.services.outfile import output_file, protected_files


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], date_type: object) -> None:
    rr = sub.add_parser(
        "rerate",
        help="re-rate everything (SPEC §6.3)",
        description="Post the difference between the desired accruals and what is posted. Without --full, "
        "only the vendors whose ladders or products changed are recomputed, against the accrual cache "
        "(line_accrual), without reading the journal. --full recomputes every vendor and first checks its "
        "cache against the journal: a vendor whose cache differs is not re-rated, it is reported (see "
        "`coop audit`) and the command exits 1 after re-rating the others.",
    )
    rr.add_argument("--date", type=date_type, help="date of the RERATE entries (default today)")
    rr.add_argument(
        "--full",
        action="store_true",
        help="recompute every vendor, not only those whose ladders or products changed, "
        "after checking its accrual cache against the journal",
    )
    au = sub.add_parser(
        "audit",
        help="accrual audit (SPEC §16); exits 1 when a posted accrual differs from the journal or the desired state",
        description="Lists receipt lines whose posted accrual differs from the desired state (what `coop rerate` "
        "would post), posted receipt lines no accepted ladder and no provisional rate covers for a kind the vendor "
        "is not waived from, co-op invoices whose backup does not add up to the invoice, accepted agreements with "
        "no receipts, and receipt lines whose cached accrual differs from the journal. Exits 1 when the first "
        "list or the last is not empty.",
    )
    au.add_argument("--out", type=Path, metavar="FILE", help="write the lists to this .csv or .xlsx file")
    au.add_argument("--force", action="store_true", help="replace the --out file if it exists")


def rerate_command(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        with ctx.uow() as uow:
            count = posting.rerate(uow, today=args.date, full=args.full)
    except JournalMismatch as held:
        print(f"Re-rated: {held.posted} RERATE entries posted" if held.posted else "Re-rated: nothing to post")
        print(f"error: {held}", file=sys.stderr)
        return 1
    print(f"Re-rated: {count} RERATE entries posted" if count else "Re-rated: nothing to post")
    return 0


def audit_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import audit
    from app.services.exports import write_table

    if args.out is not None:
        with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=TABLE_SUFFIXES) as temp:
            with ctx.uow() as uow:
                report = audit.accrual_audit(uow)
            write_table(temp, audit.COLUMNS, report.rows(), sheet="Audit")
        counts = ", ".join(f"{name} {len(rows)}" for name, rows in report.sections())
        print(f"Wrote the accrual audit to {args.out}: {counts}")
    else:
        with ctx.uow() as uow:
            report = audit.accrual_audit(uow)
        for line in audit.report_text(report):
            print(line)
    if report.failed:
        print(
            "error: the posted accruals differ from the desired state or from the journal (NOT_DESIRED, CACHE_DIFFERS)",
            file=sys.stderr,
        )
        return 1
    return 0
