from __future__ import annotations

import pytest

from app.core.protocol import (
    ErrorChunk,
    Finish,
    MalformedChunk,
    Message,
    Role,
    TextDelta,
    Timings,
    ToolCallAccumulator,
    ToolCallDelta,
    Usage,
    parse_chunk,
)
from app.core.providers import PROVIDERS, GenerationParams, get_provider, is_loopback_url


def test_zai_finish_chunk_carries_text_usage_and_finish_in_order():
    data = (
        '{"id":"1","choices":[{"index":0,"delta":{"role":"assistant","content":"end."},'
        '"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,'
        '"total_tokens":12}}'
    )
    assert parse_chunk(data) == [
        TextDelta("end."),
        Usage(prompt_tokens=5, completion_tokens=7, total_tokens=12),
        Finish("stop"),
    ]


def test_llama_role_only_delta_and_timings():
    assert parse_chunk('{"choices":[{"delta":{"role":"assistant","content":null}}]}') == []
    events = parse_chunk(
        '{"choices":[{"delta":{},"finish_reason":"stop"}],'
        '"timings":{"predicted_n":3,"predicted_per_second":1500.5}}'
    )
    assert events == [Timings(predicted_n=3, predicted_per_second=1500.5), Finish("stop")]


def test_openrouter_usage_with_cost_and_cached_tokens():
    (usage, fin) = parse_chunk(
        '{"object":"chat.completion.chunk","choices":[{"delta":{},"finish_reason":"stop"}],'
        '"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.0004,'
        '"prompt_tokens_details":{"cached_tokens":1}}}'
    )
    assert usage == Usage(1, 2, 3, cost_usd=0.0004, cached_tokens=1)
    assert fin == Finish("stop")


def test_usage_in_empty_choices_chunk():
    assert parse_chunk('{"choices":[],"usage":{"completion_tokens":9}}') == [
        Usage(completion_tokens=9)
    ]


def test_error_chunk_then_finish():
    events = parse_chunk(
        '{"error":{"code":502,"message":"x"},"choices":[{"delta":{"content":""},'
        '"finish_reason":"error"}]}'
    )
    assert isinstance(events[0], ErrorChunk) and events[1] == Finish("error")


@pytest.mark.parametrize("data", ["not json", "[1,2]", '"str"', "{"])
def test_malformed(data):
    with pytest.raises(MalformedChunk):
        parse_chunk(data)


@pytest.mark.parametrize(
    "data",
    [
        "1" * 5000,  # json.loads raises ValueError (Python's integer digit limit)
        '{"usage":{"prompt_tokens":' + "9" * 5000 + "}}",
        "[" * 100_000,  # json.loads raises RecursionError
        '{"a":' * 50_000 + "1" + "}" * 50_000,
    ],
)
def test_hostile_json_is_malformed_not_a_crash(data):
    # Any other exception leaves the client as "Something went wrong in GLM Desk".
    with pytest.raises(MalformedChunk):
        parse_chunk(data)


def test_lone_surrogate_escapes_become_replacement_characters():
    # JSON may escape half a UTF-16 pair; such text cannot be stored (SQLite, UTF-8) or shown.
    events = parse_chunk(
        '{"choices":[{"delta":{"content":"a\\ud800b\\uDFFF \\ud83d\\ude00","tool_calls":'
        '[{"id":"c\\udc00","function":{"name":"n","arguments":"\\ud801"}}]}}],'
        '"error":{"message":["\\ud802"]}}'
    )
    assert events[0] == TextDelta("a\ufffdb\ufffd 😀")
    assert events[1] == ToolCallDelta(index=0, id="c\ufffd", name="n", arguments="\ufffd")
    assert isinstance(events[2], ErrorChunk)
    assert events[2].payload["error"] == {"message": ["\ufffd"]}


def test_tool_call_ids_and_names_of_other_types_are_dropped():
    (call,) = parse_chunk(
        '{"choices":[{"delta":{"tool_calls":[{"id":{"x":1},"function":{"name":[1]}}]}}]}'
    )
    assert call == ToolCallDelta(index=0, id=None, name=None, arguments="")


