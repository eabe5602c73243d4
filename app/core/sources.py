"""Web sources in an answer's text: Z.AI's answers cite them as `[ref_N]` (N from 1)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.core.protocol import Source

REF = re.compile(r"\[ref_(\d{1,3})\]")


def has_refs(text: str) -> bool:
    return "[ref_" in text and REF.search(text) is not None


def link_refs(text: str, sources: Sequence[Source]) -> str:
    """The text for display with each `[ref_N]` of a known source as a Markdown link
    `[[N]](link)`; a marker with no source stays as it is (the stored text never changes)."""

    def linked(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if 1 <= n <= len(sources):
            return f"[[{n}]]({sources[n - 1].link.replace(')', '%29')})"
        return m.group(0)

    return REF.sub(linked, text)
