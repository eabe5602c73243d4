"""Syntax highlighting with Pygments to self-contained HTML (inline styles, no classes)."""

from __future__ import annotations

from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound


@lru_cache(maxsize=64)
def lexer_for(language: str) -> Lexer:
    try:
        return get_lexer_by_name(language.strip().lower() or "text", stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


@lru_cache(maxsize=4)
def _formatter(style: str) -> HtmlFormatter:
    return HtmlFormatter(noclasses=True, nowrap=True, style=style)


def highlight_html(code: str, language: str, style: str = "default") -> str:
    """HTML for a <pre> body; everything in `code` is escaped."""
    return highlight(code, lexer_for(language), _formatter(style))
