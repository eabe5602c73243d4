"""ChatClient against local servers that speak each provider's documented wire format."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from app.core import sse
from app.core.client import ChatClient, ClientPool, Retrying, RetryPolicy
from app.core.errors import ChatError, ErrorKind
from app.core.protocol import (
    Finish,
    Message,
    Role,
    TextDelta,
    Timings,
    ToolCallAccumulator,
    ToolCallDelta,
    Usage,
)
from app.core.providers import get_provider
from tests.protocol_servers import ProtocolServer, Reply

pytestmark = pytest.mark.anyio

PROVIDER_FOR = {"openrouter": "openrouter", "zai": "zai", "llama": "local", "openai": "custom"}
TEXT = "Hello, 世界! Streaming works: ```python\nprint('ok')\n``` done 🎉"


class Sleeps:
    """Records requested backoff delays instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def client_for(server: ProtocolServer, pool: ClientPool, key: str | None = "test-key", **kw):
    provider = get_provider(PROVIDER_FOR[server.flavor]).with_overrides(base_url=server.base_url)
    return ChatClient(provider, pool.get(provider), api_key=key, **kw)


async def collect(client: ChatClient, text: str = "hi") -> list:
    return [ev async for ev in client.stream([Message(Role.USER, text)])]


@pytest.fixture
async def pool():
    p = ClientPool()
    yield p
    await p.aclose()


async def test_text_reassembled_exactly_and_usage_captured(flavor_server, pool):
    flavor_server.push(Reply(text=TEXT, split_bytes=3))
    events = await collect(client_for(flavor_server, pool))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == TEXT
    usages = [e for e in events if isinstance(e, Usage)]
    assert usages and usages[-1].completion_tokens > 0
    assert [e for e in events if isinstance(e, Finish)] == [Finish("stop")]
    req = flavor_server.requests[-1]
    assert req.headers["authorization"] == "Bearer test-key"
    assert req.body["stream"] is True
    assert req.body["messages"] == [{"role": "user", "content": "hi"}]


async def test_openrouter_cost_and_attribution(make_server, pool):
    server = make_server("openrouter")
    events = await collect(client_for(server, pool))
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert usage.cost_usd == pytest.approx(0.0000123)
    assert server.requests[0].headers["x-title"] == "GLM Desk"
    assert server.requests[0].body["model"] == "z-ai/glm-4-32b"


async def test_zai_usage_in_finish_chunk_and_no_stream_options(make_server, pool):
    server = make_server("zai")
    events = await collect(client_for(server, pool))
    assert isinstance(events[-1], Finish)
    assert any(isinstance(e, Usage) for e in events)
    body = server.requests[0].body
    assert "stream_options" not in body and body["model"] == "glm-4-32b-0414-128k"
    assert body["temperature"] == 0.75


async def test_llama_timings_and_usage_chunk(make_server, pool):
    server = make_server("llama")
    events = await collect(client_for(server, pool, key=None))
    timings = [e for e in events if isinstance(e, Timings)]
    assert timings and timings[0].predicted_per_second > 0
    assert any(isinstance(e, Usage) for e in events)
    assert "authorization" not in server.requests[0].headers


@pytest.mark.parametrize("flavor", ["openrouter", "zai"])
async def test_tool_calls_whole_or_fragmented(make_server, pool, flavor):
    server = make_server(flavor)
    args = json.dumps({"path": "src/main.py", "lines": [1, 2, 3]})
    server.push(
        Reply(text="", tool_calls=[{"id": "call_1", "name": "read_file", "arguments": args}])
    )
    acc = ToolCallAccumulator()
    events = await collect(client_for(server, pool))
    for e in events:
        if isinstance(e, ToolCallDelta):
            acc.add(e)
    (call,) = acc.result()
    assert (call.id, call.name, json.loads(call.arguments)) == (
        "call_1",
        "read_file",
        json.loads(args),
    )
    assert Finish("tool_calls") in events


async def test_llama_503_while_loading_is_retried(make_server, pool):
    server = make_server("llama")
    server.loading_requests = 2
    sleeps = Sleeps()
    events = await collect(client_for(server, pool, key=None, sleep=sleeps))
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.error.kind for r in retries] == [ErrorKind.LOADING, ErrorKind.LOADING]
    assert len(sleeps.delays) == 2 and sleeps.delays[1] > sleeps.delays[0]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "You said: hi"


