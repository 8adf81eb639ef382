"""`coop payment`, `coop credit-note`, `coop write-off` and `coop dispute file|accept|reject`
(SPEC §14, §18): settling co-op invoices and disputing them. A refusal prints one line per
problem on stderr and exits 1, having written nothing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.domain.money import D, decimal_places
from app.domain.vocabulary import DISPUTE_REASONS
from app.services.context import AppContext
from app.services.errors import ServiceError, ValidationFailed

Command = Callable[[AppContext, argparse.Namespace], int]


def money(text: str) -> Decimal:
    """An amount as a plain decimal with at most 2 decimals (1050, 1050.00); anything else is a
    usage error naming the value."""
    try:
        if "," in text:
            raise ValueError(text)
        value = D(text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an amount (a plain decimal with a dot, e.g. 1050.00)"
        ) from None
    if decimal_places(value) > 2:
        raise argparse.ArgumentTypeError(f"{text!r} has more than 2 decimals")
    return value


def _invoices(values: Sequence[Sequence[str]] | None) -> list[str]:
    """--invoice NO… given once with several numbers, or repeated."""
    return [no for group in values or () for no in group]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], as_date: Callable[[str], date]) -> None:
    pay = sub.add_parser("payment", help="record a vendor's cheque against named co-op invoices (SC)")
    pay.add_argument("--vendor", required=True, help="vendor code")
    pay.add_argument("--date", required=True, type=as_date, help="the payment's date")
    pay.add_argument("--amount", required=True, type=money)
    pay.add_argument("--currency", required=True, type=str.upper, help="ISO 4217; must be the invoices' currency")
    pay.add_argument("--ref", required=True, help="the cheque's reference")
    pay.add_argument(
        "--invoice", required=True, nargs="+", action="append", metavar="NO",
        help="the invoices it pays, in the order the amount is applied (several, or repeated)",
    )  # fmt: skip

    note = sub.add_parser("credit-note", help="record a vendor's credit note against named co-op invoices (NC)")
    note.add_argument("--vendor", required=True, help="vendor code")
    note.add_argument("--date", required=True, type=as_date, help="the credit note's date")
    note.add_argument("--amount", required=True, type=money)
    note.add_argument("--ref", required=True, help="the vendor's credit-note number")
    note.add_argument("--invoice", required=True, nargs="+", action="append", metavar="NO")

    off = sub.add_parser("write-off", help="write off (part of) an invoice's open amount")
    off.add_argument("invoice", metavar="NO", help="the co-op invoice number")
    off.add_argument("--amount", required=True, type=money)
    off.add_argument("--reason", required=True)
    off.add_argument("--date", type=as_date, help="the write-off's date (default today)")

    dis = sub.add_parser("dispute", help="file, accept or reject a dispute of a co-op invoice").add_subparsers(
        dest="dispute_command", required=True
    )
    file = dis.add_parser("file", help="file a vendor's dispute; prints its Dispute ID")
    file.add_argument("--invoice", required=True, metavar="NO")
    file.add_argument("--reason", required=True, type=str.upper, help=", ".join(DISPUTE_REASONS))
    file.add_argument("--amount", required=True, type=money)
    file.add_argument("--title", required=True)
    file.add_argument("--summary", required=True)
    file.add_argument(
        "--attach", nargs="+", action="append", type=Path, metavar="F",
        help="supporting documents: PDF, PNG, JPEG, XLSX or CSV, at most 10 MB each",
    )  # fmt: skip
    file.add_argument("--date", type=as_date, help="the filing date (default today)")
    accept = dis.add_parser("accept", help="accept a dispute: a credit memo for all or part of it")
    accept.add_argument("dispute_no", metavar="ID")
    accept.add_argument("--amount", type=money, help="the part accepted (default: all of it)")
    accept.add_argument("--date", type=as_date, help="the answer's date (default today)")
    reject = dis.add_parser("reject", help="reject a dispute, with the reason")
    reject.add_argument("dispute_no", metavar="ID")
    reject.add_argument("--reason", required=True)
    reject.add_argument("--date", type=as_date, help="the answer's date (default today)")


def _refused(command: Command) -> Command:
    """The command, with each refusal printed as one line on stderr: exit 1."""

    def run(ctx: AppContext, args: argparse.Namespace) -> int:
        try:
            return command(ctx, args)
        except ValidationFailed as exc:
            for problem in exc.problems:
                print(f"error: {problem}; nothing was written", file=sys.stderr)
            return 1
        except ServiceError as exc:
            message = str(exc)
            tail = "" if "nothing was" in message else "; nothing was written"
            print(f"error: {message}{tail}", file=sys.stderr)
            return 1

    return run


@_refused
def payment_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import settlement

    with ctx.uow() as uow:
        if args.command == "payment":
            result = settlement.record_payment(
                uow, args.vendor, args.date, args.amount, args.currency, args.ref, _invoices(args.invoice)
            )
        else:
            result = settlement.record_credit_note(
                uow, args.vendor, args.date, args.amount, args.ref, _invoices(args.invoice)
            )
    _show(result)
    return 0


@_refused
def write_off_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import settlement

    with ctx.uow() as uow:
        result = settlement.write_off(uow, args.invoice, args.amount, args.reason, args.date or date.today())
    _show(result)
    return 0


def _show(result: object) -> None:
    from app.services.settlement import SettlementResult

    assert isinstance(result, SettlementResult)
    print(
        f"{result.kind} {result.reference} of {result.vendor_code} on {result.settle_date.isoformat()}: "
        f"{result.amount:,.2f} {result.currency} (journal entry {result.entry_id})"
    )
    for inv in result.invoices:
        print(f"  {inv.invoice_no}  applied {inv.applied:,.2f}  open {inv.open:,.2f}  {inv.status}")


@_refused
def dispute_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.services import disputes

    day = args.date or date.today()
    with ctx.uow() as uow:
        if args.dispute_command == "file":
            attachments = [path for group in args.attach or () for path in group]
            view = disputes.file_dispute(
                uow, args.invoice, args.reason, args.amount, args.title, args.summary, attachments, day
            )
            print(view.dispute_no)  # the Dispute ID alone: scripts read it
            return 0
        if args.dispute_command == "accept":
            view = disputes.accept_dispute(uow, args.dispute_no, args.amount, day)
            print(f"{view.dispute_no} {view.status}: {view.resolved_amount:,.2f} credited to {view.invoice_no}")
            return 0
        view = disputes.reject_dispute(uow, args.dispute_no, args.reason, day)
    print(f"{view.dispute_no} {view.status}: {view.resolution_reason}")
    return 0


COMMANDS: dict[str, Command] = {
    "payment": payment_command,
    "credit-note": payment_command,
    "write-off": write_off_command,
    "dispute": dispute_command,
}
