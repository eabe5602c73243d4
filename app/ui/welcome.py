"""The first-run welcome: paste a Z.AI or OpenRouter key (checked with a real one-token
request before it is stored in the keyring), or use a local model, or skip. Shown once."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from app.core.asyncutil import Tasks
from app.core.errors import ErrorKind
from app.core.providers import PROVIDERS, Provider
from app.core.redact import redact, remember
from app.services.backend import Backend
from app.services.settings import SettingsService
from app.services.translation import tidy_spaces, translated
from app.ui.settings_dialog import KEY_PAGES, result_text, secret_field
from app.ui.theme import set_tone

CHOICES = ("zai", "openrouter", "local", "skip")


class WelcomeDialog(QDialog):
    """objectNames: welcomeDialog, welcomeZai, welcomeOpenRouter, welcomeKeyField,
    welcomeKeyLink, welcomeKeyringNotice, welcomeResult, welcomeContinueButton,
    welcomeSaveAnywayButton, welcomeLocalButton, welcomeSkipButton."""

    def __init__(
        self, settings: SettingsService, backend: Backend, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle(self.tr("Welcome to GLM Desk"))
        self._settings = settings
        self._backend = backend
        self._choice = "skip"
        self.tasks = Tasks()  # held until they end; failures reported
        self._check: asyncio.Future[Any] | None = None

        title = QLabel(self.tr("Welcome to GLM Desk"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            self.tr(
                "GLM Desk talks to the GLM-4-32B model. To use it online, paste an API key "
                "from Z.AI or OpenRouter; or run the model on this computer, offline."
            )
        )
        intro.setWordWrap(True)

        self.zai = QRadioButton(self.tr("Z.AI: GLM-4-32B with a 128K context"))
        self.zai.setObjectName("welcomeZai")
        self.openrouter = QRadioButton(
            self.tr("OpenRouter: GLM-4-32B, and a free version with a 32K context")
        )
        self.openrouter.setObjectName("welcomeOpenRouter")
        self.zai.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.zai)
        group.addButton(self.openrouter)
        group.buttonToggled.connect(lambda _b, on: on and self._on_provider_changed())

        self.key_field = secret_field("welcomeKeyField", self.tr("API key"))
        self.key_field.setPlaceholderText(self.tr("Paste your API key"))
        self.key_field.textEdited.connect(self._on_key_edited)
        self.key_field.returnPressed.connect(self._start_check)
        self.key_link = QLabel()
        self.key_link.setObjectName("welcomeKeyLink")
        self.key_link.setOpenExternalLinks(True)
        self.key_link.setTextFormat(Qt.TextFormat.RichText)
        self.keyring_notice = QLabel()
        self.keyring_notice.setObjectName("welcomeKeyringNotice")
        self.keyring_notice.setWordWrap(True)
        self.keyring_notice.setProperty("tone", "muted")
        self.result = QLabel()
        self.result.setObjectName("welcomeResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.continue_button = QPushButton(self.tr("Check the key and start"))
        self.continue_button.setObjectName("welcomeContinueButton")
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self._start_check)
        self.save_anyway_button = QPushButton(self.tr("Save the key without checking"))
        self.save_anyway_button.setObjectName("welcomeSaveAnywayButton")
        self.save_anyway_button.hide()
        self.save_anyway_button.clicked.connect(lambda: self.tasks.start(self._finish_with_key()))
        self.local_button = QPushButton(self.tr("Use a local model (offline)…"))
        self.local_button.setObjectName("welcomeLocalButton")
        self.local_button.clicked.connect(lambda: self._finish("local"))
        self.skip_button = QPushButton(self.tr("Skip for now"))
        self.skip_button.setObjectName("welcomeSkipButton")
        self.skip_button.setAutoDefault(False)
        self.skip_button.clicked.connect(lambda: self._finish("skip"))
        later = QLabel(self.tr("You can change all of this later in Settings (Ctrl+,)."))
        later.setWordWrap(True)
        later.setProperty("tone", "muted")

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_field, 1)
        key_row.addWidget(self.continue_button)
        others = QHBoxLayout()
        others.addWidget(self.save_anyway_button)
        others.addStretch(1)
        others.addWidget(self.local_button)
        others.addWidget(self.skip_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.zai)
        layout.addWidget(self.openrouter)
        layout.addLayout(key_row)
        layout.addWidget(self.key_link)
        layout.addWidget(self.keyring_notice)
        layout.addWidget(self.result)
        layout.addSpacing(8)
        layout.addLayout(others)
        layout.addWidget(later)
        self.setMinimumWidth(600)
        self._on_provider_changed()
        self._update_keyring_notice()
        self.tasks.start(self._probe_keyring())

    # --- state ----------------------------------------------------------------------------

    def choice(self) -> str:
        """What the user chose: "zai", "openrouter", "local" or "skip"."""
        return self._choice

    def provider(self) -> Provider:
        base = PROVIDERS["zai" if self.zai.isChecked() else "openrouter"]
        return self._settings.settings.apply_to(base)

    def _on_provider_changed(self) -> None:
        self._cancel_check()
        page = KEY_PAGES[self.provider().secret_id]
        self.key_link.setText(
            self.tr('No key yet? Create one at <a href="{url}">{host}</a>.').format(
                url=page, host=page.split("/")[2]
            )
        )
        self._show_result("", "")

    def _on_key_edited(self, text: str) -> None:
        remember(text.strip())
        self.save_anyway_button.hide()
        self._show_result("", "")

    async def _probe_keyring(self) -> None:
        await self._backend.secrets.aprobe()
        if Shiboken.isValid(self):
            self._update_keyring_notice()

    def _update_keyring_notice(self) -> None:
        store = self._backend.secrets
        if store.probed and not store.available:
            self.keyring_notice.setText(translated(store.problem))
            set_tone(self.keyring_notice, "warning")
        else:
            self.keyring_notice.setText(
                self.tr("Your key is kept in the system keyring, never in a file.")
            )
            set_tone(self.keyring_notice, "muted")

    def _show_result(self, text: str, tone: str) -> None:
        self.result.setText(tidy_spaces(redact(text)))
        set_tone(self.result, tone)

    # --- checking the key ----------------------------------------------------------------------

    def _start_check(self) -> None:
        self._cancel_check()
        self._check = self.tasks.start(self.check_and_finish())

    def _cancel_check(self) -> None:
        if self._check is not None and not self._check.done():
            self._check.cancel()
            self._set_busy(False)
        self._check = None

    def _set_busy(self, busy: bool) -> None:
        self.continue_button.setEnabled(not busy)
        self.key_field.setReadOnly(busy)

    async def check_and_finish(self) -> bool:
        """Checks the pasted key with a one-token request; stores it and closes when it
        works, else says why (and offers to save it unchecked unless the key was refused)."""
        key = self.key_field.text().strip()
        p = self.provider()
        if not key:
            self._show_result(
                self.tr("Paste your {provider} API key first.").format(provider=p.name), "error"
            )
            self.key_field.setFocus()
            return False
        remember(key)
        self._show_result(
            self.tr("Checking the key with {provider}…").format(provider=p.name), "muted"
        )
        self._set_busy(True)
        try:
            result = await self._backend.test_connection(p, key)
        finally:
            if Shiboken.isValid(self):
                self._set_busy(False)
        if not Shiboken.isValid(self):
            return False
        if not result.ok:
            self._show_result(result_text(result), "error")
            refused = result.error is not None and result.error.kind == ErrorKind.AUTH
            self.save_anyway_button.setVisible(not refused)
            return False
        await self._finish_with_key()
        return True

    async def _finish_with_key(self) -> None:
        key = self.key_field.text().strip()
        if not key:
            return
        p = self.provider()
        await self._backend.secrets.aset(p.secret_id, key)
        if Shiboken.isValid(self):
            self._finish(p.id)

    def _finish(self, choice: str) -> None:
        self._choice = choice
        self.accept()

    # --- lifetime ----------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """However it closes (Esc too), the welcome has been seen: it does not come back."""
        self._cancel_check()
        values: dict[str, object] = {"general.welcome_done": True}
        if self._choice in PROVIDERS:
            values["general.provider"] = self._choice
        self._settings.apply(values)
        super().done(result)
