"""Running snippets in the window: the output pane, Fix it against a protocol test server,
a run kept with the conversation, Stop, the confirmation without a sandbox, and the
run_code tool through the tool loop with approval. Real runs in the real sandbox."""

from __future__ import annotations

import json
import os
import uuid

from PySide6.QtCore import QPoint, Qt

from app.core.protocol import Role
from app.core.settings import Settings
from app.core.tools.declare import Decision
from app.services.backend import Backend
from app.services.settings import SettingsService
from tests.integration.test_sandbox import processes_with, sleeper
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import settings_window, until

FAILING = "def mean(xs):\n    return sum(xs) / len(xs)\n\nprint('ok so far')\nprint(mean([]))\n"
FIXED = "def mean(xs):\n    return sum(xs) / len(xs) if xs else 0.0\n\nprint(mean([]))\n"


def window_at(qtbot, history, server, **values):
    settings = Settings()
    settings.set("providers.openrouter.base_url", server.base_url)
    if os.geteuid() == 0 and values.get("runner.sandbox") == "none":
        # Without a sandbox root's snippets run as nobody, who cannot read a pyenv under /root.
        settings.set("runner.python", "/usr/bin/python3")
    for key, value in values.items():
        settings.set(key, value)
    backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
    return settings_window(qtbot, history, backend, SettingsService(settings), "openrouter")


def ask(qloop, win, server, answer: str, question: str = "Write mean") -> None:
    server.push(Reply(text=answer))
    tab = win.tabs.current_tab()
    win.composer.setPlainText(question)
    win.composer.submit()
    qloop.run_until_complete(until(lambda: not tab.busy and tab.conversation.messages[-1].content))
    win._refresh_code_pane()


def run_and_wait(qloop, win) -> None:
    assert win.run_controller.run_current()
    qloop.run_until_complete(until(lambda: win.run_controller.running, 10))
    qloop.run_until_complete(until(lambda: not win.run_controller.running, 30))


def test_a_failing_snippet_shows_its_error_and_is_kept_with_the_conversation(
    qloop, qtbot, history, tmp_path
):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        ask(qloop, win, server, f"Here:\n\n```python\n{FAILING}```\n")
        pane = win.run_controller.pane
        assert win.code_pane.run_button.isEnabled()
        run_and_wait(qloop, win)
        text = pane.output.toPlainText()
        assert "ok so far" in text and "ZeroDivisionError: division by zero" in text
        assert text.index("ok so far") < text.index("Traceback")
        assert pane.status.text().startswith("Exit status 1")
        assert "peak memory" in pane.status.text()
        assert pane.fix_button.isEnabled()
        # The sandbox is said, in the output and above it.
        layer = win.runs.known_layer()[0].value
        assert layer in pane.sandbox.text().lower() or "sandbox" in pane.sandbox.text().lower()
        assert layer.split()[0] in text.splitlines()[0]
        # Kept with the answer, in the history.
        answer = win.tabs.current_tab().conversation.messages[-1]
        assert answer.runs and answer.runs[-1].exit_code == 1 and answer.runs[-1].block == 0
        history.wait_idle()
        stored = qloop.run_until_complete(history.load(win.tabs.current_tab().conversation.id))
        assert stored is not None
        assert stored.nodes[answer.id].runs == answer.runs
        # Another conversation shows nothing; back again, the run is shown (as after a restart).
        win.new_tab()
        assert pane.output.toPlainText() == ""
        win.tabs.open_conversation(stored)
        win._refresh_code_pane()
        assert "ZeroDivisionError" in pane.output.toPlainText()
        assert pane.fix_button.isEnabled()


