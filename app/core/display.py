"""What of a message is laid out on screen: bounded, however large the message is.

A model can answer with a base64 blob on one 5 MB line, a 1 MB code block or a table of
5,000 rows; a user can paste a log. Laying any of that out whole (Markdown parsing, Qt's text
layout) would stall the window for seconds. The chat view therefore shows a *display text*:

- a line longer than `LINE_LIMIT` characters shows its beginning, then a marker saying how
  many characters follow;
- a run of table rows (lines starting with ``|``) longer than `TABLE_ROWS` shows its first rows,
  then a marker line;
- a fenced code block longer than `CODE_LINES` lines shows its first lines, then a marker line
  inside the block (the code pane has all of it);
- a message longer than `MESSAGE_LIMIT` display characters shows its beginning, then a
  marker line;
- a run of `BLOCK_LINES` lines, or of `BLOCK_CHARS` characters, without a blank line (outside
  code) gets a blank line after it, so a 40,000-line log becomes paragraphs that are laid out
  once each, not one paragraph laid out again as it grows;
- past the first `BRACKETS` opening brackets of a paragraph (outside code), the others are
  given to the Markdown parser as `SHOWN_BRACKET`, a private-use character it treats as
  plain text, which `app/core/markdown.py` writes back as "[" (the same on screen, never a
  link). markdown-it tries a link at every unmatched "[", about 30 µs each: a
  100,000-character answer of them took 2.5 s to parse, a 4,000-character paragraph 100 ms.

The message itself (history, exports, Copy, the code pane's files) stays exact: only what is
laid out is folded. `DisplayFolder` does it incrementally for a streaming answer: `feed`
returns the display text of each new piece in O(piece) time, and `finish` the last marker.
The markers' words come from the caller (`Markers`), so they can be translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

LINE_LIMIT = 2_000  # characters of one line laid out
TABLE_ROWS = 100  # rows of one table laid out (Qt lays out 300 rows in ~100 ms)
CODE_LINES = 400  # lines of one code block laid out
BLOCK_LINES = 200  # lines of one paragraph, list or quote before a blank line is added
BLOCK_CHARS = 4_000  # ... or characters (whole lines: at most BLOCK_CHARS + LINE_LIMIT)
BRACKETS = 64  # "[" of one paragraph that may open a link; later ones are plain text
SHOWN_BRACKET = "\ue010"  # a "[" the parser sees as text (a model's own U+E010 shows as "[")
_TICKS = re.compile(r"(`+)")
_OPEN = re.compile(r"(?<!\\)\[")
HEAD = 40  # characters of a line kept to tell a fence line
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
MESSAGE_LIMIT = 100_000  # characters of one message laid out (a long answer is ~65,000)


@dataclass(frozen=True)
class Markers:
    """The words for what was left out (each gets the count left out)."""

    line: Callable[[int], str] = lambda n: f" … [{n:,} more characters on this line]"
    rows: Callable[[int], str] = lambda n: f"[… {n:,} more rows]"
    code: Callable[[int], str] = lambda n: f"… {n:,} more lines in this code block"
    message: Callable[[int], str] = lambda n: f"[… {n:,} more characters]"


class DisplayFolder:
    """Folds a text fed piece by piece (see the module docstring)."""

    def __init__(self, markers: Markers | None = None) -> None:
        self.markers = markers or Markers()
        self.shown = 0  # display characters emitted so far
        self._line = 0  # characters of the current line seen
        self._line_cut = 0  # ... of them left out
        self._row_start = True  # at the start of a line
        self._rows = 0  # consecutive table rows, the current one included
        self._rows_cut = 0  # table rows left out of the current run
        self._in_row = False  # the current line is a table row
        self._cut = 0  # characters left out at the message limit
        self._head = ""  # the current line's first HEAD characters
        self._fence = ""  # the open fence's marker ("```", "~~~~"), "" outside code
        self._code_lines = 0  # lines of the open code block
        self._code_cut = 0  # ... left out
        self._run = 0  # lines since the last blank one (outside code)
        self._run_chars = 0  # ... and their characters
        self._brackets = 0  # "[" in the paragraph so far, outside code spans
        self._tick = 0  # the open code span's backtick run on this line (0: none)

    def feed(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        n = len(text)
        while pos < n:
            if self._cut:  # past the message limit: only count
                self._cut += n - pos
                break
            end = text.find("\n", pos)
            piece = text[pos:] if end < 0 else text[pos:end]
            out.append(self._line_piece(piece))
            if end < 0:
                break
            out.append(self._end_line())
            pos = end + 1
        return self._limit("".join(out))

    def finish(self) -> str:
        tail = []
        if self._line_cut:
            tail.append(self.markers.line(self._line_cut))
            self._line_cut = 0
        if self._rows_cut:
            tail.append("\n\n" + self.markers.rows(self._rows_cut) + "\n")
            self._rows_cut = 0
        if self._code_cut:
            tail.append("\n" + self.markers.code(self._code_cut))
            self._code_cut = 0
        if self._cut:
            tail.append("\n\n" + self.markers.message(self._cut) + "\n")
        return "".join(tail)

    # --- one line at a time --------------------------------------------------------------

    def _line_piece(self, piece: str) -> str:
        if len(self._head) < HEAD:
            self._head += piece[: HEAD - len(self._head)]
        if self._fence and self._code_lines >= CODE_LINES:
            return ""  # past the block's limit: only a closing fence is shown (at its end)
        if self._row_start:
            self._row_start = False
            self._in_row = (piece.lstrip().startswith("|") if piece else False) and not self._fence
            if self._in_row:
                self._rows += 1
            elif self._rows_cut:  # the table run ended: say what was left out
                marker = "\n" + self.markers.rows(self._rows_cut) + "\n\n"
                self._rows, self._rows_cut = 0, 0
                return marker + self._line_piece_body(piece)
            else:
                self._rows = 0
        return self._line_piece_body(piece)

    def _line_piece_body(self, piece: str) -> str:
        if self._in_row and self._rows > TABLE_ROWS:
            self._line += len(piece)
            return ""
        room = LINE_LIMIT - self._line
        self._line += len(piece)
        if room >= len(piece):
            return self._bracketed(piece)
        self._line_cut += len(piece) - max(room, 0)
        return self._bracketed(piece[: max(room, 0)])

    def _bracketed(self, piece: str) -> str:
        """piece, its opening brackets past the paragraph's first BRACKETS as plain text."""
        if self._fence or ("[" not in piece and "`" not in piece):
            return piece
        if not self._tick and "`" not in piece:
            n = piece.count("[")
            if self._brackets + n <= BRACKETS:
                self._brackets += n
                return piece
        out = []
        for part in _TICKS.split(piece):
            if part.startswith("`"):  # a backtick run opens or closes a code span
                if not self._tick:
                    self._tick = len(part)
                elif len(part) == self._tick:
                    self._tick = 0
            elif not self._tick and "[" in part:
                room = max(0, BRACKETS - self._brackets)
                self._brackets += part.count("[")
                keep = 0
                for _ in range(room):  # past the room-th bracket, escape
                    keep = part.find("[", keep) + 1
                    if keep == 0:
                        keep = len(part)
                        break
                part = part[:keep] + _OPEN.sub(SHOWN_BRACKET, part[keep:])
            out.append(part)
        return "".join(out)

    def _end_line(self) -> str:
        head, self._head = self._head, ""
        if self._fence:
            fence = _FENCE.match(head)
            closing = (
                fence is not None
                and fence[1][0] == self._fence[0]
                and len(fence[1]) >= len(self._fence)
                and not head[fence.end() :].strip()
            )
            if self._code_lines >= CODE_LINES:  # this line was left out
                self._line, self._line_cut, self._row_start = 0, 0, True
                if not closing:
                    self._code_cut += 1
                    return ""
                cut, self._code_cut, self._fence = self._code_cut, 0, ""
                close = head.strip()
                return (self.markers.code(cut) + "\n" if cut else "") + close + "\n"
            if closing:
                self._fence = ""
            else:
                self._code_lines += 1
        else:
            fence = _FENCE.match(head)
            if fence is not None and not (fence[1][0] == "`" and "`" in head[fence.end() :]):
                self._fence, self._code_lines = fence[1], 0
        dropped_row = self._in_row and self._rows > TABLE_ROWS
        if dropped_row:
            self._rows_cut += 1
        marker = self.markers.line(self._line_cut) if self._line_cut else ""
        blank = not head.strip() and not self._line_cut and self._line <= len(head)
        self._tick = 0
        if blank or self._fence or self._in_row:
            self._run = self._run_chars = self._brackets = 0
        else:
            self._run += 1
            self._run_chars += min(self._line, LINE_LIMIT)
        self._line, self._line_cut, self._row_start = 0, 0, True
        if dropped_row:
            return ""
        if self._run >= BLOCK_LINES or self._run_chars >= BLOCK_CHARS:  # end it here
            self._run = self._run_chars = self._brackets = 0
            return marker + "\n\n"
        return marker + "\n"

    def _limit(self, shown: str) -> str:
        room = MESSAGE_LIMIT - self.shown
        if len(shown) <= room:
            self.shown += len(shown)
            return shown
        cut = shown[: max(room, 0)]
        self.shown += len(cut)
        self._cut += len(shown) - len(cut)
        return cut


def display_text(text: str, markers: Markers | None = None) -> str:
    """The whole display text of a finished message (see the module docstring)."""
    if (
        len(text) <= BLOCK_CHARS
        and text.count("[") <= BRACKETS
        and text.count("\n") < min(TABLE_ROWS, CODE_LINES, BLOCK_LINES)
        and max(map(len, text.split("\n"))) <= LINE_LIMIT
    ):
        return text  # nothing to fold: the usual case costs next to nothing
    folder = DisplayFolder(markers)
    return folder.feed(text) + folder.finish()
