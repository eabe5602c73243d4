"""ProviderService: the one owner of the offered providers, the current choice, session-only
replacements, Offline mode and a request's generation settings (no window needed)."""

from __future__ import annotations

from app.core.conversation import Conversation
from app.core.providers import PROVIDERS
from app.core.secrets import MemoryStore
from app.core.settings import Settings
from app.services.backend import Backend
from app.services.providers import ProviderService
from app.services.settings import SettingsService


def make(chosen: str | None = None, environ: dict | None = None, **values) -> ProviderService:
    settings = SettingsService(Settings())
    settings.apply(values)
    backend = Backend(environ=environ or {}, secrets=MemoryStore(available=True))
    cli = [p for p in PROVIDERS.values() if p.base_url]
    return ProviderService(backend, settings, cli, chosen)


def test_it_starts_on_the_remembered_then_a_keyed_then_the_local_provider():
    assert make().current.id == "local"  # no key anywhere
    assert make(environ={"OPENROUTER_API_KEY": "k"}).current.id == "openrouter"
    assert make(**{"general.provider": "zai"}).current.id == "zai"
    assert make(chosen="bigmodel", **{"general.provider": "zai"}).current.id == "bigmodel"


def test_a_users_choice_is_remembered_unless_the_command_line_named_one():
    service = make()
    changes: list[str] = []
    service.currentChanged.connect(changes.append)
    assert service.select("zai", remember=True)
    assert changes == ["zai"] and service.settings.get("general.provider") == "zai"
    assert not service.select("nowhere") and service.current.id == "zai"

    named = make(chosen="openrouter")
    named.select("zai", remember=True)
    assert named.current.id == "zai" and named.settings.get("general.provider") == ""


def test_a_session_replacement_survives_a_settings_change_and_can_be_undone():
    service = make()
    running = service.local_base.with_overrides(base_url="http://127.0.0.1:4321/v1")
    lists: list[bool] = []
    service.listChanged.connect(lambda: lists.append(True))
    service.use(running)
    assert service.provider("local").base_url == "http://127.0.0.1:4321/v1" and lists
    service.settings.apply({"providers.zai.model": "glm-4-x"})  # rebuilt from the settings
    assert service.provider("zai").model == "glm-4-x"
    assert service.provider("local").base_url == "http://127.0.0.1:4321/v1"
    service.restore("local")
    assert service.provider("local").base_url == PROVIDERS["local"].base_url


def test_disabling_the_current_provider_moves_the_choice_and_says_so():
    service = make(**{"general.provider": "bigmodel"})
    changes: list[str] = []
    service.currentChanged.connect(changes.append)
    service.settings.apply({"providers.bigmodel.enabled": False})
    assert not service.has("bigmodel")
    assert changes == [service.current.id] and service.current.id != "bigmodel"


def test_offline_mode_blocks_every_provider_off_this_machine():
    service = make()
    service.set_offline(True)
    assert service.backend.offline
    assert service.blocked(service.provider("zai"))
    assert not service.blocked(service.provider("local"))


def test_a_request_sends_the_providers_settings_then_the_conversations():
    service = make(**{"providers.zai.temperature": 0.3, "providers.zai.top_p": 0.5})
    conversation = Conversation()
    zai = service.provider("zai")
    assert service.params_for(zai, conversation).temperature == 0.3
    conversation.params = {"temperature": 0.9}
    params = service.params_for(zai, conversation)
    assert params.temperature == 0.9 and params.top_p == 0.5
    assert service.conversation_defaults(zai).temperature == 0.3
