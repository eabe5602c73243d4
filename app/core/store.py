"""Conversation history in SQLite: WAL, foreign keys, versioned migrations, FTS5 search.

A `HistoryStore` is used from one thread only (the history service's worker), which owns
the connection. Every write commits at once, so a killed process loses nothing committed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import snippet_index
from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.providers import PROVIDERS
from app.core.settings import validate_params
from app.core.usage import UsageRow

SCHEMA_VERSION = 8
APP_TAG = "glm-desk"
TRASH_DAYS = 30
HISTORY_FILE = "history.db"  # in the profile directory
# Search snippets mark hits with these (private-use characters never typed by a person).
HIT_START, HIT_END = "\ue000", "\ue001"


class StoreError(Exception):
    """A history problem to show the user (corrupt file moved aside, disk full, ...)."""


class _Unreadable(Exception):
    """The file is not an SQLite database (or its header is damaged)."""


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    title: str
    created: float
    updated: float
    pinned: bool = False
    deleted: float | None = None  # when it went to the trash


@dataclass(frozen=True)
class SearchHit:
    conversation_id: str
    message_id: str
    title: str
    snippet: str


_V1 = """
CREATE TABLE conversations(id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '',
                           created REAL NOT NULL);
CREATE TABLE messages(id INTEGER PRIMARY KEY,
                      conversation_id TEXT NOT NULL REFERENCES conversations(id),
                      role TEXT NOT NULL, content TEXT NOT NULL, created REAL NOT NULL);
"""


# Each migration is one SQL script, run inside one transaction with the version bump.
# Version 2: message ids are text (made by the app, so a write can be repeated safely),
# messages form a tree (edits and regenerations are siblings), a trash, full-text search.
_MIGRATE_1_TO_2 = f"""
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta(key, value) VALUES ('app', '{APP_TAG}');
        ALTER TABLE conversations ADD COLUMN updated REAL NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN deleted REAL;
        ALTER TABLE conversations ADD COLUMN leaf_id TEXT;
        UPDATE conversations SET
            updated = coalesce((SELECT max(created) FROM messages m
                                WHERE m.conversation_id = conversations.id), created),
            leaf_id = (SELECT 'v1-' || max(id) FROM messages m
                       WHERE m.conversation_id = conversations.id);
        CREATE TABLE messages2(
            rid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id TEXT,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'done',
            provider TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            notice TEXT NOT NULL DEFAULT '',
            error TEXT,
            usage TEXT,
            created REAL NOT NULL);
        INSERT INTO messages2(rid, id, conversation_id, parent_id, seq, role, content, created)
            SELECT id, 'v1-' || id, conversation_id,
                   'v1-' || lag(id) OVER (PARTITION BY conversation_id ORDER BY id),
                   row_number() OVER (PARTITION BY conversation_id ORDER BY id) - 1,
                   role, content, created FROM messages;
        DROP TABLE messages;
        ALTER TABLE messages2 RENAME TO messages;
        CREATE INDEX messages_by_conversation ON messages(conversation_id, seq);
        CREATE INDEX conversations_by_activity ON conversations(deleted, pinned, updated);
        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, content='messages', content_rowid='rid', tokenize='trigram');
        CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts(rowid, content) VALUES (new.rid, new.content);
        END;
        CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content)
                VALUES ('delete', old.rid, old.content);
        END;
        CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content)
                VALUES ('delete', old.rid, old.content);
            INSERT INTO messages_fts(rowid, content) VALUES (new.rid, new.content);
        END;
        INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
"""

# Version 3: a conversation's own generation settings (JSON: temperature, top_p, max_tokens,
# system_prompt), over the provider's.
_MIGRATE_2_TO_3 = """
        ALTER TABLE conversations ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
"""

# Version 4: tools. An answer's calls (JSON: id, name, arguments, state, seconds) and, for
# a tool message, the call it answers; a conversation's workspace folder.
_MIGRATE_3_TO_4 = """
        ALTER TABLE messages ADD COLUMN tool_calls TEXT;
        ALTER TABLE messages ADD COLUMN tool_call_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE conversations ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
