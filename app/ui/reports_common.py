"""What the report screens share: a read-only sortable table of records (numbers sort as
numbers), an optional date field, and Export (a file chosen through the interaction, the
file written in the background)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QWidget,
)

from app.services.errors import OutputRefused
from app.services.outfile import check_suffix, output_file, protected_files

from .base import UiEnv
from .models import LEFT, RIGHT, fmt_decimal

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
F = TypeVar("F")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
LOWEST = -(2**62)  # where a blank number sorts
EMPHASIS_BG = QColor("#e9eef5")


def sort_key(value: object, numeric: bool) -> object:
    """What the proxy compares: exact integers for numbers (Decimal scaled by 10^4, never a
    float), ISO text for dates, lower-case text otherwise."""
    if value is None or value == "":
        return LOWEST if numeric else ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return int(value.scaleb(4).to_integral_value())
    if isinstance(value, int):
        return value * 10_000
    if isinstance(value, date):
        return value.isoformat()
    return str(value).lower()


@dataclass(frozen=True)
class RCol:
    """A report column: how to read the value from a record and how to show it.

    kind: text, decimal (places), int, number (an entry or line number: no thousands
    separator), date. `text` formats the value differently (the
    sort still uses the value); `tip` gives a tooltip.
    """

    name: str
    get: Callable[[Any], Any]
    kind: str = "text"
    places: int = 2
    width: int = 90
    text: Callable[[Any], str] | None = None
    tip: Callable[[Any], str] | None = None
    header: str = ""  # the heading shown, when not the name (e.g. on two lines)

    @property
    def heading(self) -> str:
        return self.header or self.name

    @property
    def numeric(self) -> bool:
        return self.kind in ("decimal", "int", "number")

    def display(self, record: Any) -> str:
        value = self.get(record)
        if self.text is not None:
            return self.text(record)
        if value is None or value == "":
            return ""
        if self.kind == "decimal":
            return fmt_decimal(value, self.places)
        if self.kind == "int":
            return f"{value:,}"
        if self.kind == "number":
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return "Y" if value else "N"
        return str(value)


class ReportModel(QAbstractTableModel):
    """Records in a plain list, read-only; SORT_ROLE gives the sort key, RECORD_ROLE the record.
    `emphasis(record)` marks total lines (bold, shaded)."""

    def __init__(
        self, columns: Sequence[RCol], records: Sequence[Any] = (), emphasis: Callable[[Any], bool] | None = None
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.records = list(records)
        self.emphasis = emphasis

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def column_index(self, name: str) -> int:
        return next((i for i, c in enumerate(self.columns) if c.name == name), -1)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.heading
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column.numeric else LEFT
        if role == Qt.ItemDataRole.ToolTipRole and column.header:
            return column.name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        record, column = self.records[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(record)
        if role == SORT_ROLE:
            return sort_key(column.get(record), column.numeric)
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column.numeric else LEFT
        if role == Qt.ItemDataRole.ToolTipRole and column.tip is not None:
            return column.tip(record)
        if self.emphasis is not None and self.emphasis(record):
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(EMPHASIS_BG)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting by the model itself (see ReportView): one sort key per record."""
        if not 0 <= column < len(self.columns):
            return
        col = self.columns[column]
        self.layoutAboutToBeChanged.emit()
        old = {id(r): i for i, r in enumerate(self.records)}
        keyed = [(sort_key(col.get(r), col.numeric), i, r) for i, r in enumerate(self.records)]
        keyed.sort(key=lambda k: (k[0], k[1]), reverse=order == Qt.SortOrder.DescendingOrder)
        self.records = [r for _k, _i, r in keyed]
        moved = {old[id(r)]: i for i, r in enumerate(self.records)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [self.index(moved[p.row()], p.column()) if p.row() in moved else QModelIndex() for p in persistent],
        )
        self.layoutChanged.emit()

    def value(self, row: int, name: str) -> Any:
        return self.columns[self.column_index(name)].get(self.records[row])

    def text(self, row: int, name: str) -> str:
        return self.columns[self.column_index(name)].display(self.records[row])


HEADING_PAD = 12  # a heading's margins
SORT_ARROW = 16  # the sort indicator's room


