"""Markdown for model output, without Qt: safe HTML per top-level block, incrementally.

Model output is untrusted: raw HTML is shown as text, images become plain links (nothing is
fetched), and a link may only point to http, https or mailto (not javascript:, file:, nor
the app's own glmdesk: actions, which the model could otherwise forge). Reference
link definitions are off: one at the end of an answer would change blocks rendered long
before it, and streamed blocks are never rendered twice.

`MarkdownStream` is the incremental renderer: finished top-level blocks are parsed and
rendered once ("frozen"); only the open tail is parsed again as text arrives. Only complete
lines can end a block: a half-received line such as "#" might still become "#tag".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

from app.core.display import SHOWN_BRACKET

if TYPE_CHECKING:  # markdown-it loads on first use (about 30 ms), not at start-up
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@dataclass(frozen=True)
class CodeBlock:
    language: str  # from the fence info string; "" when none
    code: str
    closed: bool = True  # False for a fence still open at the end of the text
    info: str = field(default="", compare=False)  # the whole info string ("py src/x.py")


@dataclass(frozen=True)
class Block:
    """One top-level block: a fenced code block, or any other Markdown as HTML."""

    source: str  # the block's lines, with the blank lines that follow it
    html: str = ""  # for Markdown blocks (a nested fence is inside, as <pre>)
    code: CodeBlock | None = None  # for a top-level fence
    fences: int = 0  # fenced code blocks in it (1 for a top-level fence, nested ones count)


_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*$")
_BREAK = re.compile(r"\r\n?|\n")  # what markdown-it counts as a line break


def _lines(text: str) -> list[str]:
    """The lines as markdown-it numbers them (CRLF, CR and LF all end one), each with its
    line break: joining a range of them gives back that part of the text exactly."""
    out, pos = [], 0
    for m in _BREAK.finditer(text):
        out.append(text[pos : m.end()])
        pos = m.end()
    out.append(text[pos:])
    return out


def _complete(region: str) -> str:
    """The complete lines at the start of region (a CR at its very end may still be the
    first half of a CRLF: it waits for the next character)."""
    probe = region[:-1] if region.endswith("\r") else region
    return region[: max(probe.rfind("\n"), probe.rfind("\r")) + 1]


def _render_image(
    renderer: object, tokens: Sequence[Token], idx: int, options: object, env: dict
) -> str:
    token = tokens[idx]
    alt = "".join(child.content for child in token.children or [])
    src = escape(str(token.attrGet("src") or ""), quote=True)
    return f'<a href="{src}">[image: {escape(alt) or "untitled"}]</a>'


LINK_SCHEMES = ("http:", "https:", "mailto:")


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _new_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("reference")
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = _new_parser()
    md.add_render_rule("image", _render_image)
    return md


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """The same block rules without inline parsing: enough to find code blocks, and it must
    find the same ones as `parser` (a code block's number is its key)."""
    return _new_parser().disable("inline")


def _fence_code(token: Token, lines: list[str]) -> CodeBlock:
    """A fence token as a CodeBlock; closed when its last line is a closing fence."""
    info = token.info.strip()
    start, end = token.map or (0, 0)
    last = lines[end - 1] if end - 1 > start and end - 1 < len(lines) else ""
    m = _FENCE_CLOSE.match(last)
    closed = bool(m and m[1][0] == token.markup[0] and len(m[1]) >= len(token.markup))
    code = token.content[:-1] if token.content.endswith("\n") else token.content
    return CodeBlock(info.split()[0] if info else "", code, closed, info)


def _top_level(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first token index, first source line) of each top-level block."""
    return [
        (i, t.map[0])
        for i, t in enumerate(tokens)
        if t.level == 0 and t.nesting >= 0 and t.map is not None
    ]


def _render(text: str) -> list[Block]:
    return _blocks(text, parser().parse(text), len(_lines(text)))


@lru_cache(maxsize=256)
def render_blocks(text: str) -> list[Block]:
    """A finished message as top-level blocks. Cached: a view rebuilt after an edit or a
    version switch renders the same answers again. The list is shared: do not change it."""
    return _render(text)


def _blocks(text: str, tokens: list[Token], upto_line: int) -> list[Block]:
    md = parser()
    lines = _lines(text)
    tops = _top_level(tokens)
    out: list[Block] = []
    for n, (i, line) in enumerate(tops):
        j, next_line = tops[n + 1] if n + 1 < len(tops) else (len(tokens), upto_line)
        source = "".join(lines[line:next_line])  # with their line breaks, as they came
        if tokens[i].type == "fence":
            out.append(Block(source, code=_fence_code(tokens[i], lines), fences=1))
        else:
            html = md.renderer.render(tokens[i:j], md.options, {}).replace(SHOWN_BRACKET, "[")
            fences = sum(1 for t in tokens[i:j] if t.type == "fence")
            out.append(Block(source, html=html, fences=fences))
    if tops and tops[0][1] > 0:  # leading blank lines belong to the first block
        lead = "".join(lines[: tops[0][1]])
        out[0] = dataclasses.replace(out[0], source=lead + out[0].source)
    return out


def extract_code_blocks(text: str) -> list[CodeBlock]:
    """Every fenced code block, nested ones too (in lists, quotes), in document order."""
    if "```" not in text and "~~~" not in text:  # no fence can open without one
        return []
    lines = _lines(text)
    return [_fence_code(t, lines) for t in block_parser().parse(text) if t.type == "fence"]


class MarkdownStream:
    """A streaming answer's Markdown: `feed` text, then `update` for what changed.

    `update()` returns (newly frozen blocks, the tail's blocks). Frozen blocks never change
    again; the tail is everything after them, rendered afresh each time. `finish()` freezes
    the rest. Joining every frozen block's source gives back the text fed so far (but for
    blank lines that no block follows).
    """

    def __init__(self) -> None:
        self.text = ""
        self._frozen_upto = 0  # characters of `text` in frozen blocks
        self._scanned_upto = 0  # complete lines after this may free more blocks

    def feed(self, text: str) -> None:
        self.text += text

    def update(self) -> tuple[list[Block], list[Block]]:
        rest = self.text[self._scanned_upto :]
        frozen = self._freeze() if "\n" in rest or "\r" in rest else []
        return frozen, _render(self.text[self._frozen_upto :])

    def finish(self) -> list[Block]:
        rest = _render(self.text[self._frozen_upto :])
        self._frozen_upto = self._scanned_upto = len(self.text)
        return rest

    def _freeze(self) -> list[Block]:
        region = self.text[self._frozen_upto :]
        complete = _complete(region)
        self._scanned_upto = self._frozen_upto + len(complete)
        lines = _lines(complete)  # ends with "" (complete lines only)
        tokens = parser().parse(complete)
        tops = _top_level(tokens)
        if not tops:
            return []
        # Every block but the last is closed by the block after it; the last one only if it
        # is a fence whose closing line has arrived.
        keep = len(tops) - 1
        last = tokens[tops[-1][0]]
        if last.type == "fence" and _fence_code(last, lines).closed:
            keep = len(tops)
        if keep == 0:
            return []
        end_line = tops[keep][1] if keep < len(tops) else len(lines) - 1
        blocks = _blocks(
            complete, tokens[: tops[keep][0]] if keep < len(tops) else tokens, end_line
        )
        frozen = "".join(b.source for b in blocks)
        self._frozen_upto += len(frozen)
        return blocks
