"""The message view's code blocks: their actions on hover and in the context menu.

A mixin of ChatView: Copy, Save as… (named as the code pane names the snippet) and Open in
code pane, for the code block under the mouse (a QTextFrame whose format carries its key).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTextBrowser

from app.core.conversation import Conversation
from app.core.markdown import CodeBlock, extract_code_blocks
from app.core.snippets import file_name, file_text_for, message_snippets, write_text
from app.ui.code_actions import CodeBlockActions
from app.ui.rich_text import code_frame_at, frame_key, frame_language

if TYPE_CHECKING:
    _Base = QTextBrowser
else:
    _Base = object


class CodeBlocksMixin(_Base):
    # Provided by ChatView.
    conversation: Conversation
    _code_actions: CodeBlockActions
    if TYPE_CHECKING:
        openInCodePane: Signal
        runInCodePane: Signal

    def code_block(self, key: str) -> tuple[str, int, CodeBlock] | None:
        """(message id, index, block) for a code block's key "message id/index"."""
        message_id, _, n = key.rpartition("/")
        message = self.conversation.nodes.get(message_id)
        if message is None or not n.isdigit():
            return None
        blocks = extract_code_blocks(message.content)
        return (message_id, int(n), blocks[int(n)]) if int(n) < len(blocks) else None

    def _on_code_action(self, action: str, key: str) -> None:
        found = self.code_block(key)
        if found is None:
            return
        message_id, n, block = found
        if action == "copy":
            QGuiApplication.clipboard().setText(block.code)
        elif action == "save":
            self.save_code(message_id, n)
        elif action == "open":
            self.openInCodePane.emit(message_id, n)
        elif action == "run":
            self.runInCodePane.emit(message_id, n)

    def save_code(self, message_id: str, n: int) -> Path | None:
        """Save as… for code block n of a message, named as the code pane would name it."""
        message = self.conversation.nodes[message_id]
        snippet = next((s for s in message_snippets(message) if s.block_index == n), None)
        if snippet is None:  # an empty block
            return None
        path = self._ask_save_path(file_name(snippet))
        if path is None:
            return None
        try:
            write_text(path, file_text_for(snippet.code))
        except OSError as exc:
            self._warn(
                QCoreApplication.translate("CodeBlocksMixin", "Could not save the code"),
                QCoreApplication.translate("CodeBlocksMixin", "{path}: {error}").format(
                    path=path, error=exc.strerror or exc
                ),
            )
            return None
        return path

    def _ask_save_path(self, suggested: str) -> Path | None:  # tests replace the dialogs
        name, _ = QFileDialog.getSaveFileName(
            self, QCoreApplication.translate("CodeBlocksMixin", "Save code as"), suggested
        )
        return Path(name) if name else None

    def _warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def _hover(self, pos: QPoint) -> None:
        frame = code_frame_at(self.cursorForPosition(pos))
        if frame is None:
            self._code_actions.hide()
            return
        rect = self.document().documentLayout().frameBoundingRect(frame)
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        right, top = int(rect.right()) - dx - 2, int(rect.top()) - dy + 2
        self._code_actions.show_for(frame_key(frame), frame_language(frame), right, top)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        self._hover(event.position().toPoint())

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._code_actions.hide()
        return super().viewportEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        frame = code_frame_at(self.cursorForPosition(event.pos()))
        if frame is not None:
            key, first = frame_key(frame), (menu.actions() or [None])[0]
            from app.core.runner.languages import language_of

            if language_of(frame_language(frame)):
                run = QAction(QCoreApplication.translate("CodeBlocksMixin", "Run code"), menu)
                run.triggered.connect(lambda _=False: self._on_code_action("run", key))
                menu.insertAction(first, run)
            for text, action in (
                (QCoreApplication.translate("CodeBlocksMixin", "Copy code"), "copy"),
                (QCoreApplication.translate("CodeBlocksMixin", "Save code as…"), "save"),
                (QCoreApplication.translate("CodeBlocksMixin", "Open in code pane"), "open"),
            ):
                item = QAction(text, menu)
                item.triggered.connect(lambda _=False, a=action: self._on_code_action(a, key))
                menu.insertAction(first, item)
            menu.insertSeparator(first)
        menu.exec(event.globalPos())
        menu.deleteLater()