class ReportView(QTableView):
    """A read-only grid over a ReportModel; click a header to sort. Double-click or Enter
    emits `activated` (Qt's own).

    sorting "proxy": through a QSortFilterProxyModel on SORT_ROLE (hundreds of rows);
    "model": the model sorts its list itself, one key per row (tens of thousands of rows,
    where a proxy would call back into Python for every comparison); None: not sortable.
    """

    def __init__(self, model: ReportModel, parent: QWidget | None = None, sorting: str | None = "proxy") -> None:
        super().__init__(parent)
        self.source = model
        self.fitted, self.caps = False, dict[str, int]()
        self.proxy: QSortFilterProxyModel | None = None
        if sorting == "proxy":
            self.proxy = QSortFilterProxyModel(self)
            self.proxy.setSortRole(SORT_ROLE)
            self.proxy.setSourceModel(model)
            self.setModel(self.proxy)
        else:
            self.setModel(model)
        self.setSortingEnabled(sorting is not None)
        if sorting is not None:
            self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)
        metrics = self.horizontalHeader().fontMetrics()
        for i, column in enumerate(model.columns):
            widest = max(metrics.horizontalAdvance(part) for part in column.heading.split("\n"))
            self.setColumnWidth(i, max(column.width, widest + 18))

    def fit_to_contents(self, caps: Mapping[str, int] | None = None) -> None:
        """Each shown column as wide as what it holds (the rows Qt samples) and its heading,
        with room for the sort arrow only on the column sorted by (so that a wide report fits
        its window: Estimated Rebates' 17 columns at 1280 pixels); caps: widths not to pass,
        by column name (the whole text in the cell's tooltip). Sorting by another column
        fits them again."""
        self.caps = dict(caps or {})
        header = self.horizontalHeader()
        metrics = header.fontMetrics()
        sorted_on = header.sortIndicatorSection() if self.isSortingEnabled() else -1
        for i, column in enumerate(self.source.columns):
            if self.isColumnHidden(i):
                continue
            heading = max(metrics.horizontalAdvance(part) for part in column.heading.split("\n")) + HEADING_PAD
            width = max(self.sizeHintForColumn(i), heading + (SORT_ARROW if i == sorted_on else 0))
            self.setColumnWidth(i, min(width, self.caps.get(column.name, width)))
        if not self.fitted:
            self.fitted = True
            header.sortIndicatorChanged.connect(lambda *_a: self.fit_to_contents(self.caps))

    def record(self, index: QModelIndex | None = None) -> Any:
        """The record at a view index (default: the current row), or None."""
        index = self.currentIndex() if index is None else index
        return index.data(RECORD_ROLE) if index.isValid() else None

    def shown(self, row: int, name: str) -> str:
        """The text of a cell as shown (view row, after sorting)."""
        return str(self.model().index(row, self.source.column_index(name)).data() or "")

    def cell_center(self, row: int, name: str) -> Any:
        index = self.model().index(row, self.source.column_index(name))
        self.scrollTo(index)
        return self.visualRect(index).center()


def date_edit(parent: QWidget | None, value: date | None = None) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    when = value or date.today()
    edit.setDate(QDate(when.year, when.month, when.day))
    return edit


class OptionalDate(QWidget):
    """A date that may be left out: a check box turns the date field on."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None, value: date | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label, self)
        self.edit = date_edit(self, value)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.check.toggled.connect(self._toggled)
        self.edit.editingFinished.connect(self.changed.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)

    def _toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        self.changed.emit()

    def value(self) -> date | None:
        return self.edit.date().toPython() if self.check.isChecked() else None  # type: ignore[no-any-return]

    def set_value(self, value: date | None) -> None:
        self.check.blockSignals(True)
        self.check.setChecked(value is not None)
        self.check.blockSignals(False)
        self.edit.setEnabled(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class ReadsOnFilters(Generic[F]):
    """For a report screen whose records follow its filters (`filters()`, read by `refresh()`):
    a change of filters reads again, and a read that comes back for filters no longer shown
    is dropped (`is_stale`); `loaded` holds the filters of the records shown."""

    loaded: F | None = None

    def filters(self) -> F:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        """Read again, even with the filters of the records shown."""
        self.loaded = None
        self.refresh()

    def _filters_changed(self) -> None:
        if self.filters() != self.loaded:
            self.refresh()

    def is_stale(self, wanted: F) -> bool:
        """Whether a read for `wanted` came back after the filters changed (a newer read is on its way)."""
        return wanted != self.filters()


FORMATS = {".pdf": "PDF (*.pdf)", ".xlsx": "Excel workbook (*.xlsx)", ".csv": "CSV (*.csv)"}


def export(
    env: UiEnv,
    parent: QWidget,
    title: str,
    suggested: str,
    suffixes: Sequence[str],
    write: Callable[[Any, Path], T],
    done: Callable[[Path, T], None] | None = None,
    writes_itself: Callable[[Any, Path, bool], T] | None = None,
) -> bool:
    """Ask where to write (through the interaction), then write(uow, file) in the background
    through app.services.outfile (asking before a file there is replaced), and done(path,
    its result) on the UI thread. A service that goes through app.services.outfile itself
    is given as writes_itself(uow, path, force) instead of write.

    The format follows the file's extension, one of `suffixes`. False when nothing was
    started (cancelled or a wrong extension, which is reported).
    """
    folder = env.settings.value("export/folder") or str(Path.home())
    filters = ";;".join(FORMATS[s] for s in suffixes)
    chosen = env.interaction.save_path(parent, title, str(Path(str(folder)) / suggested), filters)
    if not chosen:
        return False
    try:
        path = check_suffix(chosen, suffixes)
    except OutputRefused as exc:
        env.interaction.error(parent, title, f"{exc}.")
        return False
    env.settings.setValue("export/folder", str(path.parent))

    def work(uow: Any, _job: Any, force: bool) -> T:
        if writes_itself is not None:
            return writes_itself(uow, path, force)
        with output_file(path, force=force, protect=protected_files(uow.ctx), suffixes=suffixes) as temp:
            return write(uow, temp)

    def finished(result: T) -> None:
        if done is not None:
            done(path, result)

    env.runner.run_writing(parent, title, work, finished)
    return True
