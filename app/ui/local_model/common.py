"""What the Local model dialog's parts share."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str) -> W:
    """`widget` with its objectName (for tests and style) and accessible name."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget
