"""Light and dark themes: Fusion, a full palette, a small stylesheet, semantic colours.

`apply_theme(app, mode, font_size)` with mode "light", "dark" or "system" (the default
setting: the desktop's colour scheme, followed live through QStyleHints.colorSchemeChanged).
Widgets re-colour themselves on QEvent.PaletteChange (the chat view re-renders its document,
the code pane re-highlights), so nothing needs to know who is listening. `color(role)` gives
the colour of a role ("error", "muted", "link", ...) in the current theme, for the few places
that draw text in colour; the stylesheet styles labels by a `tone` property ("error",
"warning", "success", "muted") and a few objectNames.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

MODES = ("system", "light", "dark")

# role -> (light, dark)
_COLORS: dict[str, tuple[str, str]] = {
    "error": ("#b91c1c", "#f87171"),
    "error_bg": ("#fef2f2", "#3b1f22"),
    "warning": ("#92400e", "#fbbf24"),
    "warning_bg": ("#fef3c7", "#3a3020"),
    "notice_bg": ("#fffbeb", "#33301f"),
    "success": ("#15803d", "#4ade80"),
    "muted": ("#6b7280", "#9ca3af"),
    "link": ("#1d4ed8", "#7aa2f7"),
    "you": ("#0f766e", "#2dd4bf"),
    "assistant": ("#7c3aed", "#c4a1ff"),
    "hit": ("#fde68a", "#6b5a1e"),
    "banner_bg": ("#eef2ff", "#262b45"),
    "alt_bg": ("#f6f7f9", "#26282c"),  # a tool's result under its card
    "banner_fg": ("#3730a3", "#c7d2fe"),
    "undo_bg": ("#1f2937", "#3a3d44"),
    "undo_fg": ("#ffffff", "#ffffff"),
}

# Palettes: (window, base, alternate base, text, button, highlight, disabled text)
_LIGHT = {
    "window": "#f3f4f6",
    "base": "#ffffff",
    "alt": "#f6f7f9",
    "text": "#1f2328",
    "button": "#eceef1",
    "highlight": "#2f6feb",
    "highlighted_text": "#ffffff",
    "disabled": "#9aa0a6",
    "mid": "#c9ced6",
    "dark": "#a0a6ae",
    "shadow": "#7b8088",
    "light": "#ffffff",
    "tooltip_base": "#ffffdc",
    "tooltip_text": "#1f2328",
    "placeholder": "#8b929a",
    "link": "#1d4ed8",
    "visited": "#6d28d9",
}
_DARK = {
    "window": "#1e1f22",
    "base": "#2b2d30",
    "alt": "#313338",
    "text": "#dfe1e5",
    "button": "#35373b",
    "highlight": "#3d6fd9",
    "highlighted_text": "#ffffff",
    "disabled": "#6f737a",
    "mid": "#4a4d52",
    "dark": "#151617",
    "shadow": "#000000",
    "light": "#4e5157",
    "tooltip_base": "#3c3f41",
    "tooltip_text": "#dfe1e5",
    "placeholder": "#868a91",
    "link": "#7aa2f7",
    "visited": "#c4a1ff",
}


class _State(QObject):
    changed = Signal(bool)  # dark

    def __init__(self) -> None:
        super().__init__()
        self.mode = "light"
        self.dark = False
        self.default_font: QFont | None = None
        self.font_size = 0
        self.following = False  # connected to colorSchemeChanged
        self.fusion = False  # the Fusion style is set


_state: _State | None = None


def _get_state() -> _State:
    global _state
    if _state is None:
        _state = _State()
    return _state


def notifier() -> _State:
    """Emits `changed(dark)` after every theme change."""
    return _get_state()


def system_is_dark(scheme: Qt.ColorScheme | None = None) -> bool:
    """The desktop's scheme (Unknown counts as light)."""
    if scheme is None:
        hints = QGuiApplication.styleHints()
        scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    return scheme == Qt.ColorScheme.Dark


def resolve(mode: str, scheme: Qt.ColorScheme | None = None) -> bool:
    """Whether mode means dark: "dark", or "system" while the desktop is dark."""
    if mode == "dark":
        return True
    if mode == "system":
        return system_is_dark(scheme)
    return False


def is_dark() -> bool:
    return _get_state().dark


def color(role: str) -> QColor:
    light, dark = _COLORS[role]
    return QColor(dark if _get_state().dark else light)


