"""The message composer: Enter sends, Shift+Enter inserts a newline.

Input methods (Chinese, Japanese, Korean) work: while a composition (preedit) is under way,
Enter belongs to the input method and never sends."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QSizePolicy, QWidget

MIN_LINES, MAX_LINES = 3, 12
# Characters one message may have. Laying out more in the editor stalls the window (a
# 500,000-character paste took 356 ms here, 2,000,000 a second); it is also about the largest
# context offered (128K tokens). A larger paste or drop is refused, and said so.
MESSAGE_LIMIT = 200_000


class Composer(QPlainTextEdit):
    submitted = Signal(str)
    refused = Signal(str)  # what was not taken (a paste or drop too large), in words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setAccessibleName(self.tr("Message composer"))
        self.setPlaceholderText(self.tr("Ask GLM-4…  (Enter to send, Shift+Enter for a new line)"))
        self.setTabChangesFocus(True)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
        self._preedit = ""  # the input method's composition not yet committed
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

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Paste and drop: text only (a dropped file gives its name), never too much."""
        text = source.text() if source.hasText() else ""
        total = len(self.toPlainText()) - len(self.textCursor().selectedText()) + len(text)
        if total > MESSAGE_LIMIT:
            self.refused.emit(
                self.tr(
                    "Not pasted: that text has {n} characters, and a message can have at most "
                    "{limit}. Paste a part of it, or send it in several messages."
                ).format(n=f"{len(text):,}", limit=f"{MESSAGE_LIMIT:,}")
            )
            return
        super().insertFromMimeData(source)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self._preedit = event.preeditString()
        super().inputMethodEvent(event)

    @property
    def composing(self) -> bool:
        """An input method's composition is under way (its Enter is not ours)."""
        return bool(self._preedit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.composing:
            event.accept()  # the input method's: it commits or cancels the composition
            return
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
        if len(text) > MESSAGE_LIMIT:  # typed past the limit: kept, not sent
            self.refused.emit(
                self.tr(
                    "Not sent: this message has {n} characters, and a message can have at most "
                    "{limit}. Shorten it, or send it in several messages."
                ).format(n=f"{len(text):,}", limit=f"{MESSAGE_LIMIT:,}")
            )
        elif text.strip():
            self.submitted.emit(text)
