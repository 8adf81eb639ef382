"""SPEC §4–§5 and the §10 examples on the pure engine."""

from __future__ import annotations

import itertools
import random
from datetime import date
from decimal import Decimal

import pytest

from app.domain.ladder import (
    Ladder,
    LadderRun,
    LadderTerms,
    Scope,
    Tier,
    period_key,
)
from app.domain.ladder_index import LadderIndex
from app.domain.money import D, cents
from app.domain.rates import line_result, result_percent

R = Decimal


def terms(*tiers: tuple[str, str], retro: bool = False, pct: str = "0", period: str | None = None) -> LadderTerms:
    return LadderTerms(tuple(Tier(R(m), R(r) / 100) for m, r in tiers), retro, R(pct), period)


def choose_ladder(ladders: list[Ladder], product: str, cats: tuple[str | None, ...], when: date) -> Ladder | None:
    """The ladder of one kind the engine gives a receipt line (SPEC §5.2)."""
    found = LadderIndex({1: {"COOP": ladders}}).ladders_of(1, product, cats, when)
    return next((ladder for _kind, ladder in found), None)


def run_amounts(t: LadderTerms, amounts: list[str], when: date = date(2026, 2, 1)):
    run = LadderRun(t)
    return [run.add(when, R(a)) for a in amounts]


def test_degressive_result_is_4_913_percent():
    rebates = (R(2), R("1.5"), R(1), R("0.5"))
    assert line_result(rebates, degressive=True) == R("0.049125")
    assert result_percent(line_result(rebates, degressive=True)) == R("4.913")


def test_additive_result_is_5_percent():
    rebates = (R(2), R("1.5"), R(1), R("0.5"))
    assert result_percent(line_result(rebates, degressive=False)) == R("5.000")


def test_blank_rebates_are_skipped():
    assert line_result((R(2), None, R(1), None), degressive=True) == R("0.02") + R("0.98") * R("0.01")


def test_marginal_tiers_example_b():
    t = terms(("30000", "2"), ("50000", "3"), ("999999999", "3.5"))
    got = [a.rebate for a in run_amounts(t, ["25000", "20000", "10000"])]
    assert got == [R("500.00"), R("550.00"), R("325.00")]
    assert sum(got) == R("1375.00")


def test_retro_example_c_splits_retroactive_part():
    t = terms(("50000", "0"), ("100000", "2"), ("999999999", "3"), retro=True)
    acc = run_amounts(t, ["30000", "20000", "10000", "50000"])
    assert [(a.regular, a.retro) for a in acc] == [
        (R("0.00"), R("0.00")),
        (R("0.00"), R("0.00")),
        (R("200.00"), R("1000.00")),
        (R("1500.00"), R("600.00")),
    ]
    assert sum(a.rebate for a in acc) == R("3300.00")


def test_precedence_example_d_product_ladder_wins_and_keeps_its_volume():
    group = Ladder(
        "g",
        1,
        "1",
        "COOP",
        Scope(cats=("GYPSUM", "ALL", "ALL", "ALL")),
        date(2026, 1, 1),
        date(2026, 12, 31),
        terms(("25000", "0"), ("999999999", "2")),
    )
    product = Ladder(
        "p",
        1,
        "1",
        "COOP",
        Scope(product="GYP-HALF-4X8"),
        date(2026, 1, 1),
        date(2026, 12, 31),
        terms(("10000", "0"), ("999999999", "2.5")),
    )
    cats = ("GYPSUM", "GYP-BOARD", "GYP-REG", "GYP-REG-HALF")
    ladders = [group, product]
    runs = {"g": LadderRun(group.terms), "p": LadderRun(product.terms)}
    out = []
    for code, amount in (("GYP-OTHER", "20000"), ("GYP-HALF-4X8", "12000"), ("GYP-OTHER", "8000")):
        chosen = choose_ladder(ladders, code, cats, date(2026, 2, 1))
        assert chosen is not None
        out.append((chosen.key, runs[chosen.key].add(date(2026, 2, 1), R(amount)).rebate))
    assert out == [("g", R("0.00")), ("p", R("50.00")), ("g", R("60.00"))]


