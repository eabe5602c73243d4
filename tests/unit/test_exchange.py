from __future__ import annotations

import json

import pytest

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.errors import ErrorKind, make_error
from app.core.exchange import (
    ImportRefused,
    export_records,
    import_into,
    parse_import,
    to_json,
    to_markdown,
)
from app.core.protocol import Role, Usage
from app.core.store import HistoryStore, conversation_record


def filled_store(path) -> HistoryStore:
    store = HistoryStore(path)
    a = Conversation(title="Linked lists 链表")
    a.add(ChatMessage(Role.USER, "How do I reverse a linked list?"))
    a.add(ChatMessage(Role.ASSISTANT, "Use three pointers.", model="glm-4-32b"))
    a.truncate(1)
    a.add(ChatMessage(Role.ASSISTANT, "```python\nprev = None\n```", usage=Usage(3, 5, 8)))
    a.add(ChatMessage(Role.USER, "谢谢"))
    a.add(
        ChatMessage(
            Role.ASSISTANT,
            "half",
            state=AnswerState.ERROR,
            error=make_error(ErrorKind.NETWORK, "The connection dropped."),
        )
    )
    b = Conversation(title="Pinned", pinned=True)
    b.add(ChatMessage(Role.USER, "hi"))
    for conv in (a, b):
        store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
    return store


def test_json_export_import_round_trip_is_equal(tmp_path):
    source = filled_store(tmp_path / "a.db")
    exported = to_json(export_records(source))
    records = json.loads(exported)
    assert isinstance(records, list) and len(records) == 2
    for record in records:
        assert {"id", "title", "created", "messages"} <= record.keys()
        for m in record["messages"]:
            assert {"role", "content", "created"} <= m.keys()

    target = HistoryStore(tmp_path / "b.db")
    assert import_into(target, parse_import(exported)) == (2, 0)
    assert to_json(export_records(target)) == exported
    assert import_into(target, parse_import(exported)) == (0, 2)  # already there
    source.close()
    target.close()


def test_one_conversation_and_markdown(tmp_path):
    store = filled_store(tmp_path / "a.db")
    (info,) = [c for c in store.list_conversations() if c.title.startswith("Linked")]
    (record,) = export_records(store, info.id)
    md = to_markdown([record])
    assert md.startswith("# Linked lists 链表\n")
    assert "## You\n\nHow do I reverse a linked list?" in md
    assert "prev = None" in md and "Use three pointers." not in md  # the branch on screen
    assert "_(error)_" in md
    with pytest.raises(KeyError):
        export_records(store, "no-such-id")
    store.close()


def test_a_plain_list_of_messages_imports_as_one_branch(tmp_path):
    plain = [
        {
            "id": "x",
            "title": "t",
            "created": 1.0,
            "messages": [
                {"role": "user", "content": "q", "created": 1.0},
                {"role": "assistant", "content": "a", "created": 2.0},
            ],
        }
    ]
    (conv,) = parse_import(json.dumps(plain))
    assert [m.content for m in conv.messages] == ["q", "a"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not JSON"),
        ('{"conversations": []}', "JSON list of conversations"),
        ('[{"title": "t", "created": 1, "messages": []}]', "no str 'id'"),
        ('[{"id": "a", "title": "t", "created": "yesterday", "messages": []}]', "'created'"),
        (
            '[{"id": "a", "title": "t", "created": 1, "messages": [{"role": "robot", '
            '"content": "x", "created": 1}]}]',
            "unknown role 'robot'",
        ),
        (
            '[{"id": "a", "title": "t", "created": 1, "messages": [{"role": "user", '
            '"content": 5, "created": 1}]}]',
            "no text 'content'",
        ),
    ],
)
def test_files_that_are_not_ours_are_refused_with_the_reason(text, reason):
    with pytest.raises(ImportRefused, match=reason):
        parse_import(text)


def test_importing_a_copy_under_another_id_gets_fresh_message_ids(tmp_path):
    store = filled_store(tmp_path / "a.db")
    records = [r for r in export_records(store) if r["title"].startswith("Linked")]
    records[0]["id"] = "renamed"
    assert import_into(store, parse_import(json.dumps(records))) == (1, 0)
    assert len(store.list_conversations()) == 3
    assert store.db.execute("SELECT count(*) FROM messages").fetchone()[0] == 6 + 5
    store.close()


def test_snippet_runs_and_fix_requests_go_out_and_come_back(tmp_path):
    from app.core.runner.record import RunRecord

    store = HistoryStore(tmp_path / "h.db")
    conv = Conversation(title="runs")
    conv.add(ChatMessage(Role.USER, "mean"))
    answer = ChatMessage(Role.ASSISTANT, "```python\nprint(1/0)\n```")
    run = RunRecord(0, "python", "print(1/0)\n", "bubblewrap", command="python3 snippet.py")
    run.exit_code, run.output = 1, [["err", "ZeroDivisionError: division by zero\n"]]
    answer.runs.append(run)
    conv.add(answer)
    conv.add(ChatMessage(Role.USER, "Fix it", fixes=f"{answer.id}:0"))
    store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
    records = export_records(store)
    text = to_json(records)
    assert '"runs"' in text and '"fixes"' in text
    markdown = to_markdown(records)
    assert "Ran code block 1: `python3 snippet.py` in bubblewrap, exit status 1" in markdown
    assert "ZeroDivisionError: division by zero" in markdown
    [back] = parse_import(text)
    assert back.nodes[answer.id].runs == [run]
    assert back.messages[-1].fixes == f"{answer.id}:0"
    store.close()
