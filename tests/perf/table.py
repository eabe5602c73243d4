"""One table for the whole benchmark run: each benchmark records its headline figures here and
`python -m pytest tests/perf --perf` prints them together at the end (Markdown, so the README's
"Performance" section is that output pasted).

A figure is a median over the benchmark's runs; where a reference makes sense it is measured
in the same run (these machines are noisy) and the ratio is shown next to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Row:
    figure: str
    value: str  # as shown: "312 ms", "1.82×"
    reference: str = ""  # what it is compared with, measured in the same run
    ratio: float | None = None  # value / reference, where both are alike
    goal: str = ""  # "≤ 1.5×", "≤ 100 ms"
    met: bool | None = None  # None: reported, not budgeted


ROWS: list[Row] = []


def record(
    figure: str,
    value: str,
    *,
    reference: str = "",
    ratio: float | None = None,
    goal: str = "",
    met: bool | None = None,
) -> Row:
    row = Row(figure, value, reference, ratio, goal, met)
    ROWS.append(row)
    return row


def ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def mib(value: float) -> str:
    return f"{value:,.1f} MiB"


def render(rows: list[Row]) -> str:
    head = "| figure | median | reference (same run) | ratio | goal | |"
    lines = [head, "|---|---:|---|---:|---|---|"]
    for r in rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        verdict = "" if r.met is None else ("met" if r.met else "**not met**")
        lines.append(f"| {r.figure} | {r.value} | {r.reference} | {ratio} | {r.goal} | {verdict} |")
    return "\n".join(lines)


@contextmanager
def server_process(module: str) -> Iterator[str]:
    """`python -m module` in its own process (so it takes no time from the app's GUI
    thread): it prints its base URL, serves until its stdin closes. Yields the URL."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", module]
    with subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout is not None and server.stdin is not None
        try:
            yield server.stdout.readline().strip()
        finally:
            server.stdin.close()
