"""The conversation tabs: one `ChatTab` (and its `ChatSession`) per open conversation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from app.core.conversation import Conversation
from app.services.backend import Backend
from app.services.chat_session import ChatSession
from app.services.history import HistoryService
from app.services.providers import ProviderService
from app.ui.chat_tab import ChatTab


class ConversationTabs(QTabWidget):
    """Opens, finds and closes tabs. `tabOpened` lets the window wire a new tab before it
    is shown; `currentTabChanged` follows the current one; `arrangementChanged` fires when
    the set of open tabs changes (the session state to keep for the next start)."""

    tabOpened = Signal(object)  # ChatTab
    currentTabChanged = Signal(object)  # ChatTab | None
    arrangementChanged = Signal()

    def __init__(
        self,
        backend: Backend,
        history: HistoryService,
        providers: ProviderService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationTabs")
        self.setAccessibleName(self.tr("Conversations"))
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.backend = backend
        self.history = history
        self.providers = providers
        self.tabCloseRequested.connect(self.close_tab)
        self.currentChanged.connect(self._on_current_changed)

    def _on_current_changed(self, _index: int) -> None:
        self.currentTabChanged.emit(self.current_tab())

    def current_tab(self) -> ChatTab | None:
        widget = self.currentWidget()
        return widget if isinstance(widget, ChatTab) else None

    def all_tabs(self) -> Iterator[ChatTab]:
        for i in range(self.count()):
            widget = self.widget(i)
            if isinstance(widget, ChatTab):
                yield widget

    def tab_for(self, conversation_id: str) -> ChatTab | None:
        return next((t for t in self.all_tabs() if t.conversation.id == conversation_id), None)

    def new_tab(
        self, conversation: Conversation | None = None, draft: str = "", current: bool = True
    ) -> ChatTab:
        """A tab for conversation (a new one if None); made the current tab unless `current`
        is False (a restored tab in the background: its view is written when first shown)."""
        session = ChatSession(
            self.backend, self.history, conversation, parent=self, providers=self.providers
        )
        tab = ChatTab(session, self.providers)
        tab.draft = draft
        tab.titleChanged.connect(lambda text, t=tab: self._show_title(t, text))
        self.tabOpened.emit(tab)
        index = self.addTab(tab, tab.title())
        self.setTabToolTip(index, tab.conversation.title)
        if current:
            self.setCurrentIndex(index)
        self.arrangementChanged.emit()
        return tab

    def _show_title(self, tab: ChatTab, text: str) -> None:
        index = self.indexOf(tab)
        if index >= 0:
            self.setTabText(index, text)
            self.setTabToolTip(index, tab.conversation.title)

    def open_conversation(self, conversation: Conversation, message_id: str = "") -> ChatTab:
        """Show a stored conversation: its tab if open, else a new one (reusing an empty
        current tab); with a message id, that message's branch, scrolled to it."""
        tab = self.tab_for(conversation.id)
        if tab is not None:
            self.setCurrentWidget(tab)
        else:
            current = self.current_tab()
            if current is not None and not current.conversation.nodes and not current.busy:
                self.close_current_tab(reopen=False)
            tab = self.new_tab(conversation)
        conv = tab.conversation
        if message_id and message_id in conv.nodes and not tab.busy:
            if conv.index_of(message_id) < 0:
                conv.switch_to(message_id)
                tab.view.rebuild()
            index = conv.index_of(message_id)
            view = tab.view
            QTimer.singleShot(0, view, lambda: view.scroll_to_message(index))
        return tab

    def close_tab(self, index: int, reopen: bool = True) -> None:
        tab = self.widget(index)
        if not isinstance(tab, ChatTab):
            return
        tab.close_session()
        self.removeTab(index)
        tab.deleteLater()
        if self.count() == 0 and reopen:
            self.new_tab()
        self.arrangementChanged.emit()

    def close_current_tab(self, reopen: bool = True) -> None:
        self.close_tab(self.currentIndex(), reopen)

    def cycle(self, step: int) -> None:
        if self.count() > 1:
            self.setCurrentIndex((self.currentIndex() + step) % self.count())

    def stop_all(self) -> None:
        for tab in self.all_tabs():
            tab.stop()

    async def wait_stopped(self, timeout: float = 3.0) -> None:
        """After Stop: let every answer's task end (and queue its last save)."""
        await asyncio.gather(*(t.session.wait_stopped(timeout) for t in self.all_tabs()))
