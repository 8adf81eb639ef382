"""Properties of provisional rates (SPEC §12) with the five percent kinds (§11.2), on random
receipts, provisional tables and waivers:
- posting in any order and batches, then re-rating, gives the per-line, per-account amounts of
  posting in date order, and every entry balances;
- accepting an agreement after posting is equivalent to having had it accepted from the start
  (net per receipt line and account role), and re-rating afterwards posts nothing."""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.adapters import db
from app.services import agreements, imports, posting, provisional, receiving
from app.services.context import AppContext
from app.services.reports import journal_rows
from tests.conftest import EXAMPLES

PRODUCTS = ("GYP-HALF-4X8", "GYP-OTHER", "SPF-2X4-8")
HEADER = (
    "agreement_no,vendor_code,kind,status,cat1,cat2,cat3,cat4,product_code,max_amount,start_date,end_date,"
    "rebate1,rebate2,rebate3,rebate4,method,degressive,retro,product_pct,period\n"
)
ACCEPTED = (
    # COOP on gypsum only from May: earlier gypsum and all lumber are provisional
    "1,V100,COOP,ACCEPTED,GYPSUM,,,,,5000,2026-05-01,2026-12-31,1,,,,SC,N,Y,0,\n"
    "1,V100,COOP,ACCEPTED,GYPSUM,,,,,999999999,2026-05-01,2026-12-31,2.5,,,,SC,N,Y,0,\n"
    # DAMAGE on one product, tiers with Product %; the rest of DAMAGE is provisional
    "1,V100,DAMAGE,ACCEPTED,,,,,GYP-HALF-4X8,3000,2026-01-01,2026-12-31,0.5,,,,CD,N,N,40,\n"
    "1,V100,DAMAGE,ACCEPTED,,,,,GYP-HALF-4X8,999999999,2026-01-01,2026-12-31,1.25,,,,CD,N,N,40,\n"
    # VOLUME and PERIODIC never have provisional rates
    "1,V100,VOLUME,ACCEPTED,,,,,,999999999,2026-01-01,2026-12-31,0.75,,,,CD,N,N,0,\n"
    "1,V100,PERIODIC,ACCEPTED,LUMBER,,,,,2000,2026-01-01,2026-12-31,0,,,,SC,N,Y,0,M\n"
    "1,V100,PERIODIC,ACCEPTED,LUMBER,,,,,999999999,2026-01-01,2026-12-31,1.5,,,,SC,N,Y,0,M\n"
)
# Accepted later (or from the start): FREIGHT on everything for spring, COOP on lumber for the year.
LATER = (
    "2,V100,FREIGHT,{status},,,,,,4000,2026-03-01,2026-06-30,0.4,,,,CD,N,N,0,\n"
    "2,V100,FREIGHT,{status},,,,,,999999999,2026-03-01,2026-06-30,0.9,,,,CD,N,N,0,\n"
)
GL_ACCOUNTS = "4820,Damage allowance,INCOME\n4830,Freight allowance,INCOME\n"
GL_REFERENCE = "DAMAGE_ALLOWANCE,4820\nFREIGHT_ALLOWANCE,4830\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prov")
    path = folder / "template.sqlite"
    ctx = AppContext.open(f"sqlite:///{path}", user="tester")
    for kind in ("categories", "vendors", "products"):
        with ctx.uow() as uow:
            imports.import_file(uow, kind, EXAMPLES / "B_marginal" / f"{kind}.csv")
    for kind, extra in (("gl-accounts", GL_ACCOUNTS), ("gl-reference", GL_REFERENCE)):
        file = folder / f"{kind}.csv"
        file.write_text((EXAMPLES / "B_marginal" / f"{kind}.csv").read_text() + extra)
        with ctx.uow() as uow:
            imports.import_file(uow, kind, file)
    file = folder / "agreements.csv"
    file.write_text(HEADER + ACCEPTED)
    with ctx.uow() as uow:
        imports.import_file(uow, "agreements", file)
    ctx.engine.dispose()
    return path


def fresh(template: Path, folder: Path, name: str) -> AppContext:
    target = folder / name
    shutil.copy(template, target)
    return AppContext(db.make_engine(f"sqlite:///{target}"), user="tester")


def net_by_line_and_role(ctx: AppContext) -> dict[tuple[str, int, str], Decimal]:
    out: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    with ctx.uow() as uow:
        for row in journal_rows(uow):
            if row["source"] != "RECEIPT":
                out[(row["slip_no"], row["line_no"], row["account_role"])] += row["debit"] - row["credit"]
    return {k: v for k, v in out.items() if v != 0}


def entries_balance(ctx: AppContext) -> None:
    sums: dict[int, Decimal] = defaultdict(Decimal)
    with ctx.uow() as uow:
        for row in journal_rows(uow):
            sums[row["entry_no"]] += row["debit"] - row["credit"]
    assert {k: v for k, v in sums.items() if v} == {}


