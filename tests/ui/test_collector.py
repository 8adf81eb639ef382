"""The application collects garbage on the UI thread only (app.ui.collector)."""

from __future__ import annotations

import gc

from app.ui.collector import UiThreadCollector


def test_collection_runs_from_the_ui_timer_by_python_s_thresholds(qtbot):
    collector = UiThreadCollector(interval_ms=10)
    was_enabled = gc.isenabled()
    collector.start()
    try:
        assert not gc.isenabled()  # worker threads never trigger a collection
        gc.collect()
        assert collector.check() == -1  # nothing allocated since: nothing to do
        junk = [[] for _ in range(gc.get_threshold()[0] + 10)]  # past generation 0's threshold
        assert collector.check() == 0
        del junk
        qtbot.waitUntil(lambda: gc.get_count()[0] <= gc.get_threshold()[0], timeout=2000)
    finally:
        collector.stop()
    assert gc.isenabled()
    if not was_enabled:
        gc.disable()
