"""Settings → Providers: a provider's address, model id and API key, and Test connection.

The page edits what the dialog keeps pending (`edited`), and holds the keys typed or
removed here until the dialog saves them; the key field is never filled with a stored
key."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from app.core.providers import Provider
from app.core.redact import redact, remember
from app.core.settings import Value
from app.services.backend import Backend
from app.services.translation import tidy_spaces, translated
from app.ui.settings.common import note, option_key, provider_combo, result_text, secret_field
from app.ui.settings.keys import key_status
from app.ui.theme import set_tone


class ProvidersPage(QWidget):
    """objectNames: keyringNotice, providerChooser, providerEnabled, baseUrlField,
    modelField, apiKeyField, showKeyButton, removeKeyButton, keyStatus,
    testConnectionButton, testResult."""

    edited = Signal(str, object)  # the provider's option (enabled, base_url, model), value
    providerChosen = Signal(str)  # a provider's id

    def __init__(
        self, providers: Mapping[str, Provider], backend: Backend, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._providers = providers
        self._backend = backend
        self.provider = next(iter(providers.values()))  # the one shown
        self.typed_keys: dict[str, str] = {}  # key entry -> key typed here
        self.removed_keys: set[str] = set()  # key entries to delete

        self.keyring_notice = QLabel()
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setWordWrap(True)
        self.keyring_notice.setProperty("tone", "notice")
        self.keyring_notice.hide()

        self.provider_chooser = provider_combo("providerChooser", providers.values())
        self.provider_chooser.currentIndexChanged.connect(
            lambda _i: self.providerChosen.emit(self.provider_chooser.currentData())
        )
        self.enabled_box = QCheckBox(
            QCoreApplication.translate("SettingsDialog", "Offer it in the Model list")
        )
        self.enabled_box.setObjectName("providerEnabled")
        self.enabled_box.toggled.connect(lambda on: self.edited.emit("enabled", on))
        self.base_url_field = QLineEdit()
        self.base_url_field.setObjectName("baseUrlField")
        self.base_url_field.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Base URL")
        )
        self.base_url_field.textEdited.connect(lambda t: self.edited.emit("base_url", t.strip()))
        self.model_field = QLineEdit()
        self.model_field.setObjectName("modelField")
        self.model_field.setAccessibleName(QCoreApplication.translate("SettingsDialog", "Model id"))
        self.model_field.textEdited.connect(lambda t: self.edited.emit("model", t.strip()))

        self.key_field = secret_field(
            "apiKeyField", QCoreApplication.translate("SettingsDialog", "API key")
        )
        self.key_field.textEdited.connect(self._on_key_typed)
        self.show_key_button = QToolButton()
        self.show_key_button.setObjectName("showKeyButton")
        self.show_key_button.setCheckable(True)
        self.show_key_button.setText(QCoreApplication.translate("SettingsDialog", "Show"))
        self.show_key_button.setToolTip(
            QCoreApplication.translate("SettingsDialog", "Show or hide the key you typed")
        )
        self.show_key_button.toggled.connect(self._show_key)
        self.remove_key_button = QPushButton(
            QCoreApplication.translate("SettingsDialog", "Remove stored key")
        )
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

        self.test_button = QPushButton(
            QCoreApplication.translate("SettingsDialog", "Test connection")
        )
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "Sends the smallest request (one token) with the address, model and key above",
            )
        )
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)

        form = QFormLayout()
        form.addRow(
            QCoreApplication.translate("SettingsDialog", "Provider:"), self.provider_chooser
        )
        form.addRow("", self.enabled_box)
        form.addRow(QCoreApplication.translate("SettingsDialog", "Base URL:"), self.base_url_field)
        form.addRow(QCoreApplication.translate("SettingsDialog", "Model id:"), self.model_field)
        self.key_label = QLabel(QCoreApplication.translate("SettingsDialog", "API key:"))
        form.addRow(self.key_label, key_row)
        form.addRow("", self.key_status)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_notice)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addStretch(1)

    def show_provider(self, p: Provider, pending: Mapping[str, Value]) -> None:
        """Fills the fields with this provider's pending values (and a key typed for it)."""
        self.provider = p
        self.provider_chooser.setCurrentIndex(self.provider_chooser.findData(p.id))
        self.enabled_box.setChecked(bool(pending[option_key(p.id, "enabled")]))
        self.base_url_field.setText(str(pending[option_key(p.id, "base_url")]))
        self.base_url_field.setPlaceholderText(
            p.base_url
            or QCoreApplication.translate("SettingsDialog", "http://host:port/v1 (required)")
        )
        self.model_field.setText(str(pending[option_key(p.id, "model")]))
        self.model_field.setPlaceholderText(p.model)
        self.key_field.setText(self.typed_keys.get(p.secret_id, ""))

    def show_key_state(self) -> None:
        """The key's row (not for the local model: its server makes its own key), and what
        there is to know about the shown provider's key."""
        has_key_field = self.provider.id != "local"
        for w in (self.key_label, self.key_field, self.show_key_button, self.remove_key_button):
            w.setVisible(has_key_field)
        self.update_key_status()

    # --- keys ----------------------------------------------------------------------------------

    def _key_for(self, p: Provider) -> str | None:
        """The key a test of `p` uses: the one typed here, else the backend's (unless the
        stored one is to be removed)."""
        key = self.typed_keys.get(p.secret_id)
        if key is None and p.secret_id not in self.removed_keys:
            key = self._backend.api_key(p)
        return key

    def keys_saved(self) -> None:
        """The keys typed and removed here are in the secret store now."""
        self.typed_keys.clear()
        self.removed_keys.clear()
        self.key_field.clear()
        self.update_keyring_notice()
        self.update_key_status()

    def _on_key_typed(self, text: str) -> None:
        entry = self.provider.secret_id
        key = text.strip()
        if key:
            remember(key)
            self.typed_keys[entry] = key
            self.removed_keys.discard(entry)
        else:
            self.typed_keys.pop(entry, None)
        self.update_key_status()

    def _show_key(self, shown: bool) -> None:
        self.key_field.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key_button.setText(
            QCoreApplication.translate("SettingsDialog", "Hide")
            if shown
            else QCoreApplication.translate("SettingsDialog", "Show")
        )

    def _remove_key(self) -> None:
        entry = self.provider.secret_id
        self.typed_keys.pop(entry, None)
        self.removed_keys.add(entry)
        self.key_field.clear()
        self.update_key_status()

    def _stored_key(self, p: Provider) -> str | None:
        if p.secret_id in self.removed_keys:
            return None
        return self._backend.secrets.cached(p.secret_id)

    def update_key_status(self) -> None:
        """Says where the shown provider's key comes from, and where to get one."""
        p = self.provider
        stored = self._stored_key(p) is not None
        self.remove_key_button.setEnabled(stored)
        self.key_status.setText(
            key_status(
                p,
                self._backend,
                typed=p.secret_id in self.typed_keys,
                removed=p.secret_id in self.removed_keys,
                stored=stored,
            )
        )

    async def probe_keyring(self) -> None:
        """Finds out whether the keyring works and loads the stored keys, then says so."""
        # Both may touch D-Bus: off the GUI thread.
        await self._backend.secrets.aprobe()
        await self._backend.load_keys({p.secret_id for p in self._providers.values()})
        if Shiboken.isValid(self):
            self.update_keyring_notice()
            self.update_key_status()

    def update_keyring_notice(self) -> None:
        """Says why keys are kept for this session only, once the keyring is known to fail."""
        store = self._backend.secrets
        if store.probed and not store.available:
            self.keyring_notice.setText(translated(store.problem))
            self.keyring_notice.show()
        else:
            self.keyring_notice.hide()

    # --- test connection -----------------------------------------------------------------------

    async def test_connection(self, p: Provider, problem: str | None) -> None:
        """Makes the smallest request to `p` (the provider as typed) with the key typed or
        stored, unless `problem` (a wrong address or model id) stands in the way; says how
        it went beside the button."""
        key = self._key_for(p)
        if problem:
            self.show_result(
                QCoreApplication.translate("SettingsDialog", "Fix the address or model id first."),
                "error",
            )
            return
        if not p.base_url:
            self.show_result(
                QCoreApplication.translate("SettingsDialog", "Enter the server's base URL first."),
                "error",
            )
            return
        if p.needs_key and not key:
            self.show_result(
                QCoreApplication.translate("SettingsDialog", "Enter an API key first."), "error"
            )
            return
        testing = QCoreApplication.translate("SettingsDialog", "Testing {provider}…")
        self.show_result(testing.format(provider=p.name), "muted")
        self.test_button.setEnabled(False)
        try:
            result = await self._backend.test_connection(p, key)
        finally:
            if Shiboken.isValid(self):
                self.test_button.setEnabled(True)
        if not Shiboken.isValid(self):
            return
        self.show_result(result_text(result), "success" if result.ok else "error")

    def show_result(self, text: str, tone: str) -> None:
        """A connection test's progress or result, beside its button; never a key."""
        self.test_result.setText(tidy_spaces(redact(text)))
        set_tone(self.test_result, tone)
