"""Compare: the same question to two providers or models at once, each streamed on its own.

A side is named on the command line (and kept in the window) as `PROVIDER[:MODEL][@TEMP]`:
`zai`, `local`, `openrouter:z-ai/glm-4-32b`, `local@0.2`. `stream_side` streams one side's
answer into its `ChatMessage` and measures it (time to first token, tokens per second, tokens,
cost); an error or a stop on one side is that side's alone. `answer_diff` is the diff of the
two answers and of their code blocks, once both have ended.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.errors import ChatError
from app.core.protocol import Role, TextDelta, Usage
from app.core.providers import PROVIDERS, GenerationParams, Provider


class BadSide(ValueError):
    """A side that names no provider, or a temperature that is not one."""


@dataclass(frozen=True)
class SideSpec:
    provider_id: str
    model: str = ""
    temperature: float | None = None

    @classmethod
    def parse(cls, text: str) -> SideSpec:
        text = text.strip()
        temperature: float | None = None
        if "@" in text:
            text, _, temp = text.rpartition("@")
            try:
                temperature = float(temp)
            except ValueError as exc:
                raise BadSide(f"{temp!r} is not a temperature") from exc
            if not 0.0 <= temperature <= 2.0:
                raise BadSide(f"a temperature is between 0 and 2, not {temperature:g}")
        provider_id, _, model = text.partition(":")
        if provider_id not in PROVIDERS:
            names = ", ".join(sorted(PROVIDERS))
            raise BadSide(f"no provider {provider_id!r} (there are: {names})")
        return cls(provider_id, model, temperature)

    def label(self, provider: Provider) -> str:
        text = f"{provider.name} · {provider.model}"
        return text + (f" · T={self.temperature:g}" if self.temperature is not None else "")

    def params(self, base: GenerationParams) -> GenerationParams:
        if self.temperature is None:
            return base
        return dataclasses.replace(base, temperature=self.temperature)


@dataclass
class SideResult:
    """One side's measurements (filled as it streams)."""

    first_token_s: float | None = None  # from the request to the first text
    seconds: float = 0.0  # from the request to the end
    tokens: int = 0
    estimated: bool = False  # the provider sent no usage: counted by us
    cost_usd: float | None = None
    error: ChatError | None = None
    chunks: list[str] = field(default_factory=list)

    @property
    def tokens_per_s(self) -> float | None:
        if self.first_token_s is None or self.tokens <= 1:
            return None
        streaming = self.seconds - self.first_token_s
        return (self.tokens - 1) / streaming if streaming > 0 else None


async def stream_side(
    stream: Callable[[], object],
    answer: ChatMessage,
    result: SideResult,
    on_text: Callable[[str], None] | None = None,
) -> None:
    """Stream one side into `answer` (its state at the end: done, error or stopped). A
    cancellation (Stop) keeps what arrived and is re-raised."""
    from app.core.context import estimate_tokens
    from app.core.usage import answer_cost

    started = time.monotonic()
    try:
        async with aclosing(stream()) as events:  # type: ignore[type-var]
            async for event in events:
                if isinstance(event, TextDelta):
                    if result.first_token_s is None:
                        result.first_token_s = time.monotonic() - started
                    result.chunks.append(event.text)
                    answer.content += event.text
                    if on_text is not None:
                        on_text(event.text)
                elif isinstance(event, Usage):
                    answer.usage = event
        answer.state = AnswerState.DONE
    except asyncio.CancelledError:
        answer.state = AnswerState.STOPPED
        raise
    except ChatError as err:
        result.error, answer.error, answer.state = err, err, AnswerState.ERROR
    finally:
        result.seconds = time.monotonic() - started
        usage = answer.usage
        if usage is not None and usage.completion_tokens:
            result.tokens = usage.completion_tokens
        elif answer.content:
            result.tokens, result.estimated = estimate_tokens(answer.content), True
            answer.usage = Usage(completion_tokens=result.tokens, estimated=True)
        usage_dict = dataclasses.asdict(answer.usage) if answer.usage else None
        result.cost_usd = answer_cost(usage_dict, answer.provider_id, answer.model).usd


def add_answers(conv: Conversation, providers: list[Provider]) -> list[ChatMessage]:
    """One streaming answer per side to the conversation's last question: versions of one
    answer (the last one shown), so both stay and either can be kept."""
    answers = []
    for n, provider in enumerate(providers):
        if n:
            conv.truncate(len(conv.messages) - 1)
        answer = ChatMessage(
            Role.ASSISTANT,
            state=AnswerState.STREAMING,
            provider_id=provider.id,
            model=provider.model,
        )
        conv.add(answer)
        answers.append(answer)
    return answers


def answer_diff(a: ChatMessage, b: ChatMessage, a_name: str = "A", b_name: str = "B") -> str:
    """The two answers' difference: their code blocks first (block by block), then the text."""
    from app.core.snippets import message_snippets, unified_diff

    parts: list[str] = []
    code_a, code_b = message_snippets(a), message_snippets(b)
    for n in range(max(len(code_a), len(code_b))):
        old = code_a[n].code if n < len(code_a) else ""
        new = code_b[n].code if n < len(code_b) else ""
        diff = unified_diff(
            old, new, f"{a_name}: code block {n + 1}", f"{b_name}: code block {n + 1}"
        )
        if diff:
            parts.append(diff)
    text = unified_diff(a.content, b.content, f"{a_name}: answer", f"{b_name}: answer")
    if text:
        parts.append(text)
    return "\n\n".join(parts)
