"""A conversation's MCP tools: the servers it has on, as tools of the tool loop.

`ConversationServers` is what `ToolBox` asks: which MCP tools to offer (those of the servers
the conversation has on, started when it first needs them), whether one runs without asking
(the server's `alwaysAllow`), and to run one. MCP tools are of kind EXEC: they ask before
they run unless allowed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app.core.i18n import QT_TRANSLATE_NOOP, Text
from app.core.mcp.hub import McpHub
from app.core.mcp.problems import McpProblem
from app.core.mcp.server import CallResult, McpTool, ServerState


class ConversationServers:
    def __init__(
        self, hub: McpHub, names: Callable[[], list[str]], timeout: Callable[[], float]
    ) -> None:
        self.hub = hub
        self.names = names  # the servers this conversation has on (enabled ones only)
        self.timeout = timeout

    def _on(self) -> list[str]:
        enabled = set(self.hub.enabled())
        return [n for n in self.names() if n in enabled]

    def to_start(self) -> list[str]:
        """The servers on for the conversation that do not run yet."""
        return [n for n in self._on() if self.hub.state(n) != ServerState.READY]

    async def prepare(self) -> list[Text]:
        """Start the servers that are on and not running; what failed, in words."""
        names = self.to_start()  # all at once: a slow one (npx fetching) holds up no other
        done = await asyncio.gather(*(self.hub.start(n) for n in names), return_exceptions=True)
        problems: list[Text] = []
        for name, outcome in zip(names, done, strict=True):
            if isinstance(outcome, McpProblem):
                problems.append(
                    QT_TRANSLATE_NOOP(
                        "McpProblem", "The MCP server {name} is not available: {problem}"
                    ).format(name=name, problem=outcome.message)
                )
            elif isinstance(outcome, BaseException):
                raise outcome
        return problems

    def tools(self) -> list[McpTool]:
        return self.hub.tools(self._on())

    def always_allowed(self, tool: McpTool) -> bool:
        config = self.hub.configs.get(tool.server)
        return config is not None and tool.name in config.always_allow

    async def call(self, tool: McpTool, arguments: dict[str, Any]) -> CallResult:
        return await self.hub.call(tool.server, tool.name, arguments, self.timeout())
