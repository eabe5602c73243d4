"""API keys in the system keyring, or in memory for this session when there is none.

`KeyringStore` keeps one entry per provider (service ``glm-desk``, user name = provider id) in
the keyring `keyring` finds: the Secret Service (gnome-keyring, KWallet) on Linux, the Keychain
on macOS, the Credential Locker on Windows. When no such keyring is usable (none installed, no
D-Bus session, a locked or missing collection, any exception from the backend) keys are held in
memory for the session only, and `problem` says why and how to enable a keyring. Nothing is
ever written to a file: `keyrings.alt`'s backends (plaintext or weakly encrypted files) and
`keyring`'s fail/null backends are refused.

Keyring calls can block (a D-Bus round trip, an unlock prompt). The core stays synchronous; the
GUI thread must use the ``a``-prefixed coroutines (`aget`, `aset`, `adelete`, `aprobe`), which
run the call on a worker thread. Values read are cached, so a later `get` of the same provider
does not touch the keyring again.

Keys never appear in `problem`, in exceptions raised from here, or in any log line.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import threading
from abc import ABC, abstractmethod
from typing import Any

from app.core.i18n import QT_TRANSLATE_NOOP, Text

SERVICE = "glm-desk"
DISABLE_ENV = "GLM_DESK_NO_KEYRING"  # set to 1: keys for this session only, keyring untouched

SESSION_ONLY = QT_TRANSLATE_NOOP(
    "SecretStore", "Keys you enter now are kept for this session only."
)
_PROBE_USER = "__glm-desk-probe__"  # a name read (never written) to see if the keyring answers

# Module prefixes of backends that must never hold a key: files (keyrings.alt), or nothing.
REFUSED_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


def _how_to_enable() -> Text:
    if sys.platform == "darwin":
        return QT_TRANSLATE_NOOP(
            "SecretStore",
            "check that your login Keychain is unlocked (Keychain Access), then restart GLM Desk.",
        )
    if sys.platform == "win32":
        return QT_TRANSLATE_NOOP(
            "SecretStore",
            "check that Windows Credential Manager is available, then restart GLM Desk.",
        )
    return QT_TRANSLATE_NOOP(
        "SecretStore", "install and start gnome-keyring (or KWallet), then restart GLM Desk."
    )


def no_keyring_problem() -> Text:
    return QT_TRANSLATE_NOOP(
        "SecretStore", "No keyring service is running: {how} {session}"
    ).format(how=_how_to_enable(), session=SESSION_ONLY)


class SecretStore(ABC):
    """Where API keys live: `get`/`set`/`delete` by provider id.

    `available` is True when keys survive a restart (a working keyring); `problem` says, in
    words, why not (empty when available). The sync methods may block: call them off the GUI
    thread, or await the ``a``-prefixed versions.
    """

    @property
    @abstractmethod
    def available(self) -> bool: ...

    @property
    @abstractmethod
    def problem(self) -> str: ...

    @abstractmethod
    def get(self, provider_id: str) -> str | None: ...

    @abstractmethod
    def set(self, provider_id: str, key: str) -> None:
        """Stores key for provider_id; an empty key deletes the entry."""

    @abstractmethod
    def delete(self, provider_id: str) -> None:
        """Forgets provider_id's key; nothing happens when there is none."""

    def probe(self) -> bool:
        """Finds out whether keys can be kept (may block); returns `available`."""
        return self.available

    @property
    def probed(self) -> bool:
        """True when `available` and `problem` answer without blocking."""
        return True

    def cached(self, provider_id: str) -> str | None:
        """The key if it is known without touching the keyring (never blocks), else None."""
        return self.get(provider_id)

    async def aprobe(self) -> bool:
        return await asyncio.to_thread(self.probe)

    async def aget(self, provider_id: str) -> str | None:
        return await asyncio.to_thread(self.get, provider_id)

    async def aset(self, provider_id: str, key: str) -> None:
        await asyncio.to_thread(self.set, provider_id, key)

    async def adelete(self, provider_id: str) -> None:
        await asyncio.to_thread(self.delete, provider_id)


