"""Real MCP servers through the hub (no Qt): the SDK-written test server over stdio and
Streamable HTTP, and the published reference server mcp-server-time from PyPI. Every
failure a user meets is produced for real: a missing command, a server that exits at start
or hangs, one that speaks another protocol version, a crash mid-call, 401 and 404."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.core import child_process, redact
from app.core.mcp import launch
from app.core.mcp.config import ServerConfig, Transport, parse, secret_account
from app.core.mcp.hub import PID_DIR, McpHub, end_orphans
from app.core.mcp.problems import McpProblem, ProblemKind
from app.core.mcp.server import ServerState

HERE = Path(__file__).resolve().parent
ECHO = str(HERE.parent / "mcp_servers" / "echo_server.py")
BIN = Path(sys.executable).parent


def local(name: str, *args: str, command: str = sys.executable, **kw) -> ServerConfig:
    return ServerConfig(name=name, command=command, args=args, **kw)


@pytest.fixture
def hub(tmp_path):
    secrets: dict[str, str] = {}
    made = McpHub(secrets.get, tmp_path / "profile")
    made.secret_values = secrets  # type: ignore[attr-defined]
    yield made
    made.shutdown()


def run(coro):
    return asyncio.run(coro)


def pids_of(hub: McpHub, name: str) -> int:
    record = json.loads((hub.profile / PID_DIR / f"{name}.json").read_text())
    return int(record["pid"])


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not child_process.alive(pid):
            return True
        try:  # a zombie of ours still answers kill(0): reap it
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return not child_process.alive(pid)


def test_the_sdk_server_lists_its_tools_and_answers_calls(hub, tmp_path):
    hub.secret_values[secret_account("echo", "env", "ECHO_TOKEN")] = "tok-1234567890abcdef"
    hub.configure([local("echo", ECHO, env_keys=("ECHO_TOKEN",))])

    async def go():
        server = await hub.start("echo")
        names = [t.wire for t in server.tools]
        assert names[:3] == ["echo__echo", "echo__add", "echo__picture"]
        add = next(t for t in server.tools if t.name == "add")
        assert add.schema["type"] == "object" and set(add.schema["required"]) == {"a", "b"}
        summed = await hub.call("echo", "add", {"a": 2, "b": 40}, 10)
        assert json.loads(summed.text) == {"sum": 42} and not summed.is_error
        picture = await hub.call("echo", "picture", {}, 10)
        assert picture.images[0]["mime"] == "image/png"
        assert "image/png" in picture.text and "shown to the user" in picture.text
        failed = await hub.call("echo", "fail", {"reason": "no disk"}, 10)
        assert failed.is_error
        token = await hub.call("echo", "env", {"name": "ECHO_TOKEN"}, 10)
        assert token.text == "tok-1234567890abcdef"  # from the keyring into its environment
        ours = await hub.call("echo", "env", {"name": "OPENROUTER_API_KEY"}, 10)
        assert ours.text == "<unset>"  # the app's own keys never reach a server
        return server

    os.environ["OPENROUTER_API_KEY"] = "sk-or-v1-should-never-leak-0000"
    try:
        server = run(go())
    finally:
        del os.environ["OPENROUTER_API_KEY"]
    assert server.state == ServerState.READY
    log = (hub.profile / "logs" / "mcp-echo.log").read_text()
    assert "echo-test server pid" in log  # its stderr is its log
    assert "tok-1234567890abcdef" not in log and "tok-1234567890abcdef" not in "\n".join(server.log)
    pid = pids_of(hub, "echo")
    hub.shutdown()
    assert gone(pid) and not (hub.profile / PID_DIR / "echo.json").exists()
    redact.forget_all()


def test_the_published_time_server_from_pypi(hub):
    hub.configure([local("time", command=str(BIN / "mcp-server-time"))])

    async def go():
        server = await hub.start("time")
        assert {t.wire for t in server.tools} >= {"time__get_current_time", "time__convert_time"}
        now = await hub.call("time", "get_current_time", {"timezone": "Asia/Shanghai"}, 20)
        assert not now.is_error and json.loads(now.text)["timezone"] == "Asia/Shanghai"

    run(go())


def test_a_command_only_on_the_apps_own_python_folder_is_found(hub, monkeypatch):
    """A desktop launch: PATH is the bare system one, the shell says nothing more; the
    server installed beside the app's Python is still found."""
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("SHELL", "/nonexistent/shell")
    monkeypatch.setattr(launch, "_shell_path", None)
    hub.configure([local("time", command="mcp-server-time")])
    server = run(hub.start("time"))
    assert server.state == ServerState.READY


def test_the_login_shells_path_comes_first(tmp_path, monkeypatch):
    shell = tmp_path / "fake-shell"
    shell.write_text('#!/bin/sh\necho "motd noise"\nPATH=/opt/login/bin:/usr/bin\neval "$2"\n')
    shell.chmod(0o755)
    monkeypatch.setattr(launch, "_shell_path", None)
    path = launch.search_path({"SHELL": str(shell), "PATH": "/usr/bin:/bin"})
    assert path.split(":")[:2] == ["/opt/login/bin", "/usr/bin"]
    monkeypatch.setattr(launch, "_shell_path", None)


