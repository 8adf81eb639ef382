"""Numbered journal exports for the general ledger (SPEC §9: `coop export journal --new`).

An export by entry date misses what is posted later with an earlier date: a slip
received in January and posted after January was exported, or a re-rate. `export_new`
exports every journal line that no export carried yet and records the export: its
number (consecutive, without gaps), time, user, line count, totals, and the lines it
carried. No line is carried twice: journal_export_line has the line as its primary key,
and `--new` exports run one at a time (db.one_writer_at_a_time).

The file is written under a temporary name before the record is committed and renamed
after the commit: no file ever exists for an export that was rolled back, and a recorded
export can always be printed again (`reprint`), with the same lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.adapters.bulk import BulkWriter, column_type, table_of
from app.adapters.db import one_writer_at_a_time, transaction_time
from app.adapters.types import ScaledDecimal, from_units
from app.domain.money import ZERO, fmt_money
from app.models import JournalExport, JournalExportLine, JournalLine

from .context import UnitOfWork
from .errors import NotFound, OutputFailed, ServiceError
from .exports import TABLE_SUFFIXES as FORMATS
from .exports import write_table
from .outfile import check_target, output_file, protected_files
from .reports import JOURNAL_COLUMNS, Moment, journal_lines
from .security import Permission, require

DEBIT, CREDIT = JOURNAL_COLUMNS.index("debit"), JOURNAL_COLUMNS.index("credit")
TOTAL_UNITS = column_type(JournalExport, "total_debit", ScaledDecimal).max_units  # what both databases hold, in cents


@dataclass(frozen=True)
class ExportRecord:
    export_no: int
    exported_at: datetime  # UTC
    exported_by: str
    line_count: int
    total_debit: Decimal
    total_credit: Decimal
    file_name: str  # where the export was first written


def write_journal(path: str | Path, rows: Iterable[Sequence[object]]) -> int:
    """Journal rows (values in JOURNAL_COLUMNS order) to .csv or .xlsx; returns the row count."""
    return write_table(path, JOURNAL_COLUMNS, rows, sheet="Journal", money_columns=("debit", "credit"))


def _total(rows: Sequence[Sequence[object]], column: int) -> Decimal:
    """The sum of a money column of journal rows (journal_lines gives Decimals there)."""
    total = ZERO
    for row in rows:
        value = row[column]
        if not isinstance(value, Decimal):
            raise TypeError(f"journal column {JOURNAL_COLUMNS[column]} holds {value!r}, not a Decimal")
        total += value
    return total


def _record(row: JournalExport) -> ExportRecord:
    return ExportRecord(
        row.export_no,
        row.exported_at,
        row.exported_by,
        row.line_count,
        row.total_debit,
        row.total_credit,
        row.file_name,
    )


def list_exports(uow: UnitOfWork) -> list[ExportRecord]:
    """Every recorded export, the latest first."""
    require(uow, Permission.REPORTS)
    return [_record(r) for r in uow.session.scalars(select(JournalExport).order_by(JournalExport.export_no.desc()))]


def lines_not_exported(uow: UnitOfWork) -> int:
    """How many journal lines the next `--new` export would carry (those committed by now)."""
    require(uow, Permission.REPORTS)
    return uow.session.execute(
        select(func.count())
        .select_from(JournalLine)
        .outerjoin(JournalExportLine, JournalExportLine.line_id == JournalLine.id)
        .where(JournalExportLine.line_id.is_(None))
    ).scalar_one()


def export_new(
    uow: UnitOfWork,
    path: str | Path,
    date_from: date | None = None,
    date_to: date | None = None,
    source: str | None = None,
    *,
    posted_from: Moment | None = None,
    posted_to: Moment | None = None,
    replace: bool = False,
) -> ExportRecord | None:
    """Export the journal lines no export carried yet (of those the filters select, if any)
    to `path` and record them as the next numbered export. None, with nothing recorded and
    no file written, when there is no such line. replace: the user agreed to replace an
    existing file (a file dialog asked)."""
    require(uow, Permission.EXPORT_GL)
    protect = protected_files(uow.ctx)
    target = check_target(path, force=replace, protect=protect, suffixes=FORMATS)  # before anything is read
    session = uow.session
    one_writer_at_a_time(session.connection(), JournalExport.__tablename__)
    # Read after the lock: the export before this one has committed, and each statement of
    # a READ COMMITTED transaction sees what was committed before it began, so its lines
    # are seen as exported. Lines another workstation has not committed yet are not seen:
    # they stay unexported, for the next export. (An "id above the last exported id" mark
    # would miss them for good: ids are drawn before commit, so they commit out of order.)
    export_no = (session.scalar(select(func.max(JournalExport.export_no))) or 0) + 1
    lines = journal_lines(
        uow, date_from, date_to, source, posted_from=posted_from, posted_to=posted_to, unexported=True
    )
    if not lines:
        return None
    rows = [(*values[:-1], export_no) for _id, values in lines]  # export_no is the last column
    totals = (_total(rows, DEBIT), _total(rows, CREDIT))
    largest = from_units(TOTAL_UNITS, -2)
    if max(totals) > largest:
        raise ServiceError(
            f"Journal export {export_no} would total {fmt_money(max(totals))}, more than an export "
            f"records ({fmt_money(largest)}); export in parts, e.g. with --posted-to "
            "(nothing was exported)"
        )
    record = ExportRecord(
        export_no, transaction_time(session.connection()), uow.user, len(rows), *totals, str(target.absolute())
    )
    session.add(JournalExport(**asdict(record)))
    session.flush()
    BulkWriter(session).insert(
        table_of(JournalExportLine), ("line_id", "export_no"), [(line_id, export_no) for line_id, _values in lines]
    )
    committed = False
    try:
        with output_file(target, force=replace, protect=protect, suffixes=FORMATS) as partial:
            write_journal(partial, rows)
            uow.commit()  # the file is renamed into place only once the export is recorded
            committed = True
    except OutputFailed as exc:
        if committed:
            raise ServiceError(
                f"Journal export {export_no} is recorded, but its file was not written ({exc}); "
                f"print it again: coop export journal --reprint {export_no} --out FILE"
            ) from None
        raise
    return record


def reprint(uow: UnitOfWork, export_no: int, path: str | Path) -> int:
    """Write the lines of a recorded export again (with their export_no); returns the count."""
    require(uow, Permission.REPORTS)
    record = uow.session.get(JournalExport, export_no)
    if record is None:
        raise NotFound(f"Journal export {export_no} does not exist")
    lines = journal_lines(uow, export_no=export_no)
    if len(lines) != record.line_count:  # both tables are append-only: a damaged database
        raise ServiceError(
            f"Journal export {export_no} recorded {record.line_count} lines, but {len(lines)} are linked to it"
        )
    return write_journal(path, (values for _id, values in lines))
