"""Floating controls over the message view: a code block's actions, and "jump to bottom"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class CodeBlockActions(QFrame):
    """Run (Python, JavaScript, shell), Copy, Save as… and Open in code pane, shown over
    the code block under the mouse."""

    triggered = Signal(str, str)  # action ("run", "copy", "save", "open"), the block's key

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlockActions")
        self.setAccessibleName(self.tr("Code block actions"))
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.key = ""
        self.language = QLabel()
        self.language.setObjectName("codeBlockLanguage")
        self.language.setEnabled(False)  # muted
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(self.language)
        self.buttons: dict[str, QToolButton] = {}
        for action, text, name, tip in (
            ("run", self.tr("Run"), "codeBlockRun", self.tr("Run this code in the sandbox")),
            ("copy", self.tr("Copy"), "codeBlockCopy", self.tr("Copy this code")),
            ("save", self.tr("Save as…"), "codeBlockSave", self.tr("Save this code to a file")),
            (
                "open",
                self.tr("Open in code pane"),
                "codeBlockOpen",
                self.tr("Show this code in the code pane"),
            ),
        ):
            button = QToolButton()
            button.setText(text)
            button.setObjectName(name)
            button.setAccessibleName(tip)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, a=action: self.triggered.emit(a, self.key))
            layout.addWidget(button)
            self.buttons[action] = button
        self.hide()

    def show_for(self, key: str, language: str, top_right_x: int, top_y: int) -> None:
        self.key = key
        self.language.setText(language or self.tr("text"))
        from app.core.runner.languages import language_of

        self.buttons["run"].setVisible(bool(language_of(language)))
        self.adjustSize()
        self.move(max(0, top_right_x - self.width()), max(0, top_y))
        self.show()
        self.raise_()


class JumpToBottom(QToolButton):
    """Shown while the view is scrolled up from the end; a click follows the answer again."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("jumpToBottomButton")
        self.setAccessibleName(self.tr("Jump to the end of the conversation"))
        self.setToolTip(self.tr("Jump to the end (and follow the answer)"))
        self.setText(self.tr("↓ Jump to bottom"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hide()

    def place(self) -> None:
        self.adjustSize()
        area = self.parentWidget().rect()
        self.move(area.right() - self.width() - 16, area.bottom() - self.height() - 12)
