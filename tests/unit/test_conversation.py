from __future__ import annotations

import json

from app.core.conversation import AnswerState, ChatMessage, Conversation, title_from
from app.core.errors import ErrorKind, make_error
from app.core.markdown import CodeBlock, extract_code_blocks
from app.core.protocol import Role, Usage


def test_history_skips_empty_answers_and_other_branches():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q1"))
    c.add(ChatMessage(Role.ASSISTANT, "partial", state=AnswerState.ERROR))
    c.truncate(1)  # regenerate: the new answer is a sibling of the failed one
    c.add(ChatMessage(Role.ASSISTANT, "retried answer"))
    c.add(ChatMessage(Role.USER, "q2"))
    c.add(ChatMessage(Role.ASSISTANT, "", state=AnswerState.ERROR))
    wire = [(m.role, m.content) for m in c.wire_messages("be brief")]
    assert wire == [
        (Role.SYSTEM, "be brief"),
        (Role.USER, "q1"),
        (Role.ASSISTANT, "retried answer"),
        (Role.USER, "q2"),
    ]
    assert [m.content for m in c.wire_messages(upto=2)] == ["q1", "retried answer"]


def test_versions_switch_to_the_newest_descendant():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q"))
    c.add(ChatMessage(Role.ASSISTANT, "a1"))
    c.add(ChatMessage(Role.USER, "follow-up"))
    c.add(ChatMessage(Role.ASSISTANT, "a2"))
    c.truncate(1)
    c.add(ChatMessage(Role.ASSISTANT, "b1"))
    assert [m.content for m in c.messages] == ["q", "b1"]
    first, second = c.siblings(c.messages[1])
    assert (first.content, second.content) == ("a1", "b1")
    c.switch_to(first.id)
    assert [m.content for m in c.messages] == ["q", "a1", "follow-up", "a2"]
    # editing the first question: a new root; the old one stays reachable
    c.truncate(0)
    c.add(ChatMessage(Role.USER, "q edited"))
    assert [m.content for m in c.messages] == ["q edited"]
    assert [m.content for m in c.siblings(c.messages[0])] == ["q", "q edited"]
    assert len(c.nodes) == 6


def test_delete_moves_replies_up_and_keeps_the_branch():
    c = Conversation()
    for role, text in (("user", "q"), ("assistant", "a"), ("user", "q2"), ("assistant", "a2")):
        c.add(ChatMessage(Role(role), text))
    moved = c.delete(c.messages[1].id)
    assert [m.content for m in moved] == ["q2"]
    assert [m.content for m in c.messages] == ["q", "q2", "a2"]
    assert c.messages[1].parent_id == c.messages[0].id
    c.delete(c.messages[-1].id)
    assert c.leaf_id == c.messages[-1].id and c.messages[-1].content == "q2"
    c.delete(c.messages[0].id)
    assert [m.content for m in c.messages] == ["q2"] and c.messages[0].parent_id is None


def test_records_round_trip_with_error_and_usage():
    m = ChatMessage(
        Role.ASSISTANT,
        "x",
        state=AnswerState.ERROR,
        error=make_error(ErrorKind.RATE_LIMIT, "Slow down.", retry_after=7.0),
        usage=Usage(prompt_tokens=1, completion_tokens=2),
        parent_id="p",
        seq=4,
    )
    assert ChatMessage.from_dict(m.to_dict()) == m
    assert json.loads(json.dumps(m.to_dict())) == m.to_dict()


def test_stopped_partial_answer_stays_in_history():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q"))
    c.add(ChatMessage(Role.ASSISTANT, "half", state=AnswerState.STOPPED))
    c.add(ChatMessage(Role.USER, "go on"))
    assert [m.content for m in c.wire_messages()] == ["q", "half", "go on"]


def test_title_from_first_user_message():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "  Explain   the\nGIL in detail please, with examples  "))
    assert c.title == "Explain the GIL in detail pleas…"
    assert len(c.title) == 32
    assert title_from("short") == "short"


def test_code_blocks_with_and_without_language_and_unclosed():
    text = (
        "intro\n```python\nx = 1\n```\n\n~~~\nplain\n~~~\n"
        "  ```js title=x\n  let a\n    b\n  ```\n````md\n```\ninner\n```\n````\n```sh\necho open"
    )
    assert extract_code_blocks(text) == [
        CodeBlock("python", "x = 1"),
        CodeBlock("", "plain"),
        CodeBlock("js", "let a\n  b"),
        CodeBlock("md", "```\ninner\n```"),
        CodeBlock("sh", "echo open", closed=False),
    ]
