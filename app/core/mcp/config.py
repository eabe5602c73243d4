"""MCP server configuration: the `mcpServers` format users already have, secrets apart.

What we read is what Claude Desktop (`claude_desktop_config.json`), Cursor (`mcp.json`),
Cline/Roo and Cherry Studio write::

    {"mcpServers": {"NAME": {"command": "npx", "args": [...], "env": {...}},
                    "REMOTE": {"url": "https://…/mcp", "headers": {...}},
                    ...: {"disabled": true, "alwaysAllow": ["tool", ...], "type": "stdio"}}}

A whole Claude Desktop file (other keys beside `mcpServers`), VS Code's `{"servers": …}`
and a bare `{"NAME": {…}}` object are taken too. Each entry is checked on its own: a bad one
is skipped with its reason, the others are kept.

The values of `env` and `headers` are secrets (tokens, passwords): `split_secrets` takes
them out of the configuration, for the OS keyring, and only their names stay in our own file
(`mcp.json` in the profile, written by `to_json`; `envKeys` and `headerKeys` list them).
A configuration given with `--mcp-config` for one run keeps its values in memory instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

FILE_NAME = "mcp.json"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class Transport(StrEnum):
    STDIO = "stdio"  # a local program, spoken to on its stdin and stdout
    HTTP = "http"  # Streamable HTTP
    SSE = "sse"  # the older HTTP+SSE transport


_TYPES = {
    "stdio": Transport.STDIO,
    "http": Transport.HTTP,
    "streamablehttp": Transport.HTTP,
    "streamable-http": Transport.HTTP,
    "streamable_http": Transport.HTTP,
    "sse": Transport.SSE,
}


@dataclass(frozen=True)
class ServerConfig:
    """One server as configured. `env`/`headers` hold values only for a one-run
    configuration (`transient`); a saved server has only their names in `env_keys` and
    `header_keys`, its values in the keyring."""

    name: str
    command: str = ""
    args: tuple[str, ...] = ()
    cwd: str = ""
    url: str = ""
    transport: Transport = Transport.STDIO
    env_keys: tuple[str, ...] = ()
    header_keys: tuple[str, ...] = ()
    disabled: bool = False
    always_allow: frozenset[str] = frozenset()
    start_with_app: bool = False
    transient: bool = False  # from --mcp-config: this run only, never saved
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def remote(self) -> bool:
        return self.transport != Transport.STDIO

    def to_entry(self) -> dict[str, Any]:
        """Our file's entry: the user's format, with secret names instead of values."""
        entry: dict[str, Any] = {}
        if self.remote:
            entry["url"] = self.url
            entry["type"] = "sse" if self.transport == Transport.SSE else "streamableHttp"
        else:
            entry["command"] = self.command
            if self.args:
                entry["args"] = list(self.args)
            if self.cwd:
                entry["cwd"] = self.cwd
        if self.env_keys:
            entry["envKeys"] = list(self.env_keys)
        if self.header_keys:
            entry["headerKeys"] = list(self.header_keys)
        if self.disabled:
            entry["disabled"] = True
        if self.always_allow:
            entry["alwaysAllow"] = sorted(self.always_allow)
        if self.start_with_app:
            entry["startWithApp"] = True
        return entry


class ConfigError(ValueError):
    """The text is not an MCP configuration at all (not JSON, no servers in it)."""


@dataclass
class Parsed:
    servers: list[ServerConfig]
    skipped: list[str]  # "NAME: why", in words


def secret_account(server: str, kind: str, key: str) -> str:
    """The keyring entry of one value (kind "env" or "header")."""
    return f"mcp:{server}:{kind}:{key}"


def parse(text: str, transient: bool = False) -> Parsed:
    """The servers of a configuration text (see the module's docstring)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"This is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise ConfigError("An MCP configuration is a JSON object with an mcpServers object.")
    servers_obj = _servers_object(data)
    if servers_obj is None:
        raise ConfigError(
            'No servers found: expected {"mcpServers": {"name": {"command": …}}} '
            "(as in claude_desktop_config.json)."
        )
    parsed = Parsed([], [])
    for name, entry in servers_obj.items():
        try:
            parsed.servers.append(parse_entry(str(name), entry, transient))
        except ValueError as exc:
            parsed.skipped.append(f"{name}: {exc}")
    return parsed


def _servers_object(data: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("mcpServers", "servers", "mcp_servers"):
        if isinstance(data.get(key), dict):
            return data[key]
    if isinstance(data.get("mcp"), dict):  # {"mcp": {"servers": …}} (VS Code settings)
        return _servers_object(data["mcp"])
    if data and all(
        isinstance(v, dict) and ("command" in v or "url" in v or "serverUrl" in v)
        for v in data.values()
    ):
        return data  # a bare {"NAME": {...}}
    return None


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(str(v) for v in value)


def _mapping(value: Any, what: str, key_re: re.Pattern[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object of names and values")
    out: dict[str, str] = {}
    for key, v in value.items():
        if not key_re.match(str(key)):
            raise ValueError(f"{key!r} is not a valid name in {what}")
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise ValueError(f"the value of {key} in {what} must be text")
        out[str(key)] = str(v)
    return out


def parse_entry(name: str, entry: Any, transient: bool = False) -> ServerConfig:
    """One server; ValueError says what is wrong with it."""
    if not NAME_RE.match(name):
        raise ValueError(
            "a server name has 1 to 64 letters, digits, spaces, dots, dashes or underscores"
        )
    if not isinstance(entry, dict):
        raise ValueError("a server is an object with a command or a url")
    url = entry.get("url") or entry.get("serverUrl") or ""
    command = entry.get("command") or ""
    kind = str(entry.get("type") or entry.get("transport") or "").lower()
    if kind and kind not in _TYPES:
        raise ValueError(f"unknown type {kind!r} (stdio, sse or streamableHttp)")
    transport = _TYPES.get(kind) or (Transport.HTTP if url and not command else Transport.STDIO)
    if transport == Transport.STDIO:
        if not isinstance(command, str) or not command.strip():
            raise ValueError("a local server needs a command")
        url = ""
    else:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("a remote server needs an http(s) url")
        command = ""
    env = _mapping(entry.get("env"), "env", ENV_NAME_RE)
    headers = _mapping(entry.get("headers"), "headers", HEADER_NAME_RE)
    allow = _strings(entry.get("alwaysAllow", entry.get("autoApprove")), "alwaysAllow")
    env_keys = _strings(entry.get("envKeys"), "envKeys")
    header_keys = _strings(entry.get("headerKeys"), "headerKeys")
    for key in env_keys:
        if not ENV_NAME_RE.match(key):
            raise ValueError(f"{key!r} is not a valid name in env")
    for key in header_keys:
        if not HEADER_NAME_RE.match(key):
            raise ValueError(f"{key!r} is not a valid name in headers")
    cwd = entry.get("cwd") or ""
    if not isinstance(cwd, str):
        raise ValueError("cwd must be a folder")
    return ServerConfig(
        name=name,
        command=command.strip(),
        args=_strings(entry.get("args"), "args"),
        cwd=cwd,
        url=str(url),
        transport=transport,
        env_keys=tuple(dict.fromkeys((*env_keys, *env))),
        header_keys=tuple(dict.fromkeys((*header_keys, *headers))),
        disabled=bool(entry.get("disabled", False)),
        always_allow=frozenset(allow),
        start_with_app=bool(entry.get("startWithApp", False)),
        transient=transient,
        env=env,
        headers=headers,
    )


def split_secrets(config: ServerConfig) -> tuple[ServerConfig, dict[str, str]]:
    """The configuration without values (for the file), and its values by keyring entry."""
    secrets = {secret_account(config.name, "env", k): v for k, v in config.env.items()}
    secrets |= {secret_account(config.name, "header", k): v for k, v in config.headers.items()}
    return replace(config, env={}, headers={}), secrets


def to_json(servers: list[ServerConfig]) -> str:
    """Our file: the saved (not transient) servers, without any secret value."""
    entries = {s.name: s.to_entry() for s in servers if not s.transient}
    return json.dumps({"mcpServers": entries}, indent=2, ensure_ascii=False) + "\n"
