"""Conversation history in SQLite: WAL, foreign keys, versioned migrations, FTS5 search.

A `HistoryStore` is used from one thread only (the history service's worker), which owns
the connection. Every write commits at once, so a killed process loses nothing committed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_VERSION = 2
APP_TAG = "glm-desk"


class StoreError(Exception):
    """A history problem to show the user (corrupt file moved aside, disk full, ...)."""


class _Unreadable(Exception):
    """The file is not an SQLite database (or its header is damaged)."""


@dataclass
class StoredMessage:
    id: int
    conversation_id: str
    seq: int
    role: str
    content: str
    state: str = "done"
    provider: str = ""
    model: str = ""
    error: str = ""
    notice: str = ""
    usage: dict[str, object] = field(default_factory=dict)
    created: float = 0.0


@dataclass
class StoredConversation:
    id: str
    title: str
    created: float
    updated: float
    pinned: bool = False
    messages: list[StoredMessage] = field(default_factory=list)


@dataclass(frozen=True)
class SearchHit:
    conversation_id: str
    message_id: int
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
_MIGRATE_1_TO_2 = f"""
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta(key, value) VALUES ('app', '{APP_TAG}');
        ALTER TABLE conversations ADD COLUMN updated REAL NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN deleted REAL;
        UPDATE conversations SET updated = coalesce(
            (SELECT max(created) FROM messages m WHERE m.conversation_id = conversations.id),
            created);
        CREATE TABLE messages2(
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'done',
            provider TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            error TEXT NOT NULL DEFAULT '',
            notice TEXT NOT NULL DEFAULT '',
            usage TEXT NOT NULL DEFAULT '{{}}',
            created REAL NOT NULL,
            UNIQUE(conversation_id, seq));
        INSERT INTO messages2(id, conversation_id, seq, role, content, created)
            SELECT id, conversation_id,
                   row_number() OVER (PARTITION BY conversation_id ORDER BY id) - 1,
                   role, content, created FROM messages;
        DROP TABLE messages;
        ALTER TABLE messages2 RENAME TO messages;
        CREATE INDEX messages_by_conversation ON messages(conversation_id, seq);
        CREATE INDEX conversations_by_activity ON conversations(deleted, pinned, updated);
        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, content='messages', content_rowid='id', tokenize='trigram');
        CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
        END;
        CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content)
                VALUES ('delete', old.id, old.content);
        END;
        CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content)
                VALUES ('delete', old.id, old.content);
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
        END;
        INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
