"""The bundle's size and cold start against `python -m app --smoke`, same run, same machine.

Run: `.venv/bin/python -m pytest tests/perf/bench_bundle.py --perf -s`
Builds the bundle with packaging/build.sh (as tests/packaging does), then runs both commands
interleaved and prints medians of their first frame and ready times (see bench_startup).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
from pathlib import Path

from tests.packaging.test_bundle import build  # noqa: F401  (the fixture)
from tests.perf.bench_startup import RUNS, run
from tests.perf.table import ms, record

SMOKE = re.compile(r"first frame (\d+) ms, ready (\d+) ms")


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def test_bundle_cold_start_and_size(build, tmp_path):  # noqa: F811
    dist, _ = build
    bundle = dist / "glm-desk"
    archive = next(dist.glob("glm-desk-*.tar.gz"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"QT_QPA_PLATFORM": "offscreen", "GLM_DESK_PROFILE": str(tmp_path)}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")  # python -m app with its bytecode
    commands = {
        "bundle": [str(bundle / "glm-desk"), "--smoke", "--no-crash-dialog"],
        "python -m app": [sys.executable, "-m", "app", "--smoke", "--no-crash-dialog"],
    }
    frames: dict[str, list[float]] = {name: [] for name in commands}
    ready: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        run(cmd, env)  # warm the OS file cache: every figure below is a warm start
    for _ in range(RUNS):  # interleaved, so machine noise hits both alike
        for name, cmd in commands.items():
            m = SMOKE.search(run(cmd, env))
            assert m, f"{name}: no smoke line"
            frames[name].append(float(m.group(1)))
            ready[name].append(float(m.group(2)))
    bf, pf = statistics.median(frames["bundle"]), statistics.median(frames["python -m app"])
    br, pr = statistics.median(ready["bundle"]), statistics.median(ready["python -m app"])
    size, packed = tree_size(bundle) / 2**20, archive.stat().st_size / 2**20
    print(
        f"\nbundle: {size:.0f} MiB unpacked, {packed:.0f} MiB {archive.name}\n"
        f"cold start over {RUNS} runs (medians): bundle first frame {bf:.0f} ms, ready "
        f"{br:.0f} ms; python -m app {pf:.0f} ms, {pr:.0f} ms"
    )
    record(
        "bundle (PyInstaller): cold start to first frame",
        ms(bf),
        reference=f"python -m app {ms(pf)}",
        ratio=bf / pf,
    )
    record("bundle size", f"{size:.0f} MiB", reference=f"{packed:.0f} MiB as .tar.gz")
    assert bf < 3000
