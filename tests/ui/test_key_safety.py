"""API keys leave no trace: after a whole session that used a key (saved in Settings, sent,
echoed back by a server in an error, tested, exported, settings saved, logged at debug
level) no file under the profile, no log line, no export and no message on screen holds the
key or any 8-character piece of it; and the key is never on a command line."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QLabel, QLineEdit, QWidget

from app.core import redact
from app.core.client import RetryPolicy
from app.core.profile import setup_logging
from app.core.secrets import MemoryStore
from app.core.settings import Settings
from app.services.backend import Backend
from app.services.history import HistoryService
from app.services.settings import SettingsService
from tests.app_process import ROOT
from tests.protocol_servers import ProtocolServer, Recorded, Reply
from tests.ui.conftest import close_window, settings_window, until, wait_idle

KEY = "zk-" + secrets.token_hex(20)


def fragments(key: str = KEY) -> list[str]:
    return [key[i : i + 8] for i in range(len(key) - 7)]


def leaks(text: str) -> list[str]:
    return [f for f in fragments() if f in text]


def file_leaks(root: Path) -> dict[str, list[str]]:
    found = {}
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits = [f for f in fragments() if f.encode() in data]
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


def visible_texts(widget: QWidget) -> str:
    texts = []
    for w in [widget, *widget.findChildren(QWidget)]:
        if isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QLineEdit) and w.echoMode() == QLineEdit.EchoMode.Normal:
            texts.append(w.text())
        texts.append(w.toolTip())
        texts.append(w.accessibleName())
    return "\n".join(texts)


@pytest.fixture
def debug_log(tmp_path) -> Iterator[Path]:
    profile = Path(os.environ["GLM_DESK_PROFILE"])
    log_file = setup_logging(profile, logging.DEBUG)
    yield log_file
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if getattr(handler, "baseFilename", "") == str(log_file):
            handler.close()
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    redact.forget_all()


def checking_server() -> ProtocolServer:
    """OpenRouter's protocol; a wrong key gets a 401 that echoes it back, as some servers
    do ("Incorrect API key provided: …")."""
    server = ProtocolServer("openrouter")

    def reply_for(req: Recorded) -> Reply | None:
        auth = req.headers.get("authorization", "")
        if auth != f"Bearer {KEY}":
            return Reply(
                status=401,
                body={"error": {"message": f"Incorrect API key provided: {auth[7:]}", "code": 401}},
            )
        return None

    server.reply_for = reply_for
    return server


def test_a_whole_session_with_a_key_leaves_no_trace(qtbot, qloop, debug_log, caplog):
    caplog.set_level(logging.DEBUG)
    profile = Path(os.environ["GLM_DESK_PROFILE"])
    server = checking_server().start()
    settings = SettingsService(Settings.in_profile(profile))
    settings.apply({"providers.openrouter.base_url": server.base_url})
    store = MemoryStore(available=True)
    backend = Backend(environ={}, secrets=store, retry=RetryPolicy(attempts=1))
    history = HistoryService(profile / "history.db")
    window = settings_window(qtbot, history, backend, settings, "openrouter")
    try:
        # 1. The key is typed into Settings and saved: to the store, nowhere else.
        dialog = window.settings_controller.open_settings()
        dialog.select_provider("openrouter")
        key_field = dialog.findChild(QLineEdit, "apiKeyField")
        QTest.keyClicks(key_field, KEY)
        assert key_field.echoMode() == QLineEdit.EchoMode.Password
        # 2. Test connection with it: the server accepts it.
        dialog.findChild(QAbstractButton, "testConnectionButton").click()
        result = dialog.findChild(QLabel, "testResult")
        qloop.run_until_complete(until(lambda: "Connected" in result.text(), 10))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        qloop.run_until_complete(until(lambda: store.cached("openrouter") == KEY))
        window.settings_controller.show_readiness()

        # 3. Send: the answer streams with the stored key.
        QTest.keyClicks(window.composer, "hello")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        session = window.current_tab().session
        wait_idle(qloop, session)
        assert session.conversation.messages[-1].content == "You said: hello"
        assert server.requests[-1].headers["authorization"] == f"Bearer {KEY}"

        # 4. An error whose body echoes the key.
        server.push(
            Reply(
                status=401,
                body={"error": {"message": f"Incorrect API key provided: {KEY}", "code": 401}},
            )
        )
        QTest.keyClicks(window.composer, "again")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        wait_idle(qloop, session)
        error = session.conversation.messages[-1].error
        assert error is not None and "Incorrect API key provided" in error.detail
        shown = window.current_view().toPlainText()
        assert "key" in shown.lower()  # the error is shown, without the key
        assert leaks(shown) == [] and leaks(error.user_text()) == [] and leaks(error.detail) == []
        assert leaks(window.status_label.text()) == []

        # 5. Test connection once more, against the echoing error.
        dialog = window.settings_controller.open_settings()
        dialog.select_provider("openrouter")
        server.push(Reply(status=401, body={"error": {"message": f"Bad key {KEY}", "code": 401}}))
        dialog.findChild(QAbstractButton, "testConnectionButton").click()
        result = dialog.findChild(QLabel, "testResult")
        qloop.run_until_complete(until(lambda: "Bad key" in result.text(), 10))
        assert leaks(visible_texts(dialog)) == []
        # 6. A settings change is saved (the key is never a setting).
        dialog.findChild(QWidget, "themeCombo").setCurrentIndex(2)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        qloop.run_until_complete(settings.flush())
        assert (profile / "settings.json").exists()

        # 7. Exports, both formats.
        exports = profile / "exports"
        exports.mkdir()
        for fmt in ("json", "md"):
            assert qloop.run_until_complete(
                window.history_controller.export_to(exports / f"all.{fmt}", None, fmt)
            )
        assert "You said: hello" in (exports / "all.md").read_text("utf-8")

        logging.getLogger("app.test").debug("end of session, key used: %s", KEY)
        assert leaks(visible_texts(window)) == []
    finally:
        close_window(qloop, window, backend)
        history.flush_and_close()
        settings.close()
        server.stop()

    log_text = debug_log.read_text("utf-8")
    assert "end of session, key used: …" in log_text  # the log was written, at debug level
    assert "DEBUG" in log_text
    assert leaks(log_text) == []
    assert file_leaks(profile) == {}
    assert sorted(p.name for p in profile.iterdir()) >= ["exports", "history.db", "logs"]


def test_the_key_is_on_no_command_line_and_in_no_file(tmp_path, make_server):
    """The real app, started with a key in the environment, at debug level."""
    server = make_server("openrouter")
    profile = tmp_path / "p"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GLM_DESK_API_KEY": KEY,
        "GLM_DESK_NO_KEYRING": "1",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "--profile",
            str(profile),
            "--provider",
            "custom",
            "--base-url",
            server.base_url,
            "--debug",
            "--no-crash-dialog",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (profile / "window.ini").exists() and not (profile / "history.db").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(1.0)
        cmdlines = [Path(f"/proc/{proc.pid}/cmdline").read_bytes()]
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        for child in children.read_text().split() if children.exists() else []:
            cmdlines.append(Path(f"/proc/{child}/cmdline").read_bytes())
        for cmdline in cmdlines:
            assert not [f for f in fragments() if f.encode() in cmdline]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert leaks(out) == [] and leaks(err) == []
    assert file_leaks(profile) == {}
    assert "DEBUG" in (profile / "logs" / "glm-desk.log").read_text("utf-8")


def test_without_a_keyring_the_app_works_with_a_session_key_and_says_so(
    qtbot, qloop, monkeypatch, history
):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # pick the backend again
    from app.core.secrets import open_secret_store

    store = open_secret_store()
    server = checking_server().start()
    settings = SettingsService(Settings())
    settings.apply({"providers.openrouter.base_url": server.base_url})
    backend = Backend(environ={}, secrets=store, retry=RetryPolicy(attempts=1))
    window = settings_window(qtbot, history, backend, settings, "openrouter")
    try:
        assert not qloop.run_until_complete(store.aprobe())
        assert "session only" in store.problem and "gnome-keyring" in store.problem
        notice = window.findChild(QLabel, "keyringNotice")
        assert notice.isHidden()  # no key held yet: nothing to warn about
        dialog = window.settings_controller.open_settings()
        assert "session only" in visible_texts(dialog)
        dialog.select_provider("openrouter")
        QTest.keyClicks(dialog.findChild(QLineEdit, "apiKeyField"), KEY)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        qloop.run_until_complete(until(lambda: store.cached("openrouter") == KEY))
        window.settings_controller.show_readiness()
        assert notice.isVisible() and "session only" in notice.text()
        assert "gnome-keyring" in notice.toolTip()
        QTest.keyClicks(window.composer, "hello")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        session = window.current_tab().session
        wait_idle(qloop, session)
        assert session.conversation.messages[-1].content == "You said: hello"
    finally:
        close_window(qloop, window, backend)
        server.stop()
        redact.forget_all()
    assert file_leaks(Path(os.environ["GLM_DESK_PROFILE"]).parent) == {}
