"""The tools side of the window: each conversation's workspace and the approval of calls.

A conversation's tools touch only its workspace folder (File → Open workspace…, the
toolbar's Workspace button, `--workspace DIR` for the first new tab); it is kept with the
conversation. While a call waits for the user, the approval bar above the composer says
what the model wants (a write shows its diff) and offers Allow once (Ctrl+Enter), Allow
for this conversation, and Deny (Esc; Stop still ends the whole answer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.tools.declare import Decision
from app.services.settings import SettingsService
from app.ui.chat_tab import ChatTab
from app.ui.code_highlighter import CodeHighlighter
from app.ui.conversation_tabs import ConversationTabs
from app.ui.syntax import code_font

if TYPE_CHECKING:
    from app.core.tools.toolbox import ToolBox

DIFF_LINES = 12  # lines of a write's diff the bar shows before it scrolls


class ApprovalBar(QFrame):
    """What the model wants to do, and the user's three answers."""

    decided = Signal(object)  # a Decision

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approvalBar")
        self.question = QLabel()
        self.question.setObjectName("approvalQuestion")
        self.question.setWordWrap(True)
        self.diff = QPlainTextEdit()
        self.diff.setObjectName("approvalDiff")
        self.diff.setReadOnly(True)
        self.diff.setFont(code_font())
        self._highlighter = CodeHighlighter(self.diff.document(), "diff", self.diff)
        self.allow = QPushButton(self.tr("Allow once"))
        self.allow.setObjectName("allowOnceButton")
        self.allow.setToolTip(self.tr("Run this call (Ctrl+Enter)"))
        self.allow_all = QPushButton(self.tr("Allow for this conversation"))
        self.allow_all.setObjectName("allowConversationButton")
        self.deny = QPushButton(self.tr("Deny"))
        self.deny.setObjectName("denyButton")
        self.deny.setToolTip(self.tr("Do not run it; the model is told (Esc)"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.question, 1)
        for button in (self.allow, self.allow_all, self.deny):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.diff)
        self.allow.clicked.connect(lambda: self.decided.emit(Decision.ONCE))
        self.allow_all.clicked.connect(lambda: self.decided.emit(Decision.CONVERSATION))
        self.deny.clicked.connect(lambda: self.decided.emit(Decision.DENY))
        self.hide()

    def ask(self, question: str, diff: str) -> None:
        self.question.setText(question)
        self.diff.setPlainText(diff)
        self.diff.setVisible(bool(diff))
        lines = min(DIFF_LINES, max(1, diff.count("\n") + 1))  # as tall as the diff, up to
        self.diff.setFixedHeight(self.diff.fontMetrics().lineSpacing() * lines + 12)
        self.show()
        self.allow.setFocus()


class ToolsController(QObject):
    def __init__(
        self,
        tabs: ConversationTabs,
        settings: SettingsService | None,
        window: QWidget,
        workspace: str = "",
    ) -> None:
        super().__init__(window)
        self.tabs = tabs
        self.settings = settings
        self.window = window
        self._first_workspace = workspace  # --workspace: for the first new tab
        self.bar = ApprovalBar()
        self.bar.decided.connect(self.decide)
        self.workspace_action = QAction(self.tr("Open &Workspace…"), self)
        self.workspace_action.setObjectName("openWorkspaceAction")
        self.workspace_action.setToolTip(self.tr("Choose the folder GLM-4 may read and edit"))
        self.workspace_action.triggered.connect(self.choose_workspace)
        allow = QShortcut(QKeySequence("Ctrl+Return"), window)
        allow.setContext(Qt.ShortcutContext.WindowShortcut)
        allow.activated.connect(lambda: self.decide(Decision.ONCE))
        tabs.tabOpened.connect(self._wire_tab)
        tabs.currentTabChanged.connect(self._show_for)
        tabs.currentTabChanged.connect(self._show_workspace)

    # --- workspaces ----------------------------------------------------------------------

    def _setting(self, key: str, default: object) -> object:
        return self.settings.get(key) if self.settings is not None else default

    def toolbox_for(self, folder: str) -> ToolBox | None:
        """The tools of a conversation with this workspace; None (no tools) without one.
        The workspace tools are imported with the first workspace, not at start-up."""
        if not folder:
            return None
        from app.core.tools.toolbox import ToolBox
        from app.core.tools.workspace import Workspace

        try:
            workspace = Workspace(folder)
        except (OSError, ValueError):
            return None  # gone since: no tools until another is chosen
        return ToolBox(
            workspace,
            ask_before_read=bool(self._setting("tools.ask_before_read", False)),
            ask_before_write=bool(self._setting("tools.ask_before_write", True)),
        )

    def _wire_tab(self, tab: ChatTab) -> None:
        session = tab.session
        conv = session.conversation
        if not conv.workspace and not conv.nodes and self._first_workspace:
            conv.workspace, self._first_workspace = self._first_workspace, ""
        session.toolbox = self.toolbox_for(conv.workspace)
        session.max_rounds = int(self._setting("tools.max_rounds", 8))  # type: ignore[call-overload]
        session.approvalRequested.connect(lambda _a, _c, t=tab: self._show_for(t))
        session.toolCallChanged.connect(lambda _a, _c, t=tab: t.view.refresh())
        session.busyChanged.connect(lambda _b, t=tab: self._show_for(t))

    def choose_workspace(self) -> str:
        tab = self.tabs.current_tab()
        if tab is None:
            return ""
        start = tab.conversation.workspace or str(Path.home())
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Choose the workspace folder"), start
        )
        if folder:
            self.set_workspace(tab, folder)
        return folder

    def set_workspace(self, tab: ChatTab, folder: str) -> None:
        tab.conversation.workspace = folder
        tab.session.toolbox = self.toolbox_for(folder)
        tab.session.save_fields()
        self._show_workspace(tab)

    def _show_workspace(self, tab: ChatTab | None) -> None:
        """The toolbar button says the current conversation's workspace (or that none is
        chosen: then no tool is offered)."""
        if tab is not self.tabs.current_tab():
            return
        folder = tab.conversation.workspace if tab is not None else ""
        if folder:
            self.workspace_action.setText(
                self.tr("Workspace: {name}").format(name=Path(folder).name)
            )
            self.workspace_action.setToolTip(folder)
        else:
            self.workspace_action.setText(self.tr("Open &Workspace…"))
            self.workspace_action.setToolTip(self.tr("Choose the folder GLM-4 may read and edit"))

    # --- approval ------------------------------------------------------------------------

    def _show_for(self, tab: ChatTab | None) -> None:
        current = self.tabs.current_tab()
        if tab is not current:
            return
        session = tab.session if tab is not None else None
        if session is None or not session.waiting_for_approval:
            self.bar.hide()
            return
        call, plan = session.pending_call, session.pending_plan
        if plan is not None and plan.creates:
            question = self.tr("GLM-4 wants to create {path}:").format(path=plan.relative)
        elif plan is not None:
            question = self.tr("GLM-4 wants to change {path}:").format(path=plan.relative)
        else:
            name = call.name if call is not None else "?"
            question = self.tr("GLM-4 wants to run {tool}.").format(tool=name)
        self.bar.ask(question, plan.diff if plan is not None else "")

    def decide(self, decision: Decision) -> bool:
        """Answer the current tab's waiting call; False when none waits."""
        tab = self.tabs.current_tab()
        if tab is None or not tab.session.decide(decision):
            return False
        self.bar.hide()
        return True
