from __future__ import annotations

import sqlite3
import time

import pytest

from app.core.conversation import AnswerState, ChatMessage, Conversation, ToolCallRecord
from app.core.errors import ErrorKind, make_error
from app.core.protocol import Role, Usage
from app.core.store import (
    HIT_END,
    HIT_START,
    SCHEMA_VERSION,
    HistoryStore,
    StoreError,
    conversation_record,
)


def save(store, conv: Conversation, *messages: ChatMessage) -> None:
    store.save(conversation_record(conv), [m.to_dict() for m in messages])


def chat(*pairs: tuple[str, str], **kw) -> Conversation:
    conv = Conversation(**kw)
    for role, content in pairs:
        conv.add(ChatMessage(Role(role), content))
    return conv


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


def test_streaming_updates_round_trip_and_unfinished_answers_read_as_interrupted(store, tmp_path):
    conv = chat(("user", "hello"), title="First")
    answer = ChatMessage(Role.ASSISTANT, state=AnswerState.STREAMING, provider_id="zai")
    conv.add(answer)
    save(store, conv, *conv.messages)
    for part in ("partial ", "answer"):
        answer.content += part
        save(store, conv, answer)  # the same record again: an update, never a duplicate
    answer.usage = Usage(completion_tokens=3)
    save(store, conv, answer)
    store.close()

    reopened = HistoryStore(tmp_path / "history.db")
    assert reopened.interrupted == 1
    loaded = reopened.load(conv.id)
    assert [(m.role, m.content, m.state) for m in loaded.messages] == [
        (Role.USER, "hello", AnswerState.DONE),
        (Role.ASSISTANT, "partial answer", AnswerState.INTERRUPTED),
    ]
    assert loaded.messages[1].usage == Usage(completion_tokens=3)
    assert loaded.messages[1].provider_id == "zai"
    assert loaded.messages[1].parent_id == loaded.messages[0].id
    assert loaded.title == "First"
    reopened.close()


def test_branches_and_the_current_one_survive_a_reopen(store, tmp_path):
    conv = chat(("user", "q"), ("assistant", "first answer"))
    conv.truncate(1)
    conv.add(ChatMessage(Role.ASSISTANT, "second answer"))
    conv.switch_to(conv.siblings(conv.messages[1])[0].id)  # back to the first version
    save(store, conv, *conv.nodes.values())
    loaded = store.load(conv.id)
    assert [m.content for m in loaded.messages] == ["q", "first answer"]
    assert [m.content for m in loaded.siblings(loaded.messages[1])] == [
        "first answer",
        "second answer",
    ]


def test_error_details_are_kept(store):
    conv = chat(("user", "q"))
    err = make_error(ErrorKind.CREDIT, "You are out of credits.", "OpenRouter", status=402)
    conv.add(ChatMessage(Role.ASSISTANT, "", state=AnswerState.ERROR, error=err))
    save(store, conv, *conv.messages)
    assert store.load(conv.id).messages[1].error == err


def test_conversations_listed_by_pin_then_activity_and_trash_purged_after_30_days(store):
    for n, cid in enumerate("abc"):
        conv = chat(("user", f"in {cid}"), id=cid, updated=100.0 + n, pinned=cid == "a")
        save(store, conv, *conv.messages)
    assert [c.id for c in store.list_conversations()] == ["a", "c", "b"]
    store.trash("b", when=time.time() - 31 * 86400)
    store.trash("c")
    assert [c.id for c in store.list_conversations()] == ["a"]
    assert [c.id for c in store.list_conversations(trash=True)] == ["c", "b"]
    assert store.purge_trash() == 1
    store.restore("c")
    assert [c.id for c in store.list_conversations()] == ["a", "c"]
    assert store.load("b") is None
    assert store.db.execute("SELECT count(*) FROM messages").fetchone()[0] == 2


def test_search_english_and_chinese(store):
    en = chat(("user", "How do I reverse a linked list in Python?"))
    zh = chat(("assistant", "这是一个关于数据库全文搜索的例子。"))
    save(store, en, *en.messages)
    save(store, zh, *zh.messages)
    (hit,) = store.search("linked list")
    assert hit.conversation_id == en.id and f"{HIT_START}linked{HIT_END}" in hit.snippet
    assert hit.message_id == en.messages[0].id
    (hit,) = store.search("全文搜索")
    assert hit.conversation_id == zh.id and f"{HIT_START}全文搜索{HIT_END}" in hit.snippet
    (hit,) = store.search("搜索")  # two characters: below the trigram size
    assert hit.conversation_id == zh.id and f"{HIT_START}搜索{HIT_END}" in hit.snippet
    assert store.search("absent words") == []
    assert store.search('quote"inside') == []
    store.trash(zh.id)
    assert store.search("全文搜索") == []


