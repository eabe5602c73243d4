"""A long, realistic Markdown answer for the streaming benchmark, its server, and the baseline.

`markdown_answer(tokens=16000, code_blocks=40)` is deterministic (seeded) model-like output:
`##`/`###` headings, paragraphs mixing English and Chinese with inline code, **bold** and
*italics*, bullet and numbered lists (some nested), a few tables and blockquotes, and
`code_blocks` fenced blocks in python, javascript, bash, json, sql and some without a
language, 5 to 60 lines each, some starting with a file hint (`# file: src/...`, in JavaScript
`// file: src/...`). It always ends with a plain closing paragraph (`closing_paragraph`).

Token rule: one token = 4 characters (Unicode code points) of the answer, whatever the script
(about right for English; a real tokenizer counts Chinese characters as 1-2 characters per
token, so the Chinese part, about a tenth of the text, is counted as fewer tokens than a model
would send). 16,000 tokens is therefore 64,000 characters (within a few characters: the
closing paragraph ends on a whole sentence), and `chunks(text)` cuts the text into 4-character
pieces, one SSE chunk each; slicing a Python string never splits a UTF-8 character.

Processes (the benchmark starts both, so that neither counts as the app's CPU time):

- `python -m tests.perf.answer_fixture --serve PORT` runs the OpenRouter-flavoured
  `ProtocolServer` answering every chat request with those chunks as fast as it can (no
  pacing). It prints `listening BASE_URL`, then one `stream {json}` line per answer written
  to the end: monotonic times of its first and last write, bytes and writes.
- `python -m tests.perf.answer_fixture --baseline BASE_URL --width PX` is the bare script the
  app is compared with: one streaming POST with httpx, SSE decoded with the app's own
  `SseDecoder` and `parse_chunk`, the text joined, then the final Markdown rendered once with
  markdown-it-py into a `QTextDocument` of that text width and laid out. It prints one JSON
  line with its CPU time (RUSAGE_SELF, user + sys) for the request-to-layout part and for
  the whole process (interpreter start-up and imports included).
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CHARS_PER_TOKEN = 4
SEED = 20250414
ROOT = Path(__file__).resolve().parents[2]  # the checkout: `python -m tests...` runs from it

# --- prose --------------------------------------------------------------------------------

EN_SENTENCES = [
    "The simplest fix is to move the blocking call off the main thread.",
    "This keeps the public interface unchanged while the internals get much faster.",
    "In practice the bottleneck is almost never the parser; it is the layout that follows.",
    "Each request carries its own timeout, so a slow server cannot hold up the others.",
    "If the cache misses, we fall back to the database and warm the cache on the way out.",
    "Note that the order of the migrations matters: every step assumes the previous schema.",
    "You can verify this quickly by running the test suite with the verbose flag.",
    "A connection pool of eight is plenty for a desktop client talking to one host.",
    "The retry policy backs off exponentially and honours the Retry-After header.",
    "Keep the configuration in one place and read it once at start-up.",
    "Logging at debug level is useful here, but remember to strip secrets from the output.",
    "The generator yields rows lazily, so memory stays flat even for very large tables.",
    "Because the index covers both columns, the query planner can skip the table entirely.",
    "Most of the time goes into serialising the payload, not into sending it.",
    "A small benchmark before and after the change tells you whether it was worth it.",
    "When the stream ends early, the partial result is kept and marked as interrupted.",
    "The event loop must never wait on disk or network; everything slow runs in a task.",
    "Prefer explicit types at module boundaries and let inference handle the rest.",
    "If you deploy behind a proxy, make sure it does not buffer server-sent events.",
    "The same function works for both providers once the request body is normalised.",
    "Tests that talk to a local server are slower than unit tests but catch real bugs.",
    "An idempotent handler can be retried safely after a timeout.",
    "The worker thread owns the connection, and the GUI thread only queues records.",
    "Each code block is highlighted once, when its closing fence arrives.",
    "With these changes the p99 latency dropped from 180 ms to about 25 ms.",
    "You may want to pin the dependency to avoid surprises from a major release.",
    "The container image stays small because the build stage is thrown away.",
    "Remember that SQLite allows one writer at a time, even in WAL mode.",
    "For very large inputs, stream the file instead of reading it into memory.",
    "This pattern is common in asyncio code, and it composes well with cancellation.",
]
ZH_SENTENCES = [
    "数据库连接池的配置需要注意超时时间。",
    "这个函数的时间复杂度是线性的，可以放心使用。",
    "服务器返回了错误代码，请先检查日志。",
    "内存泄漏通常是因为对象没有被及时释放。",
    "异步编程可以显著提高程序的并发性能。",
    "我们需要在数据表上建立索引来加快查询。",
    "缓存失效的策略要根据业务场景来选择。",
    "部署之前一定要在测试环境里完整地跑一遍。",
    "如果请求失败，客户端会自动重试三次。",
    "日志里不要记录任何密钥或者用户的隐私数据。",
    "这个配置项的默认值在大多数情况下都够用了。",
    "流式输出可以让用户更早看到第一部分结果。",
]
INLINE_CODE = [
    "`asyncio.gather()`",
    "`httpx.AsyncClient`",
    "`--workers 4`",
    "`CREATE INDEX`",
    "`Retry-After`",
    "`json.loads`",
    "`PRAGMA journal_mode=WAL`",
    "`fetch()`",
    "`src/app/config.py`",
    "`npm run build`",
    "`None`",
    "`await`",
    "`try/finally`",
    "`SELECT COUNT(*)`",
]
EMPHASIS = [
    ("**", "Never block the event loop."),
    ("**", "The cache is optional."),
    ("**", "Keep secrets out of logs."),
    ("*", "This matters more than it looks."),
    ("*", "Do this exactly once, at start-up."),
    ("*", "One per connection, not one per request."),
    ("**", "这一点很重要。"),
    ("*", "注意线程安全。"),
    ("**", "Back up the database first."),
    ("*", "Usually that is enough."),
]
TOPICS = [
    "Project layout",
    "Configuration",
    "The HTTP client",
    "Retries and backoff",
    "Streaming responses",
    "The database schema",
    "Migrations",
    "Caching",
    "Background workers",
    "Error handling",
    "Logging",
    "Testing",
    "Benchmarks",
    "The command line",
    "Packaging",
    "Deployment",
    "Monitoring",
    "Security",
    "Frontend integration",
    "Next steps",
]
SUBTOPICS = ["Example", "How it works", "Variant", "在实践中", "Edge cases", "示例", "Checks"]
LIST_ITEMS = [
    "read the configuration once at start-up",
    "validate every input at the boundary",
    "use one `httpx.AsyncClient` per host",
    "close connections in a `finally` block",
    "log the request id with every error",
    "数据库写入放在单独的线程里",
    "keep the hot path free of allocations",
    "measure before optimising anything",
    "pin versions in the lock file",
    "给每个请求设置超时时间",
    "prefer **small, focused** modules",
    "run the slow tests in CI only",
    "return early on invalid input",
    "document the *why*, not the what",
]


def _decorate(rng: random.Random, sentence: str) -> str:
    """Maybe add inline code or emphasis to an English sentence."""
    r = rng.random()
    if r < 0.25:
        return f"{sentence[:-1]}, see {rng.choice(INLINE_CODE)}."
    if r < 0.45:
        mark, words = rng.choice(EMPHASIS)
        return f"{sentence} {mark}{words}{mark}"
    return sentence


def _paragraph(rng: random.Random) -> str:
    n = rng.randint(2, 5)
    english = iter(rng.sample(EN_SENTENCES, n))
    chinese = iter(rng.sample(ZH_SENTENCES, n))
    parts = [
        next(chinese) if rng.random() < 0.22 else _decorate(rng, next(english)) for _ in range(n)
    ]
    return " ".join(parts)


def _bullets(rng: random.Random, nested: bool) -> str:
    items = rng.sample(LIST_ITEMS, rng.randint(3, 6))
    lines = []
    for i, item in enumerate(items):
        lines.append(f"- {item[0].upper()}{item[1:]}")
        if nested and i == 1:
            for sub in rng.sample(LIST_ITEMS, 2):
                lines.append(f"  - {sub}")
    return "\n".join(lines)


def _numbered(rng: random.Random, nested: bool) -> str:
    items = rng.sample(LIST_ITEMS, rng.randint(3, 5))
    lines = []
    for i, item in enumerate(items, 1):
        lines.append(f"{i}. {item[0].upper()}{item[1:]}.")
        if nested and i == 2:
            for sub in rng.sample(LIST_ITEMS, 2):
                lines.append(f"   - {sub}")
    return "\n".join(lines)


def _table(rng: random.Random, n: int) -> str:
    head = ["Option", "Default", "Meaning", "说明"][: 3 + n % 2]
    rows = [
        ["`timeout`", "30 s", "Seconds before a request fails", "请求超时"],
        ["`retries`", "3", "Attempts after the first one", "重试次数"],
        ["`pool_size`", "8", "Open connections per host", "连接池大小"],
        ["`cache_ttl`", "300", "Seconds a cached entry lives", "缓存时间"],
        ["`log_level`", "INFO", "Verbosity of the log file", "日志级别"],
        ["`workers`", "4", "Background worker threads", "工作线程"],
    ]
    chosen = rng.sample(rows, rng.randint(3, 6))
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row[: len(head)]) + " |" for row in chosen]
    return "\n".join(lines)


def _quote(rng: random.Random) -> str:
    first = f"> **Note:** {rng.choice(EN_SENTENCES)}"
    return first + "\n> " + rng.choice(ZH_SENTENCES)


# --- code ---------------------------------------------------------------------------------

PY_UNITS = [
    "import asyncio\nimport json\nfrom pathlib import Path",
    "def load_config(path: Path) -> dict:\n"
    '    """Read the settings file; missing keys get defaults."""\n'
    '    with path.open(encoding="utf-8") as f:\n'
    "        data = json.load(f)\n"
    '    return {"timeout": 30, **data}',
    "async def fetch(client, url: str) -> dict:\n"
    "    response = await client.get(url, timeout=10.0)\n"
    "    response.raise_for_status()\n"
    "    return response.json()",
    "class Cache:\n"
    "    def __init__(self, ttl: float = 300.0) -> None:\n"
    "        self.ttl = ttl\n"
    "        self._data: dict[str, tuple[float, object]] = {}\n"
    "\n"
    "    def get(self, key: str) -> object | None:\n"
    "        entry = self._data.get(key)\n"
    "        if entry is None or entry[0] < time.monotonic():\n"
    "            return None\n"
    "        return entry[1]",
    "for attempt in range(retries):\n"
    "    try:\n"
    "        return await fetch(client, url)\n"
    "    except httpx.TimeoutException:\n"
    "        await asyncio.sleep(2**attempt)",
    'if __name__ == "__main__":\n    asyncio.run(main())',
    "def test_cache_expires(monkeypatch):\n"
    "    cache = Cache(ttl=1.0)\n"
    '    cache.set("a", 1)\n'
    '    monkeypatch.setattr(time, "monotonic", lambda: 10**9)\n'
    '    assert cache.get("a") is None',
    "    # 注意：这里的锁必须在 finally 里释放\n    lock.release()",
]
PY_LINES = [
    "total = sum(item.price for item in items)",
    'log.info("loaded %d rows", len(rows))',
    "results.append(row)",
    'timeout = settings.get("timeout", 30)',
    "# fall back to the default when the key is missing",
    "rows = [dict(r) for r in cursor.fetchall()]",
]
JS_UNITS = [
    "import { useEffect, useState } from 'react';",
    "export async function fetchJson(url, options = {}) {\n"
    "  const headers = { Accept: 'application/json' };\n"
    "  const response = await fetch(url, { ...options, headers });\n"
    "  if (!response.ok) {\n"
    "    throw new Error(`HTTP ${response.status}`);\n"
    "  }\n"
    "  return response.json();\n"
    "}",
    "const total = items.reduce((sum, item) => sum + item.price, 0);\n"
    "console.log(`total: ${total.toFixed(2)}`);",
    "function debounce(fn, wait = 250) {\n"
    "  let timer;\n"
    "  return (...args) => {\n"
    "    clearTimeout(timer);\n"
    "    timer = setTimeout(() => fn(...args), wait);\n"
    "  };\n"
    "}",
    "const source = new EventSource('/api/stream');\n"
    "source.onmessage = (event) => {\n"
    "  const chunk = JSON.parse(event.data);\n"
    "  output.textContent += chunk.text;\n"
    "};",
]
JS_LINES = [
    "const config = { retries: 3, timeout: 30_000 };",
    "// 这里的超时时间单位是毫秒",
    "let count = 0;",
    "export default App;",
    "document.querySelector('#status').textContent = 'done';",
]
SH_UNITS = [
    "python3 -m venv .venv\nsource .venv/bin/activate\npip install -e '.[test]'",
    'set -euo pipefail\nSCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"\ncd "$SCRIPT_DIR/.."',
    "docker build -t myapp:latest .\ndocker run --rm -p 8000:8000 myapp:latest",
    'for f in migrations/*.sql; do\n  echo "applying $f"\n  sqlite3 app.db < "$f"\ndone',
    "pytest -q tests/unit\npytest -q tests/integration --maxfail=1",
    'if [ -z "${API_KEY:-}" ]; then\n  echo "API_KEY is not set" >&2\n  exit 1\nfi',
]
SH_LINES = [
    "export LOG_LEVEL=debug",
    "curl -sS http://127.0.0.1:8000/health",
    "# 先备份数据库",
    "cp app.db app.db.bak",
    "git pull --rebase",
]
SQL_UNITS = [
    "CREATE TABLE users (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    email TEXT NOT NULL UNIQUE,\n"
    "    name TEXT NOT NULL,\n"
    "    created_at TEXT DEFAULT CURRENT_TIMESTAMP\n"
    ");",
    "CREATE INDEX orders_by_user ON orders(user_id, created_at);",
    "SELECT u.name, COUNT(o.id) AS orders\n"
    "FROM users AS u\n"
    "LEFT JOIN orders AS o ON o.user_id = u.id\n"
    "GROUP BY u.id\n"
    "ORDER BY orders DESC\n"
    "LIMIT 10;",
    "BEGIN;\nUPDATE accounts SET balance = balance - 100 WHERE id = 1;\n"
    "UPDATE accounts SET balance = balance + 100 WHERE id = 2;\nCOMMIT;",
]
SQL_LINES = [
    "PRAGMA journal_mode = WAL;",
    "-- 查询最近七天的订单",
    "DELETE FROM sessions WHERE expires_at < datetime('now');",
    "ANALYZE;",
]
PLAIN_LINES = [
    "src/",
    "├── app/",
    "│   ├── __init__.py",
    "│   ├── config.py",
    "│   └── client.py",
    "├── tests/",
    "│   └── test_client.py",
    "2025-04-14 10:32:01 INFO  server started on :8000",
    "2025-04-14 10:32:05 WARN  slow query (212 ms): SELECT * FROM orders",
    "2025-04-14 10:32:07 ERROR connection reset by peer",
    "Traceback (most recent call last):",
    '  File "src/app/client.py", line 42, in fetch',
    "TimeoutError: 请求超时",
]
CODE_UNITS = {
    "python": (PY_UNITS, PY_LINES),
    "javascript": (JS_UNITS, JS_LINES),
    "bash": (SH_UNITS, SH_LINES),
    "sql": (SQL_UNITS, SQL_LINES),
}
FILE_HINTS = {
    "python": ["src/app/config.py", "src/app/client.py", "src/app/cache.py", "tests/test_cache.py"],
    "javascript": ["src/web/api.js", "src/web/stream.js"],
    "bash": ["scripts/setup.sh", "scripts/migrate.sh"],
}


def _code_lines(rng: random.Random, language: str, n: int) -> list[str]:
    """Exactly n lines of plausible code: whole multi-line units (a blank line between
    them) and one-line fillers; text without a language is consecutive log/tree lines."""
    if language not in CODE_UNITS:
        start = rng.randrange(len(PLAIN_LINES))
        return [PLAIN_LINES[(start + i) % len(PLAIN_LINES)] for i in range(n)]
    units, fillers = CODE_UNITS[language]
    lines: list[str] = []
    used: set[str] = set()
    while len(lines) < n:
        room = n - len(lines) - (1 if lines else 0)
        fitting = [u for u in units if u.count("\n") + 1 <= room]
        fresh = [u for u in fitting if u not in used] or fitting
        if fitting and rng.random() < 0.8:
            if lines:
                lines.append("")
            unit = rng.choice(fresh)
            used.add(unit)
            lines.extend(unit.split("\n"))
        else:
            lines.append(rng.choice(fillers))
    return lines


def _json_lines(rng: random.Random, n: int) -> list[str]:
    keys = ["name", "version", "timeout", "retries", "endpoint", "model", "stream", "tags"]
    values = ['"glm-desk"', '"1.4.2"', "30", "3", '"https://api.example.com/v1"', '"glm-4-32b"']
    values += ["true", '["cache", "缓存"]', "null", "0.25"]
    body = [f'  "{rng.choice(keys)}_{i}": {rng.choice(values)}' for i in range(max(0, n - 2))]
    body = [line + "," for line in body[:-1]] + body[-1:]
    return ["{", *body, "}"][:n]


def _code_block(rng: random.Random, language: str, n: int, hinted: bool) -> str:
    hint: list[str] = []
    if hinted and language in FILE_HINTS:
        comment = "//" if language == "javascript" else "#"
        hint = [f"{comment} file: {rng.choice(FILE_HINTS[language])}"]
    if language == "json":
        lines = _json_lines(rng, n)
    else:
        lines = hint + _code_lines(rng, language, n - len(hint))
    return f"```{language}\n" + "\n".join(lines) + "\n```"


def _code_plan(rng: random.Random, count: int) -> list[tuple[str, int, bool]]:
    """(language, lines, file hint) per block: sizes 5-60, most of them short."""
    mix = ["python"] * 12 + ["javascript"] * 8 + ["bash"] * 7 + ["json"] * 5 + ["sql"] * 5
    mix += [""] * 3
    languages = [mix[i % len(mix)] for i in range(count)]
    rng.shuffle(languages)
    sizes = [rng.choice((5, 6, 8, 10, 12, 15, 18, 22, 28, 35, 45, 60)) for _ in range(count)]
    if count >= 2:
        sizes[0], sizes[-1] = 60, 5  # both ends of the range, always
    return [(lang, n, rng.random() < 0.5) for lang, n in zip(languages, sizes, strict=True)]


# --- the answer ---------------------------------------------------------------------------

CLOSING = [
    "That covers the whole setup from the first request to the deployed service.",
    "If anything in these steps does not match your project, tell me which part and I will",
    "adapt the code to it.",
    "希望这些内容对你有帮助，祝你开发顺利。",
    "Start with the configuration and the client, run the tests after each step,",
    "and measure before and after every optimisation.",
]


def closing_paragraph(length: int) -> str:
    """The answer's last paragraph: plain prose of the CLOSING sentences in order, as many
    as fit in `length` characters (the first always)."""
    text = CLOSING[0]
    for sentence in CLOSING[1:]:
        if len(text) + 1 + len(sentence) > length:
            break
        text += " " + sentence
    return text


def markdown_answer(tokens: int = 16_000, code_blocks: int = 40, seed: int = SEED) -> str:
    """A deterministic Markdown answer of about `tokens` tokens (4 characters each) with
    `code_blocks` fenced code blocks; see the module docstring."""
    rng = random.Random(seed)
    target = tokens * CHARS_PER_TOKEN
    plan = _code_plan(rng, code_blocks)
    n_sections = max(1, min(len(TOPICS), (code_blocks + 1) // 2))
    sections: list[list[str]] = []
    for s in range(n_sections):
        blocks = [f"## {s + 1}. {TOPICS[s]}", _paragraph(rng)]
        mine = plan[s::n_sections]  # 2 code blocks per section for 40 blocks
        for k, (language, lines, hinted) in enumerate(mine):
            if k:
                blocks.append(f"### {rng.choice(SUBTOPICS)}")
            blocks.append(_code_block(rng, language, lines, hinted))
            if (s + k) % 3 == 0:
                blocks.append(_bullets(rng, nested=s % 2 == 0))
            elif (s + k) % 3 == 1:
                blocks.append(_numbered(rng, nested=s % 4 == 1))
        if s % 6 == 2:
            blocks.append(_table(rng, s))
        if s % 7 == 3:
            blocks.append(_quote(rng))
        sections.append(blocks)
    intro = (
        "Below is a complete walk-through, from the project layout to deployment. "
        "下面是完整的步骤说明，每一节都附有可以直接运行的代码。"
    )
    used = len(intro) + sum(len(b) + 2 for blocks in sections for b in blocks)
    room = target - len(" ".join(CLOSING)) - 2  # what prose may fill before the closing
    s = 0
    shortest = min(map(len, EN_SENTENCES))
    while room - used > shortest + 2:  # paragraphs, then single sentences, round-robin
        para = _paragraph(rng)
        if used + len(para) + 2 > room:
            fits = [x for x in EN_SENTENCES if used + len(x) + 2 <= room]
            para = rng.choice(fits)
        blocks = sections[s % n_sections]
        blocks.insert(rng.randint(2, len(blocks)), para)
        used += len(para) + 2
        s += 1
    text = "\n\n".join([intro, *(b for blocks in sections for b in blocks)])
    return text + "\n\n" + closing_paragraph(target - len(text) - 2)


def chunks(text: str, size: int = CHARS_PER_TOKEN) -> list[str]:
    """Token-sized pieces, one SSE chunk each: `size` code points (never part of one)."""
    return [text[i : i + size] for i in range(0, len(text), size)]


# --- the server process -------------------------------------------------------------------


def serve(port: int, tokens: int, code_blocks: int) -> None:
    """Answer every chat request with the answer's chunks, unpaced; report each stream."""
    from tests.protocol_servers import ProtocolServer, Reply

    pieces = chunks(markdown_answer(tokens, code_blocks))
    server = ProtocolServer("openrouter", Reply(chunks=pieces, delay=0.0)).start(port)
    print("listening", server.base_url, flush=True)
    seen, reported = 0, 0
    try:
        while True:
            time.sleep(0.01)
            if server.completed > reported:
                log = server.sent_log[seen:]
                seen += len(log)
                reported = server.completed
                stats = {
                    "first": log[0][0],  # time.monotonic(): one clock for all processes
                    "last": log[-1][0],
                    "bytes": sum(len(data) for _, data in log),
                    "writes": len(log),
                    "chunks": len(pieces),
                }
                print("stream", json.dumps(stats), flush=True)
    except KeyboardInterrupt:
        server.stop()


