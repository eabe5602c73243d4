"""Settings → Generation: a provider's temperature, top p, answer length and system
prompt, and Restore defaults (which the dialog does: it keeps the pending values)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.core.providers import Provider
from app.core.settings import Value
from app.ui.conversation_settings import generation_spin_boxes
from app.ui.settings.common import note, option_key, provider_combo


class GenerationPage(QWidget):
    """objectNames: generationProvider, temperatureField, topPField, maxTokensField,
    systemPromptField, resetGenerationButton."""

    edited = Signal(str, object)  # the provider's option (temperature, ...), value
    providerChosen = Signal(str)  # a provider's id

    def __init__(self, providers: Mapping[str, Provider], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.generation_provider = provider_combo("generationProvider", providers.values())
        self.generation_provider.currentIndexChanged.connect(
            lambda _i: self.providerChosen.emit(self.generation_provider.currentData())
        )
        self.temperature_field, self.top_p_field, self.max_tokens_field = generation_spin_boxes(
            "temperatureField", "topPField", "maxTokensField"
        )
        self.temperature_field.valueChanged.connect(lambda v: self.edited.emit("temperature", v))
        self.top_p_field.valueChanged.connect(lambda v: self.edited.emit("top_p", v))
        self.max_tokens_field.valueChanged.connect(lambda v: self.edited.emit("max_tokens", v))
        self.system_prompt_field = QPlainTextEdit()
        self.system_prompt_field.setObjectName("systemPromptField")
        self.system_prompt_field.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "System prompt")
        )
        self.system_prompt_field.setPlaceholderText(
            QCoreApplication.translate(
                "SettingsDialog", "Optional: instructions sent before every conversation"
            )
        )
        self.system_prompt_field.textChanged.connect(
            lambda: self.edited.emit("system_prompt", self.system_prompt_field.toPlainText())
        )
        self.reset_generation_button = QPushButton(
            QCoreApplication.translate("SettingsDialog", "Restore defaults")
        )
        self.reset_generation_button.setObjectName("resetGenerationButton")
        self.max_tokens_note = note()

        form = QFormLayout()
        form.addRow(
            QCoreApplication.translate("SettingsDialog", "Provider:"), self.generation_provider
        )
        form.addRow(
            QCoreApplication.translate("SettingsDialog", "Temperature:"), self.temperature_field
        )
        form.addRow(QCoreApplication.translate("SettingsDialog", "Top p:"), self.top_p_field)
        form.addRow(
            QCoreApplication.translate("SettingsDialog", "Maximum answer length:"),
            self.max_tokens_field,
        )
        form.addRow("", self.max_tokens_note)
        form.addRow(
            QCoreApplication.translate("SettingsDialog", "System prompt:"),
            self.system_prompt_field,
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(
            note(
                QCoreApplication.translate(
                    "SettingsDialog",
                    "A conversation can have its own values: Edit → Conversation settings.",
                )
            )
        )
        layout.addWidget(self.reset_generation_button, 0, Qt.AlignmentFlag.AlignLeft)

    def show_provider(self, p: Provider, pending: Mapping[str, Value]) -> None:
        """Fills the fields with this provider's pending values, and its output limit."""
        self.generation_provider.setCurrentIndex(self.generation_provider.findData(p.id))
        self.temperature_field.setValue(float(pending[option_key(p.id, "temperature")]))
        self.top_p_field.setValue(float(pending[option_key(p.id, "top_p")]))
        self.max_tokens_field.setRange(0, p.max_output)
        self.max_tokens_field.setValue(int(pending[option_key(p.id, "max_tokens")]))
        self.max_tokens_note.setText(
            QCoreApplication.translate(
                "SettingsDialog", "In tokens, up to {limit} for {provider}."
            ).format(limit=f"{p.max_output:,}", provider=p.name)
        )
        prompt = str(pending[option_key(p.id, "system_prompt")])
        if self.system_prompt_field.toPlainText() != prompt:
            self.system_prompt_field.setPlainText(prompt)
