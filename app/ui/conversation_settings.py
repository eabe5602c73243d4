"""Edit → Conversation settings: generation values for one conversation, over the
provider's. Only values that differ from the provider's are kept, so a later change in
Settings still reaches what this conversation did not set itself."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.providers import GenerationParams
from app.core.settings import CONVERSATION_PARAMS, Value, param_option, validate_params


def generation_spin_boxes(
    temperature_name: str, top_p_name: str, max_tokens_name: str
) -> tuple[QDoubleSpinBox, QDoubleSpinBox, QSpinBox]:
    """Temperature, top p and max tokens fields, bounded by the settings' own rules (set
    max tokens' maximum to the provider's output limit); used here and in Settings."""

    def bounded(box: QDoubleSpinBox | QSpinBox, name: str, option: str, step: float) -> None:
        rule = param_option(option)
        assert rule.minimum is not None and rule.maximum is not None
        box.setObjectName(name)
        box.setRange(rule.minimum, rule.maximum)  # type: ignore[arg-type]
        box.setSingleStep(step)  # type: ignore[arg-type]

    temperature, top_p, max_tokens = QDoubleSpinBox(), QDoubleSpinBox(), QSpinBox()
    bounded(temperature, temperature_name, "temperature", 0.05)
    bounded(top_p, top_p_name, "top_p", 0.05)
    bounded(max_tokens, max_tokens_name, "max_tokens", 256)
    max_tokens.setSpecialValueText(
        QCoreApplication.translate("ConversationSettingsDialog", "Server default")
    )
    return temperature, top_p, max_tokens


class ConversationSettingsDialog(QDialog):
    """objectNames: conversationSettingsDialog, convTemperatureField, convTopPField,
    convMaxTokensField, convSystemPromptField, convWebSearchCheck, convKnowledgeIdField,
    convKnowledgePromptField, convJsonModeCheck, convJsonSchemaField, convSettingsProblem,
    convResetButton."""

    def __init__(
        self,
        current: dict[str, Value],
        defaults: GenerationParams,
        max_output: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationSettingsDialog")
        self.setWindowTitle(self.tr("Conversation settings"))
        self._defaults: dict[str, Value] = {
            "temperature": round(defaults.temperature, 2),
            "top_p": round(defaults.top_p, 2),
            "max_tokens": min(defaults.max_tokens or 0, max_output),
            "system_prompt": defaults.system_prompt,
            "web_search": defaults.web_search,
            "knowledge_id": defaults.knowledge_id,
            "knowledge_prompt": defaults.knowledge_prompt,
            "json_mode": defaults.json_mode,
            "json_schema": defaults.json_schema,
        }
        self._max_output = max_output
        values = {**self._defaults, **{k: v for k, v in current.items() if k in self._defaults}}

        self.temperature, self.top_p, self.max_tokens = generation_spin_boxes(
            "convTemperatureField", "convTopPField", "convMaxTokensField"
        )
        self.max_tokens.setMaximum(max_output)
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setObjectName("convSystemPromptField")
        self.system_prompt.setAccessibleName(self.tr("System prompt"))
        self.system_prompt.setPlaceholderText(self.tr("None"))
        self.web_search = QCheckBox(self.tr("Search the web for answers (Z.AI, OpenRouter)"))
        self.web_search.setObjectName("convWebSearchCheck")
        self.knowledge_id = QLineEdit()
        self.knowledge_id.setObjectName("convKnowledgeIdField")
        self.knowledge_id.setPlaceholderText(self.tr("None"))
        self.knowledge_prompt = QPlainTextEdit()
        self.knowledge_prompt.setObjectName("convKnowledgePromptField")
        self.knowledge_prompt.setPlaceholderText(
            self.tr("Optional: a template with {{knowledge}} and {{question}}")
        )
        self.knowledge_prompt.setFixedHeight(self.knowledge_prompt.fontMetrics().lineSpacing() * 4)
        self.json_mode = QCheckBox(self.tr("Answer in JSON (Z.AI, a local model)"))
        self.json_mode.setObjectName("convJsonModeCheck")
        self.json_schema = QPlainTextEdit()
        self.json_schema.setObjectName("convJsonSchemaField")
        self.json_schema.setPlaceholderText(
            self.tr("Optional, local model only: a JSON schema the answer must follow")
        )
        self.json_schema.setFixedHeight(self.json_schema.fontMetrics().lineSpacing() * 4)
        self.problem = QLabel()
        self.problem.setObjectName("convSettingsProblem")
        self.problem.setWordWrap(True)
        self.problem.setProperty("tone", "error")
        self._fill(values)

        reset = QPushButton(self.tr("Use the provider's settings"))
        reset.setObjectName("convResetButton")
        reset.clicked.connect(lambda: self._fill(self._defaults))

        form = QFormLayout()
        form.addRow(self.tr("Temperature:"), self.temperature)
        form.addRow(self.tr("Top p:"), self.top_p)
        form.addRow(self.tr("Maximum answer length:"), self.max_tokens)
        form.addRow(self.tr("System prompt:"), self.system_prompt)
        form.addRow("", self.web_search)
        form.addRow(self.tr("Knowledge base (Z.AI):"), self.knowledge_id)
        form.addRow(self.tr("Its prompt template:"), self.knowledge_prompt)
        form.addRow("", self.json_mode)
        form.addRow(self.tr("JSON schema:"), self.json_schema)
        explain = QLabel(
            self.tr(
                "For this conversation only; the values that differ from the provider's "
                "settings (Settings → Generation) are kept with it."
            )
        )
        explain.setWordWrap(True)
        explain.setProperty("tone", "muted")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(reset, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(520, 560)

    def _fill(self, values: dict[str, Value]) -> None:
        self.temperature.setValue(float(values["temperature"]))
        self.top_p.setValue(float(values["top_p"]))
        self.max_tokens.setValue(int(values["max_tokens"]))
        self.system_prompt.setPlainText(str(values["system_prompt"]))
        self.web_search.setChecked(bool(values["web_search"]))
        self.knowledge_id.setText(str(values["knowledge_id"]))
        self.knowledge_prompt.setPlainText(str(values["knowledge_prompt"]))
        self.json_mode.setChecked(bool(values["json_mode"]))
        self.json_schema.setPlainText(str(values["json_schema"]))

    def values(self) -> dict[str, Value]:
        return {
            "temperature": round(self.temperature.value(), 2),
            "top_p": round(self.top_p.value(), 2),
            "max_tokens": self.max_tokens.value(),
            "system_prompt": self.system_prompt.toPlainText(),
            "web_search": self.web_search.isChecked(),
            "knowledge_id": self.knowledge_id.text().strip(),
            "knowledge_prompt": self.knowledge_prompt.toPlainText(),
            "json_mode": self.json_mode.isChecked(),
            "json_schema": self.json_schema.toPlainText(),
        }

    def _accept(self) -> None:
        """OK: closes when every value keeps its rule, else says which does not."""
        try:
            self.overrides()
        except ValueError as exc:
            self.problem.setText(self.tr("Not saved: {problem}").format(problem=str(exc)))
            return
        self.accept()

    def overrides(self) -> dict[str, Value]:
        """What this conversation sets itself: the values unlike the provider's, checked."""
        chosen = {
            k: v
            for k, v in self.values().items()
            if k in CONVERSATION_PARAMS and v != self._defaults[k]
        }
        return validate_params(chosen, self._max_output)
