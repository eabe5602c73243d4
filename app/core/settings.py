"""User preferences: every option declared once, typed, with its default and its rule.

`REGISTRY` holds every `Option`. `Settings` keeps the values, validates each write and saves
to ``settings.json`` in the profile directory, apart from window geometry and state (kept by
the UI in their own file). Only values that differ from their default are written, so a
changed default reaches every user who never touched that option.

A broken or hand-edited file never stops the app: invalid JSON keeps the file aside as
``settings.json.broken`` and starts from the defaults; a bad value for one key (wrong type,
out of range, not a choice) falls back to that key's default. Either way `problems` says
what happened, in words, for the UI to show. Unknown keys (from a newer version, or typos)
are kept in the file untouched and reported.

API keys are never settings: they live in the secret store (app/core/secrets.py).
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.providers import PROVIDERS, GenerationParams, Provider

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
FORMAT_VERSION = 1
MAX_SYSTEM_PROMPT = 100_000  # characters

Value = bool | int | float | str


@dataclass(frozen=True)
class Option:
    """One setting: its key, type and default, and the rule a value must follow."""

    key: str
    default: Value
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    check: Callable[[Any], str] | None = None  # returns a problem in words, "" when fine
    max_length: int = 2_000

    @property
    def kind(self) -> type:
        return type(self.default)

    def validate(self, value: object) -> Value:
        """The value in this option's type, or ValueError saying what is wrong."""
        kind = self.kind
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError(QT_TRANSLATE_NOOP("Settings", "expected true or false"))
            return value
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise ValueError(QT_TRANSLATE_NOOP("Settings", "expected a whole number"))
        elif kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(QT_TRANSLATE_NOOP("Settings", "expected a number"))
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(QT_TRANSLATE_NOOP("Settings", "expected a finite number"))
        elif kind is str:
            if not isinstance(value, str):
                raise ValueError(QT_TRANSLATE_NOOP("Settings", "expected text"))
            if len(value) > self.max_length:
                raise ValueError(
                    QT_TRANSLATE_NOOP("Settings", "longer than {count} characters").format(
                        count=self.max_length
                    )
                )
        assert isinstance(value, int | float | str)
        if self.minimum is not None and isinstance(value, int | float) and value < self.minimum:
            raise ValueError(
                QT_TRANSLATE_NOOP("Settings", "below the minimum {minimum}").format(
                    minimum=f"{self.minimum:g}"
                )
            )
        if self.maximum is not None and isinstance(value, int | float) and value > self.maximum:
            raise ValueError(
                QT_TRANSLATE_NOOP("Settings", "above the maximum {maximum}").format(
                    maximum=f"{self.maximum:g}"
                )
            )
        if self.choices and value not in self.choices:
            raise ValueError(
                QT_TRANSLATE_NOOP("Settings", "not one of {choices}").format(
                    choices=", ".join(self.choices)
                )
            )
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise ValueError(problem)
        return value


def check_json_schema(value: str) -> str:
    """Empty, or a JSON object (a JSON schema)."""
    if not value.strip():
        return ""
    try:
        schema = json.loads(value)
    except ValueError as exc:
        return f"the JSON schema is not valid JSON ({exc})"
    return "" if isinstance(schema, dict) else "a JSON schema is a JSON object"


def check_interpreters(value: str) -> str:
    """runner.interpreters: a JSON object of workspace folder -> interpreter."""
    try:
        found = json.loads(value)
    except ValueError:
        return QT_TRANSLATE_NOOP("Settings", "not valid JSON")
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        return QT_TRANSLATE_NOOP("Settings", "expected an object of folder: interpreter")
    return ""


def check_knowledge_id(value: str) -> str:
    """Empty, or an id of letters, digits, dashes and underscores (as Z.AI makes them)."""
    if value and not all(c.isalnum() or c in "-_" for c in value.strip()):
        return "a knowledge base id has only letters, digits, dashes and underscores"
    return ""


def check_knowledge_prompt(value: str) -> str:
    """Empty, or a template that says where the knowledge and the question go."""
    if value.strip() and ("{{knowledge}}" not in value or "{{question}}" not in value):
        return "the template must contain {{knowledge}} and {{question}}"
    return ""


