"""The snippet library's index in the history: filled as answers finish and by the schema 8
migration, listed newest first with pins first, filtered by language and text, fast."""

from __future__ import annotations

import sqlite3
import time

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.protocol import Role
from app.core.store import HistoryStore, conversation_record
from tests.unit.test_store import back_to_schema


def save(store: HistoryStore, conv: Conversation) -> None:
    store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])


def chat(title: str, *answers: str, when: float = 0.0) -> Conversation:
    conv = Conversation(title=title)
    for n, answer in enumerate(answers):
        conv.add(ChatMessage(Role.USER, f"question {n}", created=when + n))
        conv.add(ChatMessage(Role.ASSISTANT, answer, created=when + n + 0.5))
    return conv


PY = "```python\n# file: tools/mean.py\ndef mean(xs):\n    return sum(xs) / len(xs)\n```"
JS = "Try:\n\n```js\nconsole.log('链表 reverse')\n```"
SH = "```bash\necho hello\n```\n\nand\n\n```python\nprint('second block')\n```"


def test_every_block_is_listed_newest_first_and_pins_come_first(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    a, b = chat("Means", PY, when=100), chat("Shell", SH, JS, when=200)
    save(store, a)
    save(store, b)
    found = store.snippets()
    assert [(s.language, s.code.splitlines()[0]) for s in found] == [
        ("js", "console.log('链表 reverse')"),
        ("bash", "echo hello"),
        ("python", "print('second block')"),
        ("python", "# file: tools/mean.py"),
    ]
    mean = found[-1]
    assert (mean.name, mean.title, mean.block) == ("tools/mean.py", "Means", 0)
    store.set_snippet_pinned(mean.message_id, mean.block, True)
    listed = store.snippets()
    assert listed[0].code == mean.code and listed[0].pinned and not listed[1].pinned
    store.set_snippet_pinned(mean.message_id, mean.block, False)
    assert not store.snippets()[0].pinned
    assert store.snippet_languages() == [("python", 2), ("bash", 1), ("js", 1)]
    store.close()


def test_filters_by_language_and_text(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    save(store, chat("Means", PY, when=100))
    save(store, chat("Shell", SH, JS, when=200))
    assert [s.language for s in store.snippets(language="python")] == ["python", "python"]
    assert [s.name for s in store.snippets("mean.py")] == ["tools/mean.py"]  # the name
    assert [s.code for s in store.snippets("sum(xs) len")] == [store.snippets()[-1].code]
    assert [s.language for s in store.snippets("链表")] == ["js"]  # two characters: a scan
    assert store.snippets("hello", language="python") == []
    store.close()


def test_a_streaming_answer_is_indexed_when_it_ends_and_deletions_follow(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    conv = chat("Live", "")
    answer = conv.messages[-1]
    answer.state, answer.content = AnswerState.STREAMING, "```python\nx = 1\n```"
    save(store, conv)
    assert store.snippets() == []
    answer.state = AnswerState.DONE
    save(store, conv)
    assert [s.code for s in store.snippets()] == ["x = 1"]
    answer.content = "```python\nx = 2\n```"  # regenerated text: indexed again
    save(store, conv)
    assert [s.code for s in store.snippets()] == ["x = 2"]
    store.trash(conv.id)
    assert store.snippets() == []
    store.restore(conv.id)
    store.save(conversation_record(conv), [], [answer.id])
    assert store.snippets() == []
    save(store, conv)
    store.delete_forever(conv.id)
    assert (
        store.snippets() == []
        and store.db.execute("SELECT count(*) FROM snippets").fetchone()[0] == 0
    )
    store.close()


def test_the_schema_8_migration_indexes_the_history_there_is(tmp_path):
    path = tmp_path / "history.db"
    back_to_schema(path, 7)
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE messages SET content=? WHERE role='assistant' AND rowid = "
        "(SELECT min(rowid) FROM messages WHERE role='assistant')",
        ("```python\nprint('old answer')\n```",),
    )
    db.commit()
    db.close()
    store = HistoryStore(path)
    assert "upgraded from schema 7 to 8" in store.notice
    assert [s.code for s in store.snippets()] == ["print('old answer')"]
    store.close()


def test_two_thousand_conversations_filter_fast(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    for n in range(2000):
        conv = chat(
            f"conversation {n}",
            f"```python\ndef f{n}(x):\n    return x * {n}\n```",
            f"```rust\nfn g{n}() {{}}\n```\n\n```bash\necho {n}\n```",
            when=n * 10.0,
        )
        save(store, conv)
    assert len(store.snippets(limit=10_000)) == 6000
    timings = {}
    for query, language in (
        ("", ""),
        ("return x", ""),
        ("", "rust"),
        ("f1999", "python"),
        ("fn", ""),
    ):
        started = time.perf_counter()
        found = store.snippets(query, language)
        timings[(query, language)] = time.perf_counter() - started
        assert found
    assert store.snippets("f1999", "python")[0].title == "conversation 1999"
    assert max(timings.values()) < 0.5, timings  # ~10 ms here; generous for a loaded machine
    store.close()
