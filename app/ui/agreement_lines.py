"""The agreement-lines model: the group grid or the product grid of one agreement, with
the Result column, the alternating band of each ladder and the lines as drafts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.domain.money import UNLIMITED
from app.domain.vocabulary import METHOD_NAMES, METHODS, PERIOD_NAMES, PERIODS
from app.services.agreement_views import scope_cats

from .base import heading
from .grid import GridView
from .models import BAND_BRUSHES, READ_ONLY_BRUSH, Column, TableModel, fmt_decimal

CAT_NAMES = ("CAT1", "CAT2", "CAT3", "CAT4")
REBATE_NAMES = ("Rebate 1", "Rebate 2", "Rebate 3", "Rebate 4")
# The services' cached scope_cats: the rows of an opened agreement were sorted by it, so
# its thousand ladders are known already (thousands of rows over few distinct scopes).
_cats = scope_cats
LADDER_FIELDS = {*CAT_NAMES, "Product", "Start Date", "End Date"}
RESULT_FIELDS = {*REBATE_NAMES, "Deg"}


TIPS = {
    "Product": "The product the line covers (F4: look it up). A product line wins over the group lines.",
    "CAT": "The category of level {n} the line covers; ALL: every category of that level (F2). F4: look it up.",
    "Maximum Amount": "The top of this tier: the ladder's volume up to this amount earns this line's rate. "
    "999,999,999.00 (F2), shown as “no limit”, has no top. Volume above the last tier's maximum earns nothing.",
    "Start Date": "The first receiving date the line covers.",
    "End Date": "The last receiving date the line covers.",
    "Rebate": "A rebate percent (2 means 2 %). The line's Result combines Rebate 1–4.",
    "M": "Method of settlement: " + ", ".join(f"{code} {name}" for code, name in METHOD_NAMES.items()) + ".",
    "Deg": "Degressive: each rebate applies to what the ones before it left (2 and 1.5 give 3.470 %), "
    "instead of adding them (3.500 %). Needs two rebates or more.",
    "Retro": "Retroactive: reaching a tier re-rates the whole ladder's volume at that tier's rate; "
    "without it, each tier's rate applies only to the volume inside that tier (marginal).",
    "Result": "The line's rate, from Rebate 1–4 and Deg (read-only).",
    "Product %": "The part of the rebate that lowers the product's cost (applied to cost); the rest goes to P&L.",
    "Period": "How a periodic ladder counts volume: Monthly, Quarterly or Yearly; each period starts again "
    "from tier 1.",
}


def agreement_columns(product: bool, periodic: bool) -> list[Column]:
    scope = (
        [Column("Product", "code", width=150, tip=TIPS["Product"])]
        if product
        else [Column(c, "code", width=84, tip=TIPS["CAT"].format(n=c[-1])) for c in CAT_NAMES]
    )
    columns = [
        *scope,
        Column(
            "Maximum Amount",
            "decimal",
            places=2,
            width=100,
            tip=TIPS["Maximum Amount"],
            no_limit=UNLIMITED,
            heading="Maximum\nAmount",
        ),
        Column("Start Date", "date", width=82, tip=TIPS["Start Date"], heading="Start\nDate"),
        Column("End Date", "date", width=82, tip=TIPS["End Date"], heading="End\nDate"),
        *(
            Column(
                name,
                "decimal",
                places=2,
                max_places=4,
                grouping=False,
                width=58,
                tip=TIPS["Rebate"],
                heading=name.replace(" ", "\n"),
            )
            for name in REBATE_NAMES
        ),
        Column("M", "choice", choices=METHODS, width=36, tip=TIPS["M"]),
        Column("Deg", "bool", width=36, tip=TIPS["Deg"]),
        Column("Retro", "bool", width=42, tip=TIPS["Retro"]),
        Column("Result", "computed", places=3, width=56, tip=TIPS["Result"]),
        Column(
            "Product %",
            "decimal",
            places=2,
            max_places=4,
            grouping=False,
            width=60,
            tip=TIPS["Product %"],
            heading="Product\n%",
        ),
    ]
    if periodic:
        columns.append(
            Column(
                "Period", "choice", choices=PERIODS, width=80, tip=TIPS["Period"], labels=tuple(PERIOD_NAMES.items())
            )
        )
    return columns


def _label(prefix: str, line_no: int | None, new: int) -> str:
    """A saved line by its number ("Group row 3"), the n-th new one as "new group row n"."""
    return f"{prefix} {line_no}" if line_no is not None else f"new {prefix[:1].lower()}{prefix[1:]} {new}"


class AgreementLinesModel(TableModel):
    """The group grid or the product grid of one agreement.

    Rows are dicts keyed by column name plus `line_no` (None for a new line). Result is
    computed from the row, or from the rebate being typed (`set_preview`).
    """

    def __init__(
        self, product: bool, periodic: bool, result_of: Callable[[Any], Decimal], draft_type: Callable[..., Any]
    ) -> None:
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

    # (column, code) -> description: a category cell's tooltip (the screen fills it)
    descriptions: dict[tuple[str, str], str] = {}  # noqa: RUF012 - replaced whole, never mutated

    def cell_tip(self, row: int, column: Column) -> str | None:
        code = self.rows[row].get(column.name)
        return self.descriptions.get((column.name, code)) if code else None

    def row_header(self, row: int) -> str:
        """A saved line by its number; a new one as "new 1", "new 2"… in grid order."""
        line_no = self.rows[row].get("line_no")
        return str(line_no) if line_no is not None else f"new {self._new_number(row)}"

    def row_label(self, row: int, prefix: str) -> str:
        """The row as messages name it, by the label the grid shows: "Group row 3" (line 3),
        "new group row 2" (the second new row)."""
        return _label(prefix, self.rows[row].get("line_no"), self._new_number(row))

    def row_labels(self, prefix: str) -> list[str]:
        out, new = [], 0
        for values in self.rows:
            line_no = values.get("line_no")
            new += line_no is None
            out.append(_label(prefix, line_no, new))
        return out

    def _new_number(self, row: int) -> int:
        return sum(1 for values in self.rows[: row + 1] if values.get("line_no") is None)

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
        # The domain's rule (blank or ALL is ALL; codes are case-sensitive), as posting keys ladders.
        return [
            (
                *_cats((v.get("CAT1"), v.get("CAT2"), v.get("CAT3"), v.get("CAT4"))),
                v.get("Start Date"),
                v.get("End Date"),
            )
            for v in rows
        ]

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
                self.dataChanged.emit(
                    self.index(0, 0),
                    self.index(len(self.rows) - 1, len(self.columns) - 1),
                    [Qt.ItemDataRole.BackgroundRole],
                )

    # -- rows and drafts
    # The agreement header's dates (issue 14), which a first line takes; else this year's.
    default_dates: tuple[date | None, date | None] = (None, None)

    def new_row(self, template: int | None) -> dict[str, Any]:
        """A new line: the next tier of the current row's ladder, or the header's dates (else
        this year's)."""
        today = date.today()
        start, end = self.default_dates
        values: dict[str, Any] = {
            "line_no": None, "M": "SC", "Deg": False, "Retro": False, "Product %": Decimal(0),
            "Start Date": start or date(today.year, 1, 1), "End Date": end or date(today.year, 12, 31),
            "Period": "Q" if self.periodic else None,
        }  # fmt: skip
        if template is not None and 0 <= template < len(self.rows):
            src = self.rows[template]
            for name in (*CAT_NAMES, "Product", "Start Date", "End Date", "M", "Retro", "Product %", "Period"):
                if name in src:
                    values[name] = src[name]
        return values

    def unlimited_tier_of(self, row: int) -> int | None:
        """The row of the unlimited tier (Maximum Amount 999,999,999.00) of the row's ladder (the
        rows with its scope and dates), None without one."""
        if not 0 <= row < len(self.rows):
            return None
        names = (*CAT_NAMES, "Product", "Start Date", "End Date")
        key = tuple(self.rows[row].get(n) for n in names)
        for i, other in enumerate(self.rows):
            if other.get("Maximum Amount") == UNLIMITED and tuple(other.get(n) for n in names) == key:
                return i
        return None

    def load(self, lines: Sequence[Any], line_values: Callable[[Any], dict[str, Any]]) -> None:
        rows = [line_values(line) for line in lines]
        for row, line in zip(rows, lines, strict=True):
            row["line_no"] = line.line_no
        self.preview = None
        self.set_rows(rows, copy=False)

    def load_rows(self, names: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
        """Rows given as value tuples in `names` order (names include "line_no")."""
        if values and len(values[0]) != len(names):
            raise ValueError(f"rows of {len(values[0])} values for {len(names)} names")
        self.preview = None
        # map in C: a quarter less than a comprehension over thousands of rows.
        self.set_rows(list(map(dict, map(zip, repeat(names), values))), copy=False)

    def drafts(self) -> list[Any]:
        out = []
        labels = self.row_labels(self.prefix)
        for i, values in enumerate(self.rows):
            out.append(self.draft_type(
                label=labels[i],
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


class LinesPanel(QWidget):
    """One grid with its title and Add / Delete / Lookup buttons."""

    def __init__(self, title: str, model: AgreementLinesModel, view: GridView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.view = model, view
        self.add_button = QPushButton("Add (Ins)")
        self.delete_button = QPushButton("Delete (Del)")
        self.lookup_button = QPushButton("Lookup (F4)")
        bar = QHBoxLayout()
        bar.addWidget(heading(title))
        bar.addStretch(1)
        for button in (self.add_button, self.delete_button, self.lookup_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(view)
