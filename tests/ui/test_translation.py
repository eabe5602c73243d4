"""The UI in Simplified Chinese: every text a person reads is translated (the main window, its
menus, the About, Local model and Search dialogs); English is unchanged; and a Chinese input
method works in the composer."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from app import APP_NAME
from app.core.providers import PROVIDERS
from app.ui.about import AboutDialog
from app.ui.composer import Composer
from app.ui.i18n import install_translators, resolve_language
from app.ui.search_dialog import SearchDialog
from tests.ui.conftest import close_window, make_window

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
TAG = re.compile(r"<[^>]+>")
# Names that stay as they are in every language.
NAMES = {APP_NAME, "GLM-4", "GLM-4-32B", "Z.AI", "OpenRouter", "llama.cpp", "llama-server", "GGUF"}
NAMES |= {"MCP", "JSON"}  # a protocol's and a format's names
NAMES |= {"English"}  # a language's name is written in that language
NAMES |= {p.name for p in PROVIDERS.values()} | {p.model for p in PROVIDERS.values()}


def untranslated(text: str) -> bool:
    """A text with English words in it and no Chinese: names, numbers and symbols are fine."""
    text = TAG.sub(" ", text).replace("&nbsp;", " ").replace("&", "")
    text = re.sub(r"\b\w+://\S+", " ", text)  # an address
    if not text.strip() or CJK.search(text):
        return False
    for name in sorted(NAMES, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\b(Ctrl|Shift|Alt|Esc|Enter|Tab|F\d+)\b", " ", text)
    return re.search(r"[A-Za-z]{2,}", text) is not None


def texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for everything readable in root and its children."""
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        name = f"{type(w).__name__}#{w.objectName()}"
        yield f"{name} tooltip", w.toolTip()
        yield f"{name} accessible name", w.accessibleName()
        if w.isWindow():
            yield f"{name} title", w.windowTitle()
        if isinstance(w, QLabel):
            yield f"{name} text", w.text()
        elif isinstance(w, QAbstractButton):
            yield f"{name} text", w.text()
        elif isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
            yield f"{name} placeholder", w.placeholderText()
        elif isinstance(w, QMenu):
            yield f"{name} title", w.title()
        elif isinstance(w, QGroupBox):
            yield f"{name} title", w.title()
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield f"{name} tab {i}", w.tabText(i)
        elif isinstance(w, QListWidget):
            for i in range(w.count()):
                yield f"{name} item {i}", w.item(i).text()
        elif isinstance(w, QComboBox) and w.objectName() != "providerSelector":
            for i in range(w.count()):
                yield f"{name} item {i}", w.itemText(i)
    for action in root.findChildren(QAction):
        name = f"QAction {action.text()!r}"
        yield f"{name} text", action.text()
        if action.toolTip() != action.text().replace("&", ""):
            yield f"{name} tooltip", action.toolTip()


def english_left(root: QWidget) -> list[tuple[str, str]]:
    return [(where, text) for where, text in texts(root) if untranslated(text)]


@pytest.fixture
def chinese(qapp) -> Iterator[None]:
    assert install_translators(qapp, "zh_CN") == "zh_CN"
    yield
    assert install_translators(qapp, "en") == "en"


def test_resolve_language_follows_the_system_for_chinese_only():
    from PySide6.QtCore import QLocale

    assert resolve_language("system", QLocale("zh_CN")) == "zh_CN"
    assert resolve_language("system", QLocale("zh_TW")) == "zh_CN"
    assert resolve_language("system", QLocale("de_DE")) == "en"
    assert resolve_language("en") == "en"
    assert resolve_language("zh_CN") == "zh_CN"
    assert resolve_language("klingon") == "en"


def test_english_loads_no_file_and_the_ui_stays_english(qapp, qtbot, qloop, history):
    assert install_translators(qapp, "en") == "en"
    win, backend = make_window(qtbot, history)
    try:
        assert win.send_button.text() == "Send"
        assert win.composer.placeholderText().startswith("Ask GLM-4…")
        assert win.status_label.text() == "Ready"
        titles = [a.text() for a in win.menuBar().actions()]
        assert titles[:2] == ["&File", "&Edit"]
    finally:
        close_window(qloop, win, backend)


