"""`coop import provisional-rates` and `coop import waivers` (SPEC §12, §18): the rows read,
checked by row and column, and saved through app.services.provisional (all or nothing)."""

from __future__ import annotations

from datetime import date

from . import provisional
from .context import UnitOfWork
from .errors import ImportFailed, Problem
from .tabular import Cells, Row


def _raise(problems: list[Problem]) -> None:
    """Every problem of the file at once, in row order: the cells' and the records'."""
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: _row_number(p.record)))


def _row_number(record: str) -> int:
    number = record.removeprefix("row ").split(" ", 1)[0]
    return int(number) if number.isdigit() else 0


def rates(uow: UnitOfWork, rows: list[Row], today: date | None) -> int:
    problems: list[Problem] = []
    records = []
    for row in rows:
        c = Cells(row, problems)
        kind, start, end, cat1 = c.text("kind", True).upper(), c.date("from_date"), c.date("to_date"), c.text("cat1")
        rate = c.decimal("rate", required=True)
        if kind and start is not None and end is not None and rate is not None:
            records.append(provisional.RateIn(kind, start, end, cat1, rate, row.label))
    if problems:  # the complete rows are checked too, so that every problem is said at once
        _raise(problems + provisional.check_rates(uow, records)[0])
    provisional.save_rates(uow, records, today=today)
    return len(rows)


def waivers(uow: UnitOfWork, rows: list[Row], today: date | None) -> int:
    problems: list[Problem] = []
    records = []
    for row in rows:
        c = Cells(row, problems)
        vendor, kind = c.text("vendor_code", True), c.text("kind", True).upper()
        start, end = c.date("from_date"), c.date("to_date")
        if vendor and kind and start is not None and end is not None:
            records.append(provisional.WaiverIn(vendor, kind, start, end, row.label))
    if problems:
        _raise(problems + provisional.check_waivers(uow, records)[0])
    provisional.save_waivers(uow, records, today=today)
    return len(rows)
