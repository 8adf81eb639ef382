"""A grid header with a filter box under every column (what the user may type is in
app.domain.filters): the boxes follow their columns as they are resized or scrolled, and the
grid's owner reads them as {column name: ColumnFilter} when they change."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHeaderView, QLineEdit, QTableView, QWidget

from app.domain.filters import FLAG, NUMBER, TEXT, ColumnFilter, FilterError, parse_filter

from .models import Column

PAD = 2
HINTS = {
    TEXT: "contains (any case); =text for exactly that text; = alone for a blank cell",
    NUMBER: "12.50 equal; >10, >=10, <10, <=10; 10..20 from 10 to 20",
    FLAG: "Y or N",
}
BAD = "QLineEdit { border: 1px solid #c62828; background: #fdecea; }"


def filter_kind(column: Column) -> str:
    if column.filter:
        return column.filter
    if column.kind == "bool":
        return FLAG
    return NUMBER if column.numeric else TEXT


class FilterBox(QLineEdit):
    """One column's filter: Enter applies it and Down goes to the grid; Esc clears it."""

    def __init__(self, header: FilterHeader, column: Column) -> None:
        super().__init__(header)
        self.column, self.kind = column, filter_kind(column)
        self.hint = f"Filter {column.name}: {HINTS[self.kind]}"
        self.setPlaceholderText("Filter")
        self.setToolTip(self.hint)
        self.setAccessibleName(f"Filter {column.name}")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        header = self.parent()
        assert isinstance(header, FilterHeader)
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            header.applied.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            header.applied.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            header.view.setFocus()
            return
        super().keyPressEvent(event)


class FilterHeader(QHeaderView):
    edited = Signal()  # a filter is being typed
    applied = Signal()  # Enter or Esc in a filter box: apply the filters now

    def __init__(self, view: QTableView) -> None:
        super().__init__(Qt.Orientation.Horizontal, view)
        self.view = view
        self.boxes: list[FilterBox] = []
        self.setSectionsClickable(True)
        self.setHighlightSections(False)
        # bound methods: Qt drops the connections when the header goes
        self.sectionResized.connect(self._resized)
        view.horizontalScrollBar().valueChanged.connect(self._scrolled)

    def _resized(self, _section: int, _old: int, _new: int) -> None:
        self.place()

    def _scrolled(self, _value: int) -> None:
        self.place()

    def set_columns(self, columns: Sequence[Column]) -> None:
        for box in self.boxes:
            box.deleteLater()
        self.boxes = []
        for column in columns:
            box = FilterBox(self, column)
            box.textEdited.connect(self.edited)
            self.boxes.append(box)
        for a, b in zip(self.boxes, self.boxes[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self.updateGeometries()

    def box_height(self) -> int:
        return self.boxes[0].sizeHint().height() if self.boxes else 0

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        size = super().sizeHint()
        if self.boxes:
            size.setHeight(size.height() + self.box_height() + PAD)
        return size

    def updateGeometries(self) -> None:  # noqa: N802 - Qt name
        self.setViewportMargins(0, 0, 0, self.box_height() + PAD if self.boxes else 0)
        super().updateGeometries()
        self.place()

    def place(self) -> None:
        """Each box under its column, as wide as it, where the column is now."""
        height = self.box_height()
        for i, box in enumerate(self.boxes):
            box.setVisible(not self.isSectionHidden(i))
            box.setGeometry(
                self.sectionViewportPosition(i) + 1, self.height() - height - 1, self.sectionSize(i) - 2, height
            )

    def filters(self) -> tuple[dict[str, ColumnFilter], list[str]]:
        """The filters typed, by column name, and what is wrong with those that cannot be read
        (their boxes are marked, with the reason in their tooltip)."""
        found: dict[str, ColumnFilter] = {}
        wrong: list[str] = []
        for box in self.boxes:
            try:
                f = parse_filter(box.text(), box.kind)
            except FilterError as exc:
                wrong.append(f"{box.column.name} filter: {exc}")
                box.setStyleSheet(BAD)
                box.setToolTip(f"{exc}\n{box.hint}")
                continue
            box.setStyleSheet("")
            box.setToolTip(box.hint)
            if f is not None:
                found[box.column.name] = f
        return found, wrong

    def clear_filters(self) -> None:
        for box in self.boxes:
            box.clear()
