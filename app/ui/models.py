"""Table models of the screens. Rows live in plain lists (the edit buffer); setData edits
the buffer only, services are called by the screens on Save."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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


def fmt_decimal(value: Decimal | None, places: int = 2, max_places: int | None = None,
                grouping: bool = True) -> str:
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


def fmt_cell(value: object, column: Column) -> str:
    if value is None or value == "":
        return ""
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

    def __init__(self, columns: Sequence[Column], rows: Sequence[dict[str, Any]] = (),
                 read_only: bool = False) -> None:
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
                return self.columns[section].name
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self.columns[section].alignment
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.rows):
            return self.row_header(section)
        return None

    def row_header(self, row: int) -> str:
        return str(row + 1)

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
        if role == TOOL_TIP:
            return self.problems.get((row, column.problem_field))
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
        if not index.isValid() or not self.flags(index) & (Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable):
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
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])


def row_label_number(label: str, prefix: str) -> int | None:
    """'Group row 3' -> 2 (the row index) for the prefix 'Group row'."""
    head = f"{prefix} "
    if label.startswith(head) and label[len(head):].isdigit():
        return int(label[len(head):]) - 1
    return None


def map_problems(problems: Sequence[Any], model: TableModel, prefix: str) -> dict[tuple[int, str], str]:
    """The problems (record, field, message) that belong to `prefix row N` labels."""
    out: dict[tuple[int, str], str] = {}
    for problem in problems:
        row = row_label_number(problem.record, prefix)
        if row is None or not 0 <= row < len(model.rows):
            continue
        field_name = problem.field if model.column_index(problem.field) >= 0 else model.columns[0].problem_field
        key = (row, field_name)
        out[key] = f"{out[key]}\n{problem.message}" if key in out else problem.message
    return out


@dataclass
class RecordSpec:
    """A read-only list: column definitions and how to turn one record into a row."""

    columns: tuple[Column, ...]
    to_row: Callable[[Any], dict[str, Any]] = field(default=lambda r: dict(r))


class ListModel(TableModel):
    """A read-only grid of records (history, preview, journal, slips, lookups). Rows are
    made from the records when first shown, so a long list opens at once."""

    def __init__(self, spec: RecordSpec, records: Sequence[Any] = ()) -> None:
        super().__init__(spec.columns, read_only=True)
        self.spec = spec
        self.records = list(records)
        self.cache: dict[int, dict[str, Any]] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.records)

    def value(self, row: int, name: str) -> Any:
        values = self.cache.get(row)
        if values is None:
            values = self.cache[row] = self.spec.to_row(self.records[row])
        return values.get(name)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.records)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(index.row(), self.column(index))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.column(index).alignment
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole and section < len(self.records) else None
        return super().headerData(section, orientation, role)

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.cache = {}
        self.endResetModel()


# -- agreement lines ---------------------------------------------------------------------

CAT_NAMES = ("CAT1", "CAT2", "CAT3", "CAT4")
REBATE_NAMES = ("Rebate 1", "Rebate 2", "Rebate 3", "Rebate 4")
METHODS = ("SC", "NC", "CD")
PERIODS = ("M", "Q", "Y")
LADDER_FIELDS = {*CAT_NAMES, "Product", "Start Date", "End Date"}
RESULT_FIELDS = {*REBATE_NAMES, "Deg"}


def agreement_columns(product: bool, periodic: bool) -> list[Column]:
    scope = [Column("Product", "code", width=160)] if product else [Column(c, "code", width=92) for c in CAT_NAMES]
    columns = [
        *scope,
        Column("Maximum Amount", "decimal", places=2, width=118),
        Column("Start Date", "date", width=86),
        Column("End Date", "date", width=86),
        *(Column(name, "decimal", places=2, max_places=4, grouping=False, width=64) for name in REBATE_NAMES),
        Column("M", "choice", choices=METHODS, width=40),
        Column("Deg", "bool", width=38),
        Column("Retro", "bool", width=44),
        Column("Result", "computed", places=3, width=58),
        Column("Product %", "decimal", places=2, max_places=4, grouping=False, width=72),
    ]
    if periodic:
        columns.append(Column("Period", "choice", choices=PERIODS, width=52))
    return columns


class AgreementLinesModel(TableModel):
    """The group grid or the product grid of one agreement.

    Rows are dicts keyed by column name plus `line_no` (None for a new line). Result is
    computed from the row, or from the rebate being typed (`set_preview`).
    """

    def __init__(self, product: bool, periodic: bool, result_of: Callable[[Any], Decimal],
                 draft_type: Callable[..., Any]) -> None:
        super().__init__(agreement_columns(product, periodic))
        self.product = product
        self.periodic = periodic
        self.result_of = result_of
        self.draft_type = draft_type
        self.preview: tuple[int, str, Any] | None = None
        self.bands: list[int] = []
        self.ladders: dict[tuple[Any, ...], list[int]] = {}

    @property
    def prefix(self) -> str:
        return "Product row" if self.product else "Group row"

    def row_header(self, row: int) -> str:
        line_no = self.rows[row].get("line_no")
        return str(line_no) if line_no is not None else "new"

    # -- result
    def result(self, row: int) -> Decimal | None:
        values = self.rows[row]
        rebates = [values.get(n) for n in REBATE_NAMES]
        degressive = bool(values.get("Deg"))
        if self.preview is not None and self.preview[0] == row:
            name, value = self.preview[1], self.preview[2]
            if name in REBATE_NAMES:
                rebates[REBATE_NAMES.index(name)] = value
        if all(r is None for r in rebates):
            return None
        return self.result_of(self.draft_type(label="", rebates=tuple(rebates), degressive=degressive))

    def display(self, row: int, column: Column) -> str:
        if column.name == "Result":
            return fmt_decimal(self.result(row), 3)
        return super().display(row, column)

    def set_preview(self, row: int, name: str, value: Decimal | None) -> None:
        """A rebate being typed (not yet committed): Result follows it."""
        self.preview = (row, name, value)
        self._result_changed(row)

    def clear_preview(self) -> None:
        if self.preview is not None:
            row = self.preview[0]
            self.preview = None
            if row < len(self.rows):
                self._result_changed(row)

    def _result_changed(self, row: int) -> None:
        col = self.column_index("Result")
        self.dataChanged.emit(self.index(row, col), self.index(row, col), [Qt.ItemDataRole.DisplayRole])

    # -- ladders
    def ladder_id(self, row: int) -> tuple[Any, ...]:
        return self._ladder_id(self.rows[row])

    def _ladder_id(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return self._ladder_ids([values])[0]

    def _ladder_ids(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The ladder of each row: one pass over an agreement's thousands of rows."""
        if self.product:
            return [(v.get("Product") or "", v.get("Start Date"), v.get("End Date")) for v in rows]
        return [((v.get("CAT1") or "ALL").upper(), (v.get("CAT2") or "ALL").upper(), (v.get("CAT3") or "ALL").upper(),
                 (v.get("CAT4") or "ALL").upper(), v.get("Start Date"), v.get("End Date")) for v in rows]

    def rows_reset(self) -> None:
        """The alternating band of each ladder, and the rows of each ladder (tier chart)."""
        bands, band, previous = [], 0, None
        ladders: dict[tuple[Any, ...], list[int]] = {}
        append = bands.append
        for row, lid in enumerate(self._ladder_ids(self.rows)):
            if lid != previous:
                rows = ladders.get(lid)
                if rows is None:
                    rows = ladders[lid] = []
                if previous is not None:
                    band = 1 - band
                previous = lid
            append(band)
            rows.append(row)
        self.bands = bands
        self.ladders = ladders

    def ladder_rows(self, row: int) -> list[int]:
        """The rows of the ladder of `row` (its tiers), in row order."""
        rows = self.ladders.get(self.ladder_id(row))
        if rows is None or row not in rows:  # the rows changed without a reset: look again
            lid = self.ladder_id(row)
            return [r for r in range(len(self.rows)) if self.ladder_id(r) == lid]
        return rows

    def background(self, row: int, column: Column) -> QBrush | None:
        if column.kind == "computed":
            return READ_ONLY_BRUSH
        if row < len(self.bands):
            return BAND_BRUSHES[self.bands[row]]
        return None

    def row_changed(self, row: int, names: set[str]) -> None:
        super().row_changed(row, names)
        if names & LADDER_FIELDS:
            old = self.bands
            self.rows_reset()
            if old != self.bands and self.rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1),
                                      [Qt.ItemDataRole.BackgroundRole])

    # -- rows and drafts
    def new_row(self, template: int | None) -> dict[str, Any]:
        """A new line: the next tier of the current row's ladder, or this year's dates."""
        today = date.today()
        values: dict[str, Any] = {
            "line_no": None, "M": "SC", "Deg": False, "Retro": False, "Product %": Decimal(0),
            "Start Date": date(today.year, 1, 1), "End Date": date(today.year, 12, 31),
            "Period": "Q" if self.periodic else None,
        }  # fmt: skip
        if template is not None and 0 <= template < len(self.rows):
            src = self.rows[template]
            for name in (*CAT_NAMES, "Product", "Start Date", "End Date", "M", "Retro", "Product %", "Period"):
                if name in src:
                    values[name] = src[name]
        return values

    def load(self, lines: Sequence[Any], line_values: Callable[[Any], dict[str, Any]]) -> None:
        rows = [line_values(line) for line in lines]
        for row, line in zip(rows, lines, strict=True):
            row["line_no"] = line.line_no
        self.preview = None
        self.set_rows(rows, copy=False)

    def load_rows(self, names: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
        """Rows given as value tuples in `names` order (names include "line_no")."""
        self.preview = None
        self.set_rows([dict(zip(names, v, strict=True)) for v in values], copy=False)

    def drafts(self) -> list[Any]:
        out = []
        for i, values in enumerate(self.rows):
            out.append(self.draft_type(
                label=f"{self.prefix} {i + 1}",
                line_no=values.get("line_no"),
                product=(values.get("Product") or None) if self.product else None,
                cats=(None, None, None, None) if self.product else tuple(values.get(c) for c in CAT_NAMES),
                max_amount=values.get("Maximum Amount"),
                start=values.get("Start Date"),
                end=values.get("End Date"),
                rebates=tuple(values.get(n) for n in REBATE_NAMES),
                method=values.get("M"),
                degressive=bool(values.get("Deg")),
                retro=bool(values.get("Retro")),
                product_pct=values.get("Product %"),
                period=values.get("Period") if self.periodic else None,
            ))  # fmt: skip
        return out


# -- receiving slip lines ------------------------------------------------------------------

SLIP_COLUMNS = (
    Column("Line", "computed", places=0, width=44),
    Column("Product", "code", field="product_code", width=150),
    Column("Description", editable=False, width=220),
    Column("Quantity", "decimal", places=0, max_places=4, negative=True, field="quantity", width=90),
    Column("Unit Cost", "decimal", places=2, max_places=4, field="unit_cost", width=90),
    Column("Extended", "computed", places=2, width=110),
    Column("Applied to Cost", "computed", places=2, width=110),
    Column("Net Unit Cost", "computed", places=4, width=110),
)


class SlipLinesModel(TableModel):
    """Lines of one receiving slip. `products` (code -> record with description and
    unit_cost) comes from the screen; the unit cost defaults to the product's cost."""

    def __init__(self, extended: Callable[[Decimal, Decimal], Decimal]) -> None:
        super().__init__(SLIP_COLUMNS)
        self.extended = extended
        self.products: dict[str, Any] = {}
        self.credits: dict[int, tuple[Decimal, Decimal]] = {}  # line no -> (applied, net unit cost)

    def value(self, row: int, name: str) -> Any:
        values = self.rows[row]
        if name == "Line":
            return Decimal(row + 1)
        if name == "Description":
            product = self.products.get(values.get("Product") or "")
            return product.description if product else values.get("Description", "")
        if name == "Extended":
            qty, cost = values.get("Quantity"), values.get("Unit Cost")
            return self.extended(qty, cost) if qty is not None and cost is not None else None
        if name in ("Applied to Cost", "Net Unit Cost"):
            credit = self.credits.get(row + 1)
            return None if credit is None else credit[0 if name == "Applied to Cost" else 1]
        return values.get(name)

    def display(self, row: int, column: Column) -> str:
        value = self.value(row, column.name)
        if column.kind == "computed" and isinstance(value, Decimal):
            return fmt_decimal(value, column.places, column.max_places)
        return fmt_cell(value, column)

    def set_values(self, row: int, values: dict[str, Any]) -> None:
        if "Product" in values and values["Product"] != self.rows[row].get("Product"):
            old = self.products.get(self.rows[row].get("Product") or "")
            new = self.products.get(values["Product"] or "")
            cost = self.rows[row].get("Unit Cost")
            if new is not None and (cost is None or (old is not None and cost == old.unit_cost)):
                values = {**values, "Unit Cost": new.unit_cost}
        super().set_values(row, values)

    def total(self) -> Decimal:
        return sum((self.value(r, "Extended") or Decimal(0) for r in range(len(self.rows))), Decimal(0))

    def set_credits(self, credits: dict[int, tuple[Decimal, Decimal]]) -> None:
        self.credits = dict(credits)
        if self.rows:
            first, last = self.column_index("Applied to Cost"), self.column_index("Net Unit Cost")
            self.dataChanged.emit(self.index(0, first), self.index(len(self.rows) - 1, last))
