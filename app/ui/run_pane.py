"""The output pane under the code pane: a run's output, live, and what to do next.

The top row says the sandbox the run uses (or why none works), the runtime, and offers
Allow network (this run only), Tests (a test block to run a Python snippet with), Run
(Ctrl+R), Stop and Fix it (Ctrl+Shift+R). The output shows stdout and stderr as they
arrive, stderr in the error colour, the snippet's lines in tracebacks as links (a click
shows that line in the code pane), and at the end how it ended, the time, the CPU time and
the peak memory. It keeps the last part of a long output (app/core/runner/output.py) and
says how much was cut. The widget draws; `RunController` decides.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.syntax import code_font
from app.ui.theme import color, set_tone

MAX_LINE = 2_000  # characters of one output line shown (longer ones are cut in the view)


class OutputView(QPlainTextEdit):
    """Read-only output; a click on a link (the snippet's line) says which line."""

    lineClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(code_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setMaximumBlockCount(5_000)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        anchor = self.anchorAt(event.position().toPoint())
        super().mouseReleaseEvent(event)
        if anchor.startswith("line:") and not self.textCursor().hasSelection():
            self.lineClicked.emit(int(anchor[5:]))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        on_link = bool(self.anchorAt(event.position().toPoint()))
        cursor = Qt.CursorShape.PointingHandCursor if on_link else Qt.CursorShape.IBeamCursor
        self.viewport().setCursor(cursor)


class RunPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runPane")
        self.setAccessibleName(self.tr("Run output"))
        title = QLabel(self.tr("Output"))
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.sandbox = QLabel()
        self.sandbox.setObjectName("runSandboxLabel")
        self.sandbox.setWordWrap(True)
        self.runtime = QToolButton()
        self.runtime.setObjectName("runInterpreterButton")
        self.runtime.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.runtime.setAccessibleName(self.tr("The program that runs the snippet"))
        self.network = QCheckBox(self.tr("Allow network"))
        self.network.setObjectName("runNetworkCheck")
        self.network.setToolTip(self.tr("Let the next run reach the network (off again after it)"))
        self.tests = QToolButton()
        self.tests.setObjectName("runTestsButton")
        self.tests.setText(self.tr("Tests"))
        self.tests.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.tests.setToolTip(self.tr("Run this Python snippet with a block of tests"))
        self.run_button = QPushButton(self.tr("Run"))
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip(self.tr("Run the snippet in the sandbox (Ctrl+R)"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("runStopButton")
        self.stop_button.setToolTip(self.tr("End the run and everything it started"))
        self.fix_button = QPushButton(self.tr("Fix it"))
        self.fix_button.setObjectName("fixItButton")
        self.fix_button.setToolTip(
            self.tr("Send the code and its error to GLM-4 for a fixed version (Ctrl+Shift+R)")
        )
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.run_button)
        top.addWidget(self.stop_button)
        top.addWidget(self.fix_button)
        options = QHBoxLayout()
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.runtime)
        options.addWidget(self.tests)
        options.addWidget(self.network)
        options.addStretch(1)
        self.output = OutputView()
        self.output.setObjectName("runOutput")
        self.output.setAccessibleName(self.tr("Output of the run"))
        self.output.setPlaceholderText(
            self.tr("Run a Python, JavaScript or shell snippet to see its output here.")
        )
        self.status = QLabel()
        self.status.setObjectName("runStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 6)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addLayout(options)
        layout.addWidget(self.sandbox)
        layout.addWidget(self.output, 1)
        layout.addWidget(self.status)
        self.set_running(False)
        self.fix_button.setEnabled(False)

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.network.setEnabled(not running)
        self.tests.setEnabled(not running)
        if running:
            self.fix_button.setEnabled(False)

    def say_sandbox(self, text: str, tone: str = "") -> None:
        self.sandbox.setText(text)
        set_tone(self.sandbox, tone)

    def say_status(self, text: str, tone: str = "") -> None:
        self.status.setText(text)
        set_tone(self.status, tone)

    # --- the output ------------------------------------------------------------------

    def clear(self) -> None:
        self.output.clear()

    def append(
        self,
        pieces: list[tuple[str, str]],
        linker: Callable[[str], list[tuple[int, int, int]]] | None = None,
    ) -> None:
        """Add output pieces (stream, text) at the end, stderr in the error colour; with
        `linker` ((start, end, line) of the snippet's lines in a text), those are links."""
        cursor = QTextCursor(self.output.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        plain = QTextCharFormat()
        err = QTextCharFormat()
        err.setForeground(color("error"))
        link = QTextCharFormat()
        link.setFontUnderline(True)
        link.setForeground(color("link"))
        pieces = [(stream, _cut_long_lines(text)) for stream, text in pieces]
        marks = linker("".join(t for _, t in pieces)) if linker is not None else []
        position = 0
        for stream, text in pieces:
            base = err if stream == "err" else plain
            end = position + len(text)
            at = 0
            for start, stop, line in marks:
                if stop <= position + at or start >= end:
                    continue
                a, b = max(start - position, at), min(stop - position, len(text))
                if a > at:
                    cursor.insertText(text[at:a], base)
                fmt = QTextCharFormat(link)
                fmt.setAnchor(True)
                fmt.setAnchorHref(f"line:{line}")
                cursor.insertText(text[a:b], fmt)
                at = b
            if at < len(text):
                cursor.insertText(text[at:], base)
            position = end
        bar = self.output.verticalScrollBar()
        bar.setValue(bar.maximum())

    def note(self, text: str, tone: str = "muted") -> None:
        """A line of our own in the output (the sandbox used, what was cut), in italics."""
        cursor = QTextCursor(self.output.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        fmt = QTextCharFormat()
        fmt.setFontItalic(True)
        fmt.setForeground(color(tone))
        if not self.output.document().isEmpty() and not self.output.toPlainText().endswith("\n"):
            cursor.insertText("\n")
        cursor.insertText(text + "\n", fmt)


def _cut_long_lines(text: str) -> str:
    """Lines of over MAX_LINE characters cut in the view (a 5 MB line is never laid out)."""
    if len(text) <= MAX_LINE:
        return text
    return "\n".join(
        ln if len(ln) <= MAX_LINE else ln[:MAX_LINE] + f" … ({len(ln) - MAX_LINE:,} more)"
        for ln in text.split("\n")
    )
