"""`glm-desk ask`: from the command to the request reaching the server, against a bare httpx
script that sends the same streaming request, alternating, in the same run.

Run: `.venv/bin/python -m pytest tests/perf/bench_ask.py --perf -s`
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.test_ask import env_for
from tests.perf.table import ms, record
from tests.protocol_servers import ProtocolServer, Reply

ROOT = Path(__file__).resolve().parents[2]
RUNS = 9
BARE = (
    "import sys, httpx\n"
    "body = {'model': 'z-ai/glm-4-32b', 'stream': True,\n"
    "        'messages': [{'role': 'user', 'content': 'hi'}]}\n"
    "with httpx.Client(trust_env=False) as c:\n"
    "    with c.stream('POST', sys.argv[1] + '/chat/completions', json=body,\n"
    "                  headers={'Authorization': 'Bearer k'}) as r:\n"
    "        for _ in r.iter_bytes():\n"
    "            pass\n"
)


def time_to_request(server: ProtocolServer, argv: list[str], env: dict[str, str]) -> float:
    before = len(server.requests)
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    while len(server.requests) == before:
        time.sleep(0.0005)
    elapsed = time.perf_counter() - started
    proc.wait(timeout=30)
    return elapsed


def test_ask_reaches_the_server_about_as_fast_as_a_bare_httpx_script(tmp_path):
    env = env_for(tmp_path / "p", OPENROUTER_API_KEY="k")
    ours, bare = [], []
    with ProtocolServer("openrouter", default=Reply(text="ok")) as server:
        ask = [
            sys.executable,
            "-m",
            "app",
            "ask",
            "--provider",
            "openrouter",
            "--base-url",
            server.base_url,
            "hi",
        ]
        script = [sys.executable, "-c", BARE, server.base_url]
        for _ in range(RUNS):
            ours.append(time_to_request(server, ask, env))
            bare.append(time_to_request(server, script, env))
    a, b = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    print(f"\nglm-desk ask: {a:.0f} ms to the request; bare httpx script: {b:.0f} ms")
    record(
        "glm-desk ask: start to the request",
        ms(a),
        reference=f"bare httpx script {ms(b)}",
        ratio=a / b,
        goal="≤ 1.5×",
        met=a / b <= 1.5,
    )
    assert a / b <= 1.5
