"""The code pane: every code block of the current conversation, highlighted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.highlight import highlight_html
from app.core.markdown import CodeBlock


class CodePane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codePane")
        self.setAccessibleName("Code pane")
        self._blocks: list[CodeBlock] = []

        title = QLabel("Code")
        title.setObjectName("codePaneTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("codeCopyButton")
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.clicked.connect(self.copy_current)
        self.copy_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.copy_button)

        self.list = QListWidget()
        self.list.setObjectName("codeSnippetList")
        self.list.setAccessibleName("Code snippets")
        self.list.currentRowChanged.connect(self._show)
        self.editor = QTextEdit()
        self.editor.setObjectName("codeEditor")
        self.editor.setAccessibleName("Code")
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText("Code blocks from the conversation appear here.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.editor)
        split.setStretchFactor(1, 3)
        split.setSizes([120, 400])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def set_blocks(self, blocks: list[CodeBlock]) -> None:
        if blocks == self._blocks:
            return
        keep_last = self.list.currentRow() in (-1, len(self._blocks) - 1)
        self._blocks = list(blocks)
        self.list.blockSignals(True)
        self.list.clear()
        for i, block in enumerate(blocks, 1):
            first = next((ln.strip() for ln in block.code.splitlines() if ln.strip()), "")
            label = f"{i}. {block.language or 'text'} · {first[:40]}"
            QListWidgetItem(label, self.list)
        self.list.blockSignals(False)
        if blocks:
            self.list.setCurrentRow(len(blocks) - 1 if keep_last else 0)
            self._show(self.list.currentRow())
        else:
            self._show(-1)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self._blocks):
            block = self._blocks[row]
            html = highlight_html(block.code, block.language)
            self.editor.setHtml(f"<pre style='margin:0'>{html}</pre>")
            self.copy_button.setEnabled(True)
        else:
            self.editor.clear()
            self.copy_button.setEnabled(False)

    def current_code(self) -> str:
        row = self.list.currentRow()
        return self._blocks[row].code if 0 <= row < len(self._blocks) else ""

    def copy_current(self) -> None:
        code = self.current_code()
        if code:
            QGuiApplication.clipboard().setText(code)
