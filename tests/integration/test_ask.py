"""`glm-desk ask` as a user runs it: a real process against the protocol test servers (and a
real llama-server), with its stdout piped, a temporary profile and no display."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.store import HISTORY_FILE, HistoryStore
from tests import llama
from tests.protocol_servers import ProtocolServer, Reply

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-or-v1-" + "0123456789abcdef" * 4  # fake, made up for the test


def env_for(profile: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(GLM_DESK_PROFILE=str(profile), GLM_DESK_NO_KEYRING="1", NO_PROXY="127.0.0.1")
    env.update(extra)
    return env


def ask(
    server: ProtocolServer | str | None,  # a test server, or a base URL
    profile: Path,
    *args: str,
    stdin: str | None = None,
    key: str | None = KEY,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    url = server.base_url if isinstance(server, ProtocolServer) else server
    where = ["--provider", "openrouter", "--base-url", url] if url else []
    env = env_for(profile, **({"OPENROUTER_API_KEY": key} if key else {}), **extra)
    return subprocess.run(
        [sys.executable, "-m", "app", "ask", *where, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )


def history(profile: Path) -> HistoryStore:
    return HistoryStore(profile / HISTORY_FILE, mark_interrupted=False, read_only=True)


def test_the_answer_streams_to_a_pipe_and_is_kept(tmp_path):
    profile = tmp_path / "p"
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="Use **three** pointers:\n\n```python\nprev = None\n```\n"))
        done = ask(server, profile, "How do I reverse a list?")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Use **three** pointers:\n\n```python\nprev = None\n```\n"
    store = history(profile)
    [info] = store.list_conversations()
    conv = store.load(info.id)
    store.close()
    assert [m.content for m in conv.messages][0] == "How do I reverse a list?"
    assert conv.messages[1].state.value == "done" and "three" in conv.messages[1].content
    assert conv.title  # as the window names it


def test_stdin_is_context_and_code_prints_only_code(tmp_path):
    with ProtocolServer("openrouter") as server:
        server.push(
            Reply(text="Looks fine.\n\n```diff\n+ x = 1\n```\n\nand\n\n```py\nprint(2)\n```")
        )
        done = ask(
            server, tmp_path / "p", "review this", "--code", stdin="diff --git a/x b/x\n+x = 1\n"
        )
        sent = server.requests[-1].body["messages"][-1]["content"]
    assert done.returncode == 0, done.stderr
    assert sent.startswith("review this\n\n```\ndiff --git a/x b/x\n+x = 1\n```")
    assert done.stdout == "+ x = 1\n\nprint(2)\n"


def test_save_writes_the_blocks_by_name_and_never_outside(tmp_path):
    out = tmp_path / "out"
    answer = (
        "```python\n# file: src/app.py\nprint('app')\n```\n\n"
        "```python\n# file: ../../evil.py\nprint('evil')\n```\n\n```bash\necho hi\n```"
    )
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text=answer))
        done = ask(server, tmp_path / "p", "files please", "--save", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "src" / "app.py").read_text() == "# file: src/app.py\nprint('app')\n"
    assert (out / "evil.py").exists() and not (tmp_path / "evil.py").exists()
    assert not (tmp_path.parent / "evil.py").exists()
    assert (out / "snippet-3.sh").read_text() == "echo hi\n"
    assert "saved" in done.stderr


def test_json_has_text_code_usage_and_cost(tmp_path):
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="Here:\n\n```python\nx = 1\n```"))
        done = ask(server, tmp_path / "p", "x?", "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["text"] == "Here:\n\n```python\nx = 1\n```"
    assert record["code_blocks"] == [{"language": "python", "name": "", "code": "x = 1"}]
    assert record["usage"]["completion_tokens"] > 0 and record["cost_usd"] is not None
    assert record["provider"] == "openrouter" and record["conversation"]
    assert record["state"] == "done" and record["error"] is None


def test_continue_goes_on_in_the_last_conversation(tmp_path):
    profile = tmp_path / "p"
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="Paris."), Reply(text="About 2 million."))
        assert ask(server, profile, "Capital of France?").returncode == 0
        done = ask(server, profile, "--continue", "How many people live there?")
        sent = server.requests[-1].body["messages"]
    assert done.returncode == 0, done.stderr
    assert [m["content"] for m in sent if m["role"] != "system"] == [
        "Capital of France?",
        "Paris.",
        "How many people live there?",
    ]
    store = history(profile)
    [info] = store.list_conversations()
    assert len(store.load(info.id).messages) == 4
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="Yes."))
        again = ask(server, profile, "--conversation", info.id, "Sure?")
    assert again.returncode == 0 and len(store.load(info.id).messages) == 6
    store.close()
    missing = ask(None, profile, "--conversation", "nope", "hi")
    assert missing.returncode == 2 and "no conversation with id nope" in missing.stderr


def test_no_history_keeps_nothing(tmp_path):
    profile = tmp_path / "p"
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="ok"))
        done = ask(server, profile, "hi", "--no-history")
    assert done.returncode == 0 and done.stdout == "ok\n"
    assert not (profile / HISTORY_FILE).exists()


def test_offline_mode_refuses_remote_providers(tmp_path):
    profile = tmp_path / "p"
    profile.mkdir()
    (profile / "settings.json").write_text(json.dumps({"network.offline": True}))
    done = subprocess.run(
        [sys.executable, "-m", "app", "ask", "--provider", "openrouter", "hi"],
        capture_output=True,
        text=True,
        env=env_for(profile, OPENROUTER_API_KEY=KEY),
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 7
    assert "Offline mode is on" in done.stderr
    # A server on this machine is still asked.
    with ProtocolServer("llama") as server:
        server.push(Reply(text="local answer"))
        local = ask(None, profile, "--provider", "local", "--base-url", server.base_url, "hi")
    assert local.returncode == 0 and local.stdout == "local answer\n", local.stderr


@pytest.mark.parametrize(
    ("reply", "code", "words"),
    [
        (
            Reply(status=401, body={"error": {"message": "User not found.", "code": 401}}),
            3,
            "rejected the api key",
        ),
        (
            Reply(
                status=429,
                body={"error": {"message": "Rate limit", "code": 429}},
                headers={"Retry-After": "0"},
            ),
            5,
            "rate-limiting requests",
        ),
        (Reply(status=500, body={"error": {"message": "boom", "code": 500}}), 6, "server error"),
    ],
)
def test_each_error_has_its_exit_status_and_the_windows_words(tmp_path, reply, code, words):
    with ProtocolServer("openrouter", default=reply) as server:
        done = ask(server, tmp_path / "p", "hi")
    assert done.returncode == code, done.stderr
    assert words in done.stderr.lower()
    assert done.stdout == ""


def test_no_key_and_no_network_are_said(tmp_path):
    with ProtocolServer("openrouter") as server:
        done = ask(server, tmp_path / "p", "hi", key=None)
    assert done.returncode == 3 and "No API key is set for OpenRouter" in done.stderr
    assert "OPENROUTER_API_KEY" in done.stderr
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    done = ask(f"http://127.0.0.1:{port}/v1", tmp_path / "q", "hi")
    assert done.returncode == 4, done.stderr
    assert "Nothing is answering at 127.0.0.1" in done.stderr


def test_ctrl_c_stops_and_keeps_the_partial_answer(tmp_path):
    profile = tmp_path / "p"
    with ProtocolServer("openrouter") as server:
        server.push(Reply(chunks=["first ", "part ", *["more "] * 50], delay=0.2))
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "ask",
                "--provider",
                "openrouter",
                "--base-url",
                server.base_url,
                "tell me a long story",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env_for(profile, OPENROUTER_API_KEY=KEY),
            cwd=ROOT,
        )
        assert proc.stdout is not None
        seen = ""
        while "part" not in seen:
            seen += proc.stdout.read(1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "stopped; the partial answer is kept" in err
    store = history(profile)
    [info] = store.list_conversations()
    answer = store.load(info.id).messages[-1]
    store.close()
    assert answer.state.value == "stopped" and answer.content.startswith("first part")


def test_no_key_in_output_files_or_command_line(tmp_path):
    profile = tmp_path / "p"
    with ProtocolServer(
        "openrouter",
        default=Reply(status=401, body={"error": {"message": f"bad key {KEY}", "code": 401}}),
    ) as server:
        done = ask(server, profile, "hi", "--json")
    assert KEY not in done.stdout and KEY not in done.stderr
    for path in profile.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY[:12] not in " ".join(sys.argv)  # never given on a command line


def test_no_qt_is_loaded_and_it_needs_no_display(tmp_path):
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['glm-desk', 'ask', *sys.argv[1:]]\n"
        "from app.main import main\n"
        "code = main(sys.argv[1:])\n"
        "qt = sorted(m for m in sys.modules\n"
        "            if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'))\n"
        "print('QT:', qt, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    with ProtocolServer("openrouter") as server:
        server.push(Reply(text="ok"))
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                probe,
                "--provider",
                "openrouter",
                "--base-url",
                server.base_url,
                "hi",
            ],
            capture_output=True,
            text=True,
            env=env_for(tmp_path / "p", OPENROUTER_API_KEY=KEY),
            timeout=60,
            cwd=ROOT,
        )
    assert done.returncode == 0, done.stderr
    assert "QT: []" in done.stderr


@pytest.mark.slow
@pytest.mark.llama_server
def test_ask_the_real_local_model(tmp_path, tiny_glm4):
    proc, base_url = llama.start_llama_server(tiny_glm4, ctx=512)
    try:
        done = ask(
            None, tmp_path / "p", "--provider", "local", "--base-url", base_url, "--json", "Hello"
        )
    finally:
        llama.stop_llama_server(proc)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["provider"] == "local" and record["text"]
    assert record["usage"]["completion_tokens"] > 0
    assert record["cost_usd"] in (0, 0.0, None)


def test_compare_asks_two_sides_at_once_and_one_failing_leaves_the_other(tmp_path):
    profile = tmp_path / "p"
    fast_text = "Fast:\n\n```python\nprint(1)\n```"
    with ProtocolServer("openrouter") as fast, ProtocolServer("llama") as slow:
        fast.push(Reply(text=fast_text, delay=0.01))
        slow.push(Reply(chunks=["Slow ", "and ", "then ", "broken"], delay=0.3, error_after=2))
        profile.mkdir()
        (profile / "settings.json").write_text(
            json.dumps(
                {
                    "providers.openrouter.base_url": fast.base_url,
                    "providers.local.base_url": slow.base_url,
                }
            )
        )
        started = time.monotonic()
        done = ask(None, profile, "--compare", "openrouter,local@0.2", "--json", "hi")
        elapsed = time.monotonic() - started
        sent_temperature = slow.requests[-1].body["temperature"]
    assert done.returncode == 6, done.stderr  # B's server error
    record = json.loads(done.stdout)
    a, b = record["compare"]
    assert a["text"] == fast_text and a["state"] == "done" and a["error"] is None
    assert a["first_token_s"] is not None and a["tokens"] > 0 and a["cost_usd"] is not None
    assert b["state"] == "error" and b["text"] == "Slow and " and b["temperature"] == 0.2
    assert sent_temperature == 0.2
    assert "+Slow and" in record["diff"] or "-Fast:" in record["diff"]
    assert elapsed < 10
    store = history(profile)
    conv = store.load(record["conversation"])
    store.close()
    question = conv.messages[-2]
    assert [m.content for m in conv.siblings(conv.messages[-1])] == [fast_text, "Slow and "]
    assert question.content == "hi"


def test_compare_prints_both_with_their_measurements_and_the_diff(tmp_path):
    profile = tmp_path / "p"
    profile.mkdir()
    with ProtocolServer("llama", default=Reply(text=None)) as server:  # both echo the question
        (profile / "settings.json").write_text(
            json.dumps({"providers.local.base_url": server.base_url})
        )
        done = ask(None, profile, "--compare", "local@0.1,local@1.5", "same words")
        temperatures = sorted(r.body["temperature"] for r in server.requests)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "=== A: Local llama.cpp" in out and "T=0.1 ===" in out and "T=1.5 ===" in out
    assert out.count("same words") >= 2 and "--- A: first token" in out and "tokens/s" in out
    assert out.rstrip().endswith("=== diff A → B ===\n(the same)")
    assert temperatures == [0.1, 1.5]
    bad = ask(None, profile, "--compare", "nosuch,local", "hi")
    assert bad.returncode == 2 and "no provider 'nosuch'" in bad.stderr
