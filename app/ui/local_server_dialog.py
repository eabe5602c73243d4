"""The Local model dialog: start a GGUF model with llama-server, watch it, or use a server
already running on this machine. It draws and forwards intent; `LocalServerService` does
the work (on the event loop or a worker thread, never blocking the GUI thread)."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.asyncutil import spawn
from app.core.discovery import KNOWN_PORTS, DetectedServer
from app.core.gguf_info import GgufInfo, NotGguf
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.localserver import DEFAULT_PORT, LaunchOptions, ServerState, generate_key
from app.services.local_server import LocalServerService
from app.services.translation import exception_text, translated
from app.ui import theme
from app.ui.theme import set_tone

MAX_DEFAULT_CONTEXT = 32_768  # GLM-4-32B's native context; more needs YaRN and much memory
LOG_BLOCKS = 2000
OLD_GLM4_TEXT = QT_TRANSLATE_NOOP(
    "LocalServerDialog",
    "This GLM-4 file was converted before April 2025; without a fix it may not stop at the "
    "end of its answer.",
)


class LocalServerDialog(QDialog):
    """Non-modal; one instance, owned by the main window."""

    useServer = Signal(object)  # DetectedServer: point the chat's local provider at it

    def __init__(
        self,
        service: LocalServerService,
        extra_urls: Callable[[], Iterable[str]] = tuple,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("localServerDialog")
        self.setAccessibleName(self.tr("Local model"))
        self.setWindowTitle(self.tr("Local model"))
        self.setModal(False)
        self.resize(1100, 680)
        self.service = service
        self.extra_urls = extra_urls
        self.info: GgufInfo | None = None  # the chosen file's metadata, once read
        self.detected: list[DetectedServer] = []
        self._key: str | None = None  # generated once per session, in memory only
        self._tasks: set[asyncio.Future[Any]] = set()
        self._reading: Path | None = None
        self._generation = 0  # of detection runs: only the latest one fills the list
        self._build()
        service.stateChanged.connect(self._on_state)
        service.logLine.connect(self.log.appendPlainText)
        service.failed.connect(self._show_failure)
        for line in service.server.log_lines:  # a server started before the dialog opened
            self.log.appendPlainText(line)
        self._on_state(str(service.state), service.server.detail)

    # --- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.model_path = self._named(QLineEdit(), "localModelPath", self.tr("Model file"))
        self.model_path.setPlaceholderText(
            self.tr("A GGUF model file, e.g. GLM-4-32B-0414-Q4_K_M.gguf")
        )
        self.model_path.editingFinished.connect(self._on_path_edited)
        browse = self._named(
            QPushButton(self.tr("Browse…")), "localModelBrowse", self.tr("Browse for a model")
        )
        browse.clicked.connect(self._browse_model)
        row = QHBoxLayout()
        row.addWidget(self.model_path, 1)
        row.addWidget(browse)
        self.info_label = self._named(
            QLabel(self.tr("No model file chosen yet.")), "ggufInfo", self.tr("Model")
        )
        self.info_label.setTextFormat(Qt.TextFormat.RichText)
        self.info_label.setWordWrap(True)
        self.old_warning = self._named(
            QLabel(translated(OLD_GLM4_TEXT)), "glm4Warning", self.tr("Old GLM-4 file")
        )
        self.old_warning.setWordWrap(True)
        self.old_warning.setProperty("tone", "notice")
        self.fix_eos = self._named(
            QCheckBox(self.tr("End turns at <|user|> (--override-kv fix)")),
            "fixGlm4Eos",
            self.tr("Fix old GLM-4"),
        )
        self.fix_eos.setChecked(True)
        model_box = QGroupBox(self.tr("Model file"))
        model_layout = QVBoxLayout(model_box)
        model_layout.addLayout(row)
        for widget in (self.info_label, self.old_warning, self.fix_eos):
            model_layout.addWidget(widget)
        self.old_warning.hide()
        self.fix_eos.hide()

        self.context = self._spin("localContext", self.tr("Context size"), 0, 1_048_576, 0, 1024)
        self.context.setSpecialValueText(self.tr("the model's own"))
        self.context.setSuffix(self.tr(" tokens"))
        self.gpu_layers = self._spin("localGpuLayers", self.tr("GPU layers"), 0, 999, 0)
        self.threads = self._spin("localThreads", self.tr("Threads"), 0, 512, 0)
        self.threads.setSpecialValueText(self.tr("automatic"))
        self.port = self._spin("localPort", self.tr("Port"), 1024, 65535, DEFAULT_PORT)
        self.port.setToolTip(self.tr("If this port is taken, a free one is used."))
        self.use_key = self._named(
            QCheckBox(self.tr("Protect it with a generated API key")),
            "localApiKey",
            self.tr("Use an API key"),
        )
        self.use_key.setToolTip(self.tr("A random key, kept in memory for this session only."))
        self.binary = self._named(QLineEdit(), "llamaServerPath", self.tr("llama-server program"))
        self.binary.setPlaceholderText(self.tr("blank: llama-server on PATH"))
        binary_browse = self._named(
            QPushButton(self.tr("Browse…")), "llamaServerBrowse", self.tr("Browse")
        )
        binary_browse.clicked.connect(self._browse_binary)
        binary_row = QHBoxLayout()
        binary_row.addWidget(self.binary, 1)
        binary_row.addWidget(binary_browse)
        settings = QGroupBox(self.tr("Server"))
        form = QFormLayout(settings)
        form.addRow(self.tr("Context size:"), self.context)
        form.addRow(self.tr("GPU layers:"), self.gpu_layers)
        form.addRow(self.tr("Threads:"), self.threads)
        form.addRow(self.tr("Port:"), self.port)
        form.addRow("", self.use_key)
        form.addRow(self.tr("llama-server:"), binary_row)

        start = self.tr("Start")
        self.start_button = self._named(QPushButton(start), "localServerStart", start)
        self.start_button.clicked.connect(lambda: self._spawn(self.start()))
        stop = self.tr("Stop")
        self.stop_button = self._named(QPushButton(stop), "localServerStop", stop)
        self.stop_button.clicked.connect(lambda: self._spawn(self.stop()))
        self.state_label = self._named(
            QLabel(self.tr("Stopped")), "localServerState", self.tr("Server state")
        )
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = self._named(QProgressBar(), "localServerProgress", self.tr("Starting"))
        self.progress.setRange(0, 0)  # indeterminate
        self.progress.setMaximumHeight(10)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message = self._named(QLabel(), "localServerMessage", self.tr("Problem"))
        self.message.setWordWrap(True)
        self.message.setProperty("tone", "error")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        controls = QHBoxLayout()
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)
        controls.addWidget(self.state_label, 1)

        self.log = self._named(QPlainTextEdit(), "localServerLog", self.tr("Server log"))
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_BLOCKS)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setPlaceholderText(self.tr("llama-server's output appears here."))
        log_box = QGroupBox(self.tr("Log"))
        QVBoxLayout(log_box).addWidget(self.log)

        self.detected_list = self._named(
            QListWidget(), "detectedServers", self.tr("Detected servers")
        )
        self.detected_list.itemSelectionChanged.connect(self._update_buttons)
        self.detected_list.itemDoubleClicked.connect(lambda _item: self.use_selected())
        refresh = self._named(
            QPushButton(self.tr("Refresh")), "refreshDetected", self.tr("Refresh")
        )
        refresh.clicked.connect(lambda: self._spawn(self.refresh_detected()))
        use = self.tr("Use this server")
        self.use_button = self._named(QPushButton(use), "useDetectedServer", use)
        self.use_button.clicked.connect(self.use_selected)
        detected_box = QGroupBox(self.tr("Servers already running on this machine"))
        detected_layout = QVBoxLayout(detected_box)
        detected_layout.addWidget(self.detected_list)
        detected_buttons = QHBoxLayout()
        detected_buttons.addStretch(1)
        detected_buttons.addWidget(refresh)
        detected_buttons.addWidget(self.use_button)
        detected_layout.addLayout(detected_buttons)

        left = QWidget()  # what to run and how; on the right, what it says
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (model_box, settings):
            column.addWidget(widget)
        column.addLayout(controls)
        column.addWidget(self.progress)
        column.addWidget(self.message)
        column.addWidget(detected_box, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(log_box)
        split.setSizes([560, 500])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(close)
        for button in self.findChildren(QPushButton):  # Enter in a field must not press one
            button.setAutoDefault(False)

    @staticmethod
    def _named(widget: Any, name: str, accessible: str) -> Any:
        widget.setObjectName(name)
        widget.setAccessibleName(accessible)
        return widget

    def _spin(self, name: str, label: str, lo: int, hi: int, value: int, step: int = 1) -> QSpinBox:
        spin = self._named(QSpinBox(), name, label)
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setSingleStep(step)
        spin.setGroupSeparatorShown(step > 1)  # 32,768 tokens; but port 8080
        spin.setMinimumWidth(200)
        spin.setMaximumWidth(260)
        return spin

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run a coroutine from a slot; kept referenced until it ends."""
        return spawn(coro, self._tasks)

    # --- the model file ------------------------------------------------------------------

    def _ask_model_path(self) -> Path | None:  # tests replace the file dialog
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a model file"),
            "",
            self.tr("GGUF models (*.gguf);;All files (*)"),
        )
        return Path(name) if name else None

    def _ask_binary_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the llama-server program"))
        return Path(name) if name else None

    def _browse_model(self) -> None:
        path = self._ask_model_path()
        if path is not None:
            self.model_path.setText(str(path))
            self._spawn(self.choose_model(path))

    def _browse_binary(self) -> None:
        path = self._ask_binary_path()
        if path is not None:
            self.binary.setText(str(path))

    def _on_path_edited(self) -> None:
        text = self.model_path.text().strip()
        current = str(self.info.path) if self.info else None
        if text and text != current:
            self._spawn(self.choose_model(Path(text).expanduser()))

    async def choose_model(self, path: Path) -> GgufInfo | None:
        """Read the file's metadata (on a worker thread) and show it."""
        self._reading, self.info = path, None
        self.info_label.setText(self.tr("Reading the model file…"))
        set_tone(self.info_label, "")
        self.old_warning.hide()
        self.fix_eos.hide()
        self._update_buttons()
        try:
            info = await self.service.read_gguf(path)
        except (NotGguf, OSError) as exc:
            if self._reading == path:
                self.info_label.setText(html.escape(exception_text(exc)))
                set_tone(self.info_label, "error")
            return None
        finally:
            self._update_buttons()
        if self._reading != path:  # another file was chosen meanwhile
            return None
        self.info = info
        muted = theme.color("muted").name()
        rows = "".join(
            f"<tr><td style='color:{muted}; padding-right:12px'>{html.escape(translated(k))}</td>"
            f"<td>{html.escape(translated(v))}</td></tr>"
            for k, v in info.summary()
        )
        self.info_label.setText(f"<table>{rows}</table>")
        self.old_warning.setVisible(info.old_glm4)
        self.fix_eos.setVisible(info.old_glm4)
        self.context.setValue(min(info.context_length, MAX_DEFAULT_CONTEXT))
        self._update_buttons()
        return info

    # --- start and stop ----------------------------------------------------------------

    def options(self) -> LaunchOptions:
        assert self.info is not None
        if self.use_key.isChecked() and self._key is None:
            self._key = generate_key()
        return LaunchOptions(
            model=self.info.path,
            context=self.context.value(),
            gpu_layers=self.gpu_layers.value(),
            threads=self.threads.value() or None,
            port=self.port.value(),
            api_key=self._key if self.use_key.isChecked() else None,
            fix_glm4_eos=self.info.old_glm4 and self.fix_eos.isChecked(),
        )

    async def start(self) -> bool:
        if self.info is None:
            self._show_failure(self.tr("Choose a GGUF model file first."))
            return False
        self.message.hide()
        self.start_button.setEnabled(False)
        self.service.configured_binary = self.binary.text().strip() or None
        self.log.clear()
        try:
            return await self.service.start(self.options())
        finally:
            self._update_buttons()

    async def stop(self) -> None:
        self.stop_button.setEnabled(False)
        self.state_label.setText(self.tr("Stopping…"))
        try:
            await self.service.stop()
        finally:
            self._update_buttons()

    def _show_failure(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _on_state(self, state: str, detail: str) -> None:
        server = self.service.server
        set_tone(self.state_label, "")
        if state == ServerState.STARTING:
            text = self.tr("Starting…")
        elif state == ServerState.LOADING:
            text = self.tr("Loading the model…")
        elif state == ServerState.READY:
            url = server.base_url.removesuffix("/v1") or detail
            parts = [self.tr("Ready at {url}").format(url=url)]
            if server.info and server.info.n_ctx:
                context = self.tr("context {n:,} tokens")
                parts.append(context.format(n=server.info.n_ctx))
            if server.info and server.info.build:
                parts.append(self.tr("build {build}").format(build=server.info.build))
            if server.ready_after is not None:
                loaded = self.tr("loaded in {seconds:.1f} s")
                parts.append(loaded.format(seconds=server.ready_after))
            text = " · ".join(parts)
            set_tone(self.state_label, "success")
        elif state == ServerState.CRASHED:
            first, _, last_lines = detail.partition("\n")
            code = re.fullmatch(r"exit status (-?\d+)", first)
            if code:
                reason = self.tr("exit status {code}").format(code=code[1])
            else:
                reason = first or self.tr("it ended by itself")
            text = self.tr("Crashed ({reason})").format(reason=reason)
            set_tone(self.state_label, "error")
            if last_lines:
                said = self.tr("It said:\n{lines}")
                self._show_failure(said.format(lines=telling_lines(last_lines)))
        else:
            text = self.tr("Stopped")
        self.state_label.setText(text)
        self.progress.setVisible(state in (ServerState.STARTING, ServerState.LOADING))
        if state in (ServerState.STARTING, ServerState.LOADING, ServerState.READY):
            self.message.hide()
        if state in (ServerState.READY, ServerState.STOPPED) and self.isVisible():
            self._spawn(self.refresh_detected())  # our own server comes or goes
        self._update_buttons()

    def _update_buttons(self) -> None:
        state = self.service.state
        running = state in (ServerState.STARTING, ServerState.LOADING, ServerState.READY)
        self.start_button.setEnabled(not running and self.info is not None)
        self.start_button.setToolTip(
            "" if self.info else self.tr("Choose a GGUF model file first.")
        )
        self.stop_button.setEnabled(running)
        item = self.detected_list.currentItem()
        self.use_button.setEnabled(bool(item and item.data(Qt.ItemDataRole.UserRole) is not None))

    # --- servers already running -------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self._spawn(self.refresh_detected())

    async def refresh_detected(self) -> list[DetectedServer]:
        self._generation += 1
        generation = self._generation
        self.detected_list.clear()
        self._placeholder(self.tr("Looking for servers on this machine…"))
        self._update_buttons()
        try:
            found = await self.service.detect(list(self.extra_urls()))
        except Exception as exc:  # a probe that failed in an unexpected way: say so, go on
            found = []
            failed = self.tr("Looking for local servers failed: {error}")
            self._show_failure(failed.format(error=exception_text(exc)))
        if generation != self._generation:  # a newer refresh is under way
            return found
        self.detected = found
        self.detected_list.clear()
        own = self.service.server.base_url if self.service.server.running else ""
        for index, server in enumerate(found):
            label = server_label(server)
            if server.base_url == own:
                label = self.tr("{server} · started here").format(server=label)
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setToolTip(server.base_url)
            self.detected_list.addItem(item)
        if not found:
            ports = ", ".join(str(p) for p in KNOWN_PORTS)
            none = self.tr("No local servers found (looked at ports {ports}).")
            self._placeholder(none.format(ports=ports))
        else:
            self.detected_list.setCurrentRow(0)
        self._update_buttons()
        return found

    def _placeholder(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.detected_list.addItem(item)

    def use_selected(self) -> DetectedServer | None:
        item = self.detected_list.currentItem()
        index = item.data(Qt.ItemDataRole.UserRole) if item else None
        if index is None or not 0 <= index < len(self.detected):
            return None
        server = self.detected[index]
        self.useServer.emit(server)
        return server


def server_label(server: DetectedServer) -> str:
    """What a detected server is, where, and its models (DetectedServer.label, translated)."""
    url = server.base_url.removesuffix("/v1")
    what = ", ".join(server.models[:3])
    if not what and server.needs_key:
        what = QCoreApplication.translate("LocalServerDialog", "needs an API key")
    if not what:
        return QCoreApplication.translate("LocalServerDialog", "{kind} at {url}").format(
            kind=server.kind, url=url
        )
    return QCoreApplication.translate("LocalServerDialog", "{kind} at {url}: {what}").format(
        kind=server.kind, url=url, what=what
    )


def telling_lines(lines: str, most: int = 3) -> str:
    """Of a crashed server's last lines, the few that say what went wrong."""
    rows = [line.strip() for line in lines.splitlines() if line.strip()]
    errors = [line for line in rows if "error" in line.lower() or "failed" in line.lower()]
    return "\n".join((errors or rows)[-most:])