async def test_429_with_retry_after_is_retried_after_that_many_seconds(make_server, pool):
    server = make_server("openrouter")
    server.push(
        Reply(
            status=429,
            headers={"Retry-After": "3"},
            body={"error": {"code": 429, "message": "Rate limit exceeded"}},
        )
    )
    sleeps = Sleeps()
    events = await collect(client_for(server, pool, sleep=sleeps))
    assert sleeps.delays == [3.0]
    assert len(server.requests) == 2
    assert any(isinstance(e, TextDelta) for e in events)


async def test_retry_gives_up_after_the_policy_attempts(make_server, pool):
    server = make_server("openrouter")
    busy = Reply(status=503, body={"error": {"code": 503, "message": "No allowed providers"}})
    server.push(busy, busy, busy)
    sleeps = Sleeps()
    client = client_for(server, pool, sleep=sleeps, retry=RetryPolicy(attempts=3))
    with pytest.raises(ChatError) as info:
        await collect(client)
    assert info.value.kind == ErrorKind.OVERLOADED
    assert len(server.requests) == 3 and len(sleeps.delays) == 2


async def test_long_retry_after_is_left_to_the_user(make_server, pool):
    server = make_server("openrouter")
    server.push(Reply(status=429, headers={"Retry-After": "600"}, body={"error": {"code": 429}}))
    with pytest.raises(ChatError) as info:
        await collect(client_for(server, pool, sleep=Sleeps()))
    assert info.value.retry_after == 600 and len(server.requests) == 1
    assert "Retry in 600 s" in info.value.user_text()


@pytest.mark.parametrize(
    ("flavor", "status", "body", "kind"),
    [
        (
            "openrouter",
            401,
            {"error": {"code": 401, "message": "No auth credentials found"}},
            ErrorKind.AUTH,
        ),
        (
            "openrouter",
            402,
            {"error": {"code": 402, "message": "Insufficient credits"}},
            ErrorKind.CREDIT,
        ),
        (
            "zai",
            429,
            {"error": {"code": "1113", "message": "余额不足或无可用资源包"}},
            ErrorKind.CREDIT,
        ),
        ("zai", 401, {"error": {"code": "1000", "message": "身份验证失败"}}, ErrorKind.AUTH),
        (
            "llama",
            401,
            {"error": {"message": "Invalid API Key", "type": "authentication_error", "code": 401}},
            ErrorKind.AUTH,
        ),
    ],
)
async def test_fatal_errors_are_not_retried(make_server, pool, flavor, status, body, kind):
    server = make_server(flavor)
    server.push(Reply(status=status, body=body))
    sleeps = Sleeps()
    with pytest.raises(ChatError) as info:
        await collect(client_for(server, pool, sleep=sleeps))
    assert info.value.kind == kind
    assert len(server.requests) == 1 and sleeps.delays == []


async def test_context_overflow_from_llama(make_server, pool):
    server = make_server("llama")
    server.push(
        Reply(
            status=400,
            body={
                "error": {
                    "code": 400,
                    "type": "exceed_context_size_error",
                    "message": "request (820 tokens) exceeds the available context size (512)",
                    "n_prompt_tokens": 820,
                    "n_ctx": 512,
                }
            },
        )
    )
    with pytest.raises(ChatError) as info:
        await collect(client_for(server, pool, key=None))
    assert info.value.kind == ErrorKind.CONTEXT and "512" in info.value.message


@pytest.mark.parametrize("flavor", ["openrouter", "zai", "llama"])
async def test_mid_stream_error_keeps_the_text_and_is_not_retried(make_server, pool, flavor):
    server = make_server(flavor)
    server.push(Reply(text="one two three four", error_after=2))
    got: list[str] = []
    with pytest.raises(ChatError) as info:
        async for ev in client_for(server, pool, key="k", sleep=Sleeps()).stream(
            [Message(Role.USER, "x")]
        ):
            if isinstance(ev, TextDelta):
                got.append(ev.text)
    assert "".join(got) == "one two"
    assert len(server.requests) == 1
    assert info.value.kind in (ErrorKind.OVERLOADED, ErrorKind.SERVER)


