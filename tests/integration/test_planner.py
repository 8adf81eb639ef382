"""PostgreSQL planner settings for a block: set inside, restored after, gone with a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.adapters.planner import index_lookups, pg_settings, work_mem_at_least


def settings(session) -> tuple[str, str, str]:
    return tuple(
        session.execute(
            text(
                "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'), "
                "current_setting('work_mem')"
            )
        ).one()
    )


def test_index_lookups_hold_for_the_block_and_are_restored(ctx):
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (SQLite has no planner settings; the block is a no-op there)")
    with ctx.uow() as uow:
        session = uow.session
        before = settings(session)
        assert before[:2] == ("on", "on")
        with index_lookups(session):
            assert settings(session)[:2] == ("off", "off")
            with pg_settings(session, work_mem="77MB"):
                assert settings(session) == ("off", "off", "77MB")
            assert settings(session)[2] == before[2]
        assert settings(session) == before
        with pytest.raises(ValueError), index_lookups(session):  # an error: nothing is restored here...
            raise ValueError("boom")
        session.rollback()  # ...the rollback drops the transaction-local settings
        assert settings(session) == before


def test_work_mem_is_raised_for_the_block_never_lowered(ctx):
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (SQLite has no planner settings; the block is a no-op there)")
    with ctx.uow() as uow:
        session = uow.session
        session.execute(text("SELECT set_config('work_mem', '4MB', true)"))
        with work_mem_at_least(session, 64 * 1024):
            assert settings(session)[2] == "64MB"
        assert settings(session)[2] == "4MB"
        with work_mem_at_least(session, 1024):  # already more: as it is
            assert settings(session)[2] == "4MB"
        with work_mem_at_least(session, 0):
            assert settings(session)[2] == "4MB"
