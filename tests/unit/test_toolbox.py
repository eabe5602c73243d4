"""One tool call through the ToolBox: approval where it must be, every outcome answered."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from app.core.protocol import ToolCall
from app.core.tools.toolbox import DECLINED, CallState, Decision, ToolBox
from app.core.tools.workspace import Workspace


def call(name: str, **arguments: object) -> ToolCall:
    return ToolCall(index=0, id="call_1", name=name, arguments=json.dumps(arguments))


class Approver:
    def __init__(self, *decisions: Decision) -> None:
        self.decisions = list(decisions)
        self.asked: list[tuple[str, str]] = []  # (tool, diff)

    async def __call__(self, c, tool, plan) -> Decision:
        self.asked.append((tool.name, plan.diff if plan else ""))
        return self.decisions.pop(0)


@pytest.fixture
def box(tmp_path: Path) -> ToolBox:
    (tmp_path / "a.py").write_text("x = 1\n")
    return ToolBox(Workspace(tmp_path))


def run(box: ToolBox, c: ToolCall, approve: Approver, states: list | None = None):
    return asyncio.run(box.run(c, approve, (states.append if states is not None else None)))


def test_no_workspace_no_tools():
    box = ToolBox(None)
    assert box.tools == () and box.wire() == []
    outcome = run(box, call("read_file", path="a.py"), Approver())
    assert outcome.state == CallState.REFUSED and "offered: none" in outcome.result


def test_reads_run_at_once_and_writes_wait_for_approval(box: ToolBox, tmp_path: Path):
    approve = Approver(Decision.ONCE)
    states: list[CallState] = []
    read = run(box, call("read_file", path="a.py"), approve, states)
    assert read.state == CallState.DONE and "x = 1" in read.result and approve.asked == []
    write = run(
        box, call("edit_file", path="a.py", old_text="x = 1", new_text="x = 2"), approve, states
    )
    assert write.state == CallState.DONE and (tmp_path / "a.py").read_text() == "x = 2\n"
    assert approve.asked == [("edit_file", write.plan.diff)] and "+x = 2" in write.plan.diff
    assert states == [CallState.RUNNING, CallState.WAITING, CallState.RUNNING]
    assert (tmp_path / "a.py.bak").read_text() == "x = 1\n"


def test_a_declined_write_writes_nothing_and_tells_the_model(box: ToolBox, tmp_path: Path):
    outcome = run(box, call("write_file", path="new.txt", content="hi"), Approver(Decision.DENY))
    assert outcome.state == CallState.DECLINED and outcome.result == DECLINED
    assert not (tmp_path / "new.txt").exists()


def test_allowed_for_the_conversation_is_not_asked_again(box: ToolBox, tmp_path: Path):
    approve = Approver(Decision.CONVERSATION)
    run(box, call("write_file", path="one.txt", content="1"), approve)
    run(box, call("write_file", path="two.txt", content="2"), approve)
    assert len(approve.asked) == 1 and (tmp_path / "two.txt").read_text() == "2"


def test_asking_before_reads_when_the_setting_says_so(tmp_path: Path):
    (tmp_path / "a.py").write_text("x\n")
    box = ToolBox(Workspace(tmp_path), ask_before_read=True)
    outcome = run(box, call("list_directory"), Approver(Decision.DENY))
    assert outcome.state == CallState.DECLINED


def test_refusals_are_answers_not_errors(box: ToolBox):
    cases = [
        (call("read_file", path="../etc/passwd"), "outside the workspace"),
        (call("read_file"), "'path' is missing"),
        (call("delete_file", path="a.py"), "There is no tool 'delete_file'"),
        (ToolCall(index=0, id="c", name="read_file", arguments="{oops"), "not valid JSON"),
        (call("edit_file", path="a.py", old_text="nope", new_text=""), "does not occur"),
    ]
    for c, why in cases:
        outcome = run(box, c, Approver())
        assert outcome.state == CallState.REFUSED and why in outcome.result, outcome


def test_stop_while_waiting_for_approval_cancels_the_call(box: ToolBox, tmp_path: Path):
    async def never(c, tool, plan) -> Decision:
        await asyncio.Event().wait()
        return Decision.ONCE

    async def main() -> None:
        task = asyncio.ensure_future(box.run(call("write_file", path="x.txt", content="x"), never))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert not (tmp_path / "x.txt").exists()
