"""One MCP server at run time: its session, tools, state and log.

Everything here runs on the MCP thread's event loop (`hub.py`). A server's session lives
in one long-lived task, `_run`, which enters the transport and the SDK's `Client` and exits
them again (anyio's cancel scopes must be left by the task that entered them): it starts the
server, lists its tools, says it is ready, then waits until it is asked to stop or the
server dies. Calls are made from other tasks on the same loop, through the session.

A server that ends on its own is FAILED with its exit status and its last log lines; the
next use starts it again. Values of `env` and `headers` come from the keyring at each
start, and are redacted from the log.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.core import redact
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.mcp import launch
from app.core.mcp.config import ServerConfig, Transport
from app.core.mcp.names import wire_names
from app.core.mcp.problems import McpProblem, ProblemKind

log = logging.getLogger(__name__)

LOG_LINES = 500  # kept in memory per server (the file keeps more)
LOG_FILE_LIMIT = 1_000_000  # bytes; the file starts over past this
TAIL = 12  # log lines quoted in a problem
START_TIMEOUT = 60.0  # seconds to start and list tools (npx may download the server first)
MAX_IMAGE = 4_000_000  # bytes of one image kept for the card
MAX_RESULT = 100_000  # characters of a result the model gets (about 25,000 tokens)


class ServerState(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class McpTool:
    server: str
    name: str  # the server's own name for it
    wire: str  # the name the model sees: SERVER__TOOL
    description: str
    schema: dict[str, Any]
    read_only: bool = False  # the server's hint (not trusted for approval)


@dataclass
class CallResult:
    text: str  # what goes back to the model
    is_error: bool = False
    images: list[dict[str, str]] = field(default_factory=list)  # {"mime", "data"} base64


Secrets = Callable[[str], str | None]  # keyring entry -> value


class McpServer:
    def __init__(
        self,
        config: ServerConfig,
        secrets: Secrets,
        log_dir: Path | None,
        pid_dir: Path | None,
        on_change: Callable[[McpServer], None],
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.config = config
        self.start_timeout = start_timeout
        self.secrets = secrets
        self.log_file = log_dir / f"mcp-{_file_name(config.name)}.log" if log_dir else None
        self.pid_file = pid_dir / f"{_file_name(config.name)}.json" if pid_dir else None
        self.on_change = on_change
        self.state = ServerState.STOPPED
        self.problem: McpProblem | None = None
        self.tools: list[McpTool] = []
        self.log: deque[str] = deque(maxlen=LOG_LINES)
        self.server_name = ""  # what the server calls itself
        self.protocol = ""
        self._client: Any = None
        self._transport_obj: Any = None
        self._http_status = 0  # the last HTTP error status of a remote server
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self._stop = asyncio.Event()

    @property
    def name(self) -> str:
        return self.config.name

    # --- log -----------------------------------------------------------------------------

    def add_log(self, line: str) -> None:
        line = redact.redact(line)
        stamped = f"{time.strftime('%H:%M:%S')} {line}"
        self.log.append(stamped)
        if self.log_file is not None:
            try:
                self.log_file.parent.mkdir(parents=True, exist_ok=True)
                if self.log_file.exists() and self.log_file.stat().st_size > LOG_FILE_LIMIT:
                    self.log_file.replace(self.log_file.with_suffix(".log.1"))
                with self.log_file.open("a", encoding="utf-8") as f:
                    f.write(stamped + "\n")
            except OSError:
                pass
        self.on_change(self)

    def tail(self, n: int = TAIL) -> str:
        return "\n".join(list(self.log)[-n:])

    # --- life ----------------------------------------------------------------------------

    def _set(self, state: ServerState, problem: McpProblem | None = None) -> None:
        self.state, self.problem = state, problem
        self.on_change(self)

    async def start(self) -> None:
        """Start it unless it runs; return once its tools are known. Raises McpProblem."""
        if self.state == ServerState.READY and self._task is not None and not self._task.done():
            return
        if self._ready is None or self._ready.done():
            self._stop = asyncio.Event()
            self._ready = asyncio.get_running_loop().create_future()
            self._set(ServerState.STARTING)
            self._task = asyncio.create_task(self._run(self._ready), name=f"mcp {self.name}")
        await asyncio.shield(self._ready)

    async def stop(self) -> None:
        """End the session (and the process); waits for it."""
        self._stop.set()
        task = self._task
        if task is not None and not task.done():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(task), 10.0)
            if not task.done():
                task.cancel()
        if self.state != ServerState.FAILED:
            self._set(ServerState.STOPPED)

    async def _run(self, ready: asyncio.Future[None]) -> None:
        transport: Any = None
        try:
            transport = self._transport_obj = await self._transport()
            from mcp import Client
            from mcp.types import Implementation

            deadline = asyncio.timeout(self.start_timeout)  # start, handshake, tool list
            async with (
                deadline,
                Client(
                    transport,
                    client_info=Implementation(name="glm-desk", version="1"),
                    raise_exceptions=True,
                ) as client,
            ):
                self._client = client
                self.protocol = client.protocol_version
                info = client.server_info
                self.server_name = info.name if info is not None else ""
                self.tools = await self._list_tools(client)
                deadline.reschedule(None)  # started: no limit on a session's life
                self.add_log(
                    f"ready: {self.server_name or self.name} (MCP {self.protocol}), "
                    f"{len(self.tools)} tools"
                )
                self._set(ServerState.READY)
                ready.set_result(None)
                died = getattr(transport, "exited", None)
                waits = [asyncio.ensure_future(self._stop.wait())]
                if died is not None:
                    waits.append(asyncio.ensure_future(died.wait()))
                try:
                    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for w in waits:
                        w.cancel()
                if not self._stop.is_set():
                    raise _Died()
        except BaseException as exc:  # every end of the session is said in words
            problem = self._problem_of(exc, transport)
            if problem is not None:
                self.add_log(f"error: {problem.message}")
                self._set(ServerState.FAILED, problem)
                if not ready.done():
                    ready.set_exception(problem)
            elif not ready.done():
                ready.set_exception(McpProblem(ProblemKind.STOPPED, "stopped"))
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            self._client = None
            if self.state == ServerState.READY:
                self._set(ServerState.STOPPED)

    async def _transport(self) -> Any:
        cfg = self.config
        # Values from the keyring (may block on D-Bus: we are on the MCP thread).
        env_keys = dict.fromkeys((*cfg.env_keys, *cfg.env))
        values = {k: self._secret("env", k, cfg.env) for k in env_keys}
        if cfg.transport == Transport.STDIO:
            path = await asyncio.to_thread(launch.search_path)
            program = launch.resolve(cfg.command, path)
            env = launch.server_environment(path, values)
            argv = [program, *cfg.args]
            self.add_log(f"starting: {' '.join([cfg.command, *cfg.args])}")
            from app.core.mcp.stdio import StdioTransport

            pid_file = self.pid_file
            return StdioTransport(argv, env, cfg.cwd or None, self.add_log, pid_file)
        header_keys = dict.fromkeys((*cfg.header_keys, *cfg.headers))
        headers = {k: self._secret("header", k, cfg.headers) for k in header_keys}
        self.add_log(f"connecting: {cfg.url}")
        from mcp.shared._httpx_utils import create_mcp_http_client

        http = create_mcp_http_client(headers=headers)
        self._http_status = 0

        async def seen(response: Any) -> None:  # the SDK keeps no HTTP status in its errors
            if response.status_code >= 400:
                self._http_status = response.status_code

        http.event_hooks = {**http.event_hooks, "response": [seen]}
        if cfg.transport == Transport.SSE:
            from mcp.client.sse import sse_client

            return _Owning(sse_client(cfg.url, headers=headers), http)
        from mcp.client.streamable_http import streamable_http_client

        return _Owning(streamable_http_client(cfg.url, http_client=http), http)

    def _secret(self, kind: str, key: str, inline: Any) -> str:
        from app.core.mcp.config import secret_account

        if key in inline:
            value = str(inline[key])
        else:
            value = self.secrets(secret_account(self.name, kind, key)) or ""
            if not value:
                raise McpProblem(
                    ProblemKind.SECRETS,
                    QT_TRANSLATE_NOOP(
                        "McpProblem",
                        "The value of {key} is not in the keyring. Enter it again in the "
                        "server's settings.",
                    ).format(key=key),
                )
        redact.remember(value)
        return value

    async def _list_tools(self, client: Any) -> list[McpTool]:
        listed: list[Any] = []
        cursor: str | None = None
        for _ in range(100):  # pages; a server that never ends its list is cut off
            page = await client.list_tools(cursor=cursor)
            listed += page.tools
            cursor = page.next_cursor
            if not cursor:
                break
        names = wire_names(self.name, [t.name for t in listed])
        by_name = {t.name: t for t in listed}
        tools = []
        for wire, own in names.items():
            t = by_name[own]
            schema = dict(t.input_schema or {})
            schema.setdefault("type", "object")
            hints = t.annotations
            tools.append(
                McpTool(
                    server=self.name,
                    name=own,
                    wire=wire,
                    description=(t.description or t.title or own)[:4000],
                    schema=schema,
                    read_only=bool(hints and hints.read_only_hint),
                )
            )
        return tools

    # --- calls ---------------------------------------------------------------------------

    async def call(self, tool: str, arguments: dict[str, Any], timeout: float) -> CallResult:
        """Call one tool; a failure of the call is a CallResult with is_error (what the
        model is told), a server that cannot be reached is McpProblem. Cancelling the
        awaiting task sends the server a cancellation."""
        await self.start()
        client = self._client
        if client is None:
            raise McpProblem(ProblemKind.STOPPED, "The server stopped.")
        from mcp import MCPError

        try:
            result = await client.call_tool(tool, arguments, read_timeout_seconds=timeout)
        except Exception as exc:
            await self._if_died()  # a crash shows first as "connection closed"
            if getattr(exc, "code", None) == -32001:  # REQUEST_TIMEOUT
                return CallResult(
                    QT_TRANSLATE_NOOP(
                        "McpProblem",
                        "The tool did not answer within {seconds:g} s and was cancelled.",
                    ).format(seconds=timeout),
                    is_error=True,
                )
            if not isinstance(exc, MCPError):
                log.warning("MCP call failed", exc_info=exc)
            return CallResult(f"The tool call failed: {_said(exc)}", is_error=True)
        return result_of(result)

    async def _if_died(self) -> None:
        """Raise the server's problem if its process has ended (waiting a moment for the
        end to be seen, and for the session's task to say why)."""
        exited = getattr(self._transport_obj, "exited", None)
        if exited is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await exited.wait()
        if not exited.is_set():
            return
        if self._task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(self._task), 3.0)
        raise self.problem or McpProblem(ProblemKind.EXITED, "The server exited.", self.tail())

    def _problem_of(self, exc: BaseException, transport: Any) -> McpProblem | None:
        """exc as McpProblem; None for a stop we asked for."""
        if isinstance(exc, BaseExceptionGroup):
            inner = [e for e in exc.exceptions if not isinstance(e, asyncio.CancelledError)]
            if inner:
                return self._problem_of(inner[0], transport)
        if isinstance(exc, McpProblem):
            return exc
        if isinstance(exc, TimeoutError):
            return McpProblem(
                ProblemKind.TIMEOUT,
                QT_TRANSLATE_NOOP(
                    "McpProblem", "The server {name} did not answer within {seconds:g} s."
                ).format(name=self.name, seconds=self.start_timeout),
                self.tail(),
            )
        code = getattr(transport, "returncode", None)
        by_us = getattr(transport, "ended_by_us", False)
        if code is not None and not by_us and not self._stop.is_set():
            if self.state == ServerState.STARTING:
                said = QT_TRANSLATE_NOOP(
                    "McpProblem", "The server {name} exited during start-up (exit status {code})."
                )
            else:
                said = QT_TRANSLATE_NOOP(
                    "McpProblem", "The server {name} exited while in use (exit status {code})."
                )
            message = said.format(name=self.name, code=code)
            return McpProblem(ProblemKind.EXITED, message, self.tail())
        if isinstance(exc, asyncio.CancelledError) or self._stop.is_set():
            return None
        said = _said(exc)
        status = getattr(getattr(exc, "response", None), "status_code", None) or self._http_status
        if status in (401, 403):
            return McpProblem(
                ProblemKind.AUTH,
                QT_TRANSLATE_NOOP(
                    "McpProblem",
                    "The server {name} refused the connection (HTTP {status}): check the "
                    "token or headers in its settings.",
                ).format(name=self.name, status=status),
                said,
            )
        if status == 404:
            return McpProblem(
                ProblemKind.NO_SERVER,
                QT_TRANSLATE_NOOP(
                    "McpProblem",
                    "There is no MCP server at {url} (HTTP 404): check the address.",
                ).format(url=self.config.url),
                said,
            )
        lowered = said.lower()
        if "protocol version" in lowered or "unsupported protocol" in lowered:
            return McpProblem(
                ProblemKind.PROTOCOL,
                QT_TRANSLATE_NOOP(
                    "McpProblem",
                    "The server {name} speaks a version of MCP this app does not: update "
                    "the server or GLM Desk.",
                ).format(name=self.name),
                said,
            )
        if type(exc).__name__ in ("ConnectError", "ConnectTimeout", "OSError") or isinstance(
            exc, OSError
        ):
            return McpProblem(
                ProblemKind.UNREACHABLE,
                QT_TRANSLATE_NOOP(
                    "McpProblem", "The server {name} could not be reached: {error}"
                ).format(name=self.name, error=said),
            )
        return McpProblem(
            ProblemKind.PROTOCOL,
            QT_TRANSLATE_NOOP("McpProblem", "The server {name} failed: {error}").format(
                name=self.name, error=said
            ),
            self.tail(),
        )


