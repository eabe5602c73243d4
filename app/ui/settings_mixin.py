"""The main window's side of settings: the providers the settings enable, generation
settings for each request, the Settings, Conversation settings and Welcome dialogs, the
keyring notice, and the window's geometry (kept apart from the settings). A mixin of
MainWindow, kept apart because it is one idea."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QSplitter, QStatusBar, QWidget

from app.core.asyncutil import spawn
from app.core.conversation import Conversation
from app.core.providers import PROVIDERS, GenerationParams, Provider
from app.services.backend import Backend
from app.services.chat_session import ChatSession
from app.services.history import HistoryService
from app.services.settings import SettingsService
from app.services.translation import translated

if TYPE_CHECKING:
    from app.ui.chat_view import ChatView
    from app.ui.composer import Composer

WINDOW_STATE_FILE = "window.ini"  # geometry and splitter sizes: not preferences
NOTICE_MS = 8000


def configured_providers(
    settings: SettingsService | None, cli: list[Provider], chosen: str | None = None
) -> list[Provider]:
    """The providers to offer: those the settings enable (the one named on the command line
    always), with the settings' base URL and model, under the command line's own."""
    if settings is None:
        return list(cli)
    given = {p.id: p for p in cli}
    out = []
    for base in PROVIDERS.values():
        if base.id != chosen and not settings.settings.enabled(base.id):
            continue
        p = settings.settings.apply_to(base)
        c = given.get(base.id)
        if base.id == chosen and c is not None:  # the command line's overrides win
            p = p.with_overrides(
                base_url=c.base_url if c.base_url != base.base_url else None,
                model=c.model if c.model != base.model else None,
            )
        if p.base_url:
            out.append(p)
    return out or list(cli)


class SettingsMixin:
    backend: Backend
    history: HistoryService
    providers: list[Provider]
    provider_selector: QComboBox
    composer: Composer
    status_label: QLabel
    settings: SettingsService | None
    _sessions: dict[ChatView, ChatSession]

    if TYPE_CHECKING:  # provided by MainWindow / QMainWindow

        def statusBar(self) -> QStatusBar: ...
        def centralWidget(self) -> QWidget: ...
        def current_provider(self) -> Provider: ...
        def current_session(self) -> ChatSession | None: ...
        def _update_status_provider(self) -> None: ...
        def _refresh_provider_items(self) -> None: ...
        def open_local_dialog(self) -> QDialog: ...
        def saveGeometry(self) -> QByteArray: ...
        def restoreGeometry(self, geometry: QByteArray) -> bool: ...

    def _setup_settings(self, cli_providers: list[Provider], chosen: str | None) -> None:
        self._cli_providers = list(cli_providers)
        self._chosen_provider = chosen
        self._settings_tasks: set[asyncio.Future[Any]] = set()
        self._settings_dialog: QDialog | None = None
        self.keys_ready = True  # main() sets False until the stored keys are read
        self._submit_after_keys: str | None = None
        self.settings_action = QAction(QCoreApplication.translate("MainWindow", "&Settings…"), self)  # type: ignore[arg-type]
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.settings_action.triggered.connect(lambda: self.open_settings())
        self.conversation_settings_action = QAction(
            QCoreApplication.translate("MainWindow", "&Conversation settings…"),
            self,  # type: ignore[arg-type]
        )
        self.conversation_settings_action.triggered.connect(
            lambda: self.open_conversation_settings()
        )
        self.keyring_notice = QLabel()
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setProperty("tone", "warning")
        self.keyring_notice.hide()
        if self.settings is not None:
            self.settings.changed.connect(self._on_settings_changed)
            self.settings.problem.connect(self._on_settings_problem)

    def _spawn_settings(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        return spawn(coro, self._settings_tasks)

    # --- generation settings ---------------------------------------------------------------

    def params_for(self, provider: Provider, conversation: Conversation) -> GenerationParams:
        """What a request sends: the provider's settings, then the conversation's own."""
        if self.settings is None:
            return provider.defaults
        return self.settings.settings.generation_params(provider, conversation.params)

    # --- the dialogs -------------------------------------------------------------------------

    def open_settings(self) -> QDialog | None:
        if self.settings is None:
            return None
        if self._settings_dialog is None or not self._settings_dialog.isVisible():
            from app.ui.settings_dialog import SettingsDialog  # loaded when asked for

            dialog = SettingsDialog(self.settings, self.backend, self._all_providers(), self)  # type: ignore[arg-type]
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda: setattr(self, "_settings_dialog", None))
            dialog.finished.connect(lambda _r: self._after_keys_changed())
            self._settings_dialog = dialog
        self._settings_dialog.show()
        self._settings_dialog.raise_()
        self._settings_dialog.activateWindow()
        return self._settings_dialog

    def _all_providers(self) -> list[Provider]:
        """Every provider the settings can set up, enabled or not, as configured."""
        if self.settings is None:
            return list(PROVIDERS.values())
        return [self.settings.settings.apply_to(p) for p in PROVIDERS.values()]

    def open_conversation_settings(self) -> QDialog | None:
        session = self.current_session()
        if session is None:
            return None
        from app.ui.conversation_settings import ConversationSettingsDialog

        provider = self.current_provider()
        defaults = (
            self.settings.settings.generation_params(provider)
            if self.settings is not None
            else provider.defaults
        )
        dialog = ConversationSettingsDialog(
            dict(session.conversation.params),
            defaults,
            provider.max_output,
            self,  # type: ignore[arg-type]
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            if session not in self._sessions.values():
                return  # the tab was closed meanwhile
            session.conversation.params = dialog.overrides()
            if session.conversation.nodes and self.history is not None:
                self.history.save(session.conversation, ())
            self.status_label.setText(
                QCoreApplication.translate(
                    "MainWindow", "This conversation now uses its own settings."
                )
                if session.conversation.params
                else QCoreApplication.translate(
                    "MainWindow", "This conversation uses the provider's settings."
                )
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def maybe_welcome(self, skip: bool) -> QDialog | None:
        """The first-run welcome, unless it was done, a provider was named on the command
        line (`skip`), or a key already comes from the environment."""
        if self.settings is None or skip or self.settings.get("general.welcome_done"):
            return None
        if any(p.needs_key and self.backend.api_key(p) for p in self.providers):
            return None
        from app.ui.welcome import WelcomeDialog

        dialog = WelcomeDialog(self.settings, self.backend, self)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(_result: int) -> None:
            choice = dialog.choice()
            self._after_keys_changed()
            if choice in ("zai", "openrouter"):
                self._select_provider(choice)
            elif choice == "local":
                self._select_provider("local")
                self.open_local_dialog()
            self.composer.setFocus()

        dialog.finished.connect(done)
        dialog.open()
        return dialog

    # --- reacting to changes -------------------------------------------------------------------

    def _select_provider(self, provider_id: str) -> None:
        index = self.provider_selector.findData(provider_id)
        if index >= 0:
            self.provider_selector.setCurrentIndex(index)

    def _on_settings_changed(self, keys: list[str]) -> None:
        assert self.settings is not None
        if any(k.startswith("providers.") for k in keys):
            self._rebuild_providers()
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

    def _rebuild_providers(self) -> None:
        current = self.provider_selector.currentData()
        running_local = next((p for p in self.providers if p.id == "local"), None)
        fresh = configured_providers(self.settings, self._cli_providers, self._chosen_provider)
        if running_local is not None and getattr(self, "local", None) is not None:
            if self.local.server.running:  # type: ignore[attr-defined]
                fresh = [running_local if p.id == "local" else p for p in fresh]
        self.providers[:] = fresh
        self.provider_selector.blockSignals(True)
        self.provider_selector.clear()
        for p in self.providers:
            self.provider_selector.addItem(p.label, p.id)
        found = self.provider_selector.findData(current)
        self.provider_selector.setCurrentIndex(max(0, found))
        self.provider_selector.blockSignals(False)
        self._refresh_provider_items()

    def keys_loaded(self) -> None:
        """The stored keys are in: with no provider chosen before (first start, or nothing
        named), start on the first one that now has a key; a message sent meanwhile goes."""
        self.keys_ready = True
        last = self.settings.get("general.provider") if self.settings is not None else ""
        if not last and self._chosen_provider is None:
            index = self.provider_selector.findData(self._default_provider_id())  # type: ignore[attr-defined]
            if index >= 0:
                self.provider_selector.blockSignals(True)  # not a choice to remember
                self.provider_selector.setCurrentIndex(index)
                self.provider_selector.blockSignals(False)
        self._after_keys_changed()
        pending, self._submit_after_keys = self._submit_after_keys, None
        if pending is not None and self.composer.toPlainText() == pending:
            self._on_submit(pending)  # type: ignore[attr-defined]

    def waiting_for_keys(self, text: str) -> bool:
        """Before sending: True (and the text is kept, to go once they are in) while the
        stored keys are still being read."""
        if self.keys_ready:
            return False
        self._submit_after_keys = text
        self.status_label.setText(
            QCoreApplication.translate("MainWindow", "Reading your API keys from the keyring…")
        )
        return True

    def _after_keys_changed(self) -> None:
        self._update_status_provider()
        self._update_keyring_notice()
        self._update_composer_hint()

    def _on_settings_problem(self, text: str) -> None:
        self.statusBar().showMessage(translated(text), 2 * NOTICE_MS)

    # --- the keyring notice and the composer's hint --------------------------------------

    def _update_keyring_notice(self) -> None:
        """Shown while a key is held for this session only (no keyring to keep it)."""
        secrets = self.backend.secrets
        session_only = not secrets.available and any(
            secrets.cached(p.secret_id) for p in PROVIDERS.values()
        )
        if session_only:
            self.keyring_notice.setText(
                QCoreApplication.translate("MainWindow", "Keys: this session only")
            )
            self.keyring_notice.setToolTip(translated(secrets.problem))
        self.keyring_notice.setVisible(session_only)

    def _update_composer_hint(self) -> None:
        self.composer.setPlaceholderText(self._composer_hint())

    def _composer_hint(self) -> str:
        p = self.current_provider()
        if self.backend.offline and not p.is_loopback:
            return QCoreApplication.translate(
                "MainWindow",
                "Offline mode is on: choose the local model, or turn Offline mode off.",
            )
        if p.needs_key and not self.backend.api_key(p):
            return QCoreApplication.translate(
                "MainWindow",
                "No API key for {provider}: add one in Settings (Ctrl+,), or choose the "
                "local model in the Model list.",
            ).format(provider=p.name)
        return QCoreApplication.translate(
            "MainWindow", "Ask GLM-4…  (Enter to send, Shift+Enter for a new line)"
        )

    def explain_unready_provider(self) -> bool:
        """Before sending: when the provider cannot work (no key), say what to do and keep
        the text. True when the message may go."""
        p = self.current_provider()
        if p.needs_key and not self.backend.api_key(p) and not self.backend.offline:
            text = QCoreApplication.translate(
                "MainWindow",
                "{provider} needs an API key. Open Settings (Ctrl+,) to add one, or choose "
                "“Local llama.cpp” in the Model list. Your message is still in the composer.",
            ).format(provider=p.name)
            self.status_label.setText(text)
            self.statusBar().showMessage(text, NOTICE_MS)
            return False
        return True

    # --- window geometry (not preferences) -----------------------------------------------------

    def _window_state(self) -> QSettings:
        path = self.history.path.parent / WINDOW_STATE_FILE
        return QSettings(str(path), QSettings.Format.IniFormat)

    def restore_window_state(self) -> None:
        state = self._window_state()
        geometry = state.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        splitter = self.centralWidget()
        sizes = state.value("splitter")
        if isinstance(splitter, QSplitter) and isinstance(sizes, QByteArray):
            splitter.restoreState(sizes)

    def save_window_state(self) -> None:
        state = self._window_state()
        state.setValue("geometry", self.saveGeometry())
        splitter = self.centralWidget()
        if isinstance(splitter, QSplitter):
            state.setValue("splitter", splitter.saveState())
        state.sync()
