"""Cold start: `python -m app --smoke` against a bare PySide6 window, same run, same machine.

Run: `.venv/bin/python -m pytest tests/perf/bench_startup.py --perf -s`
Prints medians of wall time (process start to exit) and of the app's own startup figure.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time

RUNS = 11
BARE = (
    "import sys, time\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "w = QMainWindow(); w.resize(1200, 780); w.show(); app.processEvents()\n"
)


def wall(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    return (time.perf_counter() - t0) * 1000, out


def test_cold_start(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GLM_DESK_PROFILE": str(tmp_path)}
    app_cmd = [sys.executable, "-m", "app", "--smoke", "--no-crash-dialog"]
    bare_cmd = [sys.executable, "-c", BARE]
    app_wall, app_self, bare_wall = [], [], []
    wall(app_cmd, env)  # warm the OS file cache once; every figure below is a warm start
    for _ in range(RUNS):  # interleaved, so machine noise hits both alike
        ms, out = wall(app_cmd, env)
        app_wall.append(ms)
        app_self.append(float(re.search(r"startup (\d+) ms", out).group(1)))
        bare_wall.append(wall(bare_cmd, env)[0])
    a, s, b = (statistics.median(x) for x in (app_wall, app_self, bare_wall))
    print(
        f"\ncold start over {RUNS} runs (medians): glm-desk --smoke {a:.0f} ms wall, "
        f"{s:.0f} ms to idle window; bare PySide6 window {b:.0f} ms wall; ratio {a / b:.2f}"
    )
    assert a < 3000
