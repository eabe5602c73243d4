"""The settings registry: defaults, validation, the file, and broken files."""

from __future__ import annotations

import json

import pytest

from app.core.providers import PROVIDERS
from app.core.settings import (
    REGISTRY,
    SETTINGS_FILE,
    Settings,
    check_proxy,
    validate_params,
)


def test_every_option_has_a_valid_default() -> None:
    for option in REGISTRY.values():
        assert option.validate(option.default) == option.default, option.key


def test_registry_covers_each_provider_and_the_issue_defaults() -> None:
    for pid in PROVIDERS:
        for name in ("enabled", "base_url", "model", "temperature", "top_p", "max_tokens"):
            assert f"providers.{pid}.{name}" in REGISTRY
    assert REGISTRY["providers.zai.temperature"].default == 0.75
    assert REGISTRY["providers.zai.max_tokens"].maximum == 16_384
    assert REGISTRY["appearance.theme"].default == "system"
    assert set(REGISTRY["language"].choices) == {"system", "en", "zh_CN"}


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("providers.zai.temperature", 2.5, "above the maximum"),
        ("providers.zai.temperature", "hot", "expected a number"),
        ("providers.zai.temperature", float("nan"), "finite"),
        ("providers.zai.max_tokens", 20_000, "above the maximum 16384"),
        ("providers.zai.max_tokens", 1.5, "whole number"),
        ("providers.zai.max_tokens", True, "whole number"),
        ("providers.zai.enabled", "yes", "true or false"),
        ("providers.custom.base_url", "ftp://x", "http"),
        ("providers.zai.model", "glm 4", "no spaces"),
        ("appearance.theme", "pink", "not one of"),
        ("network.proxy", "socks5://127.0.0.1:1080", "proxy URL"),
        ("network.proxy", "http://proxy:99999", "port"),
        ("network.timeout", 1, "below the minimum"),
    ],
)
def test_bad_values_are_refused_with_a_reason(key, value, problem) -> None:
    settings = Settings()
    with pytest.raises(ValueError, match=problem):
        settings.set(key, value)
    assert settings.is_default(key)


def test_update_is_all_or_nothing() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="providers.zai.top_p"):
        settings.update({"providers.zai.temperature": 0.3, "providers.zai.top_p": 7})
    assert settings.get("providers.zai.temperature") == 0.75
    with pytest.raises(ValueError, match="not a setting"):
        settings.update({"providers.zai.api_key": "x"})


def test_only_changed_values_are_saved_and_read_back(tmp_path) -> None:
    settings = Settings.in_profile(tmp_path)
    settings.update(
        {
            "providers.zai.temperature": 0.2,
            "providers.zai.top_p": 0.9,  # the default: not written
            "appearance.theme": "dark",
            "providers.custom.system_prompt": "Answer in 中文.",
        }
    )
    settings.save()
    data = json.loads((tmp_path / SETTINGS_FILE).read_text("utf-8"))
    assert data == {
        "version": 1,
        "appearance.theme": "dark",
        "providers.custom.system_prompt": "Answer in 中文.",
        "providers.zai.temperature": 0.2,
    }
    again = Settings.in_profile(tmp_path)
    assert again.problems == []
    assert again.get("providers.zai.temperature") == 0.2
    assert again.get("providers.custom.system_prompt") == "Answer in 中文."
    assert not list(tmp_path.glob(".settings-*"))  # no temporary file left


def test_a_file_that_is_not_json_gives_defaults_a_message_and_is_kept(tmp_path) -> None:
    (tmp_path / SETTINGS_FILE).write_text('{"appearance.theme": "dark",', "utf-8")
    settings = Settings.in_profile(tmp_path)
    assert settings.get("appearance.theme") == "system"
    assert len(settings.problems) == 1
    assert "not valid JSON" in settings.problems[0]
    assert "settings.json.broken" in settings.problems[0]
    assert (tmp_path / "settings.json.broken").read_text("utf-8").startswith("{")
    settings.set("appearance.theme", "light")
    settings.save()  # a new, good file
    assert Settings.in_profile(tmp_path).get("appearance.theme") == "light"


