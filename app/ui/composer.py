"""The message composer: Enter sends, Shift+Enter inserts a newline."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QSizePolicy, QWidget

MIN_LINES, MAX_LINES = 3, 12


class Composer(QPlainTextEdit):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setAccessibleName("Message composer")
        self.setPlaceholderText("Ask GLM-4…  (Enter to send, Shift+Enter for a new line)")
        self.setTabChangesFocus(True)
        # Grows with its text from MIN_LINES to MAX_LINES, then scrolls.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _height_for(self, lines: int) -> int:
        margins = self.contentsMargins()
        frame = margins.top() + margins.bottom() + 2 * int(self.document().documentMargin())
        return lines * self.fontMetrics().lineSpacing() + frame + 2

    def _fit(self) -> None:
        # QPlainTextEdit's document size is in lines (one unit per visual line).
        lines = int(self.document().documentLayout().documentSize().height())
        self.setFixedHeight(self._height_for(max(MIN_LINES, min(MAX_LINES, lines))))

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods == Qt.KeyboardModifier.NoModifier:
                event.accept()
                self.submit()
                return
            if mods == Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                event.accept()
                return
        super().keyPressEvent(event)

    def submit(self) -> None:
        text = self.toPlainText()
        if text.strip():
            self.submitted.emit(text)