def test_tool_calls_whole_fragments_and_object_arguments():
    acc = ToolCallAccumulator()
    whole = parse_chunk(
        '{"choices":[{"delta":{"tool_calls":[{"id":"c1","index":0,"type":"function",'
        '"function":{"name":"get","arguments":{"q":"x"}}}]},"finish_reason":"tool_calls"}]}'
    )
    frag1 = parse_chunk(
        '{"choices":[{"delta":{"tool_calls":[{"index":1,"id":"c2",'
        '"function":{"name":"put","arguments":""}}]}}]}'
    )
    frag2 = parse_chunk(
        '{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\\"a\\""}}]}}]}'
    )
    frag3 = parse_chunk(
        '{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":":1}"}}]}}]}'
    )
    for ev in whole + frag1 + frag2 + frag3:
        if isinstance(ev, ToolCallDelta):
            acc.add(ev)
    calls = acc.result()
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("c1", "get", '{"q": "x"}'),
        ("c2", "put", '{"a":1}'),
    ]


def test_registry_has_every_provider_with_limits():
    assert set(PROVIDERS) == {"zai", "bigmodel", "openrouter", "openrouter-free", "local", "custom"}
    assert get_provider("zai").model == "glm-4-32b-0414-128k"
    assert get_provider("zai").context_window == 128_000
    assert get_provider("zai").max_output == 16_384
    assert get_provider("bigmodel").base_url.startswith("https://open.bigmodel.cn/")
    assert get_provider("openrouter").model == "z-ai/glm-4-32b"
    assert get_provider("openrouter-free").model == "thudm/glm-4-32b:free"
    assert get_provider("openrouter-free").context_window == 32_768
    assert get_provider("local").base_url == "http://127.0.0.1:8080/v1"
    assert all(p.defaults.temperature == 0.75 for p in PROVIDERS.values())
    with pytest.raises(ValueError, match="unknown provider"):
        get_provider("nope")


def test_zai_body_uses_do_sample_for_zero_temperature_and_one_stop():
    msgs = [Message(Role.USER, "hi")]
    body = get_provider("zai").request_body(
        msgs, GenerationParams(temperature=0, stop=("a", "b"), max_tokens=99_999)
    )
    assert body["do_sample"] is False and "temperature" not in body
    assert body["stop"] == ["a"]
    assert body["max_tokens"] == 16_384
    assert "stream_options" not in body
    default = get_provider("zai").request_body(msgs)
    assert default["temperature"] == 0.75 and default["top_p"] == 0.9


def test_openai_style_body_asks_for_usage():
    body = get_provider("local").request_body([Message(Role.USER, "hi")])
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": "hi"}]


def test_keys_come_from_environment_provider_specific_first():
    zai = get_provider("zai")
    assert zai.api_key({}) is None
    assert zai.api_key({"GLM_DESK_API_KEY": "g"}) == "g"
    assert zai.api_key({"GLM_DESK_API_KEY": "g", "ZAI_API_KEY": "z"}) == "z"
    assert get_provider("openrouter").api_key({"ZAI_API_KEY": "z"}) is None


@pytest.mark.parametrize(
    ("url", "loop"),
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://localhost:1234/v1", True),
        ("http://[::1]:8000/v1", True),
        ("https://api.z.ai/api/paas/v4", False),
        ("http://192.168.1.2/v1", False),
        ("http://127.5.6.7/v1", True),
        ("http://127.evil.example/v1", False),  # a name, resolved elsewhere
        ("http://127.0.0.1.nip.io/v1", False),
        ("http://localhost.evil.com/v1", False),
    ],
)
def test_loopback_detection(url, loop):
    assert is_loopback_url(url) is loop


def test_tools_are_offered_with_tool_choice_auto_and_a_call_alone_has_null_content():
    from app.core.protocol import ToolCall
    from app.core.tools.workspace import READ_FILE

    call = ToolCall(index=0, id="call_1", name="read_file", arguments='{"path": "a.py"}')
    history = [
        Message(Role.USER, "read a.py"),
        Message(Role.ASSISTANT, "", tool_calls=[call]),
        Message(Role.TOOL, "x = 1", tool_call_id="call_1"),
    ]
    for provider in PROVIDERS.values():
        body = provider.request_body(history, tools=[READ_FILE.to_wire()])
        assert body["tool_choice"] == "auto"
        assert body["tools"][0]["function"]["name"] == "read_file"
        wire = body["messages"]
        assert wire[1] == {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "read_file", "arguments": '{"path": "a.py"}'},
                }
            ],
        }
        assert wire[2] == {"role": "tool", "content": "x = 1", "tool_call_id": "call_1"}
        assert "tools" not in provider.request_body(history[:1])
