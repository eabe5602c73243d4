"""Run Python's cyclic garbage collector on the GUI thread only.

The collector runs in whichever thread allocates when a threshold is crossed: a DNS or
database worker, a test server. If that collection frees a QObject (a window, a timer
owner kept alive by a reference cycle), Qt destroys it off its thread, cannot unregister
its timers there, and a later timer event hits freed memory (seen here as SIGSEGV in
QTimerInfoList::activateTimers). So automatic collection is switched off and this object
collects on a GUI-thread timer instead, with the same generation thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)
        gc.disable()

    def check(self) -> None:
        """Collect the oldest generation whose count is over its threshold, as gc would."""
        counts = gc.get_count()
        generation = -1
        for gen in range(3):
            if counts[gen] > self._thresholds[gen]:
                generation = gen
            else:
                break
        if generation >= 0:
            gc.collect(generation)

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
