"""The snippet library's index: every code block of every answer, in the history database.

Table `snippets` (one row per code block of a finished answer: its message, block index,
conversation, language, file name, code, time) with a trigram full-text index on name and
code (`snippets_fts`, as `messages_fts` is for messages), and `snippet_pins` (favourites).
`HistoryStore.save` keeps it up to date as answers finish (a streaming answer is indexed
when it ends); the schema 8 migration fills it from the history there is (`backfill`).
Listing is newest first, pinned first, filtered by language and by text, and stays fast with
100,000 messages: the newest rows come from an index on time and the text from the trigram
index (terms under three characters, common in Chinese, scan instead).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SCHEMA = """
        CREATE TABLE snippets(
            message_id TEXT NOT NULL, block INTEGER NOT NULL, conversation_id TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
            code TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY(message_id, block));
        CREATE INDEX snippets_by_time ON snippets(created);
        CREATE INDEX snippets_by_conversation ON snippets(conversation_id);
        CREATE TABLE snippet_pins(
            message_id TEXT NOT NULL, block INTEGER NOT NULL, pinned REAL NOT NULL,
            PRIMARY KEY(message_id, block));
        CREATE VIRTUAL TABLE snippets_fts USING fts5(
            name, code, content='snippets', content_rowid='rowid', tokenize='trigram');
        CREATE TRIGGER snippets_ai AFTER INSERT ON snippets BEGIN
            INSERT INTO snippets_fts(rowid, name, code) VALUES (new.rowid, new.name, new.code);
        END;
        CREATE TRIGGER snippets_ad AFTER DELETE ON snippets BEGIN
            INSERT INTO snippets_fts(snippets_fts, rowid, name, code)
                VALUES ('delete', old.rowid, old.name, old.code);
        END;
        CREATE TRIGGER messages_snippets_ad AFTER DELETE ON messages BEGIN
            DELETE FROM snippets WHERE message_id = old.id;
            DELETE FROM snippet_pins WHERE message_id = old.id;
        END;
"""


@dataclass(frozen=True)
class SnippetEntry:
    message_id: str
    block: int
    conversation_id: str
    title: str  # the conversation's
    language: str
    name: str
    code: str
    created: float
    pinned: bool


def index_messages(
    db: sqlite3.Connection, conversation_id: str, messages: Iterable[dict[str, Any]]
) -> None:
    """(Re)index the code blocks of these message records; a streaming answer waits for its
    end, and a question has none."""
    from app.core.conversation import AnswerState, ChatMessage
    from app.core.snippets import message_snippets

    for record in messages:
        if record.get("role") != "assistant" or record.get("state") == AnswerState.STREAMING:
            continue
        message = ChatMessage.from_dict(record)
        db.execute("DELETE FROM snippets WHERE message_id=?", (message.id,))
        db.executemany(
            "INSERT OR REPLACE INTO snippets(message_id, block, conversation_id, language, name, "
            "code, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    message.id,
                    s.block_index,
                    conversation_id,
                    (s.language or "").lower(),
                    s.name,
                    s.code,
                    message.created,
                )
                for s in message_snippets(message)
            ),
        )


def backfill(db: sqlite3.Connection) -> int:
    """Index every finished answer in the history (the schema 8 migration)."""
    from app.core.store import MESSAGE_COLUMNS, message_record_of_row

    count = 0
    rows = db.execute(
        f"SELECT conversation_id, {MESSAGE_COLUMNS} FROM messages WHERE role='assistant' "
        "AND (instr(content, '```') > 0 OR instr(content, '~~~') > 0 OR tool_calls IS NOT NULL)"
    )
    for row in rows.fetchall():
        index_messages(db, row[0], [message_record_of_row(row[1:])])
        count += 1
    return count


_SELECT = (
    "SELECT s.message_id, s.block, s.conversation_id, c.title, s.language, s.name, s.code, "
    "s.created, p.pinned IS NOT NULL FROM snippets s "
    "JOIN conversations c ON c.id = s.conversation_id "
    "LEFT JOIN snippet_pins p ON p.message_id = s.message_id AND p.block = s.block "
)


def list_snippets(
    db: sqlite3.Connection, text: str = "", language: str = "", limit: int = 500
) -> list[SnippetEntry]:
    """Pinned first, then newest first; `text` in the name or the code (every word),
    `language` exactly."""
    where = ["c.deleted IS NULL"]
    args: list[Any] = []
    if language:
        where.append("s.language = ?")
        args.append(language.lower())
    terms = text.split()
    if terms and all(len(t) >= 3 for t in terms):
        where.append("s.rowid IN (SELECT rowid FROM snippets_fts WHERE snippets_fts MATCH ?)")
        args.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in terms))
    elif terms:
        for term in terms:
            where.append("(instr(lower(s.code), ?) > 0 OR instr(lower(s.name), ?) > 0)")
            args += [term.lower(), term.lower()]
    clause = " AND ".join(where)
    pinned = db.execute(
        f"{_SELECT} WHERE p.pinned IS NOT NULL AND {clause} ORDER BY p.pinned DESC", args
    ).fetchall()
    rest = db.execute(
        f"{_SELECT} WHERE p.pinned IS NULL AND {clause} ORDER BY s.created DESC, s.block LIMIT ?",
        (*args, max(0, limit - len(pinned))),
    ).fetchall()
    return [SnippetEntry(*r[:8], bool(r[8])) for r in [*pinned, *rest]]


def languages(db: sqlite3.Connection) -> list[tuple[str, int]]:
    """The languages snippets are in, most used first (for the filter)."""
    rows = db.execute(
        "SELECT s.language, count(*) FROM snippets s JOIN conversations c ON "
        "c.id = s.conversation_id WHERE c.deleted IS NULL AND s.language != '' "
        "GROUP BY s.language ORDER BY count(*) DESC, s.language"
    )
    return [(r[0], r[1]) for r in rows]


def set_pinned(db: sqlite3.Connection, message_id: str, block: int, pinned: bool) -> None:
    if pinned:
        import time

        db.execute(
            "INSERT OR REPLACE INTO snippet_pins(message_id, block, pinned) VALUES (?, ?, ?)",
            (message_id, block, time.time()),
        )
    else:
        db.execute("DELETE FROM snippet_pins WHERE message_id=? AND block=?", (message_id, block))
