"""Compare in the window: two test servers of different speeds, one failing mid-stream, side
by side in one tab; stopping one side; keeping either answer."""

from __future__ import annotations

from app.core.compare import SideSpec
from app.core.conversation import AnswerState
from app.core.protocol import Role
from app.core.settings import Settings
from app.services.backend import Backend
from app.services.settings import SettingsService
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import settings_window, until

FAST = "Fast answer:\n\n```python\ndef add(a, b):\n    return a + b\n```\n"


def window_for(qtbot, history, fast, slow):
    settings = Settings()
    settings.set("providers.openrouter.base_url", fast.base_url)
    settings.set("providers.local.base_url", slow.base_url)
    backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
    return settings_window(qtbot, history, backend, SettingsService(settings), "openrouter")


def test_two_sides_stream_at_once_one_failing_and_either_can_be_kept(qloop, qtbot, history):
    with ProtocolServer("openrouter") as fast, ProtocolServer("llama") as slow:
        win = window_for(qtbot, history, fast, slow)
        fast.push(Reply(text=FAST, delay=0.01))
        slow.push(Reply(chunks=["Slow ", "and ", "then ", "gone"], delay=0.3, error_after=2))
        tab = win.tabs.current_tab()
        win.composer.setPlainText("Write add()")
        dialog = win.compare.ask()
        assert dialog is not None and dialog.objectName() == "compareDialog"
        dialog.rows[1][0].setCurrentIndex(dialog.rows[1][0].findData("local"))
        dialog.rows[1][2].setValue(0.2)
        assert dialog.specs() == [SideSpec("openrouter", "", None), SideSpec("local", "", 0.2)]
        dialog.accept()
        view = tab.compare
        assert view is not None and view.objectName() == "compareView" and tab.busy
        assert win.composer.toPlainText() == ""
        qloop.run_until_complete(until(lambda: not tab.busy, 15))
        a, b = view.session.answers
        assert a.content == FAST and a.state == AnswerState.DONE
        assert b.content == "Slow and " and b.state == AnswerState.ERROR
        assert (
            "first token" in view.panes[0].stats.text() and "tokens/s" in view.panes[0].stats.text()
        )
        assert "$" in view.panes[0].stats.text()
        assert (
            "error" in view.panes[1].stats.text().lower() or "stopped" in view.panes[1].stats.text()
        )
        assert slow.requests[-1].body["temperature"] == 0.2
        # Both streamed at once: the slow side's request came before the fast one ended.
        assert "A: OpenRouter" in view.panes[0].label.text()
        assert "T=0.2" in view.panes[1].label.text()
        # The diff, once both ended
        assert view.diff.isVisible()
        assert "+Slow and" in view.diff.toPlainText() or "-Fast answer:" in view.diff.toPlainText()
        assert "A: code block 1" in view.diff.toPlainText()
        # Keep A: the conversation goes on from it; B stays a version
        view.panes[0].keep.click()
        assert tab.compare is None and tab.view.isVisible()
        conv = tab.conversation
        assert [m.role for m in conv.messages] == [Role.USER, Role.ASSISTANT]
        assert conv.messages[-1].id == a.id
        assert [m.id for m in conv.siblings(a)] == [a.id, b.id]
        # Both are in the history
        history.wait_idle()
        stored = qloop.run_until_complete(history.load(conv.id))
        assert {m.id for m in stored.nodes.values()} >= {a.id, b.id}
        # ...and the code pane has the kept answer's code
        win._refresh_code_pane()
        assert win.code_pane.current_snippet().code.startswith("def add")


def test_stopping_one_side_leaves_the_other_going(qloop, qtbot, history):
    with ProtocolServer("openrouter") as fast, ProtocolServer("llama") as slow:
        win = window_for(qtbot, history, fast, slow)
        fast.push(Reply(chunks=["a "] * 30, delay=0.05))
        slow.push(Reply(chunks=["b "] * 200, delay=0.05))
        tab = win.tabs.current_tab()
        win.composer.setPlainText("Count")
        session = win.compare.start([SideSpec("openrouter"), SideSpec("local")])
        assert session is not None
        qloop.run_until_complete(until(lambda: session.answers[1].content.count("b") >= 3, 10))
        tab.compare.panes[1].stop.click()
        qloop.run_until_complete(until(lambda: not tab.busy, 15))
        a, b = session.answers
        assert a.state == AnswerState.DONE and a.content == "a " * 30
        assert b.state == AnswerState.STOPPED and 3 <= b.content.count("b") < 200
        view = tab.compare
        view.panes[1].keep.click()  # the stopped one, kept: what arrived is the answer
        assert tab.conversation.messages[-1].id == b.id
