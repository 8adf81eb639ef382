"""The `coop` command line (SPEC §9): the same services as the screens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from app import __version__
from app.adapters.db import CREATED, MIGRATED, SchemaTooNew
from app.cli.actuals import actual_command
from app.cli.actuals import add_parser as add_actual
from app.cli.agreement import add_parser as add_agreement
from app.cli.agreement import agreement_command
from app.cli.arguments import iso_date
from app.cli.audit import add_parsers as add_rerate_and_audit
from app.cli.audit import audit_command, rerate_command
from app.cli.balances import COMMANDS as BALANCE_COMMANDS
from app.cli.balances import add_parsers as add_balances
from app.cli.close import add_parser as add_close
from app.cli.close import close_command
from app.cli.invoices import add_parsers as add_invoices
from app.cli.invoices import invoice_command, invoices_command
from app.cli.payables import COMMANDS as PAYABLES_COMMANDS
from app.cli.payables import add_parsers as add_payables
from app.cli.reports import add_parsers as add_reports
from app.cli.reports import report_command
from app.cli.settlement import COMMANDS as SETTLEMENT_COMMANDS
from app.cli.settlement import add_parsers as add_settlement
from app.cli.trail import add_parser as add_audit_trail
from app.cli.trail import audit_trail_command
from app.cli.users import add_parser as add_users
from app.cli.users import user_command
from app.domain.vocabulary import SOURCES
from app.services import imports, journal_exports, posting, ratings, reports
from app.services.context import AppContext
from app.services.errors import OutputRefused, ServiceError, ValidationFailed
from app.services.exports import TABLE_SUFFIXES
from app.services.outfile import output_file, protected_files

# Imports of this many rows or more show their progress on stderr.
PROGRESS_FROM = 10_000


_date = iso_date


def _moment(text: str) -> date | datetime:
    """A whole day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM[:SS], local unless it has an offset)."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM[:SS])"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coop", description="Vendor rebate and co-op agreements")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument(
        "--db", help="database URL (else COOP_DATABASE_URL, else the SQLite file in the user data directory)"
    )
    p.add_argument(
        "--user",
        help="user name for history and journal (default: the OS login; PostgreSQL: the database login, "
        "which only a superuser may differ from)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    dbp = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    up = dbp.add_parser("upgrade", help="create or migrate the database to the latest schema")
    up.add_argument("--company", help="company name (new database)")
    up.add_argument("--currency", help="company currency, ISO 4217 (new database; default CAD)")

    demo = sub.add_parser("demo", help="load a realistic demo company")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if vendors exist")

    imp = sub.add_parser("import", help="import a CSV or XLSX file, all or nothing")
    imp.add_argument("kind", choices=imports.KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--date", type=_date, help="date of the re-rate entries an import posts (default today)")

    post = sub.add_parser("post", help="post every draft receiving slip")
    post.add_argument("--slip", action="append", help="post only this slip (repeatable)")
    post.add_argument("--date", type=_date, help="posting date for re-rate entries (default today)")

    add_rerate_and_audit(sub, _date)
    add_agreement(sub, _date)
    add_close(sub, _date)
    add_actual(sub, _date)
    add_settlement(sub, _date)
    add_balances(sub, _date)
    add_audit_trail(sub, _moment)
    add_invoices(sub, _date)
    add_payables(sub, _date)

    exp = sub.add_parser("export", help="export data").add_subparsers(dest="export_command", required=True)
    ej = exp.add_parser(
        "journal",
        help="journal lines for the general ledger",
        description="Journal lines for the general ledger, CSV or XLSX by the extension of --out. "
        "Select by entry date (--from/--to), by posting time (--posted-from/--posted-to) "
        "and by source; or use --new, which exports every line no export carried yet "
        "and records it as the next numbered export, so that a back-dated entry is "
        "never missed and no line is exported twice.",
    )
    ej.add_argument("--out", required=True, type=Path, metavar="FILE", help="the .csv or .xlsx file to write")
    ej.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    ej.add_argument("--from", dest="date_from", type=_date, metavar="D", help="entry date on or after (YYYY-MM-DD)")
    ej.add_argument("--to", dest="date_to", type=_date, metavar="D", help="entry date on or before (YYYY-MM-DD)")
    ej.add_argument(
        "--posted-from",
        type=_moment,
        metavar="D",
        help="posted on or after this day (YYYY-MM-DD, the whole day in this computer's "
        "time zone) or this time (YYYY-MM-DDTHH:MM[:SS], local unless it has an offset)",
    )
    ej.add_argument(
        "--posted-to",
        type=_moment,
        metavar="D",
        help="posted on or before this day (the whole day, local time) or this time",
    )
    ej.add_argument("--source", choices=SOURCES)
    mode = ej.add_mutually_exclusive_group()
    mode.add_argument(
        "--new",
        action="store_true",
        help="every line not yet exported (of those the filters select), recorded as the "
        "next numbered export (an existing --out only with --force); nothing new: no file, no export",
    )
    mode.add_argument(
        "--reprint",
        type=int,
        metavar="N",
        help="write the lines of recorded export N again, with their export_no (no filters)",
    )

    add_reports(sub)

    add_users(sub)

    bk = sub.add_parser("backup", help="back up the whole database to a file (administrators)")
    bk.add_argument("file", type=Path)
    bk.add_argument("--force", action="store_true", help="replace FILE if it exists")
    rs = sub.add_parser("restore", help="replace the whole database by a backup file (administrators)")
    rs.add_argument("file", type=Path)

    st = sub.add_parser("statement", help="printed vendor statement (PDF)")
    who = st.add_mutually_exclusive_group(required=True)
    who.add_argument("--vendor", help="vendor code: --out is the PDF file")
    who.add_argument("--all", action="store_true", help="every vendor with activity in the period: --out is a folder")
    st.add_argument(
        "--every-vendor", action="store_true", help="with --all, also vendors without activity in the period"
    )
    st.add_argument("--from", dest="date_from", type=_date, required=True)
    st.add_argument("--to", dest="date_to", type=_date, required=True)
    st.add_argument("--out", required=True, type=Path)
    st.add_argument(
        "--force", action="store_true", help="replace the --out file (with --all: the statements already in the folder)"
    )
    return p


def run(args: argparse.Namespace) -> int:
    # Who asks is checked first: an unknown or disabled user is refused before any migration.
    ctx = AppContext.open(args.db, args.user, upgrade=True, administering=args.command == "db")
    if ctx.upgrade_backup is not None:
        print(f"The database was copied to {ctx.upgrade_backup} before it was migrated", file=sys.stderr)
    try:
        return _dispatch(ctx, args)
    finally:
        ctx.close_connections()


def _dispatch(ctx: AppContext, args: argparse.Namespace) -> int:
    return COMMANDS[args.command](ctx, args)


def _db(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import masterdata

    with ctx.uow() as uow:
        company = masterdata.company(uow)
        if args.company or args.currency:
            masterdata.set_company(
                uow, args.company or company.name, (args.currency or company.currency).upper(), company.address
            )
        else:
            uow.commit()
    said = {
        CREATED: "Created a new database at the latest schema",
        MIGRATED: "Migrated the database to the latest schema",
    }.get(ctx.schema, "Database is at the latest schema")
    print(f"{said}: {ctx.location}")
    with ctx.uow() as uow:
        waiting = ratings.vendors_waiting(uow)
    if waiting:
        print(
            f"{len(waiting)} vendor{'s' if len(waiting) != 1 else ''} ({', '.join(waiting[:5])}"
            f"{', …' if len(waiting) > 5 else ''}) had accruals computed by an earlier version or on "
            "other agreements or products: run `coop rerate` (Processing > Re-rate) to post the "
            "differences"
        )
    return 0


def _backup_or_restore(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import backup

    backing_up = args.command == "backup"
    info = backup.backup(ctx, args.file, force=args.force) if backing_up else backup.restore(ctx, args.file)
    where = ctx.location
    print(
        f"Backed up {where} to {info.path} ({info.size:,} bytes)"
        if backing_up
        else f"Restored {where} from {info.path} (schema {info.revision})"
    )
    return 0


def _demo(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import demo

    with ctx.uow() as uow:
        summary = demo.load_demo(uow, if_empty=args.if_empty)
    print(summary)
    return 0


def _import(ctx: AppContext, args: argparse.Namespace) -> int:
    def shown(done: int, total: int) -> None:
        if total >= PROGRESS_FROM:  # a big import only: a line per part written, not per row
            print(
                f"  wrote {done:,} of {total:,} rows" if done else f"  read {total:,} rows; checking them",
                file=sys.stderr,
            )

    with ctx.uow() as uow:
        count = imports.import_file(uow, args.kind, args.file, today=args.date, progress=shown)
    print(f"Imported {count:,} {'row' if count == 1 else 'rows'} of {args.kind} from {args.file}")
    return 0


def _post(ctx: AppContext, args: argparse.Namespace) -> int:
    def show(done: int, total: int) -> None:
        print(f"  posted {done}/{total} lines", file=sys.stderr)

    with ctx.uow() as uow:
        result = posting.post_slips(uow, args.slip, today=args.date, progress=show if not args.slip else None)
    print(
        f"Posted {result.slips} slips, {result.lines} lines: {result.entries} journal entries "
        f"({result.rerate_entries} re-rate)"
    )
    return 0


def _export_journal(ctx: AppContext, args: argparse.Namespace) -> int:
    filters = {
        "--from": args.date_from,
        "--to": args.date_to,
        "--posted-from": args.posted_from,
        "--posted-to": args.posted_to,
        "--source": args.source,
    }
    for first, last in (("--from", "--to"), ("--posted-from", "--posted-to")):
        if filters[first] is not None and filters[last] is not None:
            start, end = reports.posted_window(filters[first], filters[last])  # whole days, or seconds
            if start >= end:  # type: ignore[operator]
                print(f"error: {first} is after {last}", file=sys.stderr)
                return 2
    if args.reprint is not None:
        given = [name for name, value in filters.items() if value is not None]
        if given:
            print(f"error: --reprint writes a whole export; it takes no {', '.join(given)}", file=sys.stderr)
            return 2
        with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=TABLE_SUFFIXES) as temp:
            with ctx.uow() as uow:
                n = journal_exports.reprint(uow, args.reprint, temp)
        print(f"Wrote export {args.reprint} again: {n} journal lines to {args.out}")
        return 0
    selection = (args.date_from, args.date_to, args.source)
    if args.new:
        with ctx.uow() as uow:
            record = journal_exports.export_new(
                uow, args.out, *selection, posted_from=args.posted_from, posted_to=args.posted_to, replace=args.force
            )
        if record is None:
            chosen = " selected" if any(v is not None for v in filters.values()) else ""
            print(
                f"No journal lines to export: every line{chosen} is in an export already "
                f"(no file written, no export recorded)"
            )
            return 0
        print(
            f"Export {record.export_no}: wrote {record.line_count} journal lines to {args.out} "
            f"(debit {record.total_debit:,.2f}, credit {record.total_credit:,.2f})"
        )
        return 0
    with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=TABLE_SUFFIXES) as temp:
        with ctx.uow() as uow:
            lines = reports.journal_lines(uow, *selection, posted_from=args.posted_from, posted_to=args.posted_to)
        n = journal_exports.write_journal(temp, (values for _id, values in lines))
    print(f"Wrote {n} journal lines to {args.out}")
    return 0


def _statement(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import statement_files

    if args.date_from > args.date_to:
        print("error: --from is after --to", file=sys.stderr)
        return 2
    if args.every_vendor and not args.all:
        print("error: --every-vendor goes with --all", file=sys.stderr)
        return 2
    if args.all:

        def show(done: int, total: int) -> None:
            if done == total or done % 100 == 0:
                print(f"  {done}/{total} statements", file=sys.stderr)

        paths = statement_files.write_statements(
            ctx, args.date_from, args.date_to, args.out, every_vendor=args.every_vendor, progress=show, force=args.force
        )
        print(f"Wrote {len(paths)} vendor statements to {args.out}")
        return 0
    with ctx.uow() as uow:
        pages = statement_files.write_statement(
            uow, args.vendor, args.date_from, args.date_to, args.out, force=args.force
        )
    print(f"Wrote the statement of {args.vendor} ({pages} pages) to {args.out}")
    return 0


COMMANDS: dict[str, Callable[[AppContext, argparse.Namespace], int]] = {
    "db": _db,
    "user": user_command,
    "backup": _backup_or_restore,
    "restore": _backup_or_restore,
    "demo": _demo,
    "import": _import,
    "post": _post,
    "rerate": rerate_command,
    "audit": audit_command,
    "audit-trail": audit_trail_command,
    "export": _export_journal,
    "report": report_command,
    "statement": _statement,
    "agreement": agreement_command,
    "close": close_command,
    "actual": actual_command,
    "invoice": invoice_command,
    "invoices": invoices_command,
    **SETTLEMENT_COMMANDS,
    **BALANCE_COMMANDS,
    **PAYABLES_COMMANDS,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except ValidationFailed as exc:
        print(f"error: {len(exc.problems)} problem(s), nothing was written:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except OutputRefused as exc:  # the --out (or backup) file given: like a wrong argument
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ServiceError, SchemaTooNew) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ArgumentError, OperationalError, InterfaceError) as exc:
        print(f"error: cannot use the database: {getattr(exc, 'orig', None) or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
