"""Fitting a conversation into the model's context window."""

from __future__ import annotations

from app.core.context import answer_reserve, estimate_tokens, fit_to_context
from app.core.protocol import Message, Role


def turns(n: int, size: int = 300) -> list[Message]:
    out = []
    for i in range(n):
        out.append(Message(Role.USER, f"question {i} " + "x" * size))
        out.append(Message(Role.ASSISTANT, f"answer {i} " + "y" * size))
    return out


def test_estimates_count_cjk_characters_as_tokens():
    assert estimate_tokens("") == 4
    assert estimate_tokens("abc" * 10) == 14
    assert estimate_tokens("数据库连接池") == 10


def test_everything_fits_in_a_large_window():
    msgs = turns(5)
    assert fit_to_context(msgs, 128_000, 16_384) == (msgs, 0)


def test_oldest_turns_go_first_and_the_last_question_stays():
    msgs = [Message(Role.SYSTEM, "be brief"), *turns(10), Message(Role.USER, "last")]
    kept, dropped = fit_to_context(msgs, 512, 64)
    assert kept[0].content == "be brief" and kept[-1].content == "last"
    assert dropped > 0 and len(kept) == len(msgs) - dropped
    assert kept[1].role == Role.USER  # no answer left without its question
    assert sum(estimate_tokens(m.content) for m in kept) <= 512 - 64
    smaller, more = fit_to_context(msgs, 512, 64, limit=224)
    assert more > dropped and smaller[-1].content == "last"


def test_a_last_message_too_long_for_the_window_is_still_sent():
    msgs = [*turns(2), Message(Role.USER, "z" * 5000)]
    kept, dropped = fit_to_context(msgs, 256, 64)
    assert [m.content for m in kept] == ["z" * 5000] and dropped == 4


def test_answer_reserve_stays_within_the_window_and_the_output_limit():
    assert answer_reserve(32_768, 16_384) == 4096
    assert answer_reserve(512, 16_384) == 64
    assert answer_reserve(128_000, 1000) == 1000


def test_a_history_that_starts_with_an_answer_is_kept_when_it_fits():
    msgs = [Message(Role.ASSISTANT, "hello"), Message(Role.USER, "hi")]
    assert fit_to_context(msgs, 128_000, 16_384) == (msgs, 0)
