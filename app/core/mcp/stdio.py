"""Our stdio transport for MCP: the SDK's streams, our process handling.

The SDK's own `stdio_client` hides its process; we need it: the pid goes into a pid file
(so the next start can end a server a killed app left), the process group is ours to end,
stderr goes line by line (keys redacted) to the server's log, and when the server dies we
know its exit status while the session only sees its stream end.

`StdioTransport` is an async context manager that yields the (read, write) stream pair the
SDK's `Client` takes as a transport. Enter and exit it in the same task (anyio's rule).
Messages are newline-delimited JSON-RPC on stdin/stdout; a stdout line that is not JSON-RPC
(a server printing a banner) goes to the log instead of failing the session.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import anyio
import anyio.abc
import mcp_types
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.shared.message import SessionMessage

from app.core import child_process

log = logging.getLogger(__name__)

GRACE = 2.0  # seconds a server has to exit once its stdin is closed
KILL_AFTER = 2.0  # ... and after SIGTERM, before SIGKILL


class StdioTransport:
    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        cwd: str | None,
        on_log: Callable[[str], None],
        pid_file: Path | None = None,
    ) -> None:
        self.argv = argv
        self.env = dict(env)
        self.cwd = cwd or None
        self.on_log = on_log
        self.pid_file = pid_file
        self.process: anyio.abc.Process | None = None
        self.exited = anyio.Event()  # set when the process has ended, for whatever reason
        self.ended_by_us = False  # it was still running when the transport closed
        self._tg: anyio.abc.TaskGroup | None = None
        self._streams: list[Any] = []

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process is not None else None

    async def __aenter__(
        self,
    ) -> tuple[MemoryObjectReceiveStream[Any], MemoryObjectSendStream[SessionMessage]]:
        self.process = await anyio.open_process(
            self.argv,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,  # its own process group: ended whole
        )
        if self.pid_file is not None:
            child_process.write_record(self.pid_file, self.process.pid, argv0=self.argv[0])
        read_send, read_recv = anyio.create_memory_object_stream[Any](0)
        write_send, write_recv = anyio.create_memory_object_stream[SessionMessage](0)
        self._streams = [read_send, read_recv, write_send, write_recv]
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._read_stdout, read_send)
        self._tg.start_soon(self._write_stdin, write_recv)
        self._tg.start_soon(self._read_stderr)
        self._tg.start_soon(self._watch)
        return read_recv, write_send

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        with anyio.CancelScope(shield=True):  # the process must end, even on cancellation
            await self._stop_process()
            for stream in self._streams:
                await stream.aclose()
            assert self._tg is not None
            self._tg.cancel_scope.cancel()
            with contextlib.suppress(Exception):
                await self._tg.__aexit__(None, None, None)
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)
        return None

    async def _read_stdout(self, send: MemoryObjectSendStream[Any]) -> None:
        assert self.process is not None and self.process.stdout is not None
        try:
            async for raw in _lines(self.process.stdout):
                line = raw.strip()
                if not line:
                    continue
                try:
                    message = mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                except ValueError:
                    text = line[:500].decode("utf-8", errors="replace")
                    self.on_log(f"[stdout, not MCP] {text}")
                    continue
                await send.send(SessionMessage(message))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream):
            pass
        finally:
            # stdout ends when the server exits: know its exit status before the session
            # learns that the connection is gone (so a crash is told as one).
            with anyio.move_on_after(1.0, shield=True):
                await self.exited.wait()
            with contextlib.suppress(Exception):
                await send.aclose()  # the session sees the connection end

    async def _write_stdin(self, receive: MemoryObjectReceiveStream[SessionMessage]) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            async for message in receive:
                data = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                await self.process.stdin.send(data.encode() + b"\n")
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            pass

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            async for raw in _lines(self.process.stderr, longest=10_000):
                self.on_log(raw.decode("utf-8", errors="replace").rstrip("\r"))

    async def _watch(self) -> None:
        assert self.process is not None
        with contextlib.suppress(Exception):
            await self.process.wait()
        self.exited.set()

    async def _stop_process(self) -> None:
        """Close stdin, give it GRACE seconds, then SIGTERM and SIGKILL the group."""
        process = self.process
        if process is None:
            return
        self.ended_by_us = not self.exited.is_set()
        if process.stdin is not None:
            with contextlib.suppress(Exception):
                await process.stdin.aclose()
        with anyio.move_on_after(GRACE):
            await self.exited.wait()
        for sig, wait in ((signal.SIGTERM, KILL_AFTER), (signal.SIGKILL, KILL_AFTER)):
            if self.exited.is_set():
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            with anyio.move_on_after(wait):
                await self.exited.wait()
        # What the server started in its group (a node under npx) goes with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


async def _lines(stream: Any, longest: int = 0) -> Any:
    """The lines of a byte stream (without their newline), the last one even without it.
    A long line is joined once, not re-copied with every chunk (a 5 MB result arrives in
    ~80 chunks); with `longest`, a line past that many bytes comes in pieces (a log)."""
    pending: list[bytes] = []
    size = 0
    async for chunk in stream:
        while chunk:
            end = chunk.find(b"\n")
            if end < 0:
                pending.append(chunk)
                size += len(chunk)
                if longest and size > longest:
                    yield b"".join(pending)
                    pending, size = [], 0
                break
            pending.append(chunk[:end])
            yield b"".join(pending)
            pending, size = [], 0
            chunk = chunk[end + 1 :]
    if pending:
        yield b"".join(pending)
