"""The generic editable table model of the grids: columns, cell formatting and parsing,
rows in plain lists (the edit buffer) and the problems per cell. setData edits the
buffer only; the screens call the services on Save. The read-only list model is in
list_model, the agreement lines in agreement_lines, the slip lines in slip_lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain.money import D

Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
PROBLEM = QColor("#f6c9c9")
BANDS = (QColor("#ffffff"), QColor("#e9f0f9"))
READ_ONLY = QColor("#f3f3f3")
# Asked for every painted cell: made once (Python enum flag arithmetic and a new QBrush per
# cell cost more than the rest of data()).
PROBLEM_BRUSH = QBrush(PROBLEM)
BAND_BRUSHES = (QBrush(BANDS[0]), QBrush(BANDS[1]))
READ_ONLY_BRUSH = QBrush(READ_ONLY)
CELL = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
CHECKABLE_CELL = CELL | Qt.ItemFlag.ItemIsUserCheckable
EDITABLE_CELL = CELL | Qt.ItemFlag.ItemIsEditable
DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
CHECK = Qt.ItemDataRole.CheckStateRole
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
TOOL_TIP = Qt.ItemDataRole.ToolTipRole
# The roles data() answers. A painted cell is asked for seven (font, decoration and
# foreground too): the others return at once.
STATUS_TIP = Qt.ItemDataRole.StatusTipRole
ANSWERED = frozenset({DISPLAY, EDIT, CHECK, ALIGNMENT, BACKGROUND, TOOL_TIP, STATUS_TIP})


def fmt_decimal(value: Decimal | None, places: int = 2, max_places: int | None = None, grouping: bool = True) -> str:
    """Fixed `places` decimals, or up to `max_places` when the value has more."""
    if value is None:
        return ""
    shown = places
    if max_places is not None:
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            shown = min(max(places, -exponent), max_places)
    quantum = Decimal(1).scaleb(-shown)
    return format(value.quantize(quantum, rounding=ROUND_HALF_UP), ",f" if grouping else "f")


NO_LIMIT_TEXT = "no limit"


def fmt_cell(value: object, column: Column) -> str:
    if value is None or value == "":
        return ""
    if column.no_limit is not None and value == column.no_limit:
        return NO_LIMIT_TEXT
    if column.labels:
        named = column.label_of.get(str(value))
        if named is not None:
            return named
    if column.kind == "decimal" and isinstance(value, Decimal):
        return fmt_decimal(value, column.places, column.max_places, column.grouping)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def parse_decimal(value: object) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return D(value)


@dataclass(frozen=True)
class Column:
    """One grid column. kind: text, code, decimal, date, bool, choice, computed."""

    name: str
    kind: str = "text"
    places: int = 2
    max_places: int | None = None
    grouping: bool = True
    negative: bool = False
    choices: tuple[str, ...] = ()
    field: str = ""  # the field name problems use, when not the column name
    editable: bool = True
    width: int = 0
    align: str = ""  # left, center or right; else by kind
    tip: str = ""  # the header's tooltip and the status-bar hint of its cells
    heading: str = ""  # the header as shown, when not the name (two lines: "Maximum\nAmount")
    labels: tuple[tuple[str, str], ...] = ()  # a choice's code shown as its name (M → Monthly)
    no_limit: Decimal | None = None  # this value is shown as "no limit" (the stored value unchanged)
    filter: str = ""  # how its filter box reads (app.domain.filters: text, number, flag); default by kind

    @cached_property
    def label_of(self) -> dict[str, str]:  # asked for every painted cell of a labelled column
        return dict(self.labels)

    @cached_property
    def alignment(self) -> Qt.AlignmentFlag:  # asked for every painted cell
        if self.align:
            return {"left": LEFT, "center": CENTER, "right": RIGHT}[self.align]
        if self.numeric:
            return RIGHT
        return CENTER if self.kind in ("bool", "date", "choice") else LEFT

    @property
    def problem_field(self) -> str:
        return self.field or self.name

    @property
    def numeric(self) -> bool:
        return self.kind in ("decimal", "computed")


class TableModel(QAbstractTableModel):
    """Columns, rows (a list of dicts keyed by column name) and the problems per cell."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[dict[str, Any]] = (), read_only: bool = False) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows: list[dict[str, Any]] = [dict(r) for r in rows]
        self.read_only = read_only
        self.problems: dict[tuple[int, str], str] = {}
        self.dirty = False

    # -- Qt interface
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.columns):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].heading or self.columns[section].name
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self.columns[section].alignment
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.columns[section].tip or None
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.rows):
            return self.row_header(section)
        return None

    def row_header(self, row: int) -> str:
        return str(row + 1)

    def row_label(self, row: int, prefix: str) -> str:
        """The row as messages name it ("Line 3"): by the label its row header shows."""
        return f"{prefix} {row + 1}"

    def row_labels(self, prefix: str) -> list[str]:
        return [self.row_label(row, prefix) for row in range(len(self.rows))]

    def row_of(self, label: str, prefix: str) -> int | None:
        """The row a message's record names (row_label), None when it names none of them."""
        number = row_label_number(label, prefix)
        if number is not None and 0 <= number < len(self.rows) and self.row_label(number, prefix) == label:
            return number
        labels = self.row_labels(prefix)
        return labels.index(label) if label in labels else None

    def caption(self, field: str) -> str:
        """A problem's field as the grid's column caption (product_code → Product)."""
        index = self.column_index(field)
        return self.columns[index].name if index >= 0 else field

    def column(self, index: Index | int) -> Column:
        return self.columns[index if isinstance(index, int) else index.column()]

    def column_index(self, name: str) -> int:
        for i, col in enumerate(self.columns):
            if col.name == name or col.problem_field == name:
                return i
        return -1

    def value(self, row: int, name: str) -> Any:
        return self.rows[row].get(name)

    def display(self, row: int, column: Column) -> str:
        return fmt_cell(self.value(row, column.name), column)

    def is_editable(self, row: int, column: Column) -> bool:
        return not self.read_only and column.editable and column.kind != "computed"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        column = self.columns[index.column()]
        if self.is_editable(index.row(), column):
            return CHECKABLE_CELL if column.kind == "bool" else EDITABLE_CELL
        return CELL

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in ANSWERED:
            return None
        row = index.row()
        if not index.isValid() or not (0 <= row < len(self.rows)):
            return None
        column = self.columns[index.column()]
        if role == DISPLAY:
            return "" if column.kind == "bool" else self.display(row, column)
        if role == ALIGNMENT:
            return column.alignment
        if role == BACKGROUND:
            if self.problems and (row, column.problem_field) in self.problems:
                return PROBLEM_BRUSH
            return self.background(row, column)
        if role == EDIT:
            return self.edit_value(row, column)
        if role == CHECK and column.kind == "bool":
            return Qt.CheckState.Checked if self.value(row, column.name) else Qt.CheckState.Unchecked
        if role == TOOL_TIP:  # a problem of the cell first
            return self.problems.get((row, column.problem_field)) or self.cell_tip(row, column)
        if role == STATUS_TIP and column.tip:  # the mouse over a cell: the status bar says what the column means
            return f"{column.name}: {column.tip}"
        return None

    def cell_tip(self, row: int, column: Column) -> str | None:
        """A cell's tooltip when it has no problem (a category's description, a long address):
        None by default; grids that have one say it here."""
        return None

    def background(self, row: int, column: Column) -> QBrush | None:
        if column.kind == "computed" or not column.editable:
            return READ_ONLY_BRUSH
        return None

    def edit_value(self, row: int, column: Column) -> Any:
        value = self.value(row, column.name)
        if column.kind == "decimal":
            return fmt_decimal(value, column.places, column.max_places, grouping=False) if value is not None else ""
        if column.kind == "date":
            return QDate(value.year, value.month, value.day) if value else QDate()
        return "" if value is None else value

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.flags(index) & (
            Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
        ):
            return False
        column = self.column(index)
        if role == Qt.ItemDataRole.CheckStateRole and column.kind == "bool":
            parsed: Any = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        elif role == Qt.ItemDataRole.EditRole and column.kind != "bool":
            try:
                parsed = self.parse(column, value)
            except (ValueError, TypeError):
                return False
        else:
            return False
        self.set_value(index.row(), column.name, parsed)
        return True

    def parse(self, column: Column, value: Any) -> Any:
        if column.kind == "decimal":
            parsed = parse_decimal(value)
            if parsed is not None and parsed < 0 and not column.negative:
                raise ValueError("negative")
            return parsed
        if column.kind == "date":
            if isinstance(value, QDate):
                return value.toPython() if value.isValid() else None
            if isinstance(value, date):
                return value
            return date.fromisoformat(str(value)) if value else None
        if column.kind == "choice":
            return str(value or "").strip().upper() or None
        if column.kind == "code":
            return str(value or "").strip() or None
        return str(value or "").strip()

    def set_value(self, row: int, name: str, value: Any) -> None:
        """Change one cell of the buffer (and clear its highlight)."""
        self.set_values(row, {name: value})

    def set_values(self, row: int, values: dict[str, Any]) -> None:
        changed = {k: v for k, v in values.items() if self.rows[row].get(k) != v}
        if not changed:
            return
        self.rows[row].update(changed)
        self.dirty = True
        for name in changed:
            col = self.column_index(name)
            if col >= 0:
                self.problems.pop((row, self.columns[col].problem_field), None)
        self.row_changed(row, set(changed))

    def row_changed(self, row: int, names: set[str]) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    # -- rows
    def set_rows(self, rows: Sequence[dict[str, Any]], copy: bool = True) -> None:
        """Replace every row; copy=False hands over dicts the caller no longer uses."""
        self.beginResetModel()
        self.rows = [dict(r) for r in rows] if copy else list(rows)
        self.problems = {}
        self.dirty = False
        self.rows_reset()
        self.endResetModel()

    def rows_reset(self) -> None:
        """Hook: recompute whatever depends on the whole row list."""

    def insert_row(self, position: int, values: dict[str, Any] | None = None) -> int:
        position = max(0, min(position, len(self.rows)))
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.insert(position, dict(values or {}))
        self._shift_problems(position, +1)
        self.dirty = True
        self.rows_reset()
        self.endInsertRows()
        return position

    def remove_rows(self, rows: Sequence[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self.rows):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self.problems = {k: v for k, v in self.problems.items() if k[0] != row}
                self._shift_problems(row, -1)
                self.dirty = True
                self.rows_reset()
                self.endRemoveRows()

    def _shift_problems(self, position: int, delta: int) -> None:
        self.problems = {((r + delta) if r >= position else r, f): m for (r, f), m in self.problems.items()}

    # -- problems
    def set_problems(self, problems: dict[tuple[int, str], str]) -> None:
        self.problems = dict(problems)
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self.rows) - 1, len(self.columns) - 1),
                [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole],
            )


