"""Typed chat errors: what happened, what the user should do, and whether to retry.

Each backend reports failures its own way (ARCHITECTURE.md, "Wire formats"): Z.AI with
string business codes, OpenRouter with HTTP statuses and an error chunk inside a 200 stream,
llama-server with typed errors and 503 while the model loads. `error_from_http` and
`error_from_stream_chunk` map all of them to one `ChatError`.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.core.i18n import QT_TRANSLATE_NOOP, Text


class ErrorKind(StrEnum):
    AUTH = "auth"  # missing or wrong key
    CREDIT = "credit"  # out of balance / credits
    RATE_LIMIT = "rate_limit"  # too many requests: wait and retry
    QUOTA = "quota"  # daily or usage cap reached: wait for the reset
    OVERLOADED = "overloaded"  # provider busy or down: retry later
    LOADING = "loading"  # local model still loading
    CONTEXT = "context"  # conversation too long for the model
    BAD_REQUEST = "bad_request"
    MODEL = "model"  # unknown model id / endpoint not found
    FILTERED = "filtered"  # moderation / sensitive content
    SERVER = "server"  # 5xx and unknown server failures
    NETWORK = "network"  # could not connect, connection dropped
    TIMEOUT = "timeout"
    PROTOCOL = "protocol"  # malformed stream
    INTERRUPTED = "interrupted"  # stream ended without finishing
    OFFLINE = "offline"  # Offline mode: nothing leaves this machine


# What the user should do next, per kind. Messages name the provider where it helps.
# Every user-visible text here is a translatable `Text` (app/core/i18n.py).
_ACTIONS: dict[ErrorKind, Text] = {
    ErrorKind.AUTH: QT_TRANSLATE_NOOP(
        "ChatError", "Check the API key for {provider} (set it in the environment or settings)."
    ),
    ErrorKind.CREDIT: QT_TRANSLATE_NOOP(
        "ChatError", "Add credit to your {provider} account, or switch to the local model."
    ),
    ErrorKind.RATE_LIMIT: QT_TRANSLATE_NOOP("ChatError", "Wait a moment and retry."),
    ErrorKind.QUOTA: QT_TRANSLATE_NOOP(
        "ChatError", "Wait until the limit resets, or switch provider or to the local model."
    ),
    ErrorKind.OVERLOADED: QT_TRANSLATE_NOOP(
        "ChatError", "Retry in a little while, or switch provider or to the local model."
    ),
    ErrorKind.LOADING: QT_TRANSLATE_NOOP(
        "ChatError", "Wait for the model to finish loading, then retry."
    ),
    ErrorKind.CONTEXT: QT_TRANSLATE_NOOP(
        "ChatError", "Shorten the conversation (start a new tab or remove earlier messages)."
    ),
    ErrorKind.BAD_REQUEST: QT_TRANSLATE_NOOP(
        "ChatError", "Check the generation settings, then retry."
    ),
    ErrorKind.MODEL: QT_TRANSLATE_NOOP(
        "ChatError", "Check the endpoint URL and model id for {provider}."
    ),
    ErrorKind.FILTERED: QT_TRANSLATE_NOOP("ChatError", "Rephrase the request."),
    ErrorKind.SERVER: QT_TRANSLATE_NOOP("ChatError", "Retry in a little while."),
    ErrorKind.NETWORK: QT_TRANSLATE_NOOP(
        "ChatError", "Check your network connection, or switch to the local model."
    ),
    ErrorKind.TIMEOUT: QT_TRANSLATE_NOOP(
        "ChatError", "Retry; if it keeps happening, check your network or the server."
    ),
    ErrorKind.PROTOCOL: QT_TRANSLATE_NOOP(
        "ChatError", "Retry; if it keeps happening, the endpoint may not be OpenAI-compatible."
    ),
    ErrorKind.INTERRUPTED: QT_TRANSLATE_NOOP("ChatError", "Retry to get a complete answer."),
    ErrorKind.OFFLINE: QT_TRANSLATE_NOOP(
        "ChatError", "Switch to the local model, or turn Offline mode off to use {provider}."
    ),
}

_RETRYABLE = {
    ErrorKind.RATE_LIMIT,
    ErrorKind.OVERLOADED,
    ErrorKind.LOADING,
    ErrorKind.SERVER,
    ErrorKind.NETWORK,
    ErrorKind.TIMEOUT,
}


@dataclass
class ChatError(Exception):
    kind: ErrorKind
    message: str  # what happened, in words a person understands
    action: str = ""  # what to do next
    retryable: bool = False  # may the client retry automatically (before the first token)?
    retry_after: float | None = None  # seconds, when the server said so
    status: int | None = None
    code: str | None = None  # provider error code, e.g. Z.AI's "1113"
    detail: str = ""  # the server's own message, for the log and an expandable view

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def user_text(self, translate: Callable[[str], str] = str) -> str:
        """What happened and what to do, for the user. `translate` turns each part (a
        `Text` where the core made it) into the user's language; the default keeps English."""
        parts = [translate(self.message)]
        if self.retry_after and self.kind in (ErrorKind.RATE_LIMIT, ErrorKind.OVERLOADED):
            retry = QT_TRANSLATE_NOOP("ChatError", "Retry in {seconds:.0f} s.")
            parts.append(translate(retry.format(seconds=self.retry_after)))
        if self.action:
            parts.append(translate(self.action))
        return " ".join(parts)


