"""The sandbox layers a snippet can run in, strongest first, and which one works here.

- `bubblewrap`: `bwrap` with the whole system read-only, the home folders, `/tmp`,
  `/var/tmp` and `/run` replaced by empty read-only folders, the snippet's own temporary
  folder the only writable place, no network (`--unshare-net`), new PID, IPC and UTS
  namespaces, and `--die-with-parent`.
- `namespaces`: `unshare` (util-linux) puts the snippet in new user, mount, network and PID
  namespaces; our launcher (launcher.py, `setup`) then hides the same folders with mounts.
- `none`: limits only. The user is warned and asked before each run.

What works is found at run time, by running `true` in each layer (`probe`): Ubuntu 24.04
blocks unprivileged user namespaces, and `bwrap` then says "setting up uid map: Permission
denied". The user may also force a layer (`runner.sandbox`); a forced layer that does not work
is an error, never a silent fallback.

Every layer also gets the limits (launcher.py), a wall-clock timeout, closed stdin, an
environment of a few harmless variables (`clean_env`: none of the app's, so no API key) and
its own process group.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Layer(StrEnum):
    BUBBLEWRAP = "bubblewrap"
    NAMESPACES = "namespaces"
    NONE = "none"


LAYERS = (Layer.BUBBLEWRAP, Layer.NAMESPACES, Layer.NONE)
SANDBOX_CHOICES = ("auto", *LAYERS)
NOBODY = 65534
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
INSIDE = "/tmp/run"  # where bubblewrap shows the snippet its folder (short tracebacks)
# Variables a snippet may see, with the app's value when it has one.
PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "LANGUAGE")


@dataclass(frozen=True)
class Probe:
    layer: Layer
    works: bool
    reason: str = ""  # why it does not work: the tool's own words


def is_root() -> bool:
    return os.geteuid() == 0


def launcher_argv() -> list[str]:
    """How to start launcher.py: with our Python, or the bundle's own entry."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "__run-snippet__"]
    return [sys.executable, "-I", "-S", str(Path(__file__).with_name("launcher.py"))]


def hidden_dirs(home: str | None = None) -> list[str]:
    """What a sandbox hides: homes, temporary folders, the runtime folders (sockets of the
    session bus, the keyring, the display); none inside another."""
    home = home or os.path.expanduser("~")
    found: list[str] = []
    for path in ("/home", home, "/root", "/tmp", "/var/tmp", "/run", "/media", "/mnt"):
        real = os.path.realpath(path)
        if not os.path.isdir(real) or real == "/" or real in found:
            continue
        if any(real.startswith(p.rstrip("/") + "/") for p in found):
            continue
        found = [p for p in found if not p.startswith(real.rstrip("/") + "/")] + [real]
    return found


def clean_env(work: str, extra_path: list[str] | None = None, network: bool = False) -> dict:
    """The snippet's whole environment: nothing of the app's but the locale."""
    path = ":".join(dict.fromkeys([*(extra_path or []), *SYSTEM_PATH.split(":")]))
    env = {
        "PATH": path,
        "HOME": work,
        "TMPDIR": work,
        "USER": "sandbox",
        "TERM": "dumb",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "NO_COLOR": "1",
    }
    for name in PASSED_ENV:
        if os.environ.get(name):
            env[name] = os.environ[name]
    env.setdefault("LANG", "C.UTF-8")
    return env


def bubblewrap_argv(
    bwrap: str, argv: list[str], work: str, keep: list[str], network: bool, inside: str = INSIDE
) -> list[str]:
    """bwrap's command line: `work` is shown as `inside` (in the empty /tmp)."""
    root = is_root()
    cmd = [bwrap, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    cmd += ["--unshare-cgroup-try"]
    if not root:
        cmd += ["--unshare-user"]
    if not network:
        cmd += ["--unshare-net"]
    cmd += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    hide = hidden_dirs()
    for path in hide:
        cmd += ["--tmpfs", path]
    made: set[str] = set()
    for path in keep:
        if not os.path.exists(path):
            continue
        # The folders leading to it inside a hidden one: made readable by all (bwrap would
        # make them 0700, which a snippet run as nobody could not pass).
        for parent in reversed(Path(path).parents):
            folder = str(parent)
            hidden = any(folder.startswith(h.rstrip("/") + "/") for h in hide)
            if hidden and folder not in made:
                made.add(folder)
                cmd += ["--perms", "0755", "--dir", folder]
        cmd += ["--ro-bind", path, path]
    cmd += ["--bind", work, inside]
    for path in hide:
        cmd += ["--remount-ro", path]
    cmd += ["--chdir", inside]
    if root:  # root is not held to a process count: the snippet runs as nobody
        setpriv = shutil.which("setpriv") or "setpriv"
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--"]
        cmd += [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    else:
        cmd += ["--"]
    return cmd + argv


def namespaces_argv(unshare: str, setup_spec: str, network: bool) -> list[str]:
    cmd = [unshare, "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if not is_root():
        cmd += ["--user", "--map-root-user"]
    if not network:
        cmd += ["--net"]
    return [*cmd, "--", *launcher_argv(), "setup", setup_spec]


def tool_for(layer: Layer) -> str | None:
    """The program a layer needs, found on PATH (None: not installed)."""
    if layer == Layer.BUBBLEWRAP:
        return shutil.which("bwrap")
    if layer == Layer.NAMESPACES:
        return shutil.which("unshare")
    return ""


def probe(layer: Layer, timeout: float = 10.0) -> Probe:
    """Whether a layer works on this machine: `true` run inside it (blocks; off the GUI
    thread)."""
    if layer == Layer.NONE:
        return Probe(layer, True)
    tool = tool_for(layer)
    if not tool:
        what = "bwrap (package bubblewrap)" if layer == Layer.BUBBLEWRAP else "unshare"
        return Probe(layer, False, f"{what} is not installed")
    with tempfile.TemporaryDirectory(prefix="glm-desk-probe-") as work:
        true = shutil.which("true") or "/bin/true"
        if is_root():
            os.chown(work, NOBODY, NOBODY)
        if layer == Layer.BUBBLEWRAP:
            argv = bubblewrap_argv(tool, [true], work, [], network=False)
        else:
            import json

            spec = Path(work, "setup.json")
            spec.write_text(
                json.dumps(
                    {"hide": hidden_dirs(), "keep": [], "work": work, "argv": [true]}
                    | ({"drop_to": NOBODY} if is_root() else {})
                )
            )
            argv = namespaces_argv(tool, str(spec), network=False)
        try:
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                env=clean_env(work),
                start_new_session=True,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Probe(layer, False, str(exc))
    if done.returncode == 0:
        return Probe(layer, True)
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return Probe(layer, False, lines[-1] if lines else f"exit status {done.returncode}")


def choose(forced: str, probes: dict[Layer, Probe]) -> tuple[Layer | None, str]:
    """The layer to use (None: the forced one does not work) and why the stronger ones are
    not used, in words."""
    if forced in LAYERS:
        layer = Layer(forced)
        found = probes[layer]
        return (layer, "") if found.works else (None, found.reason)
    skipped = []
    for layer in LAYERS:
        if probes[layer].works:
            return layer, "; ".join(skipped)
        skipped.append(f"{layer.value}: {probes[layer].reason}")
    return Layer.NONE, "; ".join(skipped)  # pragma: no cover - none always works
