"""The small program between the app and a snippet (standard library only).

The app starts it in a new session (its own process group, no controlling terminal) with a
clean environment, as `python -I -S launcher.py run SPEC` (in the bundle:
`glm-desk __run-snippet__ run SPEC`). SPEC is a JSON file in a private folder outside the
sandbox:

    {"argv": [...], "limits": {"cpu": s, "memory": bytes, "file_size": bytes,
     "processes": n, "files": n}, "timeout": s, "report": path, "drop_to": uid or null}

`run` sets the limits on itself (so they pass to everything it starts), asks the kernel to
kill it when the app dies, forks, and in the child (which also dies with the launcher) execs
`argv`: the sandbox's command line, or the snippet itself without a sandbox. It waits with
`wait4`, so the peak memory of the whole tree (every process its parent waited for) is
known, writes the report (exit code or signal, peak memory, CPU time) and exits. A wall-clock
limit of its own ends the whole group if the app is not there to do it.

`setup SPEC` runs inside `unshare`'s new namespaces (the "namespaces" layer): it hides the
home folders and temporary folders behind empty read-only tmpfs mounts, binds back the
runtime's folders read-only and the snippet's folder writable, leaves root for an unprivileged
user when the app runs as root, and execs the snippet.

A process count limit (RLIMIT_NPROC) is not applied by the kernel to root, so when the app
runs as root the snippet runs as `nobody` (uid 65534): the launcher, or `setpriv` inside
bubblewrap, drops to it.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

_LIMITS = {
    "cpu": resource.RLIMIT_CPU,
    "memory": resource.RLIMIT_AS,
    "file_size": resource.RLIMIT_FSIZE,
    "processes": resource.RLIMIT_NPROC,
    "files": resource.RLIMIT_NOFILE,
}


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    _libc().prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def set_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        which = _LIMITS[name]
        soft = int(value)
        _, hard = resource.getrlimit(which)
        hard_new = soft + 1 if name == "cpu" else soft  # CPU: SIGXCPU first, SIGKILL after
        if hard != resource.RLIM_INFINITY:
            soft, hard_new = min(soft, hard), min(hard_new, hard)
        resource.setrlimit(which, (soft, hard_new))


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def run(spec: dict) -> int:
    die_with_parent()
    set_limits(spec.get("limits", {}))
    report = spec["report"]
    timeout = float(spec.get("timeout", 30)) + 2.0  # the app ends it first when it is there
    child = os.fork()
    if child == 0:
        try:
            die_with_parent()
            if spec.get("drop_to") is not None:
                drop_privileges(int(spec["drop_to"]))
            argv = spec["argv"]
            os.execvp(argv[0], argv)
        except OSError as exc:
            why = f"glm-desk: cannot start {spec['argv'][0]}: {exc.strerror}"
            if spec.get("drop_to") is not None and isinstance(exc, PermissionError):
                why += (
                    " (GLM Desk runs as root, so snippets run as the user nobody, who cannot"
                    " read it: choose an interpreter outside root's home)"
                )
            os.write(2, (why + "\n").encode())
        os._exit(127)

    def timed_out(_sig: int, _frame: object) -> None:
        _write(report, {"timed_out": True})
        os.killpg(0, signal.SIGKILL)

    signal.signal(signal.SIGALRM, timed_out)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    while True:
        try:
            _, status, usage = os.wait4(child, 0)
            break
        except InterruptedError:
            continue
    signal.setitimer(signal.ITIMER_REAL, 0)
    result = {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "peak_kb": usage.ru_maxrss,
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
    }
    _write(report, result)
    return 0


def _write(path: str, data: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    libc = _libc()
    enc = os.fsencode
    if (
        libc.mount(
            enc(source) if source else None,
            enc(target),
            enc(fstype) if fstype else None,
            ctypes.c_ulong(flags),
            enc(data) if data else None,
        )
        != 0
    ):
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def setup(spec: dict) -> int:
    """Inside new user (or, as root, only), mount, network and PID namespaces."""
    hide: list[str] = [p for p in spec["hide"] if os.path.isdir(p)]
    keep: list[str] = [p for p in spec["keep"] if os.path.exists(p)]
    work: str = spec["work"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Hold every folder to bring back before its parent is hidden.
    held = {path: os.open(path, os.O_PATH) for path in [*keep, work]}
    for path in hide:
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for path, fd in held.items():
        if not os.path.exists(path):
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.makedirs(path, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "a").close()
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if path != work:
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC)
        os.close(fd)
    for path in hide:
        _mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if spec.get("drop_to") is not None:
        drop_privileges(int(spec["drop_to"]))
    os.chdir(work)
    argv = spec["argv"]
    os.execvp(argv[0], argv)
    return 127


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("run", "setup"):
        sys.stderr.write("usage: launcher.py run|setup SPEC\n")
        return 2
    with open(argv[1]) as f:
        spec = json.load(f)
    if argv[0] == "run":
        return run(spec)
    try:
        return setup(spec)
    except OSError as exc:
        sys.stderr.write(f"glm-desk: the namespace sandbox could not be set up: {exc}\n")
        return 126


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
