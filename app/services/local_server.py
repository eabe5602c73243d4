"""The local llama-server as a Qt service: state changes and log lines as signals.

Owns one `LocalServer` (app/core/localserver.py). Every slow step (starting the process,
reading a GGUF header, probing ports) runs on the event loop or a worker thread, never
blocking the GUI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core.discovery import DetectedServer, detect
from app.core.gguf_info import GgufInfo, read_gguf_info
from app.core.localserver import (
    DEFAULT_PORT,
    PID_FILE,
    LaunchOptions,
    LocalServer,
    LocalServerError,
    ServerState,
    end_orphan,
    generate_key,
)
from app.core.providers import Provider
from app.services.translation import exception_text

# What the UI needs of the core's local server, named here so that widgets depend on this
# service and not on app.core.localserver (an import-linter contract in pyproject.toml).
__all__ = [
    "DEFAULT_PORT",
    "DetectedServer",
    "GgufInfo",
    "LaunchOptions",
    "LocalServerService",
    "ServerState",
    "generate_key",
]


class LocalServerService(QObject):
    stateChanged = Signal(str, str)  # ServerState value, detail
    logLine = Signal(str)
    failed = Signal(str)  # could not start: what happened and what to do

    def __init__(self, profile: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pid_file = profile / PID_FILE
        self.server = LocalServer(
            self.pid_file,
            on_change=lambda state, detail: self.stateChanged.emit(str(state), detail),
            on_log=self.logLine.emit,
        )
        self.configured_binary: str | None = None  # a path set by the user, else PATH

    @property
    def state(self) -> ServerState:
        return self.server.state

    def end_orphan(self) -> int | None:
        """At start-up: end a server an earlier run of the app left behind."""
        return end_orphan(self.pid_file)

    async def start(self, options: LaunchOptions) -> bool:
        try:
            await self.server.start(options, self.configured_binary)
        except LocalServerError as exc:
            self.failed.emit(exception_text(exc))
            return False
        return True

    async def stop(self) -> None:
        await self.server.stop()

    def provider_for(self, base: Provider) -> Provider:
        """The local provider pointed at the running server, with its real context size."""
        provider = base.with_overrides(base_url=self.server.base_url or base.base_url)
        info = self.server.info
        if info and info.n_ctx:
            provider = provider.with_context(info.n_ctx)
        if info:
            provider = provider.with_tools_as_text(info.glm4_stock_template)
        return provider

    @staticmethod
    async def read_gguf(path: Path) -> GgufInfo:
        """The model file's metadata, read on a worker thread (raises NotGguf)."""
        return await asyncio.to_thread(read_gguf_info, path)

    @staticmethod
    async def detect(extra_urls: Iterable[str] = ()) -> list[DetectedServer]:
        return await detect(extra_urls)
