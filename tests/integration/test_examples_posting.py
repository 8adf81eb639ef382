"""SPEC §10 examples through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.models import JournalEntry, JournalLine, LadderVolume, LineAccrual, Product, ReceiptLine
from app.services import posting, queries, receiving
from app.services.reports import journal_rows
from tests.conftest import import_example


def amounts(ctx, source: str) -> dict[str, Decimal]:
    """slip -> net debit to REBATE_RECEIVABLE for one source."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    with ctx.uow() as uow:
        for row in journal_rows(uow, source=source):
            if row["account_role"] == "REBATE_RECEIVABLE":
                out[row["slip_no"]] += row["debit"] - row["credit"]
    return dict(out)


def test_marginal_tiers_accrue_500_550_325(ctx):
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    assert amounts(ctx, "ACCRUAL") == {"S1": Decimal("500.00"), "S2": Decimal("550.00"), "S3": Decimal("325.00")}
    assert amounts(ctx, "RETRO") == {}


def test_retro_splits_regular_and_retroactive_parts(ctx):
    import_example(ctx, "C_retro")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    assert amounts(ctx, "ACCRUAL") == {"S3": Decimal("200.00"), "S4": Decimal("1500.00")}
    assert amounts(ctx, "RETRO") == {"S3": Decimal("1000.00"), "S4": Decimal("600.00")}


def test_backdated_slip_posts_rerate_differences(ctx):
    import_example(ctx, "H_backdated")
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S2", "S3"], today=date(2026, 3, 5))
    with ctx.uow() as uow:
        result = posting.post_slips(uow, ["S1"], today=date(2026, 3, 6))
    assert result.rerate_entries == 2
    assert amounts(ctx, "ACCRUAL") == {"S1": Decimal("300.00"), "S2": Decimal("400.00"), "S3": Decimal("500.00")}
    assert amounts(ctx, "RERATE") == {"S2": Decimal("50.00"), "S3": Decimal("100.00")}
    with ctx.uow() as uow:
        assert posting.rerate_vendors(uow, [1]) == 0
    # One receipt line's journal: its receipt, its accrual and the re-rate the back-dated S1 caused.
    with ctx.uow() as uow:
        s2 = [
            (r["source"], r["account_role"], r["debit"], r["credit"])
            for r in queries.receipt_line_journal(uow, "S2", 1)
        ]
        s3 = {(r["slip_no"], r["line_no"]) for r in journal_rows(uow, slip_no="S3")}
    assert s2 == [
        ("RECEIPT", "INVENTORY", Decimal("20000.00"), Decimal(0)),
        ("RECEIPT", "RECEIVED_NOT_INVOICED", Decimal(0), Decimal("20000.00")),
        ("ACCRUAL", "REBATE_RECEIVABLE", Decimal("400.00"), Decimal(0)),
        ("ACCRUAL", "ADVERTISING", Decimal(0), Decimal("400.00")),
        ("RERATE", "REBATE_RECEIVABLE", Decimal("50.00"), Decimal(0)),
        ("RERATE", "ADVERTISING", Decimal(0), Decimal("50.00")),
    ]
    assert s3 == {("S3", 1)}
    # The drill-down derives each line's volume after it in posting order (S1 now comes first),
    # over the whole ladder even when the list starts later.
    with ctx.uow() as uow:
        key = uow.session.scalars(select(LineAccrual.ladder_key).distinct()).one()
        lines = queries.ladder_lines(uow, key)
        later = queries.ladder_lines(uow, key, date_from=date(2026, 2, 1))
        until = queries.ladder_lines(uow, key, as_of=date(2026, 2, 28))
    assert [(ln.slip_no, ln.volume_after, ln.tier, ln.rebate) for ln in lines] == [
        ("S1", Decimal("15000.00"), 1, Decimal("300.00")),
        ("S2", Decimal("35000.00"), 2, Decimal("450.00")),
        ("S3", Decimal("55000.00"), 2, Decimal("600.00")),
    ]
    assert [(ln.slip_no, ln.volume_after) for ln in later] == [("S2", Decimal("35000.00")), ("S3", Decimal("55000.00"))]
    assert [(ln.slip_no, ln.volume_after) for ln in until] == [("S1", Decimal("15000.00")), ("S2", Decimal("35000.00"))]


def test_backdated_slip_into_a_period_leaves_later_periods_alone(ctx):
    import_example(ctx, "G_periodic")
    with ctx.uow() as uow:  # Q2 first, then Q1 back-dated: Q2's volume restarts, nothing to re-rate
        posting.post_slips(uow, ["S2"], today=date(2026, 5, 3))
    with ctx.uow() as uow:
        result = posting.post_slips(uow, ["S1"], today=date(2026, 5, 4))
    assert result.rerate_entries == 0
    assert amounts(ctx, "ACCRUAL") == {"S1": Decimal("20.00")}
    with ctx.uow() as uow:
        key = uow.session.scalars(select(LineAccrual.ladder_key).distinct()).one()
        lines = queries.ladder_lines(uow, key)
        volumes = {(v.period_key, v.volume, v.last_slip_no) for v in uow.session.scalars(select(LadderVolume))}
        assert posting.rerate_vendors(uow, [1]) == 0
    assert [(ln.slip_no, ln.period_key, ln.volume_after, ln.tier) for ln in lines] == [
        ("S1", "2026-Q1", Decimal("12000.00"), 2),
        ("S2", "2026-Q2", Decimal("8000.00"), 1),
    ]
    assert volumes == {("2026-Q1", Decimal("12000.00"), "S1"), ("2026-Q2", Decimal("8000.00"), "S2")}


def test_product_pct_lowers_inventory_and_net_unit_cost(ctx):
    import_example(ctx, "E_product_pct")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    with ctx.uow() as uow:
        rows = [r for r in journal_rows(uow, source="ACCRUAL") if r["slip_no"] == "S3"]
        by_role = {r["account_role"]: (r["debit"], r["credit"]) for r in rows}
        assert by_role == {
            "REBATE_RECEIVABLE": (Decimal("325.00"), Decimal("0.00")),
            "INVENTORY": (Decimal("0.00"), Decimal("130.00")),
            "ADVERTISING": (Decimal("0.00"), Decimal("195.00")),
        }
        view = receiving.load_slip(uow, "S3")
        assert view.lines[0].inventory_credit == Decimal("130.00")
        assert view.lines[0].net_unit_cost == Decimal("0.9870")
        product = uow.session.scalar(select(Product).where(Product.code == "GYP-OTHER"))
        # 55,000 received, 550.00 credited to inventory in all (200 + 220 + 130)
        assert product.received_qty == Decimal("55000.0000")
        assert product.received_net == Decimal("54450.00")


def test_every_entry_balances_and_exports_slip_and_line(ctx):
    import_example(ctx, "C_retro")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    with ctx.uow() as uow:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for line in uow.session.scalars(select(JournalLine)):
            totals[line.entry_id] += line.debit - line.credit
            assert line.slip_no is not None and line.line_no is not None
        assert totals and all(v == 0 for v in totals.values())
        assert uow.session.query(JournalEntry).count() == 8
        assert uow.session.query(ReceiptLine).count() == 4
