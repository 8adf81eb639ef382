"""The largest numbers the application accepts, and why they keep every stored total in range.

Where the numbers are stored (app.adapters.types): SQLite keeps a decimal as a scaled
64-bit integer (cents for money, 10^-4 for quantities and unit costs), so it holds at most
2^63 - 1 units: 92,233,720,368,547,758.07 dollars, 922,337,203,685,477.5807 units of
quantity. PostgreSQL keeps NUMERIC(precision, scale): NUMERIC(18, 2) holds less than
10^16 dollars. A column holds, on both databases, the smaller of the two
(`ScaledDecimal.max_units`).

Two kinds of columns:
- one value per row (a receipt line's quantity, unit cost and amount; an accrual's
  rebate, retro and inventory credit; a journal debit or credit; a Maximum Amount):
  bounded by the limits below whatever the number of rows;
- running totals that grow with every posted line: a ladder's volume
  (`ladder_volume.volume`), a product's received quantity and net
  (`product.received_qty`, `product.received_net`). These are NUMERIC(19, s) on
  PostgreSQL (migration 0009), so both databases hold the same 2^63 - 1 units; so are
  the debit and credit totals a journal export records (migration 0010), sums over
  the journal that its own check keeps within them.

The sizing assumes at most 10^8 receipt lines in a database (LINES_BOUND): a hundred
times the benchmark's big distributor (a million lines a year), a century of its
receiving. Then, with the limits below:
- a ladder's volume, and the sum of a product's amounts, stay within
  10^8 x 100,000,000.00 = 10^16 dollars: 9 times under 9.2 x 10^16;
- a product's received quantity stays within 10^8 x 1,000,000 = 10^14: 9 times under
  9.2 x 10^14;
- a line's rebate is a difference of G(V) values, and G(V) <= Result x Maximum Amount of
  the last tier <= 400% x 9,999,999,999,999.99 (four rebates of 100% without Deg): every
  rebate, retro, inventory credit and journal amount, RERATE differences included, stays
  under 2 x 10^14, far inside NUMERIC(18, 2), however many lines there are.
A line of a distributor's receiving slip is never near 100 million dollars nor a million
units, so the limits refuse typing errors (a cost typed into the quantity) long before
they refuse a real receipt. Returns are negative quantities (SPEC §5.3): the quantity
and amount limits apply to the absolute value; a unit cost is never negative.

Posting still checks each running total before it writes it (app.services.posting): a
database beyond LINES_BOUND, rates above 100% on every kind, or lines saved before these
limits existed are refused with the slip and line named, never stored out of range.
"""

from __future__ import annotations

from decimal import Decimal

LINES_BOUND = 10**8
QUANTITY_MAX = Decimal(1_000_000)  # a receipt line's |quantity|
UNIT_COST_MAX = Decimal(100_000_000)  # a receipt line's or a product's unit cost
AMOUNT_MAX = Decimal("100000000.00")  # a receipt line's |quantity x unit cost|, rounded to the cent
MAX_AMOUNT_MAX = Decimal("9999999999999.99")  # an agreement line's Maximum Amount
RESULT_MAX = Decimal(4)  # a line's Result: four rebates of 100% each, Deg off


def within(value: Decimal, maximum: Decimal) -> bool:
    """|value| <= maximum."""
    return -maximum <= value <= maximum


def limit_text(maximum: Decimal) -> str:
    """A limit as messages show it: 1,000,000 or 9,999,999,999,999.99."""
    return f"{maximum:,}"
