"""SecretStore: the keyring when one works, memory for the session otherwise, never a file."""

from __future__ import annotations

import asyncio

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

from app.core import secrets
from app.core.secrets import (
    SERVICE,
    SESSION_ONLY,
    KeyringStore,
    MemoryStore,
    SecretStore,
    open_secret_store,
)

KEY = "sk-test-0123456789abcdef"


class DictKeyring(KeyringBackend):
    """An in-process keyring: what a working Secret Service does, minus D-Bus."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class BrokenKeyring(KeyringBackend):
    """Fails on every call, as a dead or locked daemon does."""

    priority = 1

    def __init__(self, exc: Exception | None = None) -> None:
        super().__init__()
        self.exc = exc or RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


class FailLaterKeyring(DictKeyring):
    """Works at the probe, then fails on writes (the daemon went away mid-session)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"could not store {password}")


class NoKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("No recommended backend was available.")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("No recommended backend was available.")

    def delete_password(self, service: str, username: str) -> None:
        raise NoKeyringError("No recommended backend was available.")


# keyrings.alt's plaintext file backend, simulated: only its module name matters.
PlaintextKeyring = type(
    "PlaintextKeyring",
    (DictKeyring,),
    {"__module__": "keyrings.alt.file", "priority": 0.5},
)


@pytest.fixture(autouse=True)
def _restore_keyring():
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def use(backend: KeyringBackend) -> KeyringBackend:
    keyring.set_keyring(backend)
    return backend


# --- MemoryStore -------------------------------------------------------------------------


def test_memory_store_set_get_delete():
    store = MemoryStore()
    assert isinstance(store, SecretStore)
    assert store.get("zai") is None
    store.set("zai", KEY)
    assert store.get("zai") == KEY
    assert store.cached("zai") == KEY
    store.set("zai", "")  # an empty key forgets it
    assert store.get("zai") is None
    store.set("zai", KEY)
    store.delete("zai")
    store.delete("zai")  # twice: no error
    assert store.get("zai") is None


def test_memory_store_says_it_is_session_only_and_never_shows_keys():
    store = MemoryStore()
    assert not store.available
    assert store.problem == SESSION_ONLY
    store.set("openrouter", KEY)
    assert KEY not in repr(store)
    fake_keyring = MemoryStore(available=True)
    assert fake_keyring.available and fake_keyring.problem == ""


def test_async_wrappers_run_the_calls():
    store = MemoryStore()

    async def go() -> str | None:
        await store.aset("zai", KEY)
        assert await store.aprobe() is False
        got = await store.aget("zai")
        await store.adelete("zai")
        return got

    assert asyncio.run(go()) == KEY
    assert store.get("zai") is None


# --- KeyringStore with a working keyring -------------------------------------------------


def test_keyring_store_saves_reads_and_deletes_one_entry_per_provider():
    backend = use(DictKeyring())
    store = KeyringStore()
    assert store.available and store.problem == ""
    assert store.backend_name
    store.set("zai", KEY)
    store.set("openrouter", "sk-or-other")
    assert backend.entries == {(SERVICE, "zai"): KEY, (SERVICE, "openrouter"): "sk-or-other"}
    assert KeyringStore().get("zai") == KEY  # a new store (a restart) reads it back
    store.delete("zai")
    store.delete("zai")  # nothing to delete: PasswordDeleteError is not a failure
    assert (SERVICE, "zai") not in backend.entries
    assert KeyringStore().get("zai") is None
    assert store.available
    assert KEY not in repr(store)


def test_keyring_store_probes_once_lazily_and_caches_reads():
    backend = use(DictKeyring())
    backend.entries[(SERVICE, "zai")] = KEY
    store = KeyringStore()
    assert backend.calls == []  # nothing touched before first use
    assert store.cached("zai") is None  # cached never blocks on the keyring
    assert store.get("zai") == KEY
    assert store.get("zai") == KEY
    assert store.cached("zai") == KEY
    assert backend.calls == ["get", "get"]  # the probe read, then one read of "zai"
    assert store.get("bigmodel") is None
    assert store.get("bigmodel") is None  # "absent" is cached too
    assert backend.calls == ["get", "get", "get"]


