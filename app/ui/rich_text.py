"""Writes Markdown blocks (app/core/markdown.py) into a QTextDocument.

A Markdown block is imported from its HTML; a top-level fenced code block becomes a QTextFrame
whose format carries the block's key ("message id/n"), so the view can find the code block
under the mouse. An open fence is plain monospace; a closed one is highlighted once.
"""

from __future__ import annotations

from pygments.token import _TokenType
from PySide6.QtGui import (
    QColor,
    QImage,
    QPainter,
    QPalette,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFormat,
    QTextFrame,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QApplication

from app.core.highlight import guess_language, token_runs
from app.core.markdown import Block, CodeBlock, render_blocks
from app.ui import theme
from app.ui.syntax import SyntaxTheme, code_font, current_theme, is_dark

# Pygments runs on the GUI thread when a fence closes: a block longer than this is shown
# plain in the chat (about 50 ms to lex on this machine; the code pane lexes any size in
# slices). Only its first GUESS_CHARS say what language a fence without a name is.
HIGHLIGHT_LIMIT = 6_000
GUESS_CHARS = 5_000
CODE_KEY = QTextFormat.Property.UserProperty + 1  # frame property: "message id/n"
CODE_LANGUAGE = QTextFormat.Property.UserProperty + 2  # frame property: the shown language


class BlockWriter:
    """Inserts blocks at a cursor in the palette's colours."""

    def __init__(self, palette: QPalette | None = None) -> None:
        palette = palette or QApplication.palette()
        dark = is_dark(palette)
        self.code_background = QColor("#1f2430" if dark else "#f6f8fa")
        self.code_border = QColor("#3b4252" if dark else "#d0d7de")
        inline = "#2d3343" if dark else "#eff1f3"
        rule = "#4b5563" if dark else "#d0d7de"
        self._replacements = (
            ("<table>", f'<table border="1" cellspacing="0" cellpadding="4" bordercolor="{rule}">'),
            ("<code>", f'<code style="background-color:{inline};">'),
            ("<blockquote>", f'<blockquote style="color:{theme.color("muted").name()};">'),
        )
        self._code_char = QTextCharFormat()
        self._code_char.setFont(code_font())
        self._theme: SyntaxTheme | None = None
        self._formats: dict[_TokenType, QTextCharFormat] = {}

    # --- Markdown ------------------------------------------------------------------------

    def _styled(self, html: str) -> str:
        for old, new in self._replacements:
            html = html.replace(old, new)
        return html

    def insert(self, cursor: QTextCursor, block: Block, key: str, highlight: bool = True) -> None:
        """Insert `block` in new blocks after the cursor's; the cursor ends after it."""
        if block.code is not None:
            self.insert_code(cursor, block.code, key, highlight and block.code.closed)
        else:
            self.insert_html(cursor, block.html)

    def insert_all(self, cursor: QTextCursor, blocks: list[Block], key_prefix: str) -> None:
        """Insert a finished message's blocks; runs of Markdown blocks go in as one fragment
        (one HTML import instead of one per paragraph)."""
        fences, run = 0, []
        for block in blocks:
            if block.code is None:
                run.append(block.html.strip())  # a newline between blocks would be a space
                fences += block.fences
                continue
            if run:
                self.insert_html(cursor, "".join(run))
                run = []
            self.insert_code(cursor, block.code, f"{key_prefix}/{fences}", block.code.closed)
            fences += 1
        if run:
            self.insert_html(cursor, "".join(run))

    def insert_html(self, cursor: QTextCursor, html: str) -> None:
        doc = cursor.document()
        tmp = QTextDocument()
        tmp.setDefaultFont(doc.defaultFont())
        tmp.setHtml(self._styled(html.strip()))
        first = tmp.begin()
        here = cursor.block()
        after_frame = here.previous().isValid() and not _same_frame(here.previous(), here)
        if here.length() > 1 or not after_frame:  # Qt keeps an empty block after a frame: use it
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        target = cursor.block()
        cursor.insertFragment(QTextDocumentFragment(tmp))
        # The fragment's first block merged into the target, losing its block format (a
        # quote's indent, a heading's spacing, a rule); a list or a table starts afresh and
        # leaves the target empty.
        fix = QTextCursor(target)
        removable = target.previous().isValid() and _same_frame(target.previous(), target)
        starts_afresh = first.textList() is not None or (  # a table: Qt puts one before it
            first.length() == 1
            and first.next().isValid()
            and QTextCursor(first.next()).currentFrame() != tmp.rootFrame()
        )
        if starts_afresh and target.length() == 1 and removable:
            fix.deletePreviousChar()
        else:
            fix.setBlockFormat(first.blockFormat())

    # --- code ------------------------------------------------------------------------------

    def insert_code(self, cursor: QTextCursor, code: CodeBlock, key: str, highlight: bool) -> None:
        language = code.language or (guess_language(code.code[:GUESS_CHARS]) if highlight else "")
        highlight = highlight and len(code.code) <= HIGHLIGHT_LIMIT  # larger: the code pane's
        fmt = QTextFrameFormat()
        fmt.setBackground(self.code_background)
        fmt.setBorder(1)
        fmt.setBorderBrush(self.code_border)
        fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        fmt.setPadding(8)
        fmt.setTopMargin(6)
        fmt.setBottomMargin(4)
        fmt.setProperty(CODE_KEY, key)
        fmt.setProperty(CODE_LANGUAGE, language)
        frame = cursor.insertFrame(fmt)
        cursor.setCharFormat(self._code_char)
        if highlight and code.code:
            for text, fmt in self._runs(code.code, language):
                cursor.insertText(text, fmt)
        else:
            cursor.insertText(code.code, self._code_char)
        cursor.setPosition(frame.lastPosition())
        cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)

    def _runs(self, code: str, language: str) -> list[tuple[str, QTextCharFormat]]:
        """Highlighted runs, neighbours that look the same merged (fewer inserts)."""
        theme = current_theme()
        if theme is not self._theme:
            self._theme, self._formats = theme, {}
        out: list[tuple[str, QTextCharFormat]] = []
        last = None
        for text, ttype in token_runs(code, language):
            fmt = self._formats.get(ttype)
            if fmt is None:
                fmt = QTextCharFormat(self._code_char)
                fmt.merge(theme.format_for(ttype))
                self._formats[ttype] = fmt
            if fmt == last:
                out[-1] = (out[-1][0] + text, fmt)
            else:
                out.append((text, fmt))
                last = fmt
        return out


