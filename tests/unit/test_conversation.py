from __future__ import annotations

from app.core.conversation import AnswerState, ChatMessage, Conversation, title_from
from app.core.markdown import CodeBlock, extract_code_blocks
from app.core.protocol import Role


def test_history_skips_empty_and_superseded_answers():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q1"))
    c.add(ChatMessage(Role.ASSISTANT, "partial", state=AnswerState.ERROR))
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
