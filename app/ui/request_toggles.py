"""The composer's per-conversation toggles: Web search and JSON.

Each is a conversation's own setting (kept in its settings, also in Edit → Conversation
settings) over a default from the settings (`generation.web_search`, `generation.json_mode`,
both off). A toggle is off and disabled, with the reason in its tooltip, where the provider
cannot do it: web search with a local model or a custom server (only Z.AI and OpenRouter
search; the tooltip names the price), JSON mode with OpenRouter (its GLM-4 listing takes no
`response_format`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.core.conversation import Conversation
from app.core.providers import Flavor, Provider
from app.core.settings import GLOBAL_PARAMS
from app.services.providers import ProviderService
from app.services.settings import SettingsService
from app.ui.chat_tab import ChatTab
from app.ui.conversation_tabs import ConversationTabs


class ConversationToggle(QObject):
    changed = Signal()  # the user turned it on or off for the conversation shown

    def __init__(
        self,
        name: str,  # the conversation's setting: web_search, json_mode
        button: QPushButton,
        can: Callable[[Provider], bool],
        tip: Callable[[Provider], str],
        tabs: ConversationTabs,
        providers: ProviderService,
        settings: SettingsService | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.name, self.button, self.can, self.tip = name, button, can, tip
        self.tabs, self.providers, self.settings = tabs, providers, settings
        button.setCheckable(True)
        button.toggled.connect(self._toggled)
        tabs.currentTabChanged.connect(lambda _tab: self.show_state())
        providers.currentChanged.connect(lambda _id: self.show_state())
        providers.listChanged.connect(self.show_state)
        if settings is not None:
            settings.changed.connect(lambda keys: self._key in keys and self.show_state())
        self._showing = False
        self.show_state()

    @property
    def _key(self) -> str:
        return GLOBAL_PARAMS[self.name]

    def default(self) -> bool:
        return bool(self.settings.get(self._key)) if self.settings is not None else False

    def is_on(self, tab: ChatTab) -> bool:
        """The conversation's own choice, else the default."""
        return self.is_on_for(tab.conversation)

    def is_on_for(self, conversation: Conversation) -> bool:
        return bool(conversation.params.get(self.name, self.default()))

    def show_state(self) -> None:
        tab = self.tabs.current_tab()
        provider = self.providers.current
        able = tab is not None and self.can(provider)
        self._showing = True
        try:
            self.button.setEnabled(able)
            self.button.setChecked(able and tab is not None and self.is_on(tab))
        finally:
            self._showing = False
        self.button.setToolTip(self.tip(provider))

    def _toggled(self, on: bool) -> None:
        tab = self.tabs.current_tab()
        if self._showing or tab is None:
            return
        params = dict(tab.conversation.params)
        if on == self.default():
            params.pop(self.name, None)  # as the default says: it follows the default
        else:
            params[self.name] = on
        tab.conversation.params = params
        tab.session.save_fields()
        self.changed.emit()


def web_search_tip(provider: Provider) -> str:
    translate = QCoreApplication.translate
    if provider.flavor == Flavor.ZAI:
        return translate(
            "RequestToggles",
            "Z.AI searches the web for the answer and lists its sources under it "
            "($0.01 per search).",
        )
    if provider.flavor == Flavor.OPENROUTER:
        return translate(
            "RequestToggles",
            "OpenRouter searches the web for the answer and lists its sources under it "
            "($4 per 1,000 results, added to the answer's cost).",
        )
    return translate(
        "RequestToggles",
        "Web search is not available with {provider}: only Z.AI and OpenRouter search the "
        "web. A local model answers from what it knows.",
    ).format(provider=provider.name)


def json_tip(provider: Provider) -> str:
    translate = QCoreApplication.translate
    if not provider.json_mode:
        return translate(
            "RequestToggles",
            "JSON answers are not available with {provider}: its GLM-4 listing takes no "
            "response_format. Z.AI and a local model can.",
        ).format(provider=provider.name)
    if provider.flavor == Flavor.LLAMA:
        return translate(
            "RequestToggles",
            "The answer is JSON, kept so by the server's grammar (a JSON schema in "
            "Conversation settings makes it keep that shape).",
        )
    return translate("RequestToggles", "The answer is one JSON object, shown pretty-printed.")


def request_toggles(
    tabs: ConversationTabs,
    providers: ProviderService,
    settings: SettingsService | None,
    parent: QWidget,
) -> tuple[ConversationToggle, ConversationToggle]:
    """The Web search and JSON toggles (objectNames webSearchButton, jsonModeButton)."""
    translate = QCoreApplication.translate
    search = QPushButton(translate("RequestToggles", "Web search"))
    search.setObjectName("webSearchButton")
    search.setAccessibleName(translate("RequestToggles", "Search the web for this conversation"))
    as_json = QPushButton(translate("RequestToggles", "JSON"))
    as_json.setObjectName("jsonModeButton")
    as_json.setAccessibleName(translate("RequestToggles", "Answer in JSON in this conversation"))
    args = (tabs, providers, settings, parent)
    return (
        ConversationToggle("web_search", search, lambda p: p.web_search, web_search_tip, *args),
        ConversationToggle("json_mode", as_json, lambda p: p.json_mode, json_tip, *args),
    )


def run_code_tip(_provider: Provider) -> str:
    return QCoreApplication.translate(
        "RequestToggles",
        "Let GLM-4 run the code it writes (the run_code tool) in the snippet sandbox and see "
        "the result; you approve each run unless you allow it for the conversation.",
    )


def run_code_toggle(
    tabs: ConversationTabs,
    providers: ProviderService,
    settings: SettingsService | None,
    parent: QWidget,
) -> ConversationToggle:
    """The Run code toggle (objectName runCodeButton; default `tools.run_code`)."""
    translate = QCoreApplication.translate
    button = QPushButton(translate("RequestToggles", "Run code"))
    button.setObjectName("runCodeButton")
    button.setAccessibleName(translate("RequestToggles", "Let GLM-4 run code in this conversation"))
    return ConversationToggle(
        "run_code", button, lambda _p: True, run_code_tip, tabs, providers, settings, parent
    )