def test_a_missing_command_says_where_it_looked(hub):
    hub.configure([local("gh", command="npx-that-does-not-exist")])
    with pytest.raises(McpProblem) as caught:
        run(hub.start("gh"))
    problem = caught.value
    assert problem.kind == ProblemKind.NOT_FOUND
    assert "npx-that-does-not-exist was not found" in problem.message
    assert "Searched PATH:" in problem.detail and "/usr/bin" in problem.detail
    assert hub.state("gh") == ServerState.FAILED


def test_a_server_that_exits_at_start_is_reported_with_its_last_lines(hub):
    script = "import sys; print('config error: no API_TOKEN', file=sys.stderr); sys.exit(2)"
    hub.configure([local("bad", "-c", script)])
    with pytest.raises(McpProblem) as caught:
        run(hub.start("bad"))
    assert caught.value.kind == ProblemKind.EXITED
    assert "exited during start-up (exit status 2)" in caught.value.message
    assert "config error: no API_TOKEN" in caught.value.detail


def test_a_server_that_never_answers_times_out_and_is_ended(hub):
    hub.start_timeout = 2.0
    hub.configure([local("mute", "-c", "import time; time.sleep(600)")])
    started = time.monotonic()
    with pytest.raises(McpProblem) as caught:
        run(hub.start("mute"))
    assert caught.value.kind == ProblemKind.TIMEOUT and time.monotonic() - started < 12
    assert "did not answer within 2 s" in caught.value.message
    assert not list((hub.profile / PID_DIR).glob("*.json"))  # ended, record gone


RAW_SERVER = r"""
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if "id" not in msg:
        continue
    if msg["method"] == "initialize":
        result = {"protocolVersion": "1999-01-01", "capabilities": {},
                  "serverInfo": {"name": "ancient", "version": "0"}}
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}), flush=True)
    else:
        error = {"code": -32601, "message": "Method not found"}
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "error": error}), flush=True)
"""


def test_a_server_of_an_unknown_protocol_version_is_refused_in_words(hub):
    hub.configure([local("ancient", "-c", RAW_SERVER)])
    with pytest.raises(McpProblem) as caught:
        run(hub.start("ancient"))
    assert caught.value.kind == ProblemKind.PROTOCOL
    assert "version of MCP" in caught.value.message


def test_a_call_past_its_timeout_is_cancelled_on_the_server(hub, tmp_path, monkeypatch):
    marks = tmp_path / "marks"
    monkeypatch.setenv("MCP_TEST_MARKS", str(marks))
    hub.configure([local("echo", ECHO, env={"MCP_TEST_MARKS": str(marks)}, transient=True)])

    async def go():
        await hub.start("echo")
        result = await hub.call("echo", "sleep", {"seconds": 30}, 1.0)
        assert result.is_error and "did not answer within 1 s" in result.text
        for _ in range(100):
            if "cancelled" in marks.read_text():
                break
            await asyncio.sleep(0.05)
        # The session is still usable afterwards.
        assert (await hub.call("echo", "echo", {"text": "still here"}, 5)).text == "still here"

    run(go())
    assert "cancelled" in marks.read_text()  # the server was told


def test_stop_cancels_a_running_call_and_the_server_is_told(hub, tmp_path):
    marks = tmp_path / "marks"
    hub.configure([local("echo", ECHO, env={"MCP_TEST_MARKS": str(marks)}, transient=True)])

    async def go():
        await hub.start("echo")
        task = asyncio.ensure_future(hub.call("echo", "sleep", {"seconds": 30}, 60))
        for _ in range(100):
            if marks.exists() and "sleep" in marks.read_text():
                break
            await asyncio.sleep(0.05)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 2
        for _ in range(100):
            if "cancelled" in marks.read_text():
                break
            await asyncio.sleep(0.05)

    run(go())
    assert "cancelled" in marks.read_text()


def test_a_crash_mid_call_is_reported_and_the_next_use_starts_it_again(hub):
    hub.configure([local("echo", ECHO)])

    async def go():
        await hub.start("echo")
        first = pids_of(hub, "echo")
        with pytest.raises(McpProblem) as caught:
            await hub.call("echo", "crash", {}, 10)
        assert caught.value.kind == ProblemKind.EXITED
        assert "exit status 3" in caught.value.message
        assert "crashing now" in caught.value.detail
        assert hub.state("echo") == ServerState.FAILED
        again = await hub.call("echo", "echo", {"text": "back"}, 10)
        assert again.text == "back" and pids_of(hub, "echo") != first

    run(go())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def http_server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, ECHO, "--http", str(port), "--token", "secret-token-0123456789"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(5)


