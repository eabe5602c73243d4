"""The bundle's size and cold start against `python -m app --smoke`, same run, same machine.

Run: `.venv/bin/python -m pytest tests/perf/bench_bundle.py --perf -s`
Builds the bundle with packaging/build.sh (as tests/packaging does), then times both commands
interleaved and prints medians of wall time and of the app's own startup figure.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
from pathlib import Path

from tests.packaging.test_bundle import build  # noqa: F401  (the fixture)
from tests.perf.bench_startup import RUNS, wall


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def test_bundle_cold_start_and_size(build, tmp_path):  # noqa: F811
    dist, _ = build
    bundle = dist / "glm-desk"
    archive = next(dist.glob("glm-desk-*.tar.gz"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GLM_DESK_PROFILE": str(tmp_path)}
    commands = {
        "bundle": [str(bundle / "glm-desk"), "--smoke", "--no-crash-dialog"],
        "python -m app": [sys.executable, "-m", "app", "--smoke", "--no-crash-dialog"],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    selfs: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        wall(cmd, env)  # warm the OS file cache: every figure below is a warm start
    for _ in range(RUNS):  # interleaved, so machine noise hits both alike
        for name, cmd in commands.items():
            ms, out = wall(cmd, env)
            walls[name].append(ms)
            selfs[name].append(float(re.search(r"startup (\d+) ms", out).group(1)))
    b, p = statistics.median(walls["bundle"]), statistics.median(walls["python -m app"])
    bs, ps = statistics.median(selfs["bundle"]), statistics.median(selfs["python -m app"])
    print(
        f"\nbundle: {tree_size(bundle) / 2**20:.0f} MiB unpacked, "
        f"{archive.stat().st_size / 2**20:.0f} MiB {archive.name}\n"
        f"cold start over {RUNS} runs (medians): bundle {b:.0f} ms wall ({bs:.0f} ms to idle "
        f"window); python -m app {p:.0f} ms wall ({ps:.0f} ms); ratio bundle/python {b / p:.2f}"
    )
    assert b < 3000
