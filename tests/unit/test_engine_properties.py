"""Property-based tests of the engine: balance, cent additivity, rerate algebra."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.accrual_changes import AccrualChanges
from app.domain.accrual_rows import PostedAccrual, PostingLine
from app.domain.journal import EntryLine, UnbalancedEntry, entry
from app.domain.ladder import Earned, Ladder, LadderRun, LadderTerms, Scope, Tier, period_key
from app.domain.money import HUNDRED, ZERO, cents, to_units

money = st.integers(min_value=-50_000_00, max_value=200_000_00).map(lambda c: Decimal(c) / 100)
positive_money = st.integers(min_value=1, max_value=200_000_00).map(lambda c: Decimal(c) / 100)
rate = st.integers(min_value=0, max_value=100_0000).map(lambda r: Decimal(r) / 10_000 / 100)
pct = st.integers(min_value=0, max_value=100).map(Decimal)


@st.composite
def ladder_terms(draw: st.DrawFn) -> LadderTerms:
    n = draw(st.integers(min_value=1, max_value=4))
    maxes = sorted(draw(st.sets(st.integers(min_value=1, max_value=500_000), min_size=n, max_size=n)))
    tiers = tuple(Tier(Decimal(m), draw(rate)) for m in maxes)
    return LadderTerms(
        tiers, retro=draw(st.booleans()), product_pct=draw(pct), period=draw(st.sampled_from([None, "M", "Q", "Y"]))
    )


receipts = st.lists(
    st.tuples(st.integers(min_value=0, max_value=400), money.filter(lambda m: m != 0)), min_size=1, max_size=30
)


def ladder_of(terms: LadderTerms, kind: str = "COOP", agreement_id: int = 1) -> Ladder:
    scope = Scope(product="P")
    return Ladder(
        f"L{agreement_id}", agreement_id, f"A{agreement_id}", kind, scope, date(2026, 1, 1), date(2027, 12, 31), terms
    )


def posting_line(when: date, amount_cents: int) -> PostingLine:
    return PostingLine(1, "S1", 1, when, 1, 1, "P", None, None, None, None, 10_000, amount_cents, 0, 0)


def changes() -> AccrualChanges:
    return AccrualChanges(date(2026, 6, 1), lambda agreement_id: f"A{agreement_id}", 10**18)


@settings(max_examples=300, deadline=None)
@given(ladder_terms(), receipts)
def test_every_entry_balances(terms, lines):
    ladder = ladder_of(terms)
    run = LadderRun(terms)
    made = changes()
    for day, amount in lines:
        when = date(2026, 1, 1) + timedelta(days=day)
        acc = run.add(when, amount)
        line = posting_line(when, to_units(amount, 2))
        made.receipt(line)
        volume, rebate, retro, inventory = (
            to_units(v, 2) for v in (acc.volume_after, acc.rebate, acc.retro, acc.inventory)
        )
        made.new_line(
            line, "COOP", ladder, period_key(terms.period, when), Earned(volume, acc.tier, rebate, retro, inventory)
        )
    assert len([e for e in made.entries if e.source == "RECEIPT"]) == len(lines)
    for e in made.journal():
        assert sum(x.debit for x in e.lines) == sum(x.credit for x in e.lines)
        assert all(x.debit >= 0 and x.credit >= 0 for x in e.lines)


def test_an_entry_that_does_not_balance_or_has_no_lines_is_refused():
    lines = (EntryLine("INVENTORY", 100, 0, None, ""), EntryLine("RECEIVED_NOT_INVOICED", 0, 99, None, ""))
    with pytest.raises(UnbalancedEntry, match="debit 100 != credit 99"):
        entry("RECEIPT", date(2026, 1, 1), "S1", 1, 1, 1, 1, None, lines)
    with pytest.raises(UnbalancedEntry):
        entry("RECEIPT", date(2026, 1, 1), "S1", 1, 1, 1, 1, None, ())
    made = entry("RECEIPT", date(2026, 1, 1), "S1", 1, 1, 1, 1, None, lines[:1] + (lines[1]._replace(credit=100),))
    assert (made.source, made.rank, made.reference) == ("RECEIPT", 0, "S1")


cents_ = st.integers(min_value=-50_000_00, max_value=200_000_00)


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(cents_, cents_, cents_),
    st.tuples(cents_, cents_, cents_),
    st.sampled_from(["COOP", "VOLUME"]),
    st.booleans(),
)
def test_rerate_entry_moves_posted_state_to_desired_state(old_vals, new_vals, kind, same_inventory):
    old_rebate, old_retro, old_inventory = old_vals
    # same_inventory: the common re-rate (no Product %): receivable against P&L only
    new_rebate, new_retro = new_vals[:2]
    new_inventory = old_inventory if same_inventory else new_vals[2]
    ladder = ladder_of(LadderTerms((Tier(Decimal(100), Decimal("0.01")),)), kind)
    row = PostedAccrual(
        1, kind, date(2026, 1, 5), "S1", 1, 1, 100, ladder.key, "", 1, old_rebate, old_retro, old_inventory, 1
    )
    made = changes()
    made.restate(row, 1, ladder, "", Earned(100, 1, new_rebate, new_retro, new_inventory))
    assert made.updates[0].rebate == new_rebate and not made.moves
    if not made.rerates:
        assert (old_rebate, old_inventory) == (new_rebate, new_inventory)
        return
    (e,) = made.rerates
    assert (e.source, e.entry_date, e.agreement_no) == ("RERATE", date(2026, 6, 1), "A1")
    net = {}
    for line in e.lines:
        net[line.role] = net.get(line.role, 0) + line.debit - line.credit
    assert net.get("REBATE_RECEIVABLE", 0) == new_rebate - old_rebate
    assert -net.get("INVENTORY", 0) == new_inventory - old_inventory
    pnl = "ADVERTISING" if kind == "COOP" else "REBATE_EARNED"
    assert -net.get(pnl, 0) == (new_rebate - new_inventory) - (old_rebate - old_inventory)
    assert all(x.debit >= 0 and x.credit >= 0 and (x.debit == 0 or x.credit == 0) for x in e.lines)
    assert len({x.role for x in e.lines}) == len(e.lines)  # one line per account


# The engine against SPEC §5.3–§5.4 written out in Decimal, independently of it: the exact
# G(V), cumulative half-up rounding, the retro split and Product % on the regular part.
def reference_gain(terms: LadderTerms, volume: Decimal) -> Decimal:
    if volume <= ZERO:
        return ZERO
    tiers = terms.tiers
    t = next((i for i, tier in enumerate(tiers) if volume <= tier.max_amount), len(tiers) - 1)
    if terms.retro:
        return min(volume, tiers[-1].max_amount) * tiers[t].rate
    total, lower = ZERO, ZERO
    for tier in tiers:
        if volume <= lower:
            break
        total += tier.rate * (min(volume, tier.max_amount) - lower)
        lower = tier.max_amount
    return total


def reference_line(terms: LadderTerms, before: Decimal, amount: Decimal) -> tuple[Decimal, ...]:
    """(volume after, tier, rebate, retro, inventory) of one line, from the SPEC's formulas."""
    tiers = terms.tiers

    def tier_of(v: Decimal) -> int:
        v = max(v, ZERO)
        return next((i for i, tier in enumerate(tiers) if v <= tier.max_amount), len(tiers) - 1)

    after = before + amount
    rebate = cents(reference_gain(terms, after)) - cents(reference_gain(terms, before))
    retro = ZERO
    t_before, t_after = tier_of(before), tier_of(after)
    if terms.retro and before > ZERO and t_before != t_after:
        retro = cents((tiers[t_after].rate - tiers[t_before].rate) * min(before, tiers[-1].max_amount))
    inventory = cents((rebate - retro) * terms.product_pct / HUNDRED)
    return after, Decimal(t_after + 1), rebate, retro, inventory


