"""How a tool is declared: once, for every backend.

A `Tool` has a name, a description the model reads, its parameters as a JSON schema and a
`ToolKind` (what it may do to the user's machine: read, write, run, reach the network), which
decides whether it needs the user's approval. `Tool.to_wire()` is the OpenAI-shaped entry of
a request's `tools` list, which Z.AI, OpenRouter and llama-server all take.

`Tool.parse_arguments` checks a call's arguments against the schema. Our schemas use a small
part of JSON schema (an object of typed properties, `required`, `enum`, `minimum`/`maximum`,
no extra properties), and that part is what is checked: enough to tell a real call from text
that only looks like one (GLM-4-0414's plain-text calls, `glm_text.py`), and to refuse a
malformed call with a message the model can act on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ToolKind(StrEnum):
    READ = "read"  # looks at the workspace
    WRITE = "write"  # changes files (approval, a backup)
    EXEC = "exec"  # runs a program
    NETWORK = "network"  # reaches another machine


class Decision(StrEnum):
    ONCE = "once"  # allow this call
    CONVERSATION = "conversation"  # allow calls of this kind for the rest of the conversation
    DENY = "deny"


class CallState(StrEnum):
    WAITING = "waiting"  # for the user's approval
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"  # not run: a bad path, bad arguments, an unknown tool
    FAILED = "failed"  # ran and failed
    DECLINED = "declined"  # the user said no
    CANCELLED = "cancelled"  # stopped


class ToolRefused(Exception):
    """A call that is not run: its message goes back to the model and into the tool card."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]  # a JSON schema of type "object"
    kind: ToolKind

    def to_wire(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def parse_arguments(self, arguments: str | dict[str, Any]) -> dict[str, Any]:
        """The call's arguments as a dict (a JSON string, or an object as Z.AI may send),
        checked against the schema; ToolRefused says what is wrong."""
        if isinstance(arguments, str):
            text = arguments.strip() or "{}"
            try:
                arguments = json.loads(text)
            except ValueError as exc:
                raise ToolRefused(f"The arguments are not valid JSON ({exc.msg}).") from exc
        problem = schema_problem(self.parameters, arguments)
        if problem:
            raise ToolRefused(f"Invalid arguments for {self.name}: {problem}.")
        assert isinstance(arguments, dict)
        return arguments


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def schema_problem(schema: dict[str, Any], value: Any, where: str = "arguments") -> str:
    """ "" when value fits schema (the subset described above), else what does not."""
    kind = schema.get("type")
    if kind is not None:
        allowed = _TYPES.get(kind, ())
        is_bool = isinstance(value, bool)
        if not isinstance(value, allowed) or (is_bool and kind in ("integer", "number")):
            return f"{where} must be {_article(kind)} {kind}"
    if "enum" in schema and value not in schema["enum"]:
        options = ", ".join(json.dumps(v) for v in schema["enum"])
        return f"{where} must be one of {options}"
    if kind in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{where} must be at least {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{where} must be at most {schema['maximum']}"
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            problem = schema_problem(schema["items"], item, f"{where}[{i}]")
            if problem:
                return problem
    if kind == "object":
        properties: dict[str, Any] = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                return f"{name!r} is missing"
        if schema.get("additionalProperties") is False:
            extra = sorted(set(value) - set(properties))
            if extra:
                return f"unknown {'argument' if len(extra) == 1 else 'arguments'} " + ", ".join(
                    repr(e) for e in extra
                )
        for name, sub in properties.items():
            if name in value:
                problem = schema_problem(sub, value[name], repr(name))
                if problem:
                    return problem
    return ""


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"