def test_fix_it_sends_the_error_and_the_new_version_is_diffed_and_runs(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        ask(qloop, win, server, f"```python\n{FAILING}```")
        run_and_wait(qloop, win)
        tab = win.tabs.current_tab()
        first_answer = tab.conversation.messages[-1]
        server.push(Reply(text=f"The list was empty. Fixed:\n\n```python\n{FIXED}```\n"))
        assert win.run_controller.fix_it()
        qloop.run_until_complete(
            until(lambda: not tab.busy and len(tab.conversation.messages) == 4)
        )
        sent = server.requests[-1].body["messages"][-1]["content"]
        assert "ZeroDivisionError: division by zero" in sent and "return sum(xs) / len(xs)" in sent
        assert "python3 snippet.py" in sent and "exit status 1" in sent
        question = tab.conversation.messages[-2]
        assert question.role == Role.USER and question.fixes == f"{first_answer.id}:0"
        # The new version is shown beside the old one, with the diff.
        group = win.code_pane.current_group()
        assert group is not None and len(group.versions) == 2 and group.current == 1
        assert win.code_pane.diff_dialog is not None and win.code_pane.diff_dialog.isVisible()
        assert (
            "+    return sum(xs) / len(xs) if xs else 0.0"
            in win.code_pane.diff_dialog.view.toPlainText()
        )
        win.code_pane.diff_dialog.close()
        run_and_wait(qloop, win)
        pane = win.run_controller.pane
        assert pane.status.text().startswith("Exit status 0") and "0.0" in pane.output.toPlainText()
        assert not pane.fix_button.isEnabled()  # it runs now


def test_a_link_in_the_traceback_shows_the_snippets_line(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        ask(qloop, win, server, f"```python\n{FAILING}```")
        run_and_wait(qloop, win)
        view = win.run_controller.pane.output
        links: list[int] = []
        view.lineClicked.connect(links.append)
        doc = view.document()
        block = doc.begin()
        while block.isValid() and "line 2, in mean" not in block.text():
            block = block.next()
        assert block.isValid()
        view.show()
        rect = view.blockBoundingGeometry(block).translated(view.contentOffset())
        x = view.fontMetrics().horizontalAdvance('  File "') + 4
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft().toPoint() + QPoint(x, 4)
        )
        assert links == [2]
        cursor = win.code_pane.editor.textCursor()
        assert cursor.blockNumber() == 1 and "return sum(xs)" in cursor.selectedText()


def test_stop_ends_the_run_and_everything_it_started(qloop, qtbot, history):
    marker = f"pane-stop-{uuid.uuid4().hex}"
    code = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen({sleeper(marker)})\n"
        "print('working', flush=True)\n"
        "time.sleep(1000)\n"
    )
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        ask(qloop, win, server, f"```python\n{code}```")
        controller = win.run_controller
        assert controller.run_current()
        qloop.run_until_complete(
            until(lambda: "working" in controller.pane.output.toPlainText(), 15)
        )
        assert processes_with(marker)
        win._escape()  # Esc stops the run
        qloop.run_until_complete(until(lambda: not controller.running, 10))
        assert processes_with(marker) == []
        assert controller.pane.status.text().startswith("Stopped")
        assert "working" in controller.pane.output.toPlainText()  # what arrived stays
        assert not controller.pane.fix_button.isEnabled()  # a Stop is not a failure


def test_without_a_sandbox_each_run_is_confirmed(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server, **{"runner.sandbox": "none"})
        ask(qloop, win, server, "```python\nprint('unconfined')\n```")
        controller = win.run_controller
        asked: list[bool] = []
        controller._confirm_unsandboxed = lambda: asked.append(True) or len(asked) > 1
        assert controller.run_current()
        qloop.run_until_complete(until(lambda: controller.pane.status.text() == "Not run.", 10))
        assert asked == [True] and not controller.running
        assert "No sandbox" in controller.pane.sandbox.text()
        run_and_wait(qloop, win)
        assert asked == [True, True]
        assert "unconfined" in controller.pane.output.toPlainText()
        assert "no sandbox" in controller.pane.output.toPlainText().splitlines()[0]


