"""The Local model dialog's launch form: the model file (what it says about itself, and
the fix an old GLM-4 file needs) and the server's options."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import QT_TRANSLATE_NOOP
from app.services.local_server import DEFAULT_PORT, GgufInfo, LaunchOptions, generate_key
from app.services.translation import exception_text, translated
from app.ui import theme
from app.ui.local_model.common import named
from app.ui.theme import set_tone

MAX_DEFAULT_CONTEXT = 32_768  # GLM-4-32B's native context; more needs YaRN and much memory
OLD_GLM4_TEXT = QT_TRANSLATE_NOOP(
    "LocalServerDialog",
    "This GLM-4 file was converted before April 2025; without a fix it may not stop at the "
    "end of its answer.",
)


def spin(name: str, label: str, lo: int, hi: int, value: int, step: int = 1) -> QSpinBox:
    """A number field of the server's options."""
    box = named(QSpinBox(), name, label)
    box.setRange(lo, hi)
    box.setValue(value)
    box.setSingleStep(step)
    box.setGroupSeparatorShown(step > 1)  # 32,768 tokens; but port 8080
    box.setMinimumWidth(200)
    box.setMaximumWidth(260)
    return box


class ModelFileBox(QGroupBox):
    """objectNames: localModelPath, localModelBrowse, ggufInfo, glm4Warning, fixGlm4Eos."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("LocalServerDialog", "Model file"), parent)
        self.model_path = named(
            QLineEdit(),
            "localModelPath",
            QCoreApplication.translate("LocalServerDialog", "Model file"),
        )
        self.model_path.setPlaceholderText(
            QCoreApplication.translate(
                "LocalServerDialog", "A GGUF model file, e.g. GLM-4-32B-0414-Q4_K_M.gguf"
            )
        )
        self.browse_button = named(
            QPushButton(QCoreApplication.translate("LocalServerDialog", "Browse…")),
            "localModelBrowse",
            QCoreApplication.translate("LocalServerDialog", "Browse for a model"),
        )
        row = QHBoxLayout()
        row.addWidget(self.model_path, 1)
        row.addWidget(self.browse_button)
        self.info_label = named(
            QLabel(QCoreApplication.translate("LocalServerDialog", "No model file chosen yet.")),
            "ggufInfo",
            QCoreApplication.translate("LocalServerDialog", "Model"),
        )
        self.info_label.setTextFormat(Qt.TextFormat.RichText)
        self.info_label.setWordWrap(True)
        self.old_warning = named(
            QLabel(translated(OLD_GLM4_TEXT)),
            "glm4Warning",
            QCoreApplication.translate("LocalServerDialog", "Old GLM-4 file"),
        )
        self.old_warning.setWordWrap(True)
        self.old_warning.setProperty("tone", "notice")
        self.fix_eos = named(
            QCheckBox(
                QCoreApplication.translate(
                    "LocalServerDialog", "End turns at <|user|> (--override-kv fix)"
                )
            ),
            "fixGlm4Eos",
            QCoreApplication.translate("LocalServerDialog", "Fix old GLM-4"),
        )
        self.fix_eos.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        for widget in (self.info_label, self.old_warning, self.fix_eos):
            layout.addWidget(widget)
        self.old_warning.hide()
        self.fix_eos.hide()

    def show_reading(self) -> None:
        """A file was chosen: its metadata is being read."""
        self.info_label.setText(
            QCoreApplication.translate("LocalServerDialog", "Reading the model file…")
        )
        set_tone(self.info_label, "")
        self.old_warning.hide()
        self.fix_eos.hide()

    def show_problem(self, exc: BaseException) -> None:
        """The file could not be read as a GGUF model: why, in red."""
        self.info_label.setText(html.escape(exception_text(exc)))
        set_tone(self.info_label, "error")

    def show_info(self, info: GgufInfo) -> None:
        """What the file says about itself; the fix, when it is an old GLM-4 file."""
        muted = theme.color("muted").name()
        rows = "".join(
            f"<tr><td style='color:{muted}; padding-right:12px'>{html.escape(translated(k))}</td>"
            f"<td>{html.escape(translated(v))}</td></tr>"
            for k, v in info.summary()
        )
        self.info_label.setText(f"<table>{rows}</table>")
        self.old_warning.setVisible(info.old_glm4)
        self.fix_eos.setVisible(info.old_glm4)


class ServerOptionsBox(QGroupBox):
    """objectNames: localContext, localGpuLayers, localThreads, localPort, localApiKey,
    llamaServerPath, llamaServerBrowse."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("LocalServerDialog", "Server"), parent)
        self._key: str | None = None  # generated once per session, in memory only
        self.context = spin(
            "localContext",
            QCoreApplication.translate("LocalServerDialog", "Context size"),
            0,
            1_048_576,
            0,
            1024,
        )
        self.context.setSpecialValueText(
            QCoreApplication.translate("LocalServerDialog", "the model's own")
        )
        self.context.setSuffix(QCoreApplication.translate("LocalServerDialog", " tokens"))
        self.gpu_layers = spin(
            "localGpuLayers",
            QCoreApplication.translate("LocalServerDialog", "GPU layers"),
            0,
            999,
            0,
        )
        self.threads = spin(
            "localThreads", QCoreApplication.translate("LocalServerDialog", "Threads"), 0, 512, 0
        )
        self.threads.setSpecialValueText(
            QCoreApplication.translate("LocalServerDialog", "automatic")
        )
        self.port = spin(
            "localPort",
            QCoreApplication.translate("LocalServerDialog", "Port"),
            1024,
            65535,
            DEFAULT_PORT,
        )
        self.port.setToolTip(
            QCoreApplication.translate(
                "LocalServerDialog", "If this port is taken, a free one is used."
            )
        )
        self.use_key = named(
            QCheckBox(
                QCoreApplication.translate(
                    "LocalServerDialog", "Protect it with a generated API key"
                )
            ),
            "localApiKey",
            QCoreApplication.translate("LocalServerDialog", "Use an API key"),
        )
        self.use_key.setToolTip(
            QCoreApplication.translate(
                "LocalServerDialog", "A random key, kept in memory for this session only."
            )
        )
        self.binary = named(
            QLineEdit(),
            "llamaServerPath",
            QCoreApplication.translate("LocalServerDialog", "llama-server program"),
        )
        self.binary.setPlaceholderText(
            QCoreApplication.translate("LocalServerDialog", "blank: llama-server on PATH")
        )
        self.browse_button = named(
            QPushButton(QCoreApplication.translate("LocalServerDialog", "Browse…")),
            "llamaServerBrowse",
            QCoreApplication.translate("LocalServerDialog", "Browse"),
        )
        binary_row = QHBoxLayout()
        binary_row.addWidget(self.binary, 1)
        binary_row.addWidget(self.browse_button)
        form = QFormLayout(self)
        form.addRow(QCoreApplication.translate("LocalServerDialog", "Context size:"), self.context)
        form.addRow(QCoreApplication.translate("LocalServerDialog", "GPU layers:"), self.gpu_layers)
        form.addRow(QCoreApplication.translate("LocalServerDialog", "Threads:"), self.threads)
        form.addRow(QCoreApplication.translate("LocalServerDialog", "Port:"), self.port)
        form.addRow("", self.use_key)
        form.addRow(QCoreApplication.translate("LocalServerDialog", "llama-server:"), binary_row)

    def suggest_context(self, context_length: int) -> None:
        """The model's own context size, up to what fits without YaRN."""
        self.context.setValue(min(context_length, MAX_DEFAULT_CONTEXT))

    def options(self, model: Path, fix_glm4_eos: bool, glm4_tools: bool = False) -> LaunchOptions:
        """How to start llama-server with `model`; the key, when asked for, is made once."""
        if self.use_key.isChecked() and self._key is None:
            self._key = generate_key()
        return LaunchOptions(
            model=model,
            context=self.context.value(),
            gpu_layers=self.gpu_layers.value(),
            threads=self.threads.value() or None,
            port=self.port.value(),
            api_key=self._key if self.use_key.isChecked() else None,
            fix_glm4_eos=fix_glm4_eos,
            glm4_tools=glm4_tools,
        )
