"""The `run_code` tool: the model runs what it wrote, in the snippet runner's sandbox.

Kind exec: the user is asked before each call unless they allowed it for the conversation,
and always when no sandbox works here (the runner says so: `CodeRunner.unconfined`). The
answer the model gets is `outcome.for_model`: how it ran (the sandbox layer, the network),
how it ended, the time, the peak memory and the end of its output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from app.core.tools.declare import Tool, ToolKind

if TYPE_CHECKING:
    from app.core.runner.record import RunRecord

RUN_CODE = Tool(
    "run_code",
    "Run a snippet of code on the user's machine in a sandbox (no network, no access to the "
    "user's files, a fresh empty folder as the working directory, 30 s time limit) and get "
    "its exit status, output and time. Use it to check that code you wrote works.",
    {
        "type": "object",
        "properties": {
            "language": {
                "type": "string",
                "enum": ["python", "javascript", "shell"],
                "description": "python (python3), javascript (node) or shell (bash)",
            },
            "code": {"type": "string", "description": "the whole program to run"},
        },
        "required": ["language", "code"],
        "additionalProperties": False,
    },
    ToolKind.EXEC,
)


class CodeRunner(Protocol):
    def unconfined(self) -> bool:
        """True when runs have no sandbox (limits only): every run is asked for."""
        ...

    async def run_code(self, language: str, code: str) -> RunRecord:
        """Run it; ToolRefused says why it cannot (no runtime, a forced sandbox missing)."""
        ...
