"""The message view of one conversation tab: streamed answers appended in place."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QColor, QFont, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.core.conversation import AnswerState, ChatMessage
from app.core.protocol import Role

RETRY_URL = "glmdesk:retry"


class ChatView(QTextBrowser):
    """Read-only view; text is inserted as plain text (model output is untrusted)."""

    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self.setAccessibleName("Messages")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.document().setDocumentMargin(12)
        self._streaming_index = -1
        self._header = QTextCharFormat()
        self._header.setFontWeight(QFont.Weight.Bold)
        self._body = QTextCharFormat()
        self._muted = QTextCharFormat()
        self._muted.setForeground(QColor("#6b7280"))
        self._muted.setFontItalic(True)
        self._error = QTextCharFormat()
        self._error.setForeground(QColor("#b91c1c"))
        self._link = QTextCharFormat()
        self._link.setAnchor(True)
        self._link.setAnchorHref(RETRY_URL)
        self._link.setForeground(QColor("#1d4ed8"))
        self._link.setFontUnderline(True)
        self._link.setFontWeight(QFont.Weight.Bold)

    # QTextBrowser would load local files or qrc resources named in a document; we never
    # put any there, and refuse them should one ever appear.
    def loadResource(self, kind: int, name: QUrl) -> object:
        return None

    def _on_anchor(self, url: QUrl) -> None:
        if url.toString() == RETRY_URL:
            self.retryRequested.emit()

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _end_cursor(self) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        return cursor

    def _follow(self, was_at_bottom: bool) -> None:
        if was_at_bottom:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())

    def _new_block(self, cursor: QTextCursor, top: float = 0, background: str = "") -> None:
        fmt = QTextBlockFormat()
        fmt.setTopMargin(top)
        if background:
            fmt.setBackground(QColor(background))
        if self.document().isEmpty():
            cursor.setBlockFormat(fmt)
        else:
            cursor.insertBlock(fmt, self._body)

    def add_message(self, index: int, message: ChatMessage) -> None:
        at_bottom = self._at_bottom()
        cursor = self._end_cursor()
        if message.role == Role.USER:
            title, colour = "You", "#0f766e"
        else:
            title, colour = "GLM-4-32B", "#7c3aed"
        header = QTextCharFormat(self._header)
        header.setForeground(QColor(colour))
        self._new_block(cursor, top=14)
        cursor.insertText(title, header)
        if message.role == Role.ASSISTANT and message.model:
            cursor.insertText(f"  {message.model}", self._muted)
        self._new_block(cursor, top=4)
        if message.content:
            cursor.insertText(message.content, self._body)
        if message.state == AnswerState.STREAMING:
            self._streaming_index = index
        self._follow(at_bottom)

    def append_text(self, index: int, text: str) -> None:
        if index != self._streaming_index or not text:
            return
        at_bottom = self._at_bottom()
        self._end_cursor().insertText(text, self._body)
        self._follow(at_bottom)

    def finish_message(self, index: int, message: ChatMessage) -> None:
        if index == self._streaming_index:
            self._streaming_index = -1
        at_bottom = self._at_bottom()
        cursor = self._end_cursor()
        if message.state == AnswerState.STOPPED:
            self._new_block(cursor, top=4)
            cursor.insertText("Stopped.", self._muted)
        elif message.state == AnswerState.ERROR and message.error is not None:
            self._new_block(cursor, top=6, background="#fef2f2")
            prefix = "The answer was interrupted. " if message.content else ""
            cursor.insertText("⚠ " + prefix + message.error.user_text(), self._error)
            if message.error.detail:
                cursor.insertText(f"  (server said: {message.error.detail})", self._muted)
            cursor.insertText("  ", self._error)
            cursor.insertText("Retry", self._link)
        if message.notice:
            self._new_block(cursor, top=4)
            cursor.insertText(message.notice, self._muted)
        self._follow(at_bottom)
