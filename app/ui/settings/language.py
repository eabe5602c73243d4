"""Settings → Language: the interface language (shown after a restart)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QVBoxLayout, QWidget

from app.core.settings import Value
from app.ui.settings.common import note


class LanguagePage(QWidget):
    """objectName: languageCombo."""

    edited = Signal(str, object)  # settings key (language), value

    def __init__(self, pending: Mapping[str, Value], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Language")
        )
        for text, value in (
            (QCoreApplication.translate("SettingsDialog", "Follow the system"), "system"),
            ("English", "en"),
            ("简体中文", "zh_CN"),
        ):
            self.language_combo.addItem(text, value)
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(pending["language"]))
        )
        self.language_combo.currentIndexChanged.connect(
            lambda _i: self.edited.emit("language", self.language_combo.currentData())
        )
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("SettingsDialog", "Language:"), self.language_combo)
        form.addRow(
            "",
            note(
                QCoreApplication.translate(
                    "SettingsDialog", "A new language shows after a restart of GLM Desk."
                )
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