class _Died(Exception):
    """The server process ended while its session was open."""


class _Owning:
    """An HTTP transport that also closes the HTTP client made for it."""

    def __init__(self, transport: Any, http: Any) -> None:
        self.transport, self.http = transport, http

    async def __aenter__(self) -> Any:
        return await self.transport.__aenter__()

    async def __aexit__(self, *exc: Any) -> Any:
        try:
            return await self.transport.__aexit__(*exc)
        finally:
            await self.http.aclose()


def _said(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return redact.redact(text)[:2000]


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def result_of(result: Any) -> CallResult:
    """A CallToolResult for the model: its text, images for the card (the model is told
    they were shown), structured content as pretty JSON, `isError` kept."""
    parts: list[str] = []
    images: list[dict[str, str]] = []
    for block in result.content or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind == "image":
            size = len(block.data) * 3 // 4
            if size <= MAX_IMAGE:
                images.append({"mime": block.mime_type, "data": block.data})
            parts.append(f"[image {block.mime_type}, {size:,} bytes, shown to the user]")
        elif kind == "audio":
            parts.append(f"[audio {block.mime_type}, not shown]")
        elif kind == "resource":
            res = block.resource
            text = getattr(res, "text", None)
            parts.append(text if text is not None else f"[resource {res.uri}]")
        elif kind == "resource_link":
            parts.append(f"[{block.name}: {block.uri}]")
    structured = getattr(result, "structured_content", None)
    size = sum(len(p) for p in parts)
    # Structured content is added as pretty JSON unless the text already is it, and not to
    # a text that is cut anyway (each json call on megabytes holds the GIL: the window waits).
    if structured is not None and size < MAX_RESULT and not _same_json(parts, structured):
        parts.append(json.dumps(structured, indent=2, ensure_ascii=False))
    text = "\n".join(parts) or ("(no output)" if not result.is_error else "The tool failed.")
    if len(text) > MAX_RESULT:  # a whole database dump would crowd out the conversation
        cut = len(text) - MAX_RESULT
        text = f"{text[:MAX_RESULT]}\n[… {cut:,} more characters of this result were cut]"
    return CallResult(text, bool(result.is_error), images)


def _same_json(parts: list[str], value: Any) -> bool:
    """The text already is the structured content (servers send both)."""
    if (
        isinstance(value, dict)
        and list(value) == ["result"]
        and "\n".join(parts) == str(value["result"])
    ):
        return True  # a plain value the SDK wrapped as {"result": …}
    for part in parts:
        if len(part) > MAX_RESULT:
            continue  # not parsed: it is cut for the model anyway
        with contextlib.suppress(ValueError, RecursionError):
            if json.loads(part) == value:
                return True
    return False


def image_bytes(image: dict[str, str]) -> bytes:
    return base64.b64decode(image.get("data", ""), validate=False)
