"""The snippet library with 100,000 messages (2,000 conversations of 50): how long each
filter takes, against reading one page of the newest snippets with no filter, in the same run.

Run: `.venv/bin/python -m pytest tests/perf/bench_snippets.py --perf -s`
"""

from __future__ import annotations

import statistics
import time

from app.core.store import HistoryStore
from tests.perf.table import ms, record
from tests.unit.test_snippet_index import chat, save

LANGUAGES = ("python", "javascript", "bash", "rust", "sql")
QUERIES = [("", ""), ("", "rust"), ("return value", ""), ("value_1999", "python"), ("快速", "")]


def test_filtering_the_snippet_library_of_100000_messages(tmp_path):
    store = HistoryStore(tmp_path / "history.db")
    started = time.perf_counter()
    for n in range(2000):
        answers = [
            f"Here:\n\n```{LANGUAGES[k % 5]}\n# step {k}\nvalue_{n}_{k} = {k}\n"
            f"return value  # 快速 {n}\n```"
            if k % 3 == 0
            else f"Plain answer {n}.{k}"
            for k in range(25)
        ]
        save(store, chat(f"conversation {n}", *answers, when=n * 100.0))
    built = time.perf_counter() - started
    count = store.db.execute("SELECT count(*) FROM snippets").fetchone()[0]
    timings: dict[str, list[float]] = {}
    for _ in range(5):
        for text, language in QUERIES:
            t = time.perf_counter()
            store.snippets(text, language)
            timings.setdefault(f"{text!r} {language!r}", []).append(time.perf_counter() - t)
    store.close()
    print(f"\n{count:,} snippets indexed from 100,000 messages in {built:.1f} s")
    base = statistics.median(timings["'' ''"]) * 1000
    for name, found in timings.items():
        median = statistics.median(found) * 1000
        print(f"filter {name}: median {median:.1f} ms")
    worst = max(statistics.median(found) for found in timings.values()) * 1000
    record(
        "snippet library, 100,000 messages: slowest filter",
        ms(worst),
        reference=f"the newest 500, no filter {ms(base)}",
        ratio=worst / base,
        goal="≤ 100 ms",
        met=worst <= 100,
    )
    assert worst <= 100
