"""Writing tables to CSV or XLSX, safe to open in a spreadsheet.

CSV: the header holds the plain column names; below it every text cell is quoted,
numbers are plain decimals with a dot and dates ISO YYYY-MM-DD, unquoted, and a missing
value is an empty cell. Text a spreadsheet would run as a formula (=, +, -, @, tab or
CR first, after any spaces and double quotes) gets an apostrophe in front, at the start
of the cell and after every character a spreadsheet may split a line on (comma,
semicolon, tab, pipe, line end): a spreadsheet that splits on `;` (French-Canadian Excel
does) opens the part after a `;` as a cell of its own, quotes or not.
XLSX: text cells are text, never formulas; one starting like a formula gets the same
apostrophe, and a control character XML cannot hold shows as U+FFFD. Numbers stay
numeric cells with a number format, dates are real dates, the header row is bold and
frozen, and columns are sized to their content.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .outfile import check_suffix

TABLE_SUFFIXES = (".xlsx", ".csv")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to a spreadsheet
SPLITS = (",", ";", "\t", "|", "\r", "\n")  # where a spreadsheet may start a new cell or row
_FORMULA = rf'[ "]*[{re.escape("".join(DANGEROUS))}]'
_AT_START = re.compile(_FORMULA)
_AT_EVERY_START = re.compile(rf"(?:^|(?<=[{re.escape(''.join(SPLITS))}]))(?={_FORMULA})")
MONEY_FORMAT = "#,##0.00"
DECIMAL_FORMAT = "#,##0.00##"
DATE_FORMAT = "yyyy-mm-dd"
WIDTH_SAMPLE = 2000  # rows looked at to size the columns
MAX_WIDTH = 60


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell or header holds it: a control character XML cannot hold shows as
    U+FFFD (it would stop the file), and text that starts like a formula gets an apostrophe."""
    return str(neutralise(_illegal_characters().sub("\ufffd", value)))


@cache
def _illegal_characters() -> re.Pattern[str]:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # openpyxl is read when an XLSX is written

    pattern: re.Pattern[str] = ILLEGAL_CHARACTERS_RE
    return pattern


def neutralise(value: object) -> object:
    """Text that starts like a formula gets a leading apostrophe (XLSX cells)."""
    if isinstance(value, str) and _AT_START.match(value):
        return "'" + value
    return value


def neutralise_csv(text: str) -> str:
    """An apostrophe before every part of the text that a spreadsheet splitting the line
    on any of SPLITS would open as a formula ("2x4 - 8ft" stays as it is, "Gypsum;=A1"
    becomes "Gypsum;'=A1")."""
    return _AT_EVERY_START.sub("'", text)


def _csv_text(value: str) -> str:
    return '"' + neutralise_csv(value).replace('"', '""') + '"'


def _csv_decimal(value: Decimal) -> str:
    return format(value, "f")


def _csv_date(value: date) -> str:
    return value.isoformat()


def _csv_empty(_value: None) -> str:
    return ""


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _csv_text("Y" if value else "N")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _csv_decimal(value)
    if isinstance(value, date):
        return _csv_date(value)
    return _csv_text(str(value))


# The common exact types, converted without the isinstance chain; anything else (subclasses
# included) goes through _csv_cell.
_CSV_CELL: dict[type, Callable[[Any], str]] = {
    str: _csv_text, Decimal: _csv_decimal, date: _csv_date, int: str, type(None): _csv_empty,
}  # fmt: skip


def _csv_line(row: Sequence[object]) -> str:
    get = _CSV_CELL.get
    return ",".join([get(type(v), _csv_cell)(v) for v in row]) + "\r\n"


def _shown(value: object, number_format: str | None) -> str:
    """About what a spreadsheet shows, to size the column."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if number_format == MONEY_FORMAT else f"{value:,}"
    if isinstance(value, date):
        return "0000-00-00"
    return "" if value is None else str(value)


def about(*parts: str) -> str:
    """What an XLSX export is of, for its page header and About sheet: the parts (title,
    company, as of and filters) joined by " · ", empty ones left out."""
    return " · ".join(p for p in parts if p)


def write_table(
    path: str | Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet: str = "Sheet1",
    money_columns: Sequence[str] = (),
    formats: Mapping[str, str] | None = None,
    about: str = "",
    totals: Sequence[Sequence[object]] = (),
) -> int:
    """Write columns and rows to .csv or .xlsx (by extension); returns the row count.

    The file at `path` is written as it is: callers write through
    app.services.outfile.output_file. money_columns get the #,##0.00 format; formats
    maps other columns to a number format.
    """
    path = check_suffix(path, TABLE_SUFFIXES)
    if path.suffix.lower() == ".csv":
        count = 0
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow(columns)  # the program's plain column names, as SPEC §9 lists them
            for row in rows:  # streamed: rows may be a generator
                fh.write(_csv_line(row))
                count += 1
        return count
    number_formats = {c: MONEY_FORMAT for c in money_columns} | dict(formats or {})
    book = _write_xlsx(path, columns, list(rows), sheet, [number_formats.get(c) for c in columns])
    return _finish_xlsx(path, book, sheet, about, totals)


def _finish_xlsx(path: Path, made: tuple[Any, int], sheet: str, about: str, totals: Sequence[Sequence[object]]) -> int:
    """XLSX for people (the CSV stays plain for machines): what the report is of (as of, the
    filters) in the printed page header, the book's title and subject and an About sheet;
    the totals on a Totals sheet. The table itself keeps its column names in row 1."""
    book, count = made
    if about:
        parts = [xlsx_text(part) for part in about.split(" · ")]  # a company named "=HYPERLINK(…)" stays text
        said = " · ".join(parts)
        book.worksheets[0].oddHeader.center.text = said.replace("&", "&&")  # & starts a header code
        book.properties.title, book.properties.subject = sheet, said
        note = book.create_sheet("About")
        for part in parts:
            note.append([part])
    if totals:
        _totals_sheet(book, totals)
    book.save(path)
    return count


def _totals_sheet(book: Any, totals: Sequence[Sequence[object]]) -> None:
    """The Totals sheet: its first row the headings, in bold; amounts as numbers in the money
    format; the label column as wide as its labels."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sums = book.create_sheet("Totals")
    sums.column_dimensions["A"].width = min(max(len(str(r[0])) for r in totals) + 2, MAX_WIDTH)
    for c in "BCDEFGH":
        sums.column_dimensions[c].width = 16
    bold = Font(bold=True)
    for i, row in enumerate(totals):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sums, value=xlsx_text(value) if isinstance(value, str) else value)
            if i == 0:
                cell.font = bold
            elif isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            cells.append(cell)
        sums.append(cells)


def _write_xlsx(
    path: Path, columns: Sequence[str], rows: list[Sequence[object]], sheet: str, number_formats: list[str | None]
) -> tuple[Any, int]:
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
            if isinstance(value, str):
                value = xlsx_text(value)
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, Decimal):
                cell.number_format = number_formats[i] or DECIMAL_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        ws.append(cells)
    return book, len(rows)
