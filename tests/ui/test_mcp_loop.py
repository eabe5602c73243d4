"""MCP servers in the window, through the whole tool loop: the model (a protocol test
server) calls a real MCP server's tool, the user approves it in the approval bar, the result
goes back to the model, the answer arrives. alwaysAllow, per-conversation allowing and
per-conversation servers, Stop during a call, a server that cannot start, Settings → Tools
importing a Claude Desktop file with a secret, and no server process left after quit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from app.core import child_process
from app.core.conversation import NOT_RUN
from app.core.mcp.config import ServerConfig, secret_account
from app.core.protocol import Role
from tests.protocol_servers import Reply
from tests.ui.conftest import until

ROOT = Path(__file__).resolve().parents[2]
ECHO = str(ROOT / "tests" / "mcp_servers" / "echo_server.py")
TIME = str(Path(sys.executable).parent / "mcp-server-time")


def configure(qloop, win, *servers: ServerConfig) -> None:
    for server in servers:
        qloop.run_until_complete(win.mcp.put(server))


def echo(**kw) -> ServerConfig:
    return ServerConfig(name="echo", command=sys.executable, args=(ECHO,), **kw)


def ask(qloop, win, text: str) -> None:
    win.composer.setPlainText(text)
    win.send_button.click()


def calls(*specs: tuple[str, str, str]) -> Reply:
    """An answer that is only tool calls: (id, name, arguments) each."""
    return Reply(text="", tool_calls=[{"id": i, "name": n, "arguments": a} for i, n, a in specs])


def completions(server) -> list[dict]:
    return [r.body for r in server.requests if r.path.endswith("/completions")]


def test_the_published_time_server_through_the_whole_loop(qloop, window, server):
    win = window
    configure(qloop, win, ServerConfig(name="time", command=TIME))
    call = {
        "id": "call_t",
        "name": "time__get_current_time",
        "arguments": '{"timezone": "Europe/Paris"}',
    }
    server.push(Reply(text="Let me check.", tool_calls=[call]), Reply(text="It is noon in Paris."))
    ask(qloop, win, "What time is it in Paris?")
    session = win.tabs.current_tab().session
    qloop.run_until_complete(until(lambda: session.waiting_for_approval, 60))
    bar = win.tools_controller.bar
    assert bar.isVisible()
    question = bar.findChild(QLabel, "approvalQuestion").text()
    assert question == "GLM-4 wants to run get_current_time on the MCP server time:"
    assert (
        '"timezone": "Europe/Paris"' in bar.findChild(QPlainTextEdit, "approvalDiff").toPlainText()
    )
    bar.findChild(QPushButton, "allowOnceButton").click()
    qloop.run_until_complete(until(lambda: not session.busy, 30))
    msgs = session.conversation.messages
    assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
    record = msgs[1].tool_calls[0]
    assert record.server == "time" and record.state == "done"
    assert json.loads(msgs[2].content)["timezone"] == "Europe/Paris"
    assert msgs[3].content == "It is noon in Paris."
    first, second = completions(server)
    offered = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert "timezone" in offered["time__get_current_time"]["parameters"]["properties"]
    assert second["messages"][-1]["role"] == "tool"
    assert "Europe/Paris" in second["messages"][-1]["content"]
    view = win.tabs.current_tab().view.toPlainText()
    assert "⚙ time · get_current_time" in view


def test_always_allow_runs_without_asking_and_images_show_in_the_card(qloop, window, server):
    win = window
    configure(qloop, win, echo(always_allow=frozenset({"picture"})))
    call = {"id": "p1", "name": "echo__picture", "arguments": "{}"}
    server.push(Reply(text="", tool_calls=[call]), Reply(text="A red dot."))
    asked: list[int] = []
    ask(qloop, win, "Draw")
    session = win.tabs.current_tab().session
    session.approvalRequested.connect(lambda a, c: asked.append(a))
    qloop.run_until_complete(until(lambda: len(completions(server)) == 2 and not session.busy, 60))
    assert asked == []
    record = session.conversation.messages[1].tool_calls[0]
    assert record.state == "done" and record.images[0]["mime"] == "image/png"
    assert "shown to the user" in session.conversation.messages[2].content
    view = win.tabs.current_tab().view
    url = view.document().resource(
        QTextDocument.ResourceType.ImageResource, f"glmdesk:image/{record.id}/0"
    )
    assert url is not None and not url.isNull()


def test_allow_for_this_conversation_asks_once_per_tool(qloop, window, server):
    win = window
    configure(qloop, win, echo())
    server.push(
        calls(("e1", "echo__echo", '{"text": "a"}')),
        calls(("e2", "echo__echo", '{"text": "b"}')),
        calls(("f3", "echo__fail", "{}")),
        Reply(text="Done."),
    )
    ask(qloop, win, "Echo twice")
    session = win.tabs.current_tab().session
    qloop.run_until_complete(until(lambda: session.waiting_for_approval, 60))
    win.tools_controller.bar.findChild(QPushButton, "allowConversationButton").click()
    # echo__echo again runs at once; echo__fail is another tool: asked.
    qloop.run_until_complete(until(lambda: session.waiting_for_approval, 30))
    assert session.pending_call.name == "echo__fail"
    win.tools_controller.bar.findChild(QPushButton, "allowOnceButton").click()
    qloop.run_until_complete(until(lambda: not session.busy, 30))
    msgs = session.conversation.messages
    states = [c.state for m in msgs for c in m.tool_calls]
    assert states == ["done", "done", "failed"]  # isError: failed, and said to the model
    assert [m.content for m in msgs if m.role == Role.TOOL][:2] == ["a", "b"]
    assert msgs[-1].content == "Done."


def test_stop_during_a_call_cancels_it_on_the_server(qloop, window, server, tmp_path):
    win = window
    marks = tmp_path / "marks"
    configure(
        qloop,
        win,
        echo(always_allow=frozenset({"sleep"}), env={"MCP_TEST_MARKS": str(marks)}, transient=True),
    )
    call = {"id": "s1", "name": "echo__sleep", "arguments": '{"seconds": 60}'}
    server.push(Reply(text="", tool_calls=[call]))
    ask(qloop, win, "Wait a minute")
    session = win.tabs.current_tab().session
    qloop.run_until_complete(until(lambda: marks.exists() and "sleep" in marks.read_text(), 60))
    win.stop_button.click()
    qloop.run_until_complete(until(lambda: not session.busy, 5))
    msgs = session.conversation.messages
    assert msgs[1].tool_calls[0].state == "cancelled"
    assert msgs[2].role == Role.TOOL and msgs[2].content == NOT_RUN
    qloop.run_until_complete(until(lambda: "cancelled" in marks.read_text(), 10))


def test_a_server_turned_off_for_a_conversation_is_not_offered(qloop, window, server):
    win = window
    configure(qloop, win, echo())
    tab = win.tabs.current_tab()
    win.tools_controller.fill_mcp_menu()
    actions = {a.objectName(): a for a in win.tools_controller.mcp_menu.actions()}
    assert actions["mcpServer:echo"].isChecked()  # on by default
    actions["mcpServer:echo"].setChecked(False)
    assert tab.conversation.mcp_servers == []
    server.push(Reply(text="Without tools."))
    ask(qloop, win, "Hi")
    qloop.run_until_complete(until(lambda: not tab.session.busy and completions(server), 30))
    assert "tools" not in completions(server)[0] or not completions(server)[0]["tools"]
    assert win.mcp.state("echo").value == "stopped"  # not started for nothing


def test_a_server_that_cannot_start_is_said_and_the_answer_comes(qloop, window, server):
    win = window
    configure(qloop, win, ServerConfig(name="gh", command="npx-not-installed-here"))
    server.push(Reply(text="Hello anyway."))
    ask(qloop, win, "Hi")
    session = win.tabs.current_tab().session
    qloop.run_until_complete(until(lambda: not session.busy and completions(server), 30))
    answer = session.conversation.messages[-1]
    assert answer.content == "Hello anyway."
    assert "The MCP server gh is not available: The command npx-not-installed-here" in answer.notice
    assert "MCP: 1 ⚠" == win.tools_controller.mcp_action.text()


def test_settings_import_of_a_claude_desktop_file_keeps_secrets_in_the_keyring(
    qloop, qtbot, history, tmp_path
):
    from app.core.settings import Settings
    from app.services.backend import Backend
    from app.services.settings import SettingsService
    from tests.ui.conftest import settings_window

    backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
    win = settings_window(qtbot, history, backend, SettingsService(Settings()), "openrouter")
    secret = "ghp_thisIsASecretToken0123456789"
    config = {
        "globalShortcut": "",
        "mcpServers": {
            "echo": {"command": sys.executable, "args": [ECHO], "env": {"GH_TOKEN": secret}},
            "time": {"command": TIME, "alwaysAllow": ["get_current_time"]},
        },
    }
    dialog = win.settings_controller.open_settings("tools")
    page = dialog.tools_page
    assert dialog.stack.currentWidget() is page
    count = qloop.run_until_complete(page.import_text(json.dumps(config)))
    assert count == 2 and "Imported 2 server(s)." in page.message.text()
    assert [page.servers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)] == [
        "echo",
        "time",
    ]
    store = win.backend.secrets
    assert store.get(secret_account("echo", "env", "GH_TOKEN")) == secret
    profile = win.history.path.parent
    saved = (profile / "mcp.json").read_text()
    assert secret not in saved and '"GH_TOKEN"' in saved
    # It runs with the secret in its environment; the secret is in no file or log line.
    result = qloop.run_until_complete(win.mcp.hub.call("echo", "env", {"name": "GH_TOKEN"}, 20))
    assert result.text == secret
    page.servers.setCurrentRow(0)
    page.show_details()
    assert page.state.text().startswith("State: running")
    assert "Tools (8): echo, add" in page.tools.text()
    for path in profile.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".log", ".txt", ""):
            assert secret not in path.read_text(errors="replace"), path
    dialog.close()


def test_quit_leaves_no_server_process(qloop, qtbot, history, server):
    from tests.ui.conftest import close_window, make_window

    win, backend = make_window(qtbot, history, server.base_url)
    configure(qloop, win, echo())
    qloop.run_until_complete(win.mcp.hub.start("echo"))
    profile = history.path.parent
    pid = json.loads((profile / "mcp-pids" / "echo.json").read_text())["pid"]
    assert child_process.alive(pid)
    close_window(qloop, win, backend)
    assert not (profile / "mcp-pids" / "echo.json").exists()
    assert not child_process.alive(pid) or child_process.start_time(pid) is None


def test_always_allow_this_tool_saves_it_in_alwaysallow(qloop, window, server):
    win = window
    configure(qloop, win, echo())
    server.push(calls(("a1", "echo__add", '{"a": 1, "b": 2}')), Reply(text="3."))
    ask(qloop, win, "1+2?")
    session = win.tabs.current_tab().session
    qloop.run_until_complete(until(lambda: session.waiting_for_approval, 60))
    always = win.tools_controller.bar.findChild(QPushButton, "allowAlwaysButton")
    assert always.isVisible()
    always.click()
    qloop.run_until_complete(until(lambda: not session.busy, 30))
    assert session.conversation.messages[1].tool_calls[0].state == "done"
    qloop.run_until_complete(until(lambda: "add" in win.mcp.config("echo").always_allow, 5))
    saved = json.loads((win.history.path.parent / "mcp.json").read_text())
    assert saved["mcpServers"]["echo"]["alwaysAllow"] == ["add"]


def big_result_run(tmp_path) -> dict:
    """One run of tests/ui/mcp_big_result.py in a fresh interpreter."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    env["GLM_DESK_PROFILE"] = str(tmp_path / "profile")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "ui" / "mcp_big_result.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-3000:]
    return json.loads(lines[-1])


def test_a_5_mb_result_is_cut_for_the_model(tmp_path):
    """The result a model gets of a 5 MB tool answer (the window's largest loop gap meanwhile
    is a benchmark: tests/perf/bench_mcp_result.py, on this noisy machine)."""
    outcome = big_result_run(tmp_path)
    assert outcome["result_start"] == "01234567890123456789" and outcome["said_cut"]
    assert outcome["result_length"] < 100_100  # the model gets its first 100,000 characters
