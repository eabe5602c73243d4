"""Light and dark themes: palettes, following the system, and documents that re-colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextFrame
from PySide6.QtWidgets import QLabel

from app.core.conversation import ChatMessage, Conversation
from app.core.protocol import Role
from app.ui import theme
from app.ui.chat_view import ChatView
from app.ui.code_editor import CodeEditor
from app.ui.rich_text import CODE_KEY

ANSWER = "Some **bold** text.\n\n```python\ndef f(x):\n    return 'hi'  # note\n```\n"


def luminance(c: QColor) -> float:
    return c.lightnessF()


def test_light_and_dark_palettes(restore_theme):
    app = restore_theme
    assert theme.apply_theme(app, "dark") is True
    p = app.palette()
    assert luminance(p.color(QPalette.ColorRole.Window)) < 0.25
    assert luminance(p.color(QPalette.ColorRole.Text)) > 0.75
    assert theme.notifier().fusion
    disabled = p.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert disabled != p.color(QPalette.ColorRole.Text)
    assert theme.is_dark() and theme.color("error") == QColor("#f87171")
    assert theme.apply_theme(app, "light") is False
    p = app.palette()
    assert luminance(p.color(QPalette.ColorRole.Base)) > 0.9
    assert luminance(p.color(QPalette.ColorRole.Text)) < 0.25
    assert "#editBanner" in app.styleSheet() and "#historyWarning" in app.styleSheet()


def test_system_mode_follows_the_desktop_scheme_live(restore_theme):
    app = restore_theme
    assert theme.resolve("system", Qt.ColorScheme.Dark) is True
    assert theme.resolve("system", Qt.ColorScheme.Light) is False
    assert theme.resolve("system", Qt.ColorScheme.Unknown) is False
    assert theme.resolve("dark", Qt.ColorScheme.Light) is True
    theme.apply_theme(app, "system")
    theme._on_scheme_changed(Qt.ColorScheme.Dark)  # what styleHints' signal delivers
    assert theme.is_dark()
    assert luminance(app.palette().color(QPalette.ColorRole.Window)) < 0.25
    theme._on_scheme_changed(Qt.ColorScheme.Light)
    assert not theme.is_dark()
    theme.apply_theme(app, "light")  # a fixed choice ignores the desktop
    theme._on_scheme_changed(Qt.ColorScheme.Dark)
    assert not theme.is_dark()


def code_frame_background(view: ChatView) -> QColor:
    for frame in view.document().rootFrame().childFrames():
        if frame.frameFormat().property(CODE_KEY):
            assert isinstance(frame, QTextFrame)
            return frame.frameFormat().background().color()
    raise AssertionError("no code frame")


def token_colours(view: ChatView) -> set[str]:
    colours = set()
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if "return" in fragment.text() or "hi" in fragment.text():
                colours.add(fragment.charFormat().foreground().color().name())
            it += 1
        block = block.next()
    return colours


def test_chat_documents_and_code_follow_the_theme(restore_theme, qtbot):
    app = restore_theme
    theme.apply_theme(app, "light")
    conv = Conversation()
    conv.add(ChatMessage(Role.USER, "show me"))
    conv.add(ChatMessage(Role.ASSISTANT, ANSWER))
    view = ChatView(conv)
    qtbot.addWidget(view)
    view.rebuild()
    view.show()  # a view is written when first shown
    qtbot.waitExposed(view)
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_code("def f(x):\n    return 'hi'\n", "python")
    light_bg, light_tokens = code_frame_background(view), token_colours(view)
    light_editor = editor.highlighter._theme.style_name
    assert luminance(light_bg) > 0.8

    theme.apply_theme(app, "dark")
    qtbot.waitUntil(lambda: luminance(code_frame_background(view)) < 0.3)
    assert token_colours(view) != light_tokens
    assert "You" in view.toPlainText() and "return 'hi'" in view.toPlainText()
    assert editor.highlighter._theme.style_name != light_editor


def test_font_size_and_back_to_the_default(restore_theme):
    app = restore_theme
    default = app.font().pointSize()
    theme.apply_theme(app, "light", font_size=default + 5)
    assert app.font().pointSize() == default + 5
    theme.apply_theme(app, "light", font_size=0)
    assert app.font().pointSize() == default


def test_tones_style_labels(restore_theme, qtbot):
    app = restore_theme
    theme.apply_theme(app, "light")
    label = QLabel("problem")
    qtbot.addWidget(label)
    label.show()
    theme.set_tone(label, "error")
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor("#b91c1c")
    theme.apply_theme(app, "dark")
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor("#f87171")