class MemoryStore(SecretStore):
    """Keys in this process's memory: the session-only fallback, and the fake for tests.

    ``available=True`` makes it stand in for a working keyring (tests)."""

    def __init__(self, *, available: bool = False, problem: str = "") -> None:
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()
        self._available = available
        self._problem = "" if available else (problem or SESSION_ONLY)

    def __repr__(self) -> str:  # never the keys
        return f"MemoryStore(available={self._available}, providers={sorted(self._keys)})"

    @property
    def available(self) -> bool:
        return self._available

    @property
    def problem(self) -> str:
        return self._problem

    def get(self, provider_id: str) -> str | None:
        with self._lock:
            return self._keys.get(provider_id)

    def set(self, provider_id: str, key: str) -> None:
        with self._lock:
            if key:
                self._keys[provider_id] = key
            else:
                self._keys.pop(provider_id, None)

    def delete(self, provider_id: str) -> None:
        with self._lock:
            self._keys.pop(provider_id, None)


class KeyringStore(SecretStore):
    """The system keyring through `keyring`, probed once, on first use.

    Any failure, at the probe or later, switches this store to memory for the rest of the
    session (`available` False, `problem` set); keys set before the failure and still cached
    stay readable."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._lock = threading.RLock()
        self._backend: Any = None  # the keyring backend in use, once probed and usable
        self._probed = False
        self._fallback: MemoryStore | None = None  # set once the keyring is given up
        self._cache: dict[str, str | None] = {}  # provider id -> key (None: known absent)

    def __repr__(self) -> str:
        return f"KeyringStore(service={self.service!r}, backend={self.backend_name!r})"

    # --- state ---------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self.probe()

    @property
    def problem(self) -> str:
        self.probe()
        return self._fallback.problem if self._fallback else ""

    @property
    def probed(self) -> bool:
        return self._probed

    @property
    def backend_name(self) -> str:
        """The keyring in use, for the UI ("SecretService Keyring"), or "" when none."""
        if self._backend is None or self._fallback is not None:
            return ""
        return getattr(self._backend, "name", type(self._backend).__name__)

    def probe(self) -> bool:
        with self._lock:
            if not self._probed:
                self._probed = True
                self._probe()
            return self._fallback is None

    def _probe(self) -> None:
        try:
            import keyring
            from keyring.errors import NoKeyringError

            try:
                backend = _usable(keyring.get_keyring())
            except NoKeyringError:
                backend = None
            if backend is None:
                self._give_up(no_keyring_problem())
                return
            self._backend = backend
            # A read that finds nothing: a locked collection, a missing default collection or
            # a dead daemon shows up here rather than at the first real save.
            backend.get_password(self.service, _PROBE_USER)
        except _Refused as refused:
            self._give_up(refused.args[0])  # a Text: translatable
        except Exception as exc:  # any backend failure means: no keyring
            self._give_up(_failure_problem(exc))

    def _give_up(self, problem: str) -> None:
        fallback = MemoryStore(problem=problem)
        for provider_id, key in self._cache.items():
            if key:
                fallback.set(provider_id, key)
        self._fallback = fallback

    # --- keys ----------------------------------------------------------------------------

    def cached(self, provider_id: str) -> str | None:
        # No self._lock: another thread may hold it through a slow D-Bus call.
        fallback = self._fallback
        if fallback is not None:
            return fallback.get(provider_id)
        return self._cache.get(provider_id)

    def get(self, provider_id: str) -> str | None:
        with self._lock:
            if not self.probe():
                return self._fallback.get(provider_id)  # type: ignore[union-attr]
            if provider_id in self._cache:
                return self._cache[provider_id]
            try:
                key = self._backend.get_password(self.service, provider_id) or None
            except Exception as exc:
                self._give_up(_failure_problem(exc))
                return None
            self._cache[provider_id] = key
            return key

    def set(self, provider_id: str, key: str) -> None:
        if not key:
            self.delete(provider_id)
            return
        with self._lock:
            if self.probe():
                try:
                    self._backend.set_password(self.service, provider_id, key)
                    self._cache[provider_id] = key
                    return
                except Exception as exc:
                    self._give_up(_failure_problem(exc, key))
            self._fallback.set(provider_id, key)  # type: ignore[union-attr]

    def delete(self, provider_id: str) -> None:
        with self._lock:
            self._cache.pop(provider_id, None)
            if self.probe():
                from keyring.errors import PasswordDeleteError

                try:
                    self._backend.delete_password(self.service, provider_id)
                except PasswordDeleteError:
                    pass  # there was none: already the wanted state
                except Exception as exc:
                    self._give_up(_failure_problem(exc))
                if self._fallback is None:
                    self._cache[provider_id] = None
                    return
            self._fallback.delete(provider_id)  # type: ignore[union-attr]


class _Refused(Exception):
    """The keyring found is one GLM Desk will not use; the message says why."""


def _refused(backend: object) -> bool:
    module = type(backend).__module__
    return any(module == m or module.startswith(m + ".") for m in REFUSED_MODULES)


def _usable(backend: Any) -> Any:
    """The backend to use, or None when there is none; _Refused for a file-based one."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        allowed = [b for b in backend.backends if not _refused(b)]
        if allowed:
            return max(allowed, key=lambda b: b.priority)
        refused_ones = [b for b in backend.backends if _refused(b)]
        if not refused_ones:
            return None
        backend = refused_ones[0]
    if not _refused(backend):
        return backend
    if type(backend).__module__.startswith("keyrings.alt"):
        name = getattr(backend, "name", type(backend).__name__)
        raise _Refused(
            QT_TRANSLATE_NOOP(
                "SecretStore",
                "The only keyring found is {name} (from keyrings.alt), which keeps keys in a "
                "file; GLM Desk does not use it. To keep keys safely, {how} {session}",
            ).format(name=name, how=_how_to_enable(), session=SESSION_ONLY)
        )
    return None  # keyring's fail or null backend: no keyring at all


