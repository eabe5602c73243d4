"""The tools side of the window: each conversation's workspace, its MCP servers, and the
approval of calls.

A conversation's own tools touch only its workspace folder (File → Open workspace…, the
toolbar's Workspace button, `--workspace DIR` for the first new tab); it is kept with the
conversation. The toolbar's MCP button lists the configured servers: those checked are on
for the current conversation (until the user chooses, every enabled server is). While a
call waits for the user, the approval bar above the composer says what the model wants (a
write shows its diff, an MCP call its server and arguments) and offers Allow once
(Ctrl+Enter), Allow for this conversation, Deny (Esc; Stop still ends the whole answer), and for
an MCP tool, Always allow this tool (it joins the server's alwaysAllow).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.asyncutil import Tasks
from app.core.tools.declare import Decision
from app.services.mcp import McpService, ServerState
from app.services.runs import RunService
from app.services.settings import SettingsService
from app.ui.chat_tab import ChatTab
from app.ui.code_highlighter import CodeHighlighter
from app.ui.conversation_tabs import ConversationTabs
from app.ui.syntax import code_font

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.core.conversation import Conversation
    from app.core.tools.toolbox import ToolBox

DIFF_LINES = 12  # lines of a write's diff the bar shows before it scrolls


def state_text(state: ServerState) -> str:
    """An MCP server's state in words (the MCP menu, Settings → Tools)."""
    translate = QCoreApplication.translate
    return {
        ServerState.STOPPED: translate("ToolsController", "not running"),
        ServerState.STARTING: translate("ToolsController", "starting…"),
        ServerState.READY: translate("ToolsController", "running"),
        ServerState.FAILED: translate("ToolsController", "failed"),
    }[state]


