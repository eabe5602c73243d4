"""Owns the HTTP clients (one per endpoint) and hands out ChatClients with session keys."""

from __future__ import annotations

from collections.abc import Mapping

from app.core.client import ChatClient, ClientPool, RetryPolicy
from app.core.providers import Provider


class Backend:
    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.pool = ClientPool()
        self._environ = environ
        self._retry = retry
        self.offline = False  # Offline mode: every request off this machine is refused

    def api_key(self, provider: Provider) -> str | None:
        return provider.api_key(self._environ)

    def client_for(self, provider: Provider) -> ChatClient:
        return ChatClient(
            provider,
            self.pool.get(provider),
            api_key=self.api_key(provider),
            retry=self._retry,
            offline=self.offline,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
