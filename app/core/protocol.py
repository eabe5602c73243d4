"""Chat messages, stream events and the OpenAI-style chunk parser.

Every backend we speak (Z.AI, OpenRouter, llama-server, other OpenAI-compatible servers)
streams `chat.completion.chunk`-shaped JSON objects; they differ in quirks that
`parse_chunk` absorbs (ARCHITECTURE.md, "Wire formats"): no `object` field, usage in the finish
chunk or in a separate empty-choices chunk, tool calls whole or in fragments, `timings`
from llama-server, and error objects inside a 200 stream.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"
    # GLM-4's own role for a tool's result: only sent, to a llama-server whose template
    # (GLM-4-0414's stock one) drops "tool" messages; never stored.
    OBSERVATION = "observation"


@dataclass
class ToolCall:
    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass
class Message:
    role: Role
    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": str(self.role), "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [tc.to_wire() for tc in self.tool_calls]
            if not self.content:
                out["content"] = None  # a call alone, in OpenAI's form
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        return out


# --- stream events -------------------------------------------------------------------


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A tool call, whole or a fragment; fragments are keyed by `index`."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cost_usd: float | None = None
    cached_tokens: int | None = None
    estimated: bool = False  # counted by us (the provider sent none: a stop, an error)


@dataclass(frozen=True)
class Timings:
    """llama-server's own measurements of a request."""

    prompt_n: int | None = None
    prompt_ms: float | None = None
    predicted_n: int | None = None
    predicted_ms: float | None = None
    predicted_per_second: float | None = None


@dataclass(frozen=True)
class Finish:
    reason: str


@dataclass(frozen=True)
class ErrorChunk:
    """An error object that arrived inside a stream (status 200)."""

    payload: dict[str, Any]


@dataclass(frozen=True)
class Source:
    """A web page a search found for the answer: Z.AI's `web_search` results, OpenRouter's
    `url_citation` annotations."""

    title: str
    link: str
    site: str = ""  # the site's name or host
    date: str = ""  # as the provider gives it (Z.AI: "2025-04-14")

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "link": self.link, "site": self.site, "date": self.date}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source | None:
        link = _text(d.get("link")) or ""
        if not _web_link(link):
            return None
        return cls(
            title=(_text(d.get("title")) or link)[:500],
            link=link,
            site=(_text(d.get("site")) or "")[:200],
            date=(_text(d.get("date")) or "")[:40],
        )


@dataclass(frozen=True)
class Sources:
    """Sources that arrived in the stream (in any chunk)."""

    items: tuple[Source, ...]


StreamEvent = TextDelta | ToolCallDelta | Usage | Timings | Finish | ErrorChunk | Sources


class MalformedChunk(ValueError):
    """A `data:` payload that is not a JSON object."""


# A JSON escape of a UTF-16 surrogate: the only way a lone surrogate, which neither Qt nor
# SQLite accepts, gets into text (the SSE bytes themselves are decoded with replacement).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(obj: dict[str, Any]) -> dict[str, Any]:
    """Every string value in `obj` (nested too) with each lone surrogate replaced by U+FFFD;
    `json.loads` has already joined the valid pairs. Iterative: the nesting depth is the
    server's choice."""
    stack: list[dict[str, Any] | list[Any]] = [obj]

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _LONE_SURROGATE.sub("\ufffd", value)
        if isinstance(value, dict | list):
            stack.append(value)
        return value

    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                node[key] = clean(value)
        else:
            node[:] = [clean(value) for value in node]
    return obj


def _text(value: Any) -> str | None:
    """A non-empty string, else None (ids and names of any other type are dropped)."""
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def parse_usage(raw: dict[str, Any]) -> Usage:
    details = raw.get("prompt_tokens_details")
    cached = _int(details.get("cached_tokens")) if isinstance(details, dict) else None
    return Usage(
        prompt_tokens=_int(raw.get("prompt_tokens")),
        completion_tokens=_int(raw.get("completion_tokens")),
        total_tokens=_int(raw.get("total_tokens")),
        cost_usd=_num(raw.get("cost")),
        cached_tokens=cached,
    )


def parse_timings(raw: dict[str, Any]) -> Timings:
    return Timings(
        prompt_n=_int(raw.get("prompt_n")),
        prompt_ms=_num(raw.get("prompt_ms")),
        predicted_n=_int(raw.get("predicted_n")),
        predicted_ms=_num(raw.get("predicted_ms")),
        predicted_per_second=_num(raw.get("predicted_per_second")),
    )


