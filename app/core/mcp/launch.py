"""How a local MCP server is started: its PATH, its environment and its command.

An app started from the desktop menu does not have the PATH of the user's shell (nvm's node,
`~/.local/bin`'s uvx, Homebrew, …): other clients then fail with `spawn npx ENOENT`. A
server's PATH is therefore the login shell's PATH (asked once, `$SHELL -ilc`, with a time
limit), then the app's own, then the usual places that exist, then the folder of the Python
running the app (for `python -m`/`uvx` servers installed beside it).

The environment is not the app's: it starts from a short list of harmless variables (home,
user, locale, terminal, display, the SSH agent) and adds the server's configured `env`. No API
key of ours reaches a server unless the user put it in that server's `env`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from app.core.i18n import QT_TRANSLATE_NOOP, joined
from app.core.mcp.problems import McpProblem, ProblemKind

log = logging.getLogger(__name__)

SHELL_TIMEOUT = 5.0  # seconds the login shell may take to print its PATH
MARKER = "__GLM_DESK_PATH__"
INHERITED = (
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_MESSAGES",
    "TERM",
    "TMPDIR",
    "TZ",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
    "SSH_AUTH_SOCK",
)
USUAL_PLACES = (
    "~/.local/bin",
    "~/bin",
    "~/.cargo/bin",
    "~/.npm-global/bin",
    "~/.volta/bin",
    "~/.bun/bin",
    "~/.deno/bin",
    "/usr/local/bin",
    "/opt/homebrew/bin",
    "/snap/bin",
    "/usr/bin",
    "/bin",
)
_NODE = QT_TRANSLATE_NOOP("McpProblem", "Install Node.js (it brings npx and node).")
_UV = QT_TRANSLATE_NOOP("McpProblem", "Install uv (https://docs.astral.sh/uv/).")
HINTS = {
    "npx": _NODE,
    "node": _NODE,
    "uvx": _UV,
    "uv": _UV,
    "docker": QT_TRANSLATE_NOOP("McpProblem", "Install Docker."),
}

_lock = threading.Lock()
_shell_path: list[str] | None = None


def login_shell_path(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The PATH of the user's login shell (asked once per run; [] when it cannot tell)."""
    global _shell_path
    with _lock:
        if _shell_path is None:
            _shell_path = _ask_shell(environ)
        return list(_shell_path)


def _ask_shell(environ: Mapping[str, str]) -> list[str]:
    shell = environ.get("SHELL") or "/bin/sh"
    if not os.path.isabs(shell) or not os.access(shell, os.X_OK):
        return []
    script = f'printf "\\n{MARKER}%s\\n" "$PATH"'
    try:
        done = subprocess.run(
            [shell, "-ilc", script],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=SHELL_TIMEOUT,
            env=dict(environ),
            start_new_session=True,  # an interactive shell must not take our terminal
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("the login shell's PATH is unknown: %s", exc)
        return []
    for line in done.stdout.decode(errors="replace").splitlines():
        if line.startswith(MARKER):
            return [p for p in line[len(MARKER) :].split(os.pathsep) if p]
    return []


def search_path(environ: Mapping[str, str] = os.environ, shell: bool = True) -> str:
    """The PATH a server gets (see the module's docstring)."""
    parts: list[str] = login_shell_path(environ) if shell else []
    parts += [p for p in environ.get("PATH", "").split(os.pathsep) if p]
    for place in USUAL_PLACES:
        folder = os.path.expanduser(place)
        if os.path.isdir(folder):
            parts.append(folder)
    if not getattr(sys, "frozen", False):
        parts.append(str(Path(sys.executable).parent))
    return os.pathsep.join(dict.fromkeys(parts))


def resolve(command: str, path: str) -> str:
    """The program to run: a path as given, or the command found on path. McpProblem says
    that it is missing, where it was looked for, and what to install."""
    if os.sep in command:
        program = os.path.expanduser(command)
        if os.path.isfile(program) and os.access(program, os.X_OK):
            return program
        raise McpProblem(
            ProblemKind.NOT_FOUND,
            QT_TRANSLATE_NOOP(
                "McpProblem", "The command {command} does not exist or cannot be run."
            ).format(command=command),
        )
    found = shutil.which(command, path=path)
    if found:
        return found
    hint = HINTS.get(command, "")
    message = QT_TRANSLATE_NOOP(
        "McpProblem",
        "The command {command} was not found. Install it, or give its full path in the "
        "server's settings.",
    ).format(command=command)
    raise McpProblem(
        ProblemKind.NOT_FOUND, joined((message, hint)), detail=f"Searched PATH: {path}"
    )


def server_environment(
    path: str, env: Mapping[str, str], environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """The environment of a local server: the harmless part of ours, PATH, its own `env`."""
    base = {k: environ[k] for k in INHERITED if k in environ and not environ[k].startswith("()")}
    return {**base, "PATH": path, **env}
