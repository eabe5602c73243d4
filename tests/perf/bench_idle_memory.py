"""Light when idle and over time.

Run: `.venv/bin/python -m pytest tests/perf/bench_idle_memory.py --perf -s`

1. Ten tabs of 200 messages: the app (`python -m app`, compiled bytecode, offscreen) starts on
   a profile whose last session had ten conversations of 200 messages open. Once it is ready
   and has settled (warm-up thread done), its resident memory is read from /proc, then its CPU
   time (user + system, all threads) over 60 s of doing nothing. The reference is a bare
   PySide6 window, started and measured alongside it in the same 60 s. Goals: <= 100 MiB,
   <= 0.1 % of one core.
2. Fifty answers in one tab: a real window, in a process of its own (a fresh heap, as the
   app has), asks fifty questions of a local server in another process; each answer is
   about 2,000 characters of Markdown with a code block. RSS after the first answer and
   after fifty more, each after a collection. The reference: the same growth of a bare
   QTextBrowser (another process) given the same questions and answers as Markdown, laid
   out and scrolled to the end after each: what Qt's own text layout keeps for them.
   Goal: <= 5 MiB.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.core.store import HISTORY_FILE, HistoryStore, conversation_record
from app.services.history import SESSION_KEY
from tests.perf.bench_history import TextMaker
from tests.perf.table import ROOT, mib, record, server_process
from tests.protocol_servers import ProtocolServer, Reply

TABS, MESSAGES = 10, 200
IDLE_S = 60.0
SETTLE_S = 6.0
RSS_GOAL_MIB, CPU_GOAL_PCT, GROWTH_GOAL_MIB = 100.0, 0.1, 5.0
ANSWERS = 50

BARE_IDLE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1200, 780)
window.show()
app.exec()
"""


def clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / clock_ticks()  # utime + stime


def profile_with_open_tabs(profile: Path) -> Path:
    profile.mkdir(parents=True, exist_ok=True)
    store = HistoryStore(profile / HISTORY_FILE)
    maker = TextMaker(seed=3)
    ids = []
    start = time.time() - 86400
    for i in range(TABS):
        conv = maker.conversation(MESSAGES, start + i * 5000)
        store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
        ids.append(conv.id)
    state = {"tabs": [{"id": cid, "draft": "", "top": [-1, 0]} for cid in ids], "current": 0}
    store.set_meta(SESSION_KEY, json.dumps(state))
    store.close()
    return profile


def wait_for_ready(log: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app ended"
        if log.is_file() and ", ready " in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError("the app did not get ready")


def test_ten_tabs_of_200_messages_idle(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(tmp_path / "pyc")}
    env |= {"PYTHONPATH": str(ROOT), "OPENROUTER_API_KEY": "test-key"}
    profile = profile_with_open_tabs(tmp_path / "profile")
    bare_script = tmp_path / "bare_idle.py"
    bare_script.write_text(BARE_IDLE)
    app_cmd = [sys.executable, "-m", "app", "--no-crash-dialog", "--profile", str(profile)]
    app_cmd += ["--provider", "openrouter", "--base-url", "http://127.0.0.1:9/v1"]
    bare = subprocess.Popen([sys.executable, str(bare_script)], env=env)
    app = subprocess.Popen(app_cmd, env=env, cwd=ROOT)
    try:
        wait_for_ready(profile / "logs" / "glm-desk.log", app)
        time.sleep(SETTLE_S)  # the warm-up thread, the sidebar, deferred deletes
        app_rss, bare_rss = rss_mib(app.pid), rss_mib(bare.pid)
        app_cpu0, bare_cpu0, t0 = cpu_s(app.pid), cpu_s(bare.pid), time.monotonic()
        time.sleep(IDLE_S)
        elapsed = time.monotonic() - t0
        app_pct = (cpu_s(app.pid) - app_cpu0) / elapsed * 100
        bare_pct = (cpu_s(bare.pid) - bare_cpu0) / elapsed * 100
    finally:
        for p in (app, bare):
            p.send_signal(signal.SIGTERM)
        for p in (app, bare):
            p.wait(30)
    print(
        f"\n{TABS} tabs x {MESSAGES} messages: RSS {app_rss:.1f} MiB (bare window "
        f"{bare_rss:.1f}); idle CPU over {elapsed:.0f} s {app_pct:.3f} % (bare {bare_pct:.3f} %)"
    )
    record(
        f"memory, {TABS} tabs × {MESSAGES} messages open",
        mib(app_rss),
        reference=f"bare PySide6 window {mib(bare_rss)}",
        ratio=app_rss / bare_rss,
        goal=f"≤ {RSS_GOAL_MIB:.0f} MiB",
        met=app_rss <= RSS_GOAL_MIB,
    )
    record(
        f"idle CPU with those tabs, over {IDLE_S:.0f} s",
        f"{app_pct:.3f} %",
        reference=f"bare PySide6 window {bare_pct:.3f} %",
        goal=f"≤ {CPU_GOAL_PCT} %",
        met=app_pct <= CPU_GOAL_PCT,
    )
    assert app.returncode == 0


def answer_text(i: int) -> str:
    maker = TextMaker(seed=100 + i)
    prose = " ".join(maker.sentence() for _ in range(12))
    code = "\n".join(f"    total_{k} = compute({k}, {i})  # step {k}" for k in range(12))
    return f"{prose}\n\n```python\ndef answer_{i}():\n{code}\n    return total_0\n```\n\n{prose}"


def bare_growth() -> float:
    """In its own process: a bare QTextBrowser's RSS growth over the same fifty answers."""
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication, QTextBrowser

    app = QApplication([])
    browser = QTextBrowser()
    browser.resize(900, 700)
    browser.show()

    def add(i: int) -> None:
        cursor = browser.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertMarkdown(f"question {i}\n\n{answer_text(i)}\n\n")
        app.processEvents()
        bar = browser.verticalScrollBar()
        bar.setValue(bar.maximum())
        app.processEvents()

    add(0)
    gc.collect()
    before = rss_mib(os.getpid())
    for i in range(1, ANSWERS + 1):
        add(i)
    gc.collect()
    return rss_mib(os.getpid()) - before


def serve() -> None:
    """The server process for the fifty answers."""
    server = ProtocolServer("openrouter").start(0)
    for i in range(ANSWERS + 1):
        text = answer_text(i)
        server.push(Reply(chunks=[text[k : k + 40] for k in range(0, len(text), 40)]))
    print(server.base_url, flush=True)
    sys.stdin.read()
    server.stop()


async def ask(window, n: int) -> None:
    window.composer.setPlainText(f"question {n}")
    window.composer.submit()
    session = window.current_tab().session
    await asyncio.sleep(0.01)
    while session.busy or window.current_view().rendering:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)


