"""The languages a snippet can be run in, and the runtime that runs each.

Python runs with the user's `python3` (or the interpreter or virtual environment chosen for
the conversation's workspace), JavaScript with `node`, shell with `bash` (or `sh`). A runtime
is asked where it really lives (a pyenv shim or a virtual environment's `python` is a link or
a script in the home folder, which the sandbox hides): those folders are shown to the snippet
read-only (`Runtime.keep`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

PYTHON, JAVASCRIPT, SHELL = "python", "javascript", "shell"
LANGUAGES = (PYTHON, JAVASCRIPT, SHELL)
# A fence's language (or Pygments' alias) -> ours.
ALIASES = {
    "python": PYTHON,
    "py": PYTHON,
    "python3": PYTHON,
    "py3": PYTHON,
    "javascript": JAVASCRIPT,
    "js": JAVASCRIPT,
    "node": JAVASCRIPT,
    "nodejs": JAVASCRIPT,
    "mjs": JAVASCRIPT,
    "cjs": JAVASCRIPT,
    "bash": SHELL,
    "sh": SHELL,
    "shell": SHELL,
    "zsh": SHELL,
}
SUFFIX = {PYTHON: ".py", JAVASCRIPT: ".js", SHELL: ".sh"}
NAMES = {PYTHON: "Python", JAVASCRIPT: "JavaScript", SHELL: "shell"}


def language_of(fence: str) -> str:
    """Our language for a code block's ("" when it cannot be run)."""
    return ALIASES.get((fence or "").strip().lower(), "")


@dataclass(frozen=True)
class Runtime:
    language: str
    executable: str  # the real program
    version: str
    keep: tuple[str, ...] = field(default=())  # folders shown read-only in the sandbox

    @property
    def label(self) -> str:
        return f"{Path(self.executable).name} {self.version}".strip()

    def argv(self, script: str) -> list[str]:
        return [self.executable, script]


class RuntimeMissing(Exception):
    """No runtime for a language: the message says which program and what to install."""


_QUERY = (
    "import sys, json; print(json.dumps([sys.executable, sys.prefix, sys.base_prefix, "
    "sys.version.split()[0]]))"
)


def interpreter_of(chosen: str) -> str:
    """A chosen interpreter: a program, or a virtual environment's folder."""
    path = Path(chosen).expanduser()
    if path.is_dir():
        for name in ("bin/python3", "bin/python", "Scripts/python.exe"):
            if (path / name).exists():
                return str(path / name)
        raise RuntimeMissing(f"{path} holds no bin/python: not a virtual environment.")
    return str(path)


def find_runtime(language: str, python: str = "") -> Runtime:
    """The runtime for a language (blocks for the interpreter's answer: call it off the GUI
    thread); RuntimeMissing says why there is none."""
    if language == PYTHON:
        program = interpreter_of(python) if python else shutil.which("python3")
        if not program:
            raise RuntimeMissing("python3 was not found on PATH: install Python 3.")
        try:
            done = subprocess.run(
                [program, "-I", "-c", _QUERY],
                capture_output=True,
                text=True,
                timeout=15,
                stdin=subprocess.DEVNULL,
            )
            executable, prefix, base, version = json.loads(done.stdout.strip().splitlines()[-1])
        except (OSError, ValueError, IndexError, subprocess.TimeoutExpired) as exc:
            raise RuntimeMissing(f"{program} does not run as Python: {exc}") from exc
        keep = tuple(dict.fromkeys(os.path.realpath(p) for p in (prefix, base) if p))
        keep += tuple(p for p in (prefix, base) if p and p not in keep)
        return Runtime(PYTHON, executable, version, keep)
    if language == JAVASCRIPT:
        program = shutil.which("node") or shutil.which("nodejs")
        if not program:
            raise RuntimeMissing("node was not found on PATH: install Node.js to run JavaScript.")
        real = os.path.realpath(program)
        try:
            version = subprocess.run(
                [real, "--version"], capture_output=True, text=True, timeout=15
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeMissing(f"{program} does not run: {exc}") from exc
        prefix = str(Path(real).parent.parent)
        return Runtime(JAVASCRIPT, real, version, () if prefix in ("/usr", "/") else (prefix,))
    if language == SHELL:
        program = shutil.which("bash") or shutil.which("sh")
        if not program:
            raise RuntimeMissing("Neither bash nor sh was found on PATH.")
        return Runtime(SHELL, os.path.realpath(program), "", ())
    raise RuntimeMissing(f"{language or 'This language'} cannot be run here.")
