"""The Local model dialog's list of servers already running on this machine (llama.cpp,
Ollama, LM Studio, ...), found by probing the usual ports."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.discovery import KNOWN_PORTS
from app.services.local_server import DetectedServer
from app.ui.local_model.common import named


class DetectedServersBox(QGroupBox):
    """objectNames: detectedServers, refreshDetected, useDetectedServer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            QCoreApplication.translate(
                "LocalServerDialog", "Servers already running on this machine"
            ),
            parent,
        )
        self.servers: list[DetectedServer] = []  # as listed, in order
        self.detected_list = named(
            QListWidget(),
            "detectedServers",
            QCoreApplication.translate("LocalServerDialog", "Detected servers"),
        )
        refresh = QCoreApplication.translate("LocalServerDialog", "Refresh")
        self.refresh_button = named(QPushButton(refresh), "refreshDetected", refresh)
        use = QCoreApplication.translate("LocalServerDialog", "Use this server")
        self.use_button = named(QPushButton(use), "useDetectedServer", use)
        layout = QVBoxLayout(self)
        layout.addWidget(self.detected_list)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.use_button)
        layout.addLayout(buttons)

    def show_looking(self) -> None:
        """A search is under way."""
        self.detected_list.clear()
        self._placeholder(
            QCoreApplication.translate("LocalServerDialog", "Looking for servers on this machine…")
        )

    def show_found(self, found: list[DetectedServer], own_url: str) -> None:
        """The servers found, the first one chosen; the one at `own_url` was started here."""
        self.servers = found
        self.detected_list.clear()
        for index, server in enumerate(found):
            label = server_label(server)
            if server.base_url == own_url:
                here = QCoreApplication.translate("LocalServerDialog", "{server} · started here")
                label = here.format(server=label)
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setToolTip(server.base_url)
            self.detected_list.addItem(item)
        if not found:
            ports = ", ".join(str(p) for p in KNOWN_PORTS)
            none = QCoreApplication.translate(
                "LocalServerDialog", "No local servers found (looked at ports {ports})."
            )
            self._placeholder(none.format(ports=ports))
        else:
            self.detected_list.setCurrentRow(0)

    def _placeholder(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.detected_list.addItem(item)

    def has_choice(self) -> bool:
        """A server (not a placeholder) is chosen."""
        item = self.detected_list.currentItem()
        return bool(item and item.data(Qt.ItemDataRole.UserRole) is not None)

    def chosen(self) -> DetectedServer | None:
        item = self.detected_list.currentItem()
        index = item.data(Qt.ItemDataRole.UserRole) if item else None
        if index is None or not 0 <= index < len(self.servers):
            return None
        return self.servers[index]


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
