"""PostgreSQL planner settings for the statements of a block (transaction-local, restored).

The hot statements read or update a batch's rows of big tables by key. The planner prices
them from the tables' statistics, which may be missing (a table analysed while empty, or
never, with autovacuum off) or stale after a big posting: it then hashes the whole table
(line_accrual: 2.2 million rows, a quarter of a second) to find a few thousand rows that
index lookups reach in milliseconds. SQLite plans by index here on its own: no-ops there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session


@contextmanager
def pg_settings(session: Session, **values: str) -> Iterator[None]:
    """Set these run-time parameters for the block; restored after it (an error aborts the
    transaction, and with it the settings)."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    names = sorted(values)
    before = session.execute(text("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))).one()
    for name in names:
        session.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": values[name]})
    yield
    for name, value in zip(names, before, strict=True):
        session.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})


def index_lookups(session: Session) -> AbstractContextManager[None]:
    """Join by index lookups only (no hash or merge join): for a batch's rows of a big table."""
    return pg_settings(session, enable_hashjoin="off", enable_mergejoin="off")


@contextmanager
def work_mem_at_least(session: Session, kilobytes: int) -> Iterator[None]:
    """At least this work_mem (in kB) for the statements of the block: a big aggregate hashed
    in memory rather than sorted on disk (transaction-local, restored; 0: as it is)."""
    if not kilobytes or session.get_bind().dialect.name != "postgresql":
        yield
        return
    current = int(session.execute(text("SELECT setting FROM pg_settings WHERE name = 'work_mem'")).scalar_one())
    if current >= kilobytes:
        yield
        return
    with pg_settings(session, work_mem=f"{kilobytes}kB"):
        yield
