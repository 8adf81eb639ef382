"""Pure rebate mathematics: standard library and Decimal only (no Qt, no SQL)."""
