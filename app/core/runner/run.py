"""One run of a snippet: its files, its process tree, its output, its outcome.

`SnippetRun.run()` writes the snippet into a fresh temporary folder (the only place it may
write), starts the launcher (launcher.py) in a new session with a clean environment, reads
stdout and stderr on two threads into an `OutputTail`, and waits for the end, the time limit
or `stop()`. The blocking parts (making folders, starting the process, reading pipes, ending
the group) never run on the event loop's thread; `notify` is called there when new output is
waiting (at most once until the caller looks).

When the launcher ends, whatever the snippet left behind (a background process) is ended with
its process group; with a sandbox the PID namespace has already ended it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core import child_process
from app.core.runner import testing
from app.core.runner.languages import SUFFIX, Runtime
from app.core.runner.output import ERR, OUT, OutputTail
from app.core.runner.sandbox import (
    INSIDE,
    NOBODY,
    Layer,
    bubblewrap_argv,
    clean_env,
    hidden_dirs,
    is_root,
    launcher_argv,
    namespaces_argv,
    tool_for,
)

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0  # seconds of wall-clock time
    cpu: int = 30  # seconds of CPU time
    memory: int = 2048 * MiB  # address space
    file_size: int = 64 * MiB  # the largest file it may write
    processes: int = 64  # processes and threads it may add
    files: int = 256  # open files

    def rlimits(self, processes_now: int) -> dict[str, int]:
        return {
            "cpu": max(1, int(self.cpu)),
            "memory": int(self.memory),
            "file_size": int(self.file_size),
            # The kernel counts all of the user's processes: the snippet gets this many more.
            "processes": processes_now + int(self.processes),
            "files": int(self.files),
        }


@dataclass(frozen=True)
class RunRequest:
    language: str
    code: str
    runtime: Runtime
    layer: Layer
    network: bool = False
    limits: Limits = field(default_factory=Limits)
    tests: str = ""  # Python: a block of tests run against the snippet


@dataclass
class RunResult:
    layer: Layer
    command: str  # as shown: "python3.11 snippet.py"
    exit_code: int | None = None
    signal: int | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_kb: int = 0
    timed_out: bool = False
    stopped: bool = False
    error: str = ""  # it could not be started
    tests: list[dict] = field(default_factory=list)  # [{"name", "passed", "message"}]

    @property
    def ok(self) -> bool:
        passed = all(t.get("passed") for t in self.tests)
        return self.exit_code == 0 and not (self.timed_out or self.stopped or self.error) and passed


def processes_of(uid: int) -> int:
    """How many processes and threads the user has (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            count += len(os.listdir(f"/proc/{entry.name}/task"))
        except OSError:
            continue
    return count


def script_name(language: str) -> str:
    return "snippet" + SUFFIX.get(language, ".txt")


class SnippetRun:
    def __init__(self, request: RunRequest, pid_dir: Path | None = None) -> None:
        self.request = request
        self.pid_dir = pid_dir
        self.output = OutputTail()
        self.command = ""
        self.work = ""  # the snippet's folder
        self.inside = ""  # ... as the snippet sees it (its path shows in tracebacks)
        self._control = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._readers: list[threading.Thread] = []
        self._pending = False
        self._stopped = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._notify: Callable[[], None] | None = None
        self._ended: asyncio.Future[None] | None = None

    # --- the event loop's side ---------------------------------------------------------------

    async def run(self, notify: Callable[[], None] | None = None) -> RunResult:
        request = self.request
        self._loop = asyncio.get_running_loop()
        self._notify = notify
        self._ended = self._loop.create_future()
        result = RunResult(request.layer, "")
        started = time.monotonic()
        try:
            try:
                await asyncio.to_thread(self._start)
            except OSError as exc:
                result.error = f"It could not be started: {exc.strerror or exc}."
                return result
            result.command = self.command
            started = time.monotonic()
            try:
                await asyncio.wait_for(asyncio.shield(self._ended), request.limits.timeout)
            except TimeoutError:
                result.timed_out = True
            except asyncio.CancelledError:
                self._stopped = True
                await asyncio.shield(asyncio.to_thread(self._finish))
                raise
            result.seconds = time.monotonic() - started
            await asyncio.to_thread(self._finish)
            report = self._report()
            result.exit_code = report.get("exit_code")
            result.signal = report.get("signal")
            result.peak_kb = int(report.get("peak_kb") or 0)
            result.cpu_seconds = float(report.get("cpu_seconds") or 0.0)
            result.timed_out = result.timed_out or bool(report.get("timed_out"))
            result.stopped = self._stopped and not result.timed_out
            if (
                result.exit_code is not None
                and result.exit_code > 128
                and request.layer in (Layer.BUBBLEWRAP,)
            ):  # bubblewrap passes a signal on as 128 + its number
                result.signal, result.exit_code = result.exit_code - 128, None
            if request.tests:
                result.tests = self._test_results()
            return result
        finally:
            if not result.seconds:
                result.seconds = time.monotonic() - started
            await asyncio.shield(asyncio.to_thread(self._clean_up))

    def stop(self) -> None:
        """End the whole process group now; `run` then returns a stopped result."""
        self._stopped = True
        self._kill()

    def _wake(self) -> None:
        self._pending = False
        if self._notify is not None:
            self._notify()

    # --- worker threads ---------------------------------------------------------------------

    def _start(self) -> None:
        request = self.request
        root = is_root()
        self._control = tempfile.mkdtemp(prefix="glm-desk-run-")
        self.work = tempfile.mkdtemp(prefix="glm-desk-snippet-")
        name = script_name(request.language)
        Path(self.work, name).write_text(request.code, encoding="utf-8")
        argv = request.runtime.argv(name)
        if request.tests:
            Path(self.work, testing.TESTS_FILE).write_text(request.tests, encoding="utf-8")
            Path(self.work, testing.HARNESS_FILE).write_text(testing.HARNESS, encoding="utf-8")
            argv = [request.runtime.executable, testing.HARNESS_FILE, name, testing.TESTS_FILE]
        self.command = " ".join([Path(argv[0]).name, *argv[1:]])
        if root:
            for path in [self.work, *(str(p) for p in Path(self.work).iterdir())]:
                os.chown(path, NOBODY, NOBODY)
        keep = list(request.runtime.keep)
        extra_path = [str(Path(request.runtime.executable).parent)]
        self.inside = INSIDE if request.layer == Layer.BUBBLEWRAP else self.work
        env = clean_env(self.inside, extra_path)
        report = str(Path(self._control, "report.json"))
        drop_to: int | None = None
        if request.layer == Layer.BUBBLEWRAP:
            bwrap = tool_for(Layer.BUBBLEWRAP) or "bwrap"
            command = bubblewrap_argv(bwrap, argv, self.work, keep, request.network)
        elif request.layer == Layer.NAMESPACES:
            setup = Path(self._control, "setup.json")
            setup_spec = {"hide": hidden_dirs(), "keep": keep, "work": self.work, "argv": argv}
            if root:
                setup_spec["drop_to"] = NOBODY
            setup.write_text(json.dumps(setup_spec))
            unshare = tool_for(Layer.NAMESPACES) or "unshare"
            command = namespaces_argv(unshare, str(setup), request.network)
        else:
            command = argv
            drop_to = NOBODY if root else None
        uid = NOBODY if root else os.getuid()
        spec = {
            "argv": command,
            "limits": request.limits.rlimits(processes_of(uid)),
            "timeout": request.limits.timeout,
            "report": report,
            "drop_to": drop_to,
        }
        spec_file = Path(self._control, "spec.json")
        spec_file.write_text(json.dumps(spec))
        self._process = subprocess.Popen(
            [*launcher_argv(), "run", str(spec_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=self.work,
            start_new_session=True,
        )
        if self.pid_dir is not None:
            with contextlib.suppress(OSError):
                child_process.write_record(
                    self.pid_record(), self._process.pid, kind="snippet", work=self.work
                )
        process = self._process
        assert process.stdout is not None and process.stderr is not None
        pipes = {process.stdout.fileno(): OUT, process.stderr.fileno(): ERR}
        reader = threading.Thread(target=self._read, args=(pipes,), name="run-output", daemon=True)
        reader.start()
        self._readers.append(reader)
        threading.Thread(target=self._wait, name="run-wait", daemon=True).start()

    def pid_record(self) -> Path:
        assert self.pid_dir is not None
        return self.pid_dir / f"{os.path.basename(self.work)}.json"

    def _read(self, pipes: dict[int, str]) -> None:
        """Both pipes on one thread, in the order they have data (stdout first when both
        do: a program that prints and then fails wrote its print first)."""
        import selectors

        with selectors.DefaultSelector() as selector:
            for fd in pipes:
                selector.register(fd, selectors.EVENT_READ)
            while pipes:
                ready = sorted(key.fd for key, _ in selector.select())
                for fd in sorted(ready, key=lambda fd: pipes[fd] != OUT):
                    try:
                        data = os.read(fd, 65536)
                    except OSError:
                        data = b""
                    self.output.add(pipes[fd], data, final=not data)
                    if not data:
                        selector.unregister(fd)
                        del pipes[fd]
                if not self._pending and self._loop is not None:
                    self._pending = True
                    with contextlib.suppress(RuntimeError):  # the loop is closed
                        self._loop.call_soon_threadsafe(self._wake)

    def _wait(self) -> None:
        assert self._process is not None
        self._process.wait()
        loop, ended = self._loop, self._ended
        if loop is not None and ended is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(lambda: ended.done() or ended.set_result(None))

    def _kill(self) -> None:
        process = self._process
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def _finish(self) -> None:
        """After the launcher ended (or on a time limit or Stop): nothing of the run may stay."""
        self._kill()
        process = self._process
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for reader in self._readers:
            reader.join(timeout=5)
        if process is not None:
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()

    def _report(self) -> dict:
        try:
            return json.loads(Path(self._control, "report.json").read_text())
        except (OSError, ValueError):
            return {}

    def _test_results(self) -> list[dict]:
        return testing.read_results(Path(self.work, testing.RESULTS_FILE))

    def _clean_up(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._finish()
        if self.pid_dir is not None and self.work:
            self.pid_record().unlink(missing_ok=True)
        for folder in (self._control, self.work):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid:
                    members.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return members


def _ran_in(pid: int, work: str) -> bool:
    """Whether a process is one of a run's: its environment names the run's folder."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"TMPDIR={work}".encode() in environ or f"HOME={work}".encode() in environ


def end_orphans(pid_dir: Path) -> list[int]:
    """End the snippets a killed app left running: the launcher's process group. The
    launcher itself died with the app (and, in a sandbox, everything with it); without a
    sandbox, what the snippet started may still run in the group. A member is ended only when
    its environment names the run's own folder (the group's number may be another's now)."""
    ended: list[int] = []
    if not pid_dir.is_dir():
        return ended
    for path in pid_dir.glob("*.json"):
        try:
            record = json.loads(path.read_text())
            pgid, owner, work = int(record["pid"]), int(record.get("owner", 0)), record["work"]
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if owner and owner != os.getpid() and child_process.alive(owner):
            continue  # another window's run
        for pid in _group_members(pgid):
            if _ran_in(pid, str(work)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                ended.append(pid)
        path.unlink(missing_ok=True)
        shutil.rmtree(str(work), ignore_errors=True)
    return ended
