"""Processing menu: post every draft slip, re-rate everything (SPEC §6), and the demo load.
Each runs in the background with progress and a safe Cancel between atomic batches."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app.services import posting
from app.services.errors import JournalMismatch

from .operations import Job, Runner


def post_all(runner: Runner, parent: QWidget | None, done: Any = None) -> Job:
    def work(uow: Any, job: Any) -> posting.PostingResult:
        return posting.post_slips(uow, progress=job.progress, cancelled=job.cancelled, batch_lines=500)

    def finished(result: posting.PostingResult) -> None:
        if result.slips:
            text = (
                f"Posted {result.slips} slips, {result.lines} lines: {result.entries} journal entries "
                f"({result.rerate_entries} re-rate)."
            )
        else:
            text = "There was no draft slip to post."
        runner.interaction.inform(parent, "Post slips", text)
        if done:
            done(result)

    return runner.run(parent, "Posting slips", work, finished, cancellable=True, unit="lines", delay_ms=0)


def rerate_all(runner: Runner, parent: QWidget | None, done: Any = None, *, full: bool = False) -> Job:
    """Re-rate; full: every vendor, each checked against its journal first (SPEC §6.3): the
    vendors whose accrual cache differs are listed in a message box, the others re-rated."""

    def work(uow: Any, job: Any) -> int:
        return posting.rerate(uow, progress=job.progress, cancelled=job.cancelled, full=full)

    def finished(count: int) -> None:
        runner.interaction.inform(
            parent, "Re-rate", f"Re-rated: {count} RERATE entries posted." if count else "Re-rated: nothing to post."
        )
        if done:
            done(count)

    def held(exc: BaseException) -> bool:
        if not isinstance(exc, JournalMismatch):
            return False
        runner.interaction.error(parent, "Re-rate", str(exc).split("\n", 1)[0], exc.lines)
        if done:
            done(exc.posted)
        return True

    return runner.run(parent, "Re-rating", work, finished, on_error=held, cancellable=True, unit="vendors", delay_ms=0)


def load_demo(runner: Runner, parent: QWidget | None, done: Any = None) -> Job:
    def work(uow: Any, _job: Any) -> object:
        from app.services import demo  # imported on first use: start-up stays quick

        return demo.load_demo(uow, if_empty=True)

    def finished(summary: object) -> None:
        runner.interaction.inform(parent, "Demo company", str(summary or "Demo company loaded."))
        if done:
            done(summary)

    return runner.run(parent, "Loading the demo company", work, finished, delay_ms=0)
