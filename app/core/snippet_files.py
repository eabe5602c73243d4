"""Snippets to and from disk, without Qt: safe names, backups, applying, reading to compare.

Names come from model output, which is untrusted: a name never leaves the folder it is saved
into (no "..", no absolute or drive paths, no symlinked way out), and a file is only read to
compare after its size is checked and only if it is text.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from app.core.highlight import lexer_for
from app.core.i18n import QT_TRANSLATE_NOOP

MAX_COMPARE_BYTES = 5 * 1024 * 1024
_SNIFF_BYTES = 8192
_BAD_CHARS = re.compile(r'[<>:"|?*\x00-\x1f]')
_TEXT_CONTROLS = set(b"\t\n\r\f\b\x1b")

EXTENSIONS = {
    "python": "py", "javascript": "js", "typescript": "ts", "tsx": "tsx", "jsx": "jsx",
    "bash": "sh", "shell": "sh", "sh": "sh", "zsh": "sh", "console": "sh", "powershell": "ps1",
    "c": "c", "cpp": "cpp", "c++": "cpp", "csharp": "cs", "java": "java", "kotlin": "kt",
    "go": "go", "rust": "rs", "ruby": "rb", "php": "php", "swift": "swift", "sql": "sql",
    "html": "html", "css": "css", "scss": "scss", "json": "json", "yaml": "yaml", "toml": "toml",
    "xml": "xml", "markdown": "md", "md": "md", "diff": "diff", "lua": "lua", "r": "r",
    "ini": "ini", "text": "txt", "": "txt",
}  # fmt: skip


class FileRefused(Exception):
    """A file that is not compared or written, with the reason in words."""


def extension_for(language: str) -> str:
    """A file extension (without the dot) for a fence language; "txt" when unknown."""
    lang = language.strip().lower()
    if lang in EXTENSIONS:
        return EXTENSIONS[lang]
    for pattern in getattr(lexer_for(lang), "filenames", ()):
        if m := re.fullmatch(r"\*\.(\w+)", pattern):
            return m[1]
    return "txt"


def safe_relative_path(name: str) -> PurePosixPath | None:
    """`name` as a relative path that stays inside any folder, or None if it cannot.

    Subfolders are kept ("src/x.py"); "..", absolute paths and drive letters are refused;
    characters that some systems forbid become "_". Hidden folders lose their dot, so a
    model cannot aim at ".git/hooks" or ".ssh" ("git/hooks/x"); "~" is no home folder ("_");
    each part is cut to 255 bytes (its extension kept)."""
    name = name.strip().replace("\\", "/")
    if not name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    cleaned = [_BAD_CHARS.sub("_", p).rstrip(" .") or "_" for p in parts]
    cleaned = [p.lstrip(".") or "_" for p in cleaned[:-1]] + cleaned[-1:]
    cleaned = [_shortened("_" if p == "~" else p) for p in cleaned]
    return PurePosixPath(*cleaned)


def _shortened(part: str, limit: int = 255) -> str:
    if len(part.encode()) <= limit:
        return part
    stem, dot, ext = part.rpartition(".")
    if not dot or len(ext) > 16:
        stem, ext = part, ""
    keep = limit - len(ext.encode()) - (1 if ext else 0)
    stem = stem.encode()[:keep].decode(errors="ignore")
    return f"{stem}.{ext}" if ext else stem


def save_all_names(items: Sequence[tuple[str, str]]) -> list[PurePosixPath]:
    """Relative paths for Save all, one per (name hint, language), all distinct.

    A safe hint is used as given; an unsafe one keeps only its last part ("../../x.py" is
    saved as "x.py"); unnamed snippets are "snippet-N.<ext>" with N their place in the list.
    Names that collide (ignoring case, as some file systems do) get "-2", "-3"… before the
    extension."""
    files: set[str] = set()
    dirs: set[str] = set()
    out: list[PurePosixPath] = []
    for n, (hint, language) in enumerate(items, 1):
        path = safe_relative_path(hint) if hint else None
        if path is None and hint:
            path = safe_relative_path(hint.replace("\\", "/").rsplit("/", 1)[-1])
        if path is None:
            path = PurePosixPath(f"snippet-{n}.{extension_for(language)}")
        candidate, k = path, 1
        while _collides(candidate, files, dirs):
            k += 1
            candidate = path.with_name(f"{path.stem}-{k}{path.suffix}")
        files.add(str(candidate).casefold())
        dirs.update(str(p).casefold() for p in candidate.parents if str(p) != ".")
        out.append(candidate)
    return out


def _collides(path: PurePosixPath, files: set[str], dirs: set[str]) -> bool:
    key = str(path).casefold()
    return key in files or key in dirs or any(str(p).casefold() in files for p in path.parents)


def inside(folder: Path, relative: PurePosixPath) -> Path:
    """folder/relative, refused (FileRefused) if it would resolve outside folder."""
    safe = safe_relative_path(str(relative))
    if safe is None or safe != relative:
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} is not a safe file name").format(
                name=str(relative)
            )
        )
    root = folder.resolve()
    target = (root / safe).resolve()
    if not target.is_relative_to(root) or target == root:
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} would be written outside {folder}").format(
                name=str(relative), folder=str(folder)
            )
        )
    return target


def file_text_for(code: str, existing: str | None = None) -> str:
    """The snippet as file content: ending in a newline, with the existing file's line
    endings (CRLF stays CRLF)."""
    text = code.replace("\r\n", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    if existing and "\r\n" in existing:
        text = text.replace("\n", "\r\n")
    return text


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text exactly (no newline translation), via a temporary file and a rename,
    keeping the permissions of a file that is replaced (a new one gets the usual ones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, _NEW_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files(folder: Path, files: Sequence[tuple[PurePosixPath, str]]) -> list[Path]:
    """Write each (relative path, text) under folder; return the paths written. A failure
    is a FileRefused that says which file failed and how many were written before it."""
    targets = [inside(folder, rel) for rel, _ in files]  # all checked before any is written
    for n, (target, (rel, text)) in enumerate(zip(targets, files, strict=True)):
        try:
            write_text(target, text)
        except OSError as e:
            raise FileRefused(
                QT_TRANSLATE_NOOP(
                    "SnippetFiles",
                    "{name} could not be written ({error}); {n} of {total} files were saved "
                    "before it",
                ).format(name=str(rel), error=str(e.strerror or e), n=n, total=len(files))
            ) from e
    return targets


def backup_path(path: Path) -> Path:
    """Where to back up `path` before changing it: name.bak, else name.bak.1, .2, …"""
    candidate = path.with_name(path.name + ".bak")
    n = 0
    while os.path.lexists(candidate):  # a dangling link counts: never write through one
        n += 1
        candidate = path.with_name(f"{path.name}.bak.{n}")
    return candidate


def apply_with_backup(path: Path, text: str) -> Path | None:
    """Replace the file's content with `text`, after copying it to a backup; return the
    backup (None if the file did not exist). Nothing is written if the backup fails."""
    path = path.resolve()  # a link: change the file it names, and keep the link
    backup = None
    if path.exists():
        backup = backup_path(path)
        with path.open("rb") as src, backup.open("xb") as dst:  # "x": never an existing path
            shutil.copyfileobj(src, dst)
        shutil.copystat(path, backup)
    write_text(path, text)
    return backup


def is_binary(data: bytes) -> bool:
    """Whether bytes (a file's start is enough) look like anything but text: NUL bytes, or
    many control characters that text does not use."""
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    return controls / len(sample) > 0.05


def read_text_file(path: Path, limit: int = MAX_COMPARE_BYTES) -> str:
    """A text file's content, for comparing; FileRefused says why not (too large, binary,
    not UTF-8, not a file). The size is checked before anything is read."""
    try:
        st = path.stat()
    except OSError as e:
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} cannot be read: {error}").format(
                name=path.name, error=str(e.strerror or e)
            )
        ) from e
    if not path.is_file():
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} is not a file").format(name=path.name)
        )
    if st.st_size > limit:
        raise FileRefused(
            QT_TRANSLATE_NOOP(
                "SnippetFiles",
                "{name} is {size:.1f} MB; files over {limit:.0f} MB are not compared",
            ).format(name=path.name, size=st.st_size / 1048576, limit=limit / 1048576)
        )
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} cannot be read: {error}").format(
                name=path.name, error=str(e.strerror or e)
            )
        ) from e
    if len(data) > limit:
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} is over {limit:.0f} MB").format(
                name=path.name, limit=limit / 1048576
            )
        )
    if is_binary(data):
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} is a binary file, not text").format(
                name=path.name
            )
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FileRefused(
            QT_TRANSLATE_NOOP("SnippetFiles", "{name} is not UTF-8 text").format(name=path.name)
        ) from e
