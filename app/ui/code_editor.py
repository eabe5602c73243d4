"""A code editor: a QPlainTextEdit with a line-number gutter, Pygments highlighting, a
monospace font, and a find bar (Ctrl+F; Enter / Shift+Enter for next / previous; Esc)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from app.ui.code_highlighter import CodeHighlighter
from app.ui.syntax import code_font, current_theme


class LineNumberGutter(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.setObjectName("codeLineNumbers")
        self.setAccessibleName(self.tr("Line numbers"))
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """Plain text with line numbers and syntax colours; read-only until told otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(code_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setReadOnly(True)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.highlighter = CodeHighlighter(self.document(), parent=self)
        self.gutter = LineNumberGutter(self)
        self.find_bar: FindBar | None = None
        self._line_numbers = True
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self._update_gutter_width()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "highlighter"):
            self.highlighter.set_theme(current_theme())  # the app's theme changed

    def set_code(self, code: str, language: str) -> None:
        """Show `code`, highlighted as `language` (scrolled to the top)."""
        self.highlighter.set_language(language, relex=False)
        self.setPlainText(code)

    # --- the gutter ----------------------------------------------------------------------

    def set_line_numbers(self, visible: bool) -> None:
        self._line_numbers = visible
        self.gutter.setVisible(visible)
        self._update_gutter_width()

    def gutter_width(self) -> int:
        if not self._line_numbers:
            return 0
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def _update_gutter_width(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self._place_gutter()

    def _place_gutter(self) -> None:
        r = self.contentsRect()
        self.gutter.setGeometry(QRect(r.left(), r.top(), self.gutter_width(), r.height()))

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_gutter_width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_gutter()

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self.gutter)
        palette = self.palette()
        base = palette.color(palette.ColorRole.Base)
        painter.fillRect(
            event.rect(), base.darker(104) if base.lightness() > 128 else base.lighter(115)
        )
        dim = QColor(palette.color(palette.ColorRole.Text))
        dim.setAlpha(110)
        painter.setFont(self.font())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        current = self.textCursor().blockNumber()
        width = self.gutter.width() - 6
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                n = block.blockNumber()
                painter.setPen(palette.color(palette.ColorRole.Text) if n == current else dim)
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight, str(n + 1))
            block, top = block.next(), bottom
        painter.end()

    # --- find ---------------------------------------------------------------------------

    def find_text(self, text: str, backward: bool = False, case_sensitive: bool = False) -> bool:
        """Select the next (previous) match after (before) the cursor, wrapping around."""
        if not text:
            return False
        flags = QTextDocument.FindFlag(0)
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        if case_sensitive:
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if self.find(text, flags):
            return True
        cursor = self.textCursor()
        cursor.movePosition(
            QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
        )
        found = self.document().find(text, cursor, flags)
        if found.isNull():
            return False
        self.setTextCursor(found)
        return True

    def event(self, event: QEvent) -> bool:
        # Esc closes an open find bar before the window's Esc (stop the answer) sees it.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self.find_bar is not None
            and self.find_bar.isVisible()
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.find_bar is not None:
            if event.matches(QKeySequence.StandardKey.Find):
                self.find_bar.open()
                return
            if event.key() == Qt.Key.Key_Escape and self.find_bar.isVisible():
                self.find_bar.close_bar()
                return
        super().keyPressEvent(event)


class _FindInput(QLineEdit):
    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()  # ours, not the window's
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        bar = self.parent()
        assert isinstance(bar, FindBar)
        if event.key() == Qt.Key.Key_Escape:
            bar.close_bar()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                bar.find_previous()
            else:
                bar.find_next()
        else:
            super().keyPressEvent(event)


class FindBar(QWidget):
    """A one-line find bar under the editor: next, previous, "not found", close."""

    def __init__(self, editor: CodeEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeFindBar")
        self.setAccessibleName(self.tr("Find in code"))
        self.editor = editor
        editor.find_bar = self
        self.input = _FindInput(self)
        self.input.setObjectName("codeFindInput")
        self.input.setAccessibleName(self.tr("Find text"))
        self.input.setPlaceholderText(self.tr("Find"))
        self.input.setClearButtonEnabled(True)
        self.input.textEdited.connect(self._find_as_typed)
        self.status = QLabel()
        self.status.setObjectName("codeFindStatus")
        self.status.setAccessibleName(self.tr("Find result"))
        self.status.setProperty("tone", "error")  # it only ever says "Not found"
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(4)
        layout.addWidget(self.input, 1)
        for name, label, accessible, key, slot in (
            ("codeFindPrevious", "↑", self.tr("Previous match"), "Shift+Enter", self.find_previous),
            ("codeFindNext", "↓", self.tr("Next match"), "Enter", self.find_next),
            ("codeFindClose", "✕", self.tr("Close"), "Esc", self.close_bar),
        ):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setText(label)
            button.setToolTip(self.tr("{action} ({key})").format(action=accessible, key=key))
            button.setAccessibleName(accessible)
            button.clicked.connect(slot)
            layout.addWidget(button)
            if name == "codeFindNext":
                layout.addWidget(self.status)
        self.hide()

    def open(self) -> None:
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.input.setText(selected)
        self.show()
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.input.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.status.clear()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def find_next(self) -> bool:
        return self._report(self.editor.find_text(self.input.text()))

    def find_previous(self) -> bool:
        return self._report(self.editor.find_text(self.input.text(), backward=True))

    def _find_as_typed(self, _text: str) -> None:
        cursor = self.editor.textCursor()
        cursor.setPosition(cursor.selectionStart())  # grow the current match as one types
        self.editor.setTextCursor(cursor)
        self.find_next()

    def _report(self, found: bool) -> bool:
        text = self.input.text()
        self.status.setText("" if found or not text else self.tr("Not found"))
        return found