def test_more_precise_group_level_wins():
    cats = ("GYPSUM", "GYP-BOARD", "GYP-REG", "GYP-REG-HALF")
    when = date(2026, 5, 1)
    t = terms(("999999999", "1"))
    c1 = Ladder(
        "c1", 1, "1", "COOP", Scope(cats=("GYPSUM", "ALL", "ALL", "ALL")), date(2026, 1, 1), date(2026, 12, 31), t
    )
    c3 = Ladder(
        "c3",
        2,
        "2",
        "COOP",
        Scope(cats=("GYPSUM", "GYP-BOARD", "GYP-REG", "ALL")),
        date(2026, 1, 1),
        date(2026, 12, 31),
        t,
    )
    anyl = Ladder("all", 3, "3", "COOP", Scope(), date(2026, 1, 1), date(2026, 12, 31), t)
    assert choose_ladder([anyl, c1, c3], "X", cats, when).key == "c3"  # type: ignore[union-attr]
    assert choose_ladder([anyl, c1], "X", cats, when).key == "c1"  # type: ignore[union-attr]
    assert choose_ladder([anyl], "X", ("LUMBER", None, None, None), when).key == "all"  # type: ignore[union-attr]
    assert choose_ladder([c1], "X", ("LUMBER", None, None, None), when) is None
    assert choose_ladder([c1], "X", cats, date(2027, 1, 1)) is None


def test_product_pct_example_e():
    t = terms(("30000", "2"), ("50000", "3"), ("999999999", "3.5"), pct="40")
    last = run_amounts(t, ["25000", "20000", "10000"])[-1]
    assert (last.rebate, last.inventory, last.rebate - last.inventory) == (R("325.00"), R("130.00"), R("195.00"))


def test_retro_part_never_goes_to_inventory():
    t = terms(("50000", "0"), ("100000", "2"), ("999999999", "3"), retro=True, pct="100")
    acc = run_amounts(t, ["50000", "10000"])[-1]
    assert (acc.regular, acc.retro, acc.inventory) == (R("200.00"), R("1000.00"), R("200.00"))


def test_rounding_example_f_cumulative_half_up():
    t = terms(("999999999", "2.5"))
    assert [a.rebate for a in run_amounts(t, ["10.10", "10.10", "10.10"])] == [R("0.25"), R("0.26"), R("0.25")]


def test_periodic_example_g_volume_restarts_each_quarter():
    t = terms(("10000", "0"), ("999999999", "1"), period="Q")
    run = LadderRun(t)
    assert run.add(date(2026, 2, 1), R("12000")).rebate == R("20.00")
    assert run.add(date(2026, 5, 2), R("8000")).rebate == R("0.00")


@pytest.mark.parametrize(
    ("period", "when", "key"),
    [
        ("M", date(2026, 2, 28), "2026-02"),
        ("Q", date(2026, 4, 1), "2026-Q2"),
        ("Y", date(2026, 12, 31), "2026"),
        (None, date(2026, 1, 1), ""),
    ],
)
def test_period_keys_are_calendar_buckets(period, when, key):
    assert period_key(period, when) == key


def test_backdated_example_h_afresh_total():
    t = terms(("30000", "2"), ("999999999", "3"))
    assert [a.rebate for a in run_amounts(t, ["15000", "20000", "20000"])] == [R("300.00"), R("450.00"), R("600.00")]


def test_volume_beyond_last_maximum_earns_nothing():
    marginal = terms(("1000", "10"))
    assert [a.rebate for a in run_amounts(marginal, ["800", "800"])] == [R("80.00"), R("20.00")]
    retro = terms(("1000", "5"), ("2000", "10"), retro=True)
    acc = run_amounts(retro, ["1500", "1000"])
    assert [a.rebate for a in acc] == [R("150.00"), R("50.00")]


