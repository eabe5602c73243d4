"""Child processes that must not outlive the app: pid records and ending a process group.

Every long-lived child (llama-server, MCP servers) runs in its own process group and is
recorded in a small JSON pid file in the profile: its pid, the GLM Desk process that owns it
(`owner`) and what identifies it. At the next start, `end_orphan` ends a child whose owner is
gone (a killed or crashed app), after checking that the pid still is that child: a pid the
system has given to another program since is left alone, and so is a child whose owner is
still running (a second window on the same profile must not end the first one's).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Matcher = Callable[[dict[str, Any], list[str]], bool]  # (the pid record, /proc cmdline)


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot), to tell it from a later process
    given the same pid; None when it is gone (or on a system without /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces or ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])  # field 22 of the whole line


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def end_group(pid: int, wait: float = 3.0) -> None:
    """SIGTERM to the process group led by pid, SIGKILL if it is still there after `wait`
    seconds (blocks: call it off the GUI thread)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def write_record(pid_file: Path, pid: int, **identity: Any) -> None:
    """Record a child just started (with its start time, checked by `end_orphan`)."""
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    record = {"pid": pid, "owner": os.getpid(), "started": start_time(pid), **identity}
    pid_file.write_text(json.dumps(record))


def end_orphan(pid_file: Path, matches: Matcher, what: str, wait: float = 3.0) -> int | None:
    """End the child a previous run left (its pid file says which); return its pid, or None
    when there was none to end. The pid file is removed unless its owner still runs."""
    try:
        record = json.loads(pid_file.read_text())
        pid = int(record["pid"])
        owner = int(record.get("owner", 0))
    except (OSError, ValueError, KeyError, TypeError):
        pid_file.unlink(missing_ok=True)
        return None
    if owner and owner != os.getpid() and alive(owner):
        return None
    same = record.get("started") is None or record.get("started") == start_time(pid)
    if not (alive(pid) and same and matches(record, cmdline(pid))):
        pid_file.unlink(missing_ok=True)
        return None
    log.warning("ending %s %d left by an earlier run", what, pid)
    end_group(pid, wait)
    pid_file.unlink(missing_ok=True)
    return pid
