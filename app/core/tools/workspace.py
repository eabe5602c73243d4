"""The workspace tools: GLM-4 reads, lists, searches and edits files in one folder.

Every path comes from the model and is treated as hostile: `Workspace.resolve` accepts only
a relative path that, with every symbolic link followed, stays inside the folder the user
chose; `~`, absolute paths and `..` are refused before anything is looked at. Only regular
files are read (a device or a FIFO could block or never end), never binary ones or ones over
`MAX_FILE_BYTES`; nothing is written under `.git/`. A refusal is a `ToolRefused` whose
message goes back to the model.

Reads run at once (see the tool loop for approval). Writes are two steps: `plan_write` and
`plan_edit` return a `WritePlan` with the diff, for the user to approve; `apply` then writes
it, keeping the old file as `<name>.bak` (as the code pane's Apply does), and refuses if the
file changed since the plan. All of it is blocking file I/O: callers run it off the GUI
thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from app.core.tools.declare import Tool, ToolKind, ToolRefused

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

MAX_FILE_BYTES = 2 * 1024 * 1024  # read, searched or written
PAGE_LINES = 400  # lines of one read_file answer
MAX_LINE_CHARS = 2_000  # a longer line is cut in read and search answers
MAX_ENTRIES = 500  # entries of one list_directory answer
MAX_DEPTH = 4
MAX_HITS = 200  # lines of one search_files answer
MAX_SEARCHED_FILES = 20_000
MAX_PATTERN = 500  # characters of a search pattern
SNIFF_BYTES = 8192  # read to tell a binary file (a NUL byte)


def _path_param(what: str) -> dict[str, Any]:
    return {"type": "string", "description": f"{what}, relative to the workspace folder"}


READ_FILE = Tool(
    "read_file",
    "Read a text file in the workspace. Long files come in pages of "
    f"{PAGE_LINES} lines; the answer says the total and how to ask for more.",
    {
        "type": "object",
        "properties": {
            "path": _path_param("The file"),
            "start_line": {"type": "integer", "minimum": 1, "description": "First line (1)"},
            "end_line": {"type": "integer", "minimum": 1, "description": "Last line"},
        },
        "required": ["path"],
        "additionalProperties": False,
    },
    ToolKind.READ,
)
LIST_DIRECTORY = Tool(
    "list_directory",
    "List a folder of the workspace (folders end with /), skipping what .gitignore ignores.",
    {
        "type": "object",
        "properties": {
            "path": _path_param('The folder ("." for the workspace itself)'),
            "depth": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_DEPTH,
                "description": "How many levels down (1: only this folder)",
            },
        },
        "required": [],
        "additionalProperties": False,
    },
    ToolKind.READ,
)
SEARCH_FILES = Tool(
    "search_files",
    "Search the text files of the workspace for a text (or a regular expression); the "
    "answer lists matching lines as path:line: text.",
    {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "description": "What to look for"},
            "path": _path_param('The folder to search ("." for all)'),
            "glob": {"type": "string", "description": 'Only files whose name matches, "*.py"'},
            "regex": {"type": "boolean", "description": "The pattern is a regular expression"},
        },
        "required": ["pattern"],
        "additionalProperties": False,
    },
    ToolKind.READ,
)
WRITE_FILE = Tool(
    "write_file",
    "Create a text file in the workspace, or replace one's whole content. The user sees the "
    "change and may decline it.",
    {
        "type": "object",
        "properties": {
            "path": _path_param("The file"),
            "content": {"type": "string", "description": "The file's new content"},
        },
        "required": ["path", "content"],
        "additionalProperties": False,
    },
    ToolKind.WRITE,
)
EDIT_FILE = Tool(
    "edit_file",
    "Replace one piece of a text file in the workspace: old_text must occur exactly once "
    "(include enough lines around it). The user sees the change and may decline it.",
    {
        "type": "object",
        "properties": {
            "path": _path_param("The file"),
            "old_text": {"type": "string", "description": "The exact text to replace"},
            "new_text": {"type": "string", "description": "What replaces it"},
        },
        "required": ["path", "old_text", "new_text"],
        "additionalProperties": False,
    },
    ToolKind.WRITE,
)
WORKSPACE_TOOLS = (READ_FILE, LIST_DIRECTORY, SEARCH_FILES, WRITE_FILE, EDIT_FILE)


@dataclass(frozen=True)
class WritePlan:
    """A write the user is asked about: nothing is written until `Workspace.apply`."""

    path: Path  # resolved, inside the workspace
    relative: str  # as shown: "src/app.py"
    old: str | None  # the file's content now (None: a new file)
    new: str
    diff: str  # unified diff, old -> new

    @property
    def creates(self) -> bool:
        return self.old is None


class Workspace:
    """One folder the tools may touch (see the module docstring)."""

    def __init__(self, root: Path | str) -> None:
        path = Path(root).expanduser()
        if not path.is_dir():
            raise ValueError(f"not a folder: {path}")
        self.root = path.resolve(strict=True)
        self._ignore: GitIgnoreSpec | None = None
        self._ignore_stamp: float | None = None

    # --- paths ---------------------------------------------------------------------------

    def resolve(self, path: object, *, writing: bool = False) -> Path:
        """The real path for a path the model gave, or ToolRefused."""
        if not isinstance(path, str) or not path.strip():
            raise ToolRefused("No path was given.")
        text = path.strip()
        if "\0" in text:
            raise ToolRefused("A path cannot contain a NUL character.")
        if text.startswith("~"):
            raise ToolRefused(f"{text!r} is outside the workspace: give a path relative to it.")
        posix = text.replace("\\", "/")
        if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
            raise ToolRefused(
                f"{text!r} is an absolute path: give a path relative to the workspace folder."
            )
        if ".." in PurePosixPath(posix).parts:
            raise ToolRefused(f"{text!r} leads outside the workspace ('..' is not allowed).")
        real = (self.root / posix).resolve(strict=False)  # every symbolic link followed
        if not real.is_relative_to(self.root):
            raise ToolRefused(f"{text!r} leads outside the workspace through a symbolic link.")
        if writing and ".git" in real.relative_to(self.root).parts:
            raise ToolRefused("Files under .git/ are never written by a tool.")
        return real

    def relative(self, real: Path) -> str:
        rel = real.relative_to(self.root).as_posix()
        return rel if rel != "." else "."

    def _regular(self, real: Path, shown: str) -> os.stat_result:
        try:
            st = real.stat()
        except FileNotFoundError:
            raise ToolRefused(f"{shown!r} does not exist.") from None
        except OSError as exc:
            raise ToolRefused(f"{shown!r} cannot be read: {exc.strerror}.") from None
        if stat.S_ISDIR(st.st_mode):
            raise ToolRefused(f"{shown!r} is a folder: use list_directory.")
        if not stat.S_ISREG(st.st_mode):
            raise ToolRefused(f"{shown!r} is not a regular file (a device, FIFO or socket).")
        if st.st_size > MAX_FILE_BYTES:
            raise ToolRefused(
                f"{shown!r} is {st.st_size / 2**20:.1f} MB; files over "
                f"{MAX_FILE_BYTES // 2**20} MB are not read."
            )
        return st

    def _text_of(self, real: Path, shown: str) -> str:
        self._regular(real, shown)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(real, flags)
        except OSError as exc:
            raise ToolRefused(f"{shown!r} cannot be read: {exc.strerror}.") from None
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # swapped meanwhile
                raise ToolRefused(f"{shown!r} is not a regular file.")
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ToolRefused(f"{shown!r} is over {MAX_FILE_BYTES // 2**20} MB.")
        if b"\0" in data[:SNIFF_BYTES]:
            raise ToolRefused(f"{shown!r} is a binary file.")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ToolRefused(f"{shown!r} is not UTF-8 text (a binary file?).") from None

    # --- .gitignore ----------------------------------------------------------------------

    def _ignored(self) -> GitIgnoreSpec:
        gitignore = self.root / ".gitignore"
        try:
            stamp: float | None = gitignore.stat().st_mtime
        except OSError:
            stamp = None
        if self._ignore is None or stamp != self._ignore_stamp:
            from pathspec import GitIgnoreSpec  # on first use

            lines = gitignore.read_text("utf-8", "replace").splitlines() if stamp else []
            self._ignore, self._ignore_stamp = GitIgnoreSpec.from_lines(lines), stamp
        return self._ignore

    def _skipped(self, real: Path) -> bool:
        rel = self.relative(real)
        if rel == ".git" or rel.startswith(".git/"):
            return True
        return self._ignored().match_file(rel + ("/" if real.is_dir() else ""))

    def _walk(self, top: Path, depth: int) -> Iterator[tuple[Path, int]]:
        """(path, level) under top, folders first, sorted, skipping ignored ones and links
        that lead out; level 1 is top's own entries."""
        try:
            entries = sorted(os.scandir(top), key=lambda e: (not e.is_dir(), e.name.lower()))
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            real = path.resolve(strict=False)
            if not real.is_relative_to(self.root) or self._skipped(path):
                continue
            yield path, 1
            if depth > 1 and entry.is_dir() and real == path:  # a linked folder: not entered
                for sub, level in self._walk(path, depth - 1):
                    yield sub, level + 1

    # --- the tools -----------------------------------------------------------------------

    def read_file(self, path: str, start_line: int = 1, end_line: int | None = None) -> str:
        real = self.resolve(path)
        shown = self.relative(real)
        lines = self._text_of(real, path).splitlines()
        total = len(lines)
        if total == 0:
            return f"{shown} is empty."
        if start_line > total:
            raise ToolRefused(
                f"{shown} has {total} lines; start_line {start_line} is past its end."
            )
        last = min(total, end_line or total, start_line + PAGE_LINES - 1)
        if last < start_line:
            raise ToolRefused("end_line is before start_line.")
        body = "\n".join(_cut(line) for line in lines[start_line - 1 : last])
        head = f"{shown}, lines {start_line}-{last} of {total}"
        if last < total and (end_line is None or end_line > last):
            head += f" (more: start_line={last + 1})"
        return f"{head}:\n{body}"

    def list_directory(self, path: str = ".", depth: int = 1) -> str:
        real = self.resolve(path)
        if not real.is_dir():
            raise ToolRefused(f"{path!r} is not a folder.")
        out: list[str] = []
        more = 0
        for entry, level in self._walk(real, max(1, min(depth, MAX_DEPTH))):
            if len(out) >= MAX_ENTRIES:
                more += 1
                continue
            name = entry.name + ("/" if entry.is_dir() else "")
            out.append("  " * (level - 1) + name)
        if not out:
            return f"{self.relative(real)}/ is empty."
        if more:
            out.append(f"… and {more} more entries (list a subfolder)")
        return f"{self.relative(real)}/\n" + "\n".join(out)

    def search_files(
        self, pattern: str, path: str = ".", glob: str = "*", regex: bool = False
    ) -> str:
        if not pattern:
            raise ToolRefused("The pattern is empty.")
        if len(pattern) > MAX_PATTERN:
            raise ToolRefused(f"The pattern is over {MAX_PATTERN} characters.")
        try:
            matcher = re.compile(pattern if regex else re.escape(pattern), re.IGNORECASE)
        except re.error as exc:
            raise ToolRefused(f"The regular expression is not valid: {exc}.") from None
        top = self.resolve(path)
        if not top.is_dir():
            raise ToolRefused(f"{path!r} is not a folder.")
        hits: list[str] = []
        extra = files = 0
        for entry, _level in self._walk(top, depth=64):
            if entry.is_dir() or not fnmatch(entry.name, glob or "*"):
                continue
            files += 1
            if files > MAX_SEARCHED_FILES:
                break
            try:
                text = self._text_of(entry, self.relative(entry))
            except ToolRefused:
                continue  # binary, large, unreadable: not searched
            for n, line in enumerate(text.splitlines(), 1):
                if matcher.search(line[:MAX_LINE_CHARS]):
                    if len(hits) < MAX_HITS:
                        hits.append(f"{self.relative(entry)}:{n}: {_cut(line.strip(), 200)}")
                    else:
                        extra += 1
        if not hits:
            return f"No line matches {pattern!r}."
        if extra:
            hits.append(f"… and {extra} more matching lines (narrow the search)")
        return "\n".join(hits)

    def plan_write(self, path: str, content: str) -> WritePlan:
        real = self.resolve(path, writing=True)
        if len(content.encode("utf-8")) > MAX_FILE_BYTES:
            raise ToolRefused(f"The content is over {MAX_FILE_BYTES // 2**20} MB.")
        old = self._text_of(real, path) if real.exists() else None
        if real.exists() or real.is_symlink():
            self._regular(real, path)
        return self._plan(real, old, content)

    def plan_edit(self, path: str, old_text: str, new_text: str) -> WritePlan:
        real = self.resolve(path, writing=True)
        old = self._text_of(real, path)
        if not old_text:
            raise ToolRefused("old_text is empty.")
        count = old.count(old_text)
        if count == 0:
            raise ToolRefused(f"old_text does not occur in {self.relative(real)}.")
        if count > 1:
            raise ToolRefused(
                f"old_text occurs {count} times in {self.relative(real)}: include more of the "
                "lines around it, so that it occurs once."
            )
        return self._plan(real, old, old.replace(old_text, new_text, 1))

    def _plan(self, real: Path, old: str | None, new: str) -> WritePlan:
        shown = self.relative(real)
        diff = "".join(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile="/dev/null" if old is None else f"a/{shown}",
                tofile=f"b/{shown}",
            )
        )
        return WritePlan(real, shown, old, new, diff)

    def apply(self, plan: WritePlan) -> str:
        """Write an approved plan; the old file is kept as <name>.bak."""
        real = self.resolve(plan.relative, writing=True)  # again: links may have changed
        if real != plan.path:
            raise ToolRefused(f"{plan.relative} now leads elsewhere; nothing was written.")
        now = self._text_of(real, plan.relative) if real.exists() else None
        if now != plan.old:
            raise ToolRefused(f"{plan.relative} changed since the change was shown; not written.")
        real.parent.mkdir(parents=True, exist_ok=True)
        if now is not None:
            backup = real.with_name(real.name + ".bak")
            backup.write_text(now, encoding="utf-8")
        tmp = real.with_name(f".{real.name}.glm-desk-tmp")
        tmp.write_text(plan.new, encoding="utf-8")
        os.replace(tmp, real)
        lines = plan.new.count("\n") + (not plan.new.endswith("\n") and bool(plan.new))
        verb = "Created" if now is None else "Wrote"
        kept = "" if now is None else f" (the old one is kept as {real.name}.bak)"
        count = f"{lines} line" if lines == 1 else f"{lines} lines"
        return f"{verb} {plan.relative}: {count}{kept}."


def _cut(line: str, limit: int = MAX_LINE_CHARS) -> str:
    return line if len(line) <= limit else line[:limit] + f" … [{len(line) - limit:,} more]"
