"""The Settings dialog (Ctrl+,): providers and their keys, generation, network, appearance
and language.

Every value is edited in a pending copy of the settings and checked with the registry's own
rules as it is typed; OK and Apply stay disabled while one is wrong, and the message says
which. Keys typed here go to the secret store (the keyring) on OK or Apply, on a worker
thread; the key field is never filled with a stored key. "Test connection" makes the
smallest real request with what is typed, and says what happened in words."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from app.core.asyncutil import spawn
from app.core.providers import PROVIDERS, Provider
from app.core.redact import redact, remember
from app.core.settings import REGISTRY, Value
from app.services.backend import Backend, ConnectionResult
from app.services.settings import SettingsService
from app.services.translation import exception_text, tidy_spaces, translated
from app.ui.conversation_settings import generation_spin_boxes
from app.ui.theme import set_style_property, set_tone

# Where to get a key, by key entry.
KEY_PAGES = {
    "zai": "https://z.ai/manage-apikey/apikey-list",
    "bigmodel": "https://open.bigmodel.cn/usercenter/apikeys",
    "openrouter": "https://openrouter.ai/settings/keys",
}


def secret_field(name: str, accessible_name: str) -> QLineEdit:
    """A field for an API key: what is typed is hidden, and an input method neither
    predicts nor remembers it."""
    field = QLineEdit()
    field.setObjectName(name)
    field.setAccessibleName(accessible_name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhHiddenText
        | Qt.InputMethodHint.ImhNoPredictiveText
        | Qt.InputMethodHint.ImhSensitiveData
    )
    return field


def result_text(result: ConnectionResult) -> str:
    """A connection test's result in words, with what the server said; never a key."""
    text = result.message
    if result.error is not None and result.error.detail:
        said = QCoreApplication.translate("SettingsDialog", "(server said: {detail})")
        text += " " + said.format(detail=result.error.detail)
    return tidy_spaces(redact(text))


