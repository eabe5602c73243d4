"""The main window's local-model side: the Local model dialog, the local server's status,
Offline mode, and switching a failed cloud answer to the local model. A mixin of MainWindow,
kept apart because it is one idea."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QStatusBar, QToolButton

from app.core.asyncutil import spawn
from app.core.conversation import AnswerState, ChatMessage
from app.core.discovery import DetectedServer
from app.core.errors import ErrorKind
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.localserver import ServerState
from app.core.providers import PROVIDERS, Provider, is_loopback_url
from app.services.backend import Backend
from app.services.local_server import LocalServerService
from app.services.translation import translated
from app.ui.theme import set_tone

if TYPE_CHECKING:
    from app.services.chat_session import ChatSession
    from app.services.history import HistoryService
    from app.ui.chat_view import ChatView
    from app.ui.local_server_dialog import LocalServerDialog

LOCAL_ID = "local"
SWITCH_KINDS = (ErrorKind.NETWORK, ErrorKind.OFFLINE)  # failures the local model can answer
OFFLINE_ON = QT_TRANSLATE_NOOP("LocalModelMixin", "Offline: nothing leaves this machine")
OFFLINE_OFF = QT_TRANSLATE_NOOP("LocalModelMixin", "Offline mode")
NOTICE_MS = 10_000
_STATUS = {  # state: (indicator text, tone)
    ServerState.STARTING: (QT_TRANSLATE_NOOP("LocalModelMixin", "Local: starting…"), "warning"),
    ServerState.LOADING: (QT_TRANSLATE_NOOP("LocalModelMixin", "Local: loading…"), "warning"),
    ServerState.READY: (QT_TRANSLATE_NOOP("LocalModelMixin", "Local: ready"), "success"),
    ServerState.CRASHED: (QT_TRANSLATE_NOOP("LocalModelMixin", "Local: crashed"), "error"),
}


class LocalModelMixin:
    backend: Backend
    history: HistoryService
    providers: list[Provider]
    provider_selector: QComboBox
    status_label: QLabel
    _sessions: dict[ChatView, ChatSession]

    if TYPE_CHECKING:  # provided by MainWindow / QMainWindow

        def statusBar(self) -> QStatusBar: ...
        def current_provider(self) -> Provider: ...
        def _update_status_provider(self) -> None: ...

    def _setup_local(self) -> None:
        """The service, the actions and the status-bar widgets (placed by the window)."""
        self.local = LocalServerService(self.history.path.parent, self)  # type: ignore[arg-type]
        self.local.stateChanged.connect(self._on_local_state)
        self._local_base = next(
            (p for p in self.providers if p.id == LOCAL_ID), PROVIDERS[LOCAL_ID]
        )
        self._local_dialog: LocalServerDialog | None = None
        self._local_tasks: set[asyncio.Future[Any]] = set()
        self._local_stopping: asyncio.Future[None] | None = None
        self._auto_switched: set[str] = set()  # answers already switched to local once

        self.local_action = QAction(
            QCoreApplication.translate("LocalModelMixin", "&Local model…"),
            self,  # type: ignore[arg-type]
        )
        self.local_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.local_action.triggered.connect(lambda: self.open_local_dialog())
        self.offline_action = QAction(
            QCoreApplication.translate("LocalModelMixin", "&Offline mode"),
            self,  # type: ignore[arg-type]
        )
        self.offline_action.setCheckable(True)
        self.offline_action.setToolTip(
            QCoreApplication.translate(
                "LocalModelMixin", "Send nothing to any server off this machine"
            )
        )
        self.offline_action.toggled.connect(self.set_offline)
        self.auto_local_action = QAction(
            QCoreApplication.translate(
                "LocalModelMixin", "Switch to local automatically when offline"
            ),
            self,  # type: ignore[arg-type]
        )
        self.auto_local_action.setCheckable(True)

        self.local_status = QToolButton()
        self.local_status.setObjectName("localServerStatus")
        self.local_status.setAccessibleName(
            QCoreApplication.translate("LocalModelMixin", "Local model status")
        )
        self.local_status.setAutoRaise(True)
        self.local_status.clicked.connect(lambda: self.open_local_dialog())
        self.local_status.hide()
        self.offline_toggle = QToolButton()
        self.offline_toggle.setObjectName("offlineToggle")
        self.offline_toggle.setAccessibleName(translated(OFFLINE_OFF))
        self.offline_toggle.setCheckable(True)
        self.offline_toggle.setText(translated(OFFLINE_OFF))
        self.offline_toggle.setToolTip(
            QCoreApplication.translate(
                "LocalModelMixin", "Offline mode: send nothing to any server off this machine"
            )
        )
        self.offline_toggle.toggled.connect(self.set_offline)
        for button in (self.local_status, self.offline_toggle):  # no taller than the bar's
            button.setMaximumHeight(button.fontMetrics().height() + 2)  # text: it keeps its height
        if self.local.pid_file.exists():  # an earlier run may have left its server running
            QTimer.singleShot(0, lambda: self._spawn(self._end_orphan()))

    def _add_local_menu(self, menu: QMenu) -> None:
        menu.addAction(self.local_action)
        menu.addAction(self.offline_action)
        menu.addAction(self.auto_local_action)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run a coroutine from a slot; kept referenced until it ends."""
        return spawn(coro, self._local_tasks)

    async def _end_orphan(self) -> None:
        pid = await asyncio.to_thread(self.local.end_orphan)
        if pid is not None:
            text = QCoreApplication.translate(
                "LocalModelMixin",
                "Ended a llama-server (process {pid}) that an earlier run left running.",
            )
            self.statusBar().showMessage(text.format(pid=pid), NOTICE_MS)

    # --- the dialog --------------------------------------------------------------------

    def open_local_dialog(self) -> LocalServerDialog:
        if self._local_dialog is None:
            from app.ui.local_server_dialog import LocalServerDialog  # loaded when asked for

            dialog = LocalServerDialog(self.local, self._detect_urls, self)  # type: ignore[arg-type]
            dialog.useServer.connect(self.use_detected_server)
            self._local_dialog = dialog
        self._local_dialog.show()
        self._local_dialog.raise_()
        self._local_dialog.activateWindow()
        return self._local_dialog

    def _detect_urls(self) -> list[str]:
        """Beyond the usual ports: where the local provider points, and our own server."""
        urls = [self._provider(LOCAL_ID).base_url, self._local_base.base_url]
        if self.local.server.running:
            urls.append(self.local.server.base_url)
        return [u for u in dict.fromkeys(urls) if u and is_loopback_url(u)]

    # --- providers ---------------------------------------------------------------------

    def _provider(self, provider_id: str) -> Provider:
        found = next((p for p in self.providers if p.id == provider_id), None)
        return found or PROVIDERS.get(provider_id, self._local_base)

    def _set_provider(self, provider: Provider) -> None:
        """Replace a provider (same id) in the list and the selector."""
        for i, p in enumerate(self.providers):
            if p.id == provider.id:
                self.providers[i] = provider
                break
        else:
            self.providers.append(provider)
            self.provider_selector.addItem(provider.label, provider.id)
        self._refresh_provider_items()

    def _refresh_provider_items(self) -> None:
        for i in range(self.provider_selector.count()):
            p = self._provider(self.provider_selector.itemData(i))
            off = self.backend.offline and not p.is_loopback
            label = (
                QCoreApplication.translate("LocalModelMixin", "{provider}  (offline)")
                if off
                else "{provider}"
            )
            self.provider_selector.setItemText(i, label.format(provider=p.label))
            self.provider_selector.setItemData(i, p.base_url, Qt.ItemDataRole.ToolTipRole)
        self._update_status_provider()

    def _select_local(self) -> None:
        self.provider_selector.setCurrentIndex(self.provider_selector.findData(LOCAL_ID))

    def use_detected_server(self, server: DetectedServer) -> Provider:
        """Point the chat's local provider at a server already running on this machine."""
        own = self.local.server
        if own.running and server.base_url == own.base_url:
            provider = self.local.provider_for(self._local_base)
            self.backend.set_session_key(LOCAL_ID, own.api_key)
        else:
            model = server.models[0] if server.models else None
            provider = self._local_base.with_overrides(base_url=server.base_url, model=model)
            if server.info and server.info.n_ctx:
                provider = provider.with_context(server.info.n_ctx)
            self.backend.set_session_key(LOCAL_ID, None)
        self._set_provider(provider)
        self._select_local()
        from app.ui.local_server_dialog import server_label

        text = QCoreApplication.translate("LocalModelMixin", "The local model is now {label}.")
        self.status_label.setText(text.format(label=server_label(server)))
        return provider

    # --- the local server's state --------------------------------------------------------

    def _on_local_state(self, state: str, detail: str) -> None:
        server = self.local.server
        shown = _STATUS.get(ServerState(state))
        self.local_status.setVisible(shown is not None)
        if shown is not None:
            self.local_status.setText(translated(shown[0]))
            set_tone(self.local_status, shown[1])
            tip = server.base_url if state == ServerState.READY else detail.partition("\n")[0]
            click = QCoreApplication.translate(
                "LocalModelMixin", "Click for the Local model window."
            )
            self.local_status.setToolTip(f"{tip}\n{click}".strip())
        if state == ServerState.READY:
            self.backend.set_session_key(LOCAL_ID, server.api_key)
            self._set_provider(self.local.provider_for(self._local_base))
            self._select_local()
            self.status_label.setText(
                QCoreApplication.translate(
                    "LocalModelMixin", "The local model is ready: new messages go to it."
                )
            )
        elif state in (ServerState.STOPPED, ServerState.CRASHED):
            if server.base_url and self._provider(LOCAL_ID).base_url == server.base_url:
                self.backend.set_session_key(LOCAL_ID, None)
                self._set_provider(self._local_base)
            if state == ServerState.CRASHED:
                self.status_label.setText(
                    QCoreApplication.translate(
                        "LocalModelMixin", "The local model crashed: see the Local model window."
                    )
                )

    async def stop_local(self) -> None:
        """Stop our llama-server, if any, and wait for it (the app never leaves one)."""
        if self._local_stopping is not None:
            await self._local_stopping
        await self.local.stop()

    def _begin_local_stop(self) -> None:
        """At close: start stopping now; `wait_stopped` awaits the end."""
        if self.local.server.running and self._local_stopping is None:
            self._local_stopping = self._spawn(self.local.stop())

    # --- Offline mode ------------------------------------------------------------------

    def set_offline(self, on: bool) -> None:
        self.backend.offline = on
        for widget in (self.offline_action, self.offline_toggle):
            if widget.isChecked() != on:
                widget.setChecked(on)  # re-enters once, then agrees
        self.offline_toggle.setText(translated(OFFLINE_ON if on else OFFLINE_OFF))
        self._refresh_provider_items()

    # --- switching to the local model ----------------------------------------------------

    def _offers_local(self, message: ChatMessage) -> bool:
        """Whether a failed answer's footer offers "Switch to the local model"."""
        err = message.error
        if err is None or err.kind not in SWITCH_KINDS:
            return False
        return not self._provider(message.provider_id or LOCAL_ID).is_loopback

    def switch_to_local(self, session: ChatSession, auto: bool = False) -> asyncio.Future[Any]:
        return self._spawn(self._switch_to_local(session, auto))

    async def _switch_to_local(self, session: ChatSession, auto: bool) -> bool:
        """Select the local provider and ask again; without a local model, say how to get
        one (the Local model window), unless this was automatic."""
        if self.local.state != ServerState.READY:
            found = await self.local.detect(self._detect_urls())
            current = self._provider(LOCAL_ID).base_url.rstrip("/")
            chosen = next((s for s in found if s.base_url == current), None)
            chosen = chosen or next((s for s in found if not s.needs_key), None)
            if chosen is None:
                text = QCoreApplication.translate(
                    "LocalModelMixin",
                    "No local model is running: start one in the Local model window.",
                )
                if auto:
                    self.statusBar().showMessage(text, NOTICE_MS)
                else:
                    self.open_local_dialog()._show_failure(
                        QCoreApplication.translate(
                            "LocalModelMixin",
                            "No local model is running. Choose a GGUF file and Start (or use a "
                            "server listed below), then retry.",
                        )
                    )
                return False
            if chosen.base_url != current:
                self.use_detected_server(chosen)
        self._select_local()
        if session not in self._sessions.values() or session.busy:
            return False
        return session.retry(self.current_provider())

    def _after_answer(self, session: ChatSession, message: ChatMessage) -> None:
        """A cloud answer that failed for want of a network: switch once, if asked to."""
        if (
            message.state == AnswerState.ERROR
            and self.auto_local_action.isChecked()
            and self._offers_local(message)
            and message.id not in self._auto_switched
        ):
            self._auto_switched.add(message.id)
            name = self._provider(message.provider_id).name
            text = QCoreApplication.translate(
                "LocalModelMixin",
                "{name} could not be reached: switched to the local model and asked again.",
            )
            self.statusBar().showMessage(text.format(name=name), NOTICE_MS)
            self.switch_to_local(session, auto=True)
