"""The user's MCP servers as a Qt service: the configuration, its secrets, their states.

Owns the `McpHub` (app/core/mcp/hub.py; nothing of the SDK is imported until a server is
used) and the list of configured servers: the profile's `mcp.json`, plus the files given
with `--mcp-config` for this run. The values of a server's `env` and `headers` go to the
secret store (the OS keyring), never to a file; a hand-edited `mcp.json` that has values is
rewritten without them once they are stored.

`serverChanged(name)` fires (on the GUI thread) whenever a server's state, tools or log
change; `serversChanged()` when the list itself changes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core import redact
from app.core.mcp import config as mcp_config
from app.core.mcp.config import ConfigError, Parsed, ServerConfig
from app.core.mcp.hub import McpHub, end_orphans
from app.core.mcp.problems import McpProblem
from app.core.mcp.server import McpServer, ServerState
from app.core.secrets import SecretStore
from app.core.snippet_files import write_text

log = logging.getLogger(__name__)

__all__ = [
    "ConfigError",
    "McpProblem",
    "McpService",
    "Parsed",
    "ServerConfig",
    "ServerState",
]


class McpService(QObject):
    serverChanged = Signal(str)
    serversChanged = Signal()
    _changed = Signal(str)  # from the MCP thread; queued to the GUI thread

    def __init__(
        self, secrets: SecretStore, profile: Path | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.secrets = secrets
        self.profile = profile
        self.path = profile / mcp_config.FILE_NAME if profile is not None else None
        self.problems: list[str] = []  # what was wrong in the files read, in words
        self._saved: list[ServerConfig] = []
        self._transient: list[ServerConfig] = []
        self._pending_secrets: dict[str, str] = {}  # found in a hand-edited mcp.json
        self.hub = McpHub(self._secret, profile, self._changed.emit)
        self._changed.connect(self.serverChanged)
        self._load()

    # --- the list ------------------------------------------------------------------------

    def servers(self) -> list[ServerConfig]:
        """Every configured server: saved ones, then this run's (a name in both: this run's)."""
        names = {c.name for c in self._transient}
        return [c for c in self._saved if c.name not in names] + self._transient

    def config(self, name: str) -> ServerConfig | None:
        return next((c for c in self.servers() if c.name == name), None)

    def enabled(self) -> list[str]:
        return [c.name for c in self.servers() if not c.disabled]

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            parsed = mcp_config.parse(self.path.read_text(encoding="utf-8"))
        except (OSError, ConfigError) as exc:
            self.problems.append(f"{self.path}: {exc}")
            return
        self.problems += [f"{self.path.name}: {s}" for s in parsed.skipped]
        for server in parsed.servers:
            plain, values = mcp_config.split_secrets(server)
            self._saved.append(plain)
            self._pending_secrets |= values
        for value in self._pending_secrets.values():
            redact.remember(value)
        self.hub.configure(self.servers())

    async def settle(self) -> None:
        """At start-up, off the GUI thread: end servers a killed app left, and move values
        found in a hand-edited mcp.json to the keyring (then the file loses them)."""
        if self.profile is not None:
            ended = await asyncio.to_thread(end_orphans, self.profile)
            if ended:
                log.warning("ended %d MCP server(s) left by an earlier run", len(ended))
        if self._pending_secrets:
            values, self._pending_secrets = self._pending_secrets, {}
            for account, value in values.items():
                await self.secrets.aset(account, value)
            await self._save()

    async def start_marked(self) -> None:
        """Start the servers marked "start with the app"."""
        for c in self.servers():
            if c.start_with_app and not c.disabled:
                await self.start(c.name)

    def add_file(self, path: str) -> Parsed:
        """`--mcp-config FILE`: its servers, for this run only (values kept in memory)."""
        parsed = mcp_config.parse(Path(path).expanduser().read_text(encoding="utf-8"), True)
        for server in parsed.servers:
            for value in (*server.env.values(), *server.headers.values()):
                redact.remember(value)
        names = {s.name for s in parsed.servers}
        self._transient = [c for c in self._transient if c.name not in names] + parsed.servers
        self.problems += [f"{path}: {s}" for s in parsed.skipped]
        self._apply()
        return parsed

    async def put(self, server: ServerConfig, replaces: str = "") -> None:
        """Add a server, or replace the one named `replaces` (a rename moves its values).
        Values in `server.env`/`headers` go to the keyring; a key listed without a value
        keeps the value it had."""
        old = self.config(replaces or server.name)
        if server.transient:
            self._transient = [c for c in self._transient if c.name != (replaces or server.name)]
            self._transient.append(server)
            self._apply()
            return
        plain, values = mcp_config.split_secrets(server)
        for account, value in values.items():
            redact.remember(value)
            await self.secrets.aset(account, value)
        if old is not None and not old.transient:
            for kind, keys in (("env", old.env_keys), ("header", old.header_keys)):
                kept = plain.env_keys if kind == "env" else plain.header_keys
                for key in keys:
                    account = mcp_config.secret_account(old.name, kind, key)
                    new_account = mcp_config.secret_account(plain.name, kind, key)
                    if key not in kept:
                        await self.secrets.adelete(account)
                    elif old.name != plain.name and new_account not in values:
                        value = await self.secrets.aget(account)
                        if value:
                            await self.secrets.aset(new_account, value)
                        await self.secrets.adelete(account)
        gone = {replaces, server.name} - {""}
        self._saved = [c for c in self._saved if c.name not in gone] + [plain]
        await self._save()

    async def import_text(self, text: str) -> Parsed:
        """Import the servers of a pasted or chosen configuration (a whole
        claude_desktop_config.json included); ConfigError when it holds none."""
        parsed = mcp_config.parse(text)
        for server in parsed.servers:
            await self.put(server)
        return parsed

    async def remove(self, name: str) -> None:
        old = self.config(name)
        if old is None:
            return
        if old.transient:
            self._transient = [c for c in self._transient if c.name != name]
            self._apply()
            return
        for kind, keys in (("env", old.env_keys), ("header", old.header_keys)):
            for key in keys:
                await self.secrets.adelete(mcp_config.secret_account(name, kind, key))
        self._saved = [c for c in self._saved if c.name != name]
        await self._save()

    async def set_enabled(self, name: str, enabled: bool) -> None:
        old = self.config(name)
        if old is None or old.disabled == (not enabled):
            return
        await self._changed_in_place(replace(old, disabled=not enabled))

    async def allow_always(self, name: str, tool: str) -> None:
        """Add a tool to the server's alwaysAllow."""
        old = self.config(name)
        if old is None or tool in old.always_allow:
            return
        await self._changed_in_place(replace(old, always_allow=old.always_allow | {tool}))

    async def _changed_in_place(self, new: ServerConfig) -> None:
        """A server's new settings, same name (saved unless it is for this run only)."""
        if new.transient:
            self._transient = [new if c.name == new.name else c for c in self._transient]
            self._apply()
        else:
            self._saved = [new if c.name == new.name else c for c in self._saved]
            await self._save()

    async def _save(self) -> None:
        self._apply()
        if self.path is not None:
            text = mcp_config.to_json(self._saved)
            await asyncio.to_thread(write_text, self.path, text)

    def _apply(self) -> None:
        self.hub.configure(self.servers())
        self.serversChanged.emit()

    # --- running -------------------------------------------------------------------------

    def _secret(self, account: str) -> str | None:
        """On the MCP thread: a value from the keyring (may block there, not here)."""
        return self.secrets.get(account)

    def server(self, name: str) -> McpServer | None:
        return self.hub.server(name)

    def state(self, name: str) -> ServerState:
        return self.hub.state(name)

    async def start(self, name: str) -> McpProblem | None:
        """Start a server; None when it runs, else what went wrong."""
        try:
            await self.hub.start(name)
        except McpProblem as problem:
            return problem
        return None

    async def stop(self, name: str) -> None:
        await self.hub.stop(name)

    async def shutdown(self) -> None:
        """At quit: every server stopped, its process group ended."""
        if self.hub.started:
            await asyncio.to_thread(self.hub.shutdown)
