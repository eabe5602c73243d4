"""One conversation tab: binds a `ChatSession` to its `ChatView` and to its composer state
(the unsent draft, the message being edited), and carries out the actions under messages.

The window's composer is shared by all tabs: the tab keeps its draft while another tab is
shown, and says through signals what the window shows (title, busy, status, editing). Tool
cards, sources and run output of a conversation belong here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from app.core.conversation import ChatMessage, Conversation
from app.services.chat_session import ChatSession
from app.services.providers import ProviderService
from app.ui.chat_view import ChatView, MessageAction

if TYPE_CHECKING:
    from app.ui.compare_view import CompareView

BUSY_MARK = "● "


class ChatTab(QWidget):
    titleChanged = Signal(str)  # the tab's text: the title, with a busy marker
    busyChanged = Signal(bool)
    statusChanged = Signal(str)
    answerFinished = Signal(object)  # the ChatMessage that ended (done, stopped or error)
    conversationChanged = Signal()  # sent, answered, edited...: the sidebar may change
    branchShown = Signal()  # the messages shown were replaced (edit, regenerate, versions)
    editStarted = Signal(str)  # the text of the message now being edited
    editEnded = Signal()
    notice = Signal(str)  # a short sentence for the status line
    openInCodePane = Signal(str, int)  # message id, code block index
    runInCodePane = Signal(str, int)
    switchLocalRequested = Signal()
    switchPaidRequested = Signal()

    def __init__(
        self, session: ChatSession, providers: ProviderService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chatTab")
        self.session = session
        self.providers = providers
        self.draft = ""  # the composer's unsent text while another tab is shown
        self.editing: str | None = None  # id of the user message being edited
        self.closed = False  # the tab was closed (its session may still be ending)
        self.compare: CompareView | None = None  # a comparison shown instead of the view
        self.view = ChatView(session.conversation, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        view = self.view
        session.messageAdded.connect(lambda i: view.add_message(i, self.conversation.messages[i]))
        session.textArrived.connect(view.append_text)
        session.messageFinished.connect(self._on_finished)
        session.reset.connect(self._on_reset)
        session.busyChanged.connect(self._on_busy)
        session.statusChanged.connect(self.statusChanged)
        view.retryRequested.connect(self.retry)
        view.switchLocalRequested.connect(self.switchLocalRequested)
        view.switchPaidRequested.connect(self.switchPaidRequested)
        view.openInCodePane.connect(self.openInCodePane)
        view.runInCodePane.connect(self.runInCodePane)
        view.actionRequested.connect(self.perform)
        if session.conversation.messages:
            view.rebuild()

    @property
    def conversation(self) -> Conversation:
        return self.session.conversation

    @property
    def busy(self) -> bool:
        return self.session.busy or (self.compare is not None and self.compare.session.running)

    def show_compare(self, view: QWidget) -> None:
        """A comparison (app/ui/compare_view.py) in place of the conversation until it is
        closed or one of its answers is kept."""
        self.compare = view  # type: ignore[assignment]
        self.layout().addWidget(view)
        self.view.hide()
        view.closed.connect(self.end_compare)  # type: ignore[attr-defined]
        session = view.session  # type: ignore[attr-defined]
        session.finished.connect(lambda: self._on_busy(False))
        session.finished.connect(self.conversationChanged)
        self._on_busy(True)
        self.conversationChanged.emit()

    def end_compare(self) -> None:
        view, self.compare = self.compare, None
        if view is None:
            return
        view.session.stop()
        view.hide()
        view.deleteLater()
        self.view.show()
        self.view.rebuild()
        self.titleChanged.emit(self.title())
        self.conversationChanged.emit()
        self.branchShown.emit()

    @property
    def status(self) -> str:
        return self.session.status

    def title(self) -> str:
        """The tab's text: the conversation's title, marked while an answer streams."""
        title = self.conversation.title or self.tr("New chat")
        return (BUSY_MARK if self.busy else "") + title

    # --- sending -----------------------------------------------------------------------

    def submit(self, text: str, fixes: str = "") -> bool:
        """Send the composer's text (a new version of the message being edited, if any).
        True when it went; the draft is then empty. `fixes`: Fix it's request names the
        code block it fixes (the draft stays)."""
        if self.busy:
            return False
        provider = self.providers.current
        if fixes:
            sent = self.session.send(text, provider, fixes=fixes)
            if sent:
                self.conversationChanged.emit()
            return sent
        if self.editing is not None:
            index = self.conversation.index_of(self.editing)
            sent = self.session.edit(index, text, provider)
            if sent:
                self.end_edit()
        else:
            sent = self.session.send(text, provider)
        if sent:
            self.draft = ""
            self.titleChanged.emit(self.title())
            self.conversationChanged.emit()
        return sent

    def retry(self) -> bool:
        return self.session.retry(self.providers.current)

    def stop(self) -> None:
        self.session.stop()
        if self.compare is not None:
            self.compare.session.stop()  # both sides; what arrived stays

    # --- the actions under a message -------------------------------------------------------

    def perform(self, action: MessageAction, message_id: str) -> None:
        conv = self.conversation
        message = conv.nodes.get(message_id)
        if message is None:
            return
        if action is MessageAction.COPY:
            QApplication.clipboard().setText(message.content)
            self.notice.emit(self.tr("Copied the message."))
            return
        if self.busy:
            self.notice.emit(self.tr("Wait for the answer to finish, or press Stop (Esc)."))
            return
        index = conv.index_of(message_id)
        provider = self.providers.current
        session = self.session
        if action is MessageAction.EDIT:
            self.begin_edit(message_id)
        elif action is MessageAction.REGENERATE:
            session.regenerate(index, provider)
        elif action is MessageAction.TRIM:
            session.retry(provider, trim=True)
        elif action is MessageAction.CONTINUE:
            session.continue_answer(index, provider)
        elif action is MessageAction.DELETE:
            session.delete(message_id)
        elif action in (MessageAction.PREVIOUS, MessageAction.NEXT):
            session.switch_version(message_id, -1 if action is MessageAction.PREVIOUS else 1)

    def begin_edit(self, message_id: str) -> None:
        self.editing = message_id
        self.editStarted.emit(self.conversation.nodes[message_id].content)

    def end_edit(self) -> None:
        if self.editing is not None:
            self.editing = None
            self.editEnded.emit()

    # --- the session's signals -------------------------------------------------------------

    def _on_finished(self, index: int) -> None:
        message: ChatMessage = self.conversation.messages[index]
        self.view.finish_message(index, message)
        self.answerFinished.emit(message)
        self.conversationChanged.emit()

    def _on_reset(self) -> None:
        self.view.rebuild()
        self.titleChanged.emit(self.title())
        self.branchShown.emit()
        self.conversationChanged.emit()

    def _on_busy(self, busy: bool) -> None:
        self.titleChanged.emit(self.title())
        self.busyChanged.emit(busy)

    def close_session(self) -> None:
        """The tab is going: stop its answer and let the session go when its task ends."""
        self.closed = True
        self.end_edit()
        if self.compare is not None:
            self.compare.session.stop()
        self.session.close()
