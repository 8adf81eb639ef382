"""Property-based tests of the engine: balance, cent additivity, rerate algebra."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.journal import LineRef, Posted, accrual_entries, receipt_entry, rerate_entry
from app.domain.ladder import CentRun, CentTerms, LadderRun, LadderTerms, Tier, period_key
from app.domain.money import ZERO, cents

money = st.integers(min_value=-50_000_00, max_value=200_000_00).map(lambda c: Decimal(c) / 100)
positive_money = st.integers(min_value=1, max_value=200_000_00).map(lambda c: Decimal(c) / 100)
rate = st.integers(min_value=0, max_value=100_0000).map(lambda r: Decimal(r) / 10_000 / 100)
pct = st.integers(min_value=0, max_value=100).map(Decimal)


@st.composite
def ladder_terms(draw: st.DrawFn) -> LadderTerms:
    n = draw(st.integers(min_value=1, max_value=4))
    maxes = sorted(draw(st.sets(st.integers(min_value=1, max_value=500_000), min_size=n, max_size=n)))
    tiers = tuple(Tier(Decimal(m), draw(rate)) for m in maxes)
    return LadderTerms(tiers, retro=draw(st.booleans()), product_pct=draw(pct),
                       period=draw(st.sampled_from([None, "M", "Q", "Y"])))


receipts = st.lists(
    st.tuples(st.integers(min_value=0, max_value=400), money.filter(lambda m: m != 0)), min_size=1, max_size=30
)
REF = LineRef(1, "S1", 1, 1, 1, "P")


@settings(max_examples=300, deadline=None)
@given(ladder_terms(), receipts)
def test_line_rebates_add_up_to_rounded_exact_total_per_period(terms, lines):
    start = date(2026, 1, 1)
    dated = sorted((start + timedelta(days=d), a) for d, a in lines)
    run = LadderRun(terms)
    per_period: dict[str, Decimal] = {}
    for when, amount in dated:
        acc = run.add(when, amount)
        key = period_key(terms.period, when)
        per_period[key] = per_period.get(key, ZERO) + acc.rebate
        assert acc.rebate == acc.regular + acc.retro
        assert acc.inventory == cents(acc.regular * terms.product_pct / 100)
    for key, total in per_period.items():
        assert total == cents(terms.gain(run.volumes[key]))


@settings(max_examples=300, deadline=None)
@given(ladder_terms(), receipts)
def test_every_entry_balances(terms, lines):
    run = LadderRun(terms)
    for day, amount in lines:
        when = date(2026, 1, 1) + timedelta(days=day)
        acc = run.add(when, amount)
        receipt_entry(REF, when, amount)  # raises UnbalancedEntry if not balanced
        for entry in accrual_entries(REF, when, "COOP", acc, "ladder"):
            assert sum(x.debit for x in entry.lines) == sum(x.credit for x in entry.lines)
            assert all(x.debit >= 0 and x.credit >= 0 for x in entry.lines)


@settings(max_examples=300, deadline=None)
@given(st.tuples(money, money, money), st.tuples(money, money, money), st.sampled_from(["COOP", "VOLUME"]),
       st.booleans())
def test_rerate_entry_moves_posted_state_to_desired_state(old_vals, new_vals, kind, same_inventory):
    old = Posted(old_vals[0], old_vals[1], old_vals[2])
    # same_inventory: the common re-rate (no Product %): receivable against P&L only
    new = Posted(new_vals[0], new_vals[1], old_vals[2] if same_inventory else new_vals[2])
    entry = rerate_entry(REF, date(2026, 6, 1), kind, old, new, "memo")
    if entry is None:
        assert (old.rebate, old.inventory) == (new.rebate, new.inventory)
        return
    net = {}
    for line in entry.lines:
        net[line.role] = net.get(line.role, ZERO) + line.debit - line.credit
    assert net.get("REBATE_RECEIVABLE", ZERO) == new.rebate - old.rebate
    assert -net.get("INVENTORY", ZERO) == new.inventory - old.inventory
    pnl = "ADVERTISING" if kind == "COOP" else "REBATE_EARNED"
    assert -net.get(pnl, ZERO) == new.pnl - old.pnl
    assert all(x.debit >= 0 and x.credit >= 0 and (x.debit == 0 or x.credit == 0) for x in entry.lines)
    assert len({x.role for x in entry.lines}) == len(entry.lines)  # one line per account


# The integer run posting and re-rating use must give exactly the Decimal run's results.
cents_money = st.integers(min_value=1, max_value=999_999_999_00).map(lambda c: Decimal(c) / 100)
fine_rate = st.one_of(rate, st.tuples(rate, rate).map(lambda rs: rs[0] * (1 - rs[1])))  # degressive: 12 places
fine_pct = st.integers(min_value=0, max_value=100_0000).map(lambda p: Decimal(p) / 10_000)


@st.composite
def fine_terms(draw: st.DrawFn) -> LadderTerms:
    n = draw(st.integers(min_value=1, max_value=4))
    maxes = sorted(draw(st.sets(cents_money, min_size=n, max_size=n)))
    if draw(st.booleans()):
        maxes[-1] = Decimal("999999999.00")
    tiers = tuple(Tier(m, draw(fine_rate)) for m in maxes)
    return LadderTerms(tiers, retro=draw(st.booleans()), product_pct=draw(fine_pct),
                       period=draw(st.sampled_from([None, "M", "Q", "Y"])))


@settings(max_examples=400, deadline=None)
@given(st.one_of(ladder_terms(), fine_terms()), receipts)
def test_cent_run_equals_decimal_run(terms, lines):
    cent_terms = CentTerms.of(terms)
    assert cent_terms is not None
    exact, fast = LadderRun(terms), CentRun(cent_terms)
    for day, amount in lines:
        when = date(2026, 1, 1) + timedelta(days=day)
        acc = exact.add(when, amount)
        got = fast.add(period_key(terms.period, when), int(amount * 100))
        want = (acc.volume_after, acc.tier, acc.rebate, acc.retro, acc.inventory)
        assert tuple(Decimal(v) / 100 for v in got[:1]) + got[1:2] + tuple(Decimal(v) / 100 for v in got[2:]) == want


def test_cent_terms_refuse_what_they_cannot_hold_exactly():
    assert CentTerms.of(LadderTerms((Tier(Decimal("100.001"), Decimal("0.02")),))) is None
    assert CentTerms.of(LadderTerms((Tier(Decimal("100"), Decimal(1) / 3),))) is None
    held = CentTerms.of(LadderTerms((Tier(Decimal("100.50"), Decimal("0.0125")),), product_pct=Decimal("12.5")))
    assert held is not None and held.maxes == [10050] and held.rates == [125] and held.unit == 10_000
