"""The sizing argument of app.domain.limits, checked against the columns as they are."""

from __future__ import annotations

from decimal import Decimal

from app.adapters.types import INT64_MAX, ScaledDecimal
from app.domain.limits import (
    AMOUNT_MAX,
    LINES_BOUND,
    MAX_AMOUNT_MAX,
    QUANTITY_MAX,
    RESULT_MAX,
    UNIT_COST_MAX,
    within,
)
from app.domain.money import UNLIMITED, to_units
from app.domain.rates import line_result
from app.models import AgreementLine, JournalLine, LadderVolume, LineAccrual, Product, ReceiptLine


def units(column: object) -> int:
    column_type = column.type  # type: ignore[attr-defined]
    assert isinstance(column_type, ScaledDecimal)
    return column_type.max_units


def test_a_column_holds_what_both_databases_hold() -> None:
    # NUMERIC(18, 2): less than 10^16 dollars; 19 digits: SQLite's 64-bit integer is the smaller.
    assert units(JournalLine.debit) == 10**18 - 1
    assert units(LadderVolume.volume) == units(Product.received_net) == units(Product.received_qty) == INT64_MAX
    assert Decimal(INT64_MAX).scaleb(-2) == Decimal("92233720368547758.07")


def test_running_totals_of_the_largest_database_keep_room_nine_times_over() -> None:
    volume = LINES_BOUND * to_units(AMOUNT_MAX, 2)  # every line in one ladder, at the largest amount
    assert volume == 10**18 and 9 * volume <= units(LadderVolume.volume)
    assert 9 * volume <= units(Product.received_net)
    quantity = LINES_BOUND * to_units(QUANTITY_MAX, 4)  # every line of one product, at the largest quantity
    assert quantity == 10**18 and 9 * quantity <= units(Product.received_qty)


def test_one_line_fits_its_columns_whatever_the_number_of_lines() -> None:
    assert to_units(QUANTITY_MAX, 4) <= units(ReceiptLine.quantity)
    assert to_units(UNIT_COST_MAX, 4) <= units(ReceiptLine.unit_cost)
    assert to_units(AMOUNT_MAX, 2) <= units(ReceiptLine.amount)
    assert to_units(MAX_AMOUNT_MAX, 2) <= units(AgreementLine.max_amount)
    # The highest Result: four rebates of 100%, Deg off.
    assert line_result([Decimal(100)] * 4, degressive=False) == RESULT_MAX
    # G(V) is at most Result x the last Maximum Amount; a line's rebate, retro, regular part,
    # inventory credit and a RERATE difference are each at most four such values.
    gain = to_units(RESULT_MAX * MAX_AMOUNT_MAX, 2)
    assert 4 * gain < 2 * 10**16 <= units(LineAccrual.rebate) == units(JournalLine.credit)  # cents: 2 x 10^14 dollars


def test_limits_are_inclusive_and_apply_to_returns_too() -> None:
    assert within(QUANTITY_MAX, QUANTITY_MAX) and within(-QUANTITY_MAX, QUANTITY_MAX)
    assert not within(QUANTITY_MAX + Decimal("0.0001"), QUANTITY_MAX)
    assert not within(-AMOUNT_MAX - Decimal("0.01"), AMOUNT_MAX)
    assert UNLIMITED < MAX_AMOUNT_MAX  # the F2 default stays accepted (SPEC §3.2)
