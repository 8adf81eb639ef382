"""Reading import files (CSV or XLSX) into text cells, and parsing cells (SPEC §9)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from app.domain.money import D, decimal_places

from .errors import ImportFailed, Problem

_T = TypeVar("_T")


@dataclass
class Row:
    number: int  # spreadsheet row number (header is row 1)
    cells: dict[str, str]

    @property
    def label(self) -> str:
        return f"row {self.number}"


@dataclass
class Table:
    name: str
    rows: list[Row]


@dataclass(frozen=True)
class PercentCell:
    """A spreadsheet number formatted as a percent: the cell holds 0.035 and shows (and
    means) 3.5%. `percent` is the shown number, 3.5, exact."""

    percent: Decimal

    @property
    def text(self) -> str:
        return f"{self.percent:f}"


RawCell = str | PercentCell
# Text in a number format that is shown as it is, not read as a code: "quoted", \escaped,
# _ and * followed by a character (spacing and fill), [brackets] (colour, condition, locale).
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|[_*].|\[[^\]]*\]')


def shows_percent(number_format: str | None) -> bool:
    """Whether a number format multiplies by 100 and shows %, as Excel's `0%` and `0.00%`
    do (a % in quotes or after a backslash is literal text and does not)."""
    return bool(number_format) and "%" in _FORMAT_LITERALS.sub("", number_format or "")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheet numbers arrive as binary floats; repr is the shortest exact decimal
        # that reads back to the same float, which is what the user typed.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _xlsx_cell(value: object, number_format: str | None) -> RawCell:
    """A cell as text; a number formatted as a percent as the percent it shows (0.035 -> 3.5),
    shifted in Decimal from the number's shortest exact text, never by float arithmetic."""
    if isinstance(value, int | float) and not isinstance(value, bool) and shows_percent(number_format):
        return PercentCell(D(_cell_text(value)).scaleb(2))
    return _cell_text(value)


def _text(cell: RawCell) -> str:
    return cell.text if isinstance(cell, PercentCell) else cell


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([Problem(path.name, "", f"the file is not UTF-8 text (byte {exc.start})")]) from None
    if "\x00" in content:
        raise ImportFailed([Problem(path.name, "", "the file is not a CSV text file")])
    # strict: a quote left open (or text after a closing quote) is an error, not silently joined
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        return [list(r) for r in reader]
    except csv.Error as exc:
        raise ImportFailed(
            [Problem(path.name, "", f"the file is not valid CSV (line {reader.line_num}: {exc})")]
        ) from None


