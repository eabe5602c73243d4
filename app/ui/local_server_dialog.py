"""The Local model dialog: start a GGUF model with llama-server, watch it, or use a server
already running on this machine. It draws and forwards intent; `LocalServerService` does
the work (on the event loop or a worker thread, never blocking the GUI thread). Its parts
(the launch form, the status and log, the servers found) are in app/ui/local_model/."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.asyncutil import Tasks
from app.core.gguf_info import NotGguf
from app.services.local_server import (
    DetectedServer,
    GgufInfo,
    LaunchOptions,
    LocalServerService,
    ServerState,
)
from app.services.translation import exception_text
from app.ui.local_model.detected import DetectedServersBox, server_label
from app.ui.local_model.launch_form import ModelFileBox, ServerOptionsBox
from app.ui.local_model.status import LogBox, ServerStatus, telling_lines

# Imported from here by the window's local-model side (and before the parts had modules).
__all__ = ["LocalServerDialog", "server_label", "telling_lines"]


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
        self.tasks = Tasks()  # held until they end; failures reported
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
        self.model_file = ModelFileBox()
        self.server_options = ServerOptionsBox()
        self.status = ServerStatus(self.service)
        self.log_box = LogBox()
        self.servers = DetectedServersBox()
        # The parts' widgets that the dialog (and its tests) use, by their names from before.
        self.model_path = self.model_file.model_path
        self.info_label = self.model_file.info_label
        self.old_warning = self.model_file.old_warning
        self.fix_eos = self.model_file.fix_eos
        self.context = self.server_options.context
        self.gpu_layers = self.server_options.gpu_layers
        self.threads = self.server_options.threads
        self.port = self.server_options.port
        self.use_key = self.server_options.use_key
        self.binary = self.server_options.binary
        self.start_button = self.status.start_button
        self.stop_button = self.status.stop_button
        self.state_label = self.status.state_label
        self.progress = self.status.progress
        self.message = self.status.message
        self.log = self.log_box.log
        self.detected_list = self.servers.detected_list
        self.use_button = self.servers.use_button

        self.model_path.editingFinished.connect(self._on_path_edited)
        self.model_file.browse_button.clicked.connect(self._browse_model)
        self.server_options.browse_button.clicked.connect(self._browse_binary)
        self.start_button.clicked.connect(lambda: self.tasks.start(self.start()))
        self.stop_button.clicked.connect(lambda: self.tasks.start(self.stop()))
        self.detected_list.itemSelectionChanged.connect(self._update_buttons)
        self.detected_list.itemDoubleClicked.connect(lambda _item: self.use_selected())
        self.servers.refresh_button.clicked.connect(
            lambda: self.tasks.start(self.refresh_detected())
        )
        self.use_button.clicked.connect(self.use_selected)

        left = QWidget()  # what to run and how; on the right, what it says
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.model_file, self.server_options):
            column.addWidget(widget)
        # The status's widgets go straight into this column, as before the parts (no
        # container widget: the widget tree, and so layout and event order, stay as they were).
        column.addLayout(self.status.controls)
        column.addWidget(self.progress)
        column.addWidget(self.message)
        column.addWidget(self.servers, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(self.log_box)
        split.setSizes([560, 500])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(close)
        for button in self.findChildren(QPushButton):  # Enter in a field must not press one
            button.setAutoDefault(False)

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
            self.tasks.start(self.choose_model(path))

    def _browse_binary(self) -> None:
        path = self._ask_binary_path()
        if path is not None:
            self.binary.setText(str(path))

    def _on_path_edited(self) -> None:
        text = self.model_path.text().strip()
        current = str(self.info.path) if self.info else None
        if text and text != current:
            self.tasks.start(self.choose_model(Path(text).expanduser()))

    async def choose_model(self, path: Path) -> GgufInfo | None:
        """Read the file's metadata (on a worker thread) and show it."""
        self._reading, self.info = path, None
        self.model_file.show_reading()
        self._update_buttons()
        try:
            info = await self.service.read_gguf(path)
        except (NotGguf, OSError) as exc:
            if self._reading == path:
                self.model_file.show_problem(exc)
            return None
        finally:
            self._update_buttons()
        if self._reading != path:  # another file was chosen meanwhile
            return None
        self.info = info
        self.model_file.show_info(info)
        self.server_options.suggest_context(info.context_length)
        self._update_buttons()
        return info

    # --- start and stop ----------------------------------------------------------------

    def options(self) -> LaunchOptions:
        assert self.info is not None
        fix = self.info.old_glm4 and self.fix_eos.isChecked()
        return self.server_options.options(self.info.path, fix, self.info.glm4_0414_template)

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
        self.status.show_failure(text)

    def _on_state(self, state: str, detail: str) -> None:
        self.status.show_state(state, detail)
        if state in (ServerState.READY, ServerState.STOPPED) and self.isVisible():
            self.tasks.start(self.refresh_detected())  # our own server comes or goes
        self._update_buttons()

    def _update_buttons(self) -> None:
        state = self.service.state
        running = state in (ServerState.STARTING, ServerState.LOADING, ServerState.READY)
        self.start_button.setEnabled(not running and self.info is not None)
        self.start_button.setToolTip(
            "" if self.info else self.tr("Choose a GGUF model file first.")
        )
        self.stop_button.setEnabled(running)
        self.use_button.setEnabled(self.servers.has_choice())

    # --- servers already running -------------------------------------------------------

    @property
    def detected(self) -> list[DetectedServer]:
        """The servers found by the latest search, as listed."""
        return self.servers.servers

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.tasks.start(self.refresh_detected())

    async def refresh_detected(self) -> list[DetectedServer]:
        self._generation += 1
        generation = self._generation
        self.servers.show_looking()
        self._update_buttons()
        try:
            found = await self.service.detect(list(self.extra_urls()))
        except Exception as exc:  # a probe that failed in an unexpected way: say so, go on
            found = []
            failed = self.tr("Looking for local servers failed: {error}")
            self._show_failure(failed.format(error=exception_text(exc)))
        if generation != self._generation:  # a newer refresh is under way
            return found
        own = self.service.server.base_url if self.service.server.running else ""
        self.servers.show_found(found, own)
        self._update_buttons()
        return found

    def use_selected(self) -> DetectedServer | None:
        server = self.servers.chosen()
        if server is not None:
            self.useServer.emit(server)
        return server
