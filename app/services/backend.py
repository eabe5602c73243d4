"""Owns the HTTP clients (one per endpoint) and hands out ChatClients with their API keys."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from app.core.client import ChatClient, ClientPool, RetryPolicy
from app.core.providers import Provider
from app.core.secrets import MemoryStore, SecretStore


class Backend:
    """Keys are looked up, first found wins: the provider's own environment variable
    (``ZAI_API_KEY``, ``OPENROUTER_API_KEY``), ``GLM_DESK_API_KEY``, a session key
    (`set_session_key`), then the secret store. One exception: a provider with no variable of
    its own (the local server) uses its session key before ``GLM_DESK_API_KEY``, because that
    key was generated for that very server and is the only one it accepts.

    Keys from the environment and session keys are never stored. The store is read from its
    cache here (`SecretStore.cached`, which never blocks); `load_keys` fills that cache off
    the GUI thread at start. Keys are never logged."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        secrets: SecretStore | None = None,
    ) -> None:
        self.pool = ClientPool()
        self._environ = environ
        self._retry = retry
        self.secrets: SecretStore = secrets if secrets is not None else MemoryStore()
        self._session_keys: dict[str, str] = {}  # provider id -> key, in memory only
        self.offline = False  # Offline mode: every request off this machine is refused

    def set_session_key(self, provider_id: str, key: str | None) -> None:
        """A key for this session only (e.g. the local server's generated one); None forgets
        it. Never logged, never written."""
        if key:
            self._session_keys[provider_id] = key
        else:
            self._session_keys.pop(provider_id, None)

    async def load_keys(self, provider_ids: Iterable[str]) -> None:
        """Reads the stored keys of these providers on a worker thread (a keyring call can
        block on D-Bus), so that `api_key` on the GUI thread never waits for the keyring."""
        ids = list(provider_ids)

        def read() -> None:
            for provider_id in ids:
                self.secrets.get(provider_id)

        await asyncio.to_thread(read)

    def api_key(self, provider: Provider) -> str | None:
        session = self._session_keys.get(provider.id)
        if session and not provider.key_env:
            return session
        return provider.api_key(self._environ) or session or self.secrets.cached(provider.id)

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
