"""The main window: conversation tabs, composer, code pane, provider selector, status."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
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
from app.core.conversation import Conversation
from app.core.providers import PROVIDERS, Provider
from app.services.backend import Backend
from app.services.chat_session import ChatSession
from app.services.history import HistoryService
from app.services.settings import SettingsService
from app.ui.chat_view import ChatView
from app.ui.code_pane import CodePane
from app.ui.composer import Composer
from app.ui.history_mixin import HistoryMixin
from app.ui.local_mixin import LocalModelMixin
from app.ui.search_dialog import SearchDialog
from app.ui.settings_mixin import SettingsMixin, configured_providers
from app.ui.sidebar import Sidebar


class MainWindow(HistoryMixin, LocalModelMixin, SettingsMixin, QMainWindow):
    closed = Signal()

    def __init__(
        self,
        backend: Backend,
        history: HistoryService,
        providers: list[Provider] | None = None,
        initial_provider: str | None = None,
        settings: SettingsService | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.resize(1200, 780)
        self.backend = backend
        self.history = history
        self._editing: tuple[ChatSession, str] | None = None  # (session, message id)
        self._search: SearchDialog | None = None
        self._session_restored = False  # until then, the stored tabs must not be overwritten
        self.settings = settings
        cli = providers or [p for p in PROVIDERS.values() if p.base_url]
        self.providers = configured_providers(settings, cli, initial_provider)
        self._setup_settings(cli, initial_provider)
        self._sessions: dict[ChatView, ChatSession] = {}
        self._draft_owner: ChatSession | None = None

        # Provider selector
        self.provider_selector = QComboBox()
        self.provider_selector.setObjectName("providerSelector")
        self.provider_selector.setAccessibleName(self.tr("Provider and model"))
        self.provider_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for p in self.providers:
            self.provider_selector.addItem(p.label, p.id)
            self.provider_selector.setItemData(
                self.provider_selector.count() - 1, p.base_url, Qt.ItemDataRole.ToolTipRole
            )
        start = initial_provider or self._default_provider_id()
        self.provider_selector.setCurrentIndex(max(0, self.provider_selector.findData(start)))
        self.provider_selector.currentIndexChanged.connect(self._on_provider_chosen)

        toolbar = QToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        self.new_tab_action = QAction(self.tr("New chat"), self)
        self.new_tab_action.setShortcuts([QKeySequence("Ctrl+N"), QKeySequence("Ctrl+T")])
        self.new_tab_action.triggered.connect(lambda: self.new_tab())
        toolbar.addAction(self.new_tab_action)
        toolbar.widgetForAction(self.new_tab_action).setObjectName("newChatButton")
        toolbar.widgetForAction(self.new_tab_action).setAccessibleName(self.tr("New chat"))
        toolbar.addSeparator()
        model_label = QLabel(self.tr("Model:"))
        model_label.setContentsMargins(4, 0, 4, 0)
        model_label.setBuddy(self.provider_selector)
        toolbar.addWidget(model_label)
        toolbar.addWidget(self.provider_selector)
        self.addToolBar(toolbar)

        # Conversation tabs
        self.tabs = QTabWidget()
        self.tabs.setObjectName("conversationTabs")
        self.tabs.setAccessibleName(self.tr("Conversations"))
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        # Composer row
        self.composer = Composer()
        self.composer.submitted.connect(self._on_submit)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleName(self.tr("Send message"))
        self.send_button.setToolTip(self.tr("Send (Enter)"))
        self.send_button.clicked.connect(self.composer.submit)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName(self.tr("Stop answer"))
        self.stop_button.setToolTip(self.tr("Stop the answer and keep what arrived (Esc)"))
        self.stop_button.clicked.connect(self.stop_current)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        composer_row = QHBoxLayout()
        composer_row.addWidget(self.composer, 1)
        composer_row.addLayout(buttons)

        self.edit_banner = QLabel()
        self.edit_banner.setObjectName("editBanner")
        self.edit_banner.setWordWrap(True)  # its colours: the theme's stylesheet
        self.edit_banner.hide()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 6)
        left_layout.addWidget(self.tabs, 1)
        left_layout.addWidget(self.edit_banner)
        left_layout.addLayout(composer_row)

        self.sidebar = Sidebar()
        self.sidebar.openRequested.connect(self._open_by_id)
        self.sidebar.renameRequested.connect(self.rename_conversation)
        self.sidebar.pinRequested.connect(self.pin_conversation)
        self.sidebar.deleteRequested.connect(self.trash_conversation)
        self.sidebar.restoreRequested.connect(self._restore_from_trash)
        self.sidebar.deleteForeverRequested.connect(self._delete_forever)
        self.sidebar.exportRequested.connect(self._export_dialog)
        self.sidebar.trashToggled.connect(lambda _on: self.refresh_sidebar())
        self.code_pane = CodePane()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.sidebar)
        splitter.addWidget(left)
        splitter.addWidget(self.code_pane)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([220, 600, 380])
        self.setCentralWidget(splitter)
        self._setup_local()
        self._build_menus()

        # Status bar: provider (permanent, right) and what is happening (left)
        self.status_label = QLabel(self.tr("Ready"))
        self.status_label.setObjectName("statusText")
        self.provider_label = QLabel()
        self.provider_label.setObjectName("statusProvider")
        self.history_warning = QLabel()
        self.history_warning.setObjectName("historyWarning")
        self.history_warning.setWordWrap(True)
        self.history_warning.hide()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.history_warning)
        self.statusBar().addPermanentWidget(self.keyring_notice)
        self.statusBar().addPermanentWidget(self.offline_toggle)
        self.statusBar().addPermanentWidget(self.local_status)
        self.statusBar().addPermanentWidget(self.provider_label)
        history.problem.connect(self._on_history_problem)
        history.recovered.connect(self._on_history_recovered)
        history.notice.connect(self._on_history_notice)
        history.announce()
        self._code_pane_timer = QTimer(self)
        self._code_pane_timer.setSingleShot(True)
        self._code_pane_timer.setInterval(60)
        self._code_pane_timer.timeout.connect(self._refresh_code_pane)
        self._sidebar_timer = QTimer(self)
        self._sidebar_timer.setSingleShot(True)
        self._sidebar_timer.setInterval(150)
        self._sidebar_timer.timeout.connect(lambda: asyncio.ensure_future(self._fill_sidebar()))

        # Shortcuts that work wherever the focus is
        for keys, slot in (
            ("Esc", self._escape),
            ("Ctrl+Shift+F", self.open_search),
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
        self.refresh_sidebar()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addAction(self.new_tab_action)
        file_menu.addSeparator()
        file_menu.addAction(self.tr("&Import conversations…"), self._import_dialog)
        export = file_menu.addMenu(self.tr("&Export"))
        export.addAction(
            self.tr("This conversation as Markdown…"), lambda: self._export_current("md")
        )
        export.addAction(
            self.tr("This conversation as JSON…"), lambda: self._export_current("json")
        )
        export.addAction(
            self.tr("All conversations as JSON…"), lambda: self._export_dialog(None, "json")
        )
        export.addAction(
            self.tr("All conversations as Markdown…"), lambda: self._export_dialog(None, "md")
        )
        file_menu.addSeparator()
        self._add_local_menu(file_menu)
        file_menu.addSeparator()
        quit_action = file_menu.addAction(self.tr("&Quit"), self.close)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the QShortcut serves
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        search = edit_menu.addAction(self.tr("&Search all conversations…"), self.open_search)
        search.setShortcut(QKeySequence("Ctrl+Shift+F"))
        search.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the QShortcut serves
        edit_menu.addSeparator()
        edit_menu.addAction(self.conversation_settings_action)
        edit_menu.addAction(self.settings_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.tr("&About {app}").format(app=APP_NAME), self.show_about)

    def show_about(self) -> QDialog:
        from app.ui.about import AboutDialog  # loaded when asked for

        dialog = AboutDialog(self.history.path.parent, self)  # the profile folder
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- providers ---------------------------------------------------------------------

    def _default_provider_id(self) -> str:
        """The one chosen last time, else the first cloud provider that has a key, else
        local."""
        last = self.settings.get("general.provider") if self.settings is not None else ""
        if last and any(p.id == last for p in self.providers):
            return str(last)
        for p in self.providers:
            if p.needs_key and self.backend.api_key(p):
                return p.id
        return "local" if any(p.id == "local" for p in self.providers) else self.providers[0].id

    def current_provider(self) -> Provider:
        pid = self.provider_selector.currentData()
        return next(p for p in self.providers if p.id == pid)

    def _on_provider_chosen(self) -> None:
        self._update_status_provider()
        if self.settings is not None and self._chosen_provider is None:
            try:  # the next start opens with it (a command-line choice is not remembered)
                self.settings.apply({"general.provider": self.current_provider().id})
            except ValueError:
                pass  # a provider added for this session only (a detected server)

    def _update_status_provider(self) -> None:
        p = self.current_provider()
        key_note = ""
        if self.backend.offline and not p.is_loopback:
            key_note = self.tr(" · offline: not sent")
        elif p.needs_key and not self.backend.api_key(p):
            key_note = self.tr(" · no API key")
        self.provider_label.setText(f"{p.name} · {p.model}{key_note}")
        self.provider_label.setToolTip(p.base_url)
        self._update_composer_hint()

    # --- tabs --------------------------------------------------------------------------

    def current_view(self) -> ChatView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ChatView) else None

    def current_session(self) -> ChatSession | None:
        view = self.current_view()
        return self._sessions.get(view) if view is not None else None

    def session_for(self, conversation_id: str) -> tuple[ChatView, ChatSession] | None:
        for view, session in self._sessions.items():
            if session.conversation.id == conversation_id:
                return view, session
        return None

    def new_tab(self, conversation: Conversation | None = None) -> ChatView:
        session = ChatSession(self.backend, self.history, conversation, parent=self)
        session.params_for = self.params_for
        view = ChatView(session.conversation)
        self._sessions[view] = session
        session.messageAdded.connect(
            lambda i, v=view, s=session: v.add_message(i, s.conversation.messages[i])
        )
        session.textArrived.connect(view.append_text)
        session.messageFinished.connect(lambda i, v=view, s=session: self._on_finished(v, s, i))
        session.reset.connect(lambda v=view: self._on_reset(v))
        session.busyChanged.connect(lambda _busy, v=view: self._on_busy(v))
        session.statusChanged.connect(lambda text, v=view: self._on_status(v, text))
        view.retryRequested.connect(lambda s=session: self._retry(s))
        view.offers_local = self._offers_local
        view.switchLocalRequested.connect(lambda s=session: self.switch_to_local(s))
        view.openInCodePane.connect(self.open_in_code_pane)
        view.actionRequested.connect(
            lambda action, mid, s=session: self._on_message_action(s, action, mid)
        )
        index = self.tabs.addTab(view, self.tr("New chat"))
        if conversation is not None and conversation.messages:
            view.rebuild()
            self._on_busy(view)  # the title
        self.tabs.setCurrentIndex(index)
        self.composer.setFocus()
        self._save_session_soon()
        return view

    def open_conversation(self, conversation: Conversation, message_id: str = "") -> ChatView:
        """Show a stored conversation: its tab if open, else a new one (reusing an empty
        current tab); with a message id, that message's branch, scrolled to it."""
        found = self.session_for(conversation.id)
        if found is not None:
            view, session = found
            self.tabs.setCurrentWidget(view)
        else:
            current = self.current_session()
            if current is not None and not current.conversation.nodes and not current.busy:
                self.close_current_tab(reopen=False)
            view = self.new_tab(conversation)
            session = self._sessions[view]
        if message_id and message_id in session.conversation.nodes and not session.busy:
            if session.conversation.index_of(message_id) < 0:
                session.conversation.switch_to(message_id)
                view.rebuild()
            index = session.conversation.index_of(message_id)
            QTimer.singleShot(0, lambda: view.scroll_to_message(index))
        self.sidebar_select(conversation.id)
        return view

    def close_tab(self, index: int, reopen: bool = True) -> None:
        view = self.tabs.widget(index)
        if not isinstance(view, ChatView):
            return
        session = self._sessions.pop(view)
        if session is self._draft_owner:
            self._draft_owner = None
        if self._editing and self._editing[0] is session:
            self._end_edit()
        session.close()
        self.tabs.removeTab(index)
        view.deleteLater()
        if self.tabs.count() == 0 and reopen:
            self.new_tab()
        self._save_session_soon()

    def close_current_tab(self, reopen: bool = True) -> None:
        self.close_tab(self.tabs.currentIndex(), reopen)

    def _cycle_tab(self, step: int) -> None:
        if self.tabs.count() > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _on_tab_changed(self, _index: int) -> None:
        session = self.current_session()
        if session is None:
            return
        if self._editing is not None and self._editing[0] is not session:
            self._end_edit()
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
        self.sidebar_select(session.conversation.id)

    # --- chatting ----------------------------------------------------------------------

    def _on_submit(self, text: str) -> None:
        session = self.current_session()
        if session is None or session.busy:
            return
        if self._editing and self._editing[0] is session:
            index = session.conversation.index_of(self._editing[1])
            if session.edit(index, text, self.current_provider()):
                self._end_edit()
                self.composer.clear()
                session.draft = ""
            return
        if self.waiting_for_keys(text) or not self.explain_unready_provider():
            return
        if session.send(text, self.current_provider()):
            self.composer.clear()
            session.draft = ""
            view = self.current_view()
            if view is not None:
                self.tabs.setTabToolTip(self.tabs.indexOf(view), session.conversation.title)
                self._on_busy(view)  # the tab's title, with its busy marker
            self.refresh_sidebar()

    def _retry(self, session: ChatSession) -> None:
        session.retry(self.current_provider())

    def _on_message_action(self, session: ChatSession, action: str, message_id: str) -> None:
        conv = session.conversation
        message = conv.nodes.get(message_id)
        if message is None:
            return
        index = conv.index_of(message_id)
        provider = self.current_provider()
        if action == "copy":
            QApplication.clipboard().setText(message.content)
            self.status_label.setText(self.tr("Copied the message."))
            return
        if session.busy:
            self.status_label.setText(
                self.tr("Wait for the answer to finish, or press Stop (Esc).")
            )
            return
        if action == "edit":
            self._begin_edit(session, message_id)
        elif action == "regenerate":
            session.regenerate(index, provider)
        elif action == "trim":  # the model said the conversation is too long
            session.retry(provider, trim=True)
        elif action == "continue":
            session.continue_answer(index, provider)
        elif action == "delete":
            session.delete(message_id)
        elif action in ("previous", "next"):
            session.switch_version(message_id, -1 if action == "previous" else 1)

    def _begin_edit(self, session: ChatSession, message_id: str) -> None:
        self._editing = (session, message_id)
        self.composer.setPlainText(session.conversation.nodes[message_id].content)
        self.composer.moveCursor(QTextCursor.MoveOperation.End)
        self.composer.setFocus()
        self.edit_banner.setText(
            self.tr(
                "Editing your message: Enter sends it as a new version (the old one is kept "
                "and can be switched back to). Esc cancels."
            )
        )
        self.edit_banner.show()

    def _end_edit(self) -> None:
        self._editing = None
        self.edit_banner.hide()

    def _escape(self) -> None:
        if self._editing is not None:
            self._end_edit()
            self.composer.clear()
        else:
            self.stop_current()

    def stop_current(self) -> None:
        session = self.current_session()
        if session is not None:
            session.stop()

    def _on_finished(self, view: ChatView, session: ChatSession, index: int) -> None:
        view.finish_message(index, session.conversation.messages[index])
        self._after_answer(session, session.conversation.messages[index])
        if view is self.current_view():
            self._code_pane_timer.start()  # after the answer's last frame is painted
        self.refresh_sidebar()

    def _on_reset(self, view: ChatView) -> None:
        view.rebuild()
        self._on_busy(view)
        if view is self.current_view():
            self._refresh_code_pane()
        self.refresh_sidebar()

    def _on_busy(self, view: ChatView) -> None:
        session = self._sessions.get(view)
        if session is None:
            return
        index = self.tabs.indexOf(view)
        title = session.conversation.title or self.tr("New chat")
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
        self._code_pane_timer.stop()
        session = self.current_session()
        self.code_pane.set_conversation(session.conversation if session else None)

    def open_in_code_pane(self, message_id: str, block_index: int) -> bool:
        """Show this code block of the current conversation in the code pane."""
        self._refresh_code_pane()
        if not self.code_pane.show_snippet(message_id, block_index):
            return False
        splitter = self.centralWidget()
        if isinstance(splitter, QSplitter) and splitter.sizes()[-1] == 0:
            sizes = splitter.sizes()
            splitter.setSizes([*sizes[:-1], 380])  # the pane was collapsed: open it
        self.code_pane.editor.setFocus()
        return True

    async def wait_stopped(self, timeout: float = 3.0) -> None:
        """After Stop: let every answer's task end (and queue its last save), and stop the
        local llama-server if one runs."""
        tasks = [s._task for s in self._sessions.values() if s._task and not s._task.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        await self.stop_local()

    # --- window ------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Without a window manager nobody gives us focus: take it.
        self.activateWindow()
        self.composer.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_session_soon()  # before Stop: the tabs as the user left them
        self.save_window_state()
        for session in self._sessions.values():
            session.stop()
        self._begin_local_stop()
        super().closeEvent(event)
        self.closed.emit()
