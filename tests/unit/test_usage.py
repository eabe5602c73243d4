"""Usage and cost arithmetic: the provider's cost field, the price list, free listings, our
own estimate, unknown prices, Z.AI's web search, and totals per month and provider."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.conversation import ChatMessage, Conversation
from app.core.protocol import Role, Source, Usage
from app.core.usage import (
    Cost,
    UsageRow,
    answer_cost,
    conversation_cost,
    format_cost,
    month_start,
    months,
)


def test_openrouters_own_cost_is_taken_as_it_is():
    cost = answer_cost(
        {"prompt_tokens": 1000, "completion_tokens": 500, "cost_usd": 0.00042},
        "openrouter",
        "z-ai/glm-4-32b",
    )
    assert cost == Cost(1000, 500, 0.00042, False)
    assert format_cost(cost) == "1,000 in · 500 out · $0.00042"


@pytest.mark.parametrize("provider", ["zai", "openrouter", "bigmodel"])
def test_the_price_list_when_no_cost_is_reported(provider):
    cost = answer_cost({"prompt_tokens": 2_000_000, "completion_tokens": 1_000_000}, provider, "m")
    assert cost.usd == pytest.approx(0.30) and cost.estimated  # $0.10 per million in and out
    assert format_cost(cost) == "2,000,000 in · 1,000,000 out · ≈$0.30"


@pytest.mark.parametrize(
    ("provider", "model"), [("local", "glm4.gguf"), ("openrouter-free", "thudm/glm-4-32b:free")]
)
def test_local_and_free_listings_cost_nothing(provider, model):
    cost = answer_cost(
        {"prompt_tokens": 10, "completion_tokens": 5, "cost_usd": 9.9}, provider, model
    )
    assert cost.usd == 0.0 and not cost.estimated


def test_our_own_count_is_marked_estimated_and_an_unknown_price_is_unknown():
    ours = answer_cost(
        {"prompt_tokens": 100, "completion_tokens": 50, "estimated": True},
        "openrouter",
        "z-ai/glm-4-32b",
    )
    assert ours.estimated and ours.usd == pytest.approx(15e-6)
    custom = answer_cost({"prompt_tokens": 100, "completion_tokens": 50}, "custom", "x")
    assert custom.usd is None and format_cost(custom) == "100 in · 50 out"
    assert (custom + ours).usd == pytest.approx(15e-6)  # the known part is still told
    assert answer_cost(None, "zai", "m") == Cost()


def test_zai_web_search_adds_its_price():
    plain = answer_cost({"prompt_tokens": 0, "completion_tokens": 0}, "zai", "m")
    searched = answer_cost({"prompt_tokens": 0, "completion_tokens": 0}, "zai", "m", True)
    assert searched.usd - plain.usd == pytest.approx(0.01) and searched.estimated


def test_a_conversation_counts_every_version_of_every_answer():
    conv = Conversation()
    conv.add(ChatMessage(Role.USER, "q"))
    first = ChatMessage(
        Role.ASSISTANT,
        "a",
        provider_id="zai",
        model="m",
        usage=Usage(prompt_tokens=10, completion_tokens=20),
    )
    conv.add(first)
    conv.truncate(1)  # regenerated: the first version stays in the tree
    conv.add(
        ChatMessage(
            Role.ASSISTANT,
            "b",
            provider_id="openrouter",
            model="z",
            usage=Usage(prompt_tokens=10, completion_tokens=5, cost_usd=0.5),
        )
    )
    conv.nodes[first.id].sources = [Source("t", "https://e.com")]
    total = conversation_cost(conv)
    assert (total.tokens_in, total.tokens_out) == (20, 25)
    assert total.usd == pytest.approx(0.5 + 3e-6 + 0.01)


def test_months_group_by_day_and_provider_in_local_time():
    def at(y, m, d, h=12):
        return dt.datetime(y, m, d, h).timestamp()

    rows = [
        UsageRow(
            at(2026, 11, 30), "zai", "m", {"prompt_tokens": 1_000_000, "completion_tokens": 0}
        ),
        UsageRow(
            at(2026, 12, 1, 0),
            "openrouter",
            "z",
            {"prompt_tokens": 5, "completion_tokens": 5, "cost_usd": 0.25},
        ),
        UsageRow(
            at(2026, 12, 1, 23),
            "openrouter",
            "z",
            {"prompt_tokens": 5, "completion_tokens": 5, "cost_usd": 0.25},
        ),
        UsageRow(at(2026, 12, 2), "local", "g", {"prompt_tokens": 7, "completion_tokens": 3}),
    ]
    by_month = months(rows)
    assert sorted(by_month) == ["2026-11", "2026-12"]
    dec = by_month["2026-12"]
    assert dec.total.usd == pytest.approx(0.5) and dec.total.tokens_in == 17
    assert dec.days[1]["openrouter"].usd == pytest.approx(0.5)
    assert dec.providers["local"] == Cost(7, 3, 0.0, False)
    assert by_month["2026-11"].total.usd == pytest.approx(0.10)
    assert month_start(at(2026, 12, 15)) == dt.datetime(2026, 12, 1).timestamp()
