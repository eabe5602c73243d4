"""What went wrong with an MCP server, in words a person can act on.

An `McpProblem` carries a kind (for tests and for what the UI offers), a message (what
happened and what to do, translatable) and a detail (the PATH searched, the server's last
log lines, what the server said) shown under it.
"""

from __future__ import annotations

from enum import StrEnum


class ProblemKind(StrEnum):
    NOT_FOUND = "not_found"  # the command is not installed (or not on the PATH searched)
    EXITED = "exited"  # the server process ended (during start-up, or later: a crash)
    PROTOCOL = "protocol"  # it speaks no MCP version we do, or not MCP at all
    AUTH = "auth"  # a remote server said 401/403
    NO_SERVER = "no_server"  # a remote server said 404: nothing at that URL
    UNREACHABLE = "unreachable"  # connection refused, DNS, TLS
    TIMEOUT = "timeout"  # no answer in time
    CALL = "call"  # a tool call failed
    SECRETS = "secrets"  # its env/header values are not in the keyring
    STOPPED = "stopped"  # stopped (disabled, quit) while in use


class McpProblem(Exception):
    def __init__(self, kind: ProblemKind, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message}\n{self.detail}" if self.detail else self.message
