"""The MCP configuration users paste, the names tools get, and a server's environment."""

from __future__ import annotations

import json
import re

import pytest

from app.core.mcp import launch
from app.core.mcp.config import (
    ConfigError,
    Transport,
    parse,
    secret_account,
    split_secrets,
    to_json,
)
from app.core.mcp.names import wire_name, wire_names
from app.core.mcp.problems import McpProblem, ProblemKind

CLAUDE_DESKTOP = {
    "globalShortcut": "Ctrl+Space",
    "mcpServers": {
        "filesystem": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/Documents"],
        },
        "github": {
            "command": "docker",
            "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/x"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_abcdefghijklmnop1234"},
        },
        "remote": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer t"}},
        "cline": {
            "command": "uvx",
            "args": ["mcp-server-git"],
            "disabled": True,
            "alwaysAllow": ["git_status", "git_log"],
        },
        "cherry": {"type": "sse", "url": "http://localhost:3001/sse"},
    },
}


def test_a_whole_claude_desktop_file():
    parsed = parse(json.dumps(CLAUDE_DESKTOP))
    assert parsed.skipped == []
    by = {s.name: s for s in parsed.servers}
    assert by["filesystem"].command == "npx" and by["filesystem"].args[0] == "-y"
    assert by["filesystem"].transport == Transport.STDIO
    assert by["github"].env_keys == ("GITHUB_PERSONAL_ACCESS_TOKEN",)
    assert by["remote"].transport == Transport.HTTP and by["remote"].header_keys == (
        "Authorization",
    )
    assert by["cline"].disabled and by["cline"].always_allow == {"git_status", "git_log"}
    assert by["cherry"].transport == Transport.SSE


@pytest.mark.parametrize(
    "text",
    [
        '{"servers": {"t": {"type": "stdio", "command": "uvx", "args": ["mcp-server-time"]}}}',
        '{"t": {"command": "uvx", "args": ["mcp-server-time"]}}',
        '{"mcp": {"servers": {"t": {"command": "uvx"}}}}',
        '{"mcpServers": {"t": {"command": "uvx", "autoApprove": []}}}',
    ],
)
def test_the_other_clients_shapes(text):
    assert [s.name for s in parse(text).servers] == ["t"]


def test_a_bad_entry_is_skipped_with_its_reason_and_the_rest_kept():
    text = json.dumps(
        {
            "mcpServers": {
                "ok": {"command": "uvx"},
                "no command": {"args": ["x"]},
                "bad url": {"url": "ftp://x"},
                "bad env": {"command": "x", "env": {"A B": "1"}},
                "bad/name": {"command": "x"},
                "kind": {"type": "websocket", "url": "ws://x"},
            }
        }
    )
    parsed = parse(text)
    assert [s.name for s in parsed.servers] == ["ok"]
    reasons = dict(s.split(": ", 1) for s in parsed.skipped)
    assert "needs a command" in reasons["no command"]
    assert "http(s) url" in reasons["bad url"]
    assert "'A B' is not a valid name in env" in reasons["bad env"]
    assert "server name" in reasons["bad/name"]
    assert "unknown type" in reasons["kind"]


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"theme": "dark"}'])
def test_text_without_servers_is_refused_in_words(text):
    with pytest.raises(ConfigError):
        parse(text)


def test_the_saved_file_holds_names_of_secrets_never_their_values():
    parsed = parse(json.dumps(CLAUDE_DESKTOP))
    plain, secrets = zip(*(split_secrets(s) for s in parsed.servers), strict=True)
    values = {k: v for d in secrets for k, v in d.items()}
    assert values == {
        secret_account("github", "env", "GITHUB_PERSONAL_ACCESS_TOKEN"): "ghp_abcdefghijklmnop1234",
        secret_account("remote", "header", "Authorization"): "Bearer t",
    }
    text = to_json(list(plain))
    assert "ghp_abcdefghijklmnop1234" not in text and "Bearer t" not in text
    again = parse(text)  # our own file reads back as it was, less the values
    by = {s.name: s for s in again.servers}
    assert by["github"].env_keys == ("GITHUB_PERSONAL_ACCESS_TOKEN",) and not by["github"].env
    assert by["cline"].disabled and by["cline"].always_allow == {"git_status", "git_log"}


def test_a_one_run_configuration_is_never_saved():
    parsed = parse('{"mcpServers": {"t": {"command": "uvx"}}}', transient=True)
    assert json.loads(to_json(parsed.servers)) == {"mcpServers": {}}


RULE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def test_wire_names_follow_every_providers_rule_and_are_stable():
    assert wire_name("time", "get_current_time") == "time__get_current_time"
    odd = [
        ("my server", "do.thing"),
        ("1password", "get"),
        ("x" * 40, "y" * 40),
        ("数据库", "查询"),
        ("s", "tool:with:colons"),
    ]
    for server, tool in odd:
        name = wire_name(server, tool)
        assert RULE.match(name), name
        assert wire_name(server, tool) == name  # the same in every run
    assert wire_name("a" * 40, "b" * 40) != wire_name("a" * 40, "b" * 39 + "c")


def test_tools_that_clean_to_one_name_get_two():
    names = wire_names("s", ["a.b", "a:b", "a_b"])
    assert len(names) == 3 and set(names.values()) == {"a.b", "a:b", "a_b"}
    assert all(RULE.match(n) for n in names)


def test_a_server_gets_no_key_of_ours_only_its_own_env():
    environ = {
        "HOME": "/home/me",
        "LANG": "zh_CN.UTF-8",
        "PATH": "/usr/bin",
        "ZAI_API_KEY": "zai-secret",
        "OPENROUTER_API_KEY": "sk-or",
        "GLM_DESK_PROFILE": "/p",
        "BASH_FUNC_x%%": "() { evil; }",
    }
    env = launch.server_environment("/opt/bin:/usr/bin", {"TOKEN": "t"}, environ)
    assert env == {
        "HOME": "/home/me",
        "LANG": "zh_CN.UTF-8",
        "PATH": "/opt/bin:/usr/bin",
        "TOKEN": "t",
    }


def test_a_missing_command_names_what_to_install(tmp_path):
    with pytest.raises(McpProblem) as caught:
        launch.resolve("uvx", str(tmp_path))
    assert caught.value.kind == ProblemKind.NOT_FOUND
    assert "Install uv" in caught.value.message and str(tmp_path) in caught.value.detail
    program = tmp_path / "srv"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    assert launch.resolve("srv", str(tmp_path)) == str(program)
    assert launch.resolve(str(program), "") == str(program)
    with pytest.raises(McpProblem):
        launch.resolve(str(tmp_path / "nope"), "")
