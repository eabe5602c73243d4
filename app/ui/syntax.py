"""Pygments token types as Qt character formats, in the colours of the active theme.

Shared by the chat view (highlighted code blocks) and the code pane (its QSyntaxHighlighter).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication

LIGHT_STYLE = "default"
DARK_STYLE = "monokai"


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def current_style() -> str:
    """The Pygments style that matches the application's palette."""
    return DARK_STYLE if is_dark() else LIGHT_STYLE


def code_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class SyntaxTheme:
    """Character formats for token types in one Pygments style (cached per token type)."""

    def __init__(self, style_name: str) -> None:
        self.style_name = style_name
        from pygments.styles import get_style_by_name  # on first use, not at start-up

        self._style = get_style_by_name(style_name)
        self.background = QColor(self._style.background_color or "#ffffff")
        self._formats: dict[Any, QTextCharFormat] = {}  # by pygments token type

    def format_for(self, ttype: Any) -> QTextCharFormat:
        fmt = self._formats.get(ttype)
        if fmt is None:
            fmt = QTextCharFormat()
            spec = self._style.style_for_token(ttype)
            if spec["color"]:
                fmt.setForeground(QColor(f"#{spec['color']}"))
            if spec["bold"]:
                fmt.setFontWeight(QFont.Weight.Bold)
            if spec["italic"]:
                fmt.setFontItalic(True)
            if spec["underline"]:
                fmt.setFontUnderline(True)
            self._formats[ttype] = fmt
        return fmt


@lru_cache(maxsize=4)
def theme(style_name: str) -> SyntaxTheme:
    return SyntaxTheme(style_name)


def current_theme() -> SyntaxTheme:
    return theme(current_style())
