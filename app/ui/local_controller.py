"""The local-model side of the window: the Local model dialog, the local server's status,
Offline mode, and switching a failed cloud answer to the local model.

Owns the `LocalServerService` (one llama-server at a time), the Local model, Offline mode and
"switch automatically" actions, and two status-bar buttons that the window places. It points
the providers' local entry at a running or detected server through `ProviderService.use`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from app.core.asyncutil import Tasks
from app.core.conversation import AnswerState, ChatMessage
from app.core.errors import ErrorKind
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.providers import Provider, is_loopback_url
from app.services.backend import Backend
from app.services.local_server import DetectedServer, LocalServerService, ServerState
from app.services.providers import LOCAL_ID, ProviderService
from app.services.translation import translated
from app.ui.chat_tab import ChatTab
from app.ui.theme import set_tone

if TYPE_CHECKING:
    from app.ui.local_server_dialog import LocalServerDialog

SWITCH_KINDS = (ErrorKind.NETWORK, ErrorKind.OFFLINE)  # failures the local model can answer
OFFLINE_ON = QT_TRANSLATE_NOOP("LocalModelController", "Offline: nothing leaves this machine")
OFFLINE_OFF = QT_TRANSLATE_NOOP("LocalModelController", "Offline mode")
NOTICE_MS = 10_000
_STATUS = {  # state: (indicator text, tone)
    ServerState.STARTING: (
        QT_TRANSLATE_NOOP("LocalModelController", "Local: starting…"),
        "warning",
    ),
    ServerState.LOADING: (QT_TRANSLATE_NOOP("LocalModelController", "Local: loading…"), "warning"),
    ServerState.READY: (QT_TRANSLATE_NOOP("LocalModelController", "Local: ready"), "success"),
    ServerState.CRASHED: (QT_TRANSLATE_NOOP("LocalModelController", "Local: crashed"), "error"),
}


class LocalModelController(QObject):
    statusText = Signal(str)  # for the window's status line
    barMessage = Signal(str, int)  # a passing message for the status bar, milliseconds

    def __init__(
        self,
        backend: Backend,
        providers: ProviderService,
        profile: Path,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.backend = backend
        self.providers = providers
        self.window = window
        self.service = LocalServerService(profile, self)
        self.service.stateChanged.connect(self._on_state)
        self.dialog: LocalServerDialog | None = None
        self.tasks = Tasks()
        self._stopping: asyncio.Future[Any] | None = None
        self._auto_switched: set[str] = set()  # answers already switched to local once

        self.local_action = QAction(self.tr("&Local model…"), self)
        self.local_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.local_action.triggered.connect(lambda: self.open_dialog())
        self.offline_action = QAction(self.tr("&Offline mode"), self)
        self.offline_action.setCheckable(True)
        self.offline_action.setToolTip(self.tr("Send nothing to any server off this machine"))
        self.offline_action.toggled.connect(self.set_offline)
        self.auto_local_action = QAction(
            self.tr("Switch to local automatically when offline"), self
        )
        self.auto_local_action.setCheckable(True)

        self.status_button = QToolButton()
        self.status_button.setObjectName("localServerStatus")
        self.status_button.setAccessibleName(self.tr("Local model status"))
        self.status_button.setAutoRaise(True)
        self.status_button.clicked.connect(lambda: self.open_dialog())
        self.status_button.hide()
        self.offline_toggle = QToolButton()
        self.offline_toggle.setObjectName("offlineToggle")
        self.offline_toggle.setAccessibleName(translated(OFFLINE_OFF))
        self.offline_toggle.setCheckable(True)
        self.offline_toggle.setText(translated(OFFLINE_OFF))
        self.offline_toggle.setToolTip(
            self.tr("Offline mode: send nothing to any server off this machine")
        )
        self.offline_toggle.toggled.connect(self.set_offline)
        for button in (self.status_button, self.offline_toggle):  # no taller than the bar's
            button.setMaximumHeight(button.fontMetrics().height() + 2)  # text: it keeps its height
        settings = self.providers.settings
        if settings is not None and settings.get("network.offline"):
            self.set_offline(True)  # kept across runs, and shared with `glm-desk ask`
        if self.service.pid_file.exists():  # an earlier run may have left its server running
            QTimer.singleShot(0, self, lambda: self.tasks.start(self._end_orphan()))

    def add_to_menu(self, menu: QMenu) -> None:
        menu.addAction(self.local_action)
        menu.addAction(self.offline_action)
        menu.addAction(self.auto_local_action)

    async def _end_orphan(self) -> None:
        pid = await asyncio.to_thread(self.service.end_orphan)
        if pid is not None:
            text = self.tr("Ended a llama-server (process {pid}) that an earlier run left running.")
            self.barMessage.emit(text.format(pid=pid), NOTICE_MS)

    # --- the dialog --------------------------------------------------------------------

    def open_dialog(self) -> LocalServerDialog:
        if self.dialog is None:
            from app.ui.local_server_dialog import LocalServerDialog  # loaded when asked for

            dialog = LocalServerDialog(self.service, self._detect_urls, self.window)
            dialog.useServer.connect(self.use_detected_server)
            self.dialog = dialog
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _detect_urls(self) -> list[str]:
        """Beyond the usual ports: where the local provider points, and our own server."""
        urls = [self.providers.provider(LOCAL_ID).base_url, self.providers.local_base.base_url]
        if self.service.server.running:
            urls.append(self.service.server.base_url)
        return [u for u in dict.fromkeys(urls) if u and is_loopback_url(u)]

    def use_detected_server(self, server: DetectedServer) -> Provider:
        """Point the chat's local provider at a server already running on this machine."""
        own = self.service.server
        base = self.providers.local_base
        if own.running and server.base_url == own.base_url:
            provider = self.service.provider_for(base)
            self.backend.set_session_key(LOCAL_ID, own.api_key)
        else:
            model = server.models[0] if server.models else None
            provider = base.with_overrides(base_url=server.base_url, model=model)
            if server.info and server.info.n_ctx:
                provider = provider.with_context(server.info.n_ctx)
            if server.info:
                provider = provider.with_tools_as_text(server.info.glm4_stock_template)
            self.backend.set_session_key(LOCAL_ID, None)
        self.providers.use(provider)
        self.providers.select(LOCAL_ID)
        from app.ui.local_server_dialog import server_label

        text = self.tr("The local model is now {label}.")
        self.statusText.emit(text.format(label=server_label(server)))
        return provider

    # --- the local server's state --------------------------------------------------------

    def _on_state(self, state: str, detail: str) -> None:
        server = self.service.server
        shown = _STATUS.get(ServerState(state))
        self.status_button.setVisible(shown is not None)
        if shown is not None:
            self.status_button.setText(translated(shown[0]))
            set_tone(self.status_button, shown[1])
            tip = server.base_url if state == ServerState.READY else detail.partition("\n")[0]
            click = self.tr("Click for the Local model window.")
            self.status_button.setToolTip(f"{tip}\n{click}".strip())
        if state == ServerState.READY:
            self.backend.set_session_key(LOCAL_ID, server.api_key)
            self.providers.use(self.service.provider_for(self.providers.local_base))
            self.providers.select(LOCAL_ID)
            self.statusText.emit(self.tr("The local model is ready: new messages go to it."))
        elif state in (ServerState.STOPPED, ServerState.CRASHED):
            if server.base_url and self.providers.provider(LOCAL_ID).base_url == server.base_url:
                self.backend.set_session_key(LOCAL_ID, None)
                self.providers.restore(LOCAL_ID)
            if state == ServerState.CRASHED:
                self.statusText.emit(
                    self.tr("The local model crashed: see the Local model window.")
                )

    async def stop(self) -> None:
        """Stop our llama-server, if any, and wait for it (the app never leaves one)."""
        if self._stopping is not None:
            await self._stopping
        await self.service.stop()

    def begin_stop(self) -> None:
        """At close: start stopping now; `stop` awaits the end."""
        if self.service.server.running and self._stopping is None:
            self._stopping = self.tasks.start(self.service.stop())

    # --- Offline mode ------------------------------------------------------------------

    def set_offline(self, on: bool) -> None:
        for widget in (self.offline_action, self.offline_toggle):
            if widget.isChecked() != on:
                widget.setChecked(on)  # re-enters once, then agrees
        self.offline_toggle.setText(translated(OFFLINE_ON if on else OFFLINE_OFF))
        self.providers.set_offline(on)
        settings = self.providers.settings
        if settings is not None and bool(settings.get("network.offline")) != on:
            settings.apply({"network.offline": on})

    # --- switching to the local model ----------------------------------------------------

    def offers_local(self, message: ChatMessage) -> bool:
        """Whether a failed answer's footer offers "Switch to the local model"."""
        err = message.error
        if err is None or err.kind not in SWITCH_KINDS:
            return False
        return not self.providers.provider(message.provider_id or LOCAL_ID).is_loopback

    def switch_to_local(self, tab: ChatTab, auto: bool = False) -> asyncio.Future[Any]:
        return self.tasks.start(self._switch_to_local(tab, auto))

    async def _switch_to_local(self, tab: ChatTab, auto: bool) -> bool:
        """Select the local provider and ask again; without a local model, say how to get
        one (the Local model window), unless this was automatic."""
        if self.service.state != ServerState.READY:
            found = await self.service.detect(self._detect_urls())
            current = self.providers.provider(LOCAL_ID).base_url.rstrip("/")
            chosen = next((s for s in found if s.base_url == current), None)
            chosen = chosen or next((s for s in found if not s.needs_key), None)
            if chosen is None:
                if auto:
                    text = self.tr(
                        "No local model is running: start one in the Local model window."
                    )
                    self.barMessage.emit(text, NOTICE_MS)
                else:
                    self.open_dialog()._show_failure(
                        self.tr(
                            "No local model is running. Choose a GGUF file and Start (or use a "
                            "server listed below), then retry."
                        )
                    )
                return False
            if chosen.base_url != current:
                self.use_detected_server(chosen)
        self.providers.select(LOCAL_ID)
        if tab.closed or tab.busy:
            return False
        return tab.retry()

    def after_answer(self, tab: ChatTab, message: ChatMessage) -> None:
        """A cloud answer that failed for want of a network: switch once, if asked to."""
        if (
            message.state == AnswerState.ERROR
            and self.auto_local_action.isChecked()
            and self.offers_local(message)
            and message.id not in self._auto_switched
        ):
            self._auto_switched.add(message.id)
            name = self.providers.provider(message.provider_id).name
            text = self.tr(
                "{name} could not be reached: switched to the local model and asked again."
            )
            self.barMessage.emit(text.format(name=name), NOTICE_MS)
            self.switch_to_local(tab, auto=True)
