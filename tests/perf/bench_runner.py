"""What a sandbox costs: the time to run `print("hi")` in each layer, against running the
same interpreter bare (a subprocess, no limits, no sandbox), in the same run.

Run: `.venv/bin/python -m pytest tests/perf/bench_runner.py --perf -s`
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time

from app.core.runner.languages import PYTHON, find_runtime
from app.core.runner.run import Limits, RunRequest, SnippetRun
from app.core.runner.sandbox import LAYERS, probe
from tests.integration.test_sandbox import python_for
from tests.perf.table import ms, record

RUNS = 11


def test_what_each_sandbox_layer_costs():
    bare_runtime = find_runtime(PYTHON)
    layers = [layer for layer in LAYERS if probe(layer).works]
    times: dict[str, list[float]] = {"bare": [], **{layer.value: [] for layer in layers}}
    for _ in range(RUNS):  # alternating, so that the machine's noise falls on all alike
        started = time.perf_counter()
        subprocess.run([bare_runtime.executable, "-c", "print('hi')"], capture_output=True)
        times["bare"].append(time.perf_counter() - started)
        for layer in layers:
            request = RunRequest(PYTHON, "print('hi')", python_for(layer), layer, limits=Limits())
            run = SnippetRun(request)
            started = time.perf_counter()
            result = asyncio.run(run.run())
            times[layer.value].append(time.perf_counter() - started)
            assert result.exit_code == 0 and run.output.text() == "hi\n"
    bare = statistics.median(times["bare"]) * 1000
    print()
    for name, found in times.items():
        median = statistics.median(found) * 1000
        print(f"{name}: median {median:.0f} ms over {RUNS} runs")
        if name != "bare":
            record(
                f"run print('hi') in the {name} sandbox",
                ms(median),
                reference=f"bare python3 {ms(bare)}",
                ratio=median / bare,
            )
