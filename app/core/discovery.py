"""Local OpenAI-compatible servers already running on this machine, and their models.

Only loopback addresses are asked (never the network, and never through a proxy). Every one
lists its models at GET /v1/models; llama.cpp also answers
GET /props with its real context size, chat template and build.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.localserver import ServerInfo
from app.core.providers import is_loopback_url

if TYPE_CHECKING:  # imported when a server is looked for, not at start-up
    import httpx

# The usual ports of the usual servers.
KNOWN_PORTS = {8080: "llama.cpp", 11434: "Ollama", 1234: "LM Studio", 8000: "vLLM"}
PROBE_TIMEOUT = 0.8


@dataclass
class DetectedServer:
    kind: str  # "llama.cpp", "Ollama", "LM Studio", "vLLM" or "OpenAI-compatible"
    base_url: str  # .../v1
    models: list[str] = field(default_factory=list)
    info: ServerInfo | None = None  # llama.cpp's /props
    needs_key: bool = False  # answered 401

    @property
    def label(self) -> str:
        what = ", ".join(self.models[:3]) or ("needs an API key" if self.needs_key else "")
        return f"{self.kind} at {self.base_url.removesuffix('/v1')}" + (f": {what}" if what else "")


def _kind(port: int | None, payload: dict, has_props: bool) -> str:
    owners = {str(m.get("owned_by", "")).lower() for m in payload.get("data", []) or []}
    if "llamacpp" in owners or has_props:
        return "llama.cpp"
    if "vllm" in owners:
        return "vLLM"
    if "library" in owners or "ollama" in owners:
        return "Ollama"
    return KNOWN_PORTS.get(port or 0, "OpenAI-compatible")


async def probe(http: httpx.AsyncClient, base_url: str) -> DetectedServer | None:
    """What serves at base_url (".../v1"), or None when nothing answers like a model server."""
    import httpx

    base_url = base_url.rstrip("/")
    if not base_url.endswith("/v1"):
        base_url += "/v1"
    if not is_loopback_url(base_url):
        return None  # only this machine is asked
    try:
        response = await http.get(base_url + "/models", timeout=PROBE_TIMEOUT)
    except (httpx.HTTPError, ValueError):  # ValueError: a URL such as port 99999
        return None
    port = httpx.URL(base_url).port
    if response.status_code == 401:  # llama-server says so in its error's type
        kind = KNOWN_PORTS.get(port or 0, "OpenAI-compatible")
        if "authentication_error" in response.text:
            kind = "llama.cpp"
        return DetectedServer(kind, base_url, needs_key=True)
    if response.status_code != 200:
        return None
    try:
        payload = response.json()
        models = [str(m["id"]) for m in payload.get("data", []) or [] if "id" in m]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    info = None
    try:
        props = await http.get(base_url.removesuffix("/v1") + "/props", timeout=PROBE_TIMEOUT)
        if props.status_code == 200 and isinstance(props.json(), dict):
            info = ServerInfo.from_props(props.json())
    except (httpx.HTTPError, ValueError, TypeError, AttributeError):
        pass
    return DetectedServer(_kind(port, payload, info is not None), base_url, models, info)


async def detect(extra_urls: Iterable[str] = (), host: str = "127.0.0.1") -> list[DetectedServer]:
    """Every server answering on the usual ports or at the configured URLs, in that order."""
    urls = [f"http://{host}:{port}/v1" for port in KNOWN_PORTS]
    for url in extra_urls:
        url = url.rstrip("/")
        url = url if url.endswith("/v1") else url + "/v1"
        if url not in urls:
            urls.append(url)
    import httpx

    async with httpx.AsyncClient(trust_env=False) as http:
        found = await asyncio.gather(*(probe(http, url) for url in urls))
    return [server for server in found if server is not None]
