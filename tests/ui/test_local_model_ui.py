"""The local model in the window: the Local model dialog (a GGUF file's metadata, Start,
state, log, servers already running), the status indicator, Offline mode, and switching a
failed cloud answer to the local model. Servers are the protocol test servers, or a fake
llama-server program that runs one; the real llama-server is tested in tests/integration."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QListWidget, QPlainTextEdit, QProgressBar, QPushButton

from app.core.client import ClientPool, RetryPolicy
from app.core.conversation import AnswerState
from app.core.errors import ErrorKind
from app.core.localserver import GLM4_EOT, PID_FILE, ServerInfo, ServerState
from app.core.providers import PROVIDERS
from app.services.backend import Backend
from app.ui.chat_view import RETRY_URL, SWITCH_LOCAL_URL
from app.ui.local_controller import OFFLINE_ON
from app.ui.local_server_dialog import LocalServerDialog
from app.ui.main_window import MainWindow
from tests.llama import write_small_gguf
from tests.protocol_servers import ProtocolServer
from tests.ui.conftest import close_window, make_window, shut_down, until
from tests.ui.test_main_window import type_and_send

REPO = Path(__file__).resolve().parents[2]
CLOUD_URL = "http://openrouter.test/v1"  # not loopback: Offline mode refuses it
DOWN_URL = "http://down.test/v1"  # not loopback, and nothing answers


class ToServer(httpx.AsyncBaseTransport):
    """Delivers requests for openrouter.test to a protocol test server on loopback, and
    those for down.test to a port where nothing listens."""

    def __init__(self, server: ProtocolServer) -> None:
        self.server = server
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "openrouter.test":
            request.url = request.url.copy_with(host="127.0.0.1", port=self.server.port)
        elif request.url.host == "down.test":  # a cloud that cannot be reached
            request.url = request.url.copy_with(host="127.0.0.1", port=9)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def route_cloud(win: MainWindow, server: ProtocolServer) -> None:
    """Point OpenRouter at a name off this machine, delivered to the test server: what
    Offline mode keeps from leaving shows up there as a request."""
    win.backend.pool = ClientPool(transport_factory=lambda: ToServer(server))
    win.providers.use(PROVIDERS["openrouter"].with_overrides(base_url=CLOUD_URL))


def write_gguf(path: Path, context: int = 131_072, eot: int | None = None) -> Path:
    """A tiny GGUF of architecture glm4; without `eot` it looks like a pre-April-2025 file."""
    return write_small_gguf(path, name="GLM-4 tiny test", context=context, eot=eot, rows=16, cols=8)


def run(loop, predicate, timeout: float = 5.0) -> None:
    loop.run_until_complete(until(predicate, timeout))


def open_dialog(win: MainWindow) -> LocalServerDialog:
    win.local_controller.service.detect = (
        _no_servers  # the machine's own ports are not this test's business
    )
    return win.local_controller.open_dialog()


async def _no_servers(extra_urls=()) -> list:
    return []


def choose(dialog: LocalServerDialog, loop, path: Path) -> None:
    dialog._ask_model_path = lambda: path
    dialog.findChild(QPushButton, "localModelBrowse").click()
    run(loop, lambda: "Reading" not in dialog.info_label.text())


def drive(win: MainWindow, state: ServerState, detail: str = "") -> None:
    """What the core does on a state change: set it, then tell the service's listeners."""
    server = win.local_controller.service.server
    server.state, server.detail = state, detail
    win.local_controller.service.stateChanged.emit(str(state), detail)


@pytest.fixture
def llama() -> Iterator[ProtocolServer]:
    with ProtocolServer("llama") as s:
        yield s


@pytest.fixture
def local_window(qtbot, qloop, server, llama, history, monkeypatch) -> Iterator[MainWindow]:
    """The window fixture's, with OpenRouter off this machine (routed to `server`) and the
    local provider at a llama-flavoured test server (as `--provider local --base-url URL`)."""
    providers = [
        p.with_overrides(base_url=server.base_url)
        if p.id == "openrouter"
        else p.with_overrides(base_url=llama.base_url)
        if p.id == "local"
        else p
        for p in PROVIDERS.values()
        if p.base_url
    ]
    backend = Backend(
        environ={"OPENROUTER_API_KEY": "test-key"}, retry=RetryPolicy(attempts=2, base_delay=0.01)
    )
    win = MainWindow(backend, history, providers, initial_provider="openrouter")
    # pytest-qt closes and deletes its widgets before the fixtures' teardown: quit first.
    qtbot.addWidget(win, before_close_func=lambda w: shut_down(w, backend))
    win.show()
    qtbot.waitExposed(win)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,openrouter.test")
    route_cloud(win, server)
    yield win
    close_window(qloop, win, backend)


