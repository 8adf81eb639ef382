"""`coop import provisional-rates` and `coop import waivers` (SPEC §12, §18): the rows read,
checked by row and column, and saved through app.services.provisional (all or nothing)."""

from __future__ import annotations

from datetime import date

from . import provisional
from .context import UnitOfWork
from .errors import ImportFailed, Problem
from .tabular import Cells, Row


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ImportFailed(problems)


def rates(uow: UnitOfWork, rows: list[Row], today: date | None) -> int:
    problems: list[Problem] = []
    records = []
    for row in rows:
        c = Cells(row, problems)
        kind, start, end, cat1 = c.text("kind", True).upper(), c.date("from_date"), c.date("to_date"), c.text("cat1")
        rate = c.decimal("rate", required=True)
        if start is not None and end is not None and rate is not None:
            records.append(provisional.RateIn(kind, start, end, cat1, rate, row.label))
    _raise(problems)
    provisional.save_rates(uow, records, today=today)
    return len(rows)


def waivers(uow: UnitOfWork, rows: list[Row], today: date | None) -> int:
    problems: list[Problem] = []
    records = []
    for row in rows:
        c = Cells(row, problems)
        vendor, kind = c.text("vendor_code", True), c.text("kind", True).upper()
        start, end = c.date("from_date"), c.date("to_date")
        if start is not None and end is not None:
            records.append(provisional.WaiverIn(vendor, kind, start, end, row.label))
    _raise(problems)
    provisional.save_waivers(uow, records, today=today)
    return len(rows)