cents_money = st.integers(min_value=1, max_value=999_999_999_00).map(lambda c: Decimal(c) / 100)
fine_rate = st.one_of(
    rate,
    st.tuples(rate, rate).map(lambda rs: rs[0] * (1 - rs[1])),  # degressive: 12 places
    st.tuples(rate, rate, rate, rate).map(lambda rs: rs[0] * rs[1] * rs[2] * rs[3]),
)  # 24
fine_pct = st.integers(min_value=0, max_value=100_0000).map(lambda p: Decimal(p) / 10_000)


@st.composite
def fine_terms(draw: st.DrawFn) -> LadderTerms:
    n = draw(st.integers(min_value=1, max_value=4))
    maxes = sorted(draw(st.sets(cents_money, min_size=n, max_size=n)))
    if draw(st.booleans()):
        maxes[-1] = Decimal("999999999.00")
    tiers = tuple(Tier(m, draw(fine_rate)) for m in maxes)
    return LadderTerms(
        tiers,
        retro=draw(st.booleans()),
        product_pct=draw(fine_pct),
        period=draw(st.sampled_from([None, "M", "Q", "Y"])),
    )


@settings(max_examples=400, deadline=None)
@given(st.one_of(ladder_terms(), fine_terms()), receipts)
def test_the_engine_gives_the_spec_formulas_results_line_by_line(terms, lines):
    run = LadderRun(terms)
    volumes: dict[str, Decimal] = {}
    for day, amount in lines:
        when = date(2026, 1, 1) + timedelta(days=day)
        key = period_key(terms.period, when)
        acc = run.add(when, amount)
        want = reference_line(terms, volumes.get(key, ZERO), amount)
        volumes[key] = want[0]
        assert (acc.volume_after, Decimal(acc.tier), acc.rebate, acc.retro, acc.inventory) == want


def test_terms_in_units_are_exact_and_a_maximum_must_be_whole_cents():
    units = LadderTerms((Tier(Decimal("100.50"), Decimal("0.0125")),), product_pct=Decimal("12.5")).units
    assert (units.maxes, units.rates, units.unit, units.pct, units.pct_unit) == ([10050], [125], 10_000, 125, 1000)
    third = LadderTerms((Tier(Decimal("100"), Decimal(1) / 3),)).units  # 28 places: still exact
    assert third.rates == [int("3" * 28)] and third.unit == 10**28
    with pytest.raises(ValueError):
        _ = LadderTerms((Tier(Decimal("100.001"), Decimal("0.02")),)).units
