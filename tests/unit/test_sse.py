from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.sse import MAX_EVENT_BYTES, EventTooLarge, SseDecoder, SseEvent


def decode_in_pieces(raw: bytes, cuts: list[int]) -> list[SseEvent]:
    dec = SseDecoder()
    out: list[SseEvent] = []
    prev = 0
    for cut in sorted(set(cuts)):
        out += dec.feed(raw[prev:cut])
        prev = cut
    out += dec.feed(raw[prev:])
    out += dec.close()
    return out


STREAM = (
    ": OPENROUTER PROCESSING\n\n"
    'data: {"choices":[{"delta":{"content":"Hé"}}]}\n\n'
    'data: {"choices":[{"delta":{"content":"llo 世界 🌍"}}]}\r\n\r\n'
    "event: ping\ndata: a\ndata: b\n\n"
    "data: [DONE]\n\n"
).encode()
EXPECTED = [
    SseEvent('{"choices":[{"delta":{"content":"Hé"}}]}'),
    SseEvent('{"choices":[{"delta":{"content":"llo 世界 🌍"}}]}'),
    SseEvent("a\nb", event="ping"),
    SseEvent("[DONE]"),
]


def test_whole_stream():
    dec = SseDecoder()
    assert dec.feed(STREAM) + dec.close() == EXPECTED
    assert dec.comments == 1


@pytest.mark.parametrize("cut", range(len(STREAM) + 1))
def test_split_at_every_position(cut):
    assert decode_in_pieces(STREAM, [cut]) == EXPECTED


def test_byte_by_byte_keeps_multibyte_characters():
    events = decode_in_pieces(STREAM, list(range(len(STREAM))))
    assert events == EXPECTED
    assert "世界 🌍" in json.loads(events[1].data)["choices"][0]["delta"]["content"]


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_split(cuts):
    assert decode_in_pieces(STREAM, cuts) == EXPECTED


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_line_endings(eol):
    raw = eol.join([b"data: one", b"", b"data: two", b"", b""])
    assert decode_in_pieces(raw, [len(b"data: one") + 1]) == [SseEvent("one"), SseEvent("two")]


def test_crlf_split_between_chunks_is_one_line_end():
    dec = SseDecoder()
    assert dec.feed(b"data: x\r") == []
    assert dec.feed(b"\n\r") == []
    assert dec.feed(b"\n") == [SseEvent("x")]


def test_comments_and_keepalives_are_skipped():
    raw = b":\n\n: keep-alive\ndata: x\n\n:\n\n"
    dec = SseDecoder()
    assert dec.feed(raw) == [SseEvent("x")]
    assert dec.comments == 3


def test_stream_closed_without_done_or_blank_line():
    dec = SseDecoder()
    assert dec.feed(b'data: {"a": 1}\n\ndata: {"b": 2}') == [SseEvent('{"a": 1}')]
    assert dec.close() == [SseEvent('{"b": 2}')]


def test_garbage_lines_are_ignored():
    raw = b"HTTP junk\nretry: 100\nid: 7\nwhat ever: x\ndata:no-space\n\n"
    assert decode_in_pieces(raw, []) == [SseEvent("no-space", id="7")]


def test_error_chunk_passes_through_as_data():
    raw = b'data: {"error":{"code":"1234","message":"boom"}}\n\n'
    (event,) = decode_in_pieces(raw, [5])
    assert json.loads(event.data)["error"]["code"] == "1234"


def test_bom_at_start_is_dropped():
    assert decode_in_pieces(b"\xef\xbb\xbfdata: x\n\n", [1, 2]) == [SseEvent("x")]


def test_invalid_utf8_is_replaced_not_fatal():
    (event,) = decode_in_pieces(b"data: a\xffb\n\n", [])
    assert event.data == "a\ufffdb"


def test_empty_data_line_dispatches_empty_string():
    assert decode_in_pieces(b"data\n\n", []) == [SseEvent("")]


def test_a_long_line_in_small_reads_is_scanned_once():
    """A 5 MB line in 512-byte reads: each read searches only the bytes that are new (it used
    to search the whole line again: 10,000 reads, seconds of CPU on the GUI thread)."""
    import time

    line = b"data: " + b"x" * 5_000_000 + b"\r\n"
    dec = SseDecoder()
    events: list[SseEvent] = []
    start = time.perf_counter()
    for i in range(0, len(line), 512):
        events += dec.feed(line[i : i + 512])
    assert time.perf_counter() - start < 1.0
    assert dec.feed(b"\r\n") == [SseEvent("x" * 5_000_000)] and events == []


def test_a_cr_waiting_for_its_lf_is_found_again():
    dec = SseDecoder()
    assert dec.feed(b"data: a") == [] and dec.feed(b"b\r") == []
    assert dec.feed(b"\ndata: c\r") == [] and dec.feed(b"\r") == []
    assert dec.feed(b"data: d") == [SseEvent("ab\nc")]  # that CR was a blank line
    assert dec.close() == [SseEvent("d")]


def test_an_event_past_the_limit_raises_after_the_events_before_it():
    dec = SseDecoder(limit=100)
    assert dec.feed(b"data: ok\n\ndata: " + b"x" * 120) == [SseEvent("ok")]
    with pytest.raises(EventTooLarge):
        dec.feed(b"x")
    assert dec.feed(b"\n\ndata: next\n\n") == [SseEvent("next")]  # nothing of it is kept


def test_many_data_lines_count_towards_the_limit():
    dec = SseDecoder(limit=200)
    assert dec.feed(b"data: 0123456789\n" * 8) == []  # 128 bytes of data lines
    assert dec.feed(b"data: 0123456789\n" * 6) == []  # 224
    with pytest.raises(EventTooLarge):
        dec.close()
    assert SseDecoder().limit == MAX_EVENT_BYTES > 5_000_000 * 6  # the 5 MB line passes