class ApprovalBar(QFrame):
    """What the model wants to do, and the user's three answers."""

    decided = Signal(object)  # a Decision
    alwaysAllowed = Signal()  # "Always allow this tool" (an MCP tool)

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
        self.always = QPushButton(self.tr("Always allow this tool"))
        self.always.setObjectName("allowAlwaysButton")
        self.always.setToolTip(
            self.tr("Add it to the server's alwaysAllow: it runs without asking from now on")
        )
        self.always.hide()  # for an MCP server's tool only
        self.deny = QPushButton(self.tr("Deny"))
        self.deny.setObjectName("denyButton")
        self.deny.setToolTip(self.tr("Do not run it; the model is told (Esc)"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.question, 1)
        for button in (self.allow, self.allow_all, self.always, self.deny):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.diff)
        self.allow.clicked.connect(lambda: self.decided.emit(Decision.ONCE))
        self.allow_all.clicked.connect(lambda: self.decided.emit(Decision.CONVERSATION))
        self.deny.clicked.connect(lambda: self.decided.emit(Decision.DENY))
        self.always.clicked.connect(self.alwaysAllowed)
        self.hide()

    def ask(self, question: str, diff: str, language: str = "diff", mcp: bool = False) -> None:
        self.always.setVisible(mcp)
        self._highlighter.set_language(language)
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
        mcp: McpService | None = None,
        open_settings: Callable[[str], object] | None = None,
        runs: RunService | None = None,
        run_code_on: Callable[[Conversation], bool] | None = None,
    ) -> None:
        super().__init__(window)
        self.runs = runs
        self._run_code_on = run_code_on
        self.tabs = tabs
        self.settings = settings
        self.window = window
        self.mcp = mcp
        self.tasks = Tasks()
        self._open_settings = open_settings
        self._first_workspace = workspace  # --workspace: for the first new tab
        self.bar = ApprovalBar()
        self.bar.decided.connect(self.decide)
        self.bar.alwaysAllowed.connect(self.allow_always)
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
        self.mcp_menu = QMenu(window)
        self.mcp_menu.setObjectName("mcpServersMenu")
        self.mcp_menu.aboutToShow.connect(self.fill_mcp_menu)
        self.mcp_action = QAction(self.tr("MCP"), self)
        self.mcp_action.setObjectName("mcpServersAction")
        self.mcp_action.setToolTip(self.tr("The MCP servers whose tools this conversation offers"))
        self.mcp_action.setMenu(self.mcp_menu)
        self.mcp_action.triggered.connect(lambda: None)  # the button opens the menu
        if mcp is not None:
            mcp.serversChanged.connect(self._servers_changed)
            mcp.serverChanged.connect(lambda _name: self._show_mcp(self.tabs.current_tab()))
        tabs.currentTabChanged.connect(self._show_mcp)

    # --- workspaces ----------------------------------------------------------------------

    def _setting(self, key: str, default: object) -> object:
        return self.settings.get(key) if self.settings is not None else default

    def toolbox_for(self, conv: Conversation, old: ToolBox | None = None) -> ToolBox | None:
        """The tools of a conversation: its workspace's and its MCP servers'; None (no
        tools) with neither. The tools are imported with the first workspace or server, not
        at start-up. What the user allowed in `old` (the conversation's toolbox until now)
        stays allowed."""
        has_servers = self.mcp is not None and bool(self.mcp.servers())
        run_code = bool(self.runs and self._run_code_on and self._run_code_on(conv))
        if not conv.workspace and not has_servers and not run_code:
            return None
        from app.core.tools.toolbox import ToolBox

        workspace = None
        if conv.workspace:
            from app.core.tools.workspace import Workspace

            try:
                workspace = Workspace(conv.workspace)
            except (OSError, ValueError):
                workspace = None  # gone since: no workspace tools until another is chosen
        if workspace is None and not has_servers and not run_code:
            return None
        servers = None
        if self.mcp is not None and has_servers:
            from app.core.mcp.tools import ConversationServers

            servers = ConversationServers(
                self.mcp.hub,
                names=lambda: self.servers_on(conv),
                timeout=lambda: float(self._setting("tools.mcp_timeout", 60.0)),  # type: ignore[arg-type]
            )
        box = ToolBox(
            workspace,
            ask_before_read=bool(self._setting("tools.ask_before_read", False)),
            ask_before_write=bool(self._setting("tools.ask_before_write", True)),
            mcp=servers,
            runner=(
                self.runs.conversation_runner(lambda: conv.workspace)
                if self.runs is not None and run_code
                else None
            ),
        )
        if old is not None:
            box.allowed, box.allowed_mcp = old.allowed, old.allowed_mcp
        return box

    def refresh_current(self) -> None:
        """The current conversation's tools changed (Run code turned on or off)."""
        tab = self.tabs.current_tab()
        if tab is not None:
            tab.session.toolbox = self.toolbox_for(tab.conversation, tab.session.toolbox)

    def _servers_changed(self) -> None:
        """Servers added or removed: a conversation without tools may have some now."""
        for tab in self.tabs.all_tabs():
            tab.session.toolbox = self.toolbox_for(tab.conversation, tab.session.toolbox)
        self._show_mcp(self.tabs.current_tab())

    def _wire_tab(self, tab: ChatTab) -> None:
        session = tab.session
        conv = session.conversation
        if not conv.workspace and not conv.nodes and self._first_workspace:
            conv.workspace, self._first_workspace = self._first_workspace, ""
        session.toolbox = self.toolbox_for(conv)
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
        tab.session.toolbox = self.toolbox_for(tab.conversation, tab.session.toolbox)
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

    # --- MCP servers ---------------------------------------------------------------------

    def servers_on(self, conv: Conversation) -> list[str]:
        """The enabled servers the conversation has on."""
        if self.mcp is None:
            return []
        enabled = self.mcp.enabled()
        chosen = enabled if conv.mcp_servers is None else conv.mcp_servers
        return [n for n in enabled if n in chosen]

    def fill_mcp_menu(self) -> None:
        """The menu: each enabled server, checked when on for this conversation, with its
        state; then Manage."""
        menu = self.mcp_menu
        menu.clear()
        tab = self.tabs.current_tab()
        if self.mcp is not None and tab is not None:
            on = set(self.servers_on(tab.conversation))
            names = self.mcp.enabled()
            for name in names:
                action = menu.addAction(f"{name}   {state_text(self.mcp.state(name))}")
                action.setObjectName(f"mcpServer:{name}")
                action.setCheckable(True)
                action.setChecked(name in on)
                action.toggled.connect(
                    lambda checked, n=name, t=tab: self.set_server(t, n, checked)
                )
            if not names:
                none = menu.addAction(self.tr("No MCP server is enabled"))
                none.setEnabled(False)
            menu.addSeparator()
        manage = menu.addAction(self.tr("Manage MCP servers…"))
        manage.setObjectName("manageMcpServersAction")
        manage.triggered.connect(lambda: self._open_settings and self._open_settings("tools"))

    def set_server(self, tab: ChatTab, name: str, on: bool) -> None:
        """Turn one server on or off for the conversation (kept with it)."""
        chosen = [n for n in self.servers_on(tab.conversation) if n != name]
        if on:
            chosen.append(name)
        tab.conversation.mcp_servers = chosen
        tab.session.save_fields()
        self._show_mcp(tab)

    def _show_mcp(self, tab: ChatTab | None) -> None:
        """The MCP button: how many servers the current conversation has on, and whether
        one has failed."""
        if tab is not self.tabs.current_tab():
            return
        if self.mcp is None or not self.mcp.servers():
            self.mcp_action.setText(self.tr("MCP"))
            self.mcp_action.setToolTip(self.tr("No MCP server is configured"))
            return
        on = self.servers_on(tab.conversation) if tab is not None else []
        failed = [n for n in on if self.mcp.state(n) == ServerState.FAILED]
        text = self.tr("MCP: {n}").format(n=len(on))
        if failed:
            text += " ⚠"
        self.mcp_action.setText(text)
        tip = ", ".join(on) if on else self.tr("No server is on for this conversation")
        if failed:
            tip += "\n" + self.tr("Failed: {names}").format(names=", ".join(failed))
        self.mcp_action.setToolTip(tip)

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
        elif call is not None and call.name == "run_code" and not call.server:
            self._ask_run_code(call.arguments)
            return
        elif call is not None and call.server:
            question = self.tr("GLM-4 wants to run {tool} on the MCP server {server}:").format(
                tool=call.tool, server=call.server
            )
            self.bar.ask(question, _pretty(call.arguments), "json", mcp=self.mcp is not None)
            return
        else:
            name = call.name if call is not None else "?"
            question = self.tr("GLM-4 wants to run {tool}.").format(tool=name)
        self.bar.ask(question, plan.diff if plan is not None else "")

    def _ask_run_code(self, arguments: str) -> None:
        """run_code: the code, highlighted, and where it would run."""
        from app.core.snippets import call_arguments

        args = call_arguments(arguments or "{}")
        language = str(args.get("language") or "")
        known = self.runs.known_layer() if self.runs is not None else None
        layer = known[0] if known is not None else None
        if layer is not None and layer.value == "none":
            question = self.tr(
                "GLM-4 wants to run this {language} code WITHOUT a sandbox (none works here: it "
                "could read your files and reach the network):"
            )
        else:
            question = self.tr("GLM-4 wants to run this {language} code in the sandbox:")
        fence = {"javascript": "javascript", "shell": "bash"}.get(language, "python")
        from app.core.runner.languages import NAMES

        shown = NAMES.get(language, language or "?")
        self.bar.ask(question.format(language=shown), str(args.get("code", "")), fence)

    def allow_always(self) -> bool:
        """The waiting MCP call's tool joins its server's alwaysAllow (saved), and runs."""
        tab = self.tabs.current_tab()
        call = tab.session.pending_call if tab is not None else None
        if self.mcp is None or call is None or not call.server:
            return False
        self.tasks.start(self.mcp.allow_always(call.server, call.tool))
        return self.decide(Decision.ONCE)

    def decide(self, decision: Decision) -> bool:
        """Answer the current tab's waiting call; False when none waits."""
        tab = self.tabs.current_tab()
        if tab is None or not tab.session.decide(decision):
            return False
        self.bar.hide()
        return True


def _pretty(arguments: str) -> str:
    import json

    try:
        return json.dumps(json.loads(arguments or "{}"), indent=2, ensure_ascii=False)
    except ValueError:
        return arguments
