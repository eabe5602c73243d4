"""All MCP servers of the app, on a thread of their own.

The SDK (and its pydantic/anyio stack, ~0.7 s to import) is loaded on this thread when a
server is first used, never at start-up, and a slow server, a big result being validated or
a process being ended never holds up the window. The thread runs a plain asyncio loop; each
server's session is a task on it (`server.py`).

The hub's methods are called from the app's loop (the Qt one) and return awaitables of that
loop: cancelling one (Stop) cancels the work on the MCP thread, which sends the server a
cancellation. `on_change(name)` is called on the MCP thread whenever a server's state, tools
or log change; the Qt service turns it into a signal.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, TypeVar

from app.core.child_process import end_orphan
from app.core.mcp.config import ServerConfig
from app.core.mcp.server import (
    START_TIMEOUT,
    CallResult,
    McpServer,
    McpTool,
    Secrets,
    ServerState,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
PID_DIR = "mcp-pids"


def end_orphans(profile: Path) -> list[int]:
    """End the MCP servers a killed app left (blocking: call it off the GUI thread)."""
    folder = profile / PID_DIR
    if not folder.is_dir():
        return []
    ended = []
    for pid_file in sorted(folder.glob("*.json")):
        pid = end_orphan(pid_file, lambda _record, cmdline: bool(cmdline), "MCP server")
        if pid is not None:
            ended.append(pid)
    return ended


def _plain_loop() -> asyncio.AbstractEventLoop:
    """asyncio's own loop, whatever policy is installed (qasync's would make a Qt loop,
    which cannot run on another thread)."""
    if sys.platform == "win32":  # pragma: no cover - subprocesses need the Proactor loop
        return asyncio.ProactorEventLoop()
    return asyncio.SelectorEventLoop()


class McpHub:
    def __init__(
        self,
        secrets: Secrets,
        profile: Path | None,
        on_change: Callable[[str], None] = lambda _name: None,
    ) -> None:
        self.secrets = secrets
        self.profile = profile
        self.on_change = on_change
        self.start_timeout = START_TIMEOUT  # seconds to start a server and list its tools
        self._configs: dict[str, ServerConfig] = {}
        self._servers: dict[str, McpServer] = {}  # touched on the MCP thread only
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- configuration (any thread) ------------------------------------------------------

    def configure(self, configs: Iterable[ServerConfig]) -> None:
        """The servers from now on. A server removed, disabled or changed is stopped (a
        changed one starts again, with its new settings, on its next use)."""
        new = {c.name: c for c in configs}
        old, self._configs = self._configs, new
        gone = [n for n, c in old.items() if new.get(n) != c]
        if gone and self._loop is not None:
            self._submit(self._forget(gone))

    @property
    def configs(self) -> dict[str, ServerConfig]:
        return dict(self._configs)

    def enabled(self) -> list[str]:
        return [n for n, c in self._configs.items() if not c.disabled]

    @property
    def started(self) -> bool:
        return self._loop is not None

    # --- what the UI reads (any thread; a snapshot) --------------------------------------

    def server(self, name: str) -> McpServer | None:
        return self._servers.get(name)

    def state(self, name: str) -> ServerState:
        server = self._servers.get(name)
        return server.state if server is not None else ServerState.STOPPED

    def tools(self, names: Iterable[str]) -> list[McpTool]:
        out: list[McpTool] = []
        for name in names:
            server = self._servers.get(name)
            if server is not None and server.state == ServerState.READY:
                out += server.tools
        return out

    # --- work (from the app's loop) ------------------------------------------------------

    async def start(self, name: str) -> McpServer:
        """Start the server (if it does not run) and wait until its tools are known."""
        return await self._await(self._start(name))

    async def call(
        self, name: str, tool: str, arguments: dict[str, Any], timeout: float
    ) -> CallResult:
        return await self._await(self._call(name, tool, arguments, timeout))

    async def stop(self, name: str) -> None:
        if self._loop is not None:
            await self._await(self._forget([name]))

    def shutdown(self, timeout: float = 8.0) -> None:
        """Stop every server and the thread (blocks up to `timeout`: at quit)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._forget(list(self._servers)), loop)
        with contextlib.suppress(Exception):
            future.result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(2.0)
        self._loop = self._thread = None

    # --- the MCP thread ------------------------------------------------------------------

    def _ensure_thread(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = _plain_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    ready.set()
                    loop.run_forever()
                    with contextlib.suppress(Exception):
                        loop.run_until_complete(loop.shutdown_asyncgens())
                    loop.close()

                # Not a daemon: the interpreter must not end under a server being stopped.
                self._thread = threading.Thread(target=run, name="mcp", daemon=False)
                self._thread.start()
                ready.wait()
                # Before the interpreter waits for non-daemon threads: stop the servers
                # even when the app did not (a crash path).
                register = getattr(threading, "_register_atexit", None)
                if register is not None:
                    register(self.shutdown)
                self._loop = loop
            return self._loop

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_thread())

    async def _await(self, coro: Coroutine[Any, Any, T]) -> T:
        future = self._submit(coro)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()  # cancels the task on the MCP thread
            raise

    def _server(self, name: str) -> McpServer:
        from app.core.mcp.problems import McpProblem, ProblemKind

        config = self._configs.get(name)
        if config is None or config.disabled:
            raise McpProblem(ProblemKind.STOPPED, f"The MCP server {name} is not enabled.")
        server = self._servers.get(name)
        if server is None or server.config != config:
            pid_dir = self.profile / PID_DIR if self.profile else None
            logs = self.profile / "logs" if self.profile else None
            server = McpServer(
                config, self.secrets, logs, pid_dir, self._changed, self.start_timeout
            )
            self._servers[name] = server
        return server

    def _changed(self, server: McpServer) -> None:
        try:
            self.on_change(server.name)
        except Exception:  # a listener's failure must not end a session
            log.exception("MCP change listener failed")

    async def _start(self, name: str) -> McpServer:
        server = self._server(name)
        await server.start()
        return server

    async def _call(
        self, name: str, tool: str, arguments: dict[str, Any], timeout: float
    ) -> CallResult:
        return await self._server(name).call(tool, arguments, timeout)

    async def _forget(self, names: list[str]) -> None:
        servers = [self._servers.pop(n) for n in names if n in self._servers]
        await asyncio.gather(*(s.stop() for s in servers), return_exceptions=True)
        for server in servers:
            self._changed(server)
