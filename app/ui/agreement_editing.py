"""What the agreement screen's grids do on a key (app.ui.agreements): F2 defaults, Ins and
Del, completion and the F4 lookup of categories and the vendor's products."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex

from app.domain.vocabulary import ALL
from app.services import defaults, queries

from .agreement_lines import CAT_NAMES, AgreementLinesModel, LinesPanel
from .lookups import choose

if TYPE_CHECKING:
    from .agreement_header import HeaderPanel
    from .operations import Runner


class GridEditing:
    """A mixin of AgreementScreen (which provides the attributes below)."""

    read_only: bool
    vendor: str | None
    vendor_products: list[Any]
    header_panel: HeaderPanel
    runner: Runner

    def _f2(self, model: AgreementLinesModel, index: QModelIndex) -> bool:
        if self.read_only or not index.isValid():
            return False
        name = model.column(index).name
        if defaults.f2_default(name) is None:
            return False
        model.set_values(index.row(), defaults.apply_f2(model.rows[index.row()], name))
        return True

    def _add(self, panel: LinesPanel) -> None:
        if self.read_only:
            return
        current = panel.view.currentIndex()
        start, end, _bad = self.header_panel.dates()
        panel.model.default_dates = (start, end)  # a first line takes the header's dates
        template = current.row() if current.isValid() else len(panel.model.rows) - 1
        model = panel.model
        at = model.unlimited_tier_of(template) if template >= 0 else None  # a new tier goes below the open-ended one
        position = model.insert_row(
            template + 1 if at is None else at, model.new_row(template if template >= 0 else None)
        )
        panel.view.go_to(position, model.column_index("Maximum Amount") if template >= 0 else 0)

    def _delete(self, panel: LinesPanel) -> None:
        if self.read_only:
            return
        rows = panel.view.selected_rows()
        if rows:
            panel.model.remove_rows(rows)
            panel.view.go_to(min(rows[0], len(panel.model.rows) - 1), panel.view.currentIndex().column())

    def _completions(self, index: Any) -> list[str]:
        model = index.model()
        name = model.column(index).name
        if name == "Product":
            return [p.code for p in self.vendor_products]
        if name in CAT_NAMES:
            return [ALL, *(code for code, _d in self._categories(model, index.row(), name))]
        return []

    def _categories(self, model: AgreementLinesModel, row: int, name: str) -> list[tuple[str, str]]:
        level = CAT_NAMES.index(name) + 1
        parents = tuple(model.rows[row].get(c) for c in CAT_NAMES[: level - 1])
        found = self.runner.call(self, "Categories", lambda uow: queries.categories(uow, level, parents)) or []
        return [(c.code, c.description) for c in found]

    def _lookup(self, panel: LinesPanel, index: QModelIndex) -> None:
        if not index.isValid():
            index = panel.model.index(0, 0)
            if not index.isValid():
                return
        name = panel.model.column(index).name
        if name == "Product":
            rows = [(p.code, p.description) for p in self.vendor_products]
            title = f"Products of {self.vendor}"
        elif name in CAT_NAMES:
            rows = [
                (ALL, f"Every category at level {CAT_NAMES.index(name) + 1}"),
                *self._categories(panel.model, index.row(), name),
            ]
            title = f"{name} categories"
        else:
            return
        value = panel.model.rows[index.row()].get(name) if 0 <= index.row() < len(panel.model.rows) else None
        code = choose(self, title, rows, value)
        if code:
            if code == ALL:
                panel.model.set_values(index.row(), defaults.apply_f2(panel.model.rows[index.row()], name))
            else:
                panel.model.set_value(index.row(), name, code)
