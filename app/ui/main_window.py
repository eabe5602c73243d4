"""The main window: conversation tabs, composer, code pane, provider selector, status."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.markdown import extract_code_blocks
from app.core.protocol import Role
from app.core.providers import PROVIDERS, Provider
from app.services.backend import Backend
from app.services.chat_session import ChatSession
from app.ui.chat_view import ChatView
from app.ui.code_pane import CodePane
from app.ui.composer import Composer


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        backend: Backend,
        providers: list[Provider] | None = None,
        initial_provider: str | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.resize(1200, 780)
        self.backend = backend
        self.providers = providers or [p for p in PROVIDERS.values() if p.base_url]
        self._sessions: dict[ChatView, ChatSession] = {}
        self._draft_owner: ChatSession | None = None

        # Provider selector
        self.provider_selector = QComboBox()
        self.provider_selector.setObjectName("providerSelector")
        self.provider_selector.setAccessibleName("Provider and model")
        self.provider_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for p in self.providers:
            self.provider_selector.addItem(p.label, p.id)
            self.provider_selector.setItemData(
                self.provider_selector.count() - 1, p.base_url, Qt.ItemDataRole.ToolTipRole
            )
        start = initial_provider or self._default_provider_id()
        self.provider_selector.setCurrentIndex(max(0, self.provider_selector.findData(start)))
        self.provider_selector.currentIndexChanged.connect(self._update_status_provider)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        self.new_tab_action = QAction("New chat", self)
        self.new_tab_action.setShortcuts([QKeySequence("Ctrl+N"), QKeySequence("Ctrl+T")])
        self.new_tab_action.triggered.connect(self.new_tab)
        toolbar.addAction(self.new_tab_action)
        toolbar.widgetForAction(self.new_tab_action).setObjectName("newChatButton")
        toolbar.widgetForAction(self.new_tab_action).setAccessibleName("New chat")
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Model: "))
        toolbar.addWidget(self.provider_selector)
        self.addToolBar(toolbar)

        # Conversation tabs
        self.tabs = QTabWidget()
        self.tabs.setObjectName("conversationTabs")
        self.tabs.setAccessibleName("Conversations")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        # Composer row
        self.composer = Composer()
        self.composer.submitted.connect(self._on_submit)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleName("Send message")
        self.send_button.setToolTip("Send (Enter)")
        self.send_button.clicked.connect(self.composer.submit)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName("Stop answer")
        self.stop_button.setToolTip("Stop the answer and keep what arrived (Esc)")
        self.stop_button.clicked.connect(self.stop_current)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        composer_row = QHBoxLayout()
        composer_row.addWidget(self.composer, 1)
        composer_row.addLayout(buttons)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 6)
        left_layout.addWidget(self.tabs, 1)
        left_layout.addLayout(composer_row)

        self.code_pane = CodePane()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(left)
        splitter.addWidget(self.code_pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 480])
        self.setCentralWidget(splitter)

        # Status bar: provider (permanent, right) and what is happening (left)
        self.status_label = QLabel("Ready")
        self.status_label.setObjectName("statusText")
        self.provider_label = QLabel()
        self.provider_label.setObjectName("statusProvider")
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.provider_label)

        # Shortcuts that work wherever the focus is
        for keys, slot in (
            ("Esc", self.stop_current),
            ("Ctrl+W", self.close_current_tab),
            ("Ctrl+Tab", lambda: self._cycle_tab(1)),
            ("Ctrl+Shift+Tab", lambda: self._cycle_tab(-1)),
            ("Ctrl+PgDown", lambda: self._cycle_tab(1)),
            ("Ctrl+PgUp", lambda: self._cycle_tab(-1)),
            ("Ctrl+Q", self.close),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        self.new_tab()
        self._update_status_provider()

    # --- providers ---------------------------------------------------------------------

    def _default_provider_id(self) -> str:
        """The first cloud provider that has a key in the environment, else local."""
        for p in self.providers:
            if p.needs_key and self.backend.api_key(p):
                return p.id
        return "local" if any(p.id == "local" for p in self.providers) else self.providers[0].id

    def current_provider(self) -> Provider:
        pid = self.provider_selector.currentData()
        return next(p for p in self.providers if p.id == pid)

    def _update_status_provider(self) -> None:
        p = self.current_provider()
        key_note = ""
        if p.needs_key and not self.backend.api_key(p):
            key_note = " · no API key"
        self.provider_label.setText(f"{p.name} · {p.model}{key_note}")
        self.provider_label.setToolTip(p.base_url)

    # --- tabs --------------------------------------------------------------------------

    def current_view(self) -> ChatView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ChatView) else None

    def current_session(self) -> ChatSession | None:
        view = self.current_view()
        return self._sessions.get(view) if view is not None else None

    def new_tab(self) -> ChatView:
        view = ChatView()
        session = ChatSession(self.backend, parent=self)
        self._sessions[view] = session
        session.messageAdded.connect(
            lambda i, v=view, s=session: v.add_message(i, s.conversation.messages[i])
        )
        session.textArrived.connect(view.append_text)
        session.messageFinished.connect(lambda i, v=view, s=session: self._on_finished(v, s, i))
        session.busyChanged.connect(lambda _busy, v=view: self._on_busy(v))
        session.statusChanged.connect(lambda text, v=view: self._on_status(v, text))
        view.retryRequested.connect(lambda s=session: self._retry(s))
        index = self.tabs.addTab(view, "New chat")
        self.tabs.setCurrentIndex(index)
        self.composer.setFocus()
        return view

    def close_tab(self, index: int) -> None:
        view = self.tabs.widget(index)
        if not isinstance(view, ChatView):
            return
        session = self._sessions.pop(view)
        if session is self._draft_owner:
            self._draft_owner = None
        session.close()
        self.tabs.removeTab(index)
        view.deleteLater()
        if self.tabs.count() == 0:
            self.new_tab()

    def close_current_tab(self) -> None:
        self.close_tab(self.tabs.currentIndex())

    def _cycle_tab(self, step: int) -> None:
        if self.tabs.count() > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _on_tab_changed(self, _index: int) -> None:
        session = self.current_session()
        if session is None:
            return
        # Drafts belong to their conversation: the composer shows the current tab's.
        owner = self._draft_owner
        if owner is not session:
            if owner is not None and owner in self._sessions.values():
                owner.draft = self.composer.toPlainText()
            self.composer.setPlainText(session.draft)
            self.composer.moveCursor(QTextCursor.MoveOperation.End)
            self._draft_owner = session
        self._refresh_controls()
        self.status_label.setText(session.status)
        self._refresh_code_pane()

    # --- chatting ----------------------------------------------------------------------

    def _on_submit(self, text: str) -> None:
        session = self.current_session()
        if session is None or session.busy:
            return
        if session.send(text, self.current_provider()):
            self.composer.clear()
            session.draft = ""
            view = self.current_view()
            if view is not None:
                self.tabs.setTabToolTip(self.tabs.indexOf(view), session.conversation.title)
                self._on_busy(view)  # the tab's title, with its busy marker

    def _retry(self, session: ChatSession) -> None:
        session.retry(self.current_provider())

    def stop_current(self) -> None:
        session = self.current_session()
        if session is not None:
            session.stop()

    def _on_finished(self, view: ChatView, session: ChatSession, index: int) -> None:
        view.finish_message(index, session.conversation.messages[index])
        if view is self.current_view():
            self._refresh_code_pane()

    def _on_busy(self, view: ChatView) -> None:
        session = self._sessions.get(view)
        if session is None:
            return
        index = self.tabs.indexOf(view)
        title = session.conversation.title or "New chat"
        self.tabs.setTabText(index, ("● " if session.busy else "") + title)
        if view is self.current_view():
            self._refresh_controls()

    def _on_status(self, view: ChatView, text: str) -> None:
        if view is self.current_view():
            self.status_label.setText(text)

    def _refresh_controls(self) -> None:
        session = self.current_session()
        busy = bool(session and session.busy)
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    def _refresh_code_pane(self) -> None:
        session = self.current_session()
        blocks = []
        if session is not None:
            for m in session.conversation.messages:
                if m.role == Role.ASSISTANT and m.content:
                    blocks.extend(b for b in extract_code_blocks(m.content) if b.code.strip())
        self.code_pane.set_blocks(blocks)

    # --- window ------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Without a window manager nobody gives us focus: take it.
        self.activateWindow()
        self.composer.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        for session in self._sessions.values():
            session.stop()
        super().closeEvent(event)
        self.closed.emit()
