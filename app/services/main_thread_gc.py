"""Run Python's cyclic garbage collector on the GUI thread only.

The collector runs in whichever thread allocates when a threshold is crossed: a DNS or
database worker, a test server. If that collection frees a QObject (a window, a timer
owner kept alive by a reference cycle), Qt destroys it off its thread, cannot unregister
its timers there, and a later timer event hits freed memory (seen here as SIGSEGV in
QTimerInfoList::activateTimers). So automatic collection is switched off and this object
collects on a GUI-thread timer instead, by the rules CPython's own collector follows:

- generation 0 when more objects were allocated than its threshold, generation 1 when
  generation 0 was collected more often than its threshold;
- generation 2 (a pass over every tracked object: about a second with a few million of
  them) only when, besides its threshold, the objects that survived into it since the last
  full pass are at least a quarter of those the last full pass left (CPython's
  "long-lived pending > long-lived total / 4" rule). Without that rule a full pass would
  run every few seconds while a big heap is being built, each one a stall of the window.

`freeze()` moves what start-up built (modules, classes, the window) out of the collector's
reach, so later full passes do not walk it again and again.

While nothing is allocated (an idle window) the checks space out, from every half second
to every 8 s, so the collector does not wake an idle process twice a second.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

FULL_PASS_RATIO = 0.25  # CPython's: long-lived pending > long-lived total / 4
MAX_INTERVAL_MS = 8000  # the longest wait between two checks, when idle


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._long_lived_total = len(gc.get_objects(generation=2))
        self._long_lived_pending = 0
        self._interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(interval_ms)
        gc.disable()

    @property
    def interval_ms(self) -> int:
        """The wait until the next check."""
        return self._timer.interval()

    def tick(self) -> None:
        """What the timer runs: check, then wait longer while nothing was collected."""
        if self.check() >= 0:
            interval = self._interval_ms  # busy: check often
        else:
            interval = min(MAX_INTERVAL_MS, max(self._interval_ms, self._timer.interval() * 2))
        if interval != self._timer.interval():
            self._timer.setInterval(interval)

    def check(self) -> int:
        """Collect as CPython would now; returns the generation collected, or -1."""
        counts = gc.get_count()
        if counts[0] <= self._thresholds[0]:
            return -1
        generation = 0
        if counts[1] > self._thresholds[1]:
            generation = 1
            if counts[2] > self._thresholds[2] and (
                self._long_lived_pending > self._long_lived_total * FULL_PASS_RATIO
            ):
                generation = 2
        if generation == 2:
            gc.collect(2)
            self._long_lived_total = len(gc.get_objects(generation=2))
            self._long_lived_pending = 0
            return 2
        # What a young collection does not free moves on; survivors of generation 1 are new
        # long-lived objects. Generations 0 and 1 are small (hundreds to a few thousand).
        young = len(gc.get_objects(generation=0))
        if generation == 1:
            young += len(gc.get_objects(generation=1))
        freed = gc.collect(generation)
        if generation == 1:
            self._long_lived_pending += max(0, young - freed)
        return generation

    def freeze(self) -> None:
        """Keep everything alive now out of later passes: start-up's modules and classes
        live as long as the app. (No collection first: a full pass at start costs ~10 ms,
        and the few cycles imports leave are never garbage worth freeing.)"""
        gc.freeze()
        self._long_lived_total = 0
        self._long_lived_pending = 0

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