def _read_xlsx(path: Path) -> list[list[RawCell]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFailed([Problem(path.name, "", f"the file is not a valid .xlsx workbook ({exc})")]) from None
    sheet = book.worksheets[0]
    # Cells, not values_only: a read-only workbook keeps each cell's number format, which
    # tells a percent (0.02 shown as 2%) from a plain number.
    rows = [[_xlsx_cell(c.value, getattr(c, "number_format", None)) for c in row] for row in sheet.iter_rows()]
    book.close()
    return rows


def _resolve(raw: PercentCell, number: int, column: str, percent: Sequence[str], problems: list[Problem]) -> str:
    """A percent-formatted number's text for its column: the percent it shows in a percent
    column; anywhere else it is refused: 2% in Maximum Amount or a quantity means nothing a
    reader could guess (0.02 or 2), and silently taking either is how money goes wrong by a
    factor of 100."""
    if column in percent:
        return raw.text
    problems.append(
        Problem(
            f"row {number}",
            column,
            f"is formatted as a percent (shows {raw.text}%) but is not a "
            "percent column: format the cell as a plain number",
        )
    )
    return ""


def _cell(
    raw: Sequence[RawCell], i: int, number: int, column: str, percent: Sequence[str], problems: list[Problem]
) -> str:
    """Cell i of a data row as text: blank past the row's end, else stripped (or resolved
    when the spreadsheet formats it as a percent)."""
    if i >= len(raw):
        return ""
    cell = raw[i]
    return cell.strip() if isinstance(cell, str) else _resolve(cell, number, column, percent, problems)


def read_table(
    path: str | Path, required: tuple[str, ...], optional: tuple[str, ...] = (), percent: Sequence[str] = ()
) -> Table:
    """The file's data rows as text by column name. `percent`: the columns that hold a
    percent (SPEC: 2 means 2%), where a spreadsheet cell formatted as a percent is read as
    the percent it shows; such a cell in any other column is refused."""
    path = Path(path)
    raw_rows = _raw_rows(path)
    header = [_text(h).strip() for h in raw_rows[0]]
    problems = _header_problems(path.name, header, raw_rows, required, optional)
    if problems:
        raise ImportFailed(problems)
    rows = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        if not any(_text(c).strip() for c in raw):
            continue
        if len(raw) > len(header) and any(_text(c).strip() for c in raw[len(header) :]):
            problems.append(Problem(f"row {number}", "", f"has {len(raw)} cells but the header has {len(header)}"))
            continue
        cells = {name: _cell(raw, i, number, name, percent, problems) for i, name in enumerate(header) if name}
        rows.append(Row(number, cells))
    if problems:
        raise ImportFailed(problems)
    if not rows:
        raise ImportFailed([Problem(path.name, "", "the file has a header but no data rows")])
    return Table(path.name, rows)


def _raw_rows(path: Path) -> list[list[RawCell]]:
    """The file's rows as read (a header first), trailing empty rows dropped."""
    if not path.exists():
        raise ImportFailed([Problem(str(path), "", "file not found")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw_rows: list[list[RawCell]] = _read_csv(path)  # type: ignore[assignment]
    elif suffix == ".xlsx":
        raw_rows = _read_xlsx(path)
    else:
        raise ImportFailed([Problem(path.name, "", "the file must be .csv or .xlsx")])
    while raw_rows and not any(_text(c).strip() for c in raw_rows[-1]):
        raw_rows.pop()
    if not raw_rows:
        raise ImportFailed([Problem(path.name, "", "the file is empty (no header row)")])
    return raw_rows


def _header_problems(
    name: str, header: list[str], raw_rows: list[list[RawCell]], required: tuple[str, ...], optional: tuple[str, ...]
) -> list[Problem]:
    """Unnamed columns with values, repeated, unknown and missing columns; a file separated by
    semicolons or tabs gets one hint about that instead."""
    known = {*required, *optional}
    for separator, called in ((";", "semicolons (;)"), ("\t", "tabs")):
        parts = {part.strip() for column in header for part in column.split(separator)}
        if any(separator in column for column in header) and parts & known:
            hint = (
                f"the columns are separated by {called}: save the file as CSV with commas (in a spreadsheet: "
                "Save As › CSV, comma delimited) or as .xlsx, and import it again"
            )
            return [Problem(f"{name} header", "", hint)]
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, column in enumerate(header, start=1):
        if not column:
            if any(len(r) >= i and _text(r[i - 1]).strip() for r in raw_rows[1:]):
                problems.append(Problem(f"{name} header", f"column {i}", "has values but no name"))
            continue
        if column in seen:
            problems.append(Problem(f"{name} header", column, "is repeated"))
        elif column not in required and column not in optional:
            problems.append(
                Problem(f"{name} header", column, f"unknown column (expected {', '.join(required + optional)})")
            )
        seen.add(column)
    problems.extend(
        Problem(f"{name} header", column, "required column is missing") for column in required if column not in seen
    )
    return problems


def _plain_decimal(raw: str) -> Decimal:
    """A decimal written plainly: a dot for the decimals, no thousands commas."""
    if "," in raw:
        raise ValueError(f"not a plain decimal: {raw!r}")
    return D(raw)


def _iso_date(raw: str) -> date:
    """A date written YYYY-MM-DD, exactly ten characters."""
    if len(raw) != 10:
        raise ValueError(f"not YYYY-MM-DD: {raw!r}")
    return date.fromisoformat(raw)


@dataclass
class Cells:
    """Parses the cells of one row, collecting problems instead of raising."""

    row: Row
    problems: list[Problem] = field(default_factory=list)

    def _bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.row.label, column, message))

    def _present(self, column: str, required: bool) -> str | None:
        """The cell's text, or None when it is blank (a problem if the column is required)."""
        raw = self.row.cells.get(column, "")
        if raw:
            return raw
        if required:
            self._bad(column, "is required")
        return None

    def _parsed(self, column: str, required: bool, parse: Callable[[str], _T], what: str) -> _T | None:
        """The cell read by `parse`; None when blank or when `parse` refuses it ("… is not {what}")."""
        raw = self._present(column, required)
        if raw is None:
            return None
        try:
            return parse(raw)
        except (ValueError, TypeError):
            self._bad(column, f"{raw!r} is not {what}")
            return None

    def text(self, column: str, required: bool = False) -> str:
        return self._present(column, required) or ""

    def decimal(
        self,
        column: str,
        *,
        required: bool = False,
        places: int | None = None,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
    ) -> Decimal | None:
        value = self._parsed(column, required, _plain_decimal, "a number (use a plain decimal with a dot)")
        if value is None:
            return None
        raw = self.row.cells[column]
        if places is not None and decimal_places(value) > places:
            self._bad(column, f"{raw} has more than {places} decimals")
            return None
        if minimum is not None and value < minimum:
            self._bad(column, f"{raw} is below {minimum}")
            return None
        if maximum is not None and value > maximum:
            self._bad(column, f"{raw} is above {maximum}")
            return None
        return value

    def integer(self, column: str, *, required: bool = True) -> int | None:
        return self._parsed(column, required, int, "a whole number")

    def date(self, column: str, *, required: bool = True) -> date | None:
        return self._parsed(column, required, _iso_date, "a date (YYYY-MM-DD)")

    def boolean(self, column: str) -> bool:
        raw = self.row.cells.get(column, "").upper()
        if raw in ("", "N"):
            return False
        if raw == "Y":
            return True
        self._bad(column, f"{self.row.cells.get(column)!r} must be Y or N")
        return False
