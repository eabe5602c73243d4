"""Hostile input never freezes or crashes the core: fuzzing the SSE decoder, the chunk parser,
the error mapping, the client over arbitrary bytes, and the Markdown renderer.

Each property runs a fixed, derandomized set of examples (the same ones on every run and in
CI) with a deadline per example, so a slow path shows up as a failure, not as a slow suite.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.client import ChatClient, Retrying, RetryPolicy
from app.core.errors import ChatError, ErrorKind, error_from_http, error_from_stream_chunk
from app.core.markdown import Block, MarkdownStream, render_blocks
from app.core.protocol import (
    ErrorChunk,
    Finish,
    MalformedChunk,
    Message,
    Role,
    TextDelta,
    Timings,
    ToolCallDelta,
    Usage,
    parse_chunk,
)
from app.core.providers import get_provider
from app.core.sse import SseDecoder, SseEvent


def fuzz(max_examples: int) -> settings:
    """Deterministic (derandomized, no example database) and bounded: 500 ms per example."""
    return settings(
        max_examples=max_examples,
        deadline=timedelta(milliseconds=500),
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


SURROGATE = re.compile("[\ud800-\udfff]")


# --- SSE ---------------------------------------------------------------------------------

SSE_PIECES = st.sampled_from(
    [
        b"data:",
        b"data: ",
        b"data",
        b"event: ping",
        b"event:",
        b"id: 7",
        b"id: a\x00b",
        b"retry: 100",
        b": OPENROUTER PROCESSING",
        b":",
        b"\n",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b"\r\n\r\n",
        b" ",
        b"\xef\xbb\xbf",  # a BOM, at the start or anywhere
        "é世🌍".encode(),
        "🌍".encode()[:2],  # half a character
        b"\xff",
        b"\xc0\x80",  # overlong
        b"\xed\xa0\x80",  # an encoded surrogate
        b"[DONE]",
        b'{"choices":[{"delta":{"content":"hi"}}]}',
        b"\x00",
    ]
)
SSE_BYTES = st.lists(SSE_PIECES | st.binary(max_size=12), max_size=40).map(b"".join)


def decode(raw: bytes, cuts: list[int] = ()) -> tuple[list[SseEvent], int]:
    """Events and comment count from `raw` fed in pieces cut at `cuts`, then closed."""
    dec = SseDecoder()
    events: list[SseEvent] = []
    prev = 0
    for cut in sorted(set(cuts)):
        events += dec.feed(raw[prev:cut])
        prev = cut
    events += dec.feed(raw[prev:])
    events += dec.close()
    return events, dec.comments


def reference(raw: bytes) -> list[SseEvent]:
    """The event-stream rules written out plainly, over the whole stream at once: decode as
    UTF-8 (invalid bytes replaced), drop one leading BOM, split lines on CRLF, CR or LF, and
    (as the module documents) deliver an event left open when the stream ends."""
    text = raw.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff")
    events: list[SseEvent] = []
    data: list[str] = []
    event, last_id = "", None
    for line in re.split(r"\r\n|\r|\n", text):
        if not line:
            if data:
                events.append(SseEvent("\n".join(data), event or "message", last_id))
            data, event = [], ""
        elif line.startswith(":"):
            continue
        else:
            name, sep, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name == "id" and "\x00" not in value:
                last_id = value
    if data:
        events.append(SseEvent("\n".join(data), event or "message", last_id))
    return events


@fuzz(250)
@given(SSE_BYTES, st.lists(st.integers(0, 400), max_size=16))
def test_sse_split_anywhere_gives_the_events_of_the_whole_stream(raw, cuts):
    cuts = [c for c in cuts if c <= len(raw)]
    whole, comments = decode(raw)
    assert decode(raw, cuts) == (whole, comments)
    assert whole == reference(raw)
    for ev in whole:
        assert not SURROGATE.search(ev.data + ev.event + (ev.id or ""))
        assert "\r" not in ev.data and not {"\r", "\n"} & set(ev.event + (ev.id or ""))


@fuzz(200)
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=20))
def test_sse_arbitrary_bytes(raw, cuts):
    events, _ = decode(raw, [c for c in cuts if c <= len(raw)])
    assert events == reference(raw)


SSE_FIELD_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20
)
SSE_EVENTS = st.lists(
    st.tuples(
        st.lists(SSE_FIELD_TEXT, min_size=1, max_size=3),
        st.sampled_from(["", "ping", "message"]),
        st.sampled_from(["\n", "\r\n", "\r"]),
    ),
    min_size=1,
    max_size=8,
)


def encode_events(events: list[tuple[list[str], str, str]]) -> tuple[bytes, list[SseEvent]]:
    raw, expected = [], []
    for lines, name, eol in events:
        if name:
            raw.append(f"event: {name}{eol}")
        raw += [f"data: {line}{eol}" for line in lines]
        raw.append(eol)
        expected.append(SseEvent("\n".join(lines), name or "message"))
    return "".join(raw).encode(), expected


@fuzz(200)
@given(SSE_EVENTS, st.integers(0, 10_000), st.lists(st.integers(0, 10_000), max_size=8))
def test_sse_stream_cut_short_yields_a_prefix_of_its_events(events, end, cuts):
    """A stream that stops anywhere (no [DONE], no blank line, mid-character) gives the events
    that were complete, and at most one more whose data is a prefix of what was coming."""
    raw, expected = encode_events(events)
    assert decode(raw)[0] == expected
    end %= len(raw) + 1
    got, _ = decode(raw[:end], [c for c in cuts if c <= end])
    assert len(got) <= len(expected)
    if got:
        assert got[:-1] == expected[: len(got) - 1]
        last, full = got[-1], expected[len(got) - 1]
        # a character cut in half shows as one replacement character at the very end
        assert full.data.startswith(last.data.removesuffix("\ufffd"))


# --- chunk parser ------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "stop", "error", "length", "tool_calls", "1113", "²", "0x1f"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def maybe(keys: dict[str, st.SearchStrategy], **required: st.SearchStrategy) -> st.SearchStrategy:
    """A dict with the required keys and any subset of the others."""
    return st.fixed_dictionaries(required, optional=keys)


def mostly(usual: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` four times in five, else `odd`: the shapes servers send, with junk among them
    (an even choice would spend most examples on junk at the top level)."""
    return st.integers(0, 4).flatmap(lambda n: odd if n == 0 else usual)


