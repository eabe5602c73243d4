"""The first-run welcome: a pasted key is checked with a real request before it is stored;
a refused key is not stored; local mode and skip; shown once, and never when the command
line names a provider or a key is already there."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

from app.core.client import RetryPolicy
from app.core.secrets import MemoryStore, no_keyring_problem
from app.core.settings import Settings
from app.services.backend import Backend
from app.services.settings import SettingsService
from app.ui.welcome import WelcomeDialog
from tests.protocol_servers import ProtocolServer, Recorded, Reply
from tests.ui.conftest import close_window, settings_window, until

KEY = "zk-" + secrets.token_hex(12)  # made up at run time
WRONG_KEY = "zk-" + secrets.token_hex(12)
OPENROUTER_KEY = "sk-or-v1-" + secrets.token_hex(12)


@pytest.fixture
def zai() -> Iterator[ProtocolServer]:
    server = ProtocolServer("zai")

    def reply_for(req: Recorded) -> Reply | None:
        if req.headers.get("authorization") != f"Bearer {KEY}":
            return Reply(status=401, body={"error": {"code": "1002", "message": "Invalid token"}})
        return None

    server.reply_for = reply_for
    with server:
        yield server


def make(qtbot, history, settings: SettingsService, store=None, environ=None):
    backend = Backend(
        environ=environ or {},
        secrets=store if store is not None else MemoryStore(available=True),
        retry=RetryPolicy(attempts=1),
    )
    window = settings_window(qtbot, history, backend, settings)
    return window, backend


def child(dialog, kind, name):
    found = dialog.findChild(kind, name)
    assert found is not None, name
    return found


def test_a_checked_key_is_stored_and_chosen(qtbot, qloop, history, zai):
    settings = SettingsService(Settings())
    settings.apply({"providers.zai.base_url": zai.base_url})
    store = MemoryStore(available=True)
    window, backend = make(qtbot, history, settings, store)
    try:
        dialog = window.settings_controller.maybe_welcome(skip=False)
        assert isinstance(dialog, WelcomeDialog) and dialog.objectName() == "welcomeDialog"
        assert child(dialog, QAbstractButton, "welcomeZai").isChecked()
        assert "z.ai" in child(dialog, QLabel, "welcomeKeyLink").text()
        assert "keyring" in child(dialog, QLabel, "welcomeKeyringNotice").text()
        result = child(dialog, QLabel, "welcomeResult")
        field = child(dialog, QLineEdit, "welcomeKeyField")
        assert field.echoMode() == QLineEdit.EchoMode.Password
        go = child(dialog, QAbstractButton, "welcomeContinueButton")
        go.click()
        qloop.run_until_complete(until(lambda: result.text()))
        assert "Paste your Z.AI API key first" in result.text() and not zai.requests

        # A refused key: said so, not stored, no "save anyway".
        QTest.keyClicks(field, WRONG_KEY)
        go.click()
        qloop.run_until_complete(until(lambda: "rejected" in result.text(), 10))
        assert "Invalid token" in result.text() and dialog.isVisible()
        assert store.get("zai") is None
        assert not child(dialog, QAbstractButton, "welcomeSaveAnywayButton").isVisible()

        # The right key: checked with one token, stored, chosen, and the welcome is done.
        field.clear()
        QTest.keyClicks(field, KEY)
        finished: list[int] = []
        dialog.finished.connect(finished.append)
        QTest.keyClick(field, Qt.Key.Key_Return)
        qloop.run_until_complete(until(lambda: finished, 10))
        assert zai.requests[-1].body["max_tokens"] == 1
        assert store.get("zai") == KEY
        assert settings.get("general.welcome_done") is True
        assert settings.get("general.provider") == "zai"
        assert window.providers.current.id == "zai"
        assert "No API key" not in window.composer.placeholderText()
        assert window.settings_controller.maybe_welcome(skip=False) is None  # once
    finally:
        close_window(qloop, window, backend)


def test_an_unchecked_key_can_be_saved_when_the_server_cannot_be_reached(qtbot, qloop, history):
    settings = SettingsService(Settings())
    settings.apply({"providers.openrouter.base_url": "http://127.0.0.1:9/api/v1"})  # nothing
    store = MemoryStore(available=True)
    window, backend = make(qtbot, history, settings, store)
    try:
        dialog = window.settings_controller.maybe_welcome(skip=False)
        child(dialog, QAbstractButton, "welcomeOpenRouter").click()
        assert "openrouter.ai" in child(dialog, QLabel, "welcomeKeyLink").text()
        QTest.keyClicks(child(dialog, QLineEdit, "welcomeKeyField"), OPENROUTER_KEY)
        child(dialog, QAbstractButton, "welcomeContinueButton").click()
        save_anyway = child(dialog, QAbstractButton, "welcomeSaveAnywayButton")
        qloop.run_until_complete(until(save_anyway.isVisible, 10))
        result = child(dialog, QLabel, "welcomeResult")
        assert "Nothing is answering" in result.text() and result.property("tone") == "error"
        assert store.get("openrouter") is None
        finished: list[int] = []
        dialog.finished.connect(finished.append)
        save_anyway.click()
        qloop.run_until_complete(until(lambda: finished))
        assert store.get("openrouter") == OPENROUTER_KEY
        assert window.providers.current.id == "openrouter"
    finally:
        close_window(qloop, window, backend)


def test_local_mode_and_skip(qtbot, qloop, history, monkeypatch):
    settings = SettingsService(Settings())
    window, backend = make(qtbot, history, settings)
    opened: list[bool] = []
    monkeypatch.setattr(window.local_controller, "open_dialog", lambda: opened.append(True))
    try:
        dialog = window.settings_controller.maybe_welcome(skip=False)
        choices: list[str] = []
        dialog.finished.connect(lambda _r: choices.append(dialog.choice()))
        child(dialog, QAbstractButton, "welcomeLocalButton").click()
        assert choices == ["local"] and opened == [True]
        assert window.providers.current.id == "local"
        assert settings.get("general.welcome_done") is True
    finally:
        close_window(qloop, window, backend)

    settings = SettingsService(Settings())
    window, backend = make(qtbot, history, settings)
    try:
        dialog = window.settings_controller.maybe_welcome(skip=False)
        finished: list[int] = []
        dialog.finished.connect(lambda _r: finished.append(dialog.choice()))
        QTest.keyClick(dialog, Qt.Key.Key_Escape)  # closing it is skipping it
        assert finished == ["skip"]
        assert settings.get("general.welcome_done") is True
        # With no key, the composer says what to do instead of failing on send.
        window.providers.select("zai")
        assert "Settings (Ctrl+,)" in window.composer.placeholderText()
        QTest.keyClicks(window.composer, "hello")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        assert window.composer.toPlainText() == "hello"  # kept
        assert "needs an API key" in window.status_label.text()
    finally:
        close_window(qloop, window, backend)


def test_not_shown_when_a_provider_is_named_or_a_key_is_there(qtbot, qloop, history):
    settings = SettingsService(Settings())
    window, backend = make(qtbot, history, settings)
    try:
        assert (
            window.settings_controller.maybe_welcome(skip=True) is None
        )  # --provider on the command line
        assert settings.get("general.welcome_done") is False
    finally:
        close_window(qloop, window, backend)
    window, backend = make(qtbot, history, settings, environ={"ZAI_API_KEY": KEY})
    try:
        assert window.settings_controller.maybe_welcome(skip=False) is None
    finally:
        close_window(qloop, window, backend)


def test_without_a_keyring_the_welcome_says_so(qtbot, qloop, history):
    settings = SettingsService(Settings())
    window, backend = make(qtbot, history, settings, MemoryStore(problem=no_keyring_problem()))
    try:
        dialog = window.settings_controller.maybe_welcome(skip=False)
        notice = child(dialog, QLabel, "welcomeKeyringNotice")
        assert "session only" in notice.text() and notice.property("tone") == "warning"
        child(dialog, QAbstractButton, "welcomeSkipButton").click()
    finally:
        close_window(qloop, window, backend)
