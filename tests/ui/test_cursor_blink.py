from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit

from app.ui.cursor_blink import BlinkTimeout


def test_the_cursor_stops_blinking_when_idle_and_blinks_again_on_input(qapp, qtbot):
    desktop = qapp.cursorFlashTime()
    qapp.setCursorFlashTime(1000)
    try:
        editor = QPlainTextEdit()
        qtbot.addWidget(editor)
        blink = BlinkTimeout(editor, timeout_ms=50)
        blink.watch(editor)
        assert blink.blinking
        qtbot.waitUntil(lambda: qapp.cursorFlashTime() == 0, timeout=2000)  # idle: steady
        QTest.keyClick(editor, Qt.Key.Key_A)
        assert qapp.cursorFlashTime() == 1000 and editor.toPlainText() == "a"
        qtbot.waitUntil(lambda: not blink.blinking, timeout=2000)
        QTest.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton)
        assert qapp.cursorFlashTime() == 1000
        qtbot.waitUntil(lambda: not blink.blinking, timeout=2000)
        blink.stop()  # the window closes: the desktop's blinking is back
        assert qapp.cursorFlashTime() == 1000
    finally:
        qapp.setCursorFlashTime(desktop)


def test_a_desktop_without_blinking_is_left_alone(qapp, qtbot):
    desktop = qapp.cursorFlashTime()
    qapp.setCursorFlashTime(0)
    try:
        editor = QPlainTextEdit()
        qtbot.addWidget(editor)
        blink = BlinkTimeout(editor, timeout_ms=50)
        blink.watch(editor)
        QTest.keyClick(editor, Qt.Key.Key_A)
        assert qapp.cursorFlashTime() == 0
        blink.stop()
    finally:
        qapp.setCursorFlashTime(desktop)
