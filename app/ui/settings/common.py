"""What the Settings pages (and the Welcome dialog) share: the key field, a connection
test's result in words, a muted note, the provider chooser, and where to get a key."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from app.core.providers import Provider
from app.core.redact import redact
from app.services.backend import ConnectionResult
from app.services.translation import tidy_spaces

# Where to get a key, by key entry.
KEY_PAGES = {
    "zai": "https://z.ai/manage-apikey/apikey-list",
    "bigmodel": "https://open.bigmodel.cn/usercenter/apikeys",
    "openrouter": "https://openrouter.ai/settings/keys",
}


def option_key(provider_id: str, name: str) -> str:
    """The settings key of one provider's option: providers.<id>.<name>."""
    return f"providers.{provider_id}.{name}"


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


def provider_combo(name: str, providers: Iterable[Provider]) -> QComboBox:
    """A chooser of the providers (data: the provider's id); the Providers and Generation
    pages each have one, and show the same provider."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(QCoreApplication.translate("SettingsDialog", "Provider"))
    for p in providers:
        combo.addItem(p.name, p.id)
    return combo


def escape(text: str) -> str:
    """Plain text for a rich-text label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
