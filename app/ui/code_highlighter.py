"""Pygments highlighting for an editable document, one line at a time.

The whole text is lexed once per change (so strings and comments that span lines colour
right) into per-line format ranges; `highlightBlock` only looks its line up. Small documents
are lexed at once when they change; larger ones are lexed in slices of a few milliseconds on a
timer, so typing never waits for Pygments, and meanwhile only the edited lines are coloured on
their own. After a lex, only the lines whose colours changed are repainted: each block's state
holds a fingerprint of the ranges applied to it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from pygments.token import Text, Whitespace, _TokenType
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QSyntaxHighlighter, QTextDocument

from app.core.highlight import lexer_for, token_runs
from app.ui.syntax import SyntaxTheme, current_theme

Range = tuple[int, int, _TokenType]  # start and length in UTF-16 units, token type
SYNC_CHARS = 6_000  # lex at once up to this size (about 8 ms of Pygments)
SLICE_SECONDS = 0.006  # one slice of a background lex
DEBOUNCE_MS = 60  # wait for a pause in typing before lexing a large document
APPROX_LINES = 50  # edits spanning more lines are left plain until the lex ends
_PLAIN = {Text, Whitespace}


def _u16(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-16-le")) // 2


def _fingerprint(ranges: list[Range]) -> int:
    return hash(tuple(ranges)) & 0x3FFFFFFF  # never -1, Qt's "no state"


def line_ranges(tokens: Iterator[tuple[_TokenType, str]]) -> Iterator[list[Range] | None]:
    """Consume (type, text) tokens; build per-line ranges. Yields None every 256 tokens
    (a point to pause at) and finally the list of lines (a list of range lists)."""
    lines: list[list[Range]] = [[]]
    col = 0
    for n, (ttype, value) in enumerate(tokens):
        if n % 256 == 255:
            yield None
        for k, part in enumerate(value.split("\n")):
            if k:
                lines.append([])
                col = 0
            if not part:
                continue
            width = _u16(part)
            if ttype not in _PLAIN:
                line = lines[-1]
                if line and line[-1][2] is ttype and line[-1][0] + line[-1][1] == col:
                    line[-1] = (line[-1][0], line[-1][1] + width, ttype)
                else:
                    line.append((col, width, ttype))
            col += width
    yield lines  # type: ignore[misc]


class CodeHighlighter(QSyntaxHighlighter):
    def __init__(
        self, document: QTextDocument, language: str = "", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._language = language
        self._theme: SyntaxTheme | None = None  # on first use (Pygments' styles load then)
        self._lines: list[list[Range]] = []
        self._prints: list[int] = []
        self._lexed: str | None = None  # the text _lines belong to
        self._stale = False
        self._edited = (0, -1)  # block numbers changed since the last lex
        self._job: Iterator[list[Range] | None] | None = None
        self._job_text = ""
        self._lex_timer = QTimer(self)
        self._lex_timer.setSingleShot(True)
        self._lex_timer.timeout.connect(self._run_job)
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.timeout.connect(self._repaint_changed)
        # Connected before setDocument, so this runs before Qt highlights the edited blocks.
        document.contentsChange.connect(self._on_change)
        self.setDocument(document)

    def set_theme(self, syntax_theme: SyntaxTheme) -> None:
        """New colours (the app's theme changed): the same tokens, painted again."""
        if syntax_theme is not self._theme:
            self._theme = syntax_theme
            self.rehighlight()

    @property
    def language(self) -> str:
        return self._language

    @property
    def busy(self) -> bool:
        """True while a background lex is pending or running."""
        return self._stale

    def set_language(self, language: str, relex: bool = True) -> None:
        """Lex in another language: now, or (relex=False) at the next change of the text."""
        if language != self._language:
            self._language = language
            self._lexed = None
            if relex:
                self._on_change(0, 0, self.document().characterCount())

    # --- lexing ----------------------------------------------------------------------

    def _on_change(self, position: int, removed: int, added: int) -> None:
        doc = self.document()
        text = doc.toPlainText()
        if text == self._lexed:
            return
        first = doc.findBlock(position).blockNumber()
        last = doc.findBlock(position + added).blockNumber()
        if last < 0:
            last = doc.blockCount() - 1
        whole = position == 0 and added >= doc.characterCount() - 1
        if len(text) <= SYNC_CHARS:
            self._finish(self._lex_now(text), text)
            return
        if whole:
            self._edited = (0, -1)  # a new text: plain until lexed (no per-line guesses)
        elif self._stale and self._edited[1] >= 0:
            self._edited = (min(self._edited[0], first), max(self._edited[1], last))
        else:
            self._edited = (first, last)
        self._stale = True
        self._job = None
        self._lex_timer.start(0 if whole else DEBOUNCE_MS)

    def _lex_now(self, text: str) -> list[list[Range]]:
        *_, lines = line_ranges(self._tokens(text))
        return lines  # type: ignore[return-value]

    def _tokens(self, text: str) -> Iterator[tuple[_TokenType, str]]:
        if not text:  # nothing to lex: no lexer to load (an empty editor at start-up)
            return
        if text.startswith("\ufeff"):  # Pygments drops a BOM: keep the columns right
            yield Text, "\ufeff"
        # Line-based lexers (diff, for one) colour a line only up to its newline: give the
        # last line one too (it adds an empty line past the end, never looked at).
        yield from lexer_for(self._language).get_tokens(text + "\n")

    def _run_job(self) -> None:
        if self._job is None:
            self._job_text = self.document().toPlainText()
            self._job = line_ranges(self._tokens(self._job_text))
        end = time.perf_counter() + SLICE_SECONDS
        for result in self._job:
            if result is not None:
                self._job = None
                self._finish(result, self._job_text)
                return
            if time.perf_counter() > end:
                self._lex_timer.start(0)
                return

    def _finish(self, lines: list[list[Range]], text: str) -> None:
        self._lex_timer.stop()
        self._job = None
        self._lines = lines
        self._prints = [_fingerprint(r) for r in lines]
        self._lexed = text
        self._stale = False
        self._edited = (0, -1)
        self._paint_timer.start(0)

    def _repaint_changed(self) -> None:
        """Rehighlight the blocks whose applied colours differ from the lexed ones."""
        if self._stale or self.document() is None:
            return
        block = self.document().firstBlock()
        prints = self._prints
        while block.isValid():
            n = block.blockNumber()
            if n < len(prints) and block.userState() != prints[n]:
                self.rehighlightBlock(block)
            block = block.next()

    # --- QSyntaxHighlighter ------------------------------------------------------------

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        n = block.blockNumber()
        if not self._stale:
            if n >= len(self._lines):
                return
            ranges = self._lines[n]
        elif self._edited[0] <= n <= self._edited[1] <= self._edited[0] + APPROX_LINES:
            ranges = self._alone(text)  # a guess from this line only, until the lex ends
        elif self._edited[1] < 0 and self._edited[0] == 0:
            ranges = []
        else:
            # A neighbour Qt asks about while the lex runs: keep what it shows.
            for r in block.layout().formats():
                self.setFormat(r.start, r.length, r.format)
            return
        if not ranges:
            self.setCurrentBlockState(_fingerprint(ranges))
            return
        if self._theme is None:
            self._theme = current_theme()
        fmt = self._theme.format_for
        for start, length, ttype in ranges:
            self.setFormat(start, length, fmt(ttype))
        self.setCurrentBlockState(_fingerprint(ranges))

    def _alone(self, text: str) -> list[Range]:
        *_, lines = line_ranges(iter((t, v) for v, t in token_runs(text + "\n", self._language)))
        return lines[0] if lines else []  # type: ignore[index,return-value]
