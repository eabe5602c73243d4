"""When the main window's first frame began to paint, for start-up figures.

`glm-desk --smoke` prints it and every start logs it, with the time until a question can be
typed and sent (the stored keys read, the last session's tabs back).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class FirstFrame(QObject):
    """Watches `window` for its first Paint; `at_ms` is then `clock()` at that moment."""

    def __init__(self, window: QWidget, clock: Callable[[], float]) -> None:
        super().__init__(window)
        self._clock = clock
        self._window = window
        self.at_ms: float | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at_ms is None:
            self.at_ms = self._clock()
            self._window.removeEventFilter(self)
        return False
