"""The providers service: which endpoints are offered, which one is chosen, and what a
request sends (the generation settings).

One owner for every question about providers, so the window, the chat sessions and the
controllers ask it instead of computing the answer each in their own way:

- the configured list: the providers the settings enable, with the settings' base URL and
  model, under the command line's own overrides (`--provider`, `--base-url`, `--model`);
- session-only replacements (`use`): a running local llama-server, or a server detected on
  this machine, in place of the configured entry until `restore`;
- the current choice (`select`), remembered in the settings when the user makes it, unless the
  command line named a provider for this run;
- Offline mode (`set_offline`): every request off this machine is refused;
- `params_for`: the provider's generation settings with a conversation's overrides on top.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.conversation import Conversation
from app.core.providers import PROVIDERS, GenerationParams, Provider
from app.services.backend import Backend
from app.services.settings import SettingsService

LOCAL_ID = "local"


def configured_providers(
    settings: SettingsService | None, cli: list[Provider], chosen: str | None = None
) -> list[Provider]:
    """The providers to offer: those the settings enable (the one named on the command line
    always), with the settings' base URL and model, under the command line's own."""
    if settings is None:
        return list(cli)
    given = {p.id: p for p in cli}
    out = []
    for base in PROVIDERS.values():
        if base.id != chosen and not settings.settings.enabled(base.id):
            continue
        p = settings.settings.apply_to(base)
        c = given.get(base.id)
        if base.id == chosen and c is not None:  # the command line's overrides win
            p = p.with_overrides(
                base_url=c.base_url if c.base_url != base.base_url else None,
                model=c.model if c.model != base.model else None,
            )
        if p.base_url:
            out.append(p)
    return out or list(cli)


class ProviderService(QObject):
    """See the module docstring. `listChanged` fires when the offered providers or their
    labels change (settings, a replacement, Offline mode); `currentChanged` with the id of a
    newly chosen provider."""

    listChanged = Signal()
    currentChanged = Signal(str)

    def __init__(
        self,
        backend: Backend,
        settings: SettingsService | None = None,
        cli: list[Provider] | None = None,
        chosen: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.settings = settings
        self._cli = list(cli or [p for p in PROVIDERS.values() if p.base_url])
        self.chosen = chosen  # named on the command line: this run only, never remembered
        self._replaced: dict[str, Provider] = {}  # id -> session-only replacement
        self.providers: list[Provider] = configured_providers(settings, self._cli, chosen)
        self.local_base = self._configured(LOCAL_ID) or PROVIDERS[LOCAL_ID]
        start = chosen if chosen and self._find(chosen) else self.default_provider_id()
        self._current = start
        if settings is not None:
            settings.changed.connect(self._on_settings_changed)

    # --- reading ---------------------------------------------------------------------------

    @property
    def current(self) -> Provider:
        return self._find(self._current) or self.providers[0]

    def provider(self, provider_id: str) -> Provider:
        """The offered provider with this id, else the registry's, else the local one."""
        return self._find(provider_id) or PROVIDERS.get(provider_id, self.local_base)

    def has(self, provider_id: str) -> bool:
        return self._find(provider_id) is not None

    def blocked(self, provider: Provider) -> bool:
        """Whether Offline mode refuses requests to this provider."""
        return self.backend.offline and not provider.is_loopback

    def all_providers(self) -> list[Provider]:
        """Every provider the settings can set up, enabled or not, as configured."""
        if self.settings is None:
            return list(PROVIDERS.values())
        return [self.settings.settings.apply_to(p) for p in PROVIDERS.values()]

    def default_provider_id(self) -> str:
        """The one chosen last time, else the first cloud provider that has a key, else
        local."""
        last = self.settings.get("general.provider") if self.settings is not None else ""
        if last and self._find(str(last)):
            return str(last)
        for p in self.providers:
            if p.needs_key and self.backend.api_key(p):
                return p.id
        return LOCAL_ID if self._find(LOCAL_ID) else self.providers[0].id

    def params_for(self, provider: Provider, conversation: Conversation) -> GenerationParams:
        """What a request sends: the provider's settings, then the conversation's own."""
        if self.settings is None:
            return provider.defaults
        return self.settings.settings.generation_params(provider, conversation.params)

    def conversation_defaults(self, provider: Provider) -> GenerationParams:
        """The provider's generation settings without any conversation's overrides."""
        if self.settings is None:
            return provider.defaults
        return self.settings.settings.generation_params(provider)

    # --- choosing --------------------------------------------------------------------------

    def select(self, provider_id: str, remember: bool = False) -> bool:
        """Make this provider the current one; with `remember` (the user chose it), the next
        start opens with it, unless the command line named one. False if not offered."""
        if self._find(provider_id) is None:
            return False
        if provider_id != self._current:
            self._current = provider_id
            self.currentChanged.emit(provider_id)
        if remember and self.settings is not None and self.chosen is None:
            try:
                self.settings.apply({"general.provider": provider_id})
            except ValueError:
                pass  # a provider added for this session only (a detected server)
        return True

    def keys_arrived(self) -> None:
        """The stored keys are in: with nothing chosen before (first start, no provider
        named), start on the first provider that now has a key (not remembered)."""
        last = self.settings.get("general.provider") if self.settings is not None else ""
        if not last and self.chosen is None:
            self.select(self.default_provider_id())

    def use(self, provider: Provider) -> None:
        """Offer this provider in place of the one with its id, for this session (a running
        or detected local server); added when there is none."""
        self._replaced[provider.id] = provider
        self._put(provider)

    def restore(self, provider_id: str) -> None:
        """Undo `use`: back to the configured provider."""
        self._replaced.pop(provider_id, None)
        provider = self._configured(provider_id) or (
            self.local_base if provider_id == LOCAL_ID else PROVIDERS.get(provider_id)
        )
        if provider is not None:
            self._put(provider)

    def set_offline(self, on: bool) -> None:
        if self.backend.offline != on:
            self.backend.offline = on
            self.listChanged.emit()

    # --- internals -------------------------------------------------------------------------

    def _find(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    def _configured(self, provider_id: str) -> Provider | None:
        fresh = configured_providers(self.settings, self._cli, self.chosen)
        return next((p for p in fresh if p.id == provider_id), None)

    def _put(self, provider: Provider) -> None:
        for i, p in enumerate(self.providers):
            if p.id == provider.id:
                self.providers[i] = provider
                break
        else:
            self.providers.append(provider)
        self.listChanged.emit()

    def _on_settings_changed(self, keys: list[str]) -> None:
        if any(k.startswith("providers.") for k in keys):
            self.rebuild()

    def rebuild(self) -> None:
        """Offer what the settings now enable, keeping this session's replacements."""
        fresh = configured_providers(self.settings, self._cli, self.chosen)
        self.local_base = next((p for p in fresh if p.id == LOCAL_ID), PROVIDERS[LOCAL_ID])
        ids = {p.id for p in fresh}
        self.providers[:] = [self._replaced.get(p.id, p) for p in fresh] + [
            p for pid, p in self._replaced.items() if pid not in ids
        ]
        self.listChanged.emit()
        if self._find(self._current) is None:
            self._current = self.providers[0].id
            self.currentChanged.emit(self._current)
