"""Cold start: `python -m app --smoke` against a bare PySide6 window, same run, same machine.

Run: `.venv/bin/python -m pytest tests/perf/bench_startup.py --perf -s`

Both report, with the same clock (the app's `process_age_ms`: from the process's start time
in /proc, so the interpreter's own start counts), when the first Paint of their window began;
the app also reports when it is ready (a question can be typed and sent: keys read, the last
session back). Runs alternate between the two, so machine noise hits both alike. Python runs
with compiled bytecode, as an installed app does (pip compiles it; here a cache directory
outside the tree, filled by a first run). Profiles: empty, and 1,000 conversations of 10
messages in the history (the sidebar lists them).

`GLM_DESK_BASELINE=REV` (a git revision) also measures the app as it was at REV, from a git
worktree, in the same alternating runs: a change's cost at start-up, before and after.
"""

from __future__ import annotations

import inspect
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from app.core.store import HISTORY_FILE, HistoryStore, conversation_record
from app.main import process_age_ms
from tests.perf.bench_history import TextMaker
from tests.perf.table import ROOT, ms, record

RUNS = 11
RATIO_GOAL = 1.5
BARE = f"""
import os
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

_IMPORTED_AT = 0.0
{inspect.getsource(process_age_ms)}

app = QApplication([])
window = QMainWindow()
window.resize(1200, 780)


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"bare first frame {{process_age_ms():.0f}} ms", flush=True)
            app.quit()
        return False


first = FirstPaint()
window.installEventFilter(first)
window.show()
app.exec()
"""


def history_of(profile: Path, conversations: int) -> Path:
    profile.mkdir(parents=True, exist_ok=True)
    store = HistoryStore(profile / HISTORY_FILE)
    maker = TextMaker(seed=2)
    start = time.time() - 30 * 86400
    for i in range(conversations):
        conv = maker.conversation(10, start + i * 600)
        store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
    store.close()
    return profile


def run(cmd: list[str], env: dict[str, str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout


def run_old(app_cmd: list[str], tmp_path: Path, env: dict[str, str]) -> str:
    """The app of the baseline worktree (its folder first on the path)."""
    return subprocess.run(
        [*app_cmd, str(tmp_path / "old")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path / "baseline",
        check=True,
    ).stdout


def test_cold_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(tmp_path / "pyc")}
    env["PYTHONPATH"] = str(ROOT)
    bare_script = tmp_path / "bare_window.py"
    bare_script.write_text(BARE)
    profiles = {
        "empty": tmp_path / "empty",
        "1,000 conversations": history_of(tmp_path / "full", 1000),
    }
    app_cmd = [sys.executable, "-m", "app", "--smoke", "--no-crash-dialog", "--profile"]
    bare_cmd = [sys.executable, str(bare_script)]
    smoke = re.compile(r"first frame (\d+) ms, ready (\d+) ms, window visible: True")
    baseline = os.environ.get("GLM_DESK_BASELINE", "")
    old_env = dict(env)
    if baseline:
        tree = tmp_path / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), baseline], cwd=ROOT)
        old_env |= {"PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": str(tmp_path / "pyc-old")}
        run_old(app_cmd, tmp_path, old_env)
    for profile in profiles.values():  # compiles the bytecode; warms the OS file cache
        run([*app_cmd, str(profile)], env)
    run(bare_cmd, env)
    before: list[float] = []
    bare: list[float] = []
    frames: dict[str, list[float]] = {name: [] for name in profiles}
    ready: dict[str, list[float]] = {name: [] for name in profiles}
    for _ in range(RUNS):
        bare.append(float(re.search(r"first frame (\d+) ms", run(bare_cmd, env)).group(1)))
        for name, profile in profiles.items():
            m = smoke.search(run([*app_cmd, str(profile)], env))
            assert m, "the smoke run did not report its window"
            frames[name].append(float(m.group(1)))
            ready[name].append(float(m.group(2)))
        if baseline:
            before.append(float(smoke.search(run_old(app_cmd, tmp_path, old_env)).group(1)))
    if baseline:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(tmp_path / "baseline")], cwd=ROOT
        )
    b = statistics.median(bare)
    reference = f"bare PySide6 window {ms(b)}"
    print(f"\ncold start, medians of {RUNS} runs; bare PySide6 window's first frame {b:.0f} ms")
    for name in profiles:
        f, r = statistics.median(frames[name]), statistics.median(ready[name])
        print(
            f"  {name:<20} first frame {f:5.0f} ms ({f / b:.2f}x)  ready {r:5.0f} ms ({r / b:.2f}x)"
        )
        record(
            f"cold start to first frame, {name}",
            ms(f),
            reference=reference,
            ratio=f / b,
            goal=f"≤ {RATIO_GOAL}×",
            met=f / b <= RATIO_GOAL,
        )
        record(
            f"cold start until a question can be sent, {name}",
            ms(r),
            reference=reference,
            ratio=r / b,
        )
    if baseline:
        old, new = statistics.median(before), statistics.median(frames["empty"])
        print(f"  at {baseline}: first frame {old:.0f} ms; now {new:.0f} ms ({new / old:.2f}x)")
        record(
            f"cold start to first frame, empty, at {baseline}",
            ms(old),
            reference=f"now {ms(new)}",
            ratio=new / old,
        )
    assert statistics.median(frames["1,000 conversations"]) < 3000
