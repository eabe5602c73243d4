"""The application icon, from the PNGs compiled into app/resources_rc.py."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # as packaging/make_icons.py renders them


def app_icon() -> QIcon:
    """The application icon in every rendered size."""
    from app import resources_rc  # noqa: F401  (registers :/icons with Qt)

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(f":/icons/app-{size}.png", QSize(size, size))
    return icon
