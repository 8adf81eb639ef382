"""Python's cyclic garbage collector, run on the UI thread only.

The collector runs in whichever thread happens to allocate. When a worker thread (posting,
re-rating, loading the demo) triggers it, it can free Qt widgets and objects of the UI
thread from the wrong thread, which crashes Qt now and then. The application therefore
switches automatic collection off and collects from a timer on the UI thread, by the same
generation thresholds Python would use.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class UiThreadCollector(QObject):
    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.interval_ms = interval_ms

    def start(self) -> None:
        gc.disable()
        self.timer.start(self.interval_ms)

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()

    def check(self) -> int:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for level in range(3):
            if counts[level] > thresholds[level]:
                generation = level
        if generation < 0:
            return -1
        gc.collect(generation)
        return generation
