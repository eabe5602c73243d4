"""`glm-desk export` and `glm-desk import`: the history from a terminal (no window, no Qt)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from app.core.exchange import (
    FORMATS,
    ImportRefused,
    export_records,
    import_into,
    parse_import,
    render,
)
from app.core.profile import ProfileInUse, ProfileLock, resolve_profile
from app.core.store import HISTORY_FILE, HistoryStore, StoreError

COMMANDS = ("export", "import")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="glm-desk", description="Export or import history.")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="write conversations as JSON or Markdown")
    ex.add_argument("--profile", metavar="DIR", help="the profile to read (env: GLM_DESK_PROFILE)")
    ex.add_argument("--format", choices=FORMATS, default="json", help="default: json")
    ex.add_argument("--conversation", metavar="ID", help="only this conversation")
    ex.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    im = sub.add_parser("import", help="add the conversations of a JSON export")
    im.add_argument("file", metavar="FILE")
    im.add_argument("--profile", metavar="DIR", help="the profile to add to")
    return ap


def _fail(message: str) -> int:
    print(f"glm-desk: {message}", file=sys.stderr)
    return 1


def run_command(argv: Sequence[str]) -> int:
    """Run `export` or `import`. With the profile free, the command holds its lock (an app
    started meanwhile is told the profile is in use). With GLM Desk running on it, `export`
    reads the history read-only (SQLite's WAL lets it read while the app writes; it changes
    nothing, not even a streaming answer's state) and `import` refuses, saying what to do."""
    args = _parser().parse_args(argv)
    profile = resolve_profile(args.profile)
    path = profile / HISTORY_FILE
    if args.command == "export" and not path.exists():
        return _fail(f"there is no history in {profile}")
    try:
        lock: ProfileLock | None = ProfileLock.acquire(profile)
    except ProfileInUse as exc:
        if args.command == "import":
            by = f"GLM Desk (process {exc.pid})" if exc.pid else "another GLM Desk"
            return _fail(
                f"{by} is using the profile {profile}: import in its window (File → Import "
                "conversations…), or quit it and run this again"
            )
        lock = None
    try:
        try:
            store = HistoryStore(path, mark_interrupted=False, read_only=lock is None)
        except (StoreError, sqlite3.Error) as exc:
            return _fail(str(exc))
        try:
            if args.command == "export":
                return _export(store, args)
            return _import(store, Path(args.file))
        finally:
            store.close()
    finally:
        if lock is not None:
            lock.release()


def _export(store: HistoryStore, args: argparse.Namespace) -> int:
    try:
        with store.reading():  # one moment of the history, even while the app writes
            records = export_records(store, args.conversation)
    except KeyError:
        return _fail(f"no conversation with id {args.conversation}")
    data = render(records, args.format).encode("utf-8")
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            return _fail(f"could not write {args.output}: {exc.strerror or exc}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _import(store: HistoryStore, file: Path) -> int:
    try:
        conversations = parse_import(file.read_text(encoding="utf-8"))
    except OSError as exc:
        return _fail(f"could not read {file}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _fail(f"{file} was not imported: it is not a text file")
    except ImportRefused as exc:
        return _fail(f"{file} was not imported: {exc}")
    imported, skipped = import_into(store, conversations)
    note = f", {skipped} already in the history" if skipped else ""
    print(f"imported {imported} conversation(s){note}")
    return 0