def note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("tone", "muted")
    return label


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
        self._typed_keys: dict[str, str] = {}  # key entry -> key typed here
        self._removed_keys: set[str] = set()  # key entries to delete
        self._current = next(iter(self._providers))
        self._loading = False  # fields being filled: not an edit
        self._tasks: set[asyncio.Future[Any]] = set()
        self._test: asyncio.Future[Any] | None = None
        self._saving = False

        self.pages = QListWidget()
        self.pages.setObjectName("settingsPages")
        self.pages.setAccessibleName(self.tr("Settings pages"))
        self.stack = QStackedWidget()
        self.stack.setObjectName("settingsStack")
        for title, page in (
            (self.tr("Providers"), self._providers_page()),
            (self.tr("Generation"), self._generation_page()),
            (self.tr("Network"), self._network_page()),
            (self.tr("Appearance"), self._appearance_page()),
            (self.tr("Language"), self._language_page()),
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
        self.ok_button.clicked.connect(lambda: self._spawn(self.save(close=True)))
        self.apply_button.clicked.connect(lambda: self._spawn(self.save(close=False)))
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
        self._update_keyring_notice()
        self._update_buttons()
        self._spawn(self._probe_keyring())

    # --- pages -----------------------------------------------------------------------------

    def _providers_page(self) -> QWidget:
        page = QWidget()
        self.keyring_notice = QLabel()
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setWordWrap(True)
        self.keyring_notice.setProperty("tone", "notice")
        self.keyring_notice.hide()

        self.provider_chooser = self._provider_combo("providerChooser")
        self.enabled_box = QCheckBox(self.tr("Offer it in the Model list"))
        self.enabled_box.setObjectName("providerEnabled")
        self.enabled_box.toggled.connect(lambda on: self._edit("enabled", on))
        self.base_url_field = QLineEdit()
        self.base_url_field.setObjectName("baseUrlField")
        self.base_url_field.setAccessibleName(self.tr("Base URL"))
        self.base_url_field.textEdited.connect(lambda t: self._edit("base_url", t.strip()))
        self.model_field = QLineEdit()
        self.model_field.setObjectName("modelField")
        self.model_field.setAccessibleName(self.tr("Model id"))
        self.model_field.textEdited.connect(lambda t: self._edit("model", t.strip()))

        self.key_field = secret_field("apiKeyField", self.tr("API key"))
        self.key_field.textEdited.connect(self._on_key_typed)
        self.show_key_button = QToolButton()
        self.show_key_button.setObjectName("showKeyButton")
        self.show_key_button.setCheckable(True)
        self.show_key_button.setText(self.tr("Show"))
        self.show_key_button.setToolTip(self.tr("Show or hide the key you typed"))
        self.show_key_button.toggled.connect(self._show_key)
        self.remove_key_button = QPushButton(self.tr("Remove stored key"))
        self.remove_key_button.setObjectName("removeKeyButton")
        self.remove_key_button.clicked.connect(self._remove_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_field, 1)
        key_row.addWidget(self.show_key_button)
        key_row.addWidget(self.remove_key_button)
        self.key_status = note()
        self.key_status.setObjectName("keyStatus")
        self.key_status.setTextFormat(Qt.TextFormat.RichText)
        self.key_status.setOpenExternalLinks(True)

        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.setToolTip(
            self.tr("Sends the smallest request (one token) with the address, model and key above")
        )
        self.test_button.clicked.connect(self._start_test)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)

        form = QFormLayout()
        form.addRow(self.tr("Provider:"), self.provider_chooser)
        form.addRow("", self.enabled_box)
        form.addRow(self.tr("Base URL:"), self.base_url_field)
        form.addRow(self.tr("Model id:"), self.model_field)
        self.key_label = QLabel(self.tr("API key:"))
        form.addRow(self.key_label, key_row)
        form.addRow("", self.key_status)
        layout = QVBoxLayout(page)
        layout.addWidget(self.keyring_notice)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addStretch(1)
        return page

    def _provider_combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(self.tr("Provider"))
        for p in self._providers.values():
            combo.addItem(p.name, p.id)
        combo.currentIndexChanged.connect(lambda _i: self.select_provider(combo.currentData()))
        return combo

    def _generation_page(self) -> QWidget:
        page = QWidget()
        self.generation_provider = self._provider_combo("generationProvider")
        self.temperature_field, self.top_p_field, self.max_tokens_field = generation_spin_boxes(
            "temperatureField", "topPField", "maxTokensField"
        )
        self.temperature_field.valueChanged.connect(lambda v: self._edit("temperature", v))
        self.top_p_field.valueChanged.connect(lambda v: self._edit("top_p", v))
        self.max_tokens_field.valueChanged.connect(lambda v: self._edit("max_tokens", v))
        self.system_prompt_field = QPlainTextEdit()
        self.system_prompt_field.setObjectName("systemPromptField")
        self.system_prompt_field.setAccessibleName(self.tr("System prompt"))
        self.system_prompt_field.setPlaceholderText(
            self.tr("Optional: instructions sent before every conversation")
        )
        self.system_prompt_field.textChanged.connect(
            lambda: self._edit("system_prompt", self.system_prompt_field.toPlainText())
        )
        self.reset_generation_button = QPushButton(self.tr("Restore defaults"))
        self.reset_generation_button.setObjectName("resetGenerationButton")
        self.reset_generation_button.clicked.connect(self._reset_generation)
        self.max_tokens_note = note()

        form = QFormLayout()
        form.addRow(self.tr("Provider:"), self.generation_provider)
        form.addRow(self.tr("Temperature:"), self.temperature_field)
        form.addRow(self.tr("Top p:"), self.top_p_field)
        form.addRow(self.tr("Maximum answer length:"), self.max_tokens_field)
        form.addRow("", self.max_tokens_note)
        form.addRow(self.tr("System prompt:"), self.system_prompt_field)
        layout = QVBoxLayout(page)
        layout.addLayout(form, 1)
        layout.addWidget(
            note(self.tr("A conversation can have its own values: Edit → Conversation settings."))
        )
        layout.addWidget(self.reset_generation_button, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    def _network_page(self) -> QWidget:
        page = QWidget()
        self.proxy_field = QLineEdit(str(self._pending["network.proxy"]))
        self.proxy_field.setObjectName("proxyField")
        self.proxy_field.setAccessibleName(self.tr("HTTP proxy"))
        self.proxy_field.setPlaceholderText(self.tr("The system's proxy settings"))
        self.proxy_field.textEdited.connect(lambda t: self._edit_global("network.proxy", t.strip()))
        self.timeout_field = QSpinBox()
        self.timeout_field.setObjectName("timeoutField")
        self.timeout_field.setRange(5, 600)
        self.timeout_field.setSuffix(self.tr(" s"))
        self.timeout_field.setValue(round(float(self._pending["network.timeout"])))  # type: ignore[arg-type]
        self.timeout_field.valueChanged.connect(
            lambda v: self._edit_global("network.timeout", float(v))
        )
        form = QFormLayout()
        form.addRow(self.tr("HTTP proxy:"), self.proxy_field)
        form.addRow(
            "",
            note(
                self.tr(
                    "For example http://proxy.example:3128. Empty: the system's settings. "
                    "Never used for this machine (localhost, 127.0.0.1), so the local model "
                    "always works."
                )
            ),
        )
        form.addRow(self.tr("Request timeout:"), self.timeout_field)
        form.addRow(
            "",
            note(self.tr("How long to wait for the server to send anything before giving up.")),
        )
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _appearance_page(self) -> QWidget:
        page = QWidget()
        self.theme_combo = QComboBox()
        self.theme_combo.setObjectName("themeCombo")
        self.theme_combo.setAccessibleName(self.tr("Theme"))
        for text, value in (
            (self.tr("Follow the system"), "system"),
            (self.tr("Light"), "light"),
            (self.tr("Dark"), "dark"),
        ):
            self.theme_combo.addItem(text, value)
        self.theme_combo.setCurrentIndex(
            max(0, self.theme_combo.findData(self._pending["appearance.theme"]))
        )
        self.theme_combo.currentIndexChanged.connect(
            lambda _i: self._edit_global("appearance.theme", self.theme_combo.currentData())
        )
        self.font_size_field = QSpinBox()
        self.font_size_field.setObjectName("fontSizeField")
        self.font_size_field.setRange(0, 32)
        self.font_size_field.setSpecialValueText(self.tr("System size"))
        self.font_size_field.setSuffix(self.tr(" pt"))
        self.font_size_field.setValue(int(self._pending["appearance.font_size"]))
        self.font_size_field.valueChanged.connect(
            lambda v: self._edit_global("appearance.font_size", v)
        )
        form = QFormLayout()
        form.addRow(self.tr("Theme:"), self.theme_combo)
        form.addRow(self.tr("Font size:"), self.font_size_field)
        form.addRow(
            "", note(self.tr("Code colours follow the theme. Font size 0: the system's size."))
        )
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _language_page(self) -> QWidget:
        page = QWidget()
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.setAccessibleName(self.tr("Language"))
        for text, value in (
            (self.tr("Follow the system"), "system"),
            ("English", "en"),
            ("简体中文", "zh_CN"),
        ):
            self.language_combo.addItem(text, value)
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(self._pending["language"]))
        )
        self.language_combo.currentIndexChanged.connect(
            lambda _i: self._edit_global("language", self.language_combo.currentData())
        )
        form = QFormLayout()
        form.addRow(self.tr("Language:"), self.language_combo)
        form.addRow("", note(self.tr("A new language shows after a restart of GLM Desk.")))
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    # --- the provider shown ----------------------------------------------------------------

    def select_provider(self, provider_id: str) -> None:
        """Shows this provider's settings on the Providers and Generation pages."""
        if provider_id not in self._providers or provider_id == self._current:
            return
        self._cancel_test()
        self.test_result.clear()
        self._current = provider_id
        self._load_provider(provider_id)

    def _key(self, name: str, provider_id: str | None = None) -> str:
        return f"providers.{provider_id or self._current}.{name}"

    def _load_provider(self, provider_id: str) -> None:
        p = self._providers[provider_id]
        self._loading = True
        try:
            for combo in (self.provider_chooser, self.generation_provider):
                combo.setCurrentIndex(combo.findData(provider_id))
            self.enabled_box.setChecked(bool(self._pending[self._key("enabled")]))
            self.base_url_field.setText(str(self._pending[self._key("base_url")]))
            self.base_url_field.setPlaceholderText(
                p.base_url or self.tr("http://host:port/v1 (required)")
            )
            self.model_field.setText(str(self._pending[self._key("model")]))
            self.model_field.setPlaceholderText(p.model)
            self.key_field.setText(self._typed_keys.get(p.secret_id, ""))
            self.temperature_field.setValue(float(self._pending[self._key("temperature")]))
            self.top_p_field.setValue(float(self._pending[self._key("top_p")]))
            self.max_tokens_field.setRange(0, p.max_output)
            self.max_tokens_field.setValue(int(self._pending[self._key("max_tokens")]))
            self.max_tokens_note.setText(
                self.tr("In tokens, up to {limit} for {provider}.").format(
                    limit=f"{p.max_output:,}", provider=p.name
                )
            )
            prompt = str(self._pending[self._key("system_prompt")])
            if self.system_prompt_field.toPlainText() != prompt:
                self.system_prompt_field.setPlainText(prompt)
        finally:
            self._loading = False
        has_key_field = p.id != "local"
        for w in (self.key_label, self.key_field, self.show_key_button, self.remove_key_button):
            w.setVisible(has_key_field)
        self._update_key_status()
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
        }
        if key.startswith("providers."):
            _, provider_id, name = key.split(".", 2)
            return self.tr("{provider}, {field}").format(
                provider=PROVIDERS[provider_id].name, field=names.get(name, name)
            )
        return names.get(key, key)

    def _show_errors(self) -> None:
        bad = {self._key("base_url"): self.base_url_field, self._key("model"): self.model_field}
        bad["network.proxy"] = self.proxy_field
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

    # --- keys ----------------------------------------------------------------------------------

    def _on_key_typed(self, text: str) -> None:
        entry = self._providers[self._current].secret_id
        key = text.strip()
        if key:
            remember(key)
            self._typed_keys[entry] = key
            self._removed_keys.discard(entry)
        else:
            self._typed_keys.pop(entry, None)
        self._update_key_status()

    def _show_key(self, shown: bool) -> None:
        self.key_field.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key_button.setText(self.tr("Hide") if shown else self.tr("Show"))

    def _remove_key(self) -> None:
        entry = self._providers[self._current].secret_id
        self._typed_keys.pop(entry, None)
        self._removed_keys.add(entry)
        self.key_field.clear()
        self._update_key_status()

    def _stored_key(self, p: Provider) -> str | None:
        if p.secret_id in self._removed_keys:
            return None
        return self._backend.secrets.cached(p.secret_id)

    def _update_key_status(self) -> None:
        p = self._providers[self._current]
        entry = p.secret_id
        store = self._backend.secrets
        origin = self._backend.key_origin(p)
        stored = self._stored_key(p) is not None
        self.remove_key_button.setEnabled(stored)
        parts: list[str] = []
        if p.id == "local":
            parts.append(
                self.tr(
                    "The server GLM Desk starts makes its own key for each session; "
                    "nothing to enter."
                )
            )
        elif entry in self._typed_keys:
            if store.available:
                parts.append(self.tr("The new key goes to the keyring when you press OK or Apply."))
            else:
                parts.append(
                    self.tr("The new key is kept for this session only when you press OK or Apply.")
                )
        elif entry in self._removed_keys:
            parts.append(self.tr("The stored key is removed when you press OK or Apply."))
        elif origin not in ("", "stored", "session"):
            parts.append(
                self.tr(
                    "Using the key from the {variable} environment variable, for this session "
                    "(it is never stored). It comes before a key saved here."
                ).format(variable=origin)
            )
        elif stored and store.available:
            parts.append(self.tr("A key is stored in the keyring."))
        elif stored:
            parts.append(self.tr("A key is held for this session only."))
        elif not p.needs_key:
            parts.append(self.tr("Optional: only if your server asks for a key."))
        else:
            parts.append(self.tr("No key yet: paste yours above."))
        page = KEY_PAGES.get(entry)
        if page and p.id != "local":
            parts.append(
                self.tr('Get a key at <a href="{url}">{host}</a>.').format(
                    url=page, host=page.split("/")[2]
                )
            )
        self.key_status.setText(
            tidy_spaces(" ".join(_escape(t) if "<a " not in t else t for t in parts))
        )

    async def _probe_keyring(self) -> None:
        # Both may touch D-Bus: off the GUI thread.
        await self._backend.secrets.aprobe()
        await self._backend.load_keys({p.secret_id for p in self._providers.values()})
        if Shiboken.isValid(self):
            self._update_keyring_notice()
            self._update_key_status()

    def _update_keyring_notice(self) -> None:
        store = self._backend.secrets
        if store.probed and not store.available:
            self.keyring_notice.setText(translated(store.problem))
            self.keyring_notice.show()
        else:
            self.keyring_notice.hide()

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
        self._test = self._spawn(self.test_connection())

    async def test_connection(self) -> None:
        p = self.provider_as_typed()
        problem = self._errors.get(self._key("base_url")) or self._errors.get(self._key("model"))
        key = self._typed_keys.get(p.secret_id)
        if key is None and p.secret_id not in self._removed_keys:
            key = self._backend.api_key(p)
        if problem:
            self._show_result(self.tr("Fix the address or model id first."), "error")
            return
        if not p.base_url:
            self._show_result(self.tr("Enter the server's base URL first."), "error")
            return
        if p.needs_key and not key:
            self._show_result(self.tr("Enter an API key first."), "error")
            return
        self._show_result(self.tr("Testing {provider}…").format(provider=p.name), "muted")
        self.test_button.setEnabled(False)
        try:
            result = await self._backend.test_connection(p, key)
        finally:
            if Shiboken.isValid(self):
                self.test_button.setEnabled(True)
        if not Shiboken.isValid(self):
            return
        self._show_result(result_text(result), "success" if result.ok else "error")

    def _show_result(self, text: str, tone: str) -> None:
        self.test_result.setText(tidy_spaces(redact(text)))
        set_tone(self.test_result, tone)

    def _cancel_test(self) -> None:
        if self._test is not None and not self._test.done():
            self._test.cancel()
            self.test_button.setEnabled(True)
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
        typed, removed = dict(self._typed_keys), set(self._removed_keys)
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
        self._typed_keys.clear()
        self._removed_keys.clear()
        self.key_field.clear()
        self._update_keyring_notice()
        self._update_key_status()
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

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        return spawn(coro, self._tasks)

    def done(self, result: int) -> None:
        self._cancel_test()  # a key being saved is not cancelled
        super().done(result)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