def test_streamable_http_with_a_header_from_the_keyring(hub, http_server):
    account = secret_account("remote", "header", "Authorization")
    hub.secret_values[account] = "Bearer secret-token-0123456789"
    remote = ServerConfig(
        name="remote",
        url=f"{http_server}/mcp",
        transport=Transport.HTTP,
        header_keys=("Authorization",),
    )
    hub.configure([remote])

    async def go():
        server = await hub.start("remote")
        assert "remote__echo" in [t.wire for t in server.tools]
        said = await hub.call("remote", "echo", {"text": "over http"}, 10)
        assert said.text == "over http"
        return server

    server = run(go())
    assert "secret-token-0123456789" not in "\n".join(server.log)
    redact.forget_all()


def test_http_401_and_404_are_said_in_words(hub, http_server):
    no_token = ServerConfig(name="nokey", url=f"{http_server}/mcp", transport=Transport.HTTP)
    wrong = ServerConfig(name="wrong", url=f"{http_server}/nothing", transport=Transport.HTTP)
    hub.configure([no_token, wrong])
    with pytest.raises(McpProblem) as caught:
        run(hub.start("nokey"))
    assert caught.value.kind == ProblemKind.AUTH and "HTTP 401" in caught.value.message
    account = secret_account("wrong", "header", "Authorization")
    hub.secret_values[account] = "Bearer secret-token-0123456789"
    hub.configure([no_token, replace(wrong, header_keys=("Authorization",))])
    with pytest.raises(McpProblem) as caught:
        run(hub.start("wrong"))
    assert caught.value.kind == ProblemKind.NO_SERVER
    assert f"no MCP server at {http_server}/nothing (HTTP 404)" in caught.value.message
    redact.forget_all()


def test_a_header_whose_value_is_not_in_the_keyring_says_so(hub):
    cfg = ServerConfig(
        name="r", url="http://127.0.0.1:9/mcp", transport=Transport.HTTP, header_keys=("X-Key",)
    )
    hub.configure([cfg])
    with pytest.raises(McpProblem) as caught:
        run(hub.start("r"))
    assert caught.value.kind == ProblemKind.SECRETS and "X-Key" in caught.value.message


def test_disabling_a_server_stops_it(hub):
    hub.configure([local("echo", ECHO)])
    run(hub.start("echo"))
    pid = pids_of(hub, "echo")
    hub.configure([local("echo", ECHO, disabled=True)])
    assert gone(pid, 10)
    with pytest.raises(McpProblem):
        run(hub.start("echo"))


ORPHAN_MAKER = """
import asyncio, sys, time
from pathlib import Path
from app.core.mcp.config import ServerConfig
from app.core.mcp.hub import McpHub
hub = McpHub(lambda k: None, Path(sys.argv[1]))
hub.configure([ServerConfig(name="echo", command=sys.executable, args=(sys.argv[2], "--linger"))])
asyncio.run(hub.start("echo"))
print("ready", flush=True)
time.sleep(600)
"""


def test_a_server_left_by_a_killed_app_is_ended_at_the_next_start(tmp_path):
    profile = tmp_path / "profile"
    app = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_MAKER, str(profile), ECHO],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent.parent,
    )
    assert app.stdout is not None and app.stdout.readline().strip() == "ready"
    record = json.loads((profile / PID_DIR / "echo.json").read_text())
    server_pid = int(record["pid"])
    app.kill()  # kill -9: nothing of ours runs
    app.wait(5)
    assert child_process.alive(server_pid)  # orphaned
    try:
        assert end_orphans(profile) == [server_pid]
        assert gone(server_pid)
        assert not (profile / PID_DIR / "echo.json").exists()
    finally:
        child_process.end_group(server_pid, 1)


def test_a_pid_record_of_a_live_owner_is_left_alone(tmp_path):
    profile = tmp_path / "p"
    (profile / PID_DIR).mkdir(parents=True)
    sleeper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    other_app = subprocess.Popen(["sleep", "30"])  # a second GLM Desk on the profile
    try:
        child_process.write_record(profile / PID_DIR / "x.json", sleeper.pid)
        record = json.loads((profile / PID_DIR / "x.json").read_text())
        record["owner"] = other_app.pid
        (profile / PID_DIR / "x.json").write_text(json.dumps(record))
        assert end_orphans(profile) == []  # its owner still runs
        assert sleeper.poll() is None and (profile / PID_DIR / "x.json").exists()
        other_app.kill()
        other_app.wait()
        assert end_orphans(profile) == [sleeper.pid]  # now it is an orphan
    finally:
        for p in (sleeper, other_app):
            p.kill()
            p.wait()


def test_a_claude_desktop_file_runs_as_configured(hub, tmp_path):
    text = json.dumps(
        {
            "globalShortcut": "Ctrl+Space",
            "mcpServers": {
                "time": {"command": str(BIN / "mcp-server-time"), "args": []},
                "off": {"command": "npx", "args": ["-y", "x"], "disabled": True},
            },
        }
    )
    parsed = parse(text, transient=True)
    hub.configure(parsed.servers)
    assert hub.enabled() == ["time"]
    assert run(hub.start("time")).state == ServerState.READY