def palette(dark: bool) -> QPalette:
    c = {k: QColor(v) for k, v in (_DARK if dark else _LIGHT).items()}
    p = QPalette()
    R, G = QPalette.ColorRole, QPalette.ColorGroup
    roles = {
        R.Window: c["window"],
        R.WindowText: c["text"],
        R.Base: c["base"],
        R.AlternateBase: c["alt"],
        R.ToolTipBase: c["tooltip_base"],
        R.ToolTipText: c["tooltip_text"],
        R.PlaceholderText: c["placeholder"],
        R.Text: c["text"],
        R.Button: c["button"],
        R.ButtonText: c["text"],
        R.BrightText: QColor("#ff5555"),
        R.Light: c["light"],
        R.Midlight: c["mid"].lighter(110),
        R.Mid: c["mid"],
        R.Dark: c["dark"],
        R.Shadow: c["shadow"],
        R.Highlight: c["highlight"],
        R.HighlightedText: c["highlighted_text"],
        R.Link: c["link"],
        R.LinkVisited: c["visited"],
    }
    for role, value in roles.items():
        p.setColor(role, value)
    for role in (R.WindowText, R.Text, R.ButtonText, R.PlaceholderText):
        p.setColor(G.Disabled, role, c["disabled"])
    p.setColor(G.Disabled, R.Highlight, c["mid"])
    p.setColor(G.Disabled, R.HighlightedText, c["disabled"])
    p.setColor(G.Disabled, R.Base, c["window"])
    return p


def stylesheet(dark: bool) -> str:
    def col(role: str) -> str:
        light, dk = _COLORS[role]
        return dk if dark else light

    return f"""
QLabel[tone="error"] {{ color: {col("error")}; }}
QLabel[tone="warning"] {{ color: {col("warning")}; }}
QLabel[tone="success"] {{ color: {col("success")}; }}
QLabel[tone="muted"] {{ color: {col("muted")}; }}
QLabel[tone="notice"] {{ color: {col("warning")}; background: {col("notice_bg")};
    padding: 4px; border-radius: 3px; }}
#editBanner {{ background: {col("banner_bg")}; color: {col("banner_fg")}; padding: 4px 8px; }}
#historyWarning {{ color: {col("error")}; font-weight: bold; }}
#keyringNotice {{ color: {col("warning")}; font-weight: bold; }}
QLabel#keyringNotice[tone="notice"] {{ font-weight: normal; background: {col("notice_bg")};
    padding: 6px; border-radius: 3px; }}
QLineEdit[invalid="true"] {{ border: 1px solid {col("error")}; border-radius: 2px; }}
#undoBar {{ background: {col("undo_bg")}; }}
#undoBar QLabel {{ color: {col("undo_fg")}; }}
QPushButton#webSearchButton:checked, QPushButton#jsonModeButton:checked {{
    color: {col("banner_fg")}; background: {col("banner_bg")}; font-weight: bold;
    border: 1px solid {col("link")}; border-radius: 3px; padding: 3px 8px; }}
QToolButton#offlineToggle:checked {{ color: {col("warning")}; background: {col("warning_bg")};
    font-weight: bold; }}
QToolButton#localServerStatus[tone="warning"] {{ color: {col("warning")}; font-weight: bold; }}
QToolButton#localServerStatus[tone="success"] {{ color: {col("success")}; font-weight: bold; }}
QToolButton#localServerStatus[tone="error"] {{ color: {col("error")}; font-weight: bold; }}
"""


def set_tone(widget: QWidget, tone: str) -> None:
    """Styles a label (or the local status button) by tone: "error", "warning", "success",
    "muted", "notice", or "" for none."""
    set_style_property(widget, "tone", tone)


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Sets a property the stylesheet selects on (tone, invalid) and restyles the widget."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def apply_theme(app: QApplication, mode: str = "system", font_size: int = 0) -> bool:
    """Fusion with the light or dark palette and the stylesheet; font_size in points (0: the
    system's). "system" follows the desktop's scheme from now on. Returns dark."""
    state = _get_state()
    state.mode = mode if mode in MODES else "system"
    if state.default_font is None:
        state.default_font = QFont(app.font())
    if not state.following:
        hints = QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(_on_scheme_changed)
            state.following = True
    state.font_size = font_size
    _apply(app, resolve(state.mode))
    return state.dark


def _apply(app: QApplication, dark: bool) -> None:
    state = _get_state()
    if not state.fusion:  # once: with a stylesheet, style() is a proxy with no name
        app.setStyle("Fusion")
        state.fusion = True
    font = QFont(state.default_font) if state.default_font is not None else QFont(app.font())
    if state.font_size > 0:
        font.setPointSize(state.font_size)
    if font != app.font():
        app.setFont(font)
    state.dark = dark
    app.setPalette(palette(dark))
    app.setStyleSheet(stylesheet(dark))
    state.changed.emit(dark)


def _on_scheme_changed(scheme: Qt.ColorScheme) -> None:
    state = _get_state()
    app = QApplication.instance()
    if state.mode != "system" or not isinstance(app, QApplication):
        return
    dark = resolve("system", scheme)
    if dark != state.dark:
        _apply(app, dark)
