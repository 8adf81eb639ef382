"""`coop demo`: the demo company, loaded from import files like real input.

Northshore Building Supply Ltd, a building-materials and hardware distributor in North
Vancouver, buys from eight vendors (gypsum board, lumber, insulation, roofing, fasteners,
tools, masonry, steel framing): a four-level category tree, about 350 products, the GL
accounts and reference, co-op/volume/periodic/damage/freight agreements (marginal and Retro
ladders, a degressive line, product ladders overriding group ladders, M/Q/Y periods,
Product %), provisional rates (co-op on steel framing, whose vendor has no co-op agreement;
freight everywhere but where an agreement covers it) and a vendor waived from freight, a
lump sum (a flyer placement) and a price-protection agreement with one price change, about
600 receiving slips, all posted, and a few draft slips of today for a clerk to post.

The company is data: resources/demo/ holds it as the import files of SPEC §9 (its README
says how they were made), and the load imports them with the service of `coop import`,
in the order of FILES, posts the receipts, then imports today's drafts (DRAFTS).
demo.json names the company and the day the files are dated for (`written_for`, the first
of a month).

Dates. In the files, the agreements run the twelve months ending with the month of
`written_for`, the receipts fill the eleven whole months before it and the drafts are
dated that day. The load moves every date by the whole months from `written_for` to today
(`move_months`: the day of the month is kept, clamped to the month's length, and a month's
last day stays the last day) and dates the drafts today. So, on any day, the agreements
run the twelve months ending with this month, every posted receipt is before today and the
drafts accrue. A receipt keeps its month, so the monthly volumes are always those of the
files; quarters and years are the calendar quarters and years of the moved dates, as they
were for the program year the old generator made for each month. (Moving by whole years
would keep the quarters too, but leave the agreements expired and today's drafts outside
them for most of the year.)

All or nothing: the whole load is one transaction (UnitOfWork.one_transaction), so a
failure leaves the database as it was and the demo can be loaded again.
"""

from __future__ import annotations

import calendar
import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import func, select

from app.domain.vocabulary import DRAFT
from app.models import Agreement, AgreementLine, Product, ReceivingSlip, Vendor
from app.paths import resource

from . import masterdata, posting
from .context import UnitOfWork
from .errors import ImportFailed, Problem, ServiceError
from .imports import import_file
from .security import Permission, require

# Found beside the package, as the fonts are (app/reports/pdf_common.py).
DEMO_DIR = resource("demo")
# (kind, file) in the order they import; the receipts are posted after the last one.
FILES = (
    ("gl-accounts", "gl-accounts.csv"),
    ("gl-reference", "gl-reference.csv"),
    ("categories", "categories.csv"),
    ("vendors", "vendors.csv"),
    ("products", "products.csv"),
    ("agreements", "agreements.csv"),
    ("agreements", "agreements-accepted.csv"),  # the manager accepts a signed PENDING agreement
    ("agreements", "agreements-part2.csv"),  # a lump sum and a price-protection agreement (SPEC §11.2)
    ("provisional-rates", "provisional-rates.csv"),  # what accrues where no agreement covers (SPEC §12)
    ("waivers", "waivers.csv"),
    ("price-changes", "price-changes.csv"),  # a price decrease inside the price-protection scope: a claim
    ("receipts", "receipts.csv"),
)
DRAFTS = ("receipts", "receipts-drafts.csv")  # imported after posting: they stay drafts
DATE_COLUMNS = {
    "agreements": ("start_date", "end_date"),
    "receipts": ("received_date",),
    "provisional-rates": ("from_date", "to_date"),
    "waivers": ("from_date", "to_date"),
    "price-changes": ("effective_date",),
}


@dataclass(frozen=True)
class DemoFiles:
    folder: Path
    company: str
    currency: str
    address: str
    written_for: date
    remit_to: str = ""


