"""Settings → Tools: the tool loop's options and the MCP servers.

The options (rounds, approvals, the MCP call timeout) are saved with OK or Apply like every
other setting. The server list is a manager: adding, editing, removing, enabling and
importing take effect at once (the values of `env` and `headers` go to the keyring). The
server selected shows its state, its tools and its log; Start/Stop starts or ends it now.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.asyncutil import Tasks
from app.core.settings import Value
from app.services.mcp import ConfigError, McpService, ServerConfig, ServerState
from app.services.translation import exception_text, translated
from app.ui.settings.common import note
from app.ui.theme import set_tone
from app.ui.tools_controller import state_text


class ToolsPage(QWidget):
    """objectNames: maxRoundsField, askBeforeReadCheck, askBeforeWriteCheck,
    mcpTimeoutField, webSearchDefaultCheck, webSearchCountField, webSearchRecencyCombo,
    mcpServerList, mcpAddButton, mcpEditButton, mcpRemoveButton, mcpImportButton,
    mcpStartButton, mcpServerState, mcpServerTools, mcpServerLog, mcpMessage."""

    edited = Signal(str, object)  # settings key, value

    def __init__(
        self, pending: Mapping[str, Value], mcp: McpService | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.mcp = mcp
        self.tasks = Tasks()
        self.rounds = QSpinBox()
        self.rounds.setObjectName("maxRoundsField")
        self.rounds.setRange(1, 50)
        self.rounds.setValue(int(pending["tools.max_rounds"]))  # type: ignore[call-overload]
        self.rounds.valueChanged.connect(lambda v: self.edited.emit("tools.max_rounds", int(v)))
        self.ask_read = QCheckBox(
            QCoreApplication.translate("ToolsPage", "Ask before GLM-4 reads files in the workspace")
        )
        self.ask_read.setObjectName("askBeforeReadCheck")
        self.ask_read.setChecked(bool(pending["tools.ask_before_read"]))
        self.ask_read.toggled.connect(lambda v: self.edited.emit("tools.ask_before_read", v))
        self.ask_write = QCheckBox(
            QCoreApplication.translate(
                "ToolsPage", "Ask before GLM-4 changes files (a backup is kept)"
            )
        )
        self.ask_write.setObjectName("askBeforeWriteCheck")
        self.ask_write.setChecked(bool(pending["tools.ask_before_write"]))
        self.ask_write.toggled.connect(lambda v: self.edited.emit("tools.ask_before_write", v))
        self.timeout = QDoubleSpinBox()
        self.timeout.setObjectName("mcpTimeoutField")
        self.timeout.setRange(1, 3600)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(QCoreApplication.translate("ToolsPage", " s"))
        self.timeout.setValue(float(pending["tools.mcp_timeout"]))  # type: ignore[arg-type]
        self.timeout.valueChanged.connect(lambda v: self.edited.emit("tools.mcp_timeout", v))
        self.search_default = QCheckBox(
            QCoreApplication.translate("ToolsPage", "Search the web in new conversations")
        )
        self.search_default.setObjectName("webSearchDefaultCheck")
        self.search_default.setChecked(bool(pending["generation.web_search"]))
        self.search_default.toggled.connect(lambda v: self.edited.emit("generation.web_search", v))
        self.search_count = QSpinBox()
        self.search_count.setObjectName("webSearchCountField")
        self.search_count.setRange(1, 50)
        self.search_count.setValue(int(pending["generation.web_search_count"]))  # type: ignore[call-overload]
        self.search_count.valueChanged.connect(
            lambda v: self.edited.emit("generation.web_search_count", int(v))
        )
        self.search_recency = QComboBox()
        self.search_recency.setObjectName("webSearchRecencyCombo")
        for value, label in (
            ("noLimit", QCoreApplication.translate("ToolsPage", "Any time")),
            ("oneYear", QCoreApplication.translate("ToolsPage", "The past year")),
            ("oneMonth", QCoreApplication.translate("ToolsPage", "The past month")),
            ("oneWeek", QCoreApplication.translate("ToolsPage", "The past week")),
            ("oneDay", QCoreApplication.translate("ToolsPage", "The past day")),
        ):
            self.search_recency.addItem(label, value)
        self.search_recency.setCurrentIndex(
            max(0, self.search_recency.findData(pending["generation.web_search_recency"]))
        )
        self.search_recency.currentIndexChanged.connect(
            lambda _i: self.edited.emit(
                "generation.web_search_recency", self.search_recency.currentData()
            )
        )
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("ToolsPage", "Tool rounds per answer:"), self.rounds)
        form.addRow("", self.ask_read)
        form.addRow("", self.ask_write)
        form.addRow(QCoreApplication.translate("ToolsPage", "MCP call timeout:"), self.timeout)
        form.addRow(QCoreApplication.translate("ToolsPage", "Web search:"), self.search_default)
        form.addRow(QCoreApplication.translate("ToolsPage", "Results:"), self.search_count)
        form.addRow(QCoreApplication.translate("ToolsPage", "From:"), self.search_recency)

        self.servers = QListWidget()
        self.servers.setObjectName("mcpServerList")
        self.servers.setAccessibleName(QCoreApplication.translate("ToolsPage", "MCP servers"))
        self.servers.currentRowChanged.connect(lambda _r: self.show_details())
        self.servers.itemChanged.connect(self._toggled)
        self.add_button = QPushButton(QCoreApplication.translate("ToolsPage", "Add…"))
        self.add_button.setObjectName("mcpAddButton")
        self.edit_button = QPushButton(QCoreApplication.translate("ToolsPage", "Edit…"))
        self.edit_button.setObjectName("mcpEditButton")
        self.remove_button = QPushButton(QCoreApplication.translate("ToolsPage", "Remove"))
        self.remove_button.setObjectName("mcpRemoveButton")
        self.import_button = QPushButton(QCoreApplication.translate("ToolsPage", "Import JSON…"))
        self.import_button.setObjectName("mcpImportButton")
        self.import_button.setToolTip(
            QCoreApplication.translate(
                "ToolsPage",
                "Paste or choose an mcpServers configuration (claude_desktop_config.json, …)",
            )
        )
        self.start_button = QPushButton(QCoreApplication.translate("ToolsPage", "Start"))
        self.start_button.setObjectName("mcpStartButton")
        self.add_button.clicked.connect(lambda: self.edit_server(None))
        self.edit_button.clicked.connect(lambda: self.edit_server(self.selected()))
        self.remove_button.clicked.connect(self._remove)
        self.import_button.clicked.connect(self.import_json)
        self.start_button.clicked.connect(self._start_stop)
        buttons = QVBoxLayout()
        for b in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.import_button,
            self.start_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.state = QLabel()
        self.state.setObjectName("mcpServerState")
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tools = QLabel()
        self.tools.setObjectName("mcpServerTools")
        self.tools.setWordWrap(True)
        self.log = QPlainTextEdit()
        self.log.setObjectName("mcpServerLog")
        self.log.setReadOnly(True)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setMaximumBlockCount(500)
        self.message = QLabel()
        self.message.setObjectName("mcpMessage")
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.servers, 1)
        top.addLayout(buttons)
        group = QGroupBox(QCoreApplication.translate("ToolsPage", "MCP servers"))
        inner = QVBoxLayout(group)
        inner.addWidget(
            note(
                QCoreApplication.translate(
                    "ToolsPage",
                    "Tools from Model Context Protocol servers, offered to GLM-4 as "
                    "SERVER__TOOL. Each call asks first unless the tool is in the server's "
                    "alwaysAllow. Changes here take effect at once; values of env and "
                    "headers are kept in the keyring.",
                )
            )
        )
        inner.addLayout(top, 1)
        inner.addWidget(self.state)
        inner.addWidget(self.tools)
        inner.addWidget(self.log, 1)
        inner.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(group, 1)
        self._filling = False
        self._log_timer = QTimer(self)  # a chatty server's log is shown at most 5x a second
        self._log_timer.setSingleShot(True)
        self._log_timer.setInterval(200)
        self._log_timer.timeout.connect(self.show_details)
        if mcp is not None:
            mcp.serversChanged.connect(self.fill)
            mcp.serverChanged.connect(self._server_changed)
        else:
            group.setEnabled(False)
        self.fill()

    # --- the list ------------------------------------------------------------------------

    def fill(self) -> None:
        if self.mcp is None:
            return
        chosen = self.selected()
        self._filling = True
        try:
            self.servers.clear()
            for config in self.mcp.servers():
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, config.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Unchecked if config.disabled else Qt.CheckState.Checked
                )
                self.servers.addItem(item)
                self._label(item)
                if config.name == chosen:
                    self.servers.setCurrentItem(item)
            if self.servers.currentRow() < 0 and self.servers.count():
                self.servers.setCurrentRow(0)
        finally:
            self._filling = False
        self.show_details()

    def _label(self, item: QListWidgetItem) -> None:
        assert self.mcp is not None
        name = item.data(Qt.ItemDataRole.UserRole)
        config = self.mcp.config(name)
        where = (config.url if config.remote else config.command) if config else ""
        extra = (
            QCoreApplication.translate("ToolsPage", " (this run only)")
            if config is not None and config.transient
            else ""
        )
        state = state_text(self.mcp.state(name))
        item.setText(f"{name} — {state}{extra}   {where}")

    def selected(self) -> str:
        item = self.servers.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _server_changed(self, name: str) -> None:
        for row in range(self.servers.count()):
            item = self.servers.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self._label(item)
        if name == self.selected() and not self._log_timer.isActive():
            self._log_timer.start()

    def show_details(self) -> None:
        name = self.selected()
        has = bool(name) and self.mcp is not None
        for b in (self.edit_button, self.remove_button, self.start_button):
            b.setEnabled(has)
        if not has or self.mcp is None:
            self.state.clear()
            self.tools.clear()
            self.log.clear()
            return
        server = self.mcp.server(name)
        state = self.mcp.state(name)
        text = QCoreApplication.translate("ToolsPage", "State: {state}").format(
            state=state_text(state)
        )
        if server is not None and server.problem is not None:
            text += "\n" + translated(server.problem.message)
            if server.problem.detail and server.problem.kind.value == "not_found":
                text += "\n" + server.problem.detail
            set_tone(self.state, "error")
        else:
            set_tone(self.state, "muted")
        self.state.setText(text)
        running = state in (ServerState.READY, ServerState.STARTING)
        self.start_button.setText(
            QCoreApplication.translate("ToolsPage", "Stop")
            if running
            else QCoreApplication.translate("ToolsPage", "Start")
        )
        tools = server.tools if server is not None and state == ServerState.READY else []
        if tools:
            names = ", ".join(t.name for t in tools)
            self.tools.setText(
                QCoreApplication.translate("ToolsPage", "Tools ({n}): {names}").format(
                    n=len(tools), names=names
                )
            )
        else:
            self.tools.setText(
                QCoreApplication.translate("ToolsPage", "Tools: known once it runs.")
            )
        lines = "\n".join(server.log) if server is not None else ""
        if self.log.toPlainText() != lines:
            self.log.setPlainText(lines)
            self.log.verticalScrollBar().setValue(self.log.verticalScrollBar().maximum())

    def _toggled(self, item: QListWidgetItem) -> None:
        if self._filling or self.mcp is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        enabled = item.checkState() == Qt.CheckState.Checked
        self.tasks.start(self.mcp.set_enabled(name, enabled))

    def _say(self, text: str, tone: str = "muted") -> None:
        self.message.setText(text)
        set_tone(self.message, tone)

    # --- actions -------------------------------------------------------------------------

    def edit_server(self, name: str | None) -> McpServerDialog | None:
        if self.mcp is None:
            return None
        config = self.mcp.config(name) if name else None
        dialog = McpServerDialog(config, [c.name for c in self.mcp.servers()], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            assert self.mcp is not None
            self.tasks.start(self.mcp.put(dialog.result_config(), replaces=name or ""))
            self._say(
                QCoreApplication.translate("ToolsPage", "Saved {name}.").format(
                    name=dialog.result_config().name
                ),
                "success",
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def _remove(self) -> None:
        name = self.selected()
        if self.mcp is not None and name:
            self.tasks.start(self.mcp.remove(name))
            self._say(QCoreApplication.translate("ToolsPage", "Removed {name}.").format(name=name))

    def _start_stop(self) -> None:
        name = self.selected()
        if self.mcp is None or not name:
            return
        if self.mcp.state(name) in (ServerState.READY, ServerState.STARTING):
            self.tasks.start(self.mcp.stop(name))
        else:
            self.tasks.start(self._start(name))

    async def _start(self, name: str) -> None:
        assert self.mcp is not None
        problem = await self.mcp.start(name)
        if problem is not None:
            self._say(translated(problem.message), "error")

    def import_json(self) -> ImportDialog | None:
        if self.mcp is None:
            return None
        dialog = ImportDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.tasks.start(self.import_text(dialog.text())))
        dialog.open()
        return dialog

    async def import_text(self, text: str) -> int:
        """Import a configuration's servers; how many, said on the page."""
        assert self.mcp is not None
        try:
            parsed = await self.mcp.import_text(text)
        except ConfigError as exc:
            self._say(exception_text(exc), "error")
            return 0
        said = QCoreApplication.translate("ToolsPage", "Imported {n} server(s).").format(
            n=len(parsed.servers)
        )
        if parsed.skipped:
            said += " " + QCoreApplication.translate("ToolsPage", "Skipped: {which}").format(
                which="; ".join(parsed.skipped)
            )
        self._say(said, "error" if parsed.skipped else "success")
        return len(parsed.servers)


