"""What a run did, in words, and what is kept of it.

`RunRecord` is a run as the conversation keeps it (on the message whose code block ran:
`ChatMessage.runs`; in the history and the JSON export). `summary` is its last line in the
output pane; `for_model` is what the `run_code` tool answers; `fix_request` is the message
Fix it sends; `line_links` finds the snippet's lines in a traceback.
"""

from __future__ import annotations

import re
import signal as signals

from app.core.runner.output import ERR
from app.core.runner.record import RunRecord
from app.core.runner.run import RunResult, script_name
from app.core.runner.sandbox import Layer

MODEL_TAIL = 8_000  # characters of output the model gets (run_code, Fix it)
LAYER_WORDS = {
    Layer.BUBBLEWRAP: "the bubblewrap sandbox",
    Layer.NAMESPACES: "the namespace sandbox (unshare)",
    Layer.NONE: "no sandbox (limits only)",
}
_LIMIT_SIGNALS = {
    signals.SIGXCPU: "the CPU time limit",
    signals.SIGXFSZ: "the file size limit",
}


def record_of(
    block: int,
    language: str,
    code: str,
    result: RunResult,
    pieces: list[tuple[str, str]],
    cut: int,
    runtime: str = "",
    network: bool = False,
    tests: str = "",
    work: str = "",
) -> RunRecord:
    return RunRecord(
        block=block,
        language=language,
        code=code,
        layer=result.layer.value,
        command=result.command,
        network=network,
        runtime=runtime,
        exit_code=result.exit_code,
        signal=result.signal,
        seconds=round(result.seconds, 3),
        cpu_seconds=result.cpu_seconds,
        peak_kb=result.peak_kb,
        timed_out=result.timed_out,
        stopped=result.stopped,
        error=result.error,
        output=[[s, t] for s, t in pieces],
        cut=cut,
        tests=tests,
        test_results=result.tests,
        work=work,
    )


def signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def status(record: RunRecord) -> str:
    """How it ended: "exit status 0", "killed by SIGKILL", "stopped", "timed out"."""
    if record.error:
        return record.error
    if record.stopped:
        return "stopped"
    if record.timed_out:
        return "timed out (the wall-clock limit)"
    if record.signal is not None:
        why = _LIMIT_SIGNALS.get(record.signal)
        name = signal_name(record.signal)
        return f"killed by {name} ({why})" if why else f"killed by {name}"
    return f"exit status {record.exit_code}"


def memory_text(kb: int) -> str:
    if kb >= 1024 * 1024:
        return f"{kb / 1024 / 1024:.1f} GB"
    if kb >= 1024:
        return f"{kb / 1024:.1f} MB"
    return f"{kb} KB"


def tests_line(record: RunRecord) -> str:
    if not record.test_results:
        return ""
    passed = sum(1 for t in record.test_results if t.get("passed"))
    return f"tests: {passed} of {len(record.test_results)} passed"


def for_model(record: RunRecord) -> str:
    """The run_code tool's answer: how it ran, how it ended, the output's end."""
    where = LAYER_WORDS.get(Layer(record.layer), record.layer)
    network = "network allowed" if record.network else "no network"
    lines = [
        f"Ran `{record.command}` ({record.runtime}) in {where}, {network}.",
        f"Result: {status(record)}; {record.seconds:.2f} s; peak memory "
        f"{memory_text(record.peak_kb)}.",
    ]
    if record.test_results:
        lines.append(tests_line(record) + ".")
        for t in record.test_results:
            if not t.get("passed"):
                lines.append(f"  FAILED {t['name']}: {t.get('message', '')}")
    text = record.text()
    total = len(text) + record.cut
    if not text:
        lines.append("It printed nothing.")
    else:
        tail = text[-MODEL_TAIL:]
        if len(tail) < total:
            lines.append(f"Output (the last {len(tail):,} of {total:,} characters):")
        else:
            lines.append("Output:")
        lines.append(mark_stderr(record, MODEL_TAIL))
    return "\n".join(lines)


def mark_stderr(record: RunRecord, limit: int) -> str:
    """The output's end with stderr lines marked "! " (as the model and Fix it see it)."""
    out: list[str] = []
    for stream, text in record.output:
        if stream == ERR:
            text = "".join(f"! {ln}" for ln in text.splitlines(keepends=True))
        out.append(text)
    joined = "".join(out)
    return joined[-limit:]


def fix_request(record: RunRecord) -> str:
    """The message Fix it sends: the snippet, how it ran, and the output's end."""
    fence = {"python": "python", "javascript": "javascript", "shell": "bash"}.get(
        record.language, ""
    )
    parts = [
        "I ran this code and it failed. Please fix it and answer with the complete corrected "
        "code in one code block.",
        "",
        f"```{fence}",
        record.code.rstrip("\n"),
        "```",
        "",
        f"Command: `{record.command}` ({record.runtime}); result: {status(record)}.",
    ]
    if record.test_results:
        parts.append("")
        parts.append("The tests it ran with:")
        parts += [f"```{fence}", record.tests.rstrip("\n"), "```"]
        failed = [t for t in record.test_results if not t.get("passed")]
        parts.append(tests_line(record) + ".")
        parts += [f"- {t['name']}: {t.get('message', '')}" for t in failed]
    text = mark_stderr(record, MODEL_TAIL)
    if text.strip():
        total = len(record.text()) + record.cut
        head = "Output"
        if len(text) < total:
            head += f" (the last {len(text):,} of {total:,} characters; stderr lines start with !)"
        else:
            head += " (stderr lines start with !)"
        parts += ["", head + ":", "```text", text.rstrip("\n"), "```"]
    return "\n".join(parts)


def line_links(text: str, language: str, work: str = "") -> list[tuple[int, int, int]]:
    """(start, end, line) of each mention of the snippet's own lines in the output:
    Python's `File ".../snippet.py", line 12`, Node's `snippet.js:12:5`, bash's
    `snippet.sh: line 3:`. The file name is found first and the path before it is taken
    back to its start, so a long line without one costs a single scan."""
    name = re.escape(script_name(language))
    pattern = re.compile(rf"{name}(?:\", line (\d+)|:(\d+)(?::\d+)?|: line (\d+))")
    found: list[tuple[int, int, int]] = []
    for match in pattern.finditer(text):
        line = next(int(g) for g in match.groups() if g is not None)
        start = match.start()
        floor = max(0, start - 4096)  # a path is not longer
        while start > floor and text[start - 1] not in " \t\n\"'(":
            start -= 1
        if match.group(1) is not None and text.endswith('File "', 0, start):
            start -= len('File "')
        found.append((start, match.end(), line))
    return found