def _failure_problem(exc: BaseException, key: str | None = None) -> Text:
    """The problem text for a backend failure; the key itself is cut out of any message."""
    from keyring.errors import KeyringLocked, NoKeyringError

    if isinstance(exc, NoKeyringError):
        return no_keyring_problem()
    detail = str(exc).strip().rstrip(".")
    if key and key in detail:
        detail = detail.replace(key, "…")
    detail = f" ({type(exc).__name__}: {detail})" if detail else f" ({type(exc).__name__})"
    locked = isinstance(exc, KeyringLocked) or "locked" in str(exc).lower()
    if locked or "prompt dismissed" in str(exc).lower() or "collection" in str(exc).lower():
        if sys.platform == "linux":
            text = QT_TRANSLATE_NOOP(
                "SecretStore",
                "The keyring is locked or has no default collection{detail}: unlock it (or "
                "create a default keyring, e.g. in Passwords and Keys / Seahorse), then restart "
                "GLM Desk. {session}",
            )
        else:
            text = QT_TRANSLATE_NOOP(
                "SecretStore",
                "The keyring is locked or has no default collection{detail}: unlock it, then "
                "restart GLM Desk. {session}",
            )
        return text.format(detail=detail, session=SESSION_ONLY)
    if "dbus" in str(exc).lower() or "d-bus" in str(exc).lower():
        return QT_TRANSLATE_NOOP(
            "SecretStore", "The keyring service could not be reached{detail}: {how} {session}"
        ).format(detail=detail, how=_how_to_enable(), session=SESSION_ONLY)
    return QT_TRANSLATE_NOOP("SecretStore", "The keyring failed{detail}: {how} {session}").format(
        detail=detail, how=_how_to_enable(), session=SESSION_ONLY
    )


def open_secret_store(environ: dict[str, str] | None = None) -> SecretStore:
    """The store the app uses: the system keyring (probed lazily, on first use), or memory
    when keyring cannot even be imported or ``GLM_DESK_NO_KEYRING=1`` is set."""
    env = os.environ if environ is None else environ
    if env.get(DISABLE_ENV, "").strip() not in ("", "0"):
        return MemoryStore(
            problem=QT_TRANSLATE_NOOP(
                "SecretStore", "The keyring is turned off ({variable}). {session}"
            ).format(variable=DISABLE_ENV, session=SESSION_ONLY)
        )
    # Importing keyring takes ~50 ms: it happens in the first probe, on a worker thread.
    try:
        found = importlib.util.find_spec("keyring") is not None
    except (ImportError, ValueError):  # a broken install must not stop the app
        found = False
    if not found:
        return MemoryStore(problem=no_keyring_problem())
    return KeyringStore()
