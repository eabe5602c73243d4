"""The real app and a real MCP server process: a server marked "start with the app" from
`--mcp-config` runs while the app does, ends when the app quits, and one left by a
`kill -9` of the app is ended by the next start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import child_process
from tests.app_process import ROOT, run_glm_desk

ECHO = str(ROOT / "tests" / "mcp_servers" / "echo_server.py")


def config_file(tmp_path: Path, *args: str) -> Path:
    path = tmp_path / "servers.json"
    entry = {"command": sys.executable, "args": [ECHO, *args], "startWithApp": True}
    path.write_text(json.dumps({"mcpServers": {"echo": entry}}))
    return path


def start_app(profile: Path, config: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "app", "--profile", str(profile), "--no-crash-dialog"]
        + ["--provider", "openrouter", "--mcp-config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def server_pid(profile: Path, app: subprocess.Popen[bytes], within: float = 60) -> int:
    """The server's pid, once it is ready (its log says so)."""
    record = profile / "mcp-pids" / "echo.json"
    log = profile / "logs" / "mcp-echo.log"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if record.exists() and log.exists() and "ready: echo-test" in log.read_text():
            return int(json.loads(record.read_text())["pid"])
        assert app.poll() is None, app.stderr.read().decode() if app.stderr else ""
        time.sleep(0.1)
    raise AssertionError("the MCP server did not start with the app")


def gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not child_process.alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("linger", [False, True])
def test_the_server_ends_with_the_app(tmp_path, linger):
    """A server that exits when its stdin closes, and one that must be signalled."""
    profile = tmp_path / "profile"
    app = start_app(profile, config_file(tmp_path, *(["--linger"] if linger else [])))
    try:
        pid = server_pid(profile, app)
        assert child_process.alive(pid)
        app.send_signal(signal.SIGTERM)  # a logout, `kill`: the window closes cleanly
        assert app.wait(30) == 0
        assert gone(pid)
        assert not (profile / "mcp-pids" / "echo.json").exists()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()


def test_a_server_left_by_kill_9_is_ended_by_the_next_start(tmp_path):
    profile = tmp_path / "profile"
    app = start_app(profile, config_file(tmp_path, "--linger"))  # it outlives its stdin
    pid = 0
    try:
        pid = server_pid(profile, app)
        app.kill()
        app.wait(10)
        time.sleep(0.5)
        assert "echo_server.py" in " ".join(
            child_process.cmdline(pid)
        )  # its app is gone; it is not
        done = run_glm_desk("--profile", str(profile), "--smoke", "--no-crash-dialog", timeout=90)
        assert done.returncode == 0, done.stderr
        assert gone(pid)
        assert not (profile / "mcp-pids" / "echo.json").exists()
        log = (profile / "logs" / "glm-desk.log").read_text()
        assert f"ending MCP server {pid} left by an earlier run" in log, log
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        if pid and child_process.alive(pid):
            child_process.end_group(pid, 1)


def test_a_bad_mcp_config_file_is_said_and_the_app_starts(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    done = run_glm_desk(
        "--profile", str(tmp_path / "p"), "--smoke", "--mcp-config", str(bad), "--no-crash-dialog"
    )
    assert done.returncode == 0, done.stderr
    assert f"--mcp-config {bad}: This is not valid JSON" in done.stderr
