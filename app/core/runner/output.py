"""A run's output as it arrives: stdout and stderr interleaved, the last part kept.

Reader threads `add` what the pipes give; the window asks for what is new since it last
looked (`since`), so a snippet that prints 100 MB costs the window only the last part, and
the part cut is counted and said.
"""

from __future__ import annotations

import codecs
import threading
from dataclasses import dataclass

OUT, ERR = "out", "err"
LIMIT = 100_000  # characters of output kept (the pane's, the history's)


@dataclass
class Chunk:
    stream: str  # OUT or ERR
    text: str
    start: int  # position of its first character in everything that arrived


class OutputTail:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._chunks: list[Chunk] = []
        self._kept = 0  # characters in _chunks
        self.total = 0  # characters that arrived
        self._lock = threading.Lock()
        self._decoders = {s: codecs.getincrementaldecoder("utf-8")("replace") for s in (OUT, ERR)}

    def add(self, stream: str, data: bytes, final: bool = False) -> None:
        text = self._decoders[stream].decode(data, final)
        if not text:
            return
        with self._lock:
            if len(text) > self.limit:  # only its end can be kept
                skipped = len(text) - self.limit
                self.total += skipped
                text = text[skipped:]
            last = self._chunks[-1] if self._chunks else None
            contiguous = last is not None and last.start + len(last.text) == self.total
            if last is not None and contiguous and last.stream == stream and len(last.text) < 8192:
                last.text += text
            else:
                self._chunks.append(Chunk(stream, text, self.total))
            self.total += len(text)
            self._kept += len(text)
            while self._kept > self.limit and self._chunks:
                first = self._chunks[0]
                extra = self._kept - self.limit
                if len(first.text) <= extra:
                    self._chunks.pop(0)
                    self._kept -= len(first.text)
                else:
                    first.text = first.text[extra:]
                    first.start += extra
                    self._kept -= extra

    @property
    def cut(self) -> int:
        """Characters no longer kept (from the beginning)."""
        with self._lock:
            return self.total - self._kept

    def since(self, position: int) -> tuple[list[tuple[str, str]], bool, int]:
        """What arrived after `position`: (stream, text) pieces, whether some of it is no
        longer kept (then the pieces are all that is), and the new position."""
        with self._lock:
            pieces: list[tuple[str, str]] = []
            first_kept = self._chunks[0].start if self._chunks else self.total
            gap = position < first_kept
            for chunk in self._chunks:
                end = chunk.start + len(chunk.text)
                if end <= position:
                    continue
                offset = max(0, position - chunk.start)
                pieces.append((chunk.stream, chunk.text[offset:]))
            return pieces, gap and self.total > 0, self.total

    def pieces(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(c.stream, c.text) for c in self._chunks]

    def text(self) -> str:
        with self._lock:
            return "".join(c.text for c in self._chunks)
