"""The accrual audit's first list is empty after any re-rate (SPEC §16), on random scenarios:
random slips posted in random batches (later batches back-dated among the earlier ones), then
any of: provisional rates and a waiver added, a pending agreement accepted, a ladder's rate
changed behind the program's back; then `coop rerate`. Whatever happened, afterwards no
receipt line's posted accrual differs from the desired state, and the journal and its cache
agree."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from app.models import Agreement, AgreementLine
from app.services import agreements, audit, posting, receiving
from tests.integration.test_provisional_properties import (  # noqa: F401 - template is a fixture
    fresh,
    import_later,
    set_table,
    slip,
    slips_of,
    table,
    template,
)


def _accept_freight(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "FREIGHT", "2")
        assert agreement_id is not None
        view = agreements.load_agreement(uow, agreement_id)
    with ctx.uow() as uow:
        agreements.set_status(uow, agreement_id, "ACCEPTED", expected_version=view.version)


def _change_coop_rate(ctx, rate: Decimal) -> None:  # type: ignore[no-untyped-def]
    """The COOP ladder's second tier at another rate, written directly: nothing re-rated."""
    with ctx.uow() as uow:
        ids = select(Agreement.id).where(Agreement.kind == "COOP")
        uow.session.execute(
            update(AgreementLine)
            .where(AgreementLine.agreement_id.in_(ids), AgreementLine.rebate1 == Decimal("2.5"))
            .values(rebate1=rate)
        )
        uow.commit()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(slip, min_size=1, max_size=6),
    st.one_of(st.none(), table),
    st.booleans(),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=6, places=2)),
    st.randoms(use_true_random=False),
)
def test_the_first_list_is_empty_after_any_rerate(template, tmp_path, slips, drawn, accept, rate, rnd):  # noqa: F811
    ctx = fresh(template, Path(tempfile.mkdtemp(dir=tmp_path)), "a.sqlite")
    import_later(ctx, Path(tempfile.mkdtemp(dir=tmp_path)), "PENDING")
    records = slips_of(slips)
    with ctx.uow() as uow:
        receiving.save_slips(uow, records)
    numbers = [r.slip_no for r in records]
    rnd.shuffle(numbers)
    while numbers:  # random batches: a later batch may hold earlier slips
        take = rnd.randint(1, len(numbers))
        with ctx.uow() as uow:
            posting.post_slips(uow, numbers[:take])
        numbers = numbers[take:]
    if drawn is not None:
        set_table(ctx, drawn)
    if accept:
        _accept_freight(ctx)
    if rate is not None:
        _change_coop_rate(ctx, rate)
    with ctx.uow() as uow:
        posting.rerate(uow)
    with ctx.uow() as uow:
        report = audit.accrual_audit(uow)
    assert report.desired == []
    assert report.cache == []
    assert not report.failed
    ctx.engine.dispose()
