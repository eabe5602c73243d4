"""What an answer cost, and totals from the history.

Tokens come from the provider's usage; the cost is OpenRouter's `usage.cost` when it sends
one, else the provider's price per million tokens ($0.10 in and out for both cloud
listings), else unknown (a custom server). The local model and OpenRouter's `:free` listing
are free. A cost not reported by the provider is marked estimated ("≈"), and so is one whose
tokens we counted ourselves (no usage arrived: an answer stopped or cut off). Z.AI's web
search is $0.01 a search: added, estimated, to an answer that came with Z.AI sources.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.conversation import ChatMessage, Conversation
from app.core.i18n import QT_TRANSLATE_NOOP, Text
from app.core.providers import PROVIDERS, Provider

ZAI_SEARCH_USD = 0.01


@dataclass(frozen=True)
class Cost:
    tokens_in: int = 0
    tokens_out: int = 0
    usd: float | None = 0.0  # None: unknown (no price for this server)
    estimated: bool = False

    def __add__(self, other: Cost) -> Cost:
        """Summed; an unknown cost adds nothing (the known part is still told)."""
        known = [c.usd for c in (self, other) if c.usd is not None]
        return Cost(
            self.tokens_in + other.tokens_in,
            self.tokens_out + other.tokens_out,
            sum(known) if known else None,
            self.estimated or other.estimated,
        )


def _provider(provider_id: str) -> Provider | None:
    return PROVIDERS.get(provider_id)


def is_free(provider_id: str, model: str) -> bool:
    """The local model, and OpenRouter's `:free` listing."""
    return provider_id == "local" or model.endswith(":free")


def answer_cost(
    usage: Mapping[str, Any] | None, provider_id: str, model: str, zai_sources: bool = False
) -> Cost:
    """The cost of one answer from its stored fields (usage as saved: a dict)."""
    if not usage:
        return Cost()
    tokens_in = int(usage.get("prompt_tokens") or 0)
    tokens_out = int(usage.get("completion_tokens") or 0)
    estimated = bool(usage.get("estimated"))
    if is_free(provider_id, model):
        return Cost(tokens_in, tokens_out, 0.0, estimated)
    reported = usage.get("cost_usd")
    if isinstance(reported, int | float):
        return Cost(tokens_in, tokens_out, float(reported), estimated)
    provider = _provider(provider_id)
    if provider is None or provider.price_in is None or provider.price_out is None:
        return Cost(tokens_in, tokens_out, None, estimated)
    usd = (tokens_in * provider.price_in + tokens_out * provider.price_out) / 1_000_000
    if zai_sources:
        usd += ZAI_SEARCH_USD
    return Cost(tokens_in, tokens_out, usd, True)


def format_cost(cost: Cost) -> Text:
    """ "1,234 in · 56 out · ≈$0.00013" (no price: tokens only); translatable."""
    tokens = {"tokens_in": f"{cost.tokens_in:,}", "tokens_out": f"{cost.tokens_out:,}"}
    if cost.usd is None:
        return QT_TRANSLATE_NOOP("Usage", "{tokens_in} in · {tokens_out} out").format(**tokens)
    if cost.usd == 0:
        return QT_TRANSLATE_NOOP("Usage", "{tokens_in} in · {tokens_out} out · free").format(
            **tokens
        )
    mark = "≈" if cost.estimated else ""
    usd = f"{mark}${cost.usd:.5f}" if cost.usd < 0.01 else f"{mark}${cost.usd:.2f}"
    return QT_TRANSLATE_NOOP("Usage", "{tokens_in} in · {tokens_out} out · {usd}").format(
        **tokens, usd=usd
    )


@dataclass(frozen=True)
class UsageRow:
    """One answer's usage as the history has it."""

    created: float
    provider_id: str
    model: str
    usage: Mapping[str, Any]
    zai_sources: bool = False

    @property
    def cost(self) -> Cost:
        return answer_cost(self.usage, self.provider_id, self.model, self.zai_sources)


@dataclass
class Month:
    """A month's usage: per day and provider, and in all."""

    year: int
    month: int
    days: dict[int, dict[str, Cost]] = field(default_factory=lambda: defaultdict(dict))
    providers: dict[str, Cost] = field(default_factory=dict)
    total: Cost = field(default_factory=Cost)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def add(self, day: int, provider_id: str, cost: Cost) -> None:
        per_day = self.days[day]
        per_day[provider_id] = per_day.get(provider_id, Cost()) + cost
        self.providers[provider_id] = self.providers.get(provider_id, Cost()) + cost
        self.total = self.total + cost


def months(rows: Iterable[UsageRow]) -> dict[str, Month]:
    """Usage by month ("2026-12"), in local time."""
    out: dict[str, Month] = {}
    for row in rows:
        when = _dt.datetime.fromtimestamp(row.created)
        key = f"{when.year:04d}-{when.month:02d}"
        month = out.get(key) or out.setdefault(key, Month(when.year, when.month))
        month.add(when.day, row.provider_id, row.cost)
    return out


def month_start(now: float | None = None) -> float:
    """The first moment of this month (local time), as a Unix time."""
    today = _dt.datetime.fromtimestamp(now) if now is not None else _dt.datetime.now()
    return today.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()


def message_cost(message: ChatMessage) -> Cost:
    zai = bool(message.sources) and message.provider_id in ("zai", "bigmodel")
    usage = dataclasses.asdict(message.usage) if message.usage else None
    return answer_cost(usage, message.provider_id, message.model, zai)


def conversation_cost(conv: Conversation) -> Cost:
    """Every answer of the conversation, every version (each was paid for)."""
    total = Cost()
    for message in conv.nodes.values():
        if message.usage is not None:
            total = total + message_cost(message)
    return total
