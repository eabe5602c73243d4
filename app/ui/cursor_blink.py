"""A text cursor stops blinking after 10 s without input, as GNOME's does.

A blinking cursor repaints its widget twice a second forever: an idle window with the
composer focused would wake the process as often. After `TIMEOUT_MS` without a key, a
click or a focus change in a watched widget, blinking stops (Qt's cursor flash time set to
0: the cursor stays drawn, steady); the next input brings back the desktop's own flash
time. A desktop that does not blink at all (flash time 0) is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

TIMEOUT_MS = 10_000
_WAKING = {
    QEvent.Type.KeyPress,
    QEvent.Type.InputMethod,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.FocusIn,
}


class BlinkTimeout(QObject):
    """One per window: `watch` its text widgets; `stop` (on close) puts the desktop's
    blinking back."""

    def __init__(self, parent: QObject | None = None, timeout_ms: int = TIMEOUT_MS) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self._app = app
        self._flash_ms = app.cursorFlashTime()  # the desktop's
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self._still)
        self.kick()

    @property
    def blinking(self) -> bool:
        return self._app.cursorFlashTime() > 0

    def watch(self, widget: QWidget) -> None:
        """Input in widget (and its viewport, for a scroll area) restarts the blinking."""
        widget.installEventFilter(self)
        if isinstance(widget, QAbstractScrollArea):
            widget.viewport().installEventFilter(self)

    def kick(self) -> None:
        if self._flash_ms <= 0:
            return
        if self._app.cursorFlashTime() != self._flash_ms:
            self._app.setCursorFlashTime(self._flash_ms)
        self._timer.start()

    def _still(self) -> None:
        self._app.setCursorFlashTime(0)

    def stop(self) -> None:
        self._timer.stop()
        if self._flash_ms > 0:
            self._app.setCursorFlashTime(self._flash_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _WAKING:
            self.kick()
        return False