def test_cached_does_not_wait_for_a_slow_keyring_call():
    import threading

    release, entered = threading.Event(), threading.Event()

    class SlowKeyring(DictKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            if username == "slow":
                entered.set()
                release.wait(5)
            return super().get_password(service, username)

    use(SlowKeyring())
    store = KeyringStore()
    store.set("zai", KEY)
    worker = threading.Thread(target=store.get, args=("slow",))
    worker.start()
    try:
        assert entered.wait(5)
        assert store.cached("zai") == KEY  # while the other thread holds the store's lock
    finally:
        release.set()
        worker.join(5)


# --- no usable keyring -------------------------------------------------------------------


def test_no_keyring_error_means_unavailable_and_keys_stay_in_memory():
    use(NoKeyring())
    store = KeyringStore()
    assert not store.available
    assert "No keyring service is running" in store.problem
    assert "gnome-keyring" in store.problem or "Keychain" in store.problem
    assert SESSION_ONLY in store.problem
    store.set("zai", KEY)
    assert store.get("zai") == KEY
    store.delete("zai")
    assert store.get("zai") is None


def test_get_keyring_raising_means_unavailable(monkeypatch):
    def no_keyring():
        raise NoKeyringError("No recommended backend was available.")

    monkeypatch.setattr(keyring, "get_keyring", no_keyring)
    store = KeyringStore()
    assert not store.available
    assert store.problem.startswith("No keyring service is running")
    store.set("zai", KEY)
    assert store.get("zai") == KEY

    def broken():
        raise OSError("Connection refused")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    store = KeyringStore()
    assert not store.available and "Connection refused" in store.problem


def test_keyrings_fail_backend_means_unavailable():
    from keyring.backends import fail

    use(fail.Keyring())
    store = KeyringStore()
    assert not store.available
    assert store.problem.startswith("No keyring service is running")


def test_keyrings_alt_plaintext_backend_is_refused():
    backend = use(PlaintextKeyring())
    store = KeyringStore()
    assert not store.available
    assert "keyrings.alt" in store.problem and "file" in store.problem
    assert SESSION_ONLY in store.problem
    store.set("zai", KEY)
    assert store.get("zai") == KEY
    assert backend.calls == []  # never asked, never written
    assert backend.entries == {}


def test_a_chain_uses_the_real_keyring_and_never_keyrings_alt(monkeypatch):
    from keyring.backends.chainer import ChainerBackend

    good, plain = DictKeyring(), PlaintextKeyring()
    monkeypatch.setattr(ChainerBackend, "backends", [plain, good])
    use(ChainerBackend())
    store = KeyringStore()
    store.set("zai", KEY)
    assert store.available
    assert good.entries == {(SERVICE, "zai"): KEY}
    assert plain.calls == []

    monkeypatch.setattr(ChainerBackend, "backends", [PlaintextKeyring()])
    only_plain = KeyringStore()
    assert not only_plain.available and "keyrings.alt" in only_plain.problem


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown"), "could not be reached"),
        (KeyringLocked("Failed to unlock the collection!"), "locked"),
        (ValueError("something else"), "The keyring failed"),
    ],
)
def test_a_backend_raising_on_every_call_degrades_to_memory(exc, words):
    use(BrokenKeyring(exc))
    store = KeyringStore()
    store.set("zai", KEY)  # does not raise
    assert store.get("zai") == KEY  # kept for the session
    assert not store.available
    assert words in store.problem
    assert SESSION_ONLY in store.problem and "restart GLM Desk" in store.problem
    store.delete("zai")
    assert store.get("zai") is None


def test_a_failure_after_the_probe_degrades_for_the_rest_of_the_session(caplog):
    caplog.set_level("DEBUG")
    backend = use(FailLaterKeyring())
    backend.entries[(SERVICE, "openrouter")] = "sk-or-stored"
    store = KeyringStore()
    assert store.available
    assert store.get("openrouter") == "sk-or-stored"
    store.set("zai", KEY)  # the write fails: memory from now on
    assert not store.available
    assert store.get("zai") == KEY
    assert store.get("openrouter") == "sk-or-stored"  # what was already read stays
    assert KEY not in store.problem  # the backend's message named the key: cut out
    assert "…" in store.problem
    calls = len(backend.calls)
    store.get("bigmodel")
    store.delete("openrouter")
    assert len(backend.calls) == calls  # the keyring is not asked again
    assert store.get("openrouter") is None
    assert KEY not in caplog.text


def test_async_wrappers_on_a_keyring_store():
    use(DictKeyring())
    store = KeyringStore()

    async def go() -> str | None:
        assert await store.aprobe()
        await store.aset("zai", KEY)
        return await store.aget("zai")

    assert asyncio.run(go()) == KEY


# --- open_secret_store -------------------------------------------------------------------


def test_open_secret_store_picks_the_keyring_unless_turned_off():
    use(DictKeyring())
    assert isinstance(open_secret_store({}), KeyringStore)
    assert isinstance(open_secret_store({secrets.DISABLE_ENV: "0"}), KeyringStore)
    off = open_secret_store({secrets.DISABLE_ENV: "1"})
    assert isinstance(off, MemoryStore)
    assert not off.available and secrets.DISABLE_ENV in off.problem
