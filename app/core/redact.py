"""Keeps API keys out of text: log lines, error messages, anything shown or written.

Every key the app learns (from the environment, the keyring, the settings dialog, a
generated local-server key) is registered here with `remember`. `redact` replaces the key,
and any piece of it of `FRAGMENT` characters or more, with "…". A server that echoes the key
back in an error ("Incorrect API key provided: sk-…") therefore cannot put it on screen, in
the history or in the log. The keys themselves live only in this process's memory.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

FRAGMENT = 8  # the shortest piece of a key that is hidden
MIN_KEY = 12  # shorter "keys" (test values, "none") are not secret enough to hunt for
MASK = "…"

_lock = threading.Lock()
_fragments: frozenset[str] = frozenset()
_keys: set[str] = set()


def remember(key: str | None) -> None:
    """Hide this key (and its pieces) from now on."""
    global _fragments
    key = (key or "").strip()
    if len(key) < MIN_KEY or key in _keys:
        return
    with _lock:
        _keys.add(key)
        pieces = {k[i : i + FRAGMENT] for k in _keys for i in range(len(k) - FRAGMENT + 1)}
        _fragments = frozenset(pieces)


def forget_all() -> None:
    """For tests."""
    global _fragments
    with _lock:
        _keys.clear()
        _fragments = frozenset()


def redact(text: str) -> str:
    """text without any known key or piece of one; the same object when there is none (so a
    translatable message stays translatable)."""
    fragments = _fragments
    if not fragments or len(text) < FRAGMENT:
        return text
    covered = bytearray(len(text))
    found = False
    for i in range(len(text) - FRAGMENT + 1):
        if text[i : i + FRAGMENT] in fragments:
            covered[i : i + FRAGMENT] = b"\x01" * FRAGMENT
            found = True
    if not found:
        return text
    out: list[str] = []
    masking = False
    for ch, hidden in zip(text, covered, strict=True):
        if hidden:
            if not masking:
                out.append(MASK)
            masking = True
        else:
            out.append(ch)
            masking = False
    return "".join(out)


class RedactingFilter(logging.Filter):
    """A log handler's filter: the formatted message and any traceback lose their keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _fragments:
            return True
        message = record.getMessage()
        clean = redact(message)
        if clean is not message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            cleaned = redact(text)
            if cleaned is not text:
                record.exc_info, record.exc_text = None, cleaned
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_fields(obj: Any, *names: str) -> None:
    """Redact these string attributes of obj in place."""
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, str):
            clean = redact(value)
            if clean is not value:
                setattr(obj, name, clean)
