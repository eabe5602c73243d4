"""Incremental Server-Sent Events decoder (WHATWG event-stream rules).

Bytes go in as they arrive from the socket, in chunks split anywhere; complete events come
out. Lines are split on the byte level (CR, LF or CRLF, even when a CRLF straddles two
chunks) and only whole lines are decoded, so a UTF-8 character split across chunks is
never mangled. Comment lines (starting with `:`) are keep-alives and are dropped; unknown
fields and garbage lines are ignored, as the standard says.

An event may not grow past `MAX_EVENT_BYTES` (its data lines and the line still open): a
server that never ends a line would otherwise fill the memory. Past it, `feed` and `close`
raise `EventTooLarge`; the events completed before are all returned first.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_EVENT_BYTES = 32 * 1024 * 1024  # far past any answer (GLM-4 writes 16,384 tokens at most)


class EventTooLarge(ValueError):
    """An event grew past the decoder's limit without ending."""


@dataclass(frozen=True)
class SseEvent:
    data: str
    event: str = "message"
    id: str | None = None


class SseDecoder:
    def __init__(self, limit: int | None = None) -> None:
        self.limit = MAX_EVENT_BYTES if limit is None else limit
        self._buffer = bytearray()
        self._scanned = 0  # bytes at the start of the buffer known to hold no line end
        self._data: list[str] = []
        self._size = 0  # bytes in the open event's data lines
        self._event = ""
        self._id: str | None = None
        self._started = False
        self.comments = 0  # keep-alive lines seen, for diagnostics

    def feed(self, chunk: bytes) -> list[SseEvent]:
        self._check_size()  # what earlier reads left: their complete events went out then
        self._buffer += chunk
        events: list[SseEvent] = []
        buf = self._buffer
        start = 0
        n = len(buf)
        # The bytes before `scanned` hold no line end: a long line arriving in many small
        # reads is searched once, not once per read (5 MB in 512-byte reads: seconds).
        scanned = self._scanned
        while True:
            since = max(start, scanned)
            lf = buf.find(b"\n", since)
            cr = buf.find(b"\r", since, lf if lf >= 0 else n)
            if cr >= 0:
                if cr == n - 1:
                    scanned = cr  # a CR at the very end may be the first half of CRLF
                    break
                end, nxt = cr, cr + 2 if buf[cr + 1] == 0x0A else cr + 1
            elif lf >= 0:
                end, nxt = lf, lf + 1
            else:
                scanned = n
                break
            self._line(bytes(buf[start:end]), events)
            start = nxt
        del buf[:start]
        self._scanned = scanned - start
        return events

    def close(self) -> list[SseEvent]:
        """End of stream: a final line or event without its terminator is still delivered."""
        self._check_size()
        events: list[SseEvent] = []
        if self._buffer:
            line = bytes(self._buffer).rstrip(b"\r")
            self._buffer.clear()
            self._scanned = 0
            self._line(line, events)
        self._dispatch(events)
        return events

    def _check_size(self) -> None:
        if len(self._buffer) + self._size > self.limit:
            self._buffer.clear()
            self._data, self._size, self._scanned = [], 0, 0
            raise EventTooLarge(f"an event of more than {self.limit:,} bytes without an end")

    def _line(self, raw: bytes, events: list[SseEvent]) -> None:
        if not self._started:
            self._started = True
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        if not raw:
            self._dispatch(events)
            return
        if raw[:1] == b":":
            self.comments += 1
            return
        line = raw.decode("utf-8", errors="replace")
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._size += len(raw)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self._id = value
        # "retry" and unknown fields are ignored: we never reconnect a chat stream.

    def _dispatch(self, events: list[SseEvent]) -> None:
        if self._data:
            events.append(SseEvent("\n".join(self._data), self._event or "message", self._id))
        self._data = []
        self._size = 0
        self._event = ""
