"""The context meter beside the composer: how much of the model's context window the
conversation, with the text being typed, will take.

Against the provider's window: 128K for Z.AI and OpenRouter, 32K for the free model, the
local server's own `n_ctx`. For a local llama-server the count is exact (its chat template
applied and tokenized by the server itself, `POST /apply-template` + `/tokenize`, on the
event loop, debounced while typing); otherwise it is estimated ("≈"). Past the window, the
meter says that the earliest messages will be left out (the trimming every request does).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app.core.context import answer_reserve, count_on_server, estimate_tokens, prompt_tokens
from app.core.protocol import Message, Role
from app.core.providers import Flavor, Provider
from app.services.backend import Backend
from app.services.providers import ProviderService
from app.ui.composer import Composer
from app.ui.conversation_tabs import ConversationTabs
from app.ui.theme import set_tone

log = logging.getLogger(__name__)
DEBOUNCE_MS = 400


class ContextMeter(QObject):
    """objectName of its label: contextMeter."""

    def __init__(
        self,
        tabs: ConversationTabs,
        providers: ProviderService,
        backend: Backend,
        composer: Composer,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.tabs, self.providers, self.backend, self.composer = tabs, providers, backend, composer
        self.label = QLabel()
        self.label.setObjectName("contextMeter")
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.update_now)
        self._task: asyncio.Task[None] | None = None
        self._history_cache: tuple[object, ...] = ()
        self._history_tokens = 0
        self.used = 0  # the last count, and whether it was exact
        self.exact = False
        composer.textChanged.connect(self.timer.start)
        tabs.currentTabChanged.connect(lambda _t: self.timer.start())
        tabs.tabOpened.connect(
            lambda tab: tab.session.messageFinished.connect(lambda _i: self.timer.start())
        )
        providers.currentChanged.connect(lambda _id: self.timer.start())
        self.timer.start()

    def _history(self) -> list[Message]:
        tab = self.tabs.current_tab()
        return tab.conversation.wire_messages() if tab is not None else []

    def _estimate(self, draft: str) -> int:
        """The history's estimate is kept until the conversation changes (a long one is
        not walked again on every key); the draft's is added."""
        tab = self.tabs.current_tab()
        conv = tab.conversation if tab is not None else None
        key = (id(conv), len(conv.messages) if conv else 0, conv.leaf_id if conv else None)
        if key != self._history_cache:
            self._history_cache, self._history_tokens = key, prompt_tokens(self._history())
        return self._history_tokens + (estimate_tokens(draft) if draft.strip() else 0)

    def update_now(self) -> None:
        provider = self.providers.current
        draft = self.composer.toPlainText()
        self._show(provider, self._estimate(draft), exact=False)
        if provider.flavor == Flavor.LLAMA and self.tabs.current_tab() is not None:
            messages = self._history()
            if draft.strip():
                messages.append(Message(Role.USER, draft))
            if self._task is not None and not self._task.done():
                self._task.cancel()
            if messages:
                self._task = asyncio.ensure_future(self._count(provider, messages))

    async def _count(self, provider: Provider, messages: list[Message]) -> None:
        try:
            client = self.backend.pool.get(provider)
            headers = provider.headers(self.backend.api_key(provider))
            used = await count_on_server(client, provider.base_url, headers, messages)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # not a llama-server, or not running: the estimate stays
            log.debug("context meter: no exact count (%s)", exc)
            return
        if provider is self.providers.current or provider.id == self.providers.current.id:
            self._show(provider, used, exact=True)

    def _show(self, provider: Provider, used: int, exact: bool) -> None:
        self.used, self.exact = used, exact
        window = provider.context_window
        if window <= 0:
            self.label.clear()
            return
        room = window - answer_reserve(window, provider.max_output)
        share = used / window
        mark = "" if exact else "≈"
        self.label.setText(
            self.tr("{mark}{used} / {window} tokens").format(
                mark=mark, used=f"{used:,}", window=f"{window:,}"
            )
        )
        if used > room:
            set_tone(self.label, "error")
            self.label.setToolTip(
                self.tr(
                    "Past {provider}'s context window: the earliest messages will be left "
                    "out of the next request (it says how many). Start a new conversation to "
                    "keep them all."
                ).format(provider=provider.name)
            )
        else:
            set_tone(self.label, "warning" if share > 0.75 else "muted")
            how = self.tr("counted by the server") if exact else self.tr("estimated")
            self.label.setToolTip(
                self.tr("{percent:.0f} % of {provider}'s context window ({how})").format(
                    percent=100 * share, provider=provider.name, how=how
                )
            )
