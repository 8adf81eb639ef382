"""The agreement lifecycle table (SPEC §11.1), every pair of statuses."""

from __future__ import annotations

from itertools import product

from app.domain.lifecycle import allowed_statuses, needs_accept_right, transition_problem
from app.domain.vocabulary import ACCEPTED, PENDING, REJECTED, STATUSES

ALLOWED = {
    (PENDING, PENDING), (PENDING, ACCEPTED), (PENDING, REJECTED),
    (REJECTED, REJECTED), (REJECTED, PENDING),
    (ACCEPTED, ACCEPTED),
}  # fmt: skip


def test_every_transition_is_allowed_or_refused_as_the_spec_says() -> None:
    for current, new in product(STATUSES, STATUSES):
        problem = transition_problem("7", "V100", current, new)
        assert (problem is None) == ((current, new) in ALLOWED), (current, new)
        if problem is not None:
            assert (problem.record, problem.field) == ("Agreement 7", "Status")
            assert problem.message.startswith("agreement 7 of V100 ")
    assert transition_problem("7", "V100", ACCEPTED, PENDING).message == (  # type: ignore[union-attr]
        "agreement 7 of V100 is accepted: an accepted agreement can never become PENDING (amend its lines instead)"
    )
    assert transition_problem("7", "V100", REJECTED, ACCEPTED).message == (  # type: ignore[union-attr]
        "agreement 7 of V100 cannot go from REJECTED to ACCEPTED"
    )


def test_a_new_agreement_takes_any_status_and_an_unknown_one_is_validation_s() -> None:
    assert all(transition_problem("1", "V100", None, s) is None for s in STATUSES)
    assert transition_problem("1", "V100", ACCEPTED, "APPROVED") is None  # validate_agreement names it


def test_the_statuses_offered_start_with_the_current_one() -> None:
    assert allowed_statuses(None) == (PENDING, ACCEPTED, REJECTED)
    assert allowed_statuses(PENDING) == (PENDING, ACCEPTED, REJECTED)
    assert allowed_statuses(REJECTED) == (REJECTED, PENDING)
    assert allowed_statuses(ACCEPTED) == (ACCEPTED,)


def test_accepting_rejecting_or_amending_an_accepted_agreement_needs_the_right_to_accept() -> None:
    needs = {(c, n) for c, n in product((None, *STATUSES), STATUSES) if needs_accept_right(c, n)}
    assert needs == {
        (None, ACCEPTED), (None, REJECTED),
        (PENDING, ACCEPTED), (PENDING, REJECTED),
        (REJECTED, ACCEPTED),
        (ACCEPTED, ACCEPTED), (ACCEPTED, PENDING), (ACCEPTED, REJECTED),
    }  # fmt: skip
