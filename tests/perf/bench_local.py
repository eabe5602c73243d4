"""The local model: Start-to-ready time, and the app's first-token overhead over a bare client.

Run: `.venv/bin/python -m pytest tests/perf/bench_local.py --perf -s`
A real llama-server (tests/llama.py builds and caches it) serves the tiny glm4 model. The
app's path is LocalServer + ChatClient (SSE decoder, chunk parser, error mapping); the bare
path is httpx reading the same stream until the first content delta. Both run interleaved in
one process against the same server; medians are reported.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import httpx

from app.core.client import ChatClient
from app.core.localserver import LaunchOptions, LocalServer
from app.core.protocol import Message, Role, TextDelta
from app.core.providers import PROVIDERS
from tests.llama import llama_server_binary, write_tiny_glm4
from tests.perf.table import ms, record

STARTS = 5
RUNS = 21
OVERHEAD_BUDGET_MS = 20.0
PROMPT = [{"role": "user", "content": "Tell me about the sea."}]


async def bare_first_token(http: httpx.AsyncClient, base_url: str) -> float:
    body = {"model": "glm-4-32b", "messages": PROMPT, "stream": True, "max_tokens": 8}
    t0 = time.perf_counter()
    async with http.stream("POST", base_url + "/chat/completions", json=body) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                delta = json.loads(line[6:])["choices"][0]["delta"]
                if delta.get("content"):
                    return (time.perf_counter() - t0) * 1000
    raise AssertionError("no content")


async def app_first_token(client: ChatClient) -> float:
    t0 = time.perf_counter()
    stream = client.stream([Message(Role.USER, PROMPT[0]["content"])])
    try:
        async for event in stream:
            if isinstance(event, TextDelta) and event.text:
                return (time.perf_counter() - t0) * 1000
    finally:
        await stream.aclose()
    raise AssertionError("no content")


async def measure(tmp_path) -> None:
    binary = llama_server_binary()
    model = write_tiny_glm4(tmp_path / "tiny.gguf")
    server = LocalServer(tmp_path / "llama-server.pid")
    ready = []
    for _ in range(STARTS):
        await server.start(LaunchOptions(model=model, binary=binary, context=512, port=0))
        assert await server.wait_ready(60), server.detail
        ready.append(server.ready_after * 1000)
        await server.stop()

    await server.start(LaunchOptions(model=model, binary=binary, context=512, port=0))
    assert await server.wait_ready(60)
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            provider = PROVIDERS["local"].with_overrides(base_url=server.base_url)
            client = ChatClient(provider, http)
            bare, app = [], []
            await bare_first_token(http, server.base_url)  # warm both paths once
            await app_first_token(client)
            for _ in range(RUNS):
                bare.append(await bare_first_token(http, server.base_url))
                app.append(await app_first_token(client))
    finally:
        await server.stop()
    b, a = statistics.median(bare), statistics.median(app)
    print(
        f"\nStart -> ready, tiny glm4 model, {STARTS} starts: median "
        f"{statistics.median(ready):.0f} ms (min {min(ready):.0f}, max {max(ready):.0f})\n"
        f"first token over {RUNS} interleaved requests (medians): bare httpx {b:.1f} ms, "
        f"app's ChatClient {a:.1f} ms; overhead {a - b:+.1f} ms (budget {OVERHEAD_BUDGET_MS:.0f})"
    )
    record(
        "local llama-server (tiny model): first token",
        ms(a),
        reference=f"bare httpx client {ms(b)}",
        ratio=a / b,
        goal=f"≤ +{OVERHEAD_BUDGET_MS:.0f} ms",
        met=a - b <= OVERHEAD_BUDGET_MS,
    )
    record("local llama-server: start to ready", ms(statistics.median(ready)))
    assert a - b <= OVERHEAD_BUDGET_MS


def test_local_start_and_first_token_overhead(tmp_path):
    asyncio.run(measure(tmp_path))
