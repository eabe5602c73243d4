"""What Settings → Providers says about a provider's API key: where the key in use comes
from, what OK or Apply does with a key typed or removed, and where to get one."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.core.providers import Provider
from app.services.backend import Backend
from app.services.translation import tidy_spaces
from app.ui.settings.common import KEY_PAGES, escape


def key_status(p: Provider, backend: Backend, *, typed: bool, removed: bool, stored: bool) -> str:
    """Rich text for the key status line: `typed`, a key was typed here for `p`;
    `removed`, its stored key is to be removed; `stored`, a key is stored (and kept)."""
    entry = p.secret_id
    store = backend.secrets
    origin = backend.key_origin(p)
    parts: list[str] = []
    if p.id == "local":
        parts.append(
            QCoreApplication.translate(
                "SettingsDialog",
                "The server GLM Desk starts makes its own key for each session; nothing to enter.",
            )
        )
    elif typed:
        if store.available:
            parts.append(
                QCoreApplication.translate(
                    "SettingsDialog",
                    "The new key goes to the keyring when you press OK or Apply.",
                )
            )
        else:
            parts.append(
                QCoreApplication.translate(
                    "SettingsDialog",
                    "The new key is kept for this session only when you press OK or Apply.",
                )
            )
    elif removed:
        parts.append(
            QCoreApplication.translate(
                "SettingsDialog", "The stored key is removed when you press OK or Apply."
            )
        )
    elif origin not in ("", "stored", "session"):
        parts.append(
            QCoreApplication.translate(
                "SettingsDialog",
                "Using the key from the {variable} environment variable, for this session "
                "(it is never stored). It comes before a key saved here.",
            ).format(variable=origin)
        )
    elif stored and store.available:
        parts.append(
            QCoreApplication.translate("SettingsDialog", "A key is stored in the keyring.")
        )
    elif stored:
        parts.append(
            QCoreApplication.translate("SettingsDialog", "A key is held for this session only.")
        )
    elif not p.needs_key:
        parts.append(
            QCoreApplication.translate(
                "SettingsDialog", "Optional: only if your server asks for a key."
            )
        )
    else:
        parts.append(QCoreApplication.translate("SettingsDialog", "No key yet: paste yours above."))
    page = KEY_PAGES.get(entry)
    if page and p.id != "local":
        parts.append(
            QCoreApplication.translate(
                "SettingsDialog", 'Get a key at <a href="{url}">{host}</a>.'
            ).format(url=page, host=page.split("/")[2])
        )
    return tidy_spaces(" ".join(escape(t) if "<a " not in t else t for t in parts))
