"""The Local model dialog's status: Start and Stop, the server's state in a line, a
progress bar while it starts, what went wrong, and llama-server's log."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.local_server import LocalServerService, ServerState
from app.ui.local_model.common import named
from app.ui.theme import set_tone

LOG_BLOCKS = 2000


class ServerStatus:
    """Start and Stop with the state line beside them (`controls`), and below them the
    progress bar and what went wrong; the dialog lays these out in its own column, as one
    with the form above. objectNames: localServerStart, localServerStop, localServerState,
    localServerProgress, localServerMessage."""

    def __init__(self, service: LocalServerService) -> None:
        self._service = service
        start = QCoreApplication.translate("LocalServerDialog", "Start")
        self.start_button = named(QPushButton(start), "localServerStart", start)
        stop = QCoreApplication.translate("LocalServerDialog", "Stop")
        self.stop_button = named(QPushButton(stop), "localServerStop", stop)
        self.state_label = named(
            QLabel(QCoreApplication.translate("LocalServerDialog", "Stopped")),
            "localServerState",
            QCoreApplication.translate("LocalServerDialog", "Server state"),
        )
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = named(
            QProgressBar(),
            "localServerProgress",
            QCoreApplication.translate("LocalServerDialog", "Starting"),
        )
        self.progress.setRange(0, 0)  # indeterminate
        self.progress.setMaximumHeight(10)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message = named(
            QLabel(),
            "localServerMessage",
            QCoreApplication.translate("LocalServerDialog", "Problem"),
        )
        self.message.setWordWrap(True)
        self.message.setProperty("tone", "error")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.controls = QHBoxLayout()
        self.controls.addWidget(self.start_button)
        self.controls.addWidget(self.stop_button)
        self.controls.addWidget(self.state_label, 1)

    def show_failure(self, text: str) -> None:
        """What went wrong (in red, selectable), until the server starts again."""
        self.message.setText(text)
        self.message.show()

    def show_state(self, state: str, detail: str) -> None:
        """The server's state (a ServerState value) in words, and the progress bar while it
        starts; a crash says why, with the lines of its log that tell."""
        server = self._service.server
        set_tone(self.state_label, "")
        if state == ServerState.STARTING:
            text = QCoreApplication.translate("LocalServerDialog", "Starting…")
        elif state == ServerState.LOADING:
            text = QCoreApplication.translate("LocalServerDialog", "Loading the model…")
        elif state == ServerState.READY:
            url = server.base_url.removesuffix("/v1") or detail
            parts = [
                QCoreApplication.translate("LocalServerDialog", "Ready at {url}").format(url=url)
            ]
            if server.info and server.info.n_ctx:
                context = QCoreApplication.translate("LocalServerDialog", "context {n:,} tokens")
                parts.append(context.format(n=server.info.n_ctx))
            if server.info and server.info.build:
                build = QCoreApplication.translate("LocalServerDialog", "build {build}")
                parts.append(build.format(build=server.info.build))
            if server.ready_after is not None:
                loaded = QCoreApplication.translate(
                    "LocalServerDialog", "loaded in {seconds:.1f} s"
                )
                parts.append(loaded.format(seconds=server.ready_after))
            text = " · ".join(parts)
            set_tone(self.state_label, "success")
        elif state == ServerState.CRASHED:
            first, _, last_lines = detail.partition("\n")
            code = re.fullmatch(r"exit status (-?\d+)", first)
            if code:
                status = QCoreApplication.translate("LocalServerDialog", "exit status {code}")
                reason = status.format(code=code[1])
            else:
                reason = first or QCoreApplication.translate(
                    "LocalServerDialog", "it ended by itself"
                )
            crashed = QCoreApplication.translate("LocalServerDialog", "Crashed ({reason})")
            text = crashed.format(reason=reason)
            set_tone(self.state_label, "error")
            if last_lines:
                said = QCoreApplication.translate("LocalServerDialog", "It said:\n{lines}")
                self.show_failure(said.format(lines=telling_lines(last_lines)))
        else:
            text = QCoreApplication.translate("LocalServerDialog", "Stopped")
        self.state_label.setText(text)
        self.progress.setVisible(state in (ServerState.STARTING, ServerState.LOADING))
        if state in (ServerState.STARTING, ServerState.LOADING, ServerState.READY):
            self.message.hide()


class LogBox(QGroupBox):
    """llama-server's output, as it comes (objectName localServerLog); the last lines only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("LocalServerDialog", "Log"), parent)
        self.log = named(
            QPlainTextEdit(),
            "localServerLog",
            QCoreApplication.translate("LocalServerDialog", "Server log"),
        )
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_BLOCKS)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setPlaceholderText(
            QCoreApplication.translate("LocalServerDialog", "llama-server's output appears here.")
        )
        QVBoxLayout(self).addWidget(self.log)


def telling_lines(lines: str, most: int = 3) -> str:
    """Of a crashed server's last lines, the few that say what went wrong."""
    rows = [line.strip() for line in lines.splitlines() if line.strip()]
    errors = [line for line in rows if "error" in line.lower() or "failed" in line.lower()]
    return "\n".join((errors or rows)[-most:])
