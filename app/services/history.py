"""The history service: one worker thread owns the database; the GUI thread never waits.

Writes are queued as records (plain dicts) and merged per message, so a stream saved every
250 ms costs the GUI thread a dict copy. When a write fails (read-only file, full disk), the
records stay queued, and so do the other writes (rename, trash, the open tabs, ...) in their
order; the user is told, and they are written again every few seconds, records first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from app.core.conversation import ChatMessage, Conversation
from app.core.exchange import ImportRefused, export_records, import_into, parse_import, render
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.snippet_index import SnippetEntry
from app.core.store import (
    HIT_END,
    HIT_START,
    TRASH_DAYS,
    ConversationInfo,
    HistoryStore,
    SearchHit,
    StoreError,
    conversation_record,
)
from app.core.usage import UsageRow
from app.services.translation import exception_text, translated

# The store's types that widgets show, named here so that the UI depends on this service and
# not on app.core.store (an import-linter contract in pyproject.toml).
__all__ = [
    "HIT_END",
    "HIT_START",
    "TRASH_DAYS",
    "ConversationInfo",
    "HistoryError",
    "HistoryService",
    "SearchHit",
    "SnippetEntry",
]

SESSION_KEY = "session"  # meta key: the tabs open at quit

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_MS = 5000


class _Pending:
    """What is still to be written for one conversation (latest record wins)."""

    def __init__(self, conversation: dict[str, Any]) -> None:
        self.conversation = conversation
        self.messages: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()


class HistoryError(Exception):
    """An operation the user asked for (export, import, a read) failed; `reason` says why
    in the user's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HistoryService(QObject):
    """Named operations on the history, each reporting failures the same way: the writes
    nobody waits for (rename, pin, trash, ...) through `problem`; the awaited ones (list,
    load, search, export, import, the session state) raise `HistoryError`."""

    problem = Signal(str)  # a write failed: what happened and what to do
    recovered = Signal()  # everything queued has been written after a problem
    notice = Signal(str)  # something the user should know from opening (migration, ...)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        self._store: HistoryStore | None = None
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        # Writes other than records that the database refused, in order (under _lock).
        self._waiting: list[Callable[[HistoryStore], object]] = []
        self._flush_queued = False
        self._closed = False
        self.failing = False
        self.open_error = ""
        self.open_notice = ""
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._schedule_flush)
        # Emitted from the worker: these slots of ours run queued, on the GUI thread.
        self.problem.connect(self._on_problem)
        self.recovered.connect(self._retry.stop)
        self._opened: Future[None] = self._executor.submit(self._open)

    @Slot(str)
    def _on_problem(self, _text: str) -> None:
        if self._store is not None:
            self._retry.start()

    # --- worker side --------------------------------------------------------------------

    def _open(self) -> None:
        try:
            self._store = HistoryStore(self.path)
        except (StoreError, sqlite3.Error, OSError) as exc:
            self.open_error = QT_TRANSLATE_NOOP(
                "HistoryService",
                "History is off for this session: {error} Conversations are kept only until "
                "GLM Desk closes.",
            ).format(error=exc.args[0] if isinstance(exc, StoreError) else str(exc))
            log.error("history could not be opened: %s", exc)
            return
        self.open_notice = self._store.notice
        self._store.purge_trash()

    def announce(self) -> None:
        """Report what opening found (moved-aside file, migration, failure) once the
        receivers are connected: right away if it is known, else when the worker knows."""

        def report(_future: Future[None]) -> None:
            if self.open_error:
                self.problem.emit(translated(self.open_error))
            elif self.open_notice:
                self.notice.emit(translated(self.open_notice))

        self._opened.add_done_callback(report)

    def _take_pending(self) -> dict[str, _Pending]:
        with self._lock:
            batch, self._pending = self._pending, {}
            self._flush_queued = False
        return batch

    def _write_pending(self) -> None:
        batch = self._take_pending()
        if self._store is None:
            if batch:  # no database: keep the records in memory
                self._requeue(batch)
            return
        done: list[str] = []
        try:
            for cid, p in batch.items():
                self._store.save(p.conversation, list(p.messages.values()), p.deleted)
                done.append(cid)
        except (sqlite3.Error, OSError) as exc:
            self._requeue({k: v for k, v in batch.items() if k not in done})
            self._failed(exc)
            return
        if not self._write_waiting():
            return
        if self.failing:
            with self._lock:
                still = bool(self._pending or self._waiting)
            if not still:
                self.failing = False
                self.recovered.emit()

    def _write_waiting(self) -> bool:
        """The writes refused earlier, in order; False if the database refuses one again."""
        assert self._store is not None
        with self._lock:
            writes, self._waiting = self._waiting, []
        for i, fn in enumerate(writes):
            try:
                fn(self._store)
            except (sqlite3.Error, OSError) as exc:
                with self._lock:
                    self._waiting[:0] = writes[i:]
                self._failed(exc)
                return False
        return True

    def _write(self, fn: Callable[[HistoryStore], object]) -> None:
        """A write nobody waits for, after everything queued before it; kept for later if
        the database refuses it (or an earlier one is still refused)."""
        self._write_pending()
        if self._store is None:
            return  # no history this session: nothing to write to
        with self._lock:
            if self.failing or self._waiting:  # earlier writes are still refused: after them
                self._waiting.append(fn)
                return
        try:
            fn(self._store)
        except (sqlite3.Error, OSError) as exc:
            with self._lock:
                self._waiting.append(fn)
            self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        if not self.failing:
            self.failing = True
            log.error("history write failed: %s", exc)
            self.problem.emit(_describe(exc, self.path))

    def _requeue(self, batch: dict[str, _Pending]) -> None:
        """Put records back under anything newer queued meanwhile."""
        with self._lock:
            for cid, old in batch.items():
                new = self._pending.get(cid)
                if new is None:
                    self._pending[cid] = old
                    continue
                merged = {**old.messages, **new.messages}
                for mid in new.deleted:
                    merged.pop(mid, None)
                new.messages = merged
                new.deleted |= old.deleted - merged.keys()  # re-added since: keep it

    def _call(self, fn: Callable[[HistoryStore], T], default: T) -> T:
        self._write_pending()  # reads and other writes see everything queued before them
        if self._store is None:
            return default
        return fn(self._store)

    # --- GUI side -----------------------------------------------------------------------

    def save(
        self,
        conversation: Conversation,
        messages: Iterable[ChatMessage] = (),
        deleted_ids: Iterable[str] = (),
    ) -> None:
        """Queue a conversation's fields and the given messages for writing (no waiting)."""
        record = conversation_record(conversation)
        with self._lock:
            p = self._pending.get(conversation.id)
            if p is None:
                p = self._pending[conversation.id] = _Pending(record)
            p.conversation = record
            for m in messages:
                p.messages[m.id] = m.to_dict()
                p.deleted.discard(m.id)
            for mid in deleted_ids:
                p.messages.pop(mid, None)
                p.deleted.add(mid)
        self._schedule_flush()

    def save_all(self, conversation: Conversation) -> None:
        self.save(conversation, conversation.nodes.values())

    def _schedule_flush(self) -> None:
        with self._lock:
            if self._closed or self._flush_queued or not (self._pending or self._waiting):
                return
            self._flush_queued = True
        self._executor.submit(self._write_pending)

    async def run(self, fn: Callable[[HistoryStore], T], default: T) -> T:
        """Run `fn(store)` on the worker after the queued writes; `default` if no store."""
        if self._closed:
            return default
        return await asyncio.wrap_future(self._executor.submit(self._call, fn, default))

    def run_soon(self, fn: Callable[[HistoryStore], object]) -> None:
        """Queue a write that nobody waits for (trash, restore, session state); one the
        database refuses is kept and written again with the records."""
        if self._closed:
            log.warning("history closed: a late write was dropped")
            return
        future = self._executor.submit(self._write, fn)
        future.add_done_callback(self._report_failure)

    async def _read(self, fn: Callable[[HistoryStore], T], default: T) -> T:
        try:
            return await self.run(fn, default)
        except (sqlite3.Error, OSError) as exc:
            log.error("history read failed: %s", exc)
            raise HistoryError(_describe_read(exc)) from exc

    # --- named operations -----------------------------------------------------------------

    async def list_conversations(self, trash: bool = False) -> list[ConversationInfo]:
        return await self._read(lambda s: s.list_conversations(trash), [])

    async def load(self, conversation_id: str) -> Conversation | None:
        return await self._read(lambda s: s.load(conversation_id), None)

    async def usage_rows(self, since: float = 0.0) -> list[UsageRow]:
        """Every answer's usage since `since`, for the Usage window and the budget."""
        return await self._read(lambda s: s.usage_rows(since), [])

    async def search(self, query: str) -> list[SearchHit]:
        return await self._read(lambda s: s.search(query), []) if query else []

    async def snippets(self, text: str = "", language: str = "") -> list[SnippetEntry]:
        """The snippet library: every code block, pinned first, then newest first."""
        return await self._read(lambda s: s.snippets(text, language), [])

    async def snippet_languages(self) -> list[tuple[str, int]]:
        return await self._read(lambda s: s.snippet_languages(), [])

    def set_snippet_pinned(self, message_id: str, block: int, pinned: bool) -> None:
        self.run_soon(lambda s: s.set_snippet_pinned(message_id, block, pinned))

    def rename(self, conversation_id: str, title: str) -> None:
        self.run_soon(lambda s: s.rename(conversation_id, title))

    def set_pinned(self, conversation_id: str, pinned: bool) -> None:
        self.run_soon(lambda s: s.set_pinned(conversation_id, pinned))

    def trash(self, conversation_id: str) -> None:
        self.run_soon(lambda s: s.trash(conversation_id))

    def restore(self, conversation_id: str) -> None:
        self.run_soon(lambda s: s.restore(conversation_id))

    def delete_forever(self, conversation_id: str) -> None:
        self.run_soon(lambda s: s.delete_forever(conversation_id))

    async def export_to(self, path: Path, conversation_id: str | None, fmt: str) -> None:
        """Write one conversation (or all, with None) as Markdown ("md") or JSON to path."""
        text = await self._read(lambda s: render(export_records(s, conversation_id), fmt), "")
        try:
            await asyncio.to_thread(path.write_text, text, encoding="utf-8")
        except OSError as exc:
            raise HistoryError(str(exc.strerror or exc)) from exc

    async def import_from(self, path: Path) -> tuple[int, int]:
        """Import a GLM Desk JSON export: (imported, skipped because already there)."""
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
            conversations = await asyncio.to_thread(parse_import, text)
        except UnicodeDecodeError as exc:
            raise HistoryError(self.tr("it is not a text file")) from exc
        except OSError as exc:
            raise HistoryError(str(exc.strerror or exc)) from exc
        except ImportRefused as exc:
            raise HistoryError(exception_text(exc)) from exc
        return await self._read(lambda s: import_into(s, conversations), (0, 0))

    def save_session_state(self, state: dict[str, object]) -> None:
        """The open tabs at quit (see `load_session_state`)."""
        text = json.dumps(state)
        self.run_soon(lambda s: s.set_meta(SESSION_KEY, text))

    async def load_session_state(self) -> tuple[dict[str, Any], dict[str, Conversation]]:
        """The tabs saved at the last quit, and the conversations of those still stored."""

        def read(store: HistoryStore) -> tuple[dict[str, Any], dict[str, Conversation]]:
            try:
                state = json.loads(store.get_meta(SESSION_KEY, "{}"))
            except ValueError:
                state = {}
            if not isinstance(state, dict):
                state = {}
            tabs = state.get("tabs", [])
            ids = (
                [t.get("id") for t in tabs if isinstance(t, dict)] if isinstance(tabs, list) else []
            )
            loaded = {cid: c for cid in ids if cid and (c := store.load(cid)) is not None}
            return state, loaded

        return await self._read(read, ({}, {}))

    def _report_failure(self, future: Future[object]) -> None:
        exc = future.exception()
        if exc is not None:
            log.error("history operation failed: %s", exc)
            self.problem.emit(_describe(exc, self.path))

    def flush_and_close(self, timeout: float = 10.0) -> bool:
        """At quit: write what is queued and close the database. True if nothing is lost."""
        self._retry.stop()
        if self._closed:
            return not (self._pending or self._waiting)
        self._closed = True

        def finish() -> bool:
            self._write_pending()
            ok = not (self._pending or self._waiting)
            if self._store is not None:
                self._store.close()
                self._store = None
            return ok

        try:
            ok = self._executor.submit(finish).result(timeout)
        finally:
            self._executor.shutdown(wait=False)
        return ok

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until queued work is done (tests and benchmarks only)."""
        self._executor.submit(self._write_pending).result(timeout)


def _describe_read(exc: BaseException) -> str:
    return QCoreApplication.translate(
        "HistoryService", "the history could not be read ({error})"
    ).format(error=exc)


def _describe(exc: BaseException, path: Path) -> str:
    """What failed and what to do, in the user's language."""
    text = str(exc)
    if "full" in text:
        return QCoreApplication.translate(
            "HistoryService",
            "Could not save history: the disk is full. Your conversations are kept in memory; "
            "Free some space and GLM Desk will save them again automatically.",
        )
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return QCoreApplication.translate(
            "HistoryService",
            "Could not save history: the history file is read-only. Your conversations are "
            "kept in memory; Make {folder} writable and GLM Desk will save them again "
            "automatically.",
        ).format(folder=path.parent)
    return QCoreApplication.translate(
        "HistoryService",
        "Could not save history: {error}. Your conversations are kept in memory; Check the "
        "disk and GLM Desk will save them again automatically.",
    ).format(error=text)
