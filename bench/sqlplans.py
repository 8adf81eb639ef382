"""Records the SQL the services issue (count and time per statement shape) and explains it.

Statements are grouped by shape: IN lists and multi-row VALUES are collapsed, so one
`_load_posted` query is one row whatever its parameters. EXPLAIN QUERY PLAN on SQLite,
EXPLAIN on PostgreSQL, with the parameters of the first execution seen.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

_LISTS = (
    (re.compile(r"%\(\w+\)s"), "%s"),
    (re.compile(r"\?(?:, \?)+"), "?, …"),
    (re.compile(r"%s(?:::\w+)?(?:, %s(?:::\w+)?)+"), "%s, …"),
    (re.compile(r"(VALUES \([^()]*\))(?:, \([^()]*\))+"), r"\1, …"),
    (re.compile(r"__\[POSTCOMPILE_\w+\]"), "…"),
)


def shape(sql: str) -> str:
    sql = " ".join(sql.split())
    for pattern, repl in _LISTS:
        sql = pattern.sub(repl, sql)
    return sql


@dataclass
class Stat:
    sql: str
    example: str
    params: Any
    many: bool
    count: int = 0
    seconds: float = 0.0
    rows: int = 0


@dataclass
class Recorder:
    """Attach to an engine; `stats` grows with every statement executed through it."""

    engine: Engine
    stats: dict[str, Stat] = field(default_factory=dict)

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def detach(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        conn.info.setdefault("bench_t", []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        started = conn.info["bench_t"].pop()
        key = shape(statement)
        stat = self.stats.get(key)
        if stat is None:
            stat = self.stats[key] = Stat(key, statement, parameters, executemany)
        stat.count += 1
        stat.seconds += time.perf_counter() - started
        many = (
            executemany
            and isinstance(parameters, list)
            and parameters
            and isinstance(parameters[0], list | tuple | dict)
        )
        stat.rows += len(parameters) if many else 1

    def top(self, n: int = 15) -> list[Stat]:
        return sorted(self.stats.values(), key=lambda s: s.seconds, reverse=True)[:n]

    def table(self, n: int = 15) -> str:
        out = ["| statement (shape) | calls | rows/params | total s | ms/call |", "|---|---:|---:|---:|---:|"]
        for s in self.top(n):
            text = s.sql if len(s.sql) <= 160 else s.sql[:157] + "…"
            out.append(f"| `{text}` | {s.count:,} | {s.rows:,} | {s.seconds:.2f} | {s.seconds / s.count * 1000:.2f} |")
        return "\n".join(out)


def explain(engine: Engine, stat: Stat) -> str:
    """The plan of one recorded SELECT, with its first parameters."""
    params = stat.params
    if stat.many:
        params = params[0]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + stat.example, params)
            rows = cur.fetchall()
            return "\n".join(f"{'  ' * _depth(rows, r)}{r[-1]}" for r in rows)
        cur.execute("EXPLAIN " + stat.example, params)
        return "\n".join(r[0] for r in cur.fetchall())
    except Exception as exc:  # a statement that cannot be explained as recorded
        return f"(not explained: {type(exc).__name__}: {exc})"
    finally:
        raw.rollback()
        raw.close()


def _depth(rows: list[tuple[Any, ...]], row: tuple[Any, ...]) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth += 1
        parent = parents.get(parent, 0)
    return depth


def plans_markdown(engine: Engine, recorder: Recorder, title: str, n: int = 12) -> str:
    out = [f"### {title}", "", recorder.table(n), ""]
    for stat in recorder.top(40):
        if not stat.sql.lstrip().upper().startswith("SELECT"):
            continue
        out += [f"`{stat.sql}`", "", "```", explain(engine, stat), "```", ""]
    return "\n".join(out)