class ImportDialog(QDialog):
    """Paste a configuration or choose its file. objectNames: mcpImportDialog,
    mcpImportText, mcpImportChooseButton."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mcpImportDialog")
        self.setWindowTitle(QCoreApplication.translate("ToolsPage", "Import MCP servers"))
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("mcpImportText")
        self.edit.setPlaceholderText('{"mcpServers": {"time": {"command": "uvx", "args": …}}}')
        choose = QPushButton(QCoreApplication.translate("ToolsPage", "Choose a file…"))
        choose.setObjectName("mcpImportChooseButton")
        choose.clicked.connect(self.choose)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            QCoreApplication.translate("ToolsPage", "Import")
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                QCoreApplication.translate(
                    "ToolsPage",
                    "Paste the mcpServers part of a Claude Desktop, Cursor or Cline "
                    "configuration, or a whole claude_desktop_config.json.",
                )
            )
        )
        layout.addWidget(self.edit, 1)
        row = QHBoxLayout()
        row.addWidget(choose)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.resize(560, 380)

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            QCoreApplication.translate("ToolsPage", "Choose an MCP configuration"),
            "",
            QCoreApplication.translate("ToolsPage", "JSON files (*.json);;All files (*)"),
        )
        if path:
            try:
                with open(path, encoding="utf-8") as f:
                    self.edit.setPlainText(f.read(1_000_000))
            except OSError as exc:
                self.edit.setPlainText("")
                self.edit.setPlaceholderText(str(exc))

    def text(self) -> str:
        return self.edit.toPlainText()


class McpServerDialog(QDialog):
    """Add or edit one server. objectNames: mcpServerDialog, mcpNameField, mcpKindCombo,
    mcpCommandField, mcpArgsField, mcpUrlField, mcpEnvField, mcpHeadersField,
    mcpAlwaysAllowField, mcpStartWithAppCheck, mcpServerProblem."""

    def __init__(
        self, config: ServerConfig | None, names: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mcpServerDialog")
        self.setWindowTitle(QCoreApplication.translate("ToolsPage", "MCP server"))
        self.original = config
        self.others = {n for n in names if config is None or n != config.name}
        self.name = QLineEdit(config.name if config else "")
        self.name.setObjectName("mcpNameField")
        self.kind = QComboBox()
        self.kind.setObjectName("mcpKindCombo")
        self.kind.addItem(
            QCoreApplication.translate("ToolsPage", "A program on this computer (stdio)"), "stdio"
        )
        self.kind.addItem(
            QCoreApplication.translate("ToolsPage", "A remote server (Streamable HTTP)"), "http"
        )
        self.kind.addItem(
            QCoreApplication.translate("ToolsPage", "A remote server (SSE, older)"), "sse"
        )
        if config is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(config.transport.value)))
        self.command = QLineEdit(config.command if config else "")
        self.command.setObjectName("mcpCommandField")
        self.command.setPlaceholderText("npx, uvx, docker, /path/to/server …")
        self.args = QLineEdit(shlex.join(config.args) if config else "")
        self.args.setObjectName("mcpArgsField")
        self.args.setPlaceholderText("-y @modelcontextprotocol/server-filesystem ~/Documents")
        self.url = QLineEdit(config.url if config else "")
        self.url.setObjectName("mcpUrlField")
        self.url.setPlaceholderText("https://example.com/mcp")
        self.env = QPlainTextEdit(_secret_lines(config.env_keys if config else ()))
        self.env.setObjectName("mcpEnvField")
        self.env.setPlaceholderText("GITHUB_TOKEN=…")
        self.headers = QPlainTextEdit(_secret_lines(config.header_keys if config else ()))
        self.headers.setObjectName("mcpHeadersField")
        self.headers.setPlaceholderText("Authorization=Bearer …")
        for box in (self.env, self.headers):
            box.setFixedHeight(box.fontMetrics().lineSpacing() * 4 + 12)
        allow = ", ".join(sorted(config.always_allow)) if config else ""
        self.allow = QLineEdit(allow)
        self.allow.setObjectName("mcpAlwaysAllowField")
        self.allow.setPlaceholderText(
            QCoreApplication.translate(
                "ToolsPage", "tool names that run without asking, comma-separated"
            )
        )
        self.start = QCheckBox(QCoreApplication.translate("ToolsPage", "Start with the app"))
        self.start.setObjectName("mcpStartWithAppCheck")
        self.start.setChecked(bool(config and config.start_with_app))
        self.problem = QLabel()
        self.problem.setObjectName("mcpServerProblem")
        self.problem.setWordWrap(True)
        set_tone(self.problem, "error")
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("ToolsPage", "Name:"), self.name)
        form.addRow(QCoreApplication.translate("ToolsPage", "Kind:"), self.kind)
        form.addRow(QCoreApplication.translate("ToolsPage", "Command:"), self.command)
        form.addRow(QCoreApplication.translate("ToolsPage", "Arguments:"), self.args)
        form.addRow(QCoreApplication.translate("ToolsPage", "URL:"), self.url)
        form.addRow(QCoreApplication.translate("ToolsPage", "Environment:"), self.env)
        form.addRow(QCoreApplication.translate("ToolsPage", "Headers:"), self.headers)
        form.addRow(
            "",
            note(
                QCoreApplication.translate(
                    "ToolsPage",
                    "One NAME=value per line; the values go to the keyring. A stored value "
                    "shows as NAME= and is kept unless you type a new one.",
                )
            ),
        )
        form.addRow(QCoreApplication.translate("ToolsPage", "Always allow:"), self.allow)
        form.addRow("", self.start)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self._result: ServerConfig | None = None
        self.resize(560, 0)

    def _kind_changed(self) -> None:
        local = self.kind.currentData() == "stdio"
        for w in (self.command, self.args, self.env):
            w.setEnabled(local)
        for w in (self.url, self.headers):
            w.setEnabled(not local)

    def _entry(self) -> dict[str, object]:
        kind = self.kind.currentData()
        entry: dict[str, object] = {"type": kind}
        if kind == "stdio":
            entry["command"] = self.command.text().strip()
            entry["args"] = shlex.split(self.args.text())
            keys, values = _parse_lines(self.env.toPlainText())
            entry["envKeys"], entry["env"] = keys, values
        else:
            entry["url"] = self.url.text().strip()
            keys, values = _parse_lines(self.headers.toPlainText())
            entry["headerKeys"], entry["headers"] = keys, values
        entry["alwaysAllow"] = [t.strip() for t in self.allow.text().split(",") if t.strip()]
        entry["startWithApp"] = self.start.isChecked()
        if self.original is not None and self.original.disabled:
            entry["disabled"] = True
        return entry

    def _accept(self) -> None:
        from app.core.mcp.config import parse_entry

        name = self.name.text().strip()
        try:
            if name in self.others:
                raise ValueError(
                    QCoreApplication.translate(
                        "ToolsPage", "there already is a server of that name"
                    )
                )
            config = parse_entry(name, self._entry())
        except ValueError as exc:
            self.problem.setText(
                QCoreApplication.translate("ToolsPage", "Not saved: {problem}").format(
                    problem=exception_text(exc)
                )
            )
            return
        if self.original is not None and self.original.transient:
            from dataclasses import replace

            config = replace(config, transient=True)
        self._result = config
        self.accept()

    def result_config(self) -> ServerConfig:
        assert self._result is not None
        return self._result


def _secret_lines(keys: tuple[str, ...]) -> str:
    return "".join(f"{k}=\n" for k in keys)


def _parse_lines(text: str) -> tuple[list[str], dict[str, str]]:
    """NAME=value lines: every name, and the values typed (an empty one keeps the stored)."""
    keys: list[str] = []
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        keys.append(key)
        if value.strip():
            values[key] = value.strip()
    return keys, values
