"""Settings → Appearance: the theme and the font size."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QSpinBox, QVBoxLayout, QWidget

from app.core.settings import Value
from app.ui.settings.common import note


class AppearancePage(QWidget):
    """objectNames: themeCombo, fontSizeField."""

    edited = Signal(str, object)  # settings key (appearance.theme, appearance.font_size), value

    def __init__(self, pending: Mapping[str, Value], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme_combo = QComboBox()
        self.theme_combo.setObjectName("themeCombo")
        self.theme_combo.setAccessibleName(QCoreApplication.translate("SettingsDialog", "Theme"))
        for text, value in (
            (QCoreApplication.translate("SettingsDialog", "Follow the system"), "system"),
            (QCoreApplication.translate("SettingsDialog", "Light"), "light"),
            (QCoreApplication.translate("SettingsDialog", "Dark"), "dark"),
        ):
            self.theme_combo.addItem(text, value)
        self.theme_combo.setCurrentIndex(
            max(0, self.theme_combo.findData(pending["appearance.theme"]))
        )
        self.theme_combo.currentIndexChanged.connect(
            lambda _i: self.edited.emit("appearance.theme", self.theme_combo.currentData())
        )
        self.font_size_field = QSpinBox()
        self.font_size_field.setObjectName("fontSizeField")
        self.font_size_field.setRange(0, 32)
        self.font_size_field.setSpecialValueText(
            QCoreApplication.translate("SettingsDialog", "System size")
        )
        self.font_size_field.setSuffix(QCoreApplication.translate("SettingsDialog", " pt"))
        self.font_size_field.setValue(int(pending["appearance.font_size"]))
        self.font_size_field.valueChanged.connect(
            lambda v: self.edited.emit("appearance.font_size", v)
        )
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("SettingsDialog", "Theme:"), self.theme_combo)
        form.addRow(
            QCoreApplication.translate("SettingsDialog", "Font size:"), self.font_size_field
        )
        form.addRow(
            "",
            note(
                QCoreApplication.translate(
                    "SettingsDialog",
                    "Code colours follow the theme. Font size 0: the system's size.",
                )
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