slip = st.tuples(
    st.integers(min_value=0, max_value=300),  # day of 2026
    st.lists(
        st.tuples(
            st.sampled_from(PRODUCTS),
            st.integers(min_value=-300, max_value=4000).filter(bool),
            st.integers(min_value=50, max_value=900),
        ),
        min_size=1,
        max_size=3,
    ),
)
rate = st.decimals(min_value=0, max_value=5, places=2)
table = st.tuples(
    rate,  # COOP ALL for the year
    st.one_of(st.none(), rate),  # COOP LUMBER for the year (beats ALL)
    rate,  # FREIGHT ALL Jan-Aug
    rate,  # DAMAGE ALL for the year
    st.one_of(st.none(), st.tuples(st.integers(0, 300), st.integers(0, 120))),  # FREIGHT waiver: start day, length
)


def set_table(ctx: AppContext, drawn: tuple[object, ...]) -> None:
    coop_all, coop_lumber, freight, damage, waiver = drawn
    year = (date(2026, 1, 1), date(2026, 12, 31))
    rates = [
        provisional.RateIn("COOP", *year, "ALL", coop_all),  # type: ignore[arg-type]
        provisional.RateIn("FREIGHT", date(2026, 1, 1), date(2026, 8, 31), "ALL", freight),  # type: ignore[arg-type]
        provisional.RateIn("DAMAGE", *year, "", damage),  # type: ignore[arg-type]
    ]
    if coop_lumber is not None:
        rates.append(provisional.RateIn("COOP", *year, "LUMBER", coop_lumber))  # type: ignore[arg-type]
    with ctx.uow() as uow:
        provisional.save_rates(uow, rates)
    if waiver is not None:
        start = date(2026, 1, 1) + timedelta(days=waiver[0])  # type: ignore[index]
        with ctx.uow() as uow:
            provisional.save_waivers(
                uow, [provisional.WaiverIn("V100", "FREIGHT", start, start + timedelta(days=waiver[1]))]
            )  # type: ignore[index]


def slips_of(drawn: list[tuple[int, list[tuple[str, int, int]]]]) -> list[receiving.SlipIn]:
    return [
        receiving.SlipIn(
            f"S{i:03d}",
            "V100",
            date(2026, 1, 1) + timedelta(days=day),
            tuple(receiving.SlipLineIn(n + 1, p, Decimal(q), Decimal(c) / 100) for n, (p, q, c) in enumerate(lines)),
        )
        for i, (day, lines) in enumerate(drawn)
    ]


def import_later(ctx: AppContext, folder: Path, status: str) -> None:
    file = folder / f"later-{status}.csv"
    file.write_text(HEADER + LATER.format(status=status))
    with ctx.uow() as uow:
        imports.import_file(uow, "agreements", file)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(slip, min_size=2, max_size=8), table, st.randoms(use_true_random=False))
def test_any_posting_order_then_rerate_equals_date_order(template, tmp_path, slips, drawn, rnd):
    records = slips_of(slips)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    ordered, shuffled = fresh(template, folder, "a.sqlite"), fresh(template, folder, "b.sqlite")
    for ctx in (ordered, shuffled):
        set_table(ctx, drawn)
        with ctx.uow() as uow:
            receiving.save_slips(uow, records)
    with ordered.uow() as uow:
        posting.post_slips(uow)
    numbers = [r.slip_no for r in records]
    rnd.shuffle(numbers)
    while numbers:
        take = rnd.randint(1, len(numbers))
        with shuffled.uow() as uow:
            posting.post_slips(uow, numbers[:take])
        numbers = numbers[take:]
    with shuffled.uow() as uow:
        posting.rerate(uow)
    assert net_by_line_and_role(shuffled) == net_by_line_and_role(ordered)
    entries_balance(shuffled)
    with ordered.uow() as uow:
        assert posting.rerate(uow) == 0
    ordered.engine.dispose()
    shuffled.engine.dispose()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(slip, min_size=1, max_size=8), table)
def test_accepting_later_equals_accepted_from_the_start(template, tmp_path, slips, drawn):
    records = slips_of(slips)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    from_start, later = fresh(template, folder, "a.sqlite"), fresh(template, folder, "b.sqlite")
    import_later(from_start, folder, "ACCEPTED")
    import_later(later, folder, "PENDING")
    for ctx in (from_start, later):
        set_table(ctx, drawn)
        with ctx.uow() as uow:
            receiving.save_slips(uow, records)
        with ctx.uow() as uow:
            posting.post_slips(uow)
    with later.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "FREIGHT", "2")
        assert agreement_id is not None
        view = agreements.load_agreement(uow, agreement_id)
    with later.uow() as uow:
        agreements.set_status(uow, agreement_id, "ACCEPTED", expected_version=view.version)
    assert net_by_line_and_role(later) == net_by_line_and_role(from_start)
    entries_balance(later)
    with later.uow() as uow:
        assert posting.rerate(uow) == 0
    from_start.engine.dispose()
    later.engine.dispose()