"""

MIGRATIONS: dict[int, str] = {1: _MIGRATE_1_TO_2}


class HistoryStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notice = ""  # what happened at open (migration, a file moved aside), for the UI
        self.backup_path: Path | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open()
        except _Unreadable as exc:
            aside = self._move_aside("corrupt")
            self.notice = (
                f"The history file could not be read ({exc}); it was moved to {aside.name} "
                "and a new, empty history was started."
            )
            self.db = self._open()

    # --- opening and migrating -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        return db

    def _open(self) -> sqlite3.Connection:
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
                self.notice = (
                    f"{self.path.name} was not a GLM Desk history; it was moved to "
                    f"{aside.name} and a new history was started."
                )
                db = self._connect()
                version = 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The history was written by a newer GLM Desk (schema {version}); "
                    "update GLM Desk to open it."
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
                self.notice = (
                    f"The history was upgraded from schema {version} to {SCHEMA_VERSION}; "
                    f"a copy of the old file is at {self.backup_path.name}."
                )
            while version < SCHEMA_VERSION:
                db.execute("PRAGMA foreign_keys=OFF")  # migrations rebuild tables
                try:
                    db.executescript(
                        f"BEGIN IMMEDIATE;\n{MIGRATIONS[version]}\n"
                        f"PRAGMA user_version={version + 1};\nCOMMIT;"
                    )
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

    def create_conversation(self, conversation_id: str, title: str = "") -> None:
        now = time.time()
        self.db.execute(
            "INSERT OR IGNORE INTO conversations(id, title, created, updated) VALUES (?,?,?,?)",
            (conversation_id, title, now, now),
        )

    def set_title(self, conversation_id: str, title: str) -> None:
        self.db.execute("UPDATE conversations SET title=? WHERE id=?", (title, conversation_id))

    def add_message(self, conversation_id: str, m: StoredMessage) -> int:
        now = m.created or time.time()
        with self.db:  # one transaction: the message and the conversation's activity
            self.db.execute("BEGIN")
            seq = self.db.execute(
                "SELECT coalesce(max(seq) + 1, 0) FROM messages WHERE conversation_id=?",
                (conversation_id,),
            ).fetchone()[0]
            cur = self.db.execute(
                "INSERT INTO messages(conversation_id, seq, role, content, state, provider, "
                "model, error, notice, usage, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    seq,
                    m.role,
                    m.content,
                    m.state,
                    m.provider,
                    m.model,
                    m.error,
                    m.notice,
                    json.dumps(m.usage),
                    now,
                ),
            )
            self.db.execute("UPDATE conversations SET updated=? WHERE id=?", (now, conversation_id))
        return int(cur.lastrowid or 0)

    def update_message(
        self,
        message_id: int,
        content: str,
        state: str,
        error: str = "",
        notice: str = "",
        usage: dict[str, object] | None = None,
    ) -> None:
        self.db.execute(
            "UPDATE messages SET content=?, state=?, error=?, notice=?, usage=? WHERE id=?",
            (content, state, error, notice, json.dumps(usage or {}), message_id),
        )

    # --- reading -----------------------------------------------------------------------

    def list_conversations(self) -> list[StoredConversation]:
        rows = self.db.execute(
            "SELECT id, title, created, updated, pinned FROM conversations "
            "WHERE deleted IS NULL ORDER BY pinned DESC, updated DESC"
        )
        return [
            StoredConversation(r["id"], r["title"], r["created"], r["updated"], bool(r["pinned"]))
            for r in rows
        ]

    def load_conversation(self, conversation_id: str) -> StoredConversation | None:
        r = self.db.execute(
            "SELECT id, title, created, updated, pinned FROM conversations WHERE id=?",
            (conversation_id,),
        ).fetchone()
        if r is None:
            return None
        conv = StoredConversation(
            r["id"], r["title"], r["created"], r["updated"], bool(r["pinned"])
        )
        for m in self.db.execute(
            "SELECT * FROM messages WHERE conversation_id=? ORDER BY seq", (conversation_id,)
        ):
            conv.messages.append(
                StoredMessage(
                    id=m["id"],
                    conversation_id=conversation_id,
                    seq=m["seq"],
                    role=m["role"],
                    content=m["content"],
                    state=m["state"],
                    provider=m["provider"],
                    model=m["model"],
                    error=m["error"],
                    notice=m["notice"],
                    usage=json.loads(m["usage"] or "{}"),
                    created=m["created"],
                )
            )
        return conv

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Full-text search, English and CJK alike (trigram index; shorter terms scan)."""
        terms = query.split()
        if not terms:
            return []
        if all(len(t) >= 3 for t in terms):
            match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
            sql = (
                "SELECT m.conversation_id, m.id, c.title, "
                "snippet(messages_fts, 0, '[', ']', '…', 12) AS snip "
                "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
                "JOIN conversations c ON c.id = m.conversation_id "
                "WHERE messages_fts MATCH ? AND c.deleted IS NULL "
                "ORDER BY m.created DESC LIMIT ?"
            )
            rows = self.db.execute(sql, (match, limit)).fetchall()
            return [SearchHit(r[0], r[1], r[2], r[3]) for r in rows]
        # Terms under three characters (common in Chinese) cannot use the trigram index.
        where = " AND ".join("instr(lower(m.content), ?) > 0" for _ in terms)
        rows = self.db.execute(
            "SELECT m.conversation_id, m.id, c.title, m.content FROM messages m "
            "JOIN conversations c ON c.id = m.conversation_id "
            f"WHERE c.deleted IS NULL AND {where} ORDER BY m.created DESC LIMIT ?",
            (*[t.lower() for t in terms], limit),
        ).fetchall()
        return [SearchHit(r[0], r[1], r[2], _snippet(r[3], terms[0])) for r in rows]


def _snippet(text: str, term: str, width: int = 40) -> str:
    i = text.lower().find(term.lower())
    if i < 0:
        return text[:width]
    start, end = max(0, i - width // 2), min(len(text), i + len(term) + width // 2)
    return (
        ("…" if start else "")
        + text[start:i]
        + "["
        + text[i : i + len(term)]
        + "]"
        + text[i + len(term) : end]
        + ("…" if end < len(text) else "")
    )
