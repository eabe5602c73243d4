from __future__ import annotations

import sqlite3

import pytest

from app.core.store import SCHEMA_VERSION, HistoryStore, StoredMessage, StoreError


def msg(role: str, content: str, **kw) -> StoredMessage:
    return StoredMessage(id=0, conversation_id="", seq=0, role=role, content=content, **kw)


@pytest.fixture
def store(tmp_path):
    s = HistoryStore(tmp_path / "history.db")
    yield s
    s.close()


def test_new_store_is_wal_with_foreign_keys_and_current_schema(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.notice == ""


def test_messages_round_trip_and_streaming_updates(store, tmp_path):
    store.create_conversation("c1", "First")
    store.add_message("c1", msg("user", "hello"))
    mid = store.add_message("c1", msg("assistant", "", state="streaming", provider="zai"))
    store.update_message(mid, "partial answ", "streaming")
    store.update_message(
        mid, "partial answer", "stopped", notice="n", usage={"completion_tokens": 3}
    )
    store.close()
    reopened = HistoryStore(tmp_path / "history.db")
    conv = reopened.load_conversation("c1")
    assert [(m.seq, m.role, m.content, m.state) for m in conv.messages] == [
        (0, "user", "hello", "done"),
        (1, "assistant", "partial answer", "stopped"),
    ]
    assert conv.messages[1].usage == {"completion_tokens": 3}
    assert conv.messages[1].provider == "zai"
    reopened.close()


def test_conversations_listed_by_pin_then_activity(store):
    for cid in ("a", "b", "c"):
        store.create_conversation(cid, cid.upper())
        store.add_message(cid, msg("user", f"message in {cid}"))
    store.db.execute("UPDATE conversations SET pinned=1 WHERE id='a'")
    assert [c.id for c in store.list_conversations()] == ["a", "c", "b"]


def test_search_english_and_chinese(store):
    store.create_conversation("en", "English")
    store.add_message("en", msg("user", "How do I reverse a linked list in Python?"))
    store.create_conversation("zh", "中文")
    store.add_message("zh", msg("assistant", "这是一个关于数据库全文搜索的例子。"))
    (hit,) = store.search("linked list")
    assert hit.conversation_id == "en" and "[linked]" in hit.snippet
    (hit,) = store.search("全文搜索")
    assert hit.conversation_id == "zh" and "[全文搜索]" in hit.snippet
    (hit,) = store.search("搜索")  # two characters: below the trigram size
    assert hit.conversation_id == "zh" and "[搜索]" in hit.snippet
    assert store.search("absent words") == []
    assert store.search('quote"inside') == []


def test_search_sees_updated_content(store):
    store.create_conversation("c", "t")
    mid = store.add_message("c", msg("assistant", "", state="streaming"))
    store.update_message(mid, "streamed elephant", "done")
    assert [h.message_id for h in store.search("elephant")] == [mid]


def make_v1(path, conversations=2, messages=3):
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE conversations(id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '',"
        " created REAL NOT NULL);"
        "CREATE TABLE messages(id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL"
        " REFERENCES conversations(id), role TEXT NOT NULL, content TEXT NOT NULL,"
        " created REAL NOT NULL);"
        "PRAGMA user_version=1;"
    )
    for c in range(conversations):
        db.execute("INSERT INTO conversations VALUES (?,?,?)", (f"c{c}", f"Title {c}", 100.0 + c))
        for m in range(messages):
            db.execute(
                "INSERT INTO messages(conversation_id, role, content, created) VALUES (?,?,?,?)",
                (f"c{c}", "user" if m % 2 == 0 else "assistant", f"text {c}.{m} 数据", 200.0 + m),
            )
    db.commit()
    db.close()


def test_migration_from_v1_keeps_data_and_backs_up_first(tmp_path):
    path = tmp_path / "history.db"
    make_v1(path)
    store = HistoryStore(path)
    assert store.backup_path is not None and store.backup_path.exists()
    assert "upgraded from schema 1" in store.notice
    backup = sqlite3.connect(store.backup_path)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT count(*) FROM messages").fetchone()[0] == 6
    backup.close()
    conv = store.load_conversation("c1")
    assert conv.title == "Title 1"
    assert [(m.seq, m.content) for m in conv.messages] == [
        (0, "text 1.0 数据"),
        (1, "text 1.1 数据"),
        (2, "text 1.2 数据"),
    ]
    assert conv.updated == 202.0
    assert len(store.search("text 1.2")) == 1  # the index was built from the old rows
    store.close()


def test_corrupt_file_is_moved_aside_not_overwritten(tmp_path):
    path = tmp_path / "history.db"
    garbage = b"this is not a database at all" * 100
    path.write_bytes(garbage)
    store = HistoryStore(path)
    assert "could not be read" in store.notice
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    assert store.list_conversations() == []
    store.close()


def test_foreign_sqlite_file_is_moved_aside(tmp_path):
    path = tmp_path / "history.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos(id INTEGER)")
    db.commit()
    db.close()
    store = HistoryStore(path)
    assert "not a GLM Desk history" in store.notice
    assert any(".foreign-" in p.name for p in tmp_path.iterdir())
    store.close()


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "history.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.execute("CREATE TABLE x(y)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer GLM Desk"):
        HistoryStore(path)
    assert path.read_bytes() == before


def test_failed_migration_rolls_back_and_keeps_the_old_data(tmp_path, monkeypatch):
    import app.core.store as store_mod

    path = tmp_path / "history.db"
    make_v1(path)
    broken = "ALTER TABLE conversations ADD COLUMN updated REAL;\nSELECT * FROM no_such_table;"
    monkeypatch.setitem(store_mod.MIGRATIONS, 1, broken)
    with pytest.raises(sqlite3.OperationalError):
        HistoryStore(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [r[1] for r in db.execute("PRAGMA table_info(conversations)")]
    assert "updated" not in columns
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 6
    db.close()
