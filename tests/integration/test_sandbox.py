"""The snippet runner against real processes in the real sandboxes of this machine.

Every layer is forced in turn (bubblewrap, unshare namespaces, limits only) and given the
hostile snippets: one that reads the home folder or ~/.ssh, writes outside its folder, forks
without end, allocates 10 GB, sleeps forever, prints 100 MB, connects to 127.0.0.1 and to a
public address, reads OPENROUTER_API_KEY, or leaves processes behind when stopped. On CI a
layer that does not work here fails its tests; elsewhere (Ubuntu 24.04 blocks unprivileged
user namespaces) they are skipped with the layer's own reason.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import stat
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from app.core.runner import sandbox
from app.core.runner.languages import JAVASCRIPT, PYTHON, SHELL, Runtime, find_runtime
from app.core.runner.outcome import for_model, record_of
from app.core.runner.run import Limits, RunRequest, SnippetRun, end_orphans
from app.core.runner.sandbox import Layer, choose, probe

SANDBOXED = (Layer.BUBBLEWRAP, Layer.NAMESPACES)


def need(layer: Layer) -> None:
    found = probe(layer)
    if not found.works:
        if os.environ.get("CI"):
            pytest.fail(f"{layer.value} does not work on this CI machine: {found.reason}")
        pytest.skip(f"{layer.value} does not work here: {found.reason}")


def python_for(layer: Layer) -> Runtime:
    """python3; without a sandbox, as root, the system's (the snippet runs as nobody, who
    cannot read root's home, where pyenv or a venv may live)."""
    if layer == Layer.NONE and os.geteuid() == 0 and Path("/usr/bin/python3").exists():
        return find_runtime(PYTHON, "/usr/bin/python3")
    return find_runtime(PYTHON)


def run(layer: Layer, code: str, language: str = PYTHON, **kw) -> tuple[SnippetRun, object]:
    runtime = python_for(layer) if language == PYTHON else find_runtime(language)
    limits = kw.pop("limits", Limits(timeout=10))
    snippet = SnippetRun(RunRequest(language, code, runtime, layer, limits=limits, **kw))
    result = asyncio.run(snippet.run())
    return snippet, result


def sleeper(marker: str, seconds: int = 1000) -> str:
    """Python code of an argv list: a process that sleeps, with `marker` in its command line
    (GNU sleep would refuse the extra argument)."""
    return f"[sys.executable, '-c', 'import time; time.sleep({seconds})', {marker!r}]"


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(params=[layer.value for layer in sandbox.LAYERS])
def layer(request) -> Layer:
    chosen = Layer(request.param)
    need(chosen)
    return chosen


@pytest.fixture(params=[layer.value for layer in SANDBOXED])
def confined(request) -> Layer:
    chosen = Layer(request.param)
    need(chosen)
    return chosen


def test_the_strongest_working_layer_is_chosen_and_said():
    probes = {layer: probe(layer) for layer in sandbox.LAYERS}
    assert probes[Layer.NONE].works
    layer, why = choose("auto", probes)
    expected = next(layer for layer in sandbox.LAYERS if probes[layer].works)
    assert layer == expected
    assert choose("none", probes) == (Layer.NONE, "")


def fake_tool(folder: Path, name: str, message: str) -> None:
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


def test_a_blocked_bubblewrap_falls_back_with_its_own_words(tmp_path, monkeypatch):
    """Ubuntu 24.04: unprivileged user namespaces are blocked and bwrap says so."""
    fake_tool(tmp_path, "bwrap", "bwrap: setting up uid map: Permission denied")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    probes = {layer: probe(layer) for layer in sandbox.LAYERS}
    assert not probes[Layer.BUBBLEWRAP].works
    assert probes[Layer.BUBBLEWRAP].reason == "bwrap: setting up uid map: Permission denied"
    layer, why = choose("auto", probes)
    assert layer == (Layer.NAMESPACES if probes[Layer.NAMESPACES].works else Layer.NONE)
    assert "setting up uid map: Permission denied" in why
    # Forced, it is refused (never a silent fallback).
    assert choose("bubblewrap", probes) == (None, probes[Layer.BUBBLEWRAP].reason)
    # And with unshare blocked too: limits only, with both reasons.
    fake_tool(
        tmp_path, "unshare", "unshare: write failed /proc/self/uid_map: Operation not permitted"
    )
    probes = {layer: probe(layer) for layer in sandbox.LAYERS}
    layer, why = choose("auto", probes)
    assert layer == Layer.NONE
    assert "uid map" in why and "uid_map: Operation not permitted" in why


