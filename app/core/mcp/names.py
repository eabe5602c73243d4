"""The names MCP tools are offered under: `SERVER__TOOL`.

Every backend takes function names of 1 to 64 characters from `[A-Za-z0-9_-]` (OpenAI's
rule, which Z.AI, OpenRouter's providers and llama-server's parsers follow); some also want
a letter first. A server's and a tool's name are joined with `__`; a name that does not fit
(another character, too long, or a clash) is made to fit stably: the characters outside the
rule become `_`, it is cut to length and ends in `_` and six hex digits of a hash of the
original pair, so the same tool always gets the same name, in every conversation and run.
"""

from __future__ import annotations

import hashlib
import re

MAX = 64
SEPARATOR = "__"
_ALLOWED = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_OTHER = re.compile(r"[^A-Za-z0-9_-]")


def wire_name(server: str, tool: str) -> str:
    plain = f"{server}{SEPARATOR}{tool}"
    if _ALLOWED.match(plain):
        return plain
    digest = hashlib.sha1(f"{server}\0{tool}".encode()).hexdigest()[:6]
    cleaned = _OTHER.sub("_", plain)
    if not cleaned[:1].isalpha():
        cleaned = "m" + cleaned
    return f"{cleaned[: MAX - 7]}_{digest}"


def wire_names(server: str, tools: list[str]) -> dict[str, str]:
    """wire name -> the tool's own name, for one server's tools (clashes made unique)."""
    out: dict[str, str] = {}
    for tool in tools:
        name = wire_name(server, tool)
        if name in out:  # two tools that clean to the same name: both get a hash
            digest = hashlib.sha1(f"{server}\0{tool}\0".encode()).hexdigest()[:6]
            name = f"{name[: MAX - 7]}_{digest}"
        out[name] = tool
    return out
