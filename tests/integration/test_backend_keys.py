"""Which API key a request carries: environment first, then session keys, then the store."""

from __future__ import annotations

import pytest

from app.core.protocol import Message, Role
from app.core.providers import get_provider
from app.core.secrets import MemoryStore
from app.services.backend import Backend
from tests.protocol_servers import ProtocolServer, Reply

pytestmark = pytest.mark.anyio

STORED = "sk-stored-from-keyring"


async def sent_key(backend: Backend, server: ProtocolServer, provider_id: str) -> str | None:
    provider = get_provider(provider_id).with_overrides(base_url=server.base_url)
    server.push(Reply(text="ok"))
    client = backend.client_for(provider)
    [ev async for ev in client.stream([Message(Role.USER, "hi")])]
    auth = server.requests[-1].headers.get("authorization")
    return auth.removeprefix("Bearer ") if auth else None


@pytest.fixture
async def backend_with(make_server):
    backends: list[Backend] = []

    def make(environ: dict[str, str], store: MemoryStore) -> Backend:
        backend = Backend(environ=environ, secrets=store)
        backends.append(backend)
        return backend

    yield make
    for backend in backends:
        await backend.aclose()


async def test_the_stored_key_is_sent(make_server, backend_with):
    server = make_server("openrouter")
    store = MemoryStore(available=True)
    store.set("openrouter", STORED)
    backend = backend_with({}, store)
    await backend.load_keys(["openrouter", "zai"])
    assert await sent_key(backend, server, "openrouter") == STORED
    store.delete("openrouter")
    assert backend.api_key(get_provider("openrouter")) is None


async def test_environment_variables_win_over_the_store(make_server, backend_with):
    server = make_server("openrouter")
    store = MemoryStore(available=True)
    store.set("openrouter", STORED)
    generic = backend_with({"GLM_DESK_API_KEY": "sk-generic"}, store)
    assert await sent_key(generic, server, "openrouter") == "sk-generic"
    own = backend_with({"GLM_DESK_API_KEY": "sk-generic", "OPENROUTER_API_KEY": "sk-own"}, store)
    assert await sent_key(own, server, "openrouter") == "sk-own"
    other = backend_with({"ZAI_API_KEY": "sk-zai"}, store)  # another provider's variable
    assert await sent_key(other, server, "openrouter") == STORED


async def test_session_keys_come_between_the_environment_and_the_store(make_server, backend_with):
    server = make_server("openrouter")
    store = MemoryStore(available=True)
    store.set("openrouter", STORED)
    backend = backend_with({}, store)
    backend.set_session_key("openrouter", "sk-session")
    assert await sent_key(backend, server, "openrouter") == "sk-session"
    both = backend_with({"OPENROUTER_API_KEY": "sk-own"}, store)
    both.set_session_key("openrouter", "sk-session")
    assert await sent_key(both, server, "openrouter") == "sk-own"
    backend.set_session_key("openrouter", None)
    assert await sent_key(backend, server, "openrouter") == STORED


async def test_the_local_servers_generated_key_beats_glm_desk_api_key(make_server, backend_with):
    # GLM_DESK_API_KEY is for any provider, but a server GLM Desk started with its own
    # generated key accepts only that one.
    server = make_server("llama")
    backend = backend_with({"GLM_DESK_API_KEY": "sk-generic"}, MemoryStore())
    assert await sent_key(backend, server, "local") == "sk-generic"
    backend.set_session_key("local", "generated-local-key")
    assert await sent_key(backend, server, "local") == "generated-local-key"


def test_the_default_store_is_memory_and_api_key_never_blocks():
    backend = Backend(environ={})
    assert isinstance(backend.secrets, MemoryStore)
    assert backend.api_key(get_provider("zai")) is None
