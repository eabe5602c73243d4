"""GLM-4-0414's own tool-call form, as plain text.

With GLM-4-0414's chat template, llama-server finds no tool-call format, so a call arrives
as the answer's text: the tool's name on a line of its own, then its arguments as JSON
(`read_file\\n{"path": "src/app.py"}`), with no markers. `plain_text_call` recognises that
form and nothing else: the name must be one of the tools offered, and the JSON must be an
object that validates against that tool's schema. JSON inside a code block, a name in the
middle of prose, or arguments that do not fit are never a call: other clients' users report
dangerous false positives when text that only looked like a call was run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.core.tools.declare import Tool, ToolRefused

# A line holding only a name (indented less than an indented code block's four spaces),
# then a line that starts the JSON object.
_CALL = re.compile(r"(?m)^ {0,3}([A-Za-z_][A-Za-z0-9_.-]{0,63})[ \t]*\n[ \t]*(?=\{)")


@dataclass(frozen=True)
class PlainTextCall:
    name: str
    arguments: dict[str, Any]
    prose: str  # text the model wrote before the call ("" usually)


def plain_text_call(text: str, tools: Iterable[Tool]) -> PlainTextCall | None:
    """The call an answer ends with, or None when the answer is not one (see above)."""
    offered = {tool.name: tool for tool in tools}
    if not offered or "```" in text or "~~~" in text:
        return None  # a fenced block anywhere: an example, never a call
    body = text.rstrip()  # leading spaces kept: an indented first line is code
    decoder = json.JSONDecoder()
    for match in _CALL.finditer(body):
        name = match[1]
        if name not in offered:
            continue
        try:
            arguments, end = decoder.raw_decode(body, match.end())
        except ValueError:
            continue
        if body[end:].strip() or not isinstance(arguments, dict):
            continue  # more text after the JSON: the call is the answer's last thing
        try:
            checked = offered[name].parse_arguments(arguments)
        except ToolRefused:
            return None  # it does not fit the tool: not a call
        return PlainTextCall(name, checked, body[: match.start()].strip())
    return None
