"""The receiving screen's Post is one unit of work: the slip is saved and posted together, or
nothing is written (issue 12: use cases do not leak their transactions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services import receiving
from app.services.errors import PostingRefused
from tests.conftest import import_example
from tests.integration.test_bad_input import snapshot

SLIP = receiving.SlipIn("S9", "V100", date(2026, 2, 1), (receiving.SlipLineIn(1, "GYP-OTHER", Decimal("25000")),))


def test_a_refused_posting_leaves_the_slip_unsaved(ctx):
    import_example(ctx, "B_marginal", ("categories", "vendors", "products", "gl-accounts", "agreements"))
    before = snapshot(ctx)
    with ctx.uow() as uow, pytest.raises(PostingRefused, match="RECEIVED_NOT_INVOICED"):
        receiving.save_and_post(uow, SLIP)
    assert snapshot(ctx) == before


def test_saved_and_posted_at_once(ctx):
    import_example(
        ctx, "B_marginal", ("categories", "vendors", "products", "gl-accounts", "gl-reference", "agreements")
    )
    with ctx.uow() as uow:
        assert receiving.save_and_post(uow, SLIP) == "S9"
    with ctx.uow() as uow:
        view = receiving.load_slip(uow, "S9")
        assert (view.status, view.total) == ("POSTED", Decimal("25000.00"))
        # another 25,000 after S9 (ladder at 25,000): 5,000 x 2% + 20,000 x 3%
        assert [(r.rebate, r.tier) for r in receiving.preview(uow, SLIP)] == [(Decimal("700.00"), 2)]


def test_a_clerk_posts_own_slips_only(ctx):
    """The receiving screen's Post: a clerk's own slip posts without an accountant; a slip
    someone else entered does not, and nothing is written then."""
    from app.services import posting, security
    from app.services.context import AppContext
    from app.services.errors import PermissionDenied

    import_example(ctx, "B_marginal")  # S1, S2 entered by tester
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
        security.save_user(uow, "carl", "CLERK")
    clerk = AppContext(ctx.engine, "carl")
    with clerk.uow() as uow:
        assert receiving.save_and_post(uow, SLIP) == "S9"
    before = snapshot(ctx)
    with clerk.uow() as uow, pytest.raises(PermissionDenied, match="carl \\(Clerk\\) may not post receiving slips"):
        posting.post_slips(uow, ["S1"])
    with clerk.uow() as uow, pytest.raises(PermissionDenied, match="may not post receiving slips"):
        posting.post_slips(uow)  # every draft: an accountant's
    assert snapshot(ctx) == before
    with ctx.uow() as uow:
        view = receiving.load_slip(uow, "S9")
    assert (view.status, view.total) == ("POSTED", Decimal("25000.00"))
