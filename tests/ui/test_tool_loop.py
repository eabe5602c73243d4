"""The tool loop through ChatSession, against the protocol test servers of each wire style:
call -> (approval) -> result -> answer, with every call paired with its result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.conversation import NOT_RUN
from app.core.protocol import Role
from app.core.providers import PROVIDERS
from app.core.tools.toolbox import DECLINED, Decision, ToolBox
from app.core.tools.workspace import Workspace
from app.services.backend import Backend
from app.services.chat_session import ChatSession
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import until, wait_idle

KEYS = {"OPENROUTER_API_KEY": "test-key", "ZAI_API_KEY": "test-key"}
FLAVORS = {"openrouter": "openrouter", "zai": "zai", "llama": "local"}


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return 42\n")
    return Workspace(root)


def session_for(flavor: str, server: ProtocolServer, workspace: Workspace):
    provider = PROVIDERS[FLAVORS[flavor]].with_overrides(base_url=server.base_url)
    backend = Backend(environ=KEYS)
    session = ChatSession(backend)
    session.toolbox = ToolBox(workspace)
    return session, provider, backend


def pairs_ok(session: ChatSession) -> bool:
    """Every call of the branch shown is followed by exactly its results."""
    msgs = session.conversation.messages
    for i, m in enumerate(msgs):
        if m.tool_calls:
            after = [x.tool_call_id for x in msgs[i + 1 : i + 1 + len(m.tool_calls)]]
            if after != [c.id for c in m.tool_calls]:
                return False
    return True


@pytest.mark.parametrize("flavor", ["openrouter", "zai"])
def test_a_read_call_runs_and_its_result_reaches_the_model(qloop, workspace, flavor):
    with ProtocolServer(flavor) as server:
        session, provider, backend = session_for(flavor, server, workspace)
        call = {"id": "call_a", "name": "read_file", "arguments": '{"path": "a.py"}'}
        server.push(Reply(text="Let me look.", tool_calls=[call]), Reply(text="It returns 42."))
        assert session.send("What does f return?", provider)
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
        assert msgs[1].tool_calls[0].name == "read_file" and msgs[1].tool_calls[0].state == "done"
        assert "return 42" in msgs[2].content and msgs[2].tool_call_id == "call_a"
        assert msgs[3].content == "It returns 42."
        first, second = (r.body for r in server.requests if r.path.endswith("/completions"))
        assert [t["function"]["name"] for t in first["tools"]][0] == "read_file"
        assert first["tool_choice"] == "auto"
        sent = second["messages"]
        assert sent[-2]["tool_calls"][0]["id"] == "call_a"
        assert sent[-1]["role"] == "tool" and sent[-1]["tool_call_id"] == "call_a"
        assert "return 42" in sent[-1]["content"]
        qloop.run_until_complete(backend.aclose())


def test_glm4_plain_text_calls_from_llama_server_are_recognised(qloop, workspace):
    with ProtocolServer("llama") as server:
        session, provider, backend = session_for("llama", server, workspace)
        server.push(Reply(text='read_file\n{"path": "a.py"}'), Reply(text="It returns 42."))
        assert session.send("What does f return?", provider)
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
        assert msgs[1].content == "" and msgs[1].tool_calls[0].name == "read_file"
        assert json.loads(msgs[1].tool_calls[0].arguments) == {"path": "a.py"}
        assert pairs_ok(session)
        qloop.run_until_complete(backend.aclose())


@pytest.mark.parametrize("flavor", ["openrouter", "zai", "llama"])
def test_a_write_waits_for_approval_and_deny_writes_nothing(qloop, workspace, flavor):
    with ProtocolServer(flavor) as server:
        session, provider, backend = session_for(flavor, server, workspace)
        asked: list[tuple[int, int]] = []
        session.approvalRequested.connect(lambda a, c: asked.append((a, c)))
        write = {"id": "w1", "name": "write_file", "arguments": '{"path": "b.py", "content": "x"}'}
        server.push(Reply(text="", tool_calls=[write]), Reply(text="As you wish."))
        assert session.send("Create b.py", provider)
        qloop.run_until_complete(until(lambda: session.waiting_for_approval, 10))
        assert asked == [(1, 0)] and "+x" in session.pending_plan.diff
        assert not (workspace.root / "b.py").exists()
        assert session.decide(Decision.DENY)
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert msgs[2].content == DECLINED and msgs[1].tool_calls[0].state == "declined"
        assert not (workspace.root / "b.py").exists() and msgs[-1].content == "As you wish."
        qloop.run_until_complete(backend.aclose())


def test_stop_while_a_call_waits_answers_every_call_not_run(qloop, workspace):
    with ProtocolServer("openrouter") as server:
        session, provider, backend = session_for("openrouter", server, workspace)
        calls = [
            {"id": "w1", "name": "write_file", "arguments": '{"path": "b.py", "content": "x"}'},
            {"id": "r2", "name": "read_file", "arguments": '{"path": "a.py"}'},
        ]
        server.push(Reply(text="", tool_calls=calls))
        assert session.send("Do two things", provider)
        qloop.run_until_complete(until(lambda: session.waiting_for_approval, 10))
        session.stop()
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert [m.tool_call_id for m in msgs[2:]] == ["w1", "r2"]
        assert all(m.content == NOT_RUN for m in msgs[2:])
        assert [c.state for c in msgs[1].tool_calls] == ["cancelled", "cancelled"]
        assert pairs_ok(session) and not (workspace.root / "b.py").exists()
        qloop.run_until_complete(backend.aclose())


def test_the_round_limit_ends_the_loop_and_says_so(qloop, workspace):
    with ProtocolServer("openrouter") as server:
        session, provider, backend = session_for("openrouter", server, workspace)
        session.max_rounds = 2
        for n in range(3):
            call = {"id": f"c{n}", "name": "list_directory", "arguments": "{}"}
            server.push(Reply(text="", tool_calls=[call]))
        assert session.send("Look around", provider)
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert [m.role for m in msgs] == [Role.USER, *[Role.ASSISTANT, Role.TOOL] * 2]
        assert "Stopped after 2 rounds of tool calls" in msgs[-2].notice
        assert "a.py" in msgs[-1].content and pairs_ok(session)
        assert len([r for r in server.requests if r.path.endswith("/completions")]) == 2
        qloop.run_until_complete(backend.aclose())


def test_no_workspace_no_tools_offered(qloop):
    with ProtocolServer("openrouter") as server:
        provider = PROVIDERS["openrouter"].with_overrides(base_url=server.base_url)
        backend = Backend(environ=KEYS)
        session = ChatSession(backend)
        session.toolbox = ToolBox(None)
        server.push(Reply(text="Hello."))
        assert session.send("hi", provider)
        wait_idle(qloop, session)
        assert "tools" not in server.requests[-1].body
        qloop.run_until_complete(backend.aclose())


def test_the_window_asks_in_its_approval_bar_and_shows_the_cards(window, server, qloop, workspace):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    tools = window.tools_controller
    tab = window.current_tab()
    tools.set_workspace(tab, str(workspace.root))
    assert window.findChild(object, "workspaceButton").text() == "Workspace: project"
    write = {
        "id": "w1",
        "name": "write_file",
        "arguments": '{"path": "b.py", "content": "y = 2\\n"}',
    }
    server.push(Reply(text="I will write it.", tool_calls=[write]), Reply(text="Written."))
    window.composer.setPlainText("write b.py")
    window.composer.submit()
    qloop.run_until_complete(until(lambda: tools.bar.isVisible(), 10))
    assert tools.bar.question.text() == "GLM-4 wants to create b.py:"
    assert "+y = 2" in tools.bar.diff.toPlainText()
    QTest.keyClick(window.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qloop, tab.session)
    assert not tools.bar.isVisible() and (workspace.root / "b.py").read_text() == "y = 2\n"
    shown = tab.view.toPlainText()
    assert "⚙ write_file" in shown and "done" in shown and "Created b.py" in shown
    assert "Written." in shown
    assert tab.conversation.workspace == str(workspace.root)

    # Esc denies the next one (the answer goes on)
    again = {
        "id": "w2",
        "name": "edit_file",
        "arguments": json.dumps({"path": "b.py", "old_text": "y = 2", "new_text": "y = 3"}),
    }
    server.push(Reply(text="", tool_calls=[again]), Reply(text="Fine."))
    window.composer.setPlainText("change it")
    window.composer.submit()
    qloop.run_until_complete(until(lambda: tools.bar.isVisible(), 10))
    assert tools.bar.question.text() == "GLM-4 wants to change b.py:"
    QTest.keyClick(window.composer, Qt.Key.Key_Escape)
    wait_idle(qloop, tab.session)
    assert (workspace.root / "b.py").read_text() == "y = 2\n"
    assert tab.conversation.messages[-1].content == "Fine."
    assert "declined" in tab.view.toPlainText()


def test_workspace_on_the_command_line_is_the_first_new_tabs(qtbot, history, workspace):
    from app.main import parse_args
    from app.ui.main_window import MainWindow
    from tests.ui.conftest import providers_at

    assert parse_args(["--workspace", str(workspace.root)]).workspace == str(workspace.root)
    backend = Backend(environ=KEYS)
    win = MainWindow(backend, history, providers_at(), "openrouter", workspace=str(workspace.root))
    qtbot.addWidget(win)
    first = win.current_tab()
    assert first.conversation.workspace == str(workspace.root)
    assert first.session.toolbox.tools and first.session.toolbox.workspace.root == workspace.root
    second = win.new_tab()
    assert second.conversation.workspace == "" and second.session.toolbox is None
    win.close()


def test_a_server_that_refuses_tools_is_asked_again_without_them_and_told_once(qloop, workspace):
    with ProtocolServer("llama") as server:
        session, provider, backend = session_for("llama", server, workspace)
        refused = {"error": {"code": 400, "message": "tools param requires --jinja flag"}}
        server.push(Reply(status=400, body=refused), Reply(text="Hello."), Reply(text="Again."))
        assert session.send("hi", provider)
        wait_idle(qloop, session)
        answer = session.conversation.messages[-1]
        assert answer.content == "Hello." and answer.error is None
        assert "does not take tools here" in answer.notice
        sent = [r.body for r in server.requests if r.path.endswith("/completions")]
        assert "tools" in sent[0] and "tools" not in sent[1]
        assert session.send("and now?", provider)
        wait_idle(qloop, session)
        assert "tools" not in server.requests[-1].body  # not offered again
        assert "does not take tools" not in session.conversation.messages[-1].notice
        qloop.run_until_complete(backend.aclose())


def test_regenerate_the_answer_that_followed_a_tool_result(qloop, workspace):
    with ProtocolServer("openrouter") as server:
        session, provider, backend = session_for("openrouter", server, workspace)
        call = {"id": "c1", "name": "list_directory", "arguments": "{}"}
        server.push(Reply(text="", tool_calls=[call]), Reply(text="First."), Reply(text="Second."))
        assert session.send("look", provider)
        wait_idle(qloop, session)
        assert session.conversation.messages[-1].content == "First."
        assert session.regenerate(provider=provider)
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert msgs[-1].content == "Second." and msgs[-2].role == Role.TOOL
        assert len(session.conversation.siblings(msgs[-1])) == 2
        assert server.requests[-1].body["messages"][-1]["role"] == "tool"
        qloop.run_until_complete(backend.aclose())


def test_a_server_on_glm4s_stock_template_gets_calls_as_text_and_results_as_observations(
    qloop, workspace
):
    with ProtocolServer("llama") as server:
        session, provider, backend = session_for("llama", server, workspace)
        provider = provider.with_tools_as_text(True)  # what /props said of its template
        server.push(Reply(text='read_file\n{"path": "a.py"}'), Reply(text="It returns 42."))
        assert session.send("What does f return?", provider)
        wait_idle(qloop, session)
        call = session.conversation.messages[1].tool_calls[0]
        assert call.as_text and call.state == "done"
        sent = [r.body for r in server.requests if r.path.endswith("/completions")][1]
        assert sent["messages"][-2] == {
            "role": "assistant",
            "content": 'read_file\n{"path": "a.py"}',
        }
        assert sent["messages"][-1]["role"] == "observation"
        assert "return 42" in sent["messages"][-1]["content"]
        qloop.run_until_complete(backend.aclose())


def test_a_written_file_is_in_the_code_pane_and_its_card_shows_the_diff(
    window, server, qloop, workspace
):
    tools = window.tools_controller
    tab = window.current_tab()
    tools.set_workspace(tab, str(workspace.root))
    tab.session.toolbox.ask_before_write = False  # as with tools.ask_before_write off
    content = "def g():\n    return 7\n"
    write = {
        "id": "w1",
        "name": "write_file",
        "arguments": json.dumps({"path": "g.py", "content": content}),
    }
    server.push(Reply(text="", tool_calls=[write]), Reply(text="Made g.py."))
    window.composer.setPlainText("make g.py")
    window.composer.submit()
    wait_idle(qloop, tab.session)
    assert (workspace.root / "g.py").read_text() == content
    shown = tab.view.toPlainText()
    assert "+++ b/g.py" in shown and "+    return 7" in shown  # the diff, not the arguments
    pane = window.code_pane
    qloop.run_until_complete(until(lambda: pane.current_code() == content, 5))
    assert pane.current_snippet().name == "g.py"


def test_stop_during_the_answer_after_the_tools_keeps_all_and_pairs(qloop, workspace):
    with ProtocolServer("openrouter") as server:
        session, provider, backend = session_for("openrouter", server, workspace)
        call = {"id": "c1", "name": "list_directory", "arguments": "{}"}
        slow = Reply(chunks=[f"word{i} " for i in range(200)], delay=0.05)
        server.push(Reply(text="", tool_calls=[call]), slow)
        assert session.send("look, then talk", provider)
        qloop.run_until_complete(
            until(lambda: session.conversation.messages[-1].content.startswith("word0"), 10)
        )
        session.stop()
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
        assert msgs[-1].state.value == "stopped" and msgs[-1].content.startswith("word0")
        assert msgs[1].tool_calls[0].state == "done" and pairs_ok(session)
        qloop.run_until_complete(backend.aclose())


def test_stop_while_a_tool_runs_answers_it_not_run(qloop, workspace, monkeypatch):
    import time as clock

    def slow_read(*args, **kwargs):
        clock.sleep(1.0)  # a big search, a slow disk
        return "late"

    monkeypatch.setattr(workspace, "read_file", slow_read)
    with ProtocolServer("openrouter") as server:
        session, provider, backend = session_for("openrouter", server, workspace)
        call = {"id": "r1", "name": "read_file", "arguments": '{"path": "a.py"}'}
        server.push(Reply(text="", tool_calls=[call]))
        assert session.send("read it", provider)
        qloop.run_until_complete(
            until(
                lambda: (
                    session.conversation.messages[1].tool_calls[:1]
                    and session.conversation.messages[1].tool_calls[0].state == "running"
                ),
                10,
            )
        )
        session.stop()
        wait_idle(qloop, session)
        msgs = session.conversation.messages
        assert msgs[-1].role == Role.TOOL and msgs[-1].content == NOT_RUN
        assert msgs[1].tool_calls[0].state == "cancelled" and pairs_ok(session)
        qloop.run_until_complete(backend.aclose())
