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
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from app.core.context import answer_reserve, count_on_server, estimate_tokens, prompt_tokens
from app.core.protocol import Message, Role
from app.core.providers import Flavor, Provider
from app.services.backend import Backend
from app.services.providers import ProviderService
from app.ui.chat_tab import ChatTab
from app.ui.composer import Composer
from app.ui.conversation_tabs import ConversationTabs
from app.ui.theme import set_tone

log = logging.getLogger(__name__)
DEBOUNCE_MS = 400
# Sent to the model (in English, which it follows best, whatever the UI's language).
SUMMARY_REQUEST = (
    "Summarize the conversation below so that it can be continued in a new one: keep every "
    "decision, fact, name, file, number and piece of code that is still needed, and what was "
    "being worked on last. Answer with the summary only."
)


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
        self.window_parent = parent
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

    def stop(self) -> None:
        """The window closes: no count left running."""
        self.timer.stop()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def past_window(self) -> bool:
        """Whether the conversation and the draft no longer fit (the last count)."""
        provider = self.providers.current
        window = provider.context_window
        return window > 0 and self.used > window - answer_reserve(window, provider.max_output)

    def ask_before_sending(self, tab: ChatTab) -> bool:
        """Past the window: say that the earliest messages will be left out, or start a new
        conversation with a summary of this one (the draft moves along). False: not sent
        now."""
        self.update_now()  # the count of what is about to go
        if not self.past_window():
            return True
        box = QMessageBox(self.window_parent)
        box.setObjectName("contextFullDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("The conversation is too long"))
        box.setText(
            self.tr(
                "This conversation no longer fits the model's context window. Sent now, its "
                "earliest messages are left out of the request (the answer says how many). "
                "Or start a new conversation with a summary of this one."
            )
        )
        send = box.addButton(self.tr("Send anyway"), QMessageBox.ButtonRole.AcceptRole)
        summary = box.addButton(
            self.tr("New conversation with a summary"), QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        chosen = box.clickedButton()
        if chosen is send:
            return True
        if chosen is summary:
            self.summarize_into_new(tab)
        return False

    def summarize_into_new(self, tab: ChatTab) -> ChatTab:
        """A new conversation whose first request asks for a summary of `tab`'s (its last
        part that fits half the window); the draft waits in the composer for the summary."""
        provider = self.providers.current
        budget = max(256, provider.context_window // 2)
        lines: list[str] = []
        used = 0
        for message in reversed(tab.conversation.messages):
            if message.role not in (Role.USER, Role.ASSISTANT) or not message.content.strip():
                continue
            who = "User" if message.role == Role.USER else "Assistant"
            line = f"{who}: {message.content.strip()}"
            cost = estimate_tokens(line)
            if used + cost > budget:
                if not lines:  # one message longer than the budget: its end
                    keep = max(0, budget - used)  # characters: safe for CJK too
                    lines.append(f"{who}: …{message.content.strip()[-keep:]}")
                break
            lines.append(line)
            used += cost
        transcript = "\n\n".join(reversed(lines))
        request = SUMMARY_REQUEST + "\n\n" + transcript
        draft = self.composer.toPlainText()
        new = self.tabs.new_tab()
        new.submit(request)
        self.composer.setPlainText(draft)
        return new

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
