"""The composer's Web search toggle: per conversation, where the provider searches.

Checked, a request asks the provider to search the web for the answer (Z.AI's `web_search`
tool, OpenRouter's web search); the pages found are listed under the answer. A new
conversation starts with the setting `generation.web_search` (off); the choice is kept with
the conversation (its `web_search` setting, also in Edit → Conversation settings). With a
provider that has no web search (a local model, a custom server) the toggle is off and
disabled, and says why; its tooltip names the search's price.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPushButton, QWidget

from app.core.providers import Flavor, Provider
from app.services.providers import ProviderService
from app.services.settings import SettingsService
from app.ui.chat_tab import ChatTab
from app.ui.conversation_tabs import ConversationTabs


class WebSearchController(QObject):
    def __init__(
        self,
        tabs: ConversationTabs,
        providers: ProviderService,
        settings: SettingsService | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.tabs = tabs
        self.providers = providers
        self.settings = settings
        self.button = QPushButton(self.tr("Web search"))
        self.button.setObjectName("webSearchButton")
        self.button.setAccessibleName(self.tr("Search the web for this conversation"))
        self.button.setCheckable(True)
        self.button.toggled.connect(self._toggled)
        tabs.currentTabChanged.connect(lambda _tab: self.show_state())
        providers.currentChanged.connect(lambda _id: self.show_state())
        providers.listChanged.connect(self.show_state)
        if settings is not None:
            settings.changed.connect(
                lambda keys: "generation.web_search" in keys and self.show_state()
            )
        self._showing = False
        self.show_state()

    def default(self) -> bool:
        return bool(self.settings.get("generation.web_search")) if self.settings else False

    def is_on(self, tab: ChatTab) -> bool:
        """Whether the conversation searches (its own choice, else the default)."""
        return bool(tab.conversation.params.get("web_search", self.default()))

    def show_state(self) -> None:
        tab = self.tabs.current_tab()
        provider = self.providers.current
        self._showing = True
        try:
            self.button.setEnabled(tab is not None and provider.web_search)
            self.button.setChecked(tab is not None and provider.web_search and self.is_on(tab))
        finally:
            self._showing = False
        self.button.setToolTip(self._tip(provider))

    def _tip(self, provider: Provider) -> str:
        if provider.flavor == Flavor.ZAI:
            return self.tr(
                "Z.AI searches the web for the answer and lists its sources under it "
                "($0.01 per search)."
            )
        if provider.flavor == Flavor.OPENROUTER:
            return self.tr(
                "OpenRouter searches the web for the answer and lists its sources under it "
                "($4 per 1,000 results, added to the answer's cost)."
            )
        return self.tr(
            "Web search is not available with {provider}: only Z.AI and OpenRouter search "
            "the web. A local model answers from what it knows."
        ).format(provider=provider.name)

    def _toggled(self, on: bool) -> None:
        tab = self.tabs.current_tab()
        if self._showing or tab is None:
            return
        params = dict(tab.conversation.params)
        if on == self.default():
            params.pop("web_search", None)  # as the default says: follows it
        else:
            params["web_search"] = on
        tab.conversation.params = params
        tab.session.save_fields()
