"""The snippet runner's pure parts: the output tail, the words of an outcome, Fix it's
message, traceback links, the sandbox command lines, and Fix it's answer as a new version."""

from __future__ import annotations

import json

from app.core.conversation import ChatMessage, Conversation, ToolCallRecord
from app.core.protocol import Role
from app.core.runner.languages import language_of
from app.core.runner.outcome import fix_request, for_model, line_links, status
from app.core.runner.output import ERR, OUT, OutputTail
from app.core.runner.record import RunRecord
from app.core.runner.sandbox import bubblewrap_argv, clean_env, hidden_dirs, namespaces_argv
from app.core.snippets import group_snippets, message_snippets


def test_the_tail_keeps_the_last_part_and_counts_the_cut():
    tail = OutputTail(limit=10)
    tail.add(OUT, b"hello ")
    pieces, gap, pos = tail.since(0)
    assert pieces == [(OUT, "hello ")] and not gap and pos == 6
    tail.add(ERR, b"world!!")
    tail.add(OUT, b"end")
    assert tail.text() == "world!!end" and tail.cut == 6
    pieces, gap, pos = tail.since(pos)
    assert pieces == [(ERR, "world!!"), (OUT, "end")] and not gap
    tail.add(OUT, b"x" * 25)  # more than is kept, at once
    pieces, gap, pos = tail.since(pos)
    assert gap and pieces == [(OUT, "x" * 10)] and tail.cut == 41 - 10
    assert pos == tail.total == 41


def test_split_utf8_is_decoded_whole():
    tail = OutputTail()
    data = "日本".encode()
    tail.add(OUT, data[:2])
    tail.add(OUT, data[2:], final=True)
    assert tail.text() == "日本"


def record(**kw) -> RunRecord:
    base = dict(
        block=0,
        language="python",
        code="print(1/0)\n",
        layer="bubblewrap",
        command="python3 snippet.py",
        runtime="python3 3.11.7",
        exit_code=1,
        output=[
            [OUT, "before\n"],
            [ERR, 'File "/tmp/run/snippet.py", line 1\nZeroDivisionError\n'],
        ],
    )
    base.update(kw)
    return RunRecord(**base)  # type: ignore[arg-type]


def test_the_model_hears_how_it_ran_and_how_it_ended():
    text = for_model(record())
    assert "bubblewrap sandbox, no network" in text and "exit status 1" in text
    assert "! ZeroDivisionError" in text and "before" in text
    assert status(record(exit_code=None, signal=24)) == "killed by SIGXCPU (the CPU time limit)"
    assert status(record(exit_code=None, timed_out=True)).startswith("timed out")
    long = record(output=[[OUT, "x" * 20_000]], cut=5_000)
    assert "the last 8,000 of 25,000 characters" in for_model(long)


def test_fix_it_sends_the_code_the_command_and_the_error():
    text = fix_request(
        record(
            test_results=[{"name": "test_a", "passed": False, "message": "boom"}],
            tests="def test_a():\n    assert False\n",
        )
    )
    assert "```python\nprint(1/0)\n```" in text
    assert "`python3 snippet.py`" in text and "exit status 1" in text
    assert "! ZeroDivisionError" in text and "- test_a: boom" in text
    assert "def test_a():" in text


def test_traceback_lines_become_links():
    text = (
        'Traceback:\n  File "/tmp/run/snippet.py", line 12, in f\n  File "/usr/lib/x.py", line 3\n'
    )
    links = line_links(text, "python")
    assert [(text[a:b], line) for a, b, line in links] == [
        ('File "/tmp/run/snippet.py", line 12', 12)
    ]
    js = "/tmp/run/snippet.js:7\n    at Object.<anonymous> (/tmp/run/snippet.js:7:3)\n"
    assert [line for _, _, line in line_links(js, "javascript")] == [7, 7]
    assert [line for _, _, line in line_links("snippet.sh: line 4: nope: not found", "shell")] == [
        4
    ]


def test_records_survive_a_round_trip_and_bad_ones_are_dropped():
    r = record(test_results=[{"name": "t", "passed": True, "message": ""}])
    assert RunRecord.from_dict(json.loads(json.dumps(r.to_dict()))) == r
    assert RunRecord.from_dict({"block": "x"}) is None
    m = ChatMessage.from_dict(
        {**ChatMessage(Role.ASSISTANT, "a").to_dict(), "runs": [r.to_dict(), 5]}
    )
    assert m.runs == [r]


def test_languages_from_fences():
    assert [language_of(x) for x in ("py", "Python3", "js", "node", "sh", "bash", "rust", "")] == [
        "python",
        "python",
        "javascript",
        "javascript",
        "shell",
        "shell",
        "",
        "",
    ]


def test_the_environment_has_nothing_of_the_app(monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", "secret")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1/bus")
    env = clean_env("/tmp/run", ["/opt/py/bin"])
    assert "OPENROUTER_API_KEY" not in env and "DBUS_SESSION_BUS_ADDRESS" not in env
    assert env["HOME"] == env["TMPDIR"] == "/tmp/run"
    assert env["PATH"].startswith("/opt/py/bin:")


def test_command_lines_hide_homes_and_cut_the_network(monkeypatch):
    hide = hidden_dirs()
    assert "/tmp" in hide and not any(a != b and a.startswith(b + "/") for a in hide for b in hide)
    argv = bubblewrap_argv("bwrap", ["python3", "snippet.py"], "/tmp/w", ["/opt/py"], False)
    assert "--unshare-net" in argv and "--die-with-parent" in argv
    assert argv[argv.index("--bind") + 1 : argv.index("--bind") + 3] == ["/tmp/w", "/tmp/run"]
    assert argv[-2:] == ["python3", "snippet.py"]
    assert "--unshare-net" not in bubblewrap_argv("bwrap", ["x"], "/tmp/w", [], True)
    assert "--net" in namespaces_argv("unshare", "/tmp/spec.json", False)
    assert "--net" not in namespaces_argv("unshare", "/tmp/spec.json", True)


def test_fix_its_answer_is_the_next_version_of_the_block_it_fixes():
    conv = Conversation()
    conv.add(ChatMessage(Role.USER, "mean?"))
    first = ChatMessage(Role.ASSISTANT, "```python\ndef mean(x): return sum(x)/len(x)\n```")
    conv.add(first)
    conv.add(ChatMessage(Role.USER, "it failed", fixes=f"{first.id}:0"))
    fixed = ChatMessage(
        Role.ASSISTANT, "Fixed:\n```python\ndef mean(x): return sum(x)/len(x) if x else 0\n```"
    )
    conv.add(fixed)
    groups = group_snippets(conv)
    assert len(groups) == 1 and len(groups[0].versions) == 2
    assert groups[0].snippet.message_id == fixed.id  # the new version is shown
    # Without the Fix it mark, the same answer is a snippet of its own.
    conv.nodes[conv.messages[2].id].fixes = ""
    assert len(group_snippets(conv)) == 2


def test_run_code_calls_are_snippets_of_their_answer():
    call = ToolCallRecord(
        "c1", "run_code", json.dumps({"language": "shell", "code": "echo hi"}), state="failed"
    )
    message = ChatMessage(Role.ASSISTANT, "", tool_calls=[call])
    [snippet] = message_snippets(message)
    assert (snippet.block_index, snippet.language, snippet.code) == (-1, "bash", "echo hi")