def test_returns_move_volume_down_and_reverse_retro():
    t = terms(("50000", "0"), ("100000", "2"), ("999999999", "3"), retro=True)
    acc = run_amounts(t, ["60000", "-20000"])
    assert acc[0].rebate == R("1200.00")
    back = acc[1]
    assert back.volume_after == R("40000")
    assert (back.rebate, back.retro) == (R("-1200.00"), R("-1200.00"))


def test_money_refuses_float_and_rounds_half_up():
    with pytest.raises(TypeError):
        D(0.1)
    assert cents(R("0.005")) == R("0.01")
    assert cents(R("-0.005")) == R("-0.01")
    assert cents(R("0.2525")) == R("0.25")


def test_the_index_finds_what_a_scan_of_every_ladder_finds():
    """LadderIndex looks a product up by the few scopes that can hold it; a scan of every
    ladder with Scope.contains gives the same candidates in the same order."""
    rng = random.Random(11)
    t = terms(("999999999", "1"))
    codes = ("A", "B", "ALL")
    scopes = [Scope(product=f"P{i}") for i in range(4)] + [
        Scope(cats=c) for c in itertools.product(codes, repeat=4)
    ]  # irregular ones (ALL before a code) too
    ladders = [
        Ladder(f"l{i}", rng.randint(1, 3), "1", "COOP", rng.choice(scopes), date(2026, 1, 1), date(2026, 12, 31), t)
        for i in range(120)
    ]
    index = LadderIndex({1: {"COOP": ladders}})
    for product in ("P0", "P1", "P9"):
        for cats in itertools.product(("A", "B", None), repeat=4):
            scan = sorted(
                (lad for lad in ladders if lad.scope.contains(product, cats)),
                key=lambda lad: (-lad.scope.rank, lad.agreement_id),
            )
            found = index.candidates(1, product, cats)
            assert [lad.key for _kind, c in found for lad in c] == [lad.key for lad in scan], (product, cats)


def test_earned_note_says_why_a_line_earns_nothing():
    """Issue 17: the slip preview says why a line earns 0.00 (or less than its rate suggests)."""
    from app.domain.ladder import LadderRun, LadderTerms, Tier, earned_note

    D = Decimal
    capped = LadderTerms((Tier(D("10000.00"), D("0.02")),))  # rates are fractions: 2 %
    run = LadderRun(capped)
    first = run.add_to("", D("9000.00"))
    assert (first.rebate, earned_note(capped, D("9000.00"), first)) == (D("180.00"), "")
    part = run.add_to("", D("3000.00"))
    assert (part.rebate, earned_note(capped, D("3000.00"), part)) == (
        D("20.00"), "2,000.00 of it is above the ladder's maximum (10,000.00) and earns nothing"
    )  # fmt: skip
    over = run.add_to("", D("500.00"))
    assert (over.rebate, earned_note(capped, D("500.00"), over)) == (
        D("0.00"), "above the ladder's maximum (10,000.00): earns nothing"
    )  # fmt: skip
    zero_first = LadderTerms((Tier(D("10000.00"), D("0")), Tier(D("999999999.00"), D("0.01"))))
    low = LadderRun(zero_first).add_to("", D("5000.00"))
    assert earned_note(zero_first, D("5000.00"), low) == "tier 1 earns 0 %; tier 2 starts above 10,000.00"
    tiny = LadderTerms((Tier(D("999999999.00"), D("0.01")),))
    cent = LadderRun(tiny).add_to("", D("0.40"))
    assert (cent.rebate, earned_note(tiny, D("0.40"), cent)) == (D("0.00"), "the rebate is under half a cent")
    back = LadderRun(tiny, {"": D("100.00")}).add_to("", D("-50.00"))
    assert earned_note(tiny, D("-50.00"), back) == "a return: lowers the volume and gives back what it earned"