def check_url(value: str) -> str:
    """Empty (use the default) or an http(s) URL with a host."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return QT_TRANSLATE_NOOP("Settings", "expected an http:// or https:// URL")
    return ""


def check_proxy(value: str) -> str:
    """Empty (use the system's proxy settings) or a proxy URL httpx can use."""
    if not value:
        return ""
    parts = urlsplit(value)
    # SOCKS would need httpx's optional socksio dependency: not offered.
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return QT_TRANSLATE_NOOP(
            "Settings", "expected a proxy URL such as http://proxy.example:3128"
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return QT_TRANSLATE_NOOP("Settings", "the port is not a number from 0 to 65535")
    return ""


def check_model(value: str) -> str:
    if any(c.isspace() for c in value):
        return QT_TRANSLATE_NOOP("Settings", "a model id has no spaces")
    return ""


THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
# Per-provider options; the key is f"providers.{id}.{name}".
PROVIDER_OPTIONS = (
    "enabled",
    "base_url",
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "system_prompt",
)
# What a conversation may override (stored with the conversation, not here).
CONVERSATION_PARAMS = (
    "temperature",
    "top_p",
    "max_tokens",
    "system_prompt",
    "web_search",
    "knowledge_id",
    "knowledge_prompt",
    "json_mode",
    "json_schema",
    "run_code",
)
# A conversation's settings that are not a provider's (their rule and default are global).
GLOBAL_PARAMS = {
    "web_search": "generation.web_search",
    "knowledge_id": "generation.knowledge_id",
    "knowledge_prompt": "generation.knowledge_prompt",
    "json_mode": "generation.json_mode",
    "json_schema": "generation.json_schema",
    "run_code": "tools.run_code",
}
RECENCY = ("oneDay", "oneWeek", "oneMonth", "oneYear", "noLimit")


def _provider_options(p: Provider) -> list[Option]:
    prefix = f"providers.{p.id}."
    return [
        Option(prefix + "enabled", True),
        Option(prefix + "base_url", "", check=check_url),
        Option(prefix + "model", "", check=check_model, max_length=200),
        Option(prefix + "temperature", p.defaults.temperature, minimum=0.0, maximum=2.0),
        Option(prefix + "top_p", p.defaults.top_p, minimum=0.01, maximum=1.0),
        # 0: let the server decide; else at most the model's output limit
        Option(prefix + "max_tokens", 0, minimum=0, maximum=p.max_output),
        Option(prefix + "system_prompt", "", max_length=MAX_SYSTEM_PROMPT),
    ]


def _build_registry() -> dict[str, Option]:
    options = [
        Option("general.provider", "", choices=("", *PROVIDERS)),
        Option("general.welcome_done", False),
        Option("network.proxy", "", check=check_proxy),
        Option("network.timeout", 120.0, minimum=5.0, maximum=600.0),
        # Offline mode: nothing goes to a server off this machine (the window's toggle and
        # `glm-desk ask` alike)
        Option("network.offline", False),
        Option("appearance.theme", "system", choices=THEMES),
        Option("appearance.font_size", 0, minimum=0, maximum=32),  # 0: the system's size
        Option("language", "system", choices=LANGUAGES),
        # Tools: rounds of calls in one request; reads and writes asked about first
        Option("tools.max_rounds", 8, minimum=1, maximum=50),
        Option("tools.ask_before_read", False),
        Option("tools.ask_before_write", True),
        Option("tools.mcp_timeout", 60.0, minimum=1.0, maximum=3600.0),  # seconds per MCP call
        # The run_code tool: the default of a new conversation (its Run code toggle)
        Option("tools.run_code", False),
        # The snippet runner: the sandbox (auto: the strongest that works), its limits, and
        # the Python used (a program or a virtual environment; per workspace, as JSON).
        Option("runner.sandbox", "auto", choices=("auto", "bubblewrap", "namespaces", "none")),
        Option("runner.timeout", 30.0, minimum=1.0, maximum=3600.0),  # wall-clock seconds
        Option("runner.memory_mb", 2048, minimum=64, maximum=1_048_576),  # address space
        Option("runner.processes", 64, minimum=1, maximum=100_000),  # processes it may add
        Option("runner.python", "", max_length=4096),
        Option("runner.interpreters", "{}", check=check_interpreters, max_length=200_000),
        # The provider's web search: the default of a new conversation, and how it searches.
        Option("generation.web_search", False),
        Option("generation.web_search_count", 5, minimum=1, maximum=50),
        Option("generation.web_search_recency", "noLimit", choices=RECENCY),
        # A Z.AI knowledge base searched for the answer (the retrieval tool); set per
        # conversation, in Conversation settings.
        Option("generation.knowledge_id", "", check=check_knowledge_id, max_length=200),
        Option("generation.knowledge_prompt", "", check=check_knowledge_prompt, max_length=8000),
        # JSON answers (response_format), and for llama-server a JSON schema its grammar keeps.
        Option("generation.json_mode", False),
        # Warn before a request once this month's spending passes it (0: no budget).
        Option("usage.monthly_budget_usd", 0.0, minimum=0.0, maximum=1_000_000.0),
        Option("generation.json_schema", "", check=check_json_schema, max_length=100_000),
    ]
    for p in PROVIDERS.values():
        options.extend(_provider_options(p))
    return {o.key: o for o in options}


REGISTRY: dict[str, Option] = _build_registry()


def param_option(name: str) -> Option:
    """The rule for a generation setting (a CONVERSATION_PARAMS name), as every provider
    has it; max_tokens' maximum is the provider's output limit."""
    return REGISTRY[GLOBAL_PARAMS.get(name) or f"providers.zai.{name}"]


def validate_params(params: Mapping[str, object], max_output: int) -> dict[str, Value]:
    """A conversation's overrides, checked with the same rules as the provider options;
    ValueError names the first bad one."""
    out: dict[str, Value] = {}
    for name, value in params.items():
        if name not in CONVERSATION_PARAMS:
            raise ValueError(f"{name}: not a conversation setting")
        option = param_option(name)
        if name == "max_tokens":
            option = replace(option, maximum=max_output)
        try:
            out[name] = option.validate(value)
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    return out


class Settings:
    """The values of every option, loaded from and saved to one JSON file."""

    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        """`read_only`: read the file and never change it (not even to keep a broken one
        aside), for a profile another GLM Desk is using."""
        self.path = path
        self.read_only = read_only
        self._values: dict[str, Value] = {}
        self._unknown: dict[str, Any] = {}
        self.problems: list[str] = []
        if path is not None:
            self._load(path)

    @classmethod
    def in_profile(cls, profile: Path, read_only: bool = False) -> Settings:
        return cls(profile / SETTINGS_FILE, read_only)

    # --- reading -------------------------------------------------------------------------

    def get(self, key: str) -> Any:
        option = REGISTRY[key]  # KeyError: not an option (a programming error)
        return self._values.get(key, option.default)

    def is_default(self, key: str) -> bool:
        return key not in self._values

    def provider_value(self, provider_id: str, name: str) -> Any:
        return self.get(f"providers.{provider_id}.{name}")

    def apply_to(self, provider: Provider) -> Provider:
        """The provider with the user's base URL and model, when set."""
        base_url = self.provider_value(provider.id, "base_url")
        model = self.provider_value(provider.id, "model")
        return provider.with_overrides(base_url=base_url or None, model=model or None)

    def generation_params(
        self, provider: Provider, overrides: Mapping[str, object] | None = None
    ) -> GenerationParams:
        """The provider's generation settings, with a conversation's overrides on top."""
        values = {
            name: self.get(GLOBAL_PARAMS[name])
            if name in GLOBAL_PARAMS
            else self.provider_value(provider.id, name)
            for name in CONVERSATION_PARAMS
        }
        for name, value in (overrides or {}).items():
            if name in CONVERSATION_PARAMS:
                values[name] = value
        max_tokens = int(values["max_tokens"])
        return replace(
            provider.defaults,
            temperature=float(values["temperature"]),
            top_p=float(values["top_p"]),
            max_tokens=min(max_tokens, provider.max_output) if max_tokens > 0 else None,
            system_prompt=str(values["system_prompt"]),
            web_search=bool(values["web_search"]),
            knowledge_id=str(values["knowledge_id"]).strip(),
            knowledge_prompt=str(values["knowledge_prompt"]),
            json_mode=bool(values["json_mode"]),
            json_schema=str(values["json_schema"]),
            search_count=int(self.get("generation.web_search_count")),  # type: ignore[call-overload]
            search_recency=str(self.get("generation.web_search_recency")),
        )

    def enabled(self, provider_id: str) -> bool:
        return bool(self.provider_value(provider_id, "enabled"))

    # --- writing -------------------------------------------------------------------------

    def set(self, key: str, value: object) -> None:
        """Sets one option (ValueError when the value breaks its rule); the default value
        removes the key from the file."""
        option = REGISTRY[key]
        checked = option.validate(value)
        if checked == option.default:
            self._values.pop(key, None)
        else:
            self._values[key] = checked

    def update(self, values: Mapping[str, object]) -> None:
        """Sets several options, all or none: the first bad one raises ValueError with its
        key, and nothing changes."""
        checked: dict[str, Value] = {}
        for key, value in values.items():
            try:
                checked[key] = REGISTRY[key].validate(value)
            except KeyError:
                raise ValueError(f"{key}: not a setting") from None
            except ValueError as e:
                raise ValueError(f"{key}: {e}") from None
        for key, value in checked.items():
            self.set(key, value)

    def reset(self, keys: Iterable[str] | None = None) -> None:
        for key in list(self._values) if keys is None else keys:
            self._values.pop(key, None)

    def to_json(self) -> str:
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        data.update(self._unknown)
        data.update(sorted(self._values.items()))
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def save(self) -> None:
        """Writes the file atomically (a temporary file, fsync, rename): a crash leaves the
        old file or the new one, never half of one. Blocks on disk: call it off the GUI
        thread."""
        self.save_text(self.to_json())

    def save_text(self, text: str) -> None:
        """Writes text (from `to_json`) as the settings file, atomically."""
        if self.path is None or self.read_only:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def snapshot(self) -> dict[str, Value]:
        """Every option's current value (defaults included)."""
        return {key: self.get(key) for key in REGISTRY}

    # --- loading -------------------------------------------------------------------------

    def _load(self, path: Path) -> None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as e:
            self.problems.append(
                QT_TRANSLATE_NOOP(
                    "Settings",
                    "The settings file {path} could not be read ({reason}); using the default "
                    "settings.",
                ).format(path=str(path), reason=e.strerror or str(e))
            )
            return
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("the file does not hold a JSON object")
        except (UnicodeDecodeError, ValueError) as e:
            broken = path.with_name(path.name + ".broken")
            try:
                if self.read_only:
                    raise PermissionError("read-only")  # the message without a kept copy
                os.replace(path, broken)
                self.problems.append(
                    QT_TRANSLATE_NOOP(
                        "Settings",
                        "The settings file {path} is not valid JSON ({reason}); using the "
                        "default settings. The broken file was kept as {kept}.",
                    ).format(path=str(path), reason=_short(e), kept=broken.name)
                )
            except OSError:
                self.problems.append(
                    QT_TRANSLATE_NOOP(
                        "Settings",
                        "The settings file {path} is not valid JSON ({reason}); using the "
                        "default settings.",
                    ).format(path=str(path), reason=_short(e))
                )
            return
        bad: list[str] = []
        for key, value in data.items():
            if key == "version":
                continue
            option = REGISTRY.get(key)
            if option is None:
                self._unknown[key] = value
                log.info("settings: unknown key %r kept as it is", key)
                continue
            try:
                checked = option.validate(value)
            except ValueError as e:
                bad.append(f"{key} ({e})")
                continue
            if checked != option.default:
                self._values[key] = checked
        if bad:
            self.problems.append(
                QT_TRANSLATE_NOOP(
                    "Settings",
                    "Some settings in {path} were not valid and are back to their defaults: "
                    "{keys}.",
                ).format(path=str(path), keys="; ".join(bad))
            )


def _short(e: Exception) -> str:
    text = str(e)
    return text if len(text) <= 120 else text[:117] + "…"
