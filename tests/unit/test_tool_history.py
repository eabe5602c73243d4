"""Tool calls in a conversation: every call paired with a result on the wire, after a stop
or a kill too; trimming never separates them; exports keep them."""

from __future__ import annotations

import json

from app.core.context import fit_to_context
from app.core.conversation import NOT_RUN, ChatMessage, Conversation, ToolCallRecord
from app.core.exchange import parse_import, to_json, to_markdown
from app.core.protocol import Message, Role
from app.core.store import conversation_record


def looped(result: bool = True) -> Conversation:
    conv = Conversation()
    conv.add(ChatMessage(Role.USER, "What does a.py return?"))
    calls = [
        ToolCallRecord("call_1", "read_file", '{"path": "a.py"}', state="done", seconds=0.1),
        ToolCallRecord("call_2", "search_files", '{"pattern": "return"}', state="done"),
    ]
    conv.add(ChatMessage(Role.ASSISTANT, "Let me look.", tool_calls=calls))
    conv.add(ChatMessage(Role.TOOL, "a.py, lines 1-1 of 1:\nreturn 42", tool_call_id="call_1"))
    if result:
        conv.add(ChatMessage(Role.TOOL, "a.py:1: return 42", tool_call_id="call_2"))
        conv.add(ChatMessage(Role.ASSISTANT, "It returns 42."))
    return conv


def roles(messages: list[Message]) -> list[str]:
    return [m.role.value + (f":{m.tool_call_id}" if m.tool_call_id else "") for m in messages]


def test_the_wire_history_sends_calls_then_their_results():
    wire = looped().wire_messages("Be brief.")
    assert roles(wire) == ["system", "user", "assistant", "tool:call_1", "tool:call_2", "assistant"]
    assert [c.name for c in wire[2].tool_calls] == ["read_file", "search_files"]
    assert wire[2].to_wire()["tool_calls"][0]["function"]["arguments"] == '{"path": "a.py"}'


def test_a_call_without_a_result_is_answered_not_run():
    conv = looped(result=False)  # stopped (or killed) while call_2 waited
    conv.add(ChatMessage(Role.USER, "Go on."))
    wire = conv.wire_messages()
    assert roles(wire) == ["user", "assistant", "tool:call_1", "tool:call_2", "user"]
    assert wire[3].content == NOT_RUN


def test_a_result_whose_call_is_not_in_the_branch_is_left_out():
    conv = Conversation()
    conv.add(ChatMessage(Role.USER, "hi"))
    conv.add(ChatMessage(Role.TOOL, "orphan", tool_call_id="call_9"))
    conv.add(ChatMessage(Role.ASSISTANT, "hello"))
    assert roles(conv.wire_messages()) == ["user", "assistant"]


def test_trimming_never_leaves_a_result_without_its_call():
    wire = looped().wire_messages()
    # A budget that keeps only the end: the leading results lose their call, so they go too.
    kept, dropped = fit_to_context(wire, n_ctx=40, reserve=0)
    assert roles(kept) == ["assistant"] and dropped == 4
    for n_ctx in range(30, 400, 5):
        kept, _ = fit_to_context(wire, n_ctx=n_ctx, reserve=0)
        assert kept[0].role != Role.TOOL


def test_exports_keep_tool_calls_and_results():
    conv = looped()
    conv.workspace = "/home/me/project"
    records = [conversation_record_of(conv)]
    again = parse_import(to_json(records))[0]
    assert again.workspace == "/home/me/project"
    assert [m.to_dict() for m in again.messages] == [m.to_dict() for m in conv.messages]
    markdown = to_markdown(records)
    assert "Called `read_file` (done):" in markdown and '{"path": "a.py"}' in markdown
    assert "### Result of read_file" in markdown and "### Result of search_files" in markdown


def conversation_record_of(conv: Conversation) -> dict:
    record = conversation_record(conv)
    record["messages"] = [m.to_dict() for m in conv.nodes.values()]
    return json.loads(json.dumps(record))


def test_for_glm4s_stock_template_calls_go_as_text_and_results_as_observations():
    wire = looped().wire_messages(tools_as_text=True)
    assert [m.role.value for m in wire] == [
        "user",
        "assistant",
        "observation",
        "observation",
        "assistant",
    ]
    assert wire[1].content == (
        'Let me look.\nread_file\n{"path": "a.py"}\nsearch_files\n{"pattern": "return"}'
    )
    assert not wire[1].tool_calls and wire[1].to_wire() == {
        "role": "assistant",
        "content": wire[1].content,
    }
    assert wire[2].to_wire() == {
        "role": "observation",
        "content": "a.py, lines 1-1 of 1:\nreturn 42",
    }


def test_the_stock_glm4_template_is_told_apart_from_ours():
    from app.core.localserver import GLM4_TOOLS_TEMPLATE, ServerInfo

    stock = (
        "{%- elif role == 'assistant' and meta %}<|assistant|>{{ meta }}\n{{ content }}"
        "{%- elif role == 'observation' %}<|observation|>\n{{ content }}"
    ).replace("meta %", "metadata %")
    assert ServerInfo.from_props(
        {"chat_template": "x metadata <|observation|>"}
    ).glm4_stock_template
    assert ServerInfo.from_props({"chat_template": stock}).glm4_stock_template
    ours = GLM4_TOOLS_TEMPLATE.read_text()
    assert not ServerInfo.from_props({"chat_template": ours}).glm4_stock_template
    assert not ServerInfo.from_props({}).glm4_stock_template


def test_after_a_kill_a_stored_call_without_result_is_answered_not_run(tmp_path):
    from app.core.store import HistoryStore

    conv = looped(result=False)  # the app died while call_2 ran: no result was saved
    conv.messages[1].tool_calls[1].state = "running"
    store = HistoryStore(tmp_path / "history.db")
    store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
    store.close()
    again = HistoryStore(tmp_path / "history.db").load(conv.id)
    assert again is not None
    wire = again.wire_messages()
    assert roles(wire) == ["user", "assistant", "tool:call_1", "tool:call_2"]
    assert wire[-1].content == NOT_RUN