ODD = mostly(JSON_VALUES, st.sampled_from(["²", "٤٠٤", "1" * 5000, "", 0, 1.5, True, [], {}]))
TOOL_CALL = maybe(
    {
        "index": ODD,
        "id": ODD,
        "type": ODD,
        "function": mostly(maybe({"name": ODD, "arguments": ODD}), JSON_VALUES),
    }
)
DELTA = maybe(
    {
        "role": ODD,
        "content": ODD,
        "tool_calls": mostly(st.lists(TOOL_CALL, min_size=1, max_size=3), JSON_VALUES),
    }
)
CHOICE = maybe(
    {"index": ODD, "message": DELTA, "finish_reason": ODD}, delta=mostly(DELTA, JSON_VALUES)
)
ERROR = maybe({"code": ODD, "message": ODD, "type": ODD, "metadata": JSON_VALUES})
CHUNK = maybe(
    {
        "id": ODD,
        "object": ODD,
        "usage": mostly(
            maybe(
                {
                    k: mostly(st.integers() | st.floats(), ODD)
                    for k in ("prompt_tokens", "completion_tokens", "total_tokens", "cost")
                }
                | {"prompt_tokens_details": mostly(maybe({"cached_tokens": ODD}), ODD)}
            ),
            JSON_VALUES,
        ),
        "timings": mostly(maybe({"predicted_n": ODD, "predicted_per_second": ODD}), ODD),
        "error": mostly(ERROR, JSON_VALUES),
    },
    choices=mostly(st.lists(CHOICE, min_size=1, max_size=3), JSON_VALUES),
)


