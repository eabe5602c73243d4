"""The main window: lays out the toolbar, the sidebar, the conversation tabs with the
composer, the code pane and the status bar, builds the menus and shortcuts, and wires the
services and controllers together. Features live in the controllers beside it
(`HistoryController`, `LocalModelController`, `SettingsController`) and in `ChatTab`."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.asyncutil import Tasks
from app.core.conversation import ChatMessage
from app.core.providers import Provider
from app.core.tools.declare import Decision
from app.services.backend import Backend
from app.services.history import HistoryService
from app.services.mcp import McpService
from app.services.providers import ProviderService
from app.services.runs import RunService
from app.services.settings import SettingsService
from app.ui.chat_tab import ChatTab
from app.ui.chat_view import ChatView
from app.ui.code_pane import CodePane
from app.ui.compare_view import CompareController
from app.ui.composer import Composer
from app.ui.context_meter import ContextMeter
from app.ui.conversation_tabs import ConversationTabs
from app.ui.cursor_blink import BlinkTimeout
from app.ui.history_controller import HistoryController
from app.ui.local_controller import LocalModelController
from app.ui.presets_controller import PresetsController
from app.ui.provider_selector import ProviderSelector
from app.ui.request_toggles import request_toggles, run_code_toggle
from app.ui.run_controller import RunController
from app.ui.settings_controller import SettingsController
from app.ui.snippet_library import SnippetLibraryController
from app.ui.tools_controller import ToolsController
from app.ui.usage_controller import UsageController

CODE_PANE_DELAY_MS = 60  # after an answer's last frame is painted
SAY_MS = 10_000
LONG_ANSWER = 50_000  # characters: its code blocks are found on a worker thread


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        backend: Backend,
        history: HistoryService,
        providers: list[Provider] | None = None,
        initial_provider: str | None = None,
        settings: SettingsService | None = None,
        workspace: str = "",
    ) -> None:
        """`workspace`: the folder the first new tab's tools may touch (--workspace)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.resize(1200, 780)
        self.backend = backend
        self.history = history
        self.settings = settings
        profile = history.path.parent
        self.providers = ProviderService(backend, settings, providers, initial_provider, self)
        self._draft_tab: ChatTab | None = None  # whose draft the composer shows
        self.tasks = Tasks()

        # The widgets
        self.provider_selector = ProviderSelector(self.providers)
        self.tabs = ConversationTabs(backend, history, self.providers)
        self.composer = Composer()
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleName(self.tr("Send message"))
        self.send_button.setToolTip(self.tr("Send (Enter)"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName(self.tr("Stop answer"))
        self.stop_button.setToolTip(self.tr("Stop the answer and keep what arrived (Esc)"))
        self.edit_banner = QLabel()
        self.edit_banner.setObjectName("editBanner")
        self.edit_banner.setWordWrap(True)  # its colours: the theme's stylesheet
        self.edit_banner.hide()
        self.code_pane = CodePane()
        self.blink = BlinkTimeout(self)  # an idle cursor stops blinking (no wake-ups)
        self.blink.watch(self.composer)
        self.blink.watch(self.code_pane.editor)
        self.status_label = QLabel(self.tr("Ready"))
        self.status_label.setObjectName("statusText")
        self._code_pane_timer = QTimer(self)
        self._code_pane_timer.setSingleShot(True)
        self._code_pane_timer.setInterval(CODE_PANE_DELAY_MS)
        self._code_pane_timer.timeout.connect(self._refresh_code_pane)

        # The controllers
        self.history_controller = HistoryController(history, self.tabs, self.composer, self)
        self.local_controller = LocalModelController(backend, self.providers, profile, self)
        self.settings_controller = SettingsController(
            settings, backend, self.providers, self.tabs, self.composer, profile, self
        )
        self.sidebar = self.history_controller.sidebar
        self.presets = PresetsController(self.tabs, settings, profile, self)
        self.context_meter = ContextMeter(self.tabs, self.providers, backend, self.composer, self)
        self.usage = UsageController(history, self.tabs, self.providers, settings, self._say, self)
        self.web_search, self.json_mode = request_toggles(self.tabs, self.providers, settings, self)
        for toggle in (self.web_search, self.json_mode):
            self.settings_controller.conversationSettingsChanged.connect(toggle.show_state)
        self.settings_controller.conversationSettingsChanged.connect(self.presets.show_current)
        self.mcp = McpService(backend.secrets, profile, self)
        self.settings_controller.mcp = self.mcp
        self.runs = RunService(settings, profile, self)
        self.run_code = run_code_toggle(self.tabs, self.providers, settings, self)
        self.settings_controller.conversationSettingsChanged.connect(self.run_code.show_state)
        self.tools_controller = ToolsController(
            self.tabs,
            settings,
            self,
            workspace,
            self.mcp,
            self.settings_controller.open_settings,
            runs=self.runs,
            run_code_on=self.run_code.is_on_for,
        )
        self.run_code.changed.connect(self.tools_controller.refresh_current)
        self.run_controller = RunController(self.runs, self.tabs, self.code_pane, self)
        self.compare = CompareController(
            self.tabs, self.providers, backend, history, self.composer, self
        )
        self.compare.statusText.connect(self._say)
        self.snippets = SnippetLibraryController(history, self)
        self.snippets.openSnippet.connect(self.open_snippet)
        self.snippets.goToMessage.connect(self.history_controller.open_by_id)

        self._lay_out()
        self._build_menus()
        self._wire()
        self.new_tab()
        self.settings_controller.show_readiness()
        self.history_controller.refresh_sidebar()
        history.announce()

    # --- layout --------------------------------------------------------------------------

    def _lay_out(self) -> None:
        toolbar = QToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        self.new_tab_action = QAction(self.tr("New chat"), self)
        self.new_tab_action.setShortcuts([QKeySequence("Ctrl+N"), QKeySequence("Ctrl+T")])
        toolbar.addAction(self.new_tab_action)
        toolbar.widgetForAction(self.new_tab_action).setObjectName("newChatButton")
        toolbar.widgetForAction(self.new_tab_action).setAccessibleName(self.tr("New chat"))
        toolbar.addSeparator()
        model_label = QLabel(self.tr("Model:"))
        model_label.setContentsMargins(4, 0, 4, 0)
        model_label.setBuddy(self.provider_selector)
        toolbar.addWidget(model_label)
        toolbar.addWidget(self.provider_selector)
        toolbar.addSeparator()
        tools = self.tools_controller
        toolbar.addAction(tools.workspace_action)
        toolbar.widgetForAction(tools.workspace_action).setObjectName("workspaceButton")
        toolbar.addAction(tools.mcp_action)
        mcp_button = toolbar.widgetForAction(tools.mcp_action)
        mcp_button.setObjectName("mcpServersButton")
        mcp_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.addToolBar(toolbar)

        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.compare.button)  # a way of sending: beside Send
        buttons.addStretch(1)
        # The conversation's request options, above the composer: preset, web search,
        # JSON, and how full the context is.
        options = QHBoxLayout()
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.presets.combo)
        options.addWidget(self.web_search.button)
        options.addWidget(self.json_mode.button)
        options.addWidget(self.run_code.button)
        options.addStretch(1)
        options.addWidget(self.context_meter.label)
        composer_row = QHBoxLayout()
        composer_row.addWidget(self.composer, 1)
        composer_row.addLayout(buttons)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 6)
        left_layout.addWidget(self.tabs, 1)
        left_layout.addWidget(self.edit_banner)
        left_layout.addWidget(self.tools_controller.bar)
        left_layout.addLayout(options)
        left_layout.addLayout(composer_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.sidebar)
        splitter.addWidget(left)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("codeSplitter")
        right.addWidget(self.code_pane)
        right.addWidget(self.run_controller.pane)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([460, 240])
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([220, 600, 380])
        self.setCentralWidget(splitter)

        # Status bar: what is happening (left), then the permanent indicators (right)
        bar = self.statusBar()
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.history_controller.warning)
        bar.addPermanentWidget(self.usage.label)
        bar.addPermanentWidget(self.settings_controller.keyring_notice)
        bar.addPermanentWidget(self.local_controller.offline_toggle)
        bar.addPermanentWidget(self.local_controller.status_button)
        bar.addPermanentWidget(self.settings_controller.provider_label)

    def _build_menus(self) -> None:
        history = self.history_controller
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addAction(self.new_tab_action)
        file_menu.addAction(self.tools_controller.workspace_action)
        file_menu.addSeparator()
        file_menu.addAction(history.import_action)
        history.add_export_menu(file_menu.addMenu(self.tr("&Export")))
        file_menu.addSeparator()
        self.local_controller.add_to_menu(file_menu)
        file_menu.addSeparator()
        quit_action = file_menu.addAction(self.tr("&Quit"), self.close)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the QShortcut serves
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        edit_menu.addAction(history.search_action)
        history.search_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        history.search_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        edit_menu.addSeparator()
        edit_menu.addAction(self.settings_controller.conversation_settings_action)
        edit_menu.addAction(self.settings_controller.settings_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        view_menu.addAction(self.usage.action)
        snippets = view_menu.addAction(self.tr("&Snippets…"), self.snippets.open)
        snippets.setObjectName("snippetsAction")
        snippets.setShortcut(QKeySequence("Ctrl+Shift+S"))
        snippets.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the QShortcut serves
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.tr("&About {app}").format(app=APP_NAME), self.show_about)

        # Shortcuts that work wherever the focus is
        for keys, slot in (
            ("Esc", self._escape),
            ("Ctrl+Shift+F", history.open_search),
            ("Ctrl+W", self.tabs.close_current_tab),
            ("Ctrl+Tab", lambda: self.tabs.cycle(1)),
            ("Ctrl+Shift+Tab", lambda: self.tabs.cycle(-1)),
            ("Ctrl+PgDown", lambda: self.tabs.cycle(1)),
            ("Ctrl+PgUp", lambda: self.tabs.cycle(-1)),
            ("Ctrl+Q", self.close),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    # --- wiring ----------------------------------------------------------------------------

    def _wire(self) -> None:
        self.new_tab_action.triggered.connect(lambda: self.new_tab())
        self.composer.submitted.connect(self._on_submit)
        self.composer.refused.connect(self._say)
        self.send_button.clicked.connect(self.composer.submit)
        self.stop_button.clicked.connect(self.stop_current)
        self.tabs.tabOpened.connect(self._wire_tab)
        self.tabs.currentTabChanged.connect(self._on_tab_changed)
        for controller in (
            self.history_controller,
            self.local_controller,
            self.settings_controller,
        ):
            controller.statusText.connect(self.status_label.setText)
        for controller in (self.local_controller, self.settings_controller):
            controller.barMessage.connect(self.statusBar().showMessage)
        self.settings_controller.sendAgain.connect(self._on_submit)
        self.run_controller.fixRequested.connect(self._on_submit)
        self.run_controller.statusText.connect(self.status_label.setText)
        self.settings_controller.localModelChosen.connect(
            lambda: self.local_controller.open_dialog()
        )

    def _wire_tab(self, tab: ChatTab) -> None:
        local = self.local_controller
        tab.view.offers_local = local.offers_local
        tab.switchLocalRequested.connect(lambda: local.switch_to_local(tab))
        tab.switchPaidRequested.connect(self._use_paid_glm4)
        tab.answerFinished.connect(lambda message: self._on_answer_finished(tab, message))
        tab.conversationChanged.connect(self.history_controller.refresh_sidebar)
        tab.branchShown.connect(
            lambda: tab is self.tabs.current_tab() and self._refresh_code_pane()
        )
        tab.busyChanged.connect(lambda _busy: tab is self.tabs.current_tab() and self._show_busy())
        tab.statusChanged.connect(
            lambda text: tab is self.tabs.current_tab() and self.status_label.setText(text)
        )
        tab.notice.connect(self.status_label.setText)
        tab.editStarted.connect(self._on_edit_started)
        tab.editEnded.connect(self.edit_banner.hide)
        tab.openInCodePane.connect(self.open_in_code_pane)
        tab.runInCodePane.connect(self.run_in_code_pane)

    # --- tabs --------------------------------------------------------------------------

    def current_tab(self) -> ChatTab | None:
        return self.tabs.current_tab()

    def current_view(self) -> ChatView | None:
        tab = self.tabs.current_tab()
        return tab.view if tab is not None else None

    def new_tab(self) -> ChatTab:
        tab = self.tabs.new_tab()
        self.composer.setFocus()
        return tab

    def _on_tab_changed(self, tab: ChatTab | None) -> None:
        if tab is None:
            return
        # Drafts belong to their conversation: the composer shows the current tab's.
        owner = self._draft_tab
        if owner is not tab:
            if owner is not None and not owner.closed:
                owner.end_edit()
                owner.draft = self.composer.toPlainText()
            self.composer.setPlainText(tab.draft)
            self.composer.moveCursor(QTextCursor.MoveOperation.End)
            self._draft_tab = tab
        self._show_busy()
        self.status_label.setText(tab.status)
        self._refresh_code_pane()

    # --- chatting ----------------------------------------------------------------------

    def _on_submit(self, text: str, fixes: str = "") -> None:
        """Send the composer's text (or Fix it's request, which names the block it fixes)."""
        tab = self.tabs.current_tab()
        if tab is None or tab.busy:
            return
        if fixes:
            tab.end_edit()
        if tab.editing is None:
            if self.settings_controller.hold_until_keys(text):
                return
            if not self.settings_controller.explain_unready_provider():
                return
            if not self.usage.may_send():
                return
            if not self.context_meter.ask_before_sending(tab):
                return
        if fixes:
            tab.submit(text, fixes)
        elif tab.submit(text):
            self.composer.clear()

    def _use_paid_glm4(self) -> None:
        """The free GLM-4 is gone or used up: OpenRouter's paid listing, from now on."""
        if self.providers.select("openrouter", remember=True):
            self._say(self.tr("Now using OpenRouter's z-ai/glm-4-32b. Retry to ask again."))

    def _say(self, text: str) -> None:
        """Something the user should notice now: the status line and the status bar."""
        self.status_label.setText(text)
        self.statusBar().showMessage(text, SAY_MS)

    def _on_edit_started(self, text: str) -> None:
        self.composer.setPlainText(text)
        self.composer.moveCursor(QTextCursor.MoveOperation.End)
        self.composer.setFocus()
        self.edit_banner.setText(
            self.tr(
                "Editing your message: Enter sends it as a new version (the old one is kept "
                "and can be switched back to). Esc cancels."
            )
        )
        self.edit_banner.show()

    def _escape(self) -> None:
        tab = self.tabs.current_tab()
        if self.tools_controller.decide(Decision.DENY):
            return  # a call waited: denied (Stop still ends the whole answer)
        if self.run_controller.stop():
            return  # a snippet ran: stopped (the answer, if one streams, goes on)
        if tab is not None and tab.editing is not None:
            tab.end_edit()
            self.composer.clear()
        else:
            self.stop_current()

    def stop_current(self) -> None:
        tab = self.tabs.current_tab()
        if tab is not None:
            tab.stop()

    def _on_answer_finished(self, tab: ChatTab, message: ChatMessage) -> None:
        self.local_controller.after_answer(tab, message)
        question = tab.conversation.nodes.get(message.parent_id or "")
        if question is not None and question.fixes and tab is self.tabs.current_tab():
            self._refresh_code_pane()  # now: Fix it's new version is shown with its diff
            self.run_controller.after_answer(tab, message)
            return
        if len(message.content) > LONG_ANSWER:
            self.tasks.start(self._show_long_answer_code(tab, message))
        elif tab is self.tabs.current_tab():
            self._code_pane_timer.start()  # after the answer's last frame is painted

    async def _show_long_answer_code(self, tab: ChatTab, message: ChatMessage) -> None:
        await self.code_pane.prepare(message)  # parsed on a worker thread
        if tab is self.tabs.current_tab():
            self._code_pane_timer.start()

    def _show_busy(self) -> None:
        tab = self.tabs.current_tab()
        busy = bool(tab and tab.busy)
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    # --- the code pane -----------------------------------------------------------------

    def _refresh_code_pane(self) -> None:
        self._code_pane_timer.stop()
        tab = self.tabs.current_tab()
        self.code_pane.set_conversation(tab.conversation if tab else None)

    def open_snippet(self, conversation_id: str, message_id: str, block_index: int) -> None:
        """The snippet library's Open in code pane: its conversation, then the block."""

        async def show() -> None:
            await self.history_controller.open_stored(conversation_id, message_id)
            tab = self.tabs.current_tab()
            if tab is not None and tab.conversation.id == conversation_id:
                self.open_in_code_pane(message_id, block_index)

        self.tasks.start(show())

    def run_in_code_pane(self, message_id: str, block_index: int) -> bool:
        """A code block's Run: shown in the code pane and run there."""
        return self.open_in_code_pane(message_id, block_index) and self.run_controller.run_current()

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

    # --- start and quit ------------------------------------------------------------------

    def show_about(self) -> QDialog:
        from app.ui.about import AboutDialog  # loaded when asked for

        dialog = AboutDialog(self.history.path.parent, self)  # the profile folder
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    async def wait_stopped(self, timeout: float = 3.0) -> None:
        """After Stop: let every answer's task end (and queue its last save), and stop the
        local llama-server if one runs."""
        self.run_controller.shutdown()
        self.runs.shutdown()
        await self.tabs.wait_stopped(timeout)
        await self.local_controller.stop()
        await self.mcp.shutdown()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            # Back from the terminal: what `glm-desk ask` added shows in the sidebar.
            self.history_controller.refresh_sidebar()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Without a window manager nobody gives us focus: take it.
        self.activateWindow()
        self.composer.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.history_controller.save_session_soon()  # before Stop: the tabs as they were
        self.history_controller.close()
        self.tasks.cancel()
        self.settings_controller.save_window_state()
        self.tabs.stop_all()
        self.context_meter.stop()
        self.local_controller.begin_stop()
        self.blink.stop()
        super().closeEvent(event)
        self.closed.emit()
