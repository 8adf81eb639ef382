"""The results file every standalone benchmark writes (bench.close, bench.lifecycle,
bench.payables): a title, the date, commit, CPU and load, the rows as a markdown table;
the exit status says whether every row passed."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from .run import Row, cpu_name, fmt_s, markdown


def write_results(
    out: Path, title: str, commit: str, started: float, load: float, rows: Sequence[Row], notes: Sequence[str] = ()
) -> int:
    """Write the table to `out` (and print it); 0 when no row failed, else 1."""
    table = markdown(list(rows))
    head = [
        f"# {title}",
        "",
        f"- Date: {datetime.now():%Y-%m-%d %H:%M}; commit {commit}; CPU {cpu_name()}",
        *notes,
        f"- Load average at start {load:.2f}, at end {os.getloadavg()[0]:.2f}; whole run "
        f"{fmt_s(time.perf_counter() - started)}",
        "",
    ]
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(head) + "\n" + table + "\n")
    print(table)
    return 0 if all(r.ok is not False for r in rows) else 1