def is_int(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def is_num(value: object) -> bool:
    return value is None or type(value) is float


def check_events(events: list) -> None:
    """What every consumer may rely on: the fields have their declared types, text is never
    empty and is valid Unicode (it goes to Qt and SQLite), the finish comes last."""
    for ev in events:
        if isinstance(ev, TextDelta):
            assert isinstance(ev.text, str) and ev.text and not SURROGATE.search(ev.text)
        elif isinstance(ev, ToolCallDelta):
            assert is_int(ev.index) and ev.index is not None
            assert ev.id is None or (isinstance(ev.id, str) and ev.id)
            assert ev.name is None or (isinstance(ev.name, str) and ev.name)
            assert isinstance(ev.arguments, str) and not SURROGATE.search(ev.arguments)
        elif isinstance(ev, Usage):
            assert all(
                is_int(v)
                for v in (ev.prompt_tokens, ev.completion_tokens, ev.total_tokens, ev.cached_tokens)
            )
            assert is_num(ev.cost_usd)
        elif isinstance(ev, Timings):
            assert is_int(ev.prompt_n) and is_int(ev.predicted_n)
            assert all(is_num(v) for v in (ev.prompt_ms, ev.predicted_ms, ev.predicted_per_second))
        elif isinstance(ev, Finish):
            assert isinstance(ev.reason, str) and ev.reason
        else:
            assert isinstance(ev, ErrorChunk) and isinstance(ev.payload, dict)
    finishes = [i for i, ev in enumerate(events) if isinstance(ev, Finish)]
    assert finishes in ([], [len(events) - 1])


def parse(data: str) -> list | None:
    """parse_chunk's events, or None for a MalformedChunk (its only documented error)."""
    try:
        events = parse_chunk(data)
    except MalformedChunk:
        return None
    check_events(events)
    return events


@fuzz(150)
@given(JSON_VALUES)
def test_parse_chunk_any_json_value(value):
    events = parse(json.dumps(value))
    assert (events is None) == (not isinstance(value, dict))


@fuzz(120)
@given(CHUNK)
def test_parse_chunk_any_chunk_shape(chunk):
    events = parse(json.dumps(chunk))
    assert events is not None
    has_error = chunk.get("error") is not None
    assert any(isinstance(ev, ErrorChunk) for ev in events) == has_error
    for ev in events:
        if isinstance(ev, ErrorChunk):
            err = error_from_stream_chunk(ev.payload, "Test")
            assert isinstance(err, ChatError) and err.message and err.user_text()


@fuzz(200)
@given(st.text(max_size=60))
def test_parse_chunk_any_text(data):
    parse(data)


HOSTILE_JSON = [
    "1" * 5000,  # an integer past Python's digit limit (ValueError, not JSONDecodeError)
    '{"usage":{"prompt_tokens":' + "9" * 5000 + "}}",
    "[" * 100_000,  # nesting past the recursion limit (RecursionError)
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"choices":[{"delta":{"content":"a\\ud800b\\udfff"}}]}',  # lone surrogates
    '{"choices":[{"delta":{"tool_calls":[{"id":"\\udc00","function":{"name":"\\ud801",'
    '"arguments":"\\ud802"}}]}}]}',
    '{"choices":[{"delta":{"content":"ok"},"finish_reason":"\\ud800"}]}',
    '{"usage":{"cost":NaN,"prompt_tokens":Infinity},"timings":{"predicted_ms":-Infinity}}',
    '{"choices":[{"delta":{"tool_calls":[{"id":{"x":1},"index":true,"function":{"name":[1]}}]}}]}',
]


def test_parse_chunk_hostile_json():
    for data in HOSTILE_JSON:
        parse(data)
    (text,) = parse(HOSTILE_JSON[4])
    assert text == TextDelta("a\ufffdb\ufffd")


# --- errors ------------------------------------------------------------------------------

ERROR_BODIES = (
    st.binary(max_size=80)
    | JSON_VALUES.map(lambda v: json.dumps(v).encode())
    | CHUNK.map(lambda v: json.dumps(v).encode())
    | st.sampled_from([s.encode() for s in HOSTILE_JSON])
)


@fuzz(100)
@given(
    st.integers(100, 599),
    ERROR_BODIES,
    st.none() | st.text(max_size=30) | st.sampled_from(["3", "-1", "1e400", "nan", "inf"]),
)
def test_error_from_http_any_body(status, body, retry_after):
    headers = {} if retry_after is None else {"retry-after": retry_after}
    err = error_from_http(status, body, headers, "Test")
    assert isinstance(err, ChatError) and isinstance(err.kind, ErrorKind)
    assert err.message and isinstance(err.user_text(), str)
    assert err.retry_after is None or (err.retry_after >= 0 and not math.isnan(err.retry_after))
    assert len(err.detail) <= 1000
    json.dumps(err.code)


@fuzz(80)
@given(st.builds(lambda chunk, error: {**chunk, "error": error}, CHUNK, mostly(ERROR, ODD)))
def test_error_from_stream_chunk_any_payload(payload):
    err = error_from_stream_chunk(payload, "Test")
    assert isinstance(err, ChatError) and err.message and err.user_text()


# --- the client over arbitrary bytes -----------------------------------------------------

CLIENT_STREAMS = st.lists(
    st.sampled_from(
        [
            b'data: {"choices":[{"delta":{"content":"hi "}}]}\n\n',
            b'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n',
            b'data: {"error":{"code":"1302","message":"busy"}}\n\n',
            b'data: {"choices":[{"delta":{"content":""},"finish_reason":"error"}],'
            b'"error":{"code":502}}\n\n',
            b"data: [DONE]\n\n",
            b"data: {not json\n\n",
            b"data: " + b"1" * 5000 + b"\n\n",
            b"data: " + b"[" * 5000 + b"\n\n",
            b": keep-alive\n\n",
            b"\xff\xfe\r\n",
        ]
    )
    | st.binary(max_size=30),
    max_size=8,
).map(b"".join)


