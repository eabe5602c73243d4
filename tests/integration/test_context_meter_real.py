"""The context meter's exact count against a real llama-server (the tiny GLM-4 GGUF): the
server's own template and tokenizer give what its prompt evaluation then counts, and the
meter beside the composer shows it, exactly, against the server's real n_ctx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from app.core.context import count_on_server
from app.core.protocol import Message, Role
from app.core.providers import PROVIDERS
from tests import llama
from tests.ui.conftest import qloop, until  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.slow, pytest.mark.llama_server]

MESSAGES = [
    Message(Role.SYSTEM, "You are terse."),
    Message(Role.USER, "What is GLM-4-32B? 请用中文回答。"),
    Message(Role.ASSISTANT, "A 32-billion-parameter model from Zhipu."),
    Message(Role.USER, "And its context window?"),
]


@pytest.fixture(scope="module")
def server(tiny_glm4: Path) -> Iterator[str]:
    proc, base_url = llama.start_llama_server(tiny_glm4, ctx=1024)
    yield base_url
    llama.stop_llama_server(proc)


def test_the_count_is_what_the_server_then_evaluates(server: str) -> None:
    async def count() -> int:
        async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
            return await count_on_server(client, f"{server}/v1", {}, MESSAGES)

    counted = asyncio.run(count())
    body = {
        "messages": [m.to_wire() for m in MESSAGES],
        "max_tokens": 1,
        "cache_prompt": False,
        "stream": False,
    }
    done = httpx.post(f"{server}/v1/chat/completions", json=body, timeout=60, trust_env=False)
    evaluated = done.json()["timings"]["prompt_n"]
    assert counted == evaluated > 20


def test_the_meter_shows_the_exact_count_against_n_ctx(server, qtbot, qloop, tmp_path) -> None:  # noqa: F811
    from app.services.backend import Backend
    from app.services.history import HistoryService
    from app.ui.main_window import MainWindow
    from tests.ui.conftest import shut_down

    local = replace(PROVIDERS["local"].with_overrides(base_url=f"{server}/v1"), context_window=1024)
    history = HistoryService(tmp_path / "history.db")
    backend = Backend(environ={})
    win = MainWindow(backend, history, [local], initial_provider="local")
    qtbot.addWidget(win, before_close_func=lambda w: shut_down(w, backend))
    win.show()
    try:
        meter = win.context_meter
        win.composer.setPlainText("How long is this prompt, exactly? " * 3)
        qloop.run_until_complete(until(lambda: meter.exact, 15))
        history_msgs = [Message(Role.USER, "How long is this prompt, exactly? " * 3)]

        async def count() -> int:
            async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
                return await count_on_server(client, f"{server}/v1", {}, history_msgs)

        expected = qloop.run_until_complete(count())
        assert meter.used == expected
        assert meter.label.text() == f"{expected:,} / 1,024 tokens"  # no "≈": exact
        win.composer.setPlainText("x " * 2000)  # past the window
        qloop.run_until_complete(until(lambda: meter.used > 900 and meter.exact, 15))
        assert "earliest messages will be left out" in meter.label.toolTip()
    finally:
        win.close()
        qloop.run_until_complete(win.wait_stopped())
        qloop.run_until_complete(backend.aclose())
        history.flush_and_close()
