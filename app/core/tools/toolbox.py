"""Runs one tool call: checked, approved where it must be, run off the event loop.

A `ToolBox` belongs to one conversation: its workspace (no tools are offered without one),
the approval settings (`tools.ask_before_read`, default off; `tools.ask_before_write`,
default on) and what the user allowed for the whole conversation. `run` never raises for a
failure of the call: every outcome, refusal and "the user declined" included, is a
`CallOutcome` whose `result` goes back to the model as the `tool` message, so every call
is answered. Cancelling the task that awaits `run` (Stop) cancels it; the caller records
the call as cancelled and answers it with `NOT_RUN`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.core.conversation import NOT_RUN  # noqa: F401  (the answer of a call never run)
from app.core.protocol import ToolCall
from app.core.tools.declare import CallState, Decision, Tool, ToolKind, ToolRefused
from app.core.tools.workspace import (
    EDIT_FILE,
    LIST_DIRECTORY,
    READ_FILE,
    SEARCH_FILES,
    WORKSPACE_TOOLS,
    WRITE_FILE,
    Workspace,
    WritePlan,
)

DECLINED = "The user declined this call; it was not run."


@dataclass(frozen=True)
class CallOutcome:
    state: CallState
    result: str  # the tool message's content
    seconds: float = 0.0
    plan: WritePlan | None = None  # a write's change (its diff, for the card)


# Asked before a call runs: the call, its tool, and for a write the change it would make.
Approver = Callable[[ToolCall, Tool, WritePlan | None], Awaitable[Decision]]


class ToolBox:
    def __init__(
        self,
        workspace: Workspace | None,
        ask_before_read: bool = False,
        ask_before_write: bool = True,
    ) -> None:
        self.workspace = workspace
        self.ask_before_read = ask_before_read
        self.ask_before_write = ask_before_write
        self.allowed: set[ToolKind] = set()  # allowed for the rest of this conversation

    @property
    def tools(self) -> tuple[Tool, ...]:
        """The tools offered: none while the conversation has no workspace."""
        return WORKSPACE_TOOLS if self.workspace is not None else ()

    def wire(self) -> list[dict[str, Any]]:
        return [tool.to_wire() for tool in self.tools]

    def needs_approval(self, tool: Tool) -> bool:
        if tool.kind in self.allowed:
            return False
        if tool.kind == ToolKind.READ:
            return self.ask_before_read
        return self.ask_before_write or tool.kind in (ToolKind.EXEC, ToolKind.NETWORK)

    async def run(
        self,
        call: ToolCall,
        approve: Approver,
        on_state: Callable[[CallState], None] | None = None,
    ) -> CallOutcome:
        """Run call; `on_state` hears WAITING (approval asked) and RUNNING (it runs)."""
        started = time.monotonic()  # reset when it runs: the wait for approval is not counted

        def outcome(state: CallState, result: str, plan: WritePlan | None = None) -> CallOutcome:
            return CallOutcome(state, result, time.monotonic() - started, plan)

        tool = next((t for t in self.tools if t.name == call.name), None)
        if tool is None or self.workspace is None:
            offered = ", ".join(t.name for t in self.tools) or "none"
            return outcome(
                CallState.REFUSED, f"There is no tool {call.name!r} (offered: {offered})."
            )
        ws = self.workspace
        plan: WritePlan | None = None
        try:
            args = tool.parse_arguments(call.arguments)
            if tool is WRITE_FILE:
                plan = await asyncio.to_thread(ws.plan_write, args["path"], args["content"])
            elif tool is EDIT_FILE:
                plan = await asyncio.to_thread(
                    ws.plan_edit, args["path"], args["old_text"], args["new_text"]
                )
            if self.needs_approval(tool):
                if on_state:
                    on_state(CallState.WAITING)
                decision = await approve(call, tool, plan)
                if decision == Decision.DENY:
                    return outcome(CallState.DECLINED, DECLINED, plan)
                if decision == Decision.CONVERSATION:
                    self.allowed.add(tool.kind)
            started = time.monotonic()
            if on_state:
                on_state(CallState.RUNNING)
            if plan is not None:
                result = await asyncio.to_thread(ws.apply, plan)
            elif tool is READ_FILE:
                result = await asyncio.to_thread(ws.read_file, **args)
            elif tool is LIST_DIRECTORY:
                result = await asyncio.to_thread(ws.list_directory, **args)
            elif tool is SEARCH_FILES:
                result = await asyncio.to_thread(ws.search_files, **args)
            else:  # pragma: no cover - every offered tool is dispatched above
                raise ToolRefused(f"{tool.name} cannot run here.")
        except ToolRefused as refused:
            return outcome(CallState.REFUSED, str(refused), plan)
        except OSError as exc:
            return outcome(CallState.FAILED, f"The tool failed: {exc.strerror or exc}.", plan)
        return outcome(CallState.DONE, result, plan)
