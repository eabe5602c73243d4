from __future__ import annotations

import pytest

from app.core.errors import ErrorKind, error_from_http, error_from_stream_chunk, parse_retry_after


@pytest.mark.parametrize(
    ("status", "body", "kind", "retryable"),
    [
        (401, {"error": {"code": "1001", "message": "bad token"}}, ErrorKind.AUTH, False),
        (429, {"error": {"code": "1113", "message": "余额不足"}}, ErrorKind.CREDIT, False),
        (429, {"error": {"code": "1302", "message": "x"}}, ErrorKind.RATE_LIMIT, True),
        (429, {"error": {"code": "1303", "message": "x"}}, ErrorKind.RATE_LIMIT, True),
        (429, {"error": {"code": "1305", "message": "x"}}, ErrorKind.OVERLOADED, True),
        (429, {"error": {"code": "1312", "message": "x"}}, ErrorKind.OVERLOADED, True),
        (429, {"error": {"code": "1304", "message": "x"}}, ErrorKind.QUOTA, False),
        (429, {"error": {"code": "1308", "message": "x"}}, ErrorKind.QUOTA, False),
        (400, {"error": {"code": "1261", "message": "x"}}, ErrorKind.CONTEXT, False),
        (400, {"error": {"code": "1211", "message": "x"}}, ErrorKind.MODEL, False),
        (400, {"error": {"code": "1301", "message": "x"}}, ErrorKind.FILTERED, False),
        (400, {"error": {"code": "1214", "message": "x"}}, ErrorKind.BAD_REQUEST, False),
        (
            401,
            {"error": {"code": 401, "message": "No auth credentials found"}},
            ErrorKind.AUTH,
            False,
        ),
        (402, {"error": {"code": 402, "message": "Insufficient credits"}}, ErrorKind.CREDIT, False),
        (
            403,
            {"error": {"code": 403, "message": "flagged", "metadata": {}}},
            ErrorKind.FILTERED,
            False,
        ),
        (408, {"error": {"code": 408, "message": "timeout"}}, ErrorKind.TIMEOUT, True),
        (
            429,
            {"error": {"code": 429, "message": "Rate limit exceeded"}},
            ErrorKind.RATE_LIMIT,
            True,
        ),
        (502, {"error": {"code": 502, "message": "down"}}, ErrorKind.OVERLOADED, True),
        (503, {"error": {"code": 503, "message": "No providers"}}, ErrorKind.OVERLOADED, True),
        (500, b"<html>oops</html>", ErrorKind.SERVER, True),
        (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "This endpoint's maximum context length is 32768 tokens",
                }
            },
            ErrorKind.CONTEXT,
            False,
        ),
        (
            503,
            {"error": {"message": "Loading model", "type": "unavailable_error", "code": 503}},
            ErrorKind.LOADING,
            True,
        ),
        (
            401,
            {"error": {"message": "Invalid API Key", "type": "authentication_error", "code": 401}},
            ErrorKind.AUTH,
            False,
        ),
        (404, {"error": {"message": "Not found"}}, ErrorKind.MODEL, False),
    ],
)
def test_http_errors(status, body, kind, retryable):
    err = error_from_http(status, body, {}, "Prov")
    assert err.kind == kind
    assert err.retryable is retryable
    assert err.action  # always a next step
    assert err.status == status


def test_zai_code_is_kept_as_string():
    err = error_from_http(429, b'{"error":{"code":"1113","message":"no money"}}', {}, "Z.AI")
    assert err.code == "1113"
    assert "Z.AI" in err.message and "credit" in err.action.lower()


def test_llama_context_overflow_names_the_sizes():
    body = {
        "error": {
            "code": 400,
            "type": "exceed_context_size_error",
            "message": "request (820 tokens) exceeds the available context size (512 tokens)",
            "n_prompt_tokens": 820,
            "n_ctx": 512,
        }
    }
    err = error_from_http(400, body, {}, "Local llama.cpp")
    assert err.kind == ErrorKind.CONTEXT
    assert "820" in err.message and "512" in err.message
    assert "shorten" in err.action.lower()


def test_retry_after_header_is_honoured_and_402_with_it_may_retry():
    err = error_from_http(429, {}, {"retry-after": "7"}, "OpenRouter")
    assert err.retry_after == 7 and err.retryable
    assert "7 s" in err.user_text()
    credit = error_from_http(402, {}, {"retry-after": "3"}, "OpenRouter")
    assert credit.retryable and credit.retry_after == 3


def test_retry_after_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "-inf"])
def test_retry_after_that_is_not_a_finite_number_is_ignored(value):
    assert parse_retry_after(value) is None
    err = error_from_http(429, {}, {"retry-after": value}, "OpenRouter")
    assert err.retry_after is None and "inf" not in err.user_text()


@pytest.mark.parametrize(
    "body", [b"1" * 5000, b"[" * 100_000, '{"error":{"code":' + "9" * 5000 + "}}"]
)
def test_error_body_json_parse_failures_are_text(body):
    err = error_from_http(500, body, {}, "OpenRouter")
    assert err.kind == ErrorKind.SERVER and len(err.detail) <= 1000


@pytest.mark.parametrize("code", ["²", "٤٠٤", "1" * 5000, "-1", "4 0 4"])
def test_stream_error_codes_that_are_not_http_statuses(code):
    # "²".isdigit() is true but int("²") raises; int() of 5,000 digits raises too.
    err = error_from_stream_chunk({"error": {"code": code, "message": "boom"}}, "L")
    assert err.kind == ErrorKind.SERVER and err.message


def test_stream_error_chunks():
    zai = error_from_stream_chunk({"error": {"code": "1301", "message": "unsafe"}}, "Z.AI")
    assert zai.kind == ErrorKind.FILTERED
    orouter = error_from_stream_chunk(
        {"error": {"code": 502, "message": "Provider returned error"}}, "OpenRouter"
    )
    assert orouter.kind == ErrorKind.OVERLOADED and orouter.status is None
    llama = error_from_stream_chunk({"error": {"message": "boom", "type": "server_error"}}, "L")
    assert llama.kind == ErrorKind.SERVER
    assert llama.detail == "boom"


def test_messages_are_words_not_codes():
    err = error_from_http(401, {"error": {"code": "1002", "message": "x"}}, {}, "Z.AI")
    assert err.user_text().startswith("Z.AI rejected the API key.")