async def _no_sleep(_delay: float) -> None:
    return None


def run_client(status: int, ctype: str, chunks: list[bytes]) -> list:
    async def body():
        for chunk in chunks:
            yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"content-type": ctype}, content=body())

    async def main() -> list:
        provider = get_provider("openrouter")
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = ChatClient(
                provider, http, "key", retry=RetryPolicy(attempts=2), sleep=_no_sleep
            )
            events = []
            try:
                async for event in client.stream([Message(Role.USER, "hi")]):
                    events.append(event)
            except ChatError as err:
                assert isinstance(err.kind, ErrorKind) and err.user_text()
                events.append(err)
            return events

    return asyncio.run(main())


@fuzz(120)
@given(
    st.sampled_from([200, 200, 200, 400, 429, 500, 503]),
    st.sampled_from(["text/event-stream", "application/json", "text/plain", ""]),
    CLIENT_STREAMS,
    st.lists(st.integers(0, 6000), max_size=6),
)
def test_client_raises_only_chat_errors(status, ctype, raw, cuts):
    """Whatever bytes come back, the caller sees stream events and at most one ChatError
    at the end: never another exception, never an event after the error."""
    bounds = [0, *sorted({c for c in cuts if c <= len(raw)}), len(raw)]
    chunks = [raw[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    events = run_client(status, ctype, chunks)
    errors = [i for i, e in enumerate(events) if isinstance(e, ChatError)]
    assert errors in ([], [len(events) - 1])
    check_events([e for e in events if not isinstance(e, ChatError | Retrying)])


# --- Markdown ----------------------------------------------------------------------------

MD_TOKENS = st.sampled_from(
    [
        "\n",
        "\n",
        "\n\n",
        " ",
        "  ",
        "    ",
        "\t",
        "#",
        "# ",
        "=",
        "===",
        "-",
        "- ",
        "---",
        "*",
        "**",
        "_",
        "+ ",
        "1. ",
        "2) ",
        ">",
        "> ",
        "`",
        "```",
        "```py",
        "~~~",
        "~~",
        "|",
        "| a |",
        "|---|",
        "[",
        "]",
        "](",
        "(",
        ")",
        "![",
        "<",
        ">",
        "<div>",
        "&amp;",
        "&#",
        "\\",
        "http://x.y",
        "javascript:",
        "[r]: https://e.com",
        "word",
        "中文",
        "🌍",
    ]
)
MD_TEXT = st.lists(MD_TOKENS | st.text(max_size=4), max_size=60).map("".join)


def key(blocks: list[Block]) -> list:
    return [(b.html, b.code, b.fences) for b in blocks]


def streamed(text: str, cuts: list[int]) -> tuple[list[Block], list[Block]]:
    """(frozen blocks, finished rest) of `text` fed in pieces cut at `cuts`, as the view
    does: update after each piece, finish at the end."""
    stream, frozen, prev = MarkdownStream(), [], 0
    for cut in [*sorted(cuts), len(text)]:
        stream.feed(text[prev:cut])
        prev = cut
        new, _tail = stream.update()
        frozen += new
    return frozen, stream.finish()


def check_markdown(text: str, cuts: list[int]) -> None:
    """What MarkdownStream promises: fed in any pieces, the frozen blocks and the finished
    rest render as the whole text does; the blocks' sources cover the text; no active link."""
    whole = render_blocks(text)
    frozen, rest = streamed(text, [c for c in cuts if c <= len(text)])
    assert key(frozen + rest) == key(whole)
    assert "".join(b.source for b in whole) == text or not (whole or text.strip())
    assert text.startswith("".join(b.source for b in frozen))
    for block in whole:
        assert "<script" not in block.html and 'href="javascript' not in block.html.lower()


@fuzz(250)
@given(MD_TEXT, st.lists(st.integers(0, 400), max_size=12))
def test_markdown_fed_in_pieces_renders_as_fed_whole(text, cuts):
    check_markdown(text, cuts)


@pytest.mark.parametrize("text", ["a\r\rb\n", "para\r\rnext\n\nthird\n", "# h\rtext\n\nz", "\r#"])
def test_markdown_with_a_bare_cr_renders_as_fed_whole(text):
    check_markdown(text, [])
