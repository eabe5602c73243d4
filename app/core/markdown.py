"""Markdown helpers that need no Qt: fenced code block extraction."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


@dataclass(frozen=True)
class CodeBlock:
    language: str  # from the fence info string; "" when none
    code: str
    closed: bool = True  # False for a fence still open at the end of the text


def extract_code_blocks(text: str) -> list[CodeBlock]:
    """Fenced code blocks (CommonMark rules for ``` and ~~~ fences) in document order."""
    blocks: list[CodeBlock] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m["fence"], len(m["indent"])
        info = m["info"].strip()
        language = info.split()[0] if info else ""
        body: list[str] = []
        i += 1
        closed = False
        while i < len(lines):
            stripped = lines[i].lstrip(" ")
            if (
                len(lines[i]) - len(stripped) <= 3
                and stripped.startswith(fence[0] * len(fence))
                and not stripped.strip(fence[0]).strip()
            ):
                closed = True
                i += 1
                break
            line = lines[i]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            i += 1
        blocks.append(CodeBlock(language, "\n".join(body), closed))
    return blocks
