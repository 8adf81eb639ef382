"""Re-rating recomputes what changed since a vendor's accruals were computed (SPEC §6.3).

A vendor's fingerprint covers its accepted ladders and its products' categories; an
unchanged state is detected from the fingerprints and posts nothing, a change is found
however it was made, and a full re-rate (``--full``) always agrees with the incremental one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.models import AgreementLine, JournalLine, LineAccrual, Product, VendorRating
from app.services import posting
from tests.conftest import import_example

TODAY = date(2026, 3, 10)


def rerate(ctx, full: bool = False) -> tuple[int, list[tuple[int, int]]]:
    seen: list[tuple[int, int]] = []
    with ctx.uow() as uow:
        count = posting.rerate(uow, today=TODAY, full=full, progress=lambda n, t: seen.append((n, t)))
    return count, seen


def receivable(ctx) -> dict[str, Decimal]:
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(JournalLine.slip_no, func.sum(JournalLine.debit) - func.sum(JournalLine.credit))
            .where(JournalLine.role == "REBATE_RECEIVABLE")
            .group_by(JournalLine.slip_no)
        ).all()
    return {slip: Decimal(total) for slip, total in rows}


def test_first_posting_stamps_the_vendor_and_an_unchanged_rerate_visits_nobody(ctx):
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=TODAY)
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(VendorRating)) == 1
    assert rerate(ctx) == (0, [(0, 0)])
    count, seen = rerate(ctx, full=True)  # recomputes the vendor: nothing differs
    assert count == 0 and seen == [(1, 1)]
    assert receivable(ctx) == {"S1": Decimal("500.00"), "S2": Decimal("550.00"), "S3": Decimal("325.00")}


def test_a_rate_changed_behind_the_services_back_is_found_and_rerated(ctx):
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=TODAY)
    with ctx.uow() as uow:  # first tier 2% -> 3%, no version bump: only the content says so
        line = uow.session.scalars(select(AgreementLine).order_by(AgreementLine.max_amount)).first()
        line.rebate1 = Decimal("3")
        uow.commit()
    count, seen = rerate(ctx)
    assert seen == [(1, 1)] and count == 2  # S1 +250, S2 +50; S3 keeps 325
    # marginal 3% to 30,000, 3% to 50,000, 3.5% above: 25,000 -> 750; 45,000 -> 1,350; 55,000 -> 1,675
    assert receivable(ctx) == {"S1": Decimal("750.00"), "S2": Decimal("600.00"), "S3": Decimal("325.00")}
    assert rerate(ctx) == (0, [(0, 0)])
    assert rerate(ctx, full=True)[0] == 0


def test_a_product_moved_out_of_the_ladder_is_found_and_its_accruals_reversed(ctx):
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=TODAY)
    with ctx.uow() as uow:
        product = uow.session.scalars(select(Product).where(Product.code == "GYP-OTHER")).one()
        product.cat1, product.cat2, product.cat3, product.cat4 = "LUMBER", "LUM-DIM", "LUM-SPF", "LUM-SPF-2X4"
        uow.commit()
    count, seen = rerate(ctx)
    assert seen == [(1, 1)] and count == 3
    assert set(receivable(ctx).values()) == {Decimal("0.00")}
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(LineAccrual)) == 0
    assert rerate(ctx) == (0, [(0, 0)])
    assert rerate(ctx, full=True)[0] == 0