def _same_frame(a: QTextBlock, b: QTextBlock) -> bool:
    return QTextCursor(a).currentFrame() == QTextCursor(b).currentFrame()


def code_frame_at(cursor: QTextCursor) -> QTextFrame | None:
    """The code block's frame that holds the cursor, if any."""
    frame = cursor.currentFrame()
    while frame is not None:
        if frame.frameFormat().property(CODE_KEY):
            return frame
        frame = frame.parentFrame()
    return None


def frame_key(frame: QTextFrame) -> str:
    return str(frame.frameFormat().property(CODE_KEY) or "")


def frame_language(frame: QTextFrame) -> str:
    return str(frame.frameFormat().property(CODE_LANGUAGE) or "")


WARM_UP_TEXT = (
    "# a\n\n*b* **c** `d` 中文，**粗体** *斜体*\n\n- e\n\n| f |\n|---|\n| g |\n\n> h\n\n"
    "```python\nx = 1  # 注释\n```\n"
)


def warm_up_rendering() -> None:
    """Lay out and paint one small answer off screen, so the first real one does not pay for
    Qt's HTML import, table layout, and finding and rasterising the fonts (the monospace and
    the CJK fallback ones): about 20-30 ms. For an idle moment, on the GUI thread."""
    doc = QTextDocument()
    doc.setTextWidth(600)
    cursor = QTextCursor(doc)
    cursor.insertText("warm-up")
    writer = BlockWriter()
    for block in render_blocks(WARM_UP_TEXT):
        writer.insert(cursor, block, "warm-up/0")
    size = doc.documentLayout().documentSize().toSize()
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    doc.drawContents(painter)
    painter.end()