def row_label_number(label: str, prefix: str) -> int | None:
    """'Group row 3' -> 2 (the row index) for the prefix 'Group row'."""
    head = f"{prefix} "
    if label.startswith(head) and label[len(head) :].isdigit():
        return int(label[len(head) :]) - 1
    return None


HEADER_CAPTIONS = {  # a header field as its screen labels it
    "slip_no": "Slip no", "vendor_code": "Vendor", "received_date": "Received", "reference": "Reference",
    "invoice_no": "Invoice No", "invoice_date": "Invoice Date", "due_date": "Due Date",
}  # fmt: skip


def captioned(problems: Sequence[Any], models: Sequence[TableModel]) -> list[Any]:
    """The problems with each field named by its column caption (product_code → Product), as
    the grids and the header show them; a field no grid has is left as it is."""
    out = []
    for problem in problems:
        caption = HEADER_CAPTIONS.get(problem.field, problem.field)
        for model in models:
            index = model.column_index(problem.field)
            if index >= 0:
                caption = model.columns[index].name
                break
        out.append(replace(problem, field=caption) if caption != problem.field else problem)
    return out


def map_problems(problems: Sequence[Any], model: TableModel, prefix: str) -> dict[tuple[int, str], str]:
    """The problems (record, field, message) that belong to `prefix row N` labels."""
    out: dict[tuple[int, str], str] = {}
    for problem in problems:
        row = model.row_of(problem.record, prefix)
        if row is None:
            continue
        field_name = problem.field if model.column_index(problem.field) >= 0 else model.columns[0].problem_field
        key = (row, field_name)
        out[key] = f"{out[key]}\n{problem.message}" if key in out else problem.message
    return out
