"""Settings → Runner: the snippet runner's sandbox, its limits and the default Python."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import Value
from app.ui.settings.common import note

SANDBOXES = ("auto", "bubblewrap", "namespaces", "none")


class RunnerPage(QWidget):
    """objectNames: runnerSandboxCombo, runnerTimeoutField, runnerMemoryField,
    runnerProcessesField, runnerPythonField, runCodeDefaultCheck."""

    edited = Signal(str, object)  # settings key (runner.*), value

    def __init__(self, pending: Mapping[str, Value], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        translate = QCoreApplication.translate
        self.sandbox_combo = QComboBox()
        self.sandbox_combo.setObjectName("runnerSandboxCombo")
        names = {
            "auto": translate("SettingsDialog", "The strongest that works here (recommended)"),
            "bubblewrap": translate("SettingsDialog", "bubblewrap only"),
            "namespaces": translate("SettingsDialog", "Namespaces (unshare) only"),
            "none": translate("SettingsDialog", "No sandbox: limits only (asks before each run)"),
        }
        for value in SANDBOXES:
            self.sandbox_combo.addItem(names[value], value)
        self.sandbox_combo.setCurrentIndex(SANDBOXES.index(str(pending["runner.sandbox"])))
        self.sandbox_combo.currentIndexChanged.connect(
            lambda i: self.edited.emit("runner.sandbox", SANDBOXES[i])
        )
        self.timeout_field = self._spin(
            "runnerTimeoutField",
            1,
            3600,
            translate("SettingsDialog", " s"),
            pending,
            "runner.timeout",
            float,
        )
        self.memory_field = self._spin(
            "runnerMemoryField",
            64,
            1_048_576,
            translate("SettingsDialog", " MB"),
            pending,
            "runner.memory_mb",
            int,
        )
        self.processes_field = self._spin(
            "runnerProcessesField", 1, 100_000, "", pending, "runner.processes", int
        )
        self.python_field = QLineEdit(str(pending["runner.python"]))
        self.python_field.setObjectName("runnerPythonField")
        self.python_field.setPlaceholderText(translate("SettingsDialog", "python3 from PATH"))
        self.python_field.textEdited.connect(lambda t: self.edited.emit("runner.python", t.strip()))
        self.run_code_default = QCheckBox(
            translate("SettingsDialog", "Let GLM-4 run code in new conversations (run_code)")
        )
        self.run_code_default.setObjectName("runCodeDefaultCheck")
        self.run_code_default.setChecked(bool(pending["tools.run_code"]))
        self.run_code_default.toggled.connect(lambda v: self.edited.emit("tools.run_code", v))
        form = QFormLayout()
        form.addRow(self.run_code_default)
        form.addRow(translate("SettingsDialog", "Sandbox:"), self.sandbox_combo)
        form.addRow(
            "",
            note(
                translate(
                    "SettingsDialog",
                    "bubblewrap: the system read-only, your home hidden, no network, the "
                    "snippet's own folder the only place it can write. Namespaces (unshare): "
                    "the same folders hidden, no network. The output pane says which one a "
                    "run used.",
                )
            ),
        )
        form.addRow(translate("SettingsDialog", "Time limit:"), self.timeout_field)
        form.addRow(translate("SettingsDialog", "Memory limit:"), self.memory_field)
        form.addRow(translate("SettingsDialog", "Processes it may start:"), self.processes_field)
        form.addRow(translate("SettingsDialog", "Python:"), self.python_field)
        form.addRow(
            "",
            note(
                translate(
                    "SettingsDialog",
                    "A program or a virtual environment's folder, for conversations without "
                    "a workspace; a workspace's own is chosen in the output pane's Python "
                    "menu.",
                )
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    def _spin(
        self,
        name: str,
        low: int,
        high: int,
        suffix: str,
        pending: Mapping[str, Value],
        key: str,
        kind: type,
    ) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setSuffix(suffix)
        spin.setValue(round(float(pending[key])))  # type: ignore[arg-type]
        spin.valueChanged.connect(lambda v: self.edited.emit(key, kind(v)))
        return spin
