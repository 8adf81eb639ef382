"""Posts every draft slip in small batches; test_crash_safety kills it with SIGKILL.

    python -m tests.integration.crash_poster URL BATCH_LINES TODAY

The test runs `post_all` in processes forked by a multiprocessing fork server that has
already imported the application (it holds no database connection), so a process is
posting within milliseconds of its start instead of after a second of imports.

Writes `start` once connected, `begin N` right before batch N is posted (the
`cancelled` hook runs just before each batch), `done N x/y` after batch N committed and
`finished SLIPS` at the end, each with its time.time() after an @, one os.write per line,
so the test knows where a kill landed.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from datetime import date


def post_all(url: str, batch_lines: int, today: date, marks: str | None = None) -> None:
    from app.services import posting
    from app.services.context import AppContext

    fd = os.open(marks, os.O_WRONLY | os.O_CREAT | os.O_APPEND) if marks else 1

    def mark(line: str) -> None:
        os.write(fd, f"{line} @{time.time():.4f}\n".encode())

    ctx = AppContext.open(url, user="night-run", upgrade=False)
    batches = 0

    def before_batch() -> bool:
        nonlocal batches
        batches += 1
        mark(f"begin {batches}")
        return False

    def after_commit(done: int, total: int) -> None:
        mark(f"done {batches} {done}/{total}")

    mark("start")
    try:
        with ctx.uow() as uow:
            result = posting.post_slips(
                uow, today=today, batch_lines=batch_lines, progress=after_commit, cancelled=before_batch
            )
    except BaseException as exc:
        mark("error " + " | ".join(traceback.format_exception(exc)[-3:]).replace("\n", " "))
        raise
    mark(f"finished {result.slips}")
    ctx.engine.dispose()


if __name__ == "__main__":
    post_all(sys.argv[1], int(sys.argv[2]), date.fromisoformat(sys.argv[3]))
