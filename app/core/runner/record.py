"""A run as the conversation keeps it: on the message whose code block ran
(`ChatMessage.runs`), in the history and the JSON export. Light on purpose: the history
loads it at start-up; the runner itself is imported on the first run."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunRecord:
    block: int  # the code block's index in its message (-1: the run_code tool's code)
    language: str
    code: str  # what ran (with the user's edits)
    layer: str
    command: str = ""
    network: bool = False
    runtime: str = ""  # "python3 3.11.7"
    exit_code: int | None = None
    signal: int | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_kb: int = 0
    timed_out: bool = False
    stopped: bool = False
    error: str = ""
    output: list[list[str]] = field(default_factory=list)  # [[stream, text], ...]
    cut: int = 0  # characters of output not kept (from the beginning)
    tests: str = ""  # the test block it ran with
    test_results: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    work: str = ""  # the snippet's folder, as tracebacks name it

    @property
    def ok(self) -> bool:
        passed = all(t.get("passed") for t in self.test_results)
        return self.exit_code == 0 and passed and not (self.timed_out or self.stopped)

    @property
    def failed(self) -> bool:
        """Worth a Fix it: it ran and did not succeed (a Stop is the user's, not a failure)."""
        return not self.ok and not self.stopped and not self.error

    def text(self) -> str:
        return "".join(t for _, t in self.output)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunRecord | None:
        try:
            return cls(
                block=int(d.get("block", -1)),
                language=str(d.get("language") or ""),
                code=str(d.get("code") or ""),
                layer=str(d.get("layer") or "none"),
                command=str(d.get("command") or ""),
                network=bool(d.get("network")),
                runtime=str(d.get("runtime") or ""),
                exit_code=_int_or_none(d.get("exit_code")),
                signal=_int_or_none(d.get("signal")),
                seconds=float(d.get("seconds") or 0.0),
                cpu_seconds=float(d.get("cpu_seconds") or 0.0),
                peak_kb=int(d.get("peak_kb") or 0),
                timed_out=bool(d.get("timed_out")),
                stopped=bool(d.get("stopped")),
                error=str(d.get("error") or ""),
                output=[
                    [str(p[0]), str(p[1])]
                    for p in d.get("output") or []
                    if isinstance(p, list | tuple) and len(p) == 2
                ],
                cut=int(d.get("cut") or 0),
                tests=str(d.get("tests") or ""),
                test_results=[t for t in d.get("test_results") or [] if isinstance(t, dict)],
                started=float(d.get("started") or 0.0),
                work=str(d.get("work") or ""),
            )
        except (TypeError, ValueError):
            return None


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
