"""Owns the HTTP clients (one per endpoint) and hands out ChatClients with their API keys."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication

from app.core.client import ChatClient, ClientPool, RetryPolicy
from app.core.errors import ChatError
from app.core.protocol import Finish, Message, Role, TextDelta
from app.core.providers import Provider
from app.core.redact import redact, redact_fields, remember
from app.core.secrets import MemoryStore, SecretStore
from app.services.translation import translated

TEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str  # in words, never containing the key
    elapsed_ms: float = 0.0
    error: ChatError | None = None


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
            remember(key)
            self._session_keys[provider_id] = key
        else:
            self._session_keys.pop(provider_id, None)

    async def load_keys(self, provider_ids: Iterable[str]) -> None:
        """Reads the stored keys of these providers on a worker thread (a keyring call can
        block on D-Bus), so that `api_key` on the GUI thread never waits for the keyring."""
        ids = list(provider_ids)

        def read() -> None:
            for provider_id in ids:
                remember(self.secrets.get(provider_id))

        await asyncio.to_thread(read)

    def api_key(self, provider: Provider) -> str | None:
        key = self._find_key(provider)[1]
        remember(key)  # whatever it came from, it never reaches a log or a message
        return key

    def key_origin(self, provider: Provider) -> str:
        """Where `api_key` finds this provider's key: the name of the environment variable,
        "session", "stored", or "" when there is none."""
        return self._find_key(provider)[0]

    def _find_key(self, provider: Provider) -> tuple[str, str | None]:
        """(where it comes from, key), in the order the class docstring gives."""
        session = self._session_keys.get(provider.id)
        if session and not provider.key_env:
            return "session", session
        found = provider.env_key(self._environ)
        if found:
            return found
        if session:
            return "session", session
        stored = self.secrets.cached(provider.secret_id)
        return ("stored", stored) if stored else ("", None)

    def client_for(
        self, provider: Provider, api_key: str | None = None, retry: RetryPolicy | None = None
    ) -> ChatClient:
        """A client for provider, with its looked-up key unless api_key is given."""
        remember(api_key)
        return ChatClient(
            provider,
            self.pool.get(provider),
            api_key=api_key or self.api_key(provider),
            retry=retry or self._retry,
            offline=self.offline,
        )

    async def test_connection(
        self, provider: Provider, api_key: str | None = None
    ) -> ConnectionResult:
        """The smallest real request (one token for "Hi", no retries): does this endpoint
        answer with this key and model? The result is in words; cancelling stops it."""
        client = self.client_for(provider, api_key, RetryPolicy(attempts=1))
        probe = replace(provider.defaults, max_tokens=1, temperature=0.5)
        start = time.monotonic()
        try:
            async with asyncio.timeout(TEST_TIMEOUT_S):
                async with aclosing(client.stream([Message(Role.USER, "Hi")], probe)) as events:
                    async for event in events:
                        if isinstance(event, TextDelta | Finish):
                            break
        except ChatError as err:
            redact_fields(err, "message", "action", "detail")
            return ConnectionResult(False, redact(err.user_text(translated)), error=err)
        except TimeoutError:
            return ConnectionResult(
                False,
                QCoreApplication.translate(
                    "Backend",
                    "{provider} did not answer within {seconds:.0f} s. Check the address, your "
                    "network and the proxy setting.",
                ).format(provider=provider.name, seconds=TEST_TIMEOUT_S),
            )
        ms = (time.monotonic() - start) * 1000
        return ConnectionResult(
            True,
            QCoreApplication.translate(
                "Backend", "Connected: {provider} answered with {model} in {ms:.0f} ms."
            ).format(provider=provider.name, model=provider.model, ms=ms),
            ms,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