def make_error(
    kind: ErrorKind,
    message: str,
    provider: str = QT_TRANSLATE_NOOP("ChatError", "the provider"),
    *,
    retryable: bool | None = None,
    **fields: Any,
) -> ChatError:
    return ChatError(
        kind=kind,
        message=message,
        action=_ACTIONS[kind].format(provider=provider),
        retryable=kind in _RETRYABLE if retryable is None else retryable,
        **fields,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:  # "nan", "inf" and "1e400" are no delay anyone can wait for
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        import time
        from email.utils import parsedate_to_datetime  # rare: not loaded at start-up

        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _error_object(body: Any) -> tuple[str | None, str, str | None, dict[str, Any]]:
    """(code, message, type, whole error object) from the many shapes servers use."""
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, str):
            return None, err, None, {}
        if isinstance(err, dict):
            code = err.get("code")
            message = err.get("message") or body.get("message") or ""
            etype = err.get("type")
            return (
                None if code is None else str(code),
                str(message),
                None if etype is None else str(etype),
                err,
            )
    return None, "", None, {}


def _decode_body(body: bytes | str | Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            # Not JSON, an integer past Python's 4300-digit limit, or nested too deep.
            return {"error": {"message": body.strip()[:500]}}
    return body


_ZAI_CODES: dict[str, tuple[ErrorKind, Text]] = {
    **{
        c: (ErrorKind.AUTH, QT_TRANSLATE_NOOP("ChatError", "{provider} rejected the API key."))
        for c in (
            "1000",
            "1001",
            "1002",
            "1003",
            "1004",
        )
    },
    "1113": (
        ErrorKind.CREDIT,
        QT_TRANSLATE_NOOP("ChatError", "Your {provider} account has no balance left."),
    ),
    "1302": (
        ErrorKind.RATE_LIMIT,
        QT_TRANSLATE_NOOP("ChatError", "{provider}: too many requests at once."),
    ),
    "1303": (
        ErrorKind.RATE_LIMIT,
        QT_TRANSLATE_NOOP("ChatError", "{provider}: requests are too frequent."),
    ),
    "1305": (
        ErrorKind.OVERLOADED,
        QT_TRANSLATE_NOOP("ChatError", "{provider} is overloaded right now."),
    ),
    "1312": (
        ErrorKind.OVERLOADED,
        QT_TRANSLATE_NOOP("ChatError", "The model is overloaded on {provider} right now."),
    ),
    "1304": (
        ErrorKind.QUOTA,
        QT_TRANSLATE_NOOP("ChatError", "The daily request limit on {provider} is used up."),
    ),
    "1308": (
        ErrorKind.QUOTA,
        QT_TRANSLATE_NOOP("ChatError", "A usage limit on {provider} is reached."),
    ),
    "1310": (
        ErrorKind.QUOTA,
        QT_TRANSLATE_NOOP("ChatError", "A usage limit on {provider} is reached."),
    ),
    "1210": (
        ErrorKind.BAD_REQUEST,
        QT_TRANSLATE_NOOP("ChatError", "{provider} did not accept a request parameter."),
    ),
    "1213": (
        ErrorKind.BAD_REQUEST,
        QT_TRANSLATE_NOOP("ChatError", "{provider} did not accept a request parameter."),
    ),
    "1214": (
        ErrorKind.BAD_REQUEST,
        QT_TRANSLATE_NOOP("ChatError", "{provider} did not accept a request parameter."),
    ),
    "1211": (
        ErrorKind.MODEL,
        QT_TRANSLATE_NOOP("ChatError", "{provider} does not know this model."),
    ),
    "1261": (
        ErrorKind.CONTEXT,
        QT_TRANSLATE_NOOP("ChatError", "The conversation is too long for the model."),
    ),
    "1301": (
        ErrorKind.FILTERED,
        QT_TRANSLATE_NOOP("ChatError", "{provider} refused the content as unsafe."),
    ),
}

_CONTEXT_HINTS = re.compile(
    r"context length|context size|context window|maximum context|too many tokens|"
    r"prompt is too long|exceed_context_size|reduce the length",
    re.IGNORECASE,
)


def _by_status(status: int) -> tuple[ErrorKind, Text]:
    if status == 401:
        return ErrorKind.AUTH, QT_TRANSLATE_NOOP("ChatError", "{provider} rejected the API key.")
    if status == 402:
        return ErrorKind.CREDIT, QT_TRANSLATE_NOOP(
            "ChatError", "Your {provider} account is out of credits."
        )
    if status == 403:
        return ErrorKind.FILTERED, QT_TRANSLATE_NOOP(
            "ChatError", "{provider} refused the request (moderation)."
        )
    if status == 404:
        return ErrorKind.MODEL, QT_TRANSLATE_NOOP(
            "ChatError", "{provider} has no such endpoint or model."
        )
    if status == 408:
        return ErrorKind.TIMEOUT, QT_TRANSLATE_NOOP("ChatError", "{provider} timed out.")
    if status == 413:
        return ErrorKind.CONTEXT, QT_TRANSLATE_NOOP(
            "ChatError", "The request is too large for {provider}."
        )
    if status == 429:
        return ErrorKind.RATE_LIMIT, QT_TRANSLATE_NOOP(
            "ChatError", "{provider} is rate-limiting requests."
        )
    if status in (502, 503, 504, 529):
        return ErrorKind.OVERLOADED, QT_TRANSLATE_NOOP(
            "ChatError", "{provider} is unavailable right now (HTTP {status})."
        )
    if status >= 500:
        return ErrorKind.SERVER, QT_TRANSLATE_NOOP(
            "ChatError", "{provider} had a server error (HTTP {status})."
        )
    return ErrorKind.BAD_REQUEST, QT_TRANSLATE_NOOP(
        "ChatError", "{provider} rejected the request (HTTP {status})."
    )


def classify(
    status: int | None,
    body: Any,
    provider: str,
    retry_after: float | None = None,
) -> ChatError:
    """Map an error (an HTTP status and body, or an error chunk with status None)."""
    code, server_message, etype, err = _error_object(body)
    kind: ErrorKind
    text: Text
    retryable: bool | None = None
    shown_status = status

    if code in _ZAI_CODES:
        kind, text = _ZAI_CODES[code]
    elif etype == "exceed_context_size_error" or _CONTEXT_HINTS.search(server_message):
        kind = ErrorKind.CONTEXT
        text = QT_TRANSLATE_NOOP(
            "ChatError", "The conversation is too long for the model's context window."
        )
        n_prompt, n_ctx = err.get("n_prompt_tokens"), err.get("n_ctx")
        if isinstance(n_prompt, int) and isinstance(n_ctx, int):
            text = QT_TRANSLATE_NOOP(
                "ChatError",
                "The conversation ({n_prompt:,} tokens) is larger than the model's "
                "context window ({n_ctx:,} tokens).",
            ).format(n_prompt=n_prompt, n_ctx=n_ctx)
    elif etype == "unavailable_error" or (status == 503 and "loading" in server_message.lower()):
        kind, text = (
            ErrorKind.LOADING,
            QT_TRANSLATE_NOOP("ChatError", "The local model is still loading."),
        )
    elif etype == "authentication_error":
        kind, text = (
            ErrorKind.AUTH,
            QT_TRANSLATE_NOOP("ChatError", "{provider} rejected the API key."),
        )
    elif status is not None:
        kind, text = _by_status(status)
    else:
        # An error chunk in the middle of a stream: use its code if it is an HTTP-like one.
        # (ASCII digits only: "²".isdigit() too, and int() of 5,000 digits raises.)
        http_like = code is not None and code.isascii() and code.isdigit() and len(code) <= 3
        shown_status = int(code) if http_like else None
        if shown_status and 400 <= shown_status < 600:
            kind, text = _by_status(shown_status)
        else:
            kind, text = (
                ErrorKind.SERVER,
                QT_TRANSLATE_NOOP("ChatError", "{provider} reported an error during the answer."),
            )

    if kind == ErrorKind.CREDIT:
        # 402/1113 are never retried automatically, unless the server explicitly says when.
        retryable = retry_after is not None and code != "1113"

    message = text.format(provider=provider, status=shown_status) if not text.args else text
    if server_message and server_message.lower() not in message.lower():
        detail = server_message
    else:
        detail = ""
    return make_error(
        kind,
        message,
        provider,
        retryable=retryable,
        retry_after=retry_after,
        status=status,
        code=code,
        detail=detail[:1000],
    )


def error_from_http(
    status: int, body: bytes | str | Any, headers: Any, provider: str, model: str = ""
) -> ChatError:
    retry_after = parse_retry_after(headers.get("retry-after") if headers is not None else None)
    decoded = _decode_body(body)
    if model.endswith(":free"):
        free = _free_model_error(status, decoded, headers, provider, model, retry_after)
        if free is not None:
            return free
    return classify(status, decoded, provider, retry_after)


PAID_GLM4 = "z-ai/glm-4-32b"


def _free_model_error(
    status: int,
    body: Any,
    headers: Any,
    provider: str,
    model: str,
    retry_after: float | None,
) -> ChatError | None:
    """OpenRouter's free GLM-4 (`:free`): a 429 names the limit hit (per minute or per day,
    from the message or the X-RateLimit-* headers) and when to try again; a listing that is
    gone says so and names the paid one."""
    _code, said, _etype, _err = _error_object(body)
    lowered = said.lower()
    if status in (400, 404) and (
        "no endpoints found" in lowered or "not a valid model" in lowered or "no allowed" in lowered
    ):
        message = QT_TRANSLATE_NOOP(
            "ChatError",
            "OpenRouter no longer offers {model}. The paid {paid} is the same model "
            "($0.10 per million tokens).",
        ).format(model=model, paid=PAID_GLM4)
        return make_error(
            ErrorKind.MODEL, message, provider, retryable=False, status=status, detail=said[:1000]
        )
    if status != 429:
        return None
    get = headers.get if headers is not None else (lambda _k: None)
    limit = _int_header(get("x-ratelimit-limit"))
    reset_ms = _int_header(get("x-ratelimit-reset"))
    wait = retry_after
    if wait is None and reset_ms is not None:
        wait = max(0.0, reset_ms / 1000 - time.time())
    per_day = "per-day" in lowered or "per day" in lowered or (limit is not None and limit > 20)
    when = time.strftime("%H:%M", time.localtime(time.time() + wait)) if wait is not None else ""
    if per_day:
        text = QT_TRANSLATE_NOOP(
            "ChatError",
            "The free model's daily limit ({limit} requests) is used up. Try again after "
            "{when}, or use the paid {paid}.",
        )
    else:
        text = QT_TRANSLATE_NOOP(
            "ChatError",
            "The free model's limit of {limit} requests a minute was reached. Try again at {when}.",
        )
    message = text.format(
        limit=limit if limit is not None else "?", when=when or "?", paid=PAID_GLM4
    )
    return make_error(
        ErrorKind.QUOTA if per_day else ErrorKind.RATE_LIMIT,
        message,
        provider,
        retryable=None if not per_day else False,
        retry_after=wait if not per_day else None,
        status=status,
        detail=said[:1000],
    )


def _int_header(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def error_from_stream_chunk(payload: dict[str, Any], provider: str) -> ChatError:
    return classify(None, payload, provider)


FINISH_NOTICES: dict[str, Text] = {
    "length": QT_TRANSLATE_NOOP(
        "ChatError", "The answer was cut off at the output limit (max tokens)."
    ),
    "sensitive": QT_TRANSLATE_NOOP(
        "ChatError", "The provider stopped the answer: content flagged as sensitive."
    ),
    "content_filter": QT_TRANSLATE_NOOP(
        "ChatError", "The provider stopped the answer: content filter."
    ),
    "model_context_window_exceeded": QT_TRANSLATE_NOOP(
        "ChatError", "The answer stopped: the model's context window is full."
    ),
}