def test_a_missing_bubblewrap_is_said(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    found = probe(Layer.BUBBLEWRAP)
    assert not found.works and "bubblewrap" in found.reason


def test_home_and_ssh_are_hidden(confined, tmp_path, monkeypatch):
    home = Path.home()
    secret = home / f"glm-desk-secret-{uuid.uuid4().hex}.txt"
    secret.write_text("the secret")
    try:
        code = (
            "import os\n"
            f"for p in [{str(secret)!r}, {str(home / '.ssh')!r}, {str(home)!r}]:\n"
            "    try:\n"
            "        print(p, os.listdir(p) if os.path.isdir(p) else open(p).read())\n"
            "    except OSError as e:\n"
            "        print(p, 'refused', e.errno)\n"
        )
        snippet, result = run(confined, code)
        out = snippet.output.text()
        assert result.exit_code == 0, out
        assert "the secret" not in out and secret.name not in out.split(str(secret))[-1]
        assert f"{secret} refused 2" in out  # not there at all
        # The home folder is empty, but for the folder of the runtime itself (pyenv, a venv)
        runtime = python_for(confined)
        kept = {
            Path(k).relative_to(home).parts[0] for k in runtime.keep if Path(k).is_relative_to(home)
        }
        assert f"{home} {sorted(kept)!r}" in out or f"{home} refused" in out, out
    finally:
        secret.unlink()


def test_writes_outside_its_folder_fail_and_inside_works(confined):
    mark = uuid.uuid4().hex
    targets = [f"/tmp/glm-desk-escape-{mark}", str(Path.home() / f"escape-{mark}")]
    code = (
        "import os\n"
        f"for p in {targets!r} + ['/usr/escape-{mark}']:\n"
        "    try:\n"
        "        open(p, 'w').write('x'); print('wrote', p)\n"
        "    except OSError as e:\n"
        "        print('refused', p, e.strerror)\n"
        "open('mine.txt', 'w').write('ok'); print('inside', open('mine.txt').read())\n"
    )
    snippet, result = run(confined, code)
    out = snippet.output.text()
    assert result.exit_code == 0, out
    assert "wrote" not in out and "inside ok" in out
    for target in targets:
        assert not Path(target).exists()


def test_a_fork_bomb_is_held_to_the_process_limit(layer):
    marker = f"forkbomb-{uuid.uuid4().hex}"
    code = (
        "import os, sys, time\n"
        "n = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            try:\n"
        f"                os.execv(sys.executable, {sleeper(marker, 60)})\n"
        "            finally:\n"
        "                os._exit(1)\n"
        "        n += 1\n"
        "except OSError as e:\n"
        "    print('fork refused after', n, e.strerror, flush=True)\n"
    )
    limits = Limits(timeout=10, processes=20)
    snippet, result = run(layer, code, limits=limits)
    out = snippet.output.text()
    assert "fork refused after" in out, out
    forks = int(re.findall(r"fork refused after (\d+)", out)[-1])
    assert forks <= 20
    assert processes_with(marker) == []  # the children went with the run


def test_ten_gigabytes_are_refused(layer):
    snippet, result = run(layer, "b = bytearray(10 * 2**30)\nprint('got it')")
    out = snippet.output.text()
    assert "MemoryError" in out and "got it" not in out
    assert result.exit_code == 1
    assert result.peak_kb < 1024 * 1024  # it never had it


def test_sleeping_forever_ends_at_the_time_limit_with_nothing_left(layer):
    marker = f"sleeper-{uuid.uuid4().hex}"
    code = f"import subprocess, sys, time\nsubprocess.Popen({sleeper(marker)})\ntime.sleep(1000)"
    started = time.monotonic()
    snippet, result = run(layer, code, limits=Limits(timeout=2))
    assert result.timed_out and not result.ok
    assert time.monotonic() - started < 8
    assert processes_with(marker) == []
    record = record_of(-1, PYTHON, code, result, [], 0, "python3")
    assert "timed out" in for_model(record)


def test_a_hundred_megabytes_of_output_keep_the_last_part(layer):
    code = (
        "import sys\nline = 'x' * 1023 + '\\n'\n"
        "for i in range(100 * 1024):\n    sys.stdout.write(line)\nprint('the end')\n"
    )
    started = time.monotonic()
    snippet, result = run(layer, code, limits=Limits(timeout=60))
    assert result.exit_code == 0
    text = snippet.output.text()
    assert text.endswith("the end\n") and len(text) == 100_000
    assert snippet.output.cut == 100 * 1024 * 1024 + len("the end\n") - 100_000
    assert time.monotonic() - started < 30


def listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    return server


CONNECT = (
    "import socket\n"
    "for host, port in [('127.0.0.1', {port}), ('1.1.1.1', 443)]:\n"
    "    try:\n"
    "        socket.create_connection((host, port), timeout=3).close(); print(host, 'connected')\n"
    "    except OSError as e:\n"
    "        print(host, 'refused', e.strerror)\n"
)


def test_no_network_unless_allowed(confined):
    server = listening()
    try:
        port = server.getsockname()[1]
        snippet, result = run(confined, CONNECT.format(port=port))
        out = snippet.output.text()
        assert "127.0.0.1 refused" in out and "1.1.1.1 refused" in out, out
        # Allowed for this run: the same code reaches the host's loopback server.
        if confined == Layer.BUBBLEWRAP:
            snippet, _ = run(confined, CONNECT.format(port=port), network=True)
            assert "127.0.0.1 connected" in snippet.output.text()
    finally:
        server.close()


def test_no_key_reaches_the_snippet(layer, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-" + "s" * 40)
    monkeypatch.setenv("ZAI_API_KEY", "z" * 40)
    code = (
        "import os\n"
        "print(sorted(os.environ))\n"
        "print('key:', os.environ.get('OPENROUTER_API_KEY'))\n"
        "try:\n"
        "    print(open(f'/proc/{os.getppid()}/environ', 'rb').read())\n"
        "except OSError as e:\n"
        "    print('parent environ refused')\n"
    )
    snippet, result = run(layer, code)
    out = snippet.output.text()
    assert "key: None" in out
    assert "s" * 40 not in out and "z" * 40 not in out
    assert "ZAI_API_KEY" not in out


def test_stop_ends_the_whole_group(layer):
    marker = f"stopme-{uuid.uuid4().hex}"
    code = (
        "import subprocess, sys, time\n"
        f"for _ in range(3):\n    subprocess.Popen({sleeper(marker)})\n"
        "print('started', flush=True)\ntime.sleep(1000)\n"
    )
    runtime = python_for(layer)
    snippet = SnippetRun(RunRequest(PYTHON, code, runtime, layer, limits=Limits(timeout=30)))

    async def main():
        task = asyncio.ensure_future(snippet.run())
        while "started" not in snippet.output.text():
            await asyncio.sleep(0.05)
        assert len(processes_with(marker)) == 3
        snippet.stop()
        return await task

    result = asyncio.run(main())
    assert result.stopped and not result.timed_out
    assert processes_with(marker) == []


def test_the_snippet_is_not_root(confined):
    snippet, _ = run(confined, "import os\nprint('uid', os.getuid(), os.geteuid())")
    out = snippet.output.text()
    if os.geteuid() == 0:  # root is held to no process count: the snippet runs as nobody
        assert "uid 65534 65534" in out
    else:
        assert "uid" in out


def test_tests_are_reported_one_by_one(layer):
    code = "def add(a, b):\n    return a + b\n\nif __name__ == '__main__':\n    print(add(1, 2))\n"
    tests = (
        "assert add(1, 1) == 2\n\n"
        "def test_add():\n    assert add(2, 3) == 5\n\n"
        "def test_wrong():\n    assert add(2, 2) == 5\n\n"
        "class TestMore:\n    def test_negative(self):\n        import snippet\n"
        "        assert snippet.add(-1, -1) == -2\n"
    )
    snippet, result = run(layer, code, tests=tests)
    by_name = {t["name"]: t for t in result.tests}
    assert set(by_name) == {"asserts", "test_add", "test_wrong", "TestMore.test_negative"}
    assert by_name["asserts"]["passed"] and by_name["test_add"]["passed"]
    assert by_name["TestMore.test_negative"]["passed"]
    assert not by_name["test_wrong"]["passed"]
    assert "add(2, 2) == 5" in by_name["test_wrong"]["message"]
    assert result.exit_code == 1 and not result.ok
    assert "3" not in snippet.output.text().split()  # its __main__ part did not run


def test_javascript_and_shell_run(confined):
    snippet, result = run(confined, "console.log('js', 6 * 7); nope()", language=JAVASCRIPT)
    out = snippet.output.text()
    assert "js 42" in out and "ReferenceError" in out and result.exit_code == 1
    snippet, result = run(confined, "echo sh $((6*7))\nexit 3", language=SHELL)
    assert "sh 42" in snippet.output.text() and result.exit_code == 3


def test_interleaved_output_marks_stderr():
    layer = next(layer for layer in sandbox.LAYERS if probe(layer).works)
    # As programs do: some work between the writes (two pipes carry no common order: what
    # arrives within the same moment is read stdout first).
    code = (
        "import sys, time\nprint('one')\ntime.sleep(0.1)\nprint('two', file=sys.stderr)\n"
        "time.sleep(0.1)\nprint('three')\ntime.sleep(0.1)\n1/0\n"
    )
    snippet, _ = run(layer, code)
    pieces = snippet.output.pieces()
    assert ("out", "one\n") == pieces[0]
    assert pieces[1] == ("err", "two\n") and pieces[2] == ("out", "three\n")
    assert pieces[-1][0] == "err" and "ZeroDivisionError" in pieces[-1][1]


def test_a_snippet_left_by_a_killed_app_is_ended_at_the_next_start(tmp_path):
    """The app is killed (no Stop, no quit) while a snippet runs: the next start ends it."""
    import subprocess

    marker = f"orphan-{uuid.uuid4().hex}"
    pid_dir = tmp_path / "run-pids"
    script = tmp_path / "app.py"
    snippet_code = (
        f"import time, subprocess, sys\nsubprocess.Popen({sleeper(marker)})\n"
        "print(1, flush=True)\ntime.sleep(1000)"
    )
    script.write_text(
        "import asyncio, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[2])!r})\n"
        "from pathlib import Path\n"
        "from app.core.runner.languages import find_runtime\n"
        "from app.core.runner.run import Limits, RunRequest, SnippetRun\n"
        "from app.core.runner.sandbox import Layer\n"
        f"code = {snippet_code!r}\n"
        "rt = find_runtime('python', '/usr/bin/python3')\n"
        "run = SnippetRun(RunRequest('python', code, rt, Layer.NONE, "
        f"limits=Limits(timeout=300)), Path({str(pid_dir)!r}))\n"
        "async def main():\n"
        "    task = asyncio.ensure_future(run.run())\n"
        "    while '1' not in run.output.text():\n"
        "        await asyncio.sleep(0.05)\n"
        "    print('ready', flush=True)\n"
        "    await task\n"
        "asyncio.run(main())\n"
    )
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None and app.stdout.readline().strip() == "ready"
        assert processes_with(marker)
        app.kill()
        app.wait()
        # The launcher dies with the app (PR_SET_PDEATHSIG), and takes its child; what the
        # child started may linger without a sandbox: the next start ends the group.
        time.sleep(0.3)
        end_orphans(pid_dir)
        deadline = time.monotonic() + 5
        while processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_with(marker) == []
    finally:
        app.kill()


def test_a_virtual_environment_runs_in_the_sandbox(confined, tmp_path):
    import subprocess

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    runtime = find_runtime(PYTHON, str(venv))  # the folder, as the user chooses it
    assert str(venv) in runtime.keep
    code = "import sys\nprint('prefix', sys.prefix)"
    snippet = SnippetRun(RunRequest(PYTHON, code, runtime, confined, limits=Limits(timeout=10)))
    result = asyncio.run(snippet.run())
    assert result.exit_code == 0, snippet.output.text()
    assert f"prefix {venv}" in snippet.output.text()