class AnswerServer:
    """`serve` in a child process (its CPU is not the app's), as a context manager."""

    def __init__(self, tokens: int = 16_000, code_blocks: int = 40) -> None:
        self.args = ["--tokens", str(tokens), "--code-blocks", str(code_blocks)]
        self.base_url = ""
        self._lines: queue.Queue[str] = queue.Queue()
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> AnswerServer:
        cmd = [sys.executable, "-m", "tests.perf.answer_fixture", "--serve", "0", *self.args]
        self._proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        first = self._lines.get(timeout=30)
        assert first.startswith("listening "), first
        self.base_url = first.split()[1]
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line.strip())

    def next_stream(self, timeout: float = 30.0) -> dict[str, Any]:
        """The server's report of the next answer it wrote to the end."""
        while True:
            line = self._lines.get(timeout=timeout)
            if line.startswith("stream "):
                return json.loads(line.split(" ", 1)[1])

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)


# --- the bare-script baseline -------------------------------------------------------------

QUESTION = "Walk me through building and deploying a small Python web service, with code."


def baseline(base_url: str, width: int, tokens: int, code_blocks: int) -> dict[str, Any]:
    """Parse the SSE stream and render the final Markdown once; CPU seconds of each part."""
    import resource

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    import httpx
    from markdown_it import MarkdownIt
    from PySide6.QtGui import QGuiApplication, QTextDocument

    from app.core.protocol import TextDelta, parse_chunk
    from app.core.sse import SseDecoder

    qapp = QGuiApplication([])
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    c0 = cpu()
    client = httpx.Client(trust_env=False, timeout=60.0)
    client_cpu = cpu() - c0  # set-up, like the imports: outside the measured part
    body = {
        "model": "z-ai/glm-4-32b",
        "messages": [{"role": "user", "content": QUESTION}],
        "stream": True,
    }
    headers = {"Authorization": "Bearer test-key"}

    c_start, t_start = cpu(), time.monotonic()
    parts: list[str] = []
    received = 0
    decoder = SseDecoder()
    with client.stream("POST", f"{base_url}/chat/completions", json=body, headers=headers) as r:
        r.raise_for_status()
        for data in r.iter_bytes():
            received += len(data)
            for event in decoder.feed(data):
                if event.data.strip() == "[DONE]":
                    continue
                parts.extend(e.text for e in parse_chunk(event.data) if isinstance(e, TextDelta))
    text = "".join(parts)
    c_parsed, t_parsed = cpu(), time.monotonic()
    html = md.render(text)
    doc = QTextDocument()
    doc.setDocumentMargin(12)
    doc.setTextWidth(width)
    doc.setHtml(html)
    height = doc.documentLayout().documentSize().height()
    c_end, t_end = cpu(), time.monotonic()
    client.close()
    del qapp
    return {
        "cpu_s": c_end - c_start,  # request to layout: the figure the app is compared with
        "parse_cpu_s": c_parsed - c_start,
        "render_cpu_s": c_end - c_parsed,
        "process_cpu_s": c_end,  # the whole process so far: start-up and imports included
        "client_cpu_s": client_cpu,
        "wall_s": t_end - t_start,
        "stream_wall_s": t_parsed - t_start,
        "bytes": received,
        "chars": len(text),
        "text_ok": text == markdown_answer(tokens, code_blocks),
        "doc_height": height,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--serve", type=int, metavar="PORT", help="serve the answer (0: any)")
    mode.add_argument("--baseline", metavar="BASE_URL", help="run the bare-script baseline")
    mode.add_argument("--print", action="store_true", help="print the answer")
    ap.add_argument("--tokens", type=int, default=16_000)
    ap.add_argument("--code-blocks", type=int, default=40)
    ap.add_argument("--width", type=int, default=800, help="baseline: text width in pixels")
    args = ap.parse_args()
    if args.print:
        print(markdown_answer(args.tokens, args.code_blocks))
    elif args.serve is not None:
        serve(args.serve, args.tokens, args.code_blocks)
    else:
        result = baseline(args.baseline, args.width, args.tokens, args.code_blocks)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
