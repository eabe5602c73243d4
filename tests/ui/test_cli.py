"""The command line that users, packaging and benchmarks rely on."""

from __future__ import annotations

import os
import re

import pytest

from app.main import parse_args, session_providers
from tests.app_process import run_glm_desk


def test_smoke_opens_the_window_and_exits_zero(tmp_path):
    profile = tmp_path / "prof"
    proc = run_glm_desk("--smoke", "--no-crash-dialog", "--profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    pattern = r"glm-desk smoke: first frame (\d+) ms, ready (\d+) ms, window visible: True"
    m = re.fullmatch(pattern, lines[0])
    assert m and 0 < int(m.group(1)) <= int(m.group(2)) < 30_000
    assert (profile / "logs" / "glm-desk.log").is_file()  # all state under --profile


def test_profile_from_environment(tmp_path):
    profile = tmp_path / "envprof"
    proc = run_glm_desk("--smoke", "--no-crash-dialog", env={"GLM_DESK_PROFILE": str(profile)})
    assert proc.returncode == 0, proc.stderr
    assert (profile / "logs" / "glm-desk.log").is_file()


def test_key_from_environment_is_never_written(tmp_path):
    profile = tmp_path / "keyprof"
    key = "zk-" + os.urandom(12).hex()
    proc = run_glm_desk(
        "--smoke",
        "--no-crash-dialog",
        "--profile",
        str(profile),
        "--provider",
        "zai",
        env={"ZAI_API_KEY": key},
    )
    assert proc.returncode == 0, proc.stderr
    for path in profile.rglob("*"):
        if path.is_file():
            assert key[:8] not in path.read_text(errors="replace")
    assert key[:8] not in proc.stdout + proc.stderr


def test_version():
    proc = run_glm_desk("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("glm-desk ")


def test_provider_overrides_apply_to_the_session_only():
    args = parse_args(
        ["--provider", "local", "--base-url", "http://127.0.0.1:9999/v1", "--model", "tiny"]
    )
    local = next(p for p in session_providers(args) if p.id == "local")
    assert (local.base_url, local.model) == ("http://127.0.0.1:9999/v1", "tiny")
    zai = next(p for p in session_providers(args) if p.id == "zai")
    assert zai.base_url == "https://api.z.ai/api/paas/v4"


def test_base_url_alone_means_custom_and_custom_needs_a_url():
    args = parse_args(["--base-url", "http://127.0.0.1:1234/v1", "--model", "m"])
    assert args.provider == "custom"
    custom = next(p for p in session_providers(args) if p.id == "custom")
    assert custom.base_url == "http://127.0.0.1:1234/v1" and custom.model == "m"
    with pytest.raises(SystemExit):
        parse_args(["--provider", "custom"])


def test_unknown_provider_is_refused():
    proc = run_glm_desk("--provider", "nope", "--smoke")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_a_foreign_qt_api_in_the_environment_does_not_switch_bindings(tmp_path):
    proc = run_glm_desk(
        "--smoke",
        "--no-crash-dialog",
        "--profile",
        str(tmp_path / "p"),
        env={"QT_API": "pyqt6"},
    )
    assert proc.returncode == 0, proc.stderr[-500:]
