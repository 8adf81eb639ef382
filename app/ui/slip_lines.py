"""The slip-lines model: the lines of one receiving slip, with the product's description
and cost, the extended amount and the rebate credits of each line; the lines as the
receiving service takes them, and the credits of its rebate preview."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from app.domain.money import round_to
from app.services.receiving import PreviewRow, SlipLineIn

from .models import Column, TableModel, fmt_cell, fmt_decimal

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

    def lines_in(self, prefix: str) -> tuple[SlipLineIn, ...]:
        """The lines as the receiving service takes them, each labelled "prefix n"."""
        return tuple(
            SlipLineIn(
                line_no=i + 1,
                product=row.get("Product") or "",
                quantity=row.get("Quantity") or Decimal(0),
                unit_cost=row.get("Unit Cost"),
                label=f"{prefix} {i + 1}",
            )
            for i, row in enumerate(self.rows)
        )

    def show_preview(self, lines: Sequence[SlipLineIn], previews: Sequence[PreviewRow]) -> None:
        """Applied to Cost and Net Unit Cost of the previewed lines: the preview's rebates
        applied to cost, summed per line; a line without one shows 0.00 and its own cost."""
        credits: dict[int, tuple[Decimal, Decimal]] = {}
        for line in lines:
            extended = self.value(line.line_no - 1, "Extended")
            if extended is not None and line.quantity:
                credits[line.line_no] = (Decimal("0.00"), round_to(extended / line.quantity, 4))
        for p in previews:
            applied = credits.get(p.line_no, (Decimal(0), p.net_unit_cost))[0]
            credits[p.line_no] = (applied + p.applied_to_cost, p.net_unit_cost)
        self.set_credits(credits)

    def set_credits(self, credits: dict[int, tuple[Decimal, Decimal]]) -> None:
        self.credits = dict(credits)
        if self.rows:
            first, last = self.column_index("Applied to Cost"), self.column_index("Net Unit Cost")
            self.dataChanged.emit(self.index(0, first), self.index(len(self.rows) - 1, last))