def test_the_main_window_is_chinese(chinese, qtbot, qloop, history):
    win, backend = make_window(qtbot, history)
    try:
        assert win.send_button.text() == "发送"
        assert win.status_label.text() == "就绪"
        assert english_left(win) == []
        for menu in win.menuBar().findChildren(QMenu):
            assert english_left(menu) == []
    finally:
        close_window(qloop, win, backend)


def test_the_about_dialog_is_chinese(chinese, qtbot, tmp_path):
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == f"关于 {APP_NAME}"
    assert english_left(dialog) == []
    assert "数据文件夹" in dialog.details_text()


def test_the_search_dialog_is_chinese(chinese, qtbot):
    dialog = SearchDialog()
    qtbot.addWidget(dialog)
    assert english_left(dialog) == []


def test_the_local_model_dialog_is_chinese(chinese, qtbot, qloop, history):
    win, backend = make_window(qtbot, history)
    try:

        async def no_servers(extra_urls=()) -> list:
            return []

        win.local_controller.service.detect = no_servers
        dialog = win.local_controller.open_dialog()
        assert english_left(dialog) == []
        dialog.close()
    finally:
        close_window(qloop, win, backend)


def test_the_settings_welcome_and_conversation_dialogs_are_chinese(chinese, qtbot, qloop):
    from app.core.providers import GenerationParams
    from app.core.secrets import MemoryStore, no_keyring_problem
    from app.core.settings import Settings
    from app.services.backend import Backend
    from app.services.settings import SettingsService
    from app.ui.conversation_settings import ConversationSettingsDialog
    from app.ui.settings_dialog import SettingsDialog
    from app.ui.welcome import WelcomeDialog

    settings = SettingsService(Settings())
    for store in (MemoryStore(available=True), MemoryStore(problem=no_keyring_problem())):
        store.set("zai", "zk-" + secrets.token_hex(12))
        backend = Backend(
            environ={"OPENROUTER_API_KEY": "sk-or-v1-" + secrets.token_hex(12)}, secrets=store
        )
        dialog = SettingsDialog(settings, backend, list(PROVIDERS.values()))
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.windowTitle() == "设置"
        for provider_id in PROVIDERS:  # each provider's key status reads differently
            dialog.select_provider(provider_id)
            assert english_left(dialog) == [], provider_id
        dialog.base_url_field.setText("ftp://x")
        dialog.base_url_field.textEdited.emit("ftp://x")
        assert "接口地址" in dialog.message.text() and english_left(dialog) == []
        welcome = WelcomeDialog(settings, backend)
        qtbot.addWidget(welcome)
        assert welcome.windowTitle() == "欢迎使用 GLM Desk"
        assert english_left(welcome) == []
        dialog.reject()
        welcome.reject()
    conversation = ConversationSettingsDialog({}, GenerationParams(), 16_384)
    qtbot.addWidget(conversation)
    assert english_left(conversation) == []


def test_a_standard_button_uses_qt_s_own_chinese(chinese):
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_a_chinese_input_method_writes_into_the_composer(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    composer.setFocus()
    assert composer.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert composer.inputMethodQuery(Qt.InputMethodQuery.ImEnabled)
    sent: list[str] = []
    composer.submitted.connect(sent.append)

    QApplication.sendEvent(composer, QInputMethodEvent("nihao", []))  # composing
    assert composer.composing
    QTest.keyClick(composer, Qt.Key.Key_Return)  # the input method's Enter: nothing sent
    assert sent == []

    commit = QInputMethodEvent("", [])
    commit.setCommitString("你好")
    QApplication.sendEvent(composer, commit)
    assert not composer.composing
    assert composer.toPlainText() == "你好"

    QTest.keyClick(composer, Qt.Key.Key_Return)  # now Enter sends
    assert sent == ["你好"]


def test_english_counts_read_as_english(qapp):
    from PySide6.QtCore import QCoreApplication

    assert install_translators(qapp, "en") == "en"
    one = QCoreApplication.translate("SearchDialog", "%n result(s)", None, 1)
    many = QCoreApplication.translate("SearchDialog", "%n result(s)", None, 3)
    assert (one, many) == ("1 result", "3 results")
    assert QCoreApplication.translate("MainWindow", "Ready") == "Ready"
