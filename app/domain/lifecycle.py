"""The agreement lifecycle (SPEC §11.1), in one place: which status an agreement may go to
from the one it has, and which changes need the right to accept agreements.

PENDING goes to ACCEPTED or REJECTED; a rejected agreement can be reopened as PENDING; an
accepted one never goes back to PENDING or REJECTED (its lines can still be amended). Every
path that sets a status (the agreement screen, `coop import agreements`, the services)
asks this table through app.services.agreements.save_agreement."""

from __future__ import annotations

from .validation import Problem
from .vocabulary import ACCEPTED, PENDING, REJECTED, STATUSES

# From a stored status (None: a new agreement) to the statuses it may be saved with.
TRANSITIONS: dict[str | None, tuple[str, ...]] = {
    None: STATUSES,
    PENDING: (PENDING, ACCEPTED, REJECTED),
    REJECTED: (REJECTED, PENDING),
    ACCEPTED: (ACCEPTED,),
}
# Accepting or rejecting needs the right to accept agreements (managers and administrators).
DECISIONS = (ACCEPTED, REJECTED)


def allowed_statuses(current: str | None) -> tuple[str, ...]:
    """The statuses an agreement with status `current` (None: not saved yet) may be saved with,
    its own first."""
    allowed = TRANSITIONS.get(current, ())
    return (current, *(s for s in allowed if s != current)) if current in allowed else allowed


def transition_problem(number: str, vendor: str, current: str | None, new: str) -> Problem | None:
    """Why agreement `number` of `vendor` may not go from `current` to `new` (the problem names
    the agreement and the Status field); None when it may. A status that is not one of
    STATUSES is validation's to refuse."""
    if new not in STATUSES or new in TRANSITIONS.get(current, ()):
        return None
    name = f"agreement {number} of {vendor}"
    if current == ACCEPTED:
        why = f"{name} is accepted: an accepted agreement can never become {new} (amend its lines instead)"
    else:
        why = f"{name} cannot go from {current} to {new}"
    return Problem(f"Agreement {number}", "Status", why)


def needs_accept_right(current: str | None, new: str) -> bool:
    """Whether saving an agreement stored with `current` (None: a new one) with status `new`
    needs the right to accept agreements: accepting or rejecting it, or amending an accepted
    one (its lines change what accrues)."""
    return current == ACCEPTED or (new in DECISIONS and new != current)