# --- the dialog ----------------------------------------------------------------------------


def test_ctrl_shift_l_opens_one_non_modal_dialog(window, qtbot):
    window.local_controller.service.detect = _no_servers
    QTest.keyClick(
        window,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.findChild(LocalServerDialog, "localServerDialog")
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert window.local_controller.open_dialog() is dialog  # one instance
    for name, cls in {
        "ggufInfo": QLabel,
        "localServerStart": QPushButton,
        "localServerStop": QPushButton,
        "localServerState": QLabel,
        "localServerLog": QPlainTextEdit,
        "detectedServers": QListWidget,
        "useDetectedServer": QPushButton,
        "localServerProgress": QProgressBar,
    }.items():
        widget = dialog.findChild(cls, name)
        assert widget is not None and widget.accessibleName(), name
    log = dialog.log
    assert log.isReadOnly() and log.maximumBlockCount() == 2000
    assert dialog.state_label.text() == "Stopped"
    assert not dialog.start_button.isEnabled()  # no model yet
    assert not dialog.stop_button.isEnabled()


def test_dialog_shows_the_gguf_metadata_and_warns_about_an_old_glm4_file(window, qloop, tmp_path):
    dialog = open_dialog(window)
    choose(dialog, qloop, write_gguf(tmp_path / "old.gguf"))
    shown = dialog.info_label.text()
    for text in ("glm4", "GLM-4 tiny test", "131,072 tokens", "F32", "Chat template"):
        assert text in shown
    assert dialog.context.value() == 32_768  # the file's context, capped
    assert dialog.old_warning.isVisible()
    assert "converted before April 2025" in dialog.old_warning.text()
    assert dialog.fix_eos.isVisible() and dialog.fix_eos.isChecked()
    assert dialog.fix_eos.objectName() == "fixGlm4Eos"
    assert dialog.options().fix_glm4_eos
    dialog.fix_eos.setChecked(False)
    assert not dialog.options().fix_glm4_eos
    assert dialog.start_button.isEnabled()


def test_a_current_glm4_file_needs_no_fix(window, qloop, tmp_path):
    dialog = open_dialog(window)
    choose(dialog, qloop, write_gguf(tmp_path / "new.gguf", context=4096, eot=GLM4_EOT))
    assert "4,096 tokens" in dialog.info_label.text()
    assert dialog.context.value() == 4096
    assert not dialog.old_warning.isVisible() and not dialog.fix_eos.isVisible()
    options = dialog.options()
    assert not options.fix_glm4_eos and options.api_key is None and options.threads is None
    assert options.port == 8080 and options.gpu_layers == 0


def test_a_file_that_is_not_gguf_is_refused_in_red(window, qloop, tmp_path):
    dialog = open_dialog(window)
    notes = tmp_path / "notes.gguf"
    notes.write_text("just some text\n")
    choose(dialog, qloop, notes)
    assert "notes.gguf is not a GGUF model file." in dialog.info_label.text()
    assert dialog.info_label.property("tone") == "error"
    assert not dialog.start_button.isEnabled()


def test_start_without_llama_server_says_it_was_not_found(window, qloop, tmp_path):
    dialog = open_dialog(window)
    choose(dialog, qloop, write_gguf(tmp_path / "m.gguf"))
    dialog.binary.setText(str(tmp_path / "nowhere" / "llama-server"))
    dialog.start_button.click()
    run(qloop, lambda: dialog.message.isVisible())
    assert "llama-server was not found" in dialog.message.text()
    assert "Install llama.cpp" in dialog.message.text()
    assert dialog.message.property("tone") == "error"
    run(qloop, lambda: dialog.start_button.isEnabled())  # restored once the attempt ended
    assert window.local_controller.service.configured_binary == str(
        tmp_path / "nowhere" / "llama-server"
    )
    assert not window.local_controller.status_button.isVisible()


def test_a_generated_key_is_used_for_the_session(window, qloop, tmp_path):
    dialog = open_dialog(window)
    choose(dialog, qloop, write_gguf(tmp_path / "m.gguf"))
    dialog.use_key.setChecked(True)
    key = dialog.options().api_key
    assert key and len(key) >= 24 and dialog.options().api_key == key  # one per session
    window.local_controller.service.server.api_key = key
    window.local_controller.service.server.base_url = "http://127.0.0.1:8099/v1"
    drive(window, ServerState.READY, window.local_controller.service.server.base_url)
    assert window.backend.api_key(window.providers.current) == key
    drive(window, ServerState.STOPPED)
    assert window.backend.api_key(window.providers.provider("local")) is None


# --- state: the dialog's line, its progress bar and the status-bar indicator --------------


def test_state_changes_drive_the_state_line_progress_and_indicator(window):
    dialog = open_dialog(window)
    indicator = window.local_controller.status_button
    assert not indicator.isVisible()

    drive(window, ServerState.STARTING, "port 8093")
    assert dialog.state_label.text() == "Starting…"
    assert dialog.progress.isVisible() and dialog.progress.maximum() == 0  # indeterminate
    assert indicator.isVisible() and indicator.text() == "Local: starting…"
    assert dialog.stop_button.isEnabled() and not dialog.start_button.isEnabled()

    drive(window, ServerState.LOADING, "loading the model")
    assert dialog.state_label.text() == "Loading the model…"
    assert dialog.progress.isVisible() and indicator.text() == "Local: loading…"

    server = window.local_controller.service.server
    server.base_url = "http://127.0.0.1:8093/v1"
    server.info = ServerInfo(n_ctx=8192, build="b4567-abc")
    drive(window, ServerState.READY, server.base_url)
    assert dialog.state_label.text().startswith(
        "Ready at http://127.0.0.1:8093 · context 8,192 tokens · build b4567-abc"
    )
    assert not dialog.progress.isVisible()
    assert indicator.text() == "Local: ready"
    local = window.providers.current  # the local provider, pointed at the server
    assert local.id == "local" and local.base_url == server.base_url
    assert local.context_window == 8192

    drive(window, ServerState.CRASHED, "exit status 134\nllama_model_load: error: bad file")
    assert dialog.state_label.text() == "Crashed (exit status 134)"
    assert dialog.message.isVisible() and "error: bad file" in dialog.message.text()
    assert indicator.text() == "Local: crashed" and not dialog.progress.isVisible()
    assert dialog.start_button.isEnabled() is False  # no model chosen in this test
    assert window.providers.provider("local").base_url == PROVIDERS["local"].base_url  # back

    drive(window, ServerState.STOPPED)
    assert dialog.state_label.text() == "Stopped" and not indicator.isVisible()


def test_clicking_the_indicator_opens_the_dialog(window):
    window.local_controller.service.detect = _no_servers
    drive(window, ServerState.LOADING, "loading the model")
    window.local_controller.status_button.click()
    assert window.local_controller.dialog is not None and window.local_controller.dialog.isVisible()


def test_log_lines_reach_the_log_viewer(window):
    dialog = open_dialog(window)
    for i in range(3):
        window.local_controller.service.logLine.emit(f"line {i}")
    assert dialog.log.toPlainText() == "line 0\nline 1\nline 2"


# --- Offline mode and switching to the local model ------------------------------------------


def test_offline_mode_sends_nothing_to_the_cloud(window, server, qloop, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,openrouter.test")
    route_cloud(window, server)
    window.local_controller.offline_toggle.click()
    assert window.backend.offline and window.local_controller.offline_action.isChecked()
    assert window.local_controller.offline_toggle.text() == OFFLINE_ON
    items = {
        window.provider_selector.itemData(i): window.provider_selector.itemText(i)
        for i in range(window.provider_selector.count())
    }
    assert items["openrouter"].endswith("(offline)") and items["zai"].endswith("(offline)")
    assert not items["local"].endswith("(offline)")

    type_and_send(window, "hello")
    session = window.current_tab().session
    run(qloop, lambda: not session.busy)
    answer = session.conversation.messages[-1]
    assert answer.error is not None and answer.error.kind == ErrorKind.OFFLINE
    assert server.requests == []  # nothing left this machine
    view = window.current_view()
    shown = view.toPlainText()
    assert "Offline mode is on" in shown and "Switch to the local model" in shown
    assert SWITCH_LOCAL_URL in view.toHtml()

    window.local_controller.offline_action.trigger()  # the menu's action turns it off again
    assert not window.backend.offline and not window.local_controller.offline_toggle.isChecked()
    assert not window.provider_selector.itemText(0).endswith("(offline)")
    view.anchorClicked.emit(QUrl(RETRY_URL))
    run(qloop, lambda: session.conversation.messages[-1].state == AnswerState.DONE)
    assert len(server.requests) == 1  # online, the same request does reach it


def test_switch_to_local_link_switches_provider_and_retries(local_window, llama, server, qloop):
    win = local_window
    win.local_controller.set_offline(True)
    type_and_send(win, "hi there")
    session = win.current_tab().session
    run(qloop, lambda: not session.busy)
    assert session.conversation.messages[-1].error.kind == ErrorKind.OFFLINE

    win.current_view().anchorClicked.emit(QUrl(SWITCH_LOCAL_URL))
    run(qloop, lambda: session.conversation.messages[-1].state == AnswerState.DONE)
    answer = session.conversation.messages[-1]
    assert answer.content == "You said: hi there"
    assert answer.provider_id == "local"
    assert win.providers.current.id == "local"
    chats = [r for r in llama.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 1 and server.requests == []
    assert len(session.conversation.siblings(answer)) == 2  # the failed version is kept


def test_without_a_local_model_the_link_opens_the_dialog(window, qloop):
    window.local_controller.service.detect = _no_servers
    window.local_controller.set_offline(True)
    type_and_send(window, "hi")
    session = window.current_tab().session
    run(qloop, lambda: not session.busy)
    window.current_view().anchorClicked.emit(QUrl(SWITCH_LOCAL_URL))
    run(
        qloop,
        lambda: (
            window.local_controller.dialog is not None
            and window.local_controller.dialog.isVisible()
        ),
    )
    assert "No local model is running" in window.local_controller.dialog.message.text()
    assert window.providers.current.id == "openrouter"  # nothing to switch to


def test_network_error_switches_to_local_by_itself_when_asked(local_window, llama, qloop):
    win = local_window
    win.providers.use(PROVIDERS["openrouter"].with_overrides(base_url=DOWN_URL))
    win.local_controller.auto_local_action.setChecked(True)
    type_and_send(win, "anyone?")
    session = win.current_tab().session
    run(qloop, lambda: session.conversation.messages[-1].state == AnswerState.DONE, 10)
    answer = session.conversation.messages[-1]
    assert answer.provider_id == "local" and answer.content == "You said: anyone?"
    failed = session.conversation.siblings(answer)[0]
    assert failed.error.kind == ErrorKind.NETWORK
    assert "switched to the local model" in win.statusBar().currentMessage()


def test_network_error_offers_the_link_but_stays_without_auto(local_window, llama, qloop):
    win = local_window
    win.providers.use(PROVIDERS["openrouter"].with_overrides(base_url=DOWN_URL))
    type_and_send(win, "anyone?")
    session = win.current_tab().session
    run(qloop, lambda: not session.busy, 10)
    assert session.conversation.messages[-1].error.kind == ErrorKind.NETWORK
    assert "Switch to the local model" in win.current_view().toPlainText()
    assert win.providers.current.id == "openrouter"
    assert not [r for r in llama.requests if r.path.endswith("/chat/completions")]


def test_a_local_failure_offers_no_switch(local_window, qloop):
    win = local_window
    gone = PROVIDERS["local"].with_overrides(base_url="http://127.0.0.1:9/v1")
    win.providers.use(gone)  # nothing answers there: a network error on loopback
    win.providers.select("local")
    type_and_send(win, "hi")
    session = win.current_tab().session
    run(qloop, lambda: not session.busy, 10)
    assert session.conversation.messages[-1].error.kind == ErrorKind.NETWORK
    assert "Switch to the local model" not in win.current_view().toPlainText()


def test_one_conversation_continues_across_cloud_and_local(local_window, llama, server, qloop):
    win = local_window
    session = win.current_tab().session
    type_and_send(win, "first, in the cloud")
    run(qloop, lambda: not session.busy)
    win.providers.select("local")
    type_and_send(win, "second, at home")
    run(qloop, lambda: not session.busy)
    win.provider_selector.setCurrentIndex(win.provider_selector.findData("openrouter"))
    type_and_send(win, "third, in the cloud again")
    run(qloop, lambda: not session.busy)

    messages = session.conversation.messages
    assert [m.state for m in messages] == [AnswerState.DONE] * 6
    assert [m.provider_id for m in messages[1::2]] == ["openrouter", "local", "openrouter"]
    local_chat = [r for r in llama.requests if r.path.endswith("/chat/completions")][0]
    assert [m["content"] for m in local_chat.body["messages"]] == [
        "first, in the cloud",
        "You said: first, in the cloud",
        "second, at home",
    ]
    assert len(server.requests[-1].body["messages"]) == 5  # the local answer went back too
    assert "You said: second, at home" in win.current_view().toPlainText()


# --- servers already running --------------------------------------------------------------


def test_detected_servers_list_a_llama_server_and_use_it(window, llama, qloop):
    llama.n_ctx = 4096
    dialog = window.local_controller.open_dialog()
    dialog.extra_urls = lambda: [llama.base_url]
    dialog.findChild(QPushButton, "refreshDetected").click()
    label = f"llama.cpp at {llama.base_url.removesuffix('/v1')}: glm-4-32b"

    def row() -> int:
        texts = [dialog.detected_list.item(i).text() for i in range(dialog.detected_list.count())]
        return texts.index(label) if label in texts else -1

    run(qloop, lambda: row() >= 0)
    dialog.detected_list.setCurrentRow(row())
    assert dialog.use_button.isEnabled()
    dialog.use_button.click()
    provider = window.providers.current
    assert provider.id == "local" and provider.base_url == llama.base_url
    assert provider.model == "glm-4-32b" and provider.context_window == 4096


def test_nothing_detected_says_where_it_looked(window, qloop):
    dialog = open_dialog(window)
    run(qloop, lambda: "No local servers found" in dialog.detected_list.item(0).text())
    assert not dialog.use_button.isEnabled()


# --- a whole run with a fake llama-server program ----------------------------------------


def fake_llama_server(folder: Path) -> Path:
    """A program that answers like llama-server (a llama-flavoured protocol server)."""
    script = folder / "llama-server"
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            f"""
            import signal, sys, time
            sys.path.insert(0, {str(REPO)!r})
            from tests.protocol_servers import ProtocolServer
            args = sys.argv[1:]
            port = int(args[args.index("--port") + 1])
            print("fake llama-server: loading", args[args.index("-m") + 1], flush=True)
            ProtocolServer("llama").start(port)
            print(f"main: server is listening on http://127.0.0.1:{{port}}", flush=True)
            signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
            while True:
                time.sleep(1)
            """
        )
    )
    script.chmod(0o755)
    return script


def test_start_a_server_chat_with_it_and_closing_stops_it(qtbot, qloop, history, tmp_path):
    win, backend = make_window(qtbot, history)
    dialog = open_dialog(win)
    choose(dialog, qloop, write_gguf(tmp_path / "m.gguf", eot=GLM4_EOT))
    dialog.binary.setText(str(fake_llama_server(tmp_path)))
    dialog.use_key.setChecked(True)
    dialog.start_button.click()
    run(qloop, lambda: win.local_controller.service.state == ServerState.READY, 20)
    assert dialog.state_label.text().startswith("Ready at http://127.0.0.1:")
    assert "context 8,192 tokens · build b0000-protocol-test" in dialog.state_label.text()
    run(qloop, lambda: "server is listening" in dialog.log.toPlainText())
    assert win.local_controller.status_button.text() == "Local: ready"
    assert win.providers.current.id == "local"
    assert win.providers.current.base_url == win.local_controller.service.server.base_url
    pid_file = history.path.parent / PID_FILE
    pid = json.loads(pid_file.read_text())["pid"]

    type_and_send(win, "local hello")
    session = win.current_tab().session
    run(qloop, lambda: not session.busy)
    assert session.conversation.messages[-1].content == "You said: local hello"

    close_window(qloop, win, backend)  # as the app's shutdown does
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not pid_file.exists()


def test_a_dead_servers_pid_file_is_cleared_at_start(qtbot, qloop, history):
    pid_file = history.path.parent / PID_FILE
    pid_file.write_text(json.dumps({"pid": 2**22 + 12345, "port": 8080, "binary": "/x"}))
    win, backend = make_window(qtbot, history)
    run(qloop, lambda: not pid_file.exists())
    close_window(qloop, win, backend)