def test_search_sees_updated_content(store):
    conv = chat(("assistant", ""))
    save(store, conv, *conv.messages)
    conv.messages[0].content = "streamed elephant"
    save(store, conv, conv.messages[0])
    assert [h.message_id for h in store.search("elephant")] == [conv.messages[0].id]


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
    conv = store.load("c1")
    assert conv.title == "Title 1"
    assert [(m.seq, m.content) for m in conv.messages] == [
        (0, "text 1.0 数据"),
        (1, "text 1.1 数据"),
        (2, "text 1.2 数据"),
    ]
    assert [m.parent_id for m in conv.messages] == [None, conv.messages[0].id, conv.messages[1].id]
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


def test_conversation_settings_round_trip_and_bad_ones_are_dropped(store, tmp_path):
    conv = chat(("user", "hi"), params={"temperature": 0.2, "system_prompt": "Be brief."})
    save(store, conv, *conv.messages)
    store.close()
    again = HistoryStore(tmp_path / "history.db")
    assert again.load(conv.id).params == {"temperature": 0.2, "system_prompt": "Be brief."}
    record = again.conversation_record(conv.id)
    assert record["params"] == {"temperature": 0.2, "system_prompt": "Be brief."}
    again.db.execute(
        "UPDATE conversations SET params=? WHERE id=?",
        ('{"temperature": "hot", "top_p": 0.5, "api_key": "x"}', conv.id),
    )
    assert again.load(conv.id).params == {"top_p": 0.5}
    again.db.execute("UPDATE conversations SET params='not json' WHERE id=?", (conv.id,))
    assert again.load(conv.id).params == {}
    assert "params" not in again.conversation_record(conv.id)  # none: not in exports either
    again.close()


# What each schema added to the tables, to take a current file back to an older schema.
ADDED_IN = {
    3: [("conversations", "params")],
    4: [("messages", "tool_calls"), ("messages", "tool_call_id"), ("conversations", "workspace")],
    5: [("conversations", "mcp_servers")],
    6: [("messages", "sources"), ("messages", "format")],
    7: [("messages", "runs"), ("messages", "fixes")],
    8: [
        ("DROP", "TRIGGER messages_snippets_ad"),
        ("DROP", "TABLE snippets_fts"),
        ("DROP", "TABLE snippets"),
        ("DROP", "TABLE snippet_pins"),
    ],
}


def back_to_schema(path, version: int):
    """A history at `path` (the v1 one of `make_v1`, upgraded) as schema `version` had it."""
    make_v1(path)
    HistoryStore(path).close()
    db = sqlite3.connect(path)
    for added in range(version + 1, SCHEMA_VERSION + 1):
        for table, column in ADDED_IN[added]:
            if table == "DROP":
                db.execute(f"DROP {column}")
            else:
                db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.execute(f"PRAGMA user_version={version}")
    db.commit()
    db.close()
    return path


def test_migration_from_v2_adds_conversation_settings(tmp_path):
    path = tmp_path / "history.db"
    store = HistoryStore(back_to_schema(path, 2))  # as GLM Desk 0.1 wrote it
    assert "upgraded from schema 2 to 8" in store.notice
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
    assert store.load("c0").params == {}
    assert len(store.load("c0").messages) == 3
    store.close()


def test_migration_from_v3_keeps_tool_calls_and_their_results(tmp_path):
    path = tmp_path / "history.db"
    store = HistoryStore(back_to_schema(path, 3))  # GLM Desk before tools
    assert "upgraded from schema 3 to 8" in store.notice
    conv = store.load("c0")
    assert conv is not None and all(not m.tool_calls for m in conv.messages)
    assert conv.workspace == ""
    conv.workspace = str(tmp_path)
    call = ToolCallRecord("call_1", "read_file", '{"path": "a.py"}', state="done", seconds=0.25)
    conv.add(ChatMessage(Role.ASSISTANT, "", tool_calls=[call]))
    conv.add(ChatMessage(Role.TOOL, "x = 1", tool_call_id="call_1"))
    save(store, conv, *conv.messages[-2:])
    again = store.load("c0")
    assert again is not None and again.workspace == str(tmp_path)
    assert again.messages[-2].tool_calls == [call]
    assert again.messages[-1].role == Role.TOOL and again.messages[-1].tool_call_id == "call_1"
    assert again.messages[-1].content == "x = 1"
    store.close()