def demo_files(folder: Path = DEMO_DIR) -> DemoFiles:
    """The demo's metadata (demo.json)."""
    meta = json.loads((folder / "demo.json").read_text(encoding="utf-8"))
    company = meta["company"]
    return DemoFiles(
        folder,
        company["name"],
        company["currency"],
        company.get("address", ""),
        date.fromisoformat(meta["written_for"]),
        company.get("remit_to", ""),
    )


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start's month to end's month."""
    return (end.year - start.year) * 12 + end.month - start.month


def move_months(day: date, months: int) -> date:
    """day moved by whole months: the same day of the month, at most the month's last day;
    the last day of a month stays the last day (an agreement ending 30 June ends 31 July)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if month_end else min(day.day, last))


def _dated_copy(source: Path, target: Path, columns: tuple[str, ...], move: Callable[[date], date]) -> Path:
    """The file with its date columns moved (the other cells as they are)."""
    with open(source, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh, strict=True))
    where = [i for i, name in enumerate(rows[0]) if name in columns]
    for row in rows[1:]:
        for i in where:
            if i < len(row) and row[i]:
                row[i] = move(date.fromisoformat(row[i])).isoformat()
    with open(target, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return target


def _import(uow: UnitOfWork, kind: str, path: Path, today: date) -> None:
    try:
        import_file(uow, kind, path, today=today)
    except ImportFailed as exc:  # name the demo's file: the row numbers are its own
        raise ImportFailed([Problem(f"{path.name} {p.record}", p.field, p.message) for p in exc.problems]) from None


def load_demo(uow: UnitOfWork, *, if_empty: bool = False, today: date | None = None, folder: Path = DEMO_DIR) -> str:
    """Load the demo company from its files, dated for today; returns a one-line summary.

    Refuses a database that already has vendors (with if_empty: does nothing and says so).
    """
    session = uow.session
    require(uow, Permission.ADMIN)
    vendors = session.scalar(select(func.count()).select_from(Vendor)) or 0
    if vendors:
        session.rollback()
        if if_empty:
            return f"Demo not loaded: the database already has {vendors:,} vendors."
        raise ServiceError(
            f"The database already has {vendors:,} vendors; the demo company loads only into an "
            "empty database (use a new database file, or --if-empty to skip)."
        )
    today = today or date.today()
    files = demo_files(folder)
    months = months_between(files.written_for, today)

    def dated(name: str, kind: str, tmp: Path, move: Callable[[date], date]) -> Path:
        return _dated_copy(files.folder / name, tmp / name, DATE_COLUMNS.get(kind, ()), move)

    with TemporaryDirectory(prefix="coop-demo-") as tmp, uow.one_transaction():
        masterdata.set_company(uow, files.company, files.currency, files.address, files.remit_to)
        for kind, name in FILES:
            _import(uow, kind, dated(name, kind, Path(tmp), lambda d: move_months(d, months)), today)
        received = list(session.scalars(select(ReceivingSlip.slip_no).where(ReceivingSlip.status == DRAFT)))
        result = posting.post_slips(uow, received, today=today)
        kind, name = DRAFTS
        _import(uow, kind, dated(name, kind, Path(tmp), lambda _d: today), today)

    n_vendors = session.scalar(select(func.count()).select_from(Vendor)) or 0
    n_products = session.scalar(select(func.count()).select_from(Product)) or 0
    n_agreements = session.scalar(select(func.count()).select_from(Agreement)) or 0
    ladders = (
        select(
            AgreementLine.agreement_id,
            AgreementLine.product_id,
            AgreementLine.cat1,
            AgreementLine.cat2,
            AgreementLine.cat3,
            AgreementLine.cat4,
            AgreementLine.start_date,
            AgreementLine.end_date,
        )
        .distinct()
        .subquery()
    )
    n_ladders = session.scalar(select(func.count()).select_from(ladders)) or 0
    n_drafts = session.scalar(select(func.count()).select_from(ReceivingSlip).where(ReceivingSlip.status == DRAFT)) or 0
    session.rollback()
    return (
        f"Demo company loaded: {n_vendors:,} vendors, {n_products:,} products, "
        f"{n_agreements:,} agreements ({n_ladders:,} ladders), {result.lines:,} receipt lines "
        f"posted ({result.slips:,} slips), {n_drafts:,} draft slips"
    )
