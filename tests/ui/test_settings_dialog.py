"""The Settings dialog: its pages and public names, values checked as typed and saved on OK,
per-provider values, keys to the store (never shown back), Test connection in words, the
no-keyring notice; and Edit → Conversation settings."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
)

from app.core.client import RetryPolicy
from app.core.providers import PROVIDERS, GenerationParams
from app.core.secrets import MemoryStore, no_keyring_problem
from app.core.settings import SETTINGS_FILE, Settings
from app.services.backend import Backend
from app.services.settings import SettingsService
from app.ui.conversation_settings import ConversationSettingsDialog
from app.ui.settings_dialog import SettingsDialog
from tests.protocol_servers import ProtocolServer, Recorded, Reply
from tests.ui.conftest import close_window, settings_window, until, wait_idle

KEY = "zk-" + secrets.token_hex(12)  # made up at run time
OLD_KEY = "zk-" + secrets.token_hex(12)
WRONG_KEY = "zk-" + secrets.token_hex(12)
OPENROUTER_KEY = "sk-or-v1-" + secrets.token_hex(12)
NAMES = {
    QListWidget: ["settingsPages"],
    QComboBox: [
        "providerChooser",
        "generationProvider",
        "themeCombo",
        "languageCombo",
        "runnerSandboxCombo",
    ],
    QLineEdit: ["baseUrlField", "modelField", "apiKeyField", "proxyField", "runnerPythonField"],
    QAbstractButton: [
        "providerEnabled",
        "showKeyButton",
        "removeKeyButton",
        "testConnectionButton",
        "resetGenerationButton",
        "runCodeDefaultCheck",
    ],
    QLabel: ["keyStatus", "testResult", "keyringNotice", "settingsMessage"],
    QDoubleSpinBox: ["temperatureField", "topPField"],
    QSpinBox: [
        "maxTokensField",
        "timeoutField",
        "fontSizeField",
        "runnerTimeoutField",
        "runnerMemoryField",
        "runnerProcessesField",
    ],
    QPlainTextEdit: ["systemPromptField"],
}


@pytest.fixture
def settings(tmp_path) -> Iterator[SettingsService]:
    service = SettingsService(Settings(tmp_path / SETTINGS_FILE))
    yield service
    service.close()


def make_dialog(qtbot, settings, store=None, environ=None, server=None) -> SettingsDialog:
    if server is not None:
        settings.apply({"providers.zai.base_url": server.base_url})
    backend = Backend(
        environ=environ or {},
        secrets=store if store is not None else MemoryStore(available=True),
        retry=RetryPolicy(attempts=1),
    )
    dialog = SettingsDialog(settings, backend, list(PROVIDERS.values()))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def child(dialog, kind, name):
    found = dialog.findChild(kind, name)
    assert found is not None, name
    return found


def ok(dialog) -> QAbstractButton:
    return child(dialog, QDialogButtonBox, None).button(QDialogButtonBox.StandardButton.Ok)


def apply_button(dialog) -> QAbstractButton:
    return child(dialog, QDialogButtonBox, None).button(QDialogButtonBox.StandardButton.Apply)


def type_into(field: QLineEdit, text: str) -> None:
    field.selectAll()
    if text:
        QTest.keyClicks(field, text)
    else:
        QTest.keyClick(field, Qt.Key.Key_Delete)


def test_pages_and_public_names(qtbot, qloop, settings):
    dialog = make_dialog(qtbot, settings)
    assert dialog.objectName() == "settingsDialog"
    for kind, names in NAMES.items():
        for name in names:
            child(dialog, kind, name)
    pages = child(dialog, QListWidget, "settingsPages")
    titles = [pages.item(i).text() for i in range(pages.count())]
    assert titles == [
        "Providers",
        "Generation",
        "Network",
        "Appearance",
        "Language",
        "Tools",
        "Runner",
    ]
    theme = child(dialog, QComboBox, "themeCombo")
    assert [theme.itemData(i) for i in range(theme.count())] == ["system", "light", "dark"]
    language = child(dialog, QComboBox, "languageCombo")
    assert [language.itemText(i) for i in range(1, 3)] == ["English", "简体中文"]
    chooser = child(dialog, QComboBox, "providerChooser")
    assert chooser.findData("openrouter-free") >= 0 and chooser.findData("custom") >= 0
    # The key field hides what is typed, and is empty: a stored key is never shown back.
    assert child(dialog, QLineEdit, "apiKeyField").echoMode() == QLineEdit.EchoMode.Password


def test_values_are_saved_on_ok_and_apply(qtbot, qloop, settings, restore_theme):
    dialog = make_dialog(qtbot, settings)
    changed: list[list[str]] = []
    settings.changed.connect(changed.append)
    type_into(child(dialog, QLineEdit, "modelField"), "glm-4-custom")
    child(dialog, QDoubleSpinBox, "temperatureField").setValue(0.3)
    child(dialog, QSpinBox, "maxTokensField").setValue(4096)
    child(dialog, QPlainTextEdit, "systemPromptField").setPlainText("Answer briefly.")
    type_into(child(dialog, QLineEdit, "proxyField"), "http://proxy.example:3128")
    child(dialog, QSpinBox, "timeoutField").setValue(60)
    child(dialog, QComboBox, "languageCombo").setCurrentIndex(2)
    assert settings.get("providers.zai.temperature") == 0.75  # nothing before Apply
    apply_button(dialog).click()
    qloop.run_until_complete(until(lambda: changed))
    assert "Restart" in child(dialog, QLabel, "settingsMessage").text()
    assert dialog.isVisible()  # Apply keeps it open
    assert settings.get("providers.zai.model") == "glm-4-custom"
    assert settings.get("providers.zai.temperature") == 0.3
    assert settings.get("providers.zai.max_tokens") == 4096
    assert settings.get("providers.zai.system_prompt") == "Answer briefly."
    assert settings.get("network.proxy") == "http://proxy.example:3128"
    assert settings.get("network.timeout") == 60.0
    assert settings.get("language") == "zh_CN"
    # OK saves what changed since, and closes.
    child(dialog, QComboBox, "themeCombo").setCurrentIndex(2)
    child(dialog, QSpinBox, "fontSizeField").setValue(12)
    ok(dialog).click()
    qloop.run_until_complete(until(lambda: not dialog.isVisible()))
    assert changed[-1] == ["appearance.theme", "appearance.font_size"]
    qloop.run_until_complete(settings.flush())
    saved = json.loads(settings.settings.path.read_text("utf-8"))
    assert saved["appearance.theme"] == "dark" and saved["providers.zai.model"] == "glm-4-custom"
    assert "providers.zai.top_p" not in saved  # defaults are not written


def test_cancel_changes_nothing(qtbot, qloop, settings):
    dialog = make_dialog(qtbot, settings)
    child(dialog, QDoubleSpinBox, "temperatureField").setValue(1.5)
    type_into(child(dialog, QLineEdit, "apiKeyField"), KEY)
    child(dialog, QDialogButtonBox, None).button(QDialogButtonBox.StandardButton.Cancel).click()
    assert not dialog.isVisible()
    assert settings.get("providers.zai.temperature") == 0.75
    assert dialog._backend.secrets.cached("zai") is None


def test_wrong_values_disable_ok_and_say_which(qtbot, qloop, settings):
    dialog = make_dialog(qtbot, settings)
    message = child(dialog, QLabel, "settingsMessage")
    url = child(dialog, QLineEdit, "baseUrlField")
    type_into(url, "ftp://example.com")
    assert not ok(dialog).isEnabled() and not apply_button(dialog).isEnabled()
    assert "Z.AI, Base URL" in message.text() and "http://" in message.text()
    assert url.property("invalid") is True
    # Still listed while another provider is shown; fixed, the buttons come back.
    dialog.select_provider("openrouter")
    assert not ok(dialog).isEnabled() and "Z.AI" in message.text()
    dialog.select_provider("zai")
    type_into(url, "https://mirror.example/api/paas/v4")
    assert ok(dialog).isEnabled() and message.text() == ""
    proxy = child(dialog, QLineEdit, "proxyField")
    type_into(proxy, "socks5://127.0.0.1:1080")
    assert not ok(dialog).isEnabled() and "HTTP proxy" in message.text()
    type_into(proxy, "")
    type_into(child(dialog, QLineEdit, "modelField"), "glm 4")
    assert "no spaces" in message.text()
    type_into(child(dialog, QLineEdit, "modelField"), "")
    assert ok(dialog).isEnabled()
    ok(dialog).click()
    qloop.run_until_complete(until(lambda: not dialog.isVisible()))
    assert settings.get("providers.zai.base_url") == "https://mirror.example/api/paas/v4"


def test_each_provider_keeps_its_own_values(qtbot, qloop, settings):
    dialog = make_dialog(qtbot, settings)
    temperature = child(dialog, QDoubleSpinBox, "temperatureField")
    enabled = child(dialog, QAbstractButton, "providerEnabled")
    temperature.setValue(0.2)
    dialog.select_provider("openrouter")
    generation = child(dialog, QComboBox, "generationProvider")
    assert generation.currentData() == "openrouter"  # both pages show the same provider
    assert temperature.value() == 0.75
    temperature.setValue(1.1)
    enabled.setChecked(False)
    generation.setCurrentIndex(generation.findData("zai"))  # chosen on the other page
    assert child(dialog, QComboBox, "providerChooser").currentData() == "zai"
    assert temperature.value() == 0.2 and enabled.isChecked()
    assert child(dialog, QSpinBox, "maxTokensField").maximum() == PROVIDERS["zai"].max_output
    child(dialog, QAbstractButton, "resetGenerationButton").click()
    assert temperature.value() == 0.75
    temperature.setValue(0.4)
    ok(dialog).click()
    qloop.run_until_complete(until(lambda: not dialog.isVisible()))
    assert settings.get("providers.zai.temperature") == 0.4
    assert settings.get("providers.openrouter.temperature") == 1.1
    assert settings.get("providers.openrouter.enabled") is False


def test_keys_go_to_the_store_and_are_never_shown_back(qtbot, qloop, settings):
    store = MemoryStore(available=True)
    store.set("zai", OLD_KEY)
    dialog = make_dialog(qtbot, settings, store)
    field = child(dialog, QLineEdit, "apiKeyField")
    status = child(dialog, QLabel, "keyStatus")
    assert field.text() == "" and "stored in the keyring" in status.text()
    assert "z.ai" in status.text()  # where to get a key
    QTest.keyClicks(field, KEY)
    assert "when you press OK" in status.text()
    show = child(dialog, QAbstractButton, "showKeyButton")
    show.click()
    assert field.echoMode() == QLineEdit.EchoMode.Normal and show.text() == "Hide"
    show.click()
    assert field.echoMode() == QLineEdit.EchoMode.Password
    # OpenRouter's free model shares OpenRouter's key.
    dialog.select_provider("openrouter-free")
    assert field.text() == ""
    QTest.keyClicks(field, OPENROUTER_KEY)
    dialog.select_provider("zai")
    assert field.text() == KEY  # what was typed in this dialog, not a stored key
    apply_button(dialog).click()
    message = child(dialog, QLabel, "settingsMessage")
    qloop.run_until_complete(until(lambda: message.text() == "Saved."))  # both keys are in
    assert store.get("zai") == KEY
    assert store.get("openrouter") == OPENROUTER_KEY
    assert store.get("openrouter-free") is None
    assert field.text() == "" and "stored in the keyring" in status.text()
    # Remove: gone from the store on OK.
    child(dialog, QAbstractButton, "removeKeyButton").click()
    assert "removed when you press OK" in status.text()
    assert store.get("zai") == KEY
    ok(dialog).click()
    qloop.run_until_complete(until(lambda: not dialog.isVisible()))
    assert store.get("zai") is None
    assert not settings.settings.path.exists() or KEY not in settings.settings.path.read_text()


def test_a_key_from_the_environment_is_explained(qtbot, qloop, settings):
    dialog = make_dialog(qtbot, settings, environ={"ZAI_API_KEY": KEY})
    status = child(dialog, QLabel, "keyStatus").text()
    assert "ZAI_API_KEY" in status and "never stored" in status
    dialog.select_provider("local")
    assert not child(dialog, QLineEdit, "apiKeyField").isVisible()
    assert "nothing to enter" in child(dialog, QLabel, "keyStatus").text()


def key_checking(flavor: str) -> ProtocolServer:
    server = ProtocolServer(flavor)

    def reply_for(req: Recorded) -> Reply | None:
        if req.headers.get("authorization") != f"Bearer {KEY}":
            return Reply(status=401, body={"error": {"code": "1002", "message": "Invalid token"}})
        return None

    server.reply_for = reply_for
    return server


def test_test_connection_says_what_happened(qtbot, qloop, settings):
    with key_checking("zai") as server:
        dialog = make_dialog(qtbot, settings, server=server)
        button = child(dialog, QAbstractButton, "testConnectionButton")
        result = child(dialog, QLabel, "testResult")
        button.click()
        qloop.run_until_complete(until(lambda: "first" in result.text()))
        assert result.text() == "Enter an API key first." and not server.requests
        QTest.keyClicks(child(dialog, QLineEdit, "apiKeyField"), WRONG_KEY)
        button.click()
        qloop.run_until_complete(until(lambda: "rejected" in result.text(), 10))
        assert "Z.AI rejected the API key" in result.text()
        assert "Invalid token" in result.text()  # what the server said
        assert result.property("tone") == "error"
        child(dialog, QLineEdit, "apiKeyField").clear()
        QTest.keyClicks(child(dialog, QLineEdit, "apiKeyField"), KEY)
        button.click()
        qloop.run_until_complete(until(lambda: "Connected" in result.text(), 10))
        assert "glm-4-32b-0414-128k" in result.text() and result.property("tone") == "success"
        body = server.requests[-1].body
        assert body["max_tokens"] == 1 and body["model"] == "glm-4-32b-0414-128k"
        # The address and model typed (not yet saved) are what is tested.
        type_into(child(dialog, QLineEdit, "modelField"), "glm-4-other")
        button.click()
        qloop.run_until_complete(until(lambda: server.requests[-1].body["model"] != body["model"]))
        assert server.requests[-1].body["model"] == "glm-4-other"
        qloop.run_until_complete(until(lambda: button.isEnabled()))
        assert not dialog._backend.secrets.cached("zai")  # testing stores nothing


def test_a_slow_test_stops_when_the_dialog_closes(qtbot, qloop, settings):
    with ProtocolServer("zai") as server:
        server.push(Reply(chunks=["", "late"], delay=3.0))  # nothing for 3 s
        dialog = make_dialog(qtbot, settings, environ={"ZAI_API_KEY": KEY}, server=server)
        child(dialog, QAbstractButton, "testConnectionButton").click()
        result = child(dialog, QLabel, "testResult")
        qloop.run_until_complete(until(lambda: server.requests))
        assert "Testing Z.AI" in result.text()
        dialog.reject()
        # The request is given up at once (the server would answer only after 3 s).
        qloop.run_until_complete(until(lambda: not dialog.tasks, 1.5))
        assert "Connected" not in result.text()


def test_without_a_keyring_the_dialog_says_keys_last_this_session(qtbot, qloop, settings):
    store = MemoryStore(problem=no_keyring_problem())
    dialog = make_dialog(qtbot, settings, store)
    notice = child(dialog, QLabel, "keyringNotice")
    assert notice.isVisible() and "session only" in notice.text()
    assert "gnome-keyring" in notice.text()
    QTest.keyClicks(child(dialog, QLineEdit, "apiKeyField"), KEY)
    assert "for this session only" in child(dialog, QLabel, "keyStatus").text()
    ok(dialog).click()
    qloop.run_until_complete(until(lambda: store.get("zai") == KEY))


def test_conversation_settings_keep_only_what_differs():
    defaults = GenerationParams(temperature=0.75, top_p=0.9, system_prompt="Be brief.")
    dialog = ConversationSettingsDialog({"top_p": 0.5}, defaults, 16_384)
    assert dialog.objectName() == "conversationSettingsDialog"
    assert dialog.findChild(QDoubleSpinBox, "convTopPField").value() == 0.5
    assert dialog.findChild(QPlainTextEdit, "convSystemPromptField").toPlainText() == "Be brief."
    assert dialog.overrides() == {"top_p": 0.5}
    dialog.findChild(QDoubleSpinBox, "convTemperatureField").setValue(0.2)
    dialog.findChild(QSpinBox, "convMaxTokensField").setValue(99_999)  # clamped to the limit
    assert dialog.overrides() == {"top_p": 0.5, "temperature": 0.2, "max_tokens": 16_384}
    dialog.findChild(QAbstractButton, "convResetButton").click()
    assert dialog.overrides() == {}
    dialog.deleteLater()


def test_conversation_settings_reach_the_request(qtbot, qloop, history):
    with ProtocolServer("openrouter") as server:
        settings = SettingsService(Settings())
        settings.apply({"providers.openrouter.base_url": server.base_url})
        backend = Backend(environ={"OPENROUTER_API_KEY": KEY}, retry=RetryPolicy(attempts=1))
        window = settings_window(qtbot, history, backend, settings, "openrouter")
        try:
            dialog = window.settings_controller.open_conversation_settings()
            dialog.findChild(QDoubleSpinBox, "convTemperatureField").setValue(0.15)
            dialog.findChild(QPlainTextEdit, "convSystemPromptField").setPlainText("Be terse.")
            dialog.accept()
            session = window.current_tab().session
            assert session.conversation.params == {
                "temperature": 0.15,
                "system_prompt": "Be terse.",
            }
            assert "own settings" in window.status_label.text()
            QTest.keyClicks(window.composer, "hello")
            QTest.keyClick(window.composer, Qt.Key.Key_Return)
            wait_idle(qloop, session)
            body = server.requests[-1].body
            assert body["temperature"] == 0.15
            assert body["messages"][0] == {"role": "system", "content": "Be terse."}
        finally:
            close_window(qloop, window, backend)


def test_ctrl_comma_opens_the_settings(qtbot, qloop, history, tmp_path):
    settings = SettingsService(Settings())
    backend = Backend(environ={}, secrets=MemoryStore(available=True))
    window = settings_window(qtbot, history, backend, settings)
    qtbot.waitExposed(window)
    window.activateWindow()
    try:
        assert window.settings_controller.settings_action.shortcut().toString() == "Ctrl+,"
        window.settings_controller.settings_action.trigger()
        dialog = window.findChild(SettingsDialog)
        assert dialog is not None and dialog.isVisible()
        assert window.settings_controller.open_settings() is dialog  # one at a time
        dialog.reject()
    finally:
        close_window(qloop, window, backend)
    assert not Path(os.environ["GLM_DESK_PROFILE"], "nothing").exists()
