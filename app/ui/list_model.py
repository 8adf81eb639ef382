"""The lazy read-only list model: a RecordSpec (columns, record -> row) and the records;
rows are made from the records when first shown (history, preview, journal, slips, lookups)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from .models import Column, Index, TableModel


@dataclass
class RecordSpec:
    """A read-only list: column definitions and how to turn one record into a row."""

    columns: tuple[Column, ...]
    to_row: Callable[[Any], dict[str, Any]] = field(default=lambda r: dict(r))


LONG_TEXT = 30  # characters a text cell shows in most columns


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

    def cell_tip(self, row: int, column: Column) -> str | None:
        """A long text (a note, a ladder) shows whole in its tooltip, when its column is narrower."""
        value = self.value(row, column.name)
        return value if column.kind == "text" and isinstance(value, str) and len(value) > LONG_TEXT else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.records)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(index.row(), self.column(index))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.column(index).alignment
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cell_tip(index.row(), self.column(index))
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