"""

# Version 5: the MCP servers a conversation has on (a JSON list of names; NULL: the servers
# enabled in the settings).
_MIGRATE_4_TO_5 = """
        ALTER TABLE conversations ADD COLUMN mcp_servers TEXT;
"""

# Version 6: an answer's web sources (JSON: [{title, link, site, date}]) and its format
# ("json": asked for as JSON).
_MIGRATE_5_TO_6 = """
        ALTER TABLE messages ADD COLUMN sources TEXT;
        ALTER TABLE messages ADD COLUMN format TEXT NOT NULL DEFAULT '';
"""

# Version 7: snippet runs. The runs of an answer's code blocks (JSON: app/core/runner/record.py)
# and, for a Fix it request, the code block it asks to fix ("MESSAGE_ID:BLOCK").
_MIGRATE_6_TO_7 = """
        ALTER TABLE messages ADD COLUMN runs TEXT;
        ALTER TABLE messages ADD COLUMN fixes TEXT NOT NULL DEFAULT '';
"""

# Version 8: the snippet library's index (app/core/snippet_index.py), filled from the history.
_MIGRATE_7_TO_8 = snippet_index.SCHEMA

MIGRATIONS: dict[int, str] = {
    1: _MIGRATE_1_TO_2,
    2: _MIGRATE_2_TO_3,
    3: _MIGRATE_3_TO_4,
    4: _MIGRATE_4_TO_5,
    5: _MIGRATE_5_TO_6,
    6: _MIGRATE_6_TO_7,
    7: _MIGRATE_7_TO_8,
}
# Work a migration needs Python for, done in the same transaction as its SQL.
AFTER_MIGRATION = {7: snippet_index.backfill}


class HistoryStore:
    def __init__(self, path: Path, mark_interrupted: bool = True, read_only: bool = False) -> None:
        """`read_only`: for a history another GLM Desk is using (``glm-desk export`` while the
        app runs): opened with SQLite's ``mode=ro``, reads only, never migrated, marked or
        moved aside; a file that would need any of that raises `StoreError`. WAL lets it
        read while the app writes."""
        self.path = path
        self.read_only = read_only
        self.notice = ""  # what happened at open (migration, a file moved aside), for the UI
        self.backup_path: Path | None = None
        self.interrupted = 0
        if read_only:
            self.db = self._open_read_only()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open()
        except _Unreadable as exc:
            aside = self._move_aside("corrupt")
            self.notice = QT_TRANSLATE_NOOP(
                "HistoryStore",
                "The history file could not be read ({error}); it was moved to {file} "
                "and a new, empty history was started.",
            ).format(error=str(exc), file=aside.name)
            self.db = self._open()
        # Answers that were streaming when the app last ended (killed, crashed, power cut).
        # (Not from the command line: the app may be running and streaming right now.)
        if mark_interrupted:
            self.interrupted = self.db.execute(
                "UPDATE messages SET state=? WHERE state=?",
                (AnswerState.INTERRUPTED.value, AnswerState.STREAMING.value),
            ).rowcount

    # --- opening and migrating -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        return db

    def _open(self) -> sqlite3.Connection:
        # One connection at a time creates or upgrades the file: the app and `glm-desk ask`
        # may open it at once, and a second one reading a half-made history would take it
        # for a foreign file or run a migration twice.
        with _open_lock(self.path):
            return self._open_locked()

    def _open_locked(self) -> sqlite3.Connection:
        db = self._connect()
        try:
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            except sqlite3.DatabaseError as exc:
                raise _Unreadable(str(exc)) from exc
            if version == 0 and tables:
                db.close()
                aside = self._move_aside("foreign")
                self.notice = QT_TRANSLATE_NOOP(
                    "HistoryStore",
                    "{name} was not a GLM Desk history; it was moved to {file} and a new "
                    "history was started.",
                ).format(name=self.path.name, file=aside.name)
                db = self._connect()
                version = 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    QT_TRANSLATE_NOOP(
                        "HistoryStore",
                        "The history was written by a newer GLM Desk (schema {version}); "
                        "update GLM Desk to open it.",
                    ).format(version=version)
                )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=5000")
            if version == 0:
                db.executescript(_V1)
                version = 1
                db.execute("PRAGMA user_version=1")
            elif version < SCHEMA_VERSION:
                self.backup_path = self._backup(db, version)
                self.notice = QT_TRANSLATE_NOOP(
                    "HistoryStore",
                    "The history was upgraded from schema {old} to {new}; a copy of the old "
                    "file is at {file}.",
                ).format(old=version, new=SCHEMA_VERSION, file=self.backup_path.name)
            while version < SCHEMA_VERSION:
                db.execute("PRAGMA foreign_keys=OFF")  # migrations rebuild tables
                try:
                    db.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[version]}\n")
                    if version in AFTER_MIGRATION:
                        AFTER_MIGRATION[version](db)
                    db.execute(f"PRAGMA user_version={version + 1}")
                    db.execute("COMMIT")
                    version += 1
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
                finally:
                    db.execute("PRAGMA foreign_keys=ON")
            return db
        except BaseException:
            db.close()
            raise

    def _open_read_only(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri() + "?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(
                QT_TRANSLATE_NOOP(
                    "HistoryStore", "The history file could not be opened ({error})."
                ).format(error=str(exc))
            ) from exc
        try:
            db.execute("PRAGMA busy_timeout=5000")
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    QT_TRANSLATE_NOOP(
                        "HistoryStore", "The history file could not be read ({error})."
                    ).format(error=str(exc))
                ) from exc
            if version == 0:
                raise StoreError(
                    QT_TRANSLATE_NOOP("HistoryStore", "{name} is not a GLM Desk history.").format(
                        name=self.path.name
                    )
                    if tables
                    else QT_TRANSLATE_NOOP("HistoryStore", "The history is empty.")
                )
            if version != SCHEMA_VERSION:
                raise StoreError(
                    QT_TRANSLATE_NOOP(
                        "HistoryStore",
                        "The history has schema {version}, this GLM Desk reads schema "
                        "{expected}, and it cannot be converted while another GLM Desk is "
                        "using it.",
                    ).format(version=version, expected=SCHEMA_VERSION)
                )
            db.row_factory = sqlite3.Row
            return db
        except BaseException:
            db.close()
            raise

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction: everything read inside sees the same moment of the history,
        even while another connection (the app) writes."""
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    def _backup(self, db: sqlite3.Connection, version: int) -> Path:
        target = self.path.with_name(f"{self.path.name}.v{version}-{int(time.time())}.bak")
        with sqlite3.connect(target) as copy:
            db.backup(copy)
        copy.close()
        return target

    def _move_aside(self, why: str) -> Path:
        target = self.path.with_name(f"{self.path.name}.{why}-{int(time.time())}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                shutil.move(src, Path(str(target) + suffix))
        return target

    def close(self) -> None:
        self.db.close()

    # --- writing -----------------------------------------------------------------------

    def save(
        self,
        conversation: dict[str, Any],
        messages: Iterable[dict[str, Any]] = (),
        deleted_ids: Iterable[str] = (),
    ) -> None:
        """Write a conversation's fields and any messages (by id: a repeat is harmless),
        in one transaction. Records are `ChatMessage.to_dict()` / `conversation_record()`.
        A finished answer's code blocks are indexed for the snippet library."""
        messages = list(messages)
        with self._transaction():
            self.db.execute(
                "INSERT INTO conversations(id, title, created, updated, pinned, leaf_id, params, "
                "workspace, mcp_servers) VALUES (:id, :title, :created, :updated, :pinned, "
                ":current, :params, :workspace, :mcp_servers) ON CONFLICT(id) DO UPDATE SET "
                "title=excluded.title, updated=excluded.updated, pinned=excluded.pinned, "
                "leaf_id=excluded.leaf_id, params=excluded.params, "
                "workspace=excluded.workspace, mcp_servers=excluded.mcp_servers",
                {
                    **conversation,
                    "workspace": str(conversation.get("workspace") or ""),
                    "mcp_servers": _names_json(conversation.get("mcp_servers")),
                    "pinned": int(bool(conversation.get("pinned"))),
                    "params": json.dumps(clean_params(conversation.get("params"))),
                },
            )
            self.db.executemany(
                "INSERT INTO messages(id, conversation_id, parent_id, seq, role, content, "
                "state, provider, model, notice, error, usage, created, tool_calls, "
                "tool_call_id, sources, format, runs, fixes) VALUES (:id, :cid, :parent, :seq, "
                ":role, :content, :state, :provider, :model, :notice, :error, :usage, "
                ":created, :tool_calls, :tool_call_id, :sources, :format, :runs, :fixes) "
                "ON CONFLICT(id) DO UPDATE SET "
                "parent_id=excluded.parent_id, content=excluded.content, state=excluded.state, "
                "notice=excluded.notice, error=excluded.error, usage=excluded.usage, "
                "tool_calls=excluded.tool_calls, sources=excluded.sources, "
                "format=excluded.format, runs=excluded.runs, fixes=excluded.fixes",
                (_message_row(conversation["id"], m) for m in messages),
            )
            self.db.executemany("DELETE FROM messages WHERE id=?", ((mid,) for mid in deleted_ids))
            snippet_index.index_messages(self.db, conversation["id"], messages)

    def _transaction(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db  # its context manager commits, or rolls back on an exception

    def rename(self, conversation_id: str, title: str) -> None:
        self.db.execute("UPDATE conversations SET title=? WHERE id=?", (title, conversation_id))

    def set_pinned(self, conversation_id: str, pinned: bool) -> None:
        self.db.execute(
            "UPDATE conversations SET pinned=? WHERE id=?", (int(pinned), conversation_id)
        )

    def trash(self, conversation_id: str, when: float | None = None) -> None:
        self.db.execute(
            "UPDATE conversations SET deleted=? WHERE id=?",
            (when or time.time(), conversation_id),
        )

    def restore(self, conversation_id: str) -> None:
        self.db.execute("UPDATE conversations SET deleted=NULL WHERE id=?", (conversation_id,))

    def delete_forever(self, conversation_id: str) -> None:
        self.db.execute("DELETE FROM conversations WHERE id=?", (conversation_id,))

    def purge_trash(self, older_than_days: float = TRASH_DAYS) -> int:
        cutoff = time.time() - older_than_days * 86400
        with self._transaction():
            cur = self.db.execute("DELETE FROM conversations WHERE deleted < ?", (cutoff,))
        return cur.rowcount

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    def get_meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    # --- reading -----------------------------------------------------------------------

    def list_conversations(self, trash: bool = False) -> list[ConversationInfo]:
        where = "deleted IS NOT NULL" if trash else "deleted IS NULL"
        order = "deleted DESC" if trash else "pinned DESC, updated DESC"
        rows = self.db.execute(
            "SELECT id, title, created, updated, pinned, deleted FROM conversations "
            f"WHERE {where} ORDER BY {order}"
        )
        return [ConversationInfo(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]

    def message_records(self, conversation_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id=? ORDER BY seq",
            (conversation_id,),
        )
        return [message_record_of_row(r) for r in rows]

    # --- the snippet library ----------------------------------------------------------

    def snippets(
        self, text: str = "", language: str = "", limit: int = 500
    ) -> list[snippet_index.SnippetEntry]:
        return snippet_index.list_snippets(self.db, text, language, limit)

    def snippet_languages(self) -> list[tuple[str, int]]:
        return snippet_index.languages(self.db)

    def set_snippet_pinned(self, message_id: str, block: int, pinned: bool) -> None:
        snippet_index.set_pinned(self.db, message_id, block, pinned)

    def has_any_message(self, message_ids: list[str]) -> bool:
        return any(
            self.db.execute("SELECT 1 FROM messages WHERE id=?", (mid,)).fetchone()
            for mid in message_ids
        )

    def conversation_record(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation with all its messages, as exported (JSON-able)."""
        r = self.db.execute(
            "SELECT id, title, created, updated, pinned, leaf_id, params, workspace, "
            "mcp_servers FROM conversations WHERE id=?",
            (conversation_id,),
        ).fetchone()
        if r is None:
            return None
        return {
            "id": r[0],
            "title": r[1],
            "created": r[2],
            "updated": r[3],
            "pinned": bool(r[4]),
            "current": r[5],
            **({"params": params} if (params := clean_params(_json(r[6]))) else {}),
            **({"workspace": r[7]} if r[7] else {}),
            **({"mcp_servers": names} if (names := _names(r[8])) is not None else {}),
            "messages": self.message_records(conversation_id),
        }

    def load(self, conversation_id: str) -> Conversation | None:
        record = self.conversation_record(conversation_id)
        return None if record is None else conversation_from_record(record)

    def usage_rows(self, since: float = 0.0) -> list[UsageRow]:
        """Every answer's usage since `since` (Unix time), trashed conversations included:
        what was spent stays spent."""
        rows = self.db.execute(
            "SELECT created, provider, model, usage, sources IS NOT NULL FROM messages "
            "WHERE role='assistant' AND usage IS NOT NULL AND created >= ? ORDER BY created",
            (since,),
        )
        out = []
        for created, provider, model, usage, has_sources in rows:
            value = _json(usage)
            if isinstance(value, dict):
                zai = bool(has_sources) and provider in ("zai", "bigmodel")
                out.append(UsageRow(created, provider or "", model or "", value, zai))
        return out

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Full-text search, English and CJK alike (trigram index; shorter terms scan)."""
        terms = query.split()
        if not terms:
            return []
        if all(len(t) >= 3 for t in terms):
            match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
            sql = (
                "SELECT m.conversation_id, m.id, c.title, "
                f"snippet(messages_fts, 0, '{HIT_START}', '{HIT_END}', '…', 64) AS snip "
                "FROM messages_fts JOIN messages m ON m.rid = messages_fts.rowid "
                "JOIN conversations c ON c.id = m.conversation_id "
                "WHERE messages_fts MATCH ? AND c.deleted IS NULL "
                # the index's own order: SQLite stops after `limit` hits, no sort of all
                "ORDER BY messages_fts.rowid DESC LIMIT ?"
            )
            rows = self.db.execute(sql, (match, limit)).fetchall()
            return [SearchHit(r[0], r[1], r[2], r[3]) for r in rows]
        # Terms under three characters (common in Chinese) cannot use the trigram index.
        where = " AND ".join("instr(lower(m.content), ?) > 0" for _ in terms)
        rows = self.db.execute(
            # newest message first, so the scan stops at `limit` hits
            "SELECT m.conversation_id, m.id, c.title, m.content FROM messages m "
            "CROSS JOIN conversations c ON c.id = m.conversation_id "
            f"WHERE c.deleted IS NULL AND {where} ORDER BY m.rid DESC LIMIT ?",
            (*[t.lower() for t in terms], limit),
        ).fetchall()
        return [SearchHit(r[0], r[1], r[2], _snippet(r[3], terms[0])) for r in rows]


MESSAGE_COLUMNS = (
    "id, parent_id, seq, role, content, state, provider, model, notice, error, usage, "
    "created, tool_calls, tool_call_id, sources, format, runs, fixes"
)


def message_record_of_row(r: Any) -> dict[str, Any]:
    """A message record (`ChatMessage.to_dict` form) from a row of MESSAGE_COLUMNS."""
    return {
        "id": r[0],
        "parent": r[1],
        "seq": r[2],
        "role": r[3],
        "content": r[4],
        "state": r[5],
        "provider": r[6],
        "model": r[7],
        "notice": r[8],
        "error": json.loads(r[9]) if r[9] else None,
        "usage": json.loads(r[10]) if r[10] else None,
        "created": r[11],
        **({"tool_calls": json.loads(r[12])} if r[12] else {}),
        **({"tool_call_id": r[13]} if r[13] else {}),
        **({"sources": json.loads(r[14])} if r[14] else {}),
        **({"format": r[15]} if r[15] else {}),
        **({"runs": json.loads(r[16])} if r[16] else {}),
        **({"fixes": r[17]} if r[17] else {}),
    }


@contextlib.contextmanager
def _open_lock(path: Path) -> Iterator[None]:
    """An flock on the history's folder, held while it is opened: no file of its own, and
    not on the history itself (closing another descriptor of it would drop SQLite's locks)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (one app per profile still holds)
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # the lock goes with it


def conversation_record(conv: Conversation) -> dict[str, Any]:
    """The conversation's own fields, as `HistoryStore.save` takes them."""
    return {
        "id": conv.id,
        "title": conv.title,
        "created": conv.created,
        "updated": conv.updated or conv.created,
        "pinned": conv.pinned,
        "current": conv.leaf_id,
        "params": dict(conv.params),
        **({"workspace": conv.workspace} if conv.workspace else {}),
        **({"mcp_servers": list(conv.mcp_servers)} if conv.mcp_servers is not None else {}),
    }


def _names(text: str | None) -> list[str] | None:
    """A stored list of names (None: not chosen, or unreadable)."""
    if text is None:
        return None
    value = _json(text)
    if not isinstance(value, list):
        return None
    return [str(v) for v in value if isinstance(v, str)]


def _names_json(names: Any) -> str | None:
    if names is None or not isinstance(names, list | tuple):
        return None
    return json.dumps([str(n) for n in names])


def conversation_from_record(record: dict[str, Any]) -> Conversation:
    return Conversation.from_messages(
        [ChatMessage.from_dict(m) for m in record["messages"]],
        leaf_id=record.get("current"),
        id=record["id"],
        title=record.get("title") or "",
        created=float(record["created"]),
        updated=float(record.get("updated") or record["created"]),
        pinned=bool(record.get("pinned")),
        params=clean_params(record.get("params")),
        workspace=str(record.get("workspace") or ""),
        mcp_servers=_names_json_back(record.get("mcp_servers")),
    )


def _names_json_back(names: Any) -> list[str] | None:
    return [str(n) for n in names] if isinstance(names, list) else None


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}


def clean_params(value: object) -> dict[str, Any]:
    """A conversation's generation settings, keeping only valid ones (a hand-edited file or
    an import may hold anything)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, Any] = {}
    for name, v in value.items():
        try:
            out.update(validate_params({name: v}, PROVIDERS["zai"].max_output))
        except ValueError:
            continue
    return out


def _message_row(conversation_id: str, m: dict[str, Any]) -> dict[str, Any]:
    return {
        **m,
        "cid": conversation_id,
        "error": json.dumps(m["error"]) if m.get("error") else None,
        "usage": json.dumps(m["usage"]) if m.get("usage") else None,
        "tool_calls": json.dumps(m["tool_calls"]) if m.get("tool_calls") else None,
        "tool_call_id": m.get("tool_call_id") or "",
        "sources": json.dumps(m["sources"]) if m.get("sources") else None,
        "format": m.get("format") or "",
        "runs": json.dumps(m["runs"]) if m.get("runs") else None,
        "fixes": m.get("fixes") or "",
    }


def _snippet(text: str, term: str, width: int = 40) -> str:
    i = text.lower().find(term.lower())
    if i < 0:
        return text[:width]
    start, end = max(0, i - width // 2), min(len(text), i + len(term) + width // 2)
    return (
        ("…" if start else "")
        + text[start:i]
        + HIT_START
        + text[i : i + len(term)]
        + HIT_END
        + text[i + len(term) : end]
        + ("…" if end < len(text) else "")
    )
