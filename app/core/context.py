"""Fitting a conversation into a model's context window, oldest turns first to go.

Token counts are estimated without the model's tokenizer: a CJK character is about one token,
other text about three characters a token (GLM-4's tokenizer does better on English, so the
estimate errs on the safe side). When the server still refuses (llama.cpp's
exceed_context_size_error), a retry with a smaller share of the window trims more.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from app.core.protocol import Message, Role

if TYPE_CHECKING:  # httpx loads with the first request, not at start-up
    import httpx

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
PER_MESSAGE = 4  # role markers and separators of the chat template


def estimate_tokens(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 3) + PER_MESSAGE


def message_tokens(message: Message) -> int:
    """A message's estimate, its tool calls' names and arguments included."""
    calls = "".join(c.name + c.arguments for c in message.tool_calls)
    return estimate_tokens(message.content + calls)


def answer_reserve(n_ctx: int, max_output: int) -> int:
    """Tokens kept free for the answer: an eighth of the window, within the output limit."""
    return max(64, min(max_output, n_ctx // 8))


def fit_to_context(
    messages: list[Message], n_ctx: int, reserve: int, limit: int | None = None
) -> tuple[list[Message], int]:
    """The messages that fit n_ctx - reserve tokens (and `limit`, when the model refused
    what was sent before), and how many were left out. A system prompt and the last message
    always stay; earlier messages go oldest first, and an answer never stays without its
    question, and a tool result never without its call."""
    if n_ctx <= 0 or not messages:
        return messages, 0
    budget = max(0, n_ctx - reserve)
    if limit is not None:
        budget = min(budget, limit)
    system = [m for m in messages[:1] if m.role == Role.SYSTEM]
    rest = messages[len(system) :]
    used = sum(message_tokens(m) for m in system)
    kept: list[Message] = []
    for message in reversed(rest):
        cost = message_tokens(message)
        if kept and used + cost > budget:
            break
        kept.append(message)
        used += cost
    kept.reverse()
    if len(kept) < len(rest):  # something was left out: no answer without its question
        while len(kept) > 1 and kept[0].role in (Role.ASSISTANT, Role.TOOL):
            kept.pop(0)
    return system + kept, len(rest) - len(kept)


def prompt_tokens(messages: list[Message]) -> int:
    return sum(message_tokens(m) for m in messages)


async def count_on_server(
    client: httpx.AsyncClient, base_url: str, headers: dict[str, str], messages: list[Message]
) -> int:
    """The exact prompt size on a llama-server: its own chat template applied
    (`POST /apply-template`), then tokenized (`POST /tokenize`). Raises httpx errors and
    ValueError for an answer of another shape (another server)."""
    root = base_url.rstrip("/").removesuffix("/v1")
    wire = [m.to_wire() for m in messages]
    applied = await client.post(f"{root}/apply-template", json={"messages": wire}, headers=headers)
    applied.raise_for_status()
    prompt = applied.json().get("prompt")
    if not isinstance(prompt, str):
        raise ValueError("no prompt in /apply-template's answer")
    counted = await client.post(f"{root}/tokenize", json={"content": prompt}, headers=headers)
    counted.raise_for_status()
    tokens = counted.json().get("tokens")
    if not isinstance(tokens, list):
        raise ValueError("no tokens in /tokenize's answer")
    return len(tokens)