@pytest.mark.parametrize("content", [b"[1, 2]", b"\xff\xfe\x00garbage", b"null", b""])
def test_other_broken_files_never_raise(tmp_path, content) -> None:
    (tmp_path / SETTINGS_FILE).write_bytes(content)
    settings = Settings.in_profile(tmp_path)
    assert settings.snapshot() == Settings().snapshot()
    assert settings.problems


def test_bad_keys_fall_back_alone_and_unknown_keys_survive(tmp_path) -> None:
    (tmp_path / SETTINGS_FILE).write_text(
        json.dumps(
            {
                "version": 1,
                "appearance.theme": "dark",
                "providers.zai.temperature": "very hot",
                "providers.zai.max_tokens": 10**9,
                "future.option": {"nested": [1]},
            }
        ),
        "utf-8",
    )
    settings = Settings.in_profile(tmp_path)
    assert settings.get("appearance.theme") == "dark"  # the good key is kept
    assert settings.get("providers.zai.temperature") == 0.75
    assert settings.get("providers.zai.max_tokens") == 0
    [problem] = settings.problems
    assert "providers.zai.temperature (expected a number)" in problem
    assert "providers.zai.max_tokens" in problem
    settings.save()
    data = json.loads((tmp_path / SETTINGS_FILE).read_text("utf-8"))
    assert data["future.option"] == {"nested": [1]}
    assert "providers.zai.temperature" not in data


def test_generation_params_come_from_settings_and_conversation_overrides() -> None:
    settings = Settings()
    zai = PROVIDERS["zai"]
    assert settings.generation_params(zai).temperature == 0.75
    assert settings.generation_params(zai).max_tokens is None
    settings.update({"providers.zai.temperature": 0.1, "providers.zai.max_tokens": 2048})
    settings.set("providers.zai.system_prompt", "Be brief.")
    params = settings.generation_params(zai)
    assert (params.temperature, params.max_tokens, params.system_prompt) == (
        0.1,
        2048,
        "Be brief.",
    )
    over = settings.generation_params(zai, {"temperature": 0.9, "system_prompt": ""})
    assert over.temperature == 0.9 and over.system_prompt == "" and over.max_tokens == 2048
    assert settings.generation_params(PROVIDERS["openrouter"]).temperature == 0.75


def test_provider_overrides_apply_base_url_and_model() -> None:
    settings = Settings()
    local = PROVIDERS["local"]
    assert settings.apply_to(local) == local
    settings.update(
        {"providers.local.base_url": "http://127.0.0.1:9000/v1", "providers.local.model": "x"}
    )
    changed = settings.apply_to(local)
    assert changed.base_url == "http://127.0.0.1:9000/v1" and changed.model == "x"


def test_conversation_params_are_validated() -> None:
    assert validate_params({"temperature": 1, "max_tokens": 100}, 16_384) == {
        "temperature": 1.0,
        "max_tokens": 100,
    }
    with pytest.raises(ValueError, match="max_tokens: above the maximum 4096"):
        validate_params({"max_tokens": 5000}, 4096)
    with pytest.raises(ValueError, match="not a conversation setting"):
        validate_params({"model": "x"}, 4096)


def test_proxy_check_accepts_http_proxies() -> None:
    assert check_proxy("") == ""
    assert check_proxy("http://user:pw@proxy.example:3128") == ""
    assert check_proxy("https://proxy.example") == ""
    assert check_proxy("proxy.example:3128")


def test_read_only_settings_never_change_the_file(tmp_path) -> None:
    """For a profile another GLM Desk is using: read the language, move nothing aside."""
    path = tmp_path / SETTINGS_FILE
    path.write_text('{"language": "zh_CN", ', "utf-8")
    settings = Settings.in_profile(tmp_path, read_only=True)
    assert settings.problems and "not valid JSON" in settings.problems[0]
    assert "broken" not in settings.problems[0]
    settings.save()
    assert [p.name for p in tmp_path.iterdir()] == [SETTINGS_FILE]
    assert path.read_text("utf-8") == '{"language": "zh_CN", '
    path.write_text('{"version": 1, "language": "zh_CN"}', "utf-8")
    assert Settings.in_profile(tmp_path, read_only=True).get("language") == "zh_CN"
