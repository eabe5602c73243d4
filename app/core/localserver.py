"""A local llama.cpp `llama-server`: find it, start it for a GGUF file, watch it, stop it.

No Qt: asyncio and httpx. The service on top (app/services/local_server.py) turns state
changes into signals. llama-server's documented behaviour: while the model loads every endpoint
answers 503 "Loading model"; `/health` answers 200 once ready and needs no key; the key,
when one is set, is passed in the environment (LLAMA_API_KEY), never on the command line.

Nothing is left behind: the server runs in its own process group and is stopped on quit;
a pid file in the profile lets the next start end a server a crashed app left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core import child_process
from app.core.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:  # imported when a server is watched, not at start-up
    import httpx

log = logging.getLogger(__name__)

PID_FILE = "llama-server.pid"
# GLM-4-0414's chat template with past tool calls and results written out (see the file).
GLM4_TOOLS_TEMPLATE = Path(__file__).with_name("templates") / "glm4-0414-tools.jinja"
HOST = "127.0.0.1"  # never reachable from another machine
DEFAULT_PORT = 8080
LOG_LINES = 2000
LINE_LIMIT = 8192  # characters kept of one log line
POLL_S = 0.2  # /health while starting or loading
WATCH_S = 1.0  # /health once ready (the process is watched all along)
GLM4_EOT = 151336  # <|user|>: the end of a GLM-4 turn in GLM-4's chat template
EOS_FIX = f"tokenizer.ggml.eos_token_id=int:{GLM4_EOT}"


class ServerState(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"  # process started, not answering yet
    LOADING = "loading"  # answering 503 "Loading model"
    READY = "ready"  # /health 200
    CRASHED = "crashed"  # exited without being asked to


class LocalServerError(Exception):
    """A server that cannot be started, in words a person understands."""


@dataclass(frozen=True)
class LaunchOptions:
    model: Path
    context: int = 0  # tokens; 0: the model's own training context
    gpu_layers: int = 0
    threads: int | None = None  # None: llama-server's default
    port: int = DEFAULT_PORT  # taken: the next free one
    api_key: str | None = None  # see generate_key()
    fix_glm4_eos: bool = False  # old GLM-4 GGUFs: end turns at <|user|>
    glm4_tools: bool = False  # GLM-4-0414's template: ours, which replays tool calls
    binary: Path | None = None  # None: the configured one, else PATH


def generate_key() -> str:
    return secrets.token_urlsafe(24)


def find_llama_server(
    configured: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The configured llama-server if it is an executable, else the one on PATH."""
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_file() and os.access(path, os.X_OK) else None
    env = os.environ if environ is None else environ
    found = shutil.which("llama-server", path=env.get("PATH"))
    return Path(found) if found else None


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(preferred: int = DEFAULT_PORT, host: str = HOST) -> int:
    """`preferred` if nothing listens there, else one the system picks."""
    if preferred and port_is_free(preferred, host):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def command(binary: Path, options: LaunchOptions, port: int) -> list[str]:
    cmd = [str(binary), "-m", str(options.model), "--host", HOST, "--port", str(port)]
    cmd += ["-c", str(options.context), "-ngl", str(options.gpu_layers)]
    if options.threads:
        cmd += ["-t", str(options.threads)]
    if options.fix_glm4_eos:
        cmd += ["--override-kv", EOS_FIX]
    if options.glm4_tools:
        cmd += ["--jinja", "--chat-template-file", str(GLM4_TOOLS_TEMPLATE)]
    return cmd


def _is_llama_server(record: dict[str, Any], cmdline: list[str]) -> bool:
    return bool(cmdline) and cmdline[0] == record.get("binary") and "--port" in cmdline


def end_orphan(pid_file: Path, wait: float = 3.0) -> int | None:
    """End the llama-server a previous run left (its pid file says which); return its pid.
    A pid now used by another program is left alone, and so is a server whose GLM Desk is
    still running (a second window on the same profile must not end the first one's)."""
    return child_process.end_orphan(pid_file, _is_llama_server, "llama-server", wait)