def test_a_language_without_a_runner_says_so(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        ask(qloop, win, server, "```rust\nfn main() {}\n```")
        assert not win.code_pane.run_button.isEnabled()
        assert not win.run_controller.run_current()
        assert "cannot be run here" in win.run_controller.pane.status.text()


def test_run_code_runs_through_the_tool_loop_with_approval(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        tab = win.tabs.current_tab()
        assert not win.run_code.button.isChecked()
        win.run_code.button.click()  # Run code on for this conversation
        assert tab.conversation.params["run_code"] is True
        assert tab.session.toolbox is not None
        args = {"language": "python", "code": "print(sum(range(10)))"}
        call = {"id": "call_run", "name": "run_code", "arguments": json.dumps(args)}
        server.push(Reply(text="Let me check.", tool_calls=[call]), Reply(text="It prints 45."))
        win.composer.setPlainText("What is the sum of 0..9? Check by running code.")
        win.composer.submit()
        qloop.run_until_complete(until(lambda: tab.session.waiting_for_approval, 10))
        bar = win.tools_controller.bar
        assert bar.isVisible() and "Python code" in bar.question.text()
        assert "print(sum(range(10)))" in bar.diff.toPlainText()
        first = server.requests[0].body
        assert "run_code" in [t["function"]["name"] for t in first["tools"]]
        assert win.tools_controller.decide(Decision.ONCE)
        qloop.run_until_complete(until(lambda: not tab.busy, 30))
        messages = tab.conversation.messages
        assert [m.role for m in messages] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
        assert messages[1].tool_calls[0].state == "done"
        result = server.requests[-1].body["messages"][-1]
        assert result["role"] == "tool" and "45" in result["content"]
        assert "exit status 0" in result["content"] and "no network" in result["content"]
        assert messages[1].runs and messages[1].runs[0].block == -1
        # The code it ran is a snippet of the answer, with its run.
        assert win.open_in_code_pane(messages[1].id, -1)
        assert "45" in win.run_controller.pane.output.toPlainText()


def test_a_code_blocks_run_button_runs_it_in_the_code_pane(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        ask(qloop, win, server, "```bash\necho from-bash $((2+3))\n```")
        tab = win.tabs.current_tab()
        actions = tab.view._code_actions
        answer = tab.conversation.messages[-1]
        actions.show_for(f"{answer.id}/0", "bash", 300, 10)
        assert actions.buttons["run"].isVisible()
        actions.buttons["run"].click()
        qloop.run_until_complete(
            until(
                lambda: (
                    not win.run_controller.running
                    and "from-bash" in win.run_controller.pane.output.toPlainText()
                ),
                15,
            )
        )
        assert "from-bash 5" in win.run_controller.pane.output.toPlainText()
        actions.show_for(f"{answer.id}/0", "rust", 300, 10)
        assert not actions.buttons["run"].isVisible()


HUNDRED_MB = (
    "import sys\nline = 'y' * 1023 + '\\n'\n"
    "for i in range(100 * 1024):\n    sys.stdout.write(line)\nprint('last line')\n"
)


def hundred_mb_run(qloop, win, server) -> float:
    """The largest event-loop gap while a snippet prints 100 MB into the pane."""
    from tests.ui.test_hostile_input import loop_watch

    ask(qloop, win, server, f"```python\n{HUNDRED_MB}```")
    with loop_watch() as gaps:
        run_and_wait(qloop, win)
    return max(gaps)


def test_a_hundred_megabytes_of_output_keep_the_window_going(qloop, qtbot, history):
    from tests.ui.test_hostile_input import STALL_S

    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        gap = hundred_mb_run(qloop, win, server)
        assert gap < STALL_S, f"the loop was away for {gap:.2f} s"
        text = win.run_controller.pane.output.toPlainText()
        assert text.rstrip().endswith("last line")
        assert "characters of output were cut" in text
        assert len(text) < 120_000
        assert win.run_controller.pane.status.text().startswith("Exit status 0")


def test_a_run_goes_on_while_another_snippet_is_shown(qloop, qtbot, history):
    code = "import time\nprint('first part', flush=True)\ntime.sleep(0.6)\nprint('second part')\n"
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        ask(qloop, win, server, f"```python\n{code}```\n\nand\n\n```bash\necho other\n```")
        controller, pane = win.run_controller, win.run_controller.pane
        win.code_pane.list.setCurrentRow(0)
        assert controller.run_current()
        qloop.run_until_complete(until(lambda: "first part" in pane.output.toPlainText(), 15))
        win.code_pane.list.setCurrentRow(1)  # the other snippet: its own (empty) output
        assert "Another snippet is running" in pane.output.toPlainText()
        assert "first part" not in pane.output.toPlainText()
        win.code_pane.list.setCurrentRow(0)  # back: all that arrived meanwhile
        assert "first part" in pane.output.toPlainText()
        win.code_pane.list.setCurrentRow(1)
        qloop.run_until_complete(until(lambda: not controller.running, 15))
        assert "second part" not in pane.output.toPlainText()  # ended while away: not drawn here
        win.code_pane.list.setCurrentRow(0)
        text = pane.output.toPlainText()
        assert "first part" in text and "second part" in text
        assert pane.status.text().startswith("Exit status 0")
