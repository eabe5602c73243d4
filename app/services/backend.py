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
        self._session_keys: dict[str, str] = {}  # provider id -> key, in memory only
        self.offline = False  # Offline mode: every request off this machine is refused

    def set_session_key(self, provider_id: str, key: str | None) -> None:
        """A key for this session only (e.g. the local server's generated one); None forgets
        it. Never logged, never written."""
        if key:
            self._session_keys[provider_id] = key
        else:
            self._session_keys.pop(provider_id, None)

    def api_key(self, provider: Provider) -> str | None:
        return self._session_keys.get(provider.id) or provider.api_key(self._environ)

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
