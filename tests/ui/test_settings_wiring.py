"""The main window follows the settings: which providers, their URLs and models, what each
request sends (provider settings, then the conversation's), the network options, problems
with the file, and window geometry kept apart from the preferences."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.core.client import RetryPolicy
from app.core.providers import PROVIDERS
from app.core.secrets import MemoryStore
from app.core.settings import SETTINGS_FILE, Settings
from app.services.backend import Backend
from app.services.providers import configured_providers
from app.services.settings import SettingsService
from app.ui.main_window import MainWindow
from app.ui.settings_controller import WINDOW_STATE_FILE
from tests.ui.conftest import wait_idle


def cli_providers() -> list:
    return [p for p in PROVIDERS.values() if p.base_url]


def service(**values) -> SettingsService:
    s = SettingsService(Settings())
    s.apply(values)
    return s


def test_providers_offered_follow_the_settings():
    ids = [p.id for p in configured_providers(service(), cli_providers())]
    assert ids == ["zai", "bigmodel", "openrouter", "openrouter-free", "local"]
    s = service(**{"providers.bigmodel.enabled": False, "providers.zai.model": "glm-4-x"})
    s.apply({"providers.custom.base_url": "http://10.0.0.5:9000/v1"})
    offered = {p.id: p for p in configured_providers(s, cli_providers())}
    assert "bigmodel" not in offered and offered["zai"].model == "glm-4-x"
    assert offered["custom"].base_url == "http://10.0.0.5:9000/v1"
    # The command line's choice is offered even when disabled, and its overrides win.
    s.apply({"providers.zai.enabled": False})
    cli = [
        p.with_overrides(base_url="http://127.0.0.1:1/v1") if p.id == "zai" else p
        for p in cli_providers()
    ]
    offered = {p.id: p for p in configured_providers(s, cli, chosen="zai")}
    assert offered["zai"].base_url == "http://127.0.0.1:1/v1"
    assert offered["zai"].model == "glm-4-x"  # from the settings: not overridden


def make(qtbot, history, server, settings: SettingsService, **kw) -> MainWindow:
    backend = Backend(
        environ={"OPENROUTER_API_KEY": "test-key"},
        retry=RetryPolicy(attempts=1),
        secrets=MemoryStore(available=True),
    )
    settings.apply({"providers.openrouter.base_url": server.base_url})
    win = MainWindow(
        backend, history, cli_providers(), initial_provider="openrouter", settings=settings, **kw
    )
    qtbot.addWidget(win)
    win.show()
    return win


def send(win: MainWindow, qloop, text: str) -> None:
    QTest.keyClicks(win.composer, text)
    QTest.keyClick(win.composer, Qt.Key.Key_Return)
    wait_idle(qloop, win.current_tab().session)


def test_requests_send_the_provider_settings_then_the_conversations(qtbot, qloop, server, history):
    settings = service(
        **{
            "providers.openrouter.temperature": 0.2,
            "providers.openrouter.max_tokens": 1000,
            "providers.openrouter.system_prompt": "Answer briefly.",
        }
    )
    win = make(qtbot, history, server, settings)
    try:
        send(win, qloop, "one")
        body = server.requests[-1].body
        assert body["temperature"] == 0.2 and body["max_tokens"] == 1000
        assert body["messages"][0] == {"role": "system", "content": "Answer briefly."}
        assert body["messages"][1]["content"] == "one"
        # The conversation's own settings win; the system prompt is never shown or stored.
        win.current_tab().session.conversation.params = {"temperature": 0.9, "system_prompt": ""}
        send(win, qloop, "two")
        body = server.requests[-1].body
        assert body["temperature"] == 0.9 and body["max_tokens"] == 1000
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
        assert all(m.role != "system" for m in win.current_tab().session.conversation.messages)
    finally:
        win.close()
        qloop.run_until_complete(win.wait_stopped())
        qloop.run_until_complete(win.backend.aclose())


def test_network_settings_reach_the_clients(qtbot, qloop, server, history):
    settings = service()
    win = make(qtbot, history, server, settings)
    try:
        settings.apply({"network.timeout": 33.0, "network.proxy": "http://proxy.invalid:3128"})
        pool = win.backend.pool
        assert pool.timeout.read == 33.0 and pool.proxy == "http://proxy.invalid:3128"
        send(win, qloop, "hi")  # loopback: never through the proxy (which does not exist)
        assert win.current_tab().session.conversation.messages[-1].content == "You said: hi"
    finally:
        win.close()
        qloop.run_until_complete(win.wait_stopped())
        qloop.run_until_complete(win.backend.aclose())


def test_the_chosen_provider_is_remembered_and_problems_are_shown(qtbot, qloop, server, history):
    profile = Path(os.environ["GLM_DESK_PROFILE"])
    profile.mkdir(parents=True, exist_ok=True)
    (profile / SETTINGS_FILE).write_text(
        json.dumps({"appearance.theme": "purple", "providers.zai.top_p": 0.5}), "utf-8"
    )
    settings = SettingsService(Settings.in_profile(profile))
    backend = Backend(environ={}, secrets=MemoryStore(available=True))
    win = MainWindow(backend, history, cli_providers(), settings=settings)
    qtbot.addWidget(win)
    try:
        settings.announce()
        shown = win.statusBar().currentMessage()
        assert "appearance.theme" in shown and "back to their defaults" in shown
        assert settings.get("providers.zai.top_p") == 0.5  # the good key is kept
        win.provider_selector.setCurrentIndex(win.provider_selector.findData("openrouter"))
        qloop.run_until_complete(settings.flush())
        data = json.loads((profile / SETTINGS_FILE).read_text("utf-8"))
        assert data["general.provider"] == "openrouter"
        assert data["providers.zai.top_p"] == 0.5
        again = MainWindow(backend, history, cli_providers(), settings=settings)
        qtbot.addWidget(again)
        assert again.providers.current.id == "openrouter"
        again.close()
    finally:
        win.close()
        qloop.run_until_complete(win.wait_stopped())
        settings.close()  # its writer thread, as the app does at quit


def test_window_geometry_is_kept_apart_from_the_settings(qtbot, qloop, server, history):
    settings = service()
    win = make(qtbot, history, server, settings)
    win.resize(700, 500)
    size = (win.width(), win.height())
    assert size != (1200, 780)  # not the default
    win.close()
    qloop.run_until_complete(win.wait_stopped())
    state = history.path.parent / WINDOW_STATE_FILE
    assert state.exists()
    assert "geometry" in state.read_text("utf-8")
    again = make(qtbot, history, server, service())
    again.settings_controller.restore_window_state()
    assert (again.width(), again.height()) == size
    again.close()
    qloop.run_until_complete(again.wait_stopped())
    assert not (history.path.parent / SETTINGS_FILE).exists()  # geometry is not a setting


def test_stored_keys_arriving_late_pick_a_provider_that_has_one(qtbot, qloop, history):
    store = MemoryStore(available=True)
    backend = Backend(environ={}, secrets=store)
    settings = service()
    win = MainWindow(backend, history, cli_providers(), settings=settings)
    qtbot.addWidget(win)
    assert win.providers.current.id == "local"  # no key anywhere yet
    store.set("openrouter", "sk-or-late-key-123456")
    win.settings_controller.keys_loaded()
    assert win.providers.current.id == "openrouter"
    assert settings.get("general.provider") == ""  # not a choice the user made
    assert "No API key" not in win.composer.placeholderText()
    win.close()
    qloop.run_until_complete(win.wait_stopped())


def test_a_message_sent_while_the_keys_are_read_goes_once_they_are_in(
    qtbot, qloop, server, history
):
    store = MemoryStore(available=True)
    backend = Backend(environ={}, secrets=store, retry=RetryPolicy(attempts=1))
    settings = service(**{"providers.openrouter.base_url": server.base_url})
    win = MainWindow(
        backend, history, cli_providers(), initial_provider="openrouter", settings=settings
    )
    qtbot.addWidget(win)
    win.settings_controller.keys_ready = False  # as main() does until the keyring has answered
    try:
        QTest.keyClicks(win.composer, "early")
        QTest.keyClick(win.composer, Qt.Key.Key_Return)
        assert win.composer.toPlainText() == "early" and server.requests == []
        assert "Reading your API keys" in win.status_label.text()
        store.set("openrouter", "sk-or-stored-key-123456")
        win.settings_controller.keys_loaded()
        wait_idle(qloop, win.current_tab().session)
        assert win.current_tab().session.conversation.messages[-1].content == "You said: early"
        assert server.requests[-1].headers["authorization"] == "Bearer sk-or-stored-key-123456"
        assert win.composer.toPlainText() == ""
    finally:
        win.close()
        qloop.run_until_complete(win.wait_stopped())
        qloop.run_until_complete(backend.aclose())