def _tool_call_delta(raw: dict[str, Any], position: int) -> ToolCallDelta:
    function = raw.get("function") if isinstance(raw.get("function"), dict) else {}
    arguments = function.get("arguments", "")
    if arguments is None:
        arguments = ""
    elif not isinstance(arguments, str):
        # Some servers send the arguments as an object instead of a JSON string.
        arguments = json.dumps(arguments, ensure_ascii=False)
    index = _int(raw.get("index"))
    return ToolCallDelta(
        index=position if index is None else index,
        id=_text(raw.get("id")),
        name=_text(function.get("name")),
        arguments=arguments,
    )


def parse_chunk(data: str) -> list[StreamEvent]:
    """Turn one SSE `data:` payload (not `[DONE]`) into stream events, in order."""
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        # ValueError: not JSON (JSONDecodeError), or an integer past Python's 4300-digit
        # limit; RecursionError: nested deeper than the interpreter's stack.
        raise MalformedChunk(f"not JSON: {data[:120]!r}") from exc
    if not isinstance(obj, dict):
        raise MalformedChunk(f"not a JSON object: {data[:120]!r}")
    if _SURROGATE_ESCAPE.search(data):
        obj = _without_lone_surrogates(obj)

    events: list[StreamEvent] = []
    choices = obj.get("choices")
    finish: str | None = None
    if isinstance(choices, list):
        for choice in choices:
            if not isinstance(choice, dict):
                continue
            delta = choice.get("delta") or choice.get("message") or {}
            if isinstance(delta, dict):
                content = delta.get("content")
                if isinstance(content, str) and content:
                    events.append(TextDelta(content))
                tool_calls = delta.get("tool_calls")
                if isinstance(tool_calls, list):
                    events.extend(
                        _tool_call_delta(tc, i)
                        for i, tc in enumerate(tool_calls)
                        if isinstance(tc, dict)
                    )
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason:
                finish = reason
    found = _zai_sources(obj.get("web_search"))
    if isinstance(choices, list):
        for choice in choices:
            if isinstance(choice, dict):
                for part in (choice.get("delta"), choice.get("message")):
                    if isinstance(part, dict):
                        found += _citations(part.get("annotations"))
    if found:
        events.append(Sources(tuple(found)))
    usage = obj.get("usage")
    if isinstance(usage, dict):
        events.append(parse_usage(usage))
    timings = obj.get("timings")
    if isinstance(timings, dict):
        events.append(parse_timings(timings))
    error = obj.get("error")
    if error is not None:
        events.append(ErrorChunk(obj))
    if finish is not None:
        events.append(Finish(finish))
    return events


def _web_link(link: str) -> bool:
    """Only http(s) links are offered to open (a page could send javascript: or file:)."""
    return urlsplit(link).scheme in ("http", "https") and bool(urlsplit(link).netloc)


def _zai_sources(results: Any) -> list[Source]:
    """Z.AI's top-level `web_search`: [{title, link, media, publish_date, content, …}]."""
    if not isinstance(results, list):
        return []
    found = []
    for r in results:
        if isinstance(r, dict):
            source = Source.from_dict(
                {
                    "title": r.get("title"),
                    "link": r.get("link"),
                    "site": r.get("media") or urlsplit(str(r.get("link") or "")).hostname,
                    "date": r.get("publish_date"),
                }
            )
            if source is not None:
                found.append(source)
    return found


def _citations(annotations: Any) -> list[Source]:
    """OpenRouter's `annotations`: {type: "url_citation", url_citation: {url, title}} (or
    the same fields flat on the annotation)."""
    if not isinstance(annotations, list):
        return []
    found = []
    for a in annotations:
        if not isinstance(a, dict) or a.get("type") != "url_citation":
            continue
        inner = a.get("url_citation")
        fields = inner if isinstance(inner, dict) else a
        link = fields.get("url")
        source = Source.from_dict(
            {"title": fields.get("title"), "link": link, "site": urlsplit(str(link)).hostname}
        )
        if source is not None:
            found.append(source)
    return found


@dataclass
class ToolCallAccumulator:
    """Assembles tool calls from whole calls or OpenAI-style fragments keyed by index."""

    calls: dict[int, ToolCall] = field(default_factory=dict)

    def add(self, delta: ToolCallDelta) -> None:
        call = self.calls.setdefault(delta.index, ToolCall(index=delta.index))
        if delta.id:
            call.id = delta.id
        if delta.name:
            call.name = delta.name
        call.arguments += delta.arguments

    def result(self) -> list[ToolCall]:
        return [self.calls[i] for i in sorted(self.calls)]
