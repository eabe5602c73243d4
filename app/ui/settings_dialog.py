"""The Settings dialog (Ctrl+,): providers and their keys, generation, network, appearance
and language, one page each (app/ui/settings/).

Every value is edited in a pending copy of the settings and checked with the registry's own
rules as it is typed; OK and Apply stay disabled while one is wrong, and the message says
which. Keys typed here go to the secret store (the keyring) on OK or Apply, on a worker
thread; the key field is never filled with a stored key. "Test connection" makes the
smallest real request with what is typed, and says what happened in words."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from app.core.asyncutil import Tasks
from app.core.providers import PROVIDERS, Provider
from app.core.settings import REGISTRY, Value
from app.services.backend import Backend
from app.services.mcp import McpService
from app.services.settings import SettingsService
from app.services.translation import exception_text
from app.ui.settings.appearance import AppearancePage
from app.ui.settings.common import KEY_PAGES, note, option_key, result_text, secret_field
from app.ui.settings.generation import GenerationPage
from app.ui.settings.language import LanguagePage
from app.ui.settings.network import NetworkPage
from app.ui.settings.providers import ProvidersPage
from app.ui.settings.runner import RunnerPage
from app.ui.settings.tools import ToolsPage
from app.ui.theme import set_style_property, set_tone

# Imported from here by the Welcome dialog (and before the pages had their own modules).
__all__ = ["KEY_PAGES", "SettingsDialog", "note", "result_text", "secret_field"]


class SettingsDialog(QDialog):
    """Settings, in pages. Public objectNames (see the README): settingsDialog,
    settingsPages, providerChooser, providerEnabled, baseUrlField, modelField, apiKeyField,
    showKeyButton, removeKeyButton, keyStatus, testConnectionButton, testResult,
    keyringNotice, generationProvider, temperatureField, topPField, maxTokensField,
    systemPromptField, resetGenerationButton, proxyField, timeoutField, themeCombo,
    fontSizeField, languageCombo, settingsMessage."""

    def __init__(
        self,
        settings: SettingsService,
        backend: Backend,
        providers: list[Provider],
        parent: QWidget | None = None,
        mcp: McpService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self._backend = backend
        self._providers = {p.id: PROVIDERS[p.id] for p in providers if p.id in PROVIDERS}
        if not self._providers:
            self._providers = dict(PROVIDERS)
        self._pending: dict[str, Value] = settings.settings.snapshot()
        self._errors: dict[str, str] = {}  # option key -> problem
        self._current = next(iter(self._providers))
        self._loading = False  # fields being filled: not an edit
        self.tasks = Tasks()  # held until they end; failures reported
        self._test: asyncio.Future[Any] | None = None
        self._saving = False

        self.providers_page = ProvidersPage(self._providers, backend)
        self.providers_page.test_button.clicked.connect(self._start_test)
        self.base_url_field = self.providers_page.base_url_field  # as before the pages
        self.generation_page = GenerationPage(self._providers)
        self.generation_page.reset_generation_button.clicked.connect(self._reset_generation)
        for provider_page in (self.providers_page, self.generation_page):
            provider_page.edited.connect(self._edit)
            provider_page.providerChosen.connect(self.select_provider)
        self.network_page = NetworkPage(self._pending)
        self.appearance_page = AppearancePage(self._pending)
        self.language_page = LanguagePage(self._pending)
        self.tools_page = ToolsPage(self._pending, mcp)
        self.runner_page = RunnerPage(self._pending)
        for page in (
            self.network_page,
            self.appearance_page,
            self.language_page,
            self.tools_page,
            self.runner_page,
        ):
            page.edited.connect(self._edit_global)

        self.pages = QListWidget()
        self.pages.setObjectName("settingsPages")
        self.pages.setAccessibleName(self.tr("Settings pages"))
        self.stack = QStackedWidget()
        self.stack.setObjectName("settingsStack")
        for title, page in (
            (self.tr("Providers"), self.providers_page),
            (self.tr("Generation"), self.generation_page),
            (self.tr("Network"), self.network_page),
            (self.tr("Appearance"), self.appearance_page),
            (self.tr("Language"), self.language_page),
            (self.tr("Tools"), self.tools_page),
            (self.tr("Runner"), self.runner_page),
        ):
            self.pages.addItem(title)
            self.stack.addWidget(page)
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.pages.setCurrentRow(0)
        width = max(self.pages.sizeHintForColumn(0), 80) + 24
        self.pages.setFixedWidth(width)

        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.ok_button.clicked.connect(lambda: self.tasks.start(self.save(close=True)))
        self.apply_button.clicked.connect(lambda: self.tasks.start(self.save(close=False)))
        self.buttons.rejected.connect(self.reject)

        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(720, 520)

        self._load_provider(self._current)
        self.providers_page.update_keyring_notice()
        self._update_buttons()
        self.tasks.start(self.providers_page.probe_keyring())

    # --- the provider shown ----------------------------------------------------------------

    def select_provider(self, provider_id: str) -> None:
        """Shows this provider's settings on the Providers and Generation pages."""
        if provider_id not in self._providers or provider_id == self._current:
            return
        self._cancel_test()
        self.providers_page.test_result.clear()
        self._current = provider_id
        self._load_provider(provider_id)

    def _key(self, name: str, provider_id: str | None = None) -> str:
        return option_key(provider_id or self._current, name)

    def _load_provider(self, provider_id: str) -> None:
        p = self._providers[provider_id]
        self._loading = True
        try:
            self.providers_page.show_provider(p, self._pending)
            self.generation_page.show_provider(p, self._pending)
        finally:
            self._loading = False
        self.providers_page.show_key_state()
        self._show_errors()

    # --- edits -------------------------------------------------------------------------------

    def _edit(self, name: str, value: Value) -> None:
        if not self._loading:
            self._edit_global(self._key(name), value)

    def _edit_global(self, key: str, value: Value) -> None:
        if self._loading:
            return
        if isinstance(value, float):
            value = round(value, 4)
        self._pending[key] = value
        try:
            self._pending[key] = REGISTRY[key].validate(value)
            self._errors.pop(key, None)
        except ValueError as e:
            self._errors[key] = exception_text(e)
        self._show_errors()

    def _field_name(self, key: str) -> str:
        names = {
            "base_url": self.tr("Base URL"),
            "model": self.tr("Model id"),
            "temperature": self.tr("Temperature"),
            "top_p": self.tr("Top p"),
            "max_tokens": self.tr("Maximum answer length"),
            "system_prompt": self.tr("System prompt"),
            "network.proxy": self.tr("HTTP proxy"),
            "network.timeout": self.tr("Request timeout"),
            "tools.max_rounds": self.tr("Tool rounds per answer"),
            "tools.mcp_timeout": self.tr("MCP call timeout"),
        }
        if key.startswith("providers."):
            _, provider_id, name = key.split(".", 2)
            return self.tr("{provider}, {field}").format(
                provider=PROVIDERS[provider_id].name, field=names.get(name, name)
            )
        return names.get(key, key)

    def _show_errors(self) -> None:
        bad = {
            self._key("base_url"): self.providers_page.base_url_field,
            self._key("model"): self.providers_page.model_field,
            "network.proxy": self.network_page.proxy_field,
        }
        for key, field in bad.items():
            set_style_property(field, "invalid", key in self._errors)
            field.setToolTip(self._errors.get(key, ""))
        if self._errors:
            key, problem = next(iter(self._errors.items()))
            self.message.setText(
                self.tr("{field}: {problem}").format(field=self._field_name(key), problem=problem)
            )
            set_tone(self.message, "error")
        elif self.message.property("tone") == "error":
            self.message.clear()
            set_tone(self.message, "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        ok = not self._errors and not self._saving
        self.ok_button.setEnabled(ok)
        self.apply_button.setEnabled(ok)

    def _reset_generation(self) -> None:
        for name in ("temperature", "top_p", "max_tokens", "system_prompt"):
            key = self._key(name)
            self._pending[key] = REGISTRY[key].default
            self._errors.pop(key, None)
        self._load_provider(self._current)

    # --- test connection -----------------------------------------------------------------------

    def provider_as_typed(self) -> Provider:
        """The current provider with the base URL and model typed here."""
        p = self._providers[self._current]
        return p.with_overrides(
            base_url=str(self._pending[self._key("base_url")]) or None,
            model=str(self._pending[self._key("model")]) or None,
        )

    def _start_test(self) -> None:
        self._cancel_test()
        self._test = self.tasks.start(self.test_connection())

    async def test_connection(self) -> None:
        """Tests the current provider as typed; the Providers page says how it went."""
        problem = self._errors.get(self._key("base_url")) or self._errors.get(self._key("model"))
        await self.providers_page.test_connection(self.provider_as_typed(), problem)

    def _cancel_test(self) -> None:
        if self._test is not None and not self._test.done():
            self._test.cancel()
            self.providers_page.test_button.setEnabled(True)
        self._test = None

    # --- saving --------------------------------------------------------------------------------

    def changes(self) -> dict[str, Value]:
        """The options whose value differs from the settings now."""
        current = self._settings.settings
        return {k: v for k, v in self._pending.items() if current.get(k) != v}

    async def save(self, close: bool) -> bool:
        """Applies the settings, then stores or removes the keys (a worker thread); closes
        the dialog after when `close`. False (and a message) when something is wrong."""
        if self._errors or self._saving:
            return False
        changes = self.changes()
        try:
            changed = self._settings.apply(changes)
        except ValueError as e:
            self.message.setText(self.tr("Not saved: {problem}").format(problem=exception_text(e)))
            set_tone(self.message, "error")
            return False
        typed = dict(self.providers_page.typed_keys)
        removed = set(self.providers_page.removed_keys)
        self._saving = True
        self._update_buttons()
        if typed or removed:
            self.message.setText(self.tr("Saving…"))
            set_tone(self.message, "muted")
        try:
            store = self._backend.secrets
            for entry in removed:
                await store.adelete(entry)
            for entry, key in typed.items():
                await store.aset(entry, key)
        finally:
            if Shiboken.isValid(self):
                self._saving = False
                self._update_buttons()
        if not Shiboken.isValid(self):
            return True
        self.providers_page.keys_saved()
        if close:
            self.accept()
            return True
        if "language" in changed:
            self.message.setText(self.tr("Saved. Restart GLM Desk to see the new language."))
        else:
            self.message.setText(self.tr("Saved."))
        set_tone(self.message, "success")
        return True

    # --- lifetime ----------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._cancel_test()  # a key being saved is not cancelled
        super().done(result)
