"""`coop report`: estimated rebates (SPEC §8), provisional exposure (§12) and the negotiation
preview of an agreement (issue 14), each to .pdf, .xlsx or .csv by the --out file's extension."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app.cli.arguments import iso_date
from app.services import estimated
from app.services.context import AppContext
from app.services.errors import NotFound
from app.services.outfile import output_file, protected_files

_date = iso_date


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = sub.add_parser("report", help="reports").add_subparsers(dest="report_command", required=True)
    est = rep.add_parser("estimated", help="estimated rebates per vendor, kind and ladder")
    est.add_argument("--out", required=True, type=Path, help="the .pdf, .xlsx or .csv file to write")
    est.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    est.add_argument("--as-of", type=_date, help="volume to this date (default today)")
    est.add_argument("--vendor", help="only this vendor code")
    est.add_argument("--from", dest="date_from", type=_date, help="count receipts from this date")

    prov = rep.add_parser("provisional", help="provisional exposure per vendor and kind (SPEC §12)")
    prov.add_argument("--out", required=True, type=Path, help="the .pdf, .xlsx or .csv file to write")
    prov.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    prov.add_argument("--as-of", type=_date, help="receipts to this date (default today)")
    prov.add_argument("--vendor", help="only this vendor code")

    card = rep.add_parser("scorecard", help="financial scorecard per vendor: defects, payments on time (SPEC §16)")
    card.add_argument("--from", dest="date_from", type=_date, required=True, help="first day of the period")
    card.add_argument("--to", dest="date_to", type=_date, required=True, help="last day of the period")
    card.add_argument("--vendor", help="only this vendor code")
    card.add_argument("--out", required=True, type=Path, help="the .pdf, .xlsx or .csv file to write")
    card.add_argument("--force", action="store_true", help="replace the --out file if it exists")

    neg = rep.add_parser("negotiation", help="what an agreement would have earned on the vendor's receipts")
    neg.add_argument("--vendor", required=True, help="vendor code")
    neg.add_argument("--kind", required=True, type=str.upper, help="agreement kind")
    neg.add_argument("--no", dest="number", help="agreement number (default: the vendor's first of the kind)")
    neg.add_argument("--from", dest="date_from", type=_date, help="receipts from (default: a year before --to)")
    neg.add_argument("--to", dest="date_to", type=_date, help="receipts to (default today)")
    neg.add_argument("--out", required=True, type=Path, help="the .pdf, .xlsx or .csv file to write")
    neg.add_argument("--force", action="store_true", help="replace the --out file if it exists")


def _report_estimated(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.reports.estimated_pdf import SUFFIXES, EstimatedFilters, write_estimated
    from app.services import masterdata

    as_of = args.as_of or date.today()
    # The file is checked before the report is read: a refusal comes at once.
    with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=SUFFIXES) as temp:
        with ctx.uow() as uow:
            rows = estimated.estimated_rebates(uow, as_of, args.vendor, args.date_from)
            company = masterdata.company(uow).name
        n = write_estimated(temp, rows, company=company, filters=EstimatedFilters(as_of, args.vendor, args.date_from))
    print(f"Wrote {n} ladders to {args.out}")
    return 0


def report_command(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.report_command == "provisional":
        return _report_provisional(ctx, args)
    if args.report_command == "negotiation":
        return _report_negotiation(ctx, args)
    if args.report_command == "scorecard":
        return _report_scorecard(ctx, args)
    return _report_estimated(ctx, args)


def _report_negotiation(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.reports.negotiation_pdf import SUFFIXES, write_negotiation
    from app.services import agreement_views, masterdata, negotiation

    with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=SUFFIXES) as temp:
        with ctx.uow() as uow:
            agreement_id = agreement_views.find_agreement(uow, args.vendor, args.kind, args.number)
            if agreement_id is None:
                number = f" {args.number}" if args.number else ""
                raise NotFound(f"Agreement{number}: vendor {args.vendor} has no {args.kind} agreement{number}")
            data = negotiation.preview_agreement(uow, agreement_id, args.date_from, args.date_to)
            company = masterdata.company(uow).name
        write_negotiation(temp, data, company=company)
    print(
        f"Agreement {data.agreement_no} of {data.vendor} ({data.kind}): would have earned {data.would_earn:,.2f} "
        f"on receipts {data.date_from} to {data.date_to}; they earn {data.earns_now:,.2f} today. Wrote {args.out}"
    )
    return 0


def _report_provisional(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.reports.provisional_pdf import SUFFIXES, write_exposure
    from app.services import masterdata, provisional_report

    as_of = args.as_of or date.today()
    with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=SUFFIXES) as temp:
        with ctx.uow() as uow:
            rows = provisional_report.provisional_exposure(uow, as_of, args.vendor)
            company = masterdata.company(uow).name
        n = write_exposure(temp, rows, company=company, as_of=as_of, vendor=args.vendor)
    print(f"Wrote {n} vendor and kind rows to {args.out}")
    return 0


def _report_scorecard(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.reports.scorecard_pdf import SUFFIXES, write_scorecard
    from app.services import masterdata, scorecard

    with output_file(args.out, force=args.force, protect=protected_files(ctx), suffixes=SUFFIXES) as temp:
        with ctx.uow() as uow:
            card = scorecard.scorecard(uow, args.date_from, args.date_to, args.vendor)
            company = masterdata.company(uow).name
        n = write_scorecard(temp, card, company=company)
    print(f"Wrote the scorecard of {n} vendors ({args.date_from} to {args.date_to}) to {args.out}")
    return 0
