"""Property: posting slips in any order and batches, then re-rating, gives exactly the
per-line, per-account amounts of posting them in date order (SPEC §6.3)."""

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
from app.services import imports, posting, receiving
from app.services.context import AppContext
from app.services.reports import journal_rows
from tests.conftest import EXAMPLES

FIXTURE = Path(__file__).parent.parent / "fixtures" / "property"
PRODUCTS = ("GYP-HALF-4X8", "GYP-OTHER", "SPF-2X4-8")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite"
    ctx = AppContext.open(f"sqlite:///{path}", user="tester")
    for kind in ("categories", "vendors", "products", "gl-accounts", "gl-reference"):
        with ctx.uow() as uow:
            imports.import_file(uow, kind, EXAMPLES / "B_marginal" / f"{kind}.csv")
    with ctx.uow() as uow:
        imports.import_file(uow, "agreements", FIXTURE / "agreements.csv")
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


def ladder_volumes_match_accruals(ctx: AppContext) -> None:
    """The ladder_volume cache equals what the posted accruals add up to."""
    from sqlalchemy import select

    from app.models import LadderVolume, LineAccrual

    with ctx.uow() as uow:
        expected: dict[tuple[str, str], list] = {}
        for row in uow.session.scalars(select(LineAccrual)):
            entry = expected.setdefault((row.ladder_key, row.period_key), [Decimal(0), None])
            entry[0] += row.amount
            position = (row.received_date, row.slip_no, row.line_no)
            entry[1] = max(entry[1], position) if entry[1] else position
        cached = {
            (v.ladder_key, v.period_key): [v.volume, (v.last_date, v.last_slip_no, v.last_line_no)]
            for v in uow.session.scalars(select(LadderVolume))
        }
    assert cached == expected


def accrual_state(ctx: AppContext) -> list[tuple[object, ...]]:
    """line_accrual as the posting left it, per (slip, line, kind)."""
    from sqlalchemy import select

    from app.models import LineAccrual as A

    with ctx.uow() as uow:
        return sorted(
            tuple(r)
            for r in uow.session.execute(
                select(A.slip_no, A.line_no, A.kind, A.ladder_key, A.period_key, A.tier, A.rebate, A.retro, A.inventory)
            )
        )


slip = st.tuples(
    st.integers(min_value=0, max_value=200),  # day of year
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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(slip, min_size=2, max_size=9), st.randoms(use_true_random=False))
def test_any_posting_order_then_rerate_equals_date_order(template, tmp_path, slips, rnd):
    records = [
        receiving.SlipIn(
            f"S{i:03d}",
            "V100",
            date(2026, 1, 1) + timedelta(days=day),
            tuple(receiving.SlipLineIn(n + 1, p, Decimal(q), Decimal(c) / 100) for n, (p, q, c) in enumerate(lines)),
        )
        for i, (day, lines) in enumerate(slips)
    ]
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    ordered, shuffled = fresh(template, folder, "a.sqlite"), fresh(template, folder, "b.sqlite")
    for ctx in (ordered, shuffled):
        with ctx.uow() as uow:
            receiving.save_slips(uow, records)
    with ordered.uow() as uow:
        posting.post_slips(uow)  # every draft, in date order
    numbers = [r.slip_no for r in records]
    rnd.shuffle(numbers)
    while numbers:
        take = rnd.randint(1, len(numbers))
        with shuffled.uow() as uow:
            posting.post_slips(uow, numbers[:take])
        numbers = numbers[take:]
    ladder_volumes_match_accruals(shuffled)  # kept right by back-dated postings too
    with shuffled.uow() as uow:
        posting.rerate(uow)
    ladder_volumes_match_accruals(ordered)
    ladder_volumes_match_accruals(shuffled)
    expected = net_by_line_and_role(ordered)
    assert net_by_line_and_role(shuffled) == expected
    assert accrual_state(shuffled) == accrual_state(ordered)  # ladder, period, tier, amounts per line
    with ordered.uow() as uow:
        assert posting.rerate(uow) == 0  # an unchanged state posts nothing
    ordered.engine.dispose()
    shuffled.engine.dispose()
