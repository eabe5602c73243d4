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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.conversation import NOT_RUN  # noqa: F401  (the answer of a call never run)
from app.core.protocol import ToolCall
from app.core.tools.declare import CallState, Decision, Tool, ToolKind, ToolRefused
from app.core.tools.run_code import RUN_CODE, CodeRunner
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

if TYPE_CHECKING:  # the MCP side is imported with a conversation's first server
    from app.core.mcp.server import McpTool
    from app.core.mcp.tools import ConversationServers
    from app.core.runner.record import RunRecord

DECLINED = "The user declined this call; it was not run."


@dataclass(frozen=True)
class CallOutcome:
    state: CallState
    result: str  # the tool message's content
    seconds: float = 0.0
    plan: WritePlan | None = None  # a write's change (its diff, for the card)
    server: str = ""  # the MCP server that ran it
    images: list[dict[str, str]] = field(default_factory=list)  # an MCP result's images
    run: RunRecord | None = None  # run_code's run (its output, for the code pane)


# Asked before a call runs: the call, its tool, and for a write the change it would make.
Approver = Callable[[ToolCall, Tool, WritePlan | None], Awaitable[Decision]]


class ToolBox:
    def __init__(
        self,
        workspace: Workspace | None,
        ask_before_read: bool = False,
        ask_before_write: bool = True,
        mcp: ConversationServers | None = None,
        runner: CodeRunner | None = None,
    ) -> None:
        self.workspace = workspace
        self.runner = runner  # run_code is offered with one
        self.ask_before_read = ask_before_read
        self.ask_before_write = ask_before_write
        self.mcp = mcp
        self.allowed: set[ToolKind] = set()  # allowed for the rest of this conversation
        self.allowed_mcp: set[str] = set()  # MCP tools (wire names) allowed likewise

    async def prepare(self) -> list[str]:
        """Before a request: start the MCP servers it offers; what failed, in words."""
        return list(await self.mcp.prepare()) if self.mcp is not None else []

    def _mcp_tools(self) -> dict[str, tuple[Tool, McpTool]]:
        if self.mcp is None:
            return {}
        return {
            t.wire: (Tool(t.wire, t.description, t.schema, ToolKind.EXEC), t)
            for t in self.mcp.tools()
        }

    @property
    def tools(self) -> tuple[Tool, ...]:
        """The tools offered: the workspace's (none without one), run_code (with a runner),
        then the MCP servers'."""
        own = WORKSPACE_TOOLS if self.workspace is not None else ()
        run = (RUN_CODE,) if self.runner is not None else ()
        return (*own, *run, *(tool for tool, _ in self._mcp_tools().values()))

    def server_of(self, name: str) -> str:
        """The MCP server of a tool offered under this name ("" for our own tools)."""
        found = self._mcp_tools().get(name)
        return found[1].server if found else ""

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

        mcp_tool = self._mcp_tools().get(call.name)
        if mcp_tool is not None:
            return await self._run_mcp(call, *mcp_tool, approve, on_state)
        tool = next((t for t in self.tools if t.name == call.name), None)
        if tool is RUN_CODE and self.runner is not None:
            return await self._run_code(call, self.runner, approve, on_state)
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

    async def _run_code(
        self,
        call: ToolCall,
        runner: CodeRunner,
        approve: Approver,
        on_state: Callable[[CallState], None] | None,
    ) -> CallOutcome:
        """run_code: asked unless allowed for the conversation, and always without a
        sandbox; a run that fails is FAILED, its output said to the model all the same."""
        from app.core.runner.outcome import for_model

        try:
            args = RUN_CODE.parse_arguments(call.arguments)
        except ToolRefused as refused:
            return CallOutcome(CallState.REFUSED, str(refused))
        if self.needs_approval(RUN_CODE) or runner.unconfined():
            if on_state:
                on_state(CallState.WAITING)
            decision = await approve(call, RUN_CODE, None)
            if decision == Decision.DENY:
                return CallOutcome(CallState.DECLINED, DECLINED)
            if decision == Decision.CONVERSATION:
                self.allowed.add(RUN_CODE.kind)
        started = time.monotonic()
        if on_state:
            on_state(CallState.RUNNING)
        try:
            record = await runner.run_code(args["language"], args["code"])
        except ToolRefused as refused:
            return CallOutcome(CallState.REFUSED, str(refused), time.monotonic() - started)
        state = CallState.DONE if record.ok else CallState.FAILED
        return CallOutcome(state, for_model(record), time.monotonic() - started, run=record)

    async def _run_mcp(
        self,
        call: ToolCall,
        tool: Tool,
        mcp_tool: McpTool,
        approve: Approver,
        on_state: Callable[[CallState], None] | None,
    ) -> CallOutcome:
        """An MCP server's tool: asked unless in its `alwaysAllow` or allowed for the
        conversation; its failure (`isError`, a server gone) is FAILED, said to the model."""
        from app.core.mcp.problems import McpProblem

        assert self.mcp is not None
        server = mcp_tool.server
        try:
            args = tool.parse_arguments(call.arguments)
        except ToolRefused as refused:
            return CallOutcome(CallState.REFUSED, str(refused), 0.0, server=server)
        if not (self.mcp.always_allowed(mcp_tool) or tool.name in self.allowed_mcp):
            if on_state:
                on_state(CallState.WAITING)
            decision = await approve(call, tool, None)
            if decision == Decision.DENY:
                return CallOutcome(CallState.DECLINED, DECLINED, 0.0, server=server)
            if decision == Decision.CONVERSATION:
                self.allowed_mcp.add(tool.name)
        started = time.monotonic()
        if on_state:
            on_state(CallState.RUNNING)
        try:
            result = await self.mcp.call(mcp_tool, args)
        except McpProblem as problem:
            text = f"The MCP server {server} failed: {problem}"
            return CallOutcome(CallState.FAILED, text, time.monotonic() - started, server=server)
        state = CallState.FAILED if result.is_error else CallState.DONE
        return CallOutcome(
            state, result.text, time.monotonic() - started, server=server, images=result.images
        )
