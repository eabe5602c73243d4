"""Settings → Network: the HTTP proxy and the request timeout."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from app.core.settings import Value
from app.ui.settings.common import note


class NetworkPage(QWidget):
    """objectNames: proxyField, timeoutField."""

    edited = Signal(str, object)  # settings key (network.proxy, network.timeout), value

    def __init__(self, pending: Mapping[str, Value], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proxy_field = QLineEdit(str(pending["network.proxy"]))
        self.proxy_field.setObjectName("proxyField")
        self.proxy_field.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "HTTP proxy")
        )
        self.proxy_field.setPlaceholderText(
            QCoreApplication.translate("SettingsDialog", "The system's proxy settings")
        )
        self.proxy_field.textEdited.connect(lambda t: self.edited.emit("network.proxy", t.strip()))
        self.timeout_field = QSpinBox()
        self.timeout_field.setObjectName("timeoutField")
        self.timeout_field.setRange(5, 600)
        self.timeout_field.setSuffix(QCoreApplication.translate("SettingsDialog", " s"))
        self.timeout_field.setValue(round(float(pending["network.timeout"])))  # type: ignore[arg-type]
        self.timeout_field.valueChanged.connect(
            lambda v: self.edited.emit("network.timeout", float(v))
        )
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("SettingsDialog", "HTTP proxy:"), self.proxy_field)
        form.addRow(
            "",
            note(
                QCoreApplication.translate(
                    "SettingsDialog",
                    "For example http://proxy.example:3128. Empty: the system's settings. "
                    "Never used for this machine (localhost, 127.0.0.1), so the local model "
                    "always works.",
                )
            ),
        )
        form.addRow(
            QCoreApplication.translate("SettingsDialog", "Request timeout:"), self.timeout_field
        )
        form.addRow(
            "",
            note(
                QCoreApplication.translate(
                    "SettingsDialog",
                    "How long to wait for the server to send anything before giving up.",
                )
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
