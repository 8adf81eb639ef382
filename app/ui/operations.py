"""Runs user actions: off the UI thread with a fresh unit of work, progress and a safe
Cancel, and every error reported the same way through one injectable interaction."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from app.services.errors import OutputExists, ServiceError, ValidationFailed

from .interaction import Interaction

if TYPE_CHECKING:  # the main window shows before SQLAlchemy and the services are imported
    from app.services.context import AppContext, UnitOfWork


def is_cancelled_posting(exc: BaseException) -> bool:
    """A posting or re-rating stopped by its Cancel button (app.services.posting is not
    imported here for it: the main window starts without the posting service, and no
    posting can have been cancelled before that module was loaded)."""
    posting = sys.modules.get("app.services.posting")
    return posting is not None and isinstance(exc, posting.PostingCancelled)


def describe(exc: BaseException) -> tuple[str, list[str]]:
    """The text and detail lines of the one error dialog."""
    if isinstance(exc, ValidationFailed):
        n = len(exc.problems)
        return f"{n} problem{'s' if n != 1 else ''}; nothing was saved.", [str(p) for p in exc.problems]
    if is_cancelled_posting(exc):
        return (f"Cancelled ({exc}). Every batch finished before the cancel is posted; the rest is untouched.", [])
    if isinstance(exc, ServiceError):
        return str(exc), []
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return f"Unexpected error: {type(exc).__name__}: {exc}", "".join(lines).splitlines()


class Job(QObject):
    """One running action. `progress` and `cancelled` are safe to call from the worker."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, title: str, unit: str) -> None:
        super().__init__()
        self.title = title
        self.unit = unit
        self.started = time.monotonic()
        self._cancel = threading.Event()

    def progress(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def eta_text(self, done: int, total: int) -> str:
        text = f"{self.title}: {done:,} of {total:,} {self.unit}"
        elapsed = time.monotonic() - self.started
        if 0 < done < total and elapsed > 0.5:
            left = elapsed / done * (total - done)
            text += f" — about {int(left) + 1} s left"
        if self.cancelled():
            text += "\nCancelling after the current batch…"
        return text


class _Task(QRunnable):
    def __init__(self, ctx: AppContext, work: Callable[[UnitOfWork, Job], Any], job: Job) -> None:
        super().__init__()
        self.ctx, self.work, self.job = ctx, work, job
        # Owned by the UI thread (Runner keeps it until run() has returned), so the Job and
        # this task are never destroyed on the worker thread while the UI thread still
        # delivers the Job's queued signals: that race crashed Qt now and then.
        self.setAutoDelete(False)
        self.returned = threading.Event()

    def run(self) -> None:
        try:
            with self.ctx.uow() as uow:  # each thread its own session
                result = self.work(uow, self.job)
        except BaseException as exc:  # reported on the UI thread
            self.job.failed.emit(exc)
        else:
            self.job.succeeded.emit(result)
        finally:
            self.returned.set()


class Runner(QObject):
    """The one helper every user action goes through."""

    idle = Signal()

    def __init__(self, ctx: AppContext, interaction: Interaction, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.interaction = interaction
        self.pool = pool or QThreadPool.globalInstance()
        self.jobs: set[_Running] = set()
        self.retired: list[_Running] = []  # finished on the UI side; freed once run() returned

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def run(
        self,
        parent: QWidget | None,
        title: str,
        work: Callable[[UnitOfWork, Job], Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        on_error: Callable[[BaseException], bool] | None = None,
        cancellable: bool = False,
        unit: str = "",
        delay_ms: int = 400,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Job:
        """Run work(uow, job) in a worker thread; on_done(result) back on the UI thread.

        on_error(exc) may handle an error itself (return True); else the error dialog shows.
        on_progress(done, total): each job.progress call, on the UI thread, besides the
        progress dialog (connected before the work starts, so none is missed).
        """
        job = Job(title, unit)
        if on_progress is not None:
            job.progressed.connect(on_progress, Qt.ConnectionType.QueuedConnection)
        running = _Running(self, parent, job, on_done, on_error, cancellable, delay_ms)
        running.task = _Task(self.ctx, work, job)
        self.jobs.add(running)
        self.pool.start(running.task)
        return job

    def run_writing(
        self,
        parent: QWidget | None,
        title: str,
        work: Callable[[UnitOfWork, Job, bool], Any],
        on_done: Callable[[Any], None] | None = None,
        **options: Any,
    ) -> Job:
        """Run work(uow, job, force) that writes files through app.services.outfile, first
        with force False; when files are already there (OutputExists) ask whether to
        replace them and, if so, run it again with force True. Options as for run()."""

        def attempt(force: bool) -> Job:
            return self.run(
                parent,
                title,
                lambda uow, job: work(uow, job, force),
                on_done,
                on_error=None if force else replace,
                **options,
            )

        def replace(exc: BaseException) -> bool:
            if not isinstance(exc, OutputExists):
                return False
            n = len(exc.paths)
            if self.interaction.confirm(parent, title, f"{exc.what()}. Replace {'them' if n != 1 else 'it'}?"):
                attempt(True)
            return True

        return attempt(False)

    def call(
        self,
        parent: QWidget | None,
        title: str,
        work: Callable[[UnitOfWork], Any],
        on_error: Callable[[BaseException], bool] | None = None,
    ) -> Any:
        """A short read on the UI thread, errors reported the same way. None on error."""
        try:
            with self.ctx.uow() as uow:
                return work(uow)
        except Exception as exc:
            self.report(parent, title, exc, on_error)
            return None

    def report(
        self,
        parent: QWidget | None,
        title: str,
        exc: BaseException,
        on_error: Callable[[BaseException], bool] | None = None,
    ) -> None:
        if on_error is not None and on_error(exc):
            return
        text, details = describe(exc)
        if is_cancelled_posting(exc):
            self.interaction.inform(parent, title, text)
        else:
            self.interaction.error(parent, title, text, details)

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Process events until every job finished (closing the window, tests)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.jobs and time.monotonic() < deadline:
            QApplication.processEvents()
            self.pool.waitForDone(20)
        QApplication.processEvents()
        return not self.jobs

    def _finished(self, running: _Running) -> None:
        self.jobs.discard(running)
        self.retired = [r for r in self.retired if r.task is None or not r.task.returned.is_set()]
        self.retired.append(running)
        if not self.jobs:
            self.idle.emit()


class _Running(QObject):
    """UI-thread side of a job: progress dialog, then the result or the error."""

    def __init__(
        self,
        runner: Runner,
        parent: QWidget | None,
        job: Job,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], bool] | None,
        cancellable: bool,
        delay_ms: int,
    ) -> None:
        super().__init__()
        self.task: _Task | None = None
        self.closed = False  # progress queued before the end is dropped after it
        self.updating = False  # inside the dialog's setValue
        self.runner, self.parent_widget, self.job = runner, parent, job
        self.on_done, self.on_error = on_done, on_error
        self.dialog = QProgressDialog(job.title + "…", "Cancel" if cancellable else "", 0, 0, parent)
        self.dialog.setWindowTitle(job.title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(delay_ms)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(420)
        if not cancellable:
            self.dialog.setCancelButton(None)  # type: ignore[arg-type]
        self.dialog.canceled.connect(self._cancel)
        self.dialog.setValue(0)
        job.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        job.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)

    @Slot()
    def _cancel(self) -> None:
        self.job.cancel()
        if not self.closed and shiboken6.isValid(self.dialog):
            self.dialog.setLabelText(self.job.title + "\nCancelling after the current batch…")

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        if self.closed or not shiboken6.isValid(self.dialog):  # a late queued update, or the parent is gone
            return
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setLabelText(self.job.eta_text(done, total))
        # A modal dialog's setValue processes events, which may end the job (_close) before it
        # returns: the dialog is then only hidden, and deleted here, once setValue is done.
        self.updating = True
        try:
            self.dialog.setValue(min(done, max(total, 1)))
        finally:
            self.updating = False
        if self.closed:
            self._dispose()

    def _close(self) -> None:
        self.closed = True
        self.job.progressed.disconnect(self._progress)
        if shiboken6.isValid(self.dialog):  # deleted with a parent closed while the job ran
            self.dialog.hide()
            if not self.updating:
                self._dispose()
        self.runner._finished(self)

    def _dispose(self) -> None:
        if shiboken6.isValid(self.dialog):
            self.dialog.canceled.disconnect(self._cancel)
            self.dialog.close()
            self.dialog.deleteLater()

    @Slot(object)
    def _succeeded(self, result: object) -> None:
        self._close()
        if self.on_done is not None:
            try:
                self.on_done(result)
            except Exception as exc:
                self.runner.report(self.parent_widget, self.job.title, exc)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._close()
        self.runner.report(self.parent_widget, self.job.title, exc, self.on_error)
