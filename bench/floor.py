"""The floors: what the same reads and writes cost through the raw driver's fastest path.

SQLite: sqlite3 with the application's pragmas (app.adapters.db.SQLITE_PRAGMAS: WAL, foreign keys on, synchronous NORMAL, 64 MiB cache),
executemany inside one BEGIN ... COMMIT. PostgreSQL: psycopg, COPY ... FROM STDIN with
cursor.copy().write_row, one transaction. Rows are read (untimed) from the benchmark
database in their stored form and written (timed) into a second database holding the
same master data, so every write lands on the same schema, indexes and triggers.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.adapters.db import SQLITE_PRAGMAS
from app.models import Base

COLUMNS = {name: [c.name for c in table.columns] for name, table in Base.metadata.tables.items()}

LINE_READ = (
    "SELECT l.id, s.slip_no, l.line_no, s.received_date, s.vendor_id, l.product_id, p.code, "
    "p.cat1, p.cat2, p.cat3, p.cat4, l.quantity, l.amount "
    "FROM receipt_line l JOIN receiving_slip s ON s.id = l.slip_id JOIN product p ON p.id = l.product_id "
    "WHERE s.status = 'POSTED'"
)
REPORT_GROUP_BY = (
    "SELECT v.code, v.name, g.* FROM (SELECT vendor_id, kind, ladder_key, period_key, sum(amount), "
    "sum(rebate), sum(retro), sum(inventory), max(tier) FROM line_accrual WHERE received_date <= {as_of} "
    "GROUP BY vendor_id, kind, ladder_key, period_key) g JOIN vendor v ON v.id = g.vendor_id "
    "ORDER BY v.code, g.kind, g.ladder_key, g.period_key"
)


def quote(name: str) -> str:
    return f'"{name}"'


# line_accrual's state columns, as the temporary table of an update holds them
STATE_TYPES = {
    "ladder_key": "text", "agreement_id": "int", "period_key": "text", "tier": "int",
    "rebate": "numeric", "retro": "numeric", "inventory": "numeric",
}  # fmt: skip
MOVED = ("rebate", "retro", "inventory", "tier")  # what a re-rate moves


class Raw:
    """One raw DBAPI connection (autocommit; transactions are explicit)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.backend = parsed.get_backend_name()
        if self.backend == "sqlite":
            self.conn: Any = sqlite3.connect(parsed.database, isolation_level=None, timeout=60)
            for pragma in SQLITE_PRAGMAS:  # the application's own
                self.conn.execute(f"PRAGMA {pragma}")
            self.mark = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(
                host=parsed.host or "127.0.0.1",
                port=parsed.port or 5432,
                user=parsed.username,
                password=parsed.password,
                dbname=parsed.database,
                autocommit=True,
            )
            self.mark = "%s"

    def close(self) -> None:
        self.conn.close()

    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        sql = sql.replace("?", self.mark)
        cur = self.conn.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        cur.close()
        return rows

    def table(self, name: str, where: str = "", params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        cols = ", ".join(quote(c) for c in COLUMNS[name])
        return self.fetch(f"SELECT {cols} FROM {name} {where}", params)

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE" if self.backend == "sqlite" else "BEGIN")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def insert(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        """Inside a transaction: the driver's fastest bulk insert."""
        cols = COLUMNS[name]
        names = ", ".join(quote(c) for c in cols)
        if self.backend == "sqlite":
            marks = ", ".join("?" * len(cols))
            self.conn.executemany(f"INSERT INTO {name} ({names}) VALUES ({marks})", rows)
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def update_accruals(
        self, rows: list[tuple[Any, ...]], columns: tuple[str, ...] = MOVED, lookups: bool = False
    ) -> None:
        """Inside a transaction: set `columns` of line_accrual rows by key (each row: the
        columns' values, then receipt_line_id and kind). lookups: a few rows of a big table, so
        PostgreSQL joins by index lookups (as the application does)."""
        if self.backend == "sqlite":
            sets = ", ".join(f"{c} = ?" for c in columns)
            self.conn.executemany(f"UPDATE line_accrual SET {sets} WHERE receipt_line_id = ? AND kind = ?", rows)
            return
        typed = ", ".join(f"{c} {STATE_TYPES[c]}" for c in columns)
        with self.conn.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE bench_la ({typed}, receipt_line_id int, kind text) ON COMMIT DROP")
            with cur.copy("COPY bench_la FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if lookups:
                cur.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
            cur.execute(
                "UPDATE line_accrual a SET "
                + ", ".join(f"{c} = b.{c}" for c in columns)
                + " FROM bench_la b WHERE a.receipt_line_id = b.receipt_line_id AND a.kind = b.kind"
            )


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - started, value


def post_floor(src: Raw, dst: Raw, max_slip: int, max_line: int, max_entry: int) -> dict[str, float]:
    """The rows a posting leaves behind, written in one transaction: slips and receipt lines,
    journal entries and lines (floor); then the line_accrual rows (the 'incl. state' floor)."""
    posted = "SELECT id FROM receiving_slip WHERE status = 'POSTED' AND id <= ?"
    data = {
        "receiving_slip": src.table("receiving_slip", f"WHERE id IN ({posted})", (max_slip,)),
        "receipt_line": src.table("receipt_line", f"WHERE id <= ? AND slip_id IN ({posted})", (max_line, max_slip)),
        "journal_entry": src.table("journal_entry", "WHERE id <= ?", (max_entry,)),
        "journal_line": src.table("journal_line", "WHERE entry_id <= ?", (max_entry,)),
    }
    accruals = src.table(
        "line_accrual",
        f"WHERE receipt_line_id IN (SELECT l.id FROM receipt_line l WHERE l.id <= ? AND l.slip_id IN ({posted}))",
        (max_line, max_slip),
    )

    def core() -> None:
        dst.begin()
        for name, rows in data.items():
            dst.insert(name, rows)
        dst.commit()

    def state() -> None:
        dst.begin()
        dst.insert("line_accrual", accruals)
        dst.commit()

    core_s, _ = timed(core)
    state_s, _ = timed(state)
    return {
        "core": core_s,
        "state": state_s,
        "journal_lines": float(len(data["journal_line"])),
        "entries": float(len(data["journal_entry"])),
    }


def read_lines(src: Raw) -> float:
    """One raw read of every posted receipt line (the engine's input), best of two."""
    return min(timed(src.fetch, LINE_READ)[0] for _ in range(2))


def rerate_floor(src: Raw, dst: Raw, first_entry: int, last_entry: int) -> dict[str, float]:
    """Read every receipt line once, write the RERATE rows (journal entries and lines) in one
    transaction; then update the line_accrual rows those entries touch ('incl. state')."""
    read_s = read_lines(src)
    entries = src.table("journal_entry", "WHERE id > ? AND id <= ?", (first_entry, last_entry))
    lines = src.table("journal_line", "WHERE entry_id > ? AND entry_id <= ?", (first_entry, last_entry))
    keys = src.fetch(
        "SELECT DISTINCT receipt_line_id, kind FROM journal_line WHERE entry_id > ? AND entry_id <= ? "
        "AND kind IS NOT NULL",
        (first_entry, last_entry),
    )
    current = {
        (r[0], r[1]): r[2:]
        for r in src.fetch("SELECT receipt_line_id, kind, rebate, retro, inventory, tier FROM line_accrual")
    }
    updates = [(*current[k], *k) for k in keys if k in current]

    def write() -> None:
        dst.begin()
        dst.insert("journal_entry", entries)
        dst.insert("journal_line", lines)
        dst.commit()

    def state() -> None:
        dst.begin()
        dst.update_accruals(updates)
        dst.commit()

    write_s, _ = timed(write)
    state_s, _ = timed(state)
    return {
        "read": read_s,
        "write": write_s,
        "state": state_s,
        "journal_lines": float(len(lines)),
        "entries": float(len(entries)),
        "accruals": float(len(updates)),
    }


def backdated_floor(src: Raw, dst: Raw, slip_no: str, first_entry: int, last_entry: int) -> dict[str, float]:
    """What posting a back-dated slip must at least do, through the raw driver in one
    transaction: read the later lines of the ladders its lines fall in once, and write what
    the posting wrote (its entries and journal lines, its lines' accruals, the updated
    accrual rows of the lines re-rated). The draft slip itself is copied first, untimed."""
    slip = src.table("receiving_slip", "WHERE slip_no = ?", (slip_no,))
    lines = src.table("receipt_line", "WHERE slip_id = ?", (slip[0][0],))
    ids = [r[0] for r in lines]
    marks = ", ".join("?" * len(ids))
    new_accruals = src.table("line_accrual", f"WHERE receipt_line_id IN ({marks})", ids)
    entries = src.table("journal_entry", "WHERE id > ? AND id <= ?", (first_entry, last_entry))
    journal = src.table("journal_line", "WHERE entry_id > ? AND entry_id <= ?", (first_entry, last_entry))
    keys = {
        (r[0], r[1])
        for r in src.fetch(
            "SELECT DISTINCT receipt_line_id, kind FROM journal_line WHERE entry_id > ? "
            "AND entry_id <= ? AND kind IS NOT NULL",
            (first_entry, last_entry),
        )
    }
    keys -= {(r[0], r[1]) for r in new_accruals}
    current = {
        (r[0], r[1]): r[2:]
        for r in src.fetch(
            "SELECT receipt_line_id, kind, rebate, retro, inventory, tier FROM line_accrual WHERE ladder_key IN "
            f"(SELECT ladder_key FROM line_accrual WHERE receipt_line_id IN ({marks}))",
            ids,
        )
    }
    updates = [(*current[k], *k) for k in sorted(keys)]
    date_ = slip[0][COLUMNS["receiving_slip"].index("received_date")]
    # Only the later lines of the new lines' buckets move (a periodic ladder restarts each period).
    read_sql = (
        "SELECT receipt_line_id, kind, received_date, slip_no, line_no, product_id, amount, tier, rebate, "
        "retro, inventory FROM line_accrual WHERE ladder_key = ? AND period_key = ? AND received_date >= ? "
        "ORDER BY received_date, slip_no, line_no"
    )
    key_at, period_at = COLUMNS["line_accrual"].index("ladder_key"), COLUMNS["line_accrual"].index("period_key")
    buckets = sorted({(r[key_at], r[period_at]) for r in new_accruals})
    dst.begin()
    dst.insert("receiving_slip", slip)
    dst.insert("receipt_line", lines)
    dst.commit()

    def run() -> int:
        read = sum(len(src.fetch(read_sql, (key, bucket, date_))) for key, bucket in buckets)
        dst.begin()
        dst.insert("journal_entry", entries)
        dst.insert("journal_line", journal)
        dst.insert("line_accrual", new_accruals)
        dst.update_accruals(updates, lookups=True)
        dst.commit()
        return read

    seconds, read = timed(run)
    return {
        "seconds": seconds,
        "read": float(read),
        "entries": float(len(entries)),
        "journal_lines": float(len(journal)),
        "updates": float(len(updates)),
    }


def report_floor(src: Raw, out: Path, as_of: str) -> tuple[float, int]:
    """A hand-written GROUP BY over line_accrual (per vendor, kind, ladder, period) to CSV."""
    literal = f"'{as_of}'"

    def run() -> int:
        rows = src.fetch(REPORT_GROUP_BY.format(as_of=literal))
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(
                (
                    "vendor_code",
                    "vendor_name",
                    "vendor_id",
                    "kind",
                    "ladder",
                    "period",
                    "volume",
                    "rebate",
                    "retro",
                    "inventory",
                    "tier",
                )
            )
            writer.writerows(rows)
        return len(rows)

    return min((timed(run) for _ in range(2)), key=lambda t: t[0])
