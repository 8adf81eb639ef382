"""The accrual audit's rules (app.domain.accrual_audit): cache against journal, journal against
the desired state; cents throughout."""

from __future__ import annotations

from datetime import date

from app.domain.accrual_audit import (
    CacheDifference,
    DesiredDifference,
    JournalNet,
    cache_differences,
    desired_differences,
)
from app.domain.accrual_changes import AccrualChanges
from app.domain.accrual_rows import PostedAccrual
from app.domain.journal import entry, rerate_lines

DAY = date(2026, 2, 1)


def row(line_id: int, slip: str, rebate: int, inventory: int = 0, kind: str = "COOP", agreement: int = 1):
    return PostedAccrual(line_id, kind, DAY, slip, 1, 7, 2_500_000, "k", "", 1, rebate, 0, inventory, agreement)


def booked(line_id: int, slip: str, rebate: int, inventory: int = 0, kind: str = "COOP") -> list[JournalNet]:
    pnl = "ADVERTISING" if kind == "COOP" else "REBATE_EARNED"
    return [
        JournalNet(line_id, kind, "REBATE_RECEIVABLE", slip, 1, rebate),
        JournalNet(line_id, kind, "INVENTORY", slip, 1, -inventory),
        JournalNet(line_id, kind, pnl, slip, 1, -(rebate - inventory)),
    ]


def test_a_cache_equal_to_the_journal_has_no_difference():
    posted = [row(1, "S1", 50_000, 20_000), row(2, "S2", 55_000)]
    assert cache_differences(posted, booked(1, "S1", 50_000, 20_000) + booked(2, "S2", 55_000)) == []


def test_every_field_that_differs_is_named_with_both_values():
    posted = [row(1, "S1", 40_000, 20_000), row(3, "S3", 32_500)]
    journal = booked(1, "S1", 50_000, 20_000) + booked(2, "S2", 55_000, kind="VOLUME")
    journal.append(JournalNet(1, "COOP", "CASH", "S1", 1, 700))  # an account no accrual reaches
    assert cache_differences(posted, journal) == [
        CacheDifference(1, "S1", 1, "COOP", "CASH", 0, -700),
        CacheDifference(1, "S1", 1, "COOP", "pnl", 20_000, 30_000),
        CacheDifference(1, "S1", 1, "COOP", "rebate", 40_000, 50_000),
        CacheDifference(2, "S2", 1, "VOLUME", "pnl", 0, 55_000),  # journal lines, no cached row
        CacheDifference(2, "S2", 1, "VOLUME", "rebate", 0, 55_000),
        CacheDifference(3, "S3", 1, "COOP", "pnl", 32_500, 0),  # a cached row, no journal lines
        CacheDifference(3, "S3", 1, "COOP", "rebate", 32_500, 0),
    ]


def changes_with(*rerates) -> AccrualChanges:
    changes = AccrualChanges(date(2026, 12, 6), {1: "A1", 2: "A2"}.get, 10**15)
    for line_id, slip, d_rebate, d_inventory, agreement_no in rerates:
        lines = rerate_lines("COOP", d_rebate, d_inventory, "re-rate")
        changes.rerates.append(entry("RERATE", date(2026, 12, 6), slip, 1, 1, 7, line_id, agreement_no, lines))
    return changes


def test_the_desired_state_is_the_cache_plus_what_a_re_rate_posts_against_the_journal():
    posted = {(1, "COOP"): row(1, "S1", 50_000, 20_000), (2, "COOP"): row(2, "S2", 40_000)}
    journal = booked(1, "S1", 50_000, 20_000) + booked(2, "S2", 55_000)  # S2's cache lowered by 150.00
    # The engine, against the cache: S1 +250.00 (100.00 of it to inventory); S2 +150.00 (to 550.00).
    changes = changes_with((1, "S1", 25_000, 10_000, "A1"), (2, "S2", 15_000, 0, "A1"))
    assert desired_differences(changes, posted, journal) == [
        DesiredDifference(1, "S1", 1, "COOP", "inventory", 20_000, 30_000),
        DesiredDifference(1, "S1", 1, "COOP", "rebate", 50_000, 75_000),
    ]  # S2: the journal holds 550.00 already, as desired


def test_a_line_moving_to_another_agreement_differs_by_its_agreement():
    posted = {(1, "COOP"): row(1, "S1", 50_000, agreement=1)}
    changes = changes_with((1, "S1", -50_000, 0, "A1"), (1, "S1", 50_000, 0, "A2"))
    assert desired_differences(changes, posted, booked(1, "S1", 50_000)) == [
        DesiredDifference(1, "S1", 1, "COOP", "agreement", "A1", "A2")
    ]
    assert desired_differences(changes_with(), posted, booked(1, "S1", 50_000)) == []