@dataclass
class ServerInfo:
    """What the running server says about itself (GET /props)."""

    n_ctx: int = 0
    model_path: str = ""
    build: str = ""
    has_chat_template: bool = False
    total_slots: int = 0
    glm4_stock_template: bool = False  # GLM-4-0414's own: tool calls only as plain text

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> ServerInfo:
        settings = props.get("default_generation_settings") or {}
        return cls(
            n_ctx=int(settings.get("n_ctx") or props.get("n_ctx") or 0),
            model_path=str(props.get("model_path") or ""),
            build=str(props.get("build_info") or ""),
            has_chat_template=bool(props.get("chat_template")),
            total_slots=int(props.get("total_slots") or 0),
            glm4_stock_template=_glm4_stock(str(props.get("chat_template") or "")),
        )


def _glm4_stock(template: str) -> bool:
    """GLM-4-0414's own template: a past call replayed from `metadata` (which llama-server
    drops), results only from role "observation"; ours and newer ones use `tool_calls`."""
    return "<|observation|>" in template and "metadata" in template and "tool_calls" not in template


@dataclass
class LocalServer:
    """One llama-server process. `on_change(state, detail)` is called on every change."""

    pid_file: Path
    on_change: Callable[[ServerState, str], None] | None = None
    on_log: Callable[[str], None] | None = None
    state: ServerState = ServerState.STOPPED
    detail: str = ""
    base_url: str = ""  # http://127.0.0.1:PORT/v1 once started
    api_key: str | None = None
    info: ServerInfo | None = None
    log_lines: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_LINES))
    started_at: float = 0.0  # monotonic
    ready_after: float | None = None  # seconds from start to ready
    _process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, repr=False)
    _stopping: bool = field(default=False, repr=False)
    _starting: bool = field(default=False, repr=False)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _set(self, state: ServerState, detail: str = "") -> None:
        if (state, detail) == (self.state, self.detail):
            return
        self.state, self.detail = state, detail
        log.info("llama-server: %s %s", state, detail)
        if self.on_change:
            self.on_change(state, detail)

    async def start(self, options: LaunchOptions, configured_binary: str | None = None) -> None:
        """Start the server; returns once the process runs (watch `state` for ready).
        A start while another is under way is refused; a running server is stopped first."""
        if self._starting:
            raise LocalServerError(
                QT_TRANSLATE_NOOP("LocalServer", "The local server is already starting.")
            )
        self._starting = True
        try:
            await self._start(options, configured_binary)
        finally:
            self._starting = False

    async def _start(self, options: LaunchOptions, configured_binary: str | None) -> None:
        if self.running:
            await self.stop()
        binary = options.binary or find_llama_server(configured_binary)
        if binary is None:
            raise LocalServerError(
                QT_TRANSLATE_NOOP(
                    "LocalServer",
                    "llama-server was not found. Install llama.cpp, or set the path of its "
                    "llama-server program in the local server settings.",
                )
            )
        if not options.model.is_file():
            raise LocalServerError(
                QT_TRANSLATE_NOOP("LocalServer", "The model file {path} does not exist.").format(
                    path=str(options.model)
                )
            )
        await asyncio.to_thread(end_orphan, self.pid_file)  # may wait for it to exit
        port = free_port(options.port)
        env = {**os.environ}
        env.pop("LLAMA_API_KEY", None)
        if options.api_key:
            env["LLAMA_API_KEY"] = options.api_key  # not on the command line (ps shows that)
        self.log_lines.clear()
        self.info, self.ready_after, self._stopping = None, None, False
        self.api_key = options.api_key
        self.base_url = f"http://{HOST}:{port}/v1"
        self.started_at = time.monotonic()
        try:
            self._process = await asyncio.create_subprocess_exec(
                *command(binary, options, port),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        except OSError as exc:
            raise LocalServerError(
                QT_TRANSLATE_NOOP(
                    "LocalServer", "llama-server could not be started: {error}"
                ).format(error=str(exc))
            ) from exc
        child_process.write_record(self.pid_file, self._process.pid, port=port, binary=str(binary))
        self._set(ServerState.STARTING, f"port {port}")
        self._tasks = [
            asyncio.ensure_future(self._read_output(self._process)),
            asyncio.ensure_future(self._watch(self._process)),
        ]

    async def _read_output(self, process: asyncio.subprocess.Process) -> None:
        """Every line of output, however long (a line past the reader's limit must not stop
        the reading: the server would block once its pipe is full)."""
        assert process.stdout is not None
        pending = b""
        while chunk := await process.stdout.read(65536):
            *lines, pending = (pending + chunk).split(b"\n")
            if len(pending) > LINE_LIMIT:
                lines, pending = [*lines, pending], b""
            for line in lines:
                self._log_line(line)
        if pending:
            self._log_line(pending)

    def _log_line(self, raw: bytes) -> None:
        text = raw[:LINE_LIMIT].decode(errors="replace").rstrip()
        self.log_lines.append(text)
        if self.on_log:
            self.on_log(text)

    async def _watch(self, process: asyncio.subprocess.Process) -> None:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        root = self.base_url.removesuffix("/v1")
        import httpx

        async with httpx.AsyncClient(trust_env=False, timeout=2.0, headers=headers) as http:
            while process.returncode is None:
                await self._check_health(http, root)
                interval = WATCH_S if self.state == ServerState.READY else POLL_S
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(process.wait(), interval)
        await asyncio.sleep(0.05)  # the last lines of output
        self.pid_file.unlink(missing_ok=True)
        if self._stopping:
            self._set(ServerState.STOPPED)
        else:
            self._set(ServerState.CRASHED, f"exit status {process.returncode}\n{self.last_words()}")

    def last_words(self, tail: int = 8, errors: int = 4) -> str:
        """The log lines that tell why it ended: the last few, and the last error lines
        before them (llama.cpp names the cause, then prints a page of clean-up)."""
        lines = list(self.log_lines)
        last = lines[-tail:]
        earlier = [ln for ln in lines[:-tail] if "error" in ln.lower() or "failed" in ln.lower()]
        return "\n".join([*earlier[-errors:], *last]).strip()

    async def _check_health(self, http: httpx.AsyncClient, root: str) -> None:
        import httpx

        try:
            response = await http.get(root + "/health")
        except httpx.HTTPError:
            if self.state == ServerState.READY:
                self._set(ServerState.LOADING, "not answering")
            return
        if response.status_code == 200:
            if self.state != ServerState.READY:
                self.ready_after = time.monotonic() - self.started_at
                await self._read_props(http, root)
                self._set(ServerState.READY, self.base_url)
        elif response.status_code == 503:
            self._set(ServerState.LOADING, "loading the model")

    async def _read_props(self, http: httpx.AsyncClient, root: str) -> None:
        import httpx

        with contextlib.suppress(httpx.HTTPError, ValueError, TypeError, AttributeError):
            response = await http.get(root + "/props")
            if response.status_code == 200:
                self.info = ServerInfo.from_props(response.json())

    async def wait_ready(self, timeout: float) -> bool:
        """True once ready; False on a crash, a stop or the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state == ServerState.READY:
                return True
            if self.state in (ServerState.CRASHED, ServerState.STOPPED) and not self.running:
                return False
            await asyncio.sleep(0.02)
        return self.state == ServerState.READY

    async def stop(self, timeout: float = 5.0) -> None:
        """End the server (its whole process group) and wait for it."""
        process = self._process
        if process is None:
            return
        self._stopping = True
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 2.0)
        self._tasks = []
        self.pid_file.unlink(missing_ok=True)
        self._set(ServerState.STOPPED)