def test_migration_from_v4_and_a_conversations_mcp_servers(tmp_path):
    path = tmp_path / "history.db"
    store = HistoryStore(back_to_schema(path, 4))  # GLM Desk before MCP
    assert "upgraded from schema 4 to 8" in store.notice
    conv = store.load("c0")
    assert conv is not None and conv.mcp_servers is None  # not chosen: the enabled servers
    conv.mcp_servers = ["time"]
    call = ToolCallRecord("c1", "time__now", "{}", state="done", server="time")
    call.images = [{"mime": "image/png", "data": "iVBOR"}]
    conv.add(ChatMessage(Role.ASSISTANT, "", tool_calls=[call]))
    save(store, conv, conv.messages[-1])
    again = store.load("c0")
    assert again is not None and again.mcp_servers == ["time"]
    assert again.messages[-1].tool_calls == [call]
    again.mcp_servers = []  # all off: kept as a choice, not as "not chosen"
    save(store, again)
    assert store.load("c0").mcp_servers == []
    store.close()


def test_migration_from_v6_keeps_snippet_runs_and_fix_requests(tmp_path):
    from app.core.runner.record import RunRecord

    path = tmp_path / "history.db"
    store = HistoryStore(back_to_schema(path, 6))  # GLM Desk before the snippet runner
    assert "upgraded from schema 6 to 8" in store.notice
    conv = store.load("c0")
    assert conv is not None and all(not m.runs and not m.fixes for m in conv.messages)
    answer = conv.messages[-1]
    run = RunRecord(0, "python", "print(1/0)", "bubblewrap", command="python3 snippet.py")
    run.exit_code, run.output = 1, [["err", "ZeroDivisionError: division by zero\n"]]
    answer.runs.append(run)
    fix = ChatMessage(Role.USER, "fix it", fixes=f"{answer.id}:0")
    conv.add(fix)
    save(store, conv, answer, fix)
    again = store.load("c0")
    assert again is not None
    assert again.nodes[answer.id].runs == [run]
    assert again.nodes[answer.id].last_run(0) == run and again.nodes[answer.id].last_run(1) is None
    assert again.nodes[fix.id].fixes == f"{answer.id}:0"
    store.close()


def test_read_only_reads_while_another_connection_writes_and_changes_nothing(store, tmp_path):
    """`glm-desk export` while the app runs: the app's streaming answer stays streaming."""
    conv = chat(("user", "hello"))
    answer = ChatMessage(Role.ASSISTANT, "par", state=AnswerState.STREAMING)
    conv.add(answer)
    save(store, conv, *conv.nodes.values())
    reader = HistoryStore(tmp_path / "history.db", read_only=True)
    try:
        assert reader.interrupted == 0
        with reader.reading():
            seen = reader.load(conv.id).messages[-1]
            answer.content = "partial"
            save(store, conv, answer)  # the app writes meanwhile
            assert reader.load(conv.id).messages[-1].content == "par"  # one moment
        assert (seen.content, seen.state) == ("par", AnswerState.STREAMING)
        assert reader.load(conv.id).messages[-1].content == "partial"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.rename(conv.id, "no")
    finally:
        reader.close()
    assert store.load(conv.id).messages[-1].state == AnswerState.STREAMING


def test_read_only_refuses_what_it_would_have_to_change(tmp_path):
    old = tmp_path / "old.db"
    make_v1(old)
    with pytest.raises(StoreError, match=f"schema 1, this GLM Desk reads schema {SCHEMA_VERSION}"):
        HistoryStore(old, read_only=True)
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 1
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database " * 200)
    with pytest.raises(StoreError, match="could not be read"):
        HistoryStore(corrupt, read_only=True)
    foreign = tmp_path / "foreign.db"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE x(y)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a GLM Desk history"):
        HistoryStore(foreign, read_only=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.db", "foreign.db", "old.db"]


def test_a_write_a_full_disk_refuses_leaves_nothing_half_done_and_can_be_repeated(store):
    """SQLite's own SQLITE_FULL (the file may not grow): the transaction is rolled back,
    none is left open, and the same records are written once there is room."""
    conv = chat(("user", "hello"))
    save(store, conv, *conv.messages)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages}")
    big = ChatMessage(Role.ASSISTANT, "long answer " * 1_000)
    conv.add(big)
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        save(store, conv, *conv.nodes.values())
    assert not store.db.in_transaction
    assert [m.content for m in store.load(conv.id).messages] == ["hello"]
    store.db.execute("PRAGMA max_page_count=1073741823")
    save(store, conv, *conv.nodes.values())
    assert store.load(conv.id).messages[-1].content == big.content
    assert store.search("answer")  # the index too
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_openers_at_once_upgrade_an_old_history_once(tmp_path):
    """The app and `glm-desk ask` may open an old (or new) history at the same moment."""
    import threading

    for name, prepare in (("old.db", lambda p: back_to_schema(p, 2)), ("new.db", lambda p: p)):
        path = prepare(tmp_path / name)
        stores: list[HistoryStore] = []
        errors: list[BaseException] = []

        def open_it(path=path, stores=stores, errors=errors) -> None:
            try:
                stores.append(HistoryStore(path))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(stores) == 4
        assert not list(tmp_path.glob(f"{name}.foreign-*"))
        for store in stores:
            assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            store.close()
