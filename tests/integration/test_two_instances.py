"""Two GLM Desks on one profile: the second is told, exits with EXIT_PROFILE_IN_USE and
changes nothing; the first keeps working. A lock left by a killed app blocks nothing."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from app.core.conversation import AnswerState
from app.core.profile import EXIT_PROFILE_IN_USE, LOCK_FILE
from app.core.protocol import Role
from app.core.store import HISTORY_FILE, HistoryStore
from tests.app_process import run_glm_desk
from tests.integration.test_kill_mid_stream import earlier_conversation
from tests.protocol_servers import ProtocolServer, Reply

ROOT = Path(__file__).resolve().parents[2]


class App:
    """tests.integration.kill_target in a subprocess, its stdout read line by line."""

    def __init__(self, profile: Path, base_url: str, question: str, *extra: str) -> None:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "OPENROUTER_API_KEY": "test-key",
            "PYTHONPATH": str(ROOT),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.kill_target",
                str(profile),
                base_url,
                question,
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def wait_for(self, line: str, timeout: float = 30) -> None:
        while True:
            try:
                got = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {line!r} from the app: {self.stderr()}") from None
            if got == line:
                return

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read()

    def end(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def files(profile: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the profile: its bytes and modification time (the -shm, which every
    reader touches, left out)."""
    return {
        str(p.relative_to(profile)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(profile.rglob("*"))
        if p.is_file() and not p.name.endswith("-shm")
    }


def answers(profile: Path) -> list[tuple[str, AnswerState]]:
    """The assistant messages stored so far, read without writing (the app is running)."""
    store = HistoryStore(profile / HISTORY_FILE, read_only=True)
    try:
        with store.reading():
            convs = [store.load(info.id) for info in store.list_conversations()]
    finally:
        store.close()
    return [(m.content, m.state) for c in convs for m in c.messages if m.role == Role.ASSISTANT]


def test_a_second_app_on_the_same_profile_exits_and_the_first_keeps_working(tmp_path):
    profile = tmp_path / "profile"
    profile.mkdir()
    earlier_conversation(profile)
    (profile / "settings.json").write_text('{"version": 1, "appearance.font_size": 13}\n')
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="the first answer"), Reply(text="the second answer"))
        first = App(profile, server.base_url, "the question")
        try:
            first.wait_for("answered")
            done = ("the first answer", AnswerState.DONE)
            assert server.wait_for(lambda: done in answers(profile))
            before = files(profile)
            assert (profile / LOCK_FILE).read_text().strip() == str(first.proc.pid)

            # With --no-crash-dialog, and offscreen without it: no dialog, the text on stderr.
            for flags in (["--no-crash-dialog"], []):
                second = run_glm_desk("--profile", str(profile), *flags, timeout=30)
                assert second.returncode == EXIT_PROFILE_IN_USE == 3, second.stderr
                assert (
                    f"Another GLM Desk (process {first.proc.pid}) is using the profile folder "
                    f"{profile.resolve()}." in second.stderr
                )
                assert "Use the GLM Desk window that is already open" in second.stderr
                assert "glm-desk --profile DIR" in second.stderr
            # A smoke run is refused too, before it writes anything.
            smoke = run_glm_desk("--smoke", "--no-crash-dialog", "--profile", str(profile))
            assert smoke.returncode == EXIT_PROFILE_IN_USE and "smoke" not in smoke.stdout
            assert files(profile) == before  # the second wrote nothing at all

            # The history commands: export reads (read-only), import refuses and says why.
            exported = run_glm_desk("export", "--profile", str(profile))
            assert exported.returncode == 0, exported.stderr
            contents = [m["content"] for r in json.loads(exported.stdout) for m in r["messages"]]
            assert "the first answer" in contents
            bundle = tmp_path / "bundle.json"
            bundle.write_text(exported.stdout, encoding="utf-8")
            imported = run_glm_desk("import", str(bundle), "--profile", str(profile))
            assert imported.returncode == 1
            assert f"GLM Desk (process {first.proc.pid}) is using the profile" in imported.stderr
            assert "quit it and run this again" in imported.stderr
            assert files(profile) == before

            # The first still works: it asks again, answers, and quits cleanly.
            os.kill(first.proc.pid, signal.SIGUSR1)
            first.wait_for("answered")
            first.proc.send_signal(signal.SIGTERM)
            assert first.proc.wait(30) == 0, first.stderr()
        finally:
            first.end()

    assert answers(profile)[-2:] == [
        ("the first answer", AnswerState.DONE),
        ("the second answer", AnswerState.DONE),
    ]
    db = sqlite3.connect(profile / HISTORY_FILE)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    session = json.loads(db.execute("SELECT value FROM meta WHERE key='session'").fetchone()[0])
    db.close()
    assert len(session["tabs"]) == 1
    assert (profile / "window.ini").is_file()
    assert json.loads((profile / "settings.json").read_text())["appearance.font_size"] == 13
    # Free again: the next start is not refused.
    again = run_glm_desk("--smoke", "--no-crash-dialog", "--profile", str(profile))
    assert again.returncode == 0, again.stderr


def test_a_lock_left_by_a_killed_app_does_not_block_the_next_start(tmp_path):
    profile = tmp_path / "profile"
    profile.mkdir()
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="slow " * 500, delay=0.01))
        app = App(profile, server.base_url, "the question")
        try:
            app.wait_for("asked")
            os.kill(app.proc.pid, signal.SIGKILL)
            assert app.proc.wait(10) == -signal.SIGKILL
        finally:
            app.end()
    assert (profile / LOCK_FILE).read_text().strip() == str(app.proc.pid)  # left behind
    again = run_glm_desk("--smoke", "--no-crash-dialog", "--profile", str(profile))
    assert again.returncode == 0, again.stderr
    assert "window visible: True" in again.stdout
