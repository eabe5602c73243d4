"""The settings side of the window: the Settings, Conversation settings and welcome dialogs,
the API keys arriving from the keyring, whether the chosen provider can send (the status
bar's provider label, the keyring notice, the composer's hint), the network and appearance
settings taking effect, and the window's geometry (kept apart from the settings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QSplitter

from app.core.providers import PROVIDERS
from app.services.backend import Backend
from app.services.mcp import McpService
from app.services.providers import ProviderService
from app.services.settings import SettingsService
from app.services.translation import translated
from app.ui.composer import Composer
from app.ui.conversation_tabs import ConversationTabs

WINDOW_STATE_FILE = "window.ini"  # geometry and splitter sizes: not preferences
NOTICE_MS = 8000


class SettingsController(QObject):
    statusText = Signal(str)  # for the window's status line
    conversationSettingsChanged = Signal()  # Edit → Conversation settings was accepted
    barMessage = Signal(str, int)  # a passing message for the status bar, milliseconds
    sendAgain = Signal(str)  # a message held while the keys were read may go now
    localModelChosen = Signal()  # the welcome's "use a local model": open its window

    def __init__(
        self,
        settings: SettingsService | None,
        backend: Backend,
        providers: ProviderService,
        tabs: ConversationTabs,
        composer: Composer,
        profile: Path,
        window: QMainWindow,
    ) -> None:
        super().__init__(window)
        self.settings = settings
        self.backend = backend
        self.providers = providers
        self.tabs = tabs
        self.composer = composer
        self.profile = profile
        self.window = window
        self.dialog: QDialog | None = None
        self.mcp: McpService | None = None  # the MCP servers, for Settings → Tools
        self.keys_ready = True  # main() sets False until the stored keys are read
        self._held: str | None = None  # a message sent before the keys were read

        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.settings_action.triggered.connect(lambda: self.open_settings())
        self.conversation_settings_action = QAction(self.tr("&Conversation settings…"), self)
        self.conversation_settings_action.triggered.connect(
            lambda: self.open_conversation_settings()
        )
        self.keyring_notice = QLabel()
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setProperty("tone", "warning")
        self.keyring_notice.hide()
        self.provider_label = QLabel()
        self.provider_label.setObjectName("statusProvider")
        providers.currentChanged.connect(lambda _id: self.show_readiness())
        providers.listChanged.connect(self.show_readiness)
        if settings is not None:
            settings.changed.connect(self._on_settings_changed)
            settings.problem.connect(
                lambda text: self.barMessage.emit(translated(text), 2 * NOTICE_MS)
            )

    # --- the dialogs -------------------------------------------------------------------------

    def open_settings(self, page: str = "") -> QDialog | None:
        """The Settings dialog (raised if open); `page` "tools" shows Settings → Tools."""
        if self.settings is None:
            return None
        if self.dialog is None or not self.dialog.isVisible():
            from app.ui.settings_dialog import SettingsDialog  # loaded when asked for

            dialog = SettingsDialog(
                self.settings,
                self.backend,
                self.providers.all_providers(),
                self.window,
                mcp=self.mcp,
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda: setattr(self, "dialog", None))
            dialog.finished.connect(lambda _r: self.show_readiness())
            self.dialog = dialog
        if page == "tools":
            self.dialog.pages.setCurrentRow(self.dialog.stack.indexOf(self.dialog.tools_page))
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def open_conversation_settings(self) -> QDialog | None:
        tab = self.tabs.current_tab()
        if tab is None:
            return None
        from app.ui.conversation_settings import ConversationSettingsDialog

        provider = self.providers.current
        dialog = ConversationSettingsDialog(
            dict(tab.conversation.params),
            self.providers.conversation_defaults(provider),
            provider.max_output,
            self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            if tab.closed:
                return  # the tab was closed meanwhile
            tab.conversation.params = dialog.overrides()
            tab.session.save_fields()
            self.conversationSettingsChanged.emit()
            self.statusText.emit(
                self.tr("This conversation now uses its own settings.")
                if tab.conversation.params
                else self.tr("This conversation uses the provider's settings.")
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def maybe_welcome(self, skip: bool) -> QDialog | None:
        """The first-run welcome, unless it was done, a provider was named on the command
        line (`skip`), or a key already comes from the environment."""
        if self.settings is None or skip or self.settings.get("general.welcome_done"):
            return None
        if any(p.needs_key and self.backend.api_key(p) for p in self.providers.providers):
            return None
        from app.ui.welcome import WelcomeDialog

        dialog = WelcomeDialog(self.settings, self.backend, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(_result: int) -> None:
            choice = dialog.choice()
            self.show_readiness()
            if choice in ("zai", "openrouter", "local"):
                self.providers.select(choice)
            if choice == "local":
                self.localModelChosen.emit()
            self.composer.setFocus()

        dialog.finished.connect(done)
        dialog.open()
        return dialog

    # --- keys ----------------------------------------------------------------------------------

    def keys_loaded(self) -> None:
        """The stored keys are in: with no provider chosen before, start on the first one that
        now has a key; a message sent meanwhile goes."""
        self.keys_ready = True
        self.providers.keys_arrived()
        self.show_readiness()
        held, self._held = self._held, None
        if held is not None and self.composer.toPlainText() == held:
            self.sendAgain.emit(held)

    def hold_until_keys(self, text: str) -> bool:
        """Before sending: True (and the text is kept, to go once they are in) while the
        stored keys are still being read."""
        if self.keys_ready:
            return False
        self._held = text
        self.statusText.emit(self.tr("Reading your API keys from the keyring…"))
        return True

    def explain_unready_provider(self) -> bool:
        """Before sending: when the provider cannot work (no key), say what to do and keep
        the text. True when the message may go."""
        p = self.providers.current
        if p.needs_key and not self.backend.api_key(p) and not self.backend.offline:
            text = self.tr(
                "{provider} needs an API key. Open Settings (Ctrl+,) to add one, or choose "
                "“Local llama.cpp” in the Model list. Your message is still in the composer."
            ).format(provider=p.name)
            self.statusText.emit(text)
            self.barMessage.emit(text, NOTICE_MS)
            return False
        return True

    # --- whether the chosen provider can send ---------------------------------------------------

    def show_readiness(self) -> None:
        """The provider label, the keyring notice and the composer's hint, as things are."""
        p = self.providers.current
        key_note = ""
        if self.providers.blocked(p):
            key_note = self.tr(" · offline: not sent")
        elif p.needs_key and not self.backend.api_key(p):
            key_note = self.tr(" · no API key")
        self.provider_label.setText(f"{p.name} · {p.model}{key_note}")
        self.provider_label.setToolTip(p.base_url)
        self._show_keyring_notice()
        self.composer.setPlaceholderText(self._composer_hint())

    def _show_keyring_notice(self) -> None:
        """Shown while a key is held for this session only (no keyring to keep it)."""
        secrets = self.backend.secrets
        # Only once the keyring was probed (on a worker thread, after the first frame):
        # `available` would probe it here, on the GUI thread, before the window is painted.
        session_only = (
            secrets.probed
            and not secrets.available
            and any(secrets.cached(p.secret_id) for p in PROVIDERS.values())
        )
        if session_only:
            self.keyring_notice.setText(self.tr("Keys: this session only"))
            self.keyring_notice.setToolTip(translated(secrets.problem))
        self.keyring_notice.setVisible(session_only)

    def _composer_hint(self) -> str:
        p = self.providers.current
        if self.providers.blocked(p):
            return self.tr("Offline mode is on: choose the local model, or turn Offline mode off.")
        if p.needs_key and not self.backend.api_key(p):
            return self.tr(
                "No API key for {provider}: add one in Settings (Ctrl+,), or choose the "
                "local model in the Model list."
            ).format(provider=p.name)
        return self.tr("Ask GLM-4…  (Enter to send, Shift+Enter for a new line)")

    # --- settings taking effect ------------------------------------------------------------------

    def _on_settings_changed(self, keys: list[str]) -> None:
        assert self.settings is not None
        if "network.proxy" in keys or "network.timeout" in keys:
            self.backend.pool.configure(
                proxy=str(self.settings.get("network.proxy")),
                read_timeout=float(self.settings.get("network.timeout")),  # type: ignore[arg-type]
            )
        if "appearance.theme" in keys or "appearance.font_size" in keys:
            from PySide6.QtWidgets import QApplication

            from app.ui.theme import apply_theme

            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(
                    app,
                    str(self.settings.get("appearance.theme")),
                    int(self.settings.get("appearance.font_size")),  # type: ignore[arg-type]
                )

    # --- window geometry (not preferences) -------------------------------------------------------

    def _window_state(self) -> QSettings:
        return QSettings(str(self.profile / WINDOW_STATE_FILE), QSettings.Format.IniFormat)

    def restore_window_state(self) -> None:
        state = self._window_state()
        geometry = state.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.window.restoreGeometry(geometry)
        splitter = self.window.centralWidget()
        sizes = state.value("splitter")
        if isinstance(splitter, QSplitter) and isinstance(sizes, QByteArray):
            splitter.restoreState(sizes)

    def save_window_state(self) -> None:
        state = self._window_state()
        state.setValue("geometry", self.window.saveGeometry())
        splitter = self.window.centralWidget()
        if isinstance(splitter, QSplitter):
            state.setValue("splitter", splitter.saveState())
        state.sync()
