"""The agreement screen and the lifecycle (SPEC §11.1): an accepted agreement never goes back
to PENDING or REJECTED from the screen either, on SQLite and PostgreSQL. The screen offers
only the statuses the domain allows; a screen opened before another workstation accepted the
agreement is refused by the service, with the Status named, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.adapters import db
from app.models import Base
from app.services import agreements
from app.services.context import AppContext
from tests.conftest import BACKENDS, drop_pg, fresh_pg_url
from tests.ui.conftest import type_cell, wait_idle

MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Overrides the screens' SQLite-only database: this path is tried on both backends."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ui.sqlite'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url
        return
    url, name = fresh_pg_url(request.getfixturevalue("pg_template"))
    yield url
    drop_pg(name)


def snapshot(ctx: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with ctx.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def statuses(screen) -> list[str]:  # type: ignore[no-untyped-def]
    return [screen.status_box.itemText(i) for i in range(screen.status_box.count())]


def save(qtbot, screen, env) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(screen.group_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)


def choose_status(qtbot, screen, status: str) -> None:  # type: ignore[no-untyped-def]
    box = screen.status_box
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(box.count()):
        if box.currentText() == status:
            return
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentText() == status, statuses(screen)


def status_of(ctx: AppContext, agreement_id: int) -> str:
    with ctx.uow() as uow:
        return agreements.load_agreement(uow, agreement_id).status


def test_an_accepted_agreement_offers_no_way_back(open_agreements, example, qtbot, env, ctx):
    example("B_marginal")  # V100's COOP agreement 1 is accepted
    screen = open_agreements("COOP", vendor="V100")
    assert screen.loaded_status == "ACCEPTED"
    assert statuses(screen) == ["ACCEPTED"]
    # Its lines can still be amended (SPEC §3.3): the status stays ACCEPTED
    type_cell(qtbot, screen.group_view, 0, "Rebate 1", "2.5")
    save(qtbot, screen, env)
    assert screen.problems.messages() == []
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, screen.agreement_id)
    assert view.status == "ACCEPTED" and view.lines[0].rebates[0] == Decimal("2.5") and view.version == 2
    assert statuses(screen) == ["ACCEPTED"]


def test_rejected_reopens_and_pending_is_accepted_from_the_screen(open_agreements, example, qtbot, env, ctx):
    example("B_marginal", kinds=MASTER)
    new = open_agreements("COOP", vendor="V100")
    assert new.agreement_id is None and statuses(new) == ["PENDING", "ACCEPTED", "REJECTED"]
    with ctx.uow() as uow:
        view = agreements.save_agreement(uow, vendor="V100", kind="COOP", status="PENDING", lines=tiers())
    screen = open_agreements("COOP", vendor="V100")
    assert screen.agreement_id == view.id and statuses(screen) == ["PENDING", "ACCEPTED", "REJECTED"]
    for status, offered in (
        ("REJECTED", ["REJECTED", "PENDING"]),
        ("PENDING", ["PENDING", "ACCEPTED", "REJECTED"]),
        ("ACCEPTED", ["ACCEPTED"]),
    ):
        choose_status(qtbot, screen, status)
        save(qtbot, screen, env)
        assert screen.problems.messages() == []
        assert status_of(ctx, view.id) == status and statuses(screen) == offered


@pytest.mark.parametrize("status", ["PENDING", "REJECTED"])
def test_a_screen_opened_before_the_agreement_was_accepted_cannot_move_it_back(
    open_agreements, example, qtbot, env, ctx, status
):
    example("B_marginal", kinds=MASTER)
    with ctx.uow() as uow:
        pending = agreements.save_agreement(uow, vendor="V100", kind="COOP", status="PENDING", lines=tiers())
    screen = open_agreements("COOP", vendor="V100")
    assert screen.loaded_status == "PENDING"
    with ctx.uow() as uow:  # another workstation accepts it meanwhile
        agreements.set_status(uow, pending.id, "ACCEPTED", expected_version=pending.version)
    before = snapshot(ctx)
    choose_status(qtbot, screen, status)
    type_cell(qtbot, screen.group_view, 0, "Rebate 1", "2.25")  # with an edit, as a user would
    save(qtbot, screen, env)
    messages = screen.problems.messages()
    assert any(
        m.startswith(
            f"Agreement 1, Status: agreement 1 of V100 is accepted: an accepted agreement can never become {status}"
        )
        for m in messages
    ), messages
    assert snapshot(ctx) == before
    assert status_of(ctx, pending.id) == "ACCEPTED"


def tiers() -> list[agreements.LineDraft]:
    """The three tiers of example B's agreement, as new lines."""
    base = agreements.LineDraft(
        label="Line",
        cats=("GYPSUM", "ALL", "ALL", "ALL"),
        max_amount=Decimal(30000),
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        rebates=(Decimal(2), None, None, None),
    )
    return [
        replace(base, label=f"Line {i}", max_amount=Decimal(m), rebates=(Decimal(r), None, None, None))
        for i, (m, r) in enumerate((("30000", "2"), ("50000", "3"), ("999999999", "3.5")), 1)
    ]
