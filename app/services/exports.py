"""Writing tables to CSV or XLSX, safe to open in a spreadsheet.

Text a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a
leading apostrophe in both formats. In XLSX, numbers stay numeric cells with a number
format, dates are real dates, the header row is bold and frozen, and columns are sized
to their content.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import Problem, ValidationFailed

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DECIMAL_FORMAT = "#,##0.00##"
DATE_FORMAT = "yyyy-mm-dd"
WIDTH_SAMPLE = 2000  # rows looked at to size the columns
MAX_WIDTH = 60


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(value))


def _csv_text(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS) else value


def _csv_decimal(value: Decimal) -> str:
    return format(value, "f")


def _csv_date(value: date) -> str:
    return value.isoformat()


def _csv_same(value: object) -> object:
    return value  # None and int: the csv module writes them as "" and digits


# The common exact types, converted without the isinstance chain; anything else (subclasses
# included) goes through _csv_cell.
_CSV_CELL: dict[type, Callable[[Any], object]] = {
    str: _csv_text, Decimal: _csv_decimal, date: _csv_date, int: _csv_same, type(None): _csv_same,
}  # fmt: skip


def _csv_row(row: Sequence[object]) -> list[object]:
    get = _CSV_CELL.get
    return [get(type(v), _csv_cell)(v) for v in row]


def _shown(value: object, number_format: str | None) -> str:
    """About what a spreadsheet shows, to size the column."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if number_format == MONEY_FORMAT else f"{value:,}"
    if isinstance(value, date):
        return "0000-00-00"
    return "" if value is None else str(value)


def write_table(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[object]],
                *, sheet: str = "Sheet1", money_columns: Sequence[str] = (),
                formats: Mapping[str, str] | None = None) -> int:
    """Write columns and rows to .csv or .xlsx (by extension); returns the row count.

    money_columns get the #,##0.00 format; formats maps other columns to a number format.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationFailed([Problem(str(path), "--out", "the file must end in .csv or .xlsx")])
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        count = 0
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in rows:  # streamed: rows may be a generator
                writer.writerow(_csv_row(row))
                count += 1
        return count
    number_formats = {c: MONEY_FORMAT for c in money_columns} | dict(formats or {})
    return _write_xlsx(path, columns, list(rows), sheet, [number_formats.get(c) for c in columns])


def _write_xlsx(path: Path, columns: Sequence[str], rows: list[Sequence[object]], sheet: str,
                number_formats: list[str | None]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    widths = [len(c) + 2 for c in columns]
    for row in rows[:WIDTH_SAMPLE]:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(_shown(value, number_formats[i])) + 2)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), MAX_WIDTH)
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    bold, shade = Font(bold=True), PatternFill("solid", fgColor="E4E7EB")
    header = []
    for name in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill = bold, shade
        cell.alignment = Alignment(vertical="bottom")
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if isinstance(value, bool):
                value = "Y" if value else "N"
            cell = WriteOnlyCell(ws, value=neutralise(value))
            if isinstance(value, Decimal):
                cell.number_format = number_formats[i] or DECIMAL_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        ws.append(cells)
    book.save(path)
    return len(rows)