async def test_disconnect_mid_stream_is_an_error_with_partial_text(make_server, pool):
    server = make_server("openrouter")
    server.push(Reply(text="a b c d e", drop_after=3))
    got: list[str] = []
    with pytest.raises(ChatError) as info:
        async for ev in client_for(server, pool).stream([Message(Role.USER, "x")]):
            if isinstance(ev, TextDelta):
                got.append(ev.text)
    assert "".join(got) == "a b c"
    assert info.value.kind == ErrorKind.NETWORK
    assert len(server.requests) == 1  # text had arrived: never retried


async def test_stream_without_done_but_with_finish_is_fine(make_server, pool):
    server = make_server("openai")
    server.push(Reply(text="ok then", done=False))
    events = await collect(client_for(server, pool))
    assert Finish("stop") in events


async def test_stream_closed_without_finish_is_interrupted(make_server, pool):
    server = make_server("llama")
    server.push(
        Reply(
            text="half an",
            error_after=None,
            drop_after=None,
            done=False,
            chunks=["half", " an"],
            finish_reason="",
        )
    )
    with pytest.raises(ChatError) as info:
        await collect(client_for(server, pool, key=None))
    assert info.value.kind == ErrorKind.INTERRUPTED


async def test_garbage_data_is_a_protocol_error(make_server, pool):
    server = make_server("openai")
    server.push(Reply(text="fine", raw_after=b"data: {not json\n\n"))
    with pytest.raises(ChatError) as info:
        await collect(client_for(server, pool))
    assert info.value.kind == ErrorKind.PROTOCOL


async def test_a_line_that_never_ends_is_cut_off(make_server, pool, monkeypatch):
    monkeypatch.setattr(sse, "MAX_EVENT_BYTES", 1 << 20)  # 32 MB in the app
    server = make_server("openrouter")
    server.push(Reply(text="a b", raw_after=b"data: " + b"x" * (2 << 20)))
    got: list[str] = []
    with pytest.raises(ChatError) as info:
        async for ev in client_for(server, pool).stream([Message(Role.USER, "x")]):
            if isinstance(ev, TextDelta):
                got.append(ev.text)
    assert "".join(got) == "a b"
    assert info.value.kind == ErrorKind.PROTOCOL and "1,048,576 bytes" in info.value.detail


async def test_cancellation_closes_the_connection(make_server, pool):
    server = make_server("openrouter")
    server.push(Reply(text=" ".join(["tok"] * 200), delay=0.02))
    first = asyncio.Event()

    async def consume() -> None:
        async for ev in client_for(server, pool).stream([Message(Role.USER, "x")]):
            if isinstance(ev, TextDelta):
                first.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(first.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(300):
        if server.disconnects:
            break
        await asyncio.sleep(0.01)
    assert server.disconnects == 1 and server.completed == 0


async def test_missing_key_fails_before_any_request(make_server, pool):
    server = make_server("zai")
    with pytest.raises(ChatError) as info:
        await collect(client_for(server, pool, key=None))
    assert info.value.kind == ErrorKind.AUTH and "ZAI_API_KEY" in info.value.action
    assert server.requests == []


async def test_nothing_listening_on_loopback_is_not_retried(pool):
    provider = get_provider("local").with_overrides(base_url="http://127.0.0.1:9/v1")
    sleeps = Sleeps()
    with pytest.raises(ChatError) as info:
        await collect(ChatClient(provider, pool.get(provider), sleep=sleeps))
    assert info.value.kind == ErrorKind.NETWORK and "llama-server" in info.value.action
    assert sleeps.delays == []


async def test_loopback_bypasses_the_system_proxy(make_server, monkeypatch):
    server = make_server("llama")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    pool = ClientPool()
    try:
        events = await collect(client_for(server, pool, key=None))
    finally:
        await pool.aclose()
    assert any(isinstance(e, TextDelta) for e in events)


async def test_one_http_client_per_endpoint():
    pool = ClientPool()
    a = get_provider("openrouter")
    b = get_provider("openrouter-free")
    c = get_provider("zai")
    assert pool.get(a) is pool.get(b)
    assert pool.get(a) is not pool.get(c)
    await pool.aclose()
    assert isinstance(pool.get(a), httpx.AsyncClient)
    await pool.aclose()
