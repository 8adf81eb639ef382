"""Processing › Post and Re-rate run 50 times in a row with their progress dialog opened and
closed (issue 17): a progress update queued just before a job ends used to reach a dialog
already deleted (`RuntimeError: ... QProgressDialog already deleted` on stderr). Any Qt
warning, any Python error in a slot (pytest-qt fails the test on those) or anything on
stderr fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from app.models import ReceivingSlip
from app.services.imports import import_file
from app.ui.processing import post_all, rerate_all
from tests.conftest import import_example
from tests.ui.conftest import show


def message_box(_result: object) -> None:
    """What a message box's own event loop does when the job's result is shown: deferred
    deletes (the progress dialog's) happen while the job's last progress update may still be
    on the stack (a modal QProgressDialog.setValue processes events)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


HEAD = "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"


@pytest.mark.qt_log_level_fail("WARNING")
def test_post_and_rerate_fifty_times_with_the_progress_dialog(qtbot, ctx, env, tmp_path: Path, capfd):
    import_example(ctx, "A_degressive")
    parent = QWidget()
    show(qtbot, parent)
    runner = env.runner
    for i in range(25):
        slip = tmp_path / f"slip{i}.csv"
        slip.write_text(HEAD + f"R{i:03d},V100,2026-03-{i % 28 + 1:02d},1,GYP-OTHER,{100 + i},1.00\n")
        with ctx.uow() as uow:
            import_file(uow, "receipts", slip)
        post_all(runner, parent, done=message_box)
        assert runner.wait()
        rerate_all(runner, parent, done=message_box, full=True)
        assert runner.wait()
    with ctx.uow() as uow:
        posted = uow.session.scalar(
            select(func.count()).select_from(ReceivingSlip).where(ReceivingSlip.status == "POSTED")
        )
    assert posted == 26  # S1 and the 25 slips, each posted once
    informed = [m.text for m in env.interaction.of_kind("inform")]  # type: ignore[attr-defined]
    assert (
        len(informed) == 50 and informed[0].startswith("Posted 2 slips") and informed[1] == "Re-rated: nothing to post."
    )
    qtbot.wait(50)  # let late queued updates arrive
    assert capfd.readouterr().err == ""


@pytest.mark.qt_log_level_fail("WARNING")
def test_a_parent_closed_while_the_job_runs_leaves_no_error(qtbot, ctx, env, capfd):
    import_example(ctx, "A_degressive")
    parent = QWidget()
    show(qtbot, parent)
    post_all(env.runner, parent)
    parent.close()
    parent.deleteLater()
    assert env.runner.wait()
    qtbot.wait(50)
    assert capfd.readouterr().err == ""
