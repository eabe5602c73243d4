"""The endpoints GLM Desk can talk to, and how each wants its request shaped."""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from app.core.protocol import Message


class Flavor(StrEnum):
    ZAI = "zai"  # Z.AI / Zhipu: do_sample instead of temperature 0, one stop string
    OPENROUTER = "openrouter"  # attribution headers, usage with cost
    LLAMA = "llama"  # llama.cpp llama-server: usage only when asked, timings
    OPENAI = "openai"  # any other OpenAI-compatible server


@dataclass(frozen=True)
class GenerationParams:
    temperature: float = 0.75
    top_p: float = 0.9
    max_tokens: int | None = None  # None: the server's default
    stop: tuple[str, ...] = ()
    system_prompt: str = ""  # sent as the first message when not empty
    # The provider's web search (Z.AI's web_search tool, OpenRouter's), where it has one.
    web_search: bool = False
    search_count: int = 5  # results asked for
    search_recency: str = "noLimit"  # Z.AI: oneDay, oneWeek, oneMonth, oneYear, noLimit
    web_plugin: bool = False  # OpenRouter: the older `plugins: [web]` (its server tool failed)
    # A Z.AI knowledge base searched for the answer (its retrieval tool), with an optional
    # prompt template holding {{knowledge}} and {{question}}.
    knowledge_id: str = ""
    knowledge_prompt: str = ""
    # A JSON answer (response_format json_object); with llama-server, a schema (JSON text)
    # its grammar enforces.
    json_mode: bool = False
    json_schema: str = ""


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    base_url: str
    model: str
    flavor: Flavor
    context_window: int
    max_output: int
    price_in: float | None = None  # USD per million tokens
    price_out: float | None = None
    key_env: tuple[str, ...] = ()
    needs_key: bool = True
    defaults: GenerationParams = field(default_factory=GenerationParams)
    key_entry: str = ""  # the keyring entry of its key when shared with another provider
    # A llama-server on GLM-4-0414's stock template, which keeps no tool calls or "tool"
    # messages: calls are sent as the text the model writes, results as observations.
    tools_as_text: bool = False

    @property
    def secret_id(self) -> str:
        """The name its key is stored under (OpenRouter's free model uses OpenRouter's)."""
        return self.key_entry or self.id

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def is_loopback(self) -> bool:
        return is_loopback_url(self.base_url)

    @property
    def label(self) -> str:
        return f"{self.name} · {self.model}"

    def with_context(self, n_ctx: int) -> Provider:
        """The same endpoint with the context size the server reports (llama.cpp's /props);
        the output limit never exceeds it."""
        return replace(self, context_window=n_ctx, max_output=min(self.max_output, n_ctx))

    def with_tools_as_text(self, as_text: bool) -> Provider:
        return replace(self, tools_as_text=as_text)

    @property
    def web_search(self) -> bool:
        """Whether the provider searches the web for the model (Z.AI, OpenRouter)."""
        return self.flavor in (Flavor.ZAI, Flavor.OPENROUTER)

    @property
    def json_mode(self) -> bool:
        """Whether it takes `response_format` (OpenRouter's GLM-4 listing does not)."""
        return self.flavor != Flavor.OPENROUTER

    def _response_format(self, p: GenerationParams) -> dict[str, Any]:
        if p.json_schema.strip() and self.flavor == Flavor.LLAMA:
            schema = json.loads(p.json_schema)
            return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
        return {"type": "json_object"}  # Z.AI takes no schema

    def _add_web_search(self, body: dict[str, Any], p: GenerationParams) -> None:
        if self.flavor == Flavor.ZAI:
            body["tools"] = [*body.get("tools", []), _web_search_tool(p)]
        elif p.web_plugin:  # OpenRouter's older way, documented as deprecated
            body["plugins"] = [{"id": "web", "max_results": p.search_count}]
        else:  # OpenRouter runs the search itself, 0..N times, when the model asks
            body["tools"] = [*body.get("tools", []), {"type": "openrouter:web_search"}]

    def with_overrides(self, base_url: str | None = None, model: str | None = None) -> Provider:
        return replace(
            self,
            base_url=base_url or self.base_url,
            model=model or self.model,
        )

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The session key from the environment: the provider's own variable first."""
        found = self.env_key(environ)
        return found[1] if found else None

    def env_key(self, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
        """(variable, key) for the first key-holding variable set, else None."""
        env = os.environ if environ is None else environ
        for name in (*self.key_env, "GLM_DESK_API_KEY"):
            value = env.get(name, "").strip()
            if value:
                return name, value
        return None

    def headers(self, api_key: str | None) -> dict[str, str]:
        headers = {"Accept": "text/event-stream"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        if self.flavor == Flavor.OPENROUTER:
            headers["X-Title"] = "GLM Desk"  # OpenRouter's optional attribution
        return headers

    def request_body(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        tools: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The chat completion request; `tools` (their wire form) are offered with
        tool_choice "auto", the one value every backend takes (Z.AI's pages disagree on
        the others)."""
        p = params or self.defaults
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.to_wire() for m in messages],
            "stream": True,
        }
        if tools:
            body["tools"] = tools
            body["tool_choice"] = "auto"
        if p.web_search and self.web_search:
            self._add_web_search(body, p)
        if p.json_mode and self.json_mode:
            body["response_format"] = self._response_format(p)
        if p.knowledge_id and self.flavor == Flavor.ZAI:
            retrieval: dict[str, Any] = {"knowledge_id": p.knowledge_id}
            if p.knowledge_prompt.strip():
                retrieval["prompt_template"] = p.knowledge_prompt
            body["tools"] = [*body.get("tools", []), {"type": "retrieval", "retrieval": retrieval}]
        max_tokens = p.max_tokens
        if max_tokens is not None:
            body["max_tokens"] = max(1, min(max_tokens, self.max_output))
        if self.flavor == Flavor.ZAI:
            # Z.AI rejects temperature 0: greedy decoding is do_sample=false.
            if p.temperature <= 0:
                body["do_sample"] = False
            else:
                body["temperature"] = min(p.temperature, 1.0)
                body["top_p"] = min(max(p.top_p, 0.01), 1.0)
            if p.stop:
                body["stop"] = [p.stop[0]]  # at most one stop string
        else:
            body["temperature"] = p.temperature
            body["top_p"] = p.top_p
            if p.stop:
                body["stop"] = list(p.stop)
            # Usage in the stream: harmless on OpenRouter, required by llama-server.
            body["stream_options"] = {"include_usage": True}
        return body


def _web_search_tool(p: GenerationParams) -> dict[str, Any]:
    """Z.AI's built-in search (a bare {"type": "web_search"} is refused)."""
    return {
        "type": "web_search",
        "web_search": {
            "enable": True,
            "search_engine": "search_pro_jina",
            "search_result": True,  # the sources come back in the stream
            "count": p.search_count,
            "search_recency_filter": p.search_recency,
        },
    }


def is_loopback_url(url: str) -> bool:
    """Whether url names this machine: localhost, or a loopback address (127.0.0.0/8, ::1).
    A name such as "127.example.com" is not one (it resolves elsewhere)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


ZAI = Provider(
    id="zai",
    name="Z.AI",
    base_url="https://api.z.ai/api/paas/v4",
    model="glm-4-32b-0414-128k",
    flavor=Flavor.ZAI,
    context_window=128_000,
    max_output=16_384,
    price_in=0.10,
    price_out=0.10,
    key_env=("ZAI_API_KEY",),
)

PROVIDERS: dict[str, Provider] = {
    p.id: p
    for p in (
        ZAI,
        replace(
            ZAI,
            id="bigmodel",
            name="Zhipu BigModel",
            base_url="https://open.bigmodel.cn/api/paas/v4",
        ),
        Provider(
            id="openrouter",
            name="OpenRouter",
            base_url="https://openrouter.ai/api/v1",
            model="z-ai/glm-4-32b",
            flavor=Flavor.OPENROUTER,
            context_window=128_000,
            max_output=16_384,
            price_in=0.10,
            price_out=0.10,
            key_env=("OPENROUTER_API_KEY",),
        ),
        Provider(
            id="openrouter-free",
            name="OpenRouter (free)",
            base_url="https://openrouter.ai/api/v1",
            model="thudm/glm-4-32b:free",
            flavor=Flavor.OPENROUTER,
            context_window=32_768,
            max_output=16_384,
            price_in=0.0,
            price_out=0.0,
            key_env=("OPENROUTER_API_KEY",),
            key_entry="openrouter",
        ),
        Provider(
            id="local",
            name="Local llama.cpp",
            base_url="http://127.0.0.1:8080/v1",
            model="glm-4-32b",
            flavor=Flavor.LLAMA,
            context_window=32_768,
            max_output=16_384,
            price_in=0.0,
            price_out=0.0,
            needs_key=False,
        ),
        Provider(
            id="custom",
            name="Custom endpoint",
            base_url="",
            model="glm-4-32b",
            flavor=Flavor.OPENAI,
            context_window=32_768,
            max_output=16_384,
            needs_key=False,
        ),
    )
}


def get_provider(provider_id: str) -> Provider:
    try:
        return PROVIDERS[provider_id]
    except KeyError:
        raise ValueError(
            f"unknown provider {provider_id!r} (choose from {', '.join(PROVIDERS)})"
        ) from None