async def settled_rss() -> float:
    await asyncio.sleep(0.5)  # deferred deletes, the code pane, the history
    gc.collect()
    return rss_mib(os.getpid())


def fifty_answers(base_url: str, profile: Path) -> dict[str, float]:
    """In its own process (a fresh heap, as the app's): the window asks fifty questions."""
    os.environ["QT_API"] = "pyside6"
    from PySide6.QtWidgets import QApplication

    import qasync  # isort: skip  (after PySide6)

    from app.services.main_thread_gc import MainThreadGarbageCollector
    from tests.ui.conftest import providers_at

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)  # as the app: run() decides when it is done
    collector = MainThreadGarbageCollector(app)
    collector.freeze()

    async def run() -> dict[str, float]:
        from app.core.asyncutil import install_asyncgen_finalizer
        from app.services.backend import Backend

        install_asyncgen_finalizer(asyncio.get_running_loop())
        from app.services.history import HistoryService
        from app.ui.main_window import MainWindow

        history = HistoryService(profile / HISTORY_FILE)
        backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
        window = MainWindow(backend, history, providers_at(base_url), "openrouter")
        window.resize(1200, 780)
        window.show()
        try:
            await ask(window, 0)  # everything loaded once
            before = await settled_rss()
            for n in range(1, ANSWERS + 1):
                await ask(window, n)
            after = await settled_rss()
            shown = len(window.current_tab().conversation.messages)
        finally:
            window.close()
            await window.wait_stopped()
            await backend.aclose()
            history.flush_and_close()
        return {"before": before, "after": after, "shown": shown}

    return qasync.run(run())


def test_fifty_answers_in_one_tab(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-m", "tests.perf.bench_idle_memory"]
    with server_process("tests.perf.bench_idle_memory") as base_url:
        out = subprocess.run(
            [*cmd, "--fifty", base_url, str(tmp_path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    before, after = result["before"], result["after"]
    assert result["shown"] == 2 * (ANSWERS + 1)
    bare_cmd = [*cmd, "--bare-growth"]
    out = subprocess.run(bare_cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    bare = json.loads(out.stdout.strip().splitlines()[-1])["growth_mib"]
    growth = after - before
    print(
        f"\n{ANSWERS} answers in one tab: RSS {before:.1f} -> {after:.1f} MiB (+{growth:.1f}); "
        f"a bare QTextBrowser with the same Markdown: +{bare:.1f} MiB"
    )
    record(
        f"RSS growth over {ANSWERS} answers in one tab",
        mib(growth),
        reference=f"bare QTextBrowser, same answers {mib(bare)}",
        ratio=growth / bare if bare > 0 else None,
        goal=f"≤ {GROWTH_GOAL_MIB:.0f} MiB",
        met=growth <= GROWTH_GOAL_MIB,
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--bare-growth"]:
        print(json.dumps({"growth_mib": bare_growth()}))
    elif sys.argv[1:2] == ["--fifty"]:
        print(json.dumps(fifty_answers(sys.argv[2], Path(sys.argv[3]))))
    else:
        serve()
