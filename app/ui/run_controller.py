"""Running the code pane's snippet, and Fix it.

Run (the code pane's button, Ctrl+R there, a code block's Run on hover) runs the snippet
shown, with the user's edits, through `RunService`: in the strongest sandbox that works
here (without one, the user confirms each run), with the workspace's Python. The output
pane shows it live; at the end the run is kept on the answer that holds the block
(`ChatMessage.runs`, saved with the conversation) and shown again whenever that snippet is.

Fix it (after a failed run; Ctrl+Shift+R) sends the snippet, its command line and the end of
its output to GLM-4 as a new question that names the block it fixes; the answer's code block
becomes the snippet's next version, shown with its diff, ready to run again.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.asyncutil import Tasks
from app.core.runner.languages import NAMES, PYTHON, language_of
from app.services.runs import RunRefused, RunService
from app.ui.code_pane import CodePane
from app.ui.conversation_tabs import ConversationTabs
from app.ui.run_pane import RunPane
from app.ui.syntax import code_font

if TYPE_CHECKING:
    from app.core.conversation import ChatMessage
    from app.core.runner.record import RunRecord
    from app.core.runner.run import SnippetRun
    from app.core.snippets import Snippet
    from app.ui.chat_tab import ChatTab

FLUSH_MS = 50  # live output drawn at most this often
RUNS_KEPT = 5  # runs kept per code block


class RunController(QObject):
    fixRequested = Signal(str, str)  # the message, the block it fixes ("MESSAGE_ID:BLOCK")
    statusText = Signal(str)

    def __init__(
        self,
        service: RunService,
        tabs: ConversationTabs,
        code_pane: CodePane,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.service = service
        self.tabs = tabs
        self.code_pane = code_pane
        self.window = window
        self.pane = RunPane()
        self.tasks = Tasks()
        self.run: SnippetRun | None = None  # the pane's run under way
        self._run_key: tuple[str, str, int] | None = None  # (conversation, message, block)
        self._position = 0  # how much of the run's output the pane shows
        self._live = False  # the pane shows the run under way (not another snippet)
        self._tests: dict[tuple[str, int], str] = {}  # chosen test blocks per snippet
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._runtime_menu = QMenu(self.pane)
        self._runtime_menu.setObjectName("runInterpreterMenu")
        self._runtime_menu.aboutToShow.connect(self._fill_runtime_menu)
        self.pane.runtime.setMenu(self._runtime_menu)
        self._tests_menu = QMenu(self.pane)
        self._tests_menu.setObjectName("runTestsMenu")
        self._tests_menu.aboutToShow.connect(self._fill_tests_menu)
        self.pane.tests.setMenu(self._tests_menu)
        self.pane.run_button.clicked.connect(self.run_current)
        self.pane.stop_button.clicked.connect(self.stop)
        self.pane.fix_button.clicked.connect(self.fix_it)
        self.pane.output.lineClicked.connect(self.show_line)
        code_pane.runRequested.connect(self.run_current)
        code_pane.snippetShown.connect(self.show_current)
        service.layerChanged.connect(self.show_sandbox)
        run = QShortcut(QKeySequence("Ctrl+R"), self.pane)
        run.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        run.activated.connect(self.run_current)
        fix = QShortcut(QKeySequence("Ctrl+Shift+R"), window)
        fix.setContext(Qt.ShortcutContext.WindowShortcut)
        fix.activated.connect(self.fix_it)
        self.show_sandbox()
        self.show_current()

    # --- what is shown -----------------------------------------------------------------

    def _tab(self) -> ChatTab | None:
        return self.tabs.current_tab()

    def _key(self, snippet: Snippet) -> tuple[str, str, int] | None:
        tab = self._tab()
        return (tab.conversation.id, *snippet.key) if tab is not None else None

    def _message(self, snippet: Snippet) -> ChatMessage | None:
        tab = self._tab()
        return tab.conversation.nodes.get(snippet.message_id) if tab is not None else None

    def last_record(self) -> RunRecord | None:
        """The last run of the snippet shown (kept with its message)."""
        snippet = self.code_pane.current_snippet()
        message = self._message(snippet) if snippet is not None else None
        return message.last_run(snippet.block_index) if message and snippet else None

    def show_sandbox(self) -> None:
        """The sandbox runs get, or why there is none."""
        known = self.service.known_layer()
        if known is None:
            self.pane.say_sandbox(self.tr("Sandbox: not checked yet (checked at the first run)"))
            return
        layer, why = known
        if layer is None:
            self.pane.say_sandbox(
                self.tr("The sandbox chosen in Settings does not work here: {why}").format(why=why),
                "error",
            )
        elif layer.value == "none":
            self.pane.say_sandbox(
                self.tr(
                    "⚠ No sandbox works here: snippets run with limits only and can read your "
                    "files and reach the network; each run asks first. ({why})"
                ).format(why=why or self.tr("chosen in Settings")),
                "warning",
            )
        else:
            self.pane.say_sandbox(
                self.tr("Sandbox: {layer}").format(layer=layer_words(layer.value))
            )

    def show_current(self) -> None:
        """The snippet shown changed: its runtime, its last run (or the run under way)."""
        snippet = self.code_pane.current_snippet()
        language = language_of(snippet.language) if snippet else ""
        running = self.run is not None
        self.pane.tests.setVisible(language == PYTHON)
        self.pane.runtime.setText(NAMES.get(language, "") if language else "")
        self.pane.runtime.setVisible(bool(language))
        self.pane.run_button.setEnabled(bool(language) and not running)
        if running and snippet is not None and self._key(snippet) == self._run_key:
            if not self._live:  # back to it: what arrived meanwhile, then on live
                self._live, self._position = True, 0
                self.pane.clear()
                self._flush()
            return
        self._live = False
        if running:
            self.pane.clear()
            self.pane.note(self.tr("Another snippet is running; Stop ends it."))
            return
        record = self.last_record()
        self.pane.clear()
        self.pane.fix_button.setEnabled(False)
        if record is None:
            if snippet is not None and not language:
                self.pane.say_status(
                    self.tr(
                        "{language} snippets cannot be run here: Python, JavaScript and shell can."
                    ).format(language=snippet.language or self.tr("Plain text"))
                )
            else:
                self.pane.say_status("")
            return
        self._show_record(record)

    def _show_record(self, record: RunRecord) -> None:
        from app.core.runner.outcome import line_links

        pane = self.pane
        pane.clear()
        pane.note(self._header(record))
        if record.cut:
            pane.note(
                self.tr(
                    "… the first {cut} characters of output were cut; the last {kept} follow."
                ).format(cut=f"{record.cut:,}", kept=f"{len(record.text()):,}")
            )
        pane.append(
            [(s, t) for s, t in record.output],
            lambda text: line_links(text, record.language, record.work),
        )
        for test in record.test_results:
            mark = "✓" if test.get("passed") else "✗"
            message = f": {test['message']}" if test.get("message") else ""
            pane.note(f"{mark} {test['name']}{message}", "success" if test["passed"] else "error")
        pane.say_status(self._summary(record), "success" if record.ok else "error")
        pane.fix_button.setEnabled(record.failed)

    def _header(self, record: RunRecord) -> str:
        network = self.tr("network allowed") if record.network else self.tr("no network")
        return self.tr("$ {command}   ({runtime}; {layer}; {network})").format(
            command=record.command or "?",
            runtime=record.runtime,
            layer=layer_words(record.layer),
            network=network,
        )

    def _summary(self, record: RunRecord) -> str:
        from app.core.runner.outcome import memory_text, signal_name

        if record.error:
            return record.error
        if record.stopped:
            ended = self.tr("Stopped")
        elif record.timed_out:
            ended = self.tr("Timed out: the run took longer than {s} s and was ended").format(
                s=f"{self.service.limits().timeout:g}"
            )
        elif record.signal is not None:
            ended = self.tr("Killed by {signal}").format(signal=signal_name(record.signal))
            if record.signal == signal.SIGXCPU:
                ended += self.tr(" (the CPU time limit)")
            elif record.signal == signal.SIGXFSZ:
                ended += self.tr(" (the file size limit)")
        else:
            ended = self.tr("Exit status {code}").format(code=record.exit_code)
        parts = [
            ended,
            self.tr("{s} s").format(s=f"{record.seconds:.2f}"),
            self.tr("CPU {s} s").format(s=f"{record.cpu_seconds:.2f}"),
        ]
        if record.peak_kb:
            parts.append(self.tr("peak memory {size}").format(size=memory_text(record.peak_kb)))
        if record.test_results:
            passed = sum(1 for t in record.test_results if t.get("passed"))
            parts.append(
                self.tr("tests: {passed} of {n} passed").format(
                    passed=passed, n=len(record.test_results)
                )
            )
        return " · ".join(parts)

    def show_line(self, line: int) -> None:
        """A traceback's link: that line of the snippet, in the code pane's editor."""
        editor = self.code_pane.editor
        block = editor.document().findBlockByNumber(max(0, line - 1))
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        editor.setTextCursor(cursor)
        editor.centerCursor()
        editor.setFocus()

    # --- running -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.run is not None

    def run_current(self) -> bool:
        """Run the snippet shown (False: nothing to run, or a run is under way)."""
        snippet = self.code_pane.current_snippet()
        tab = self._tab()
        if snippet is None or tab is None or self.run is not None:
            return False
        language = language_of(snippet.language)
        if not language:
            self.show_current()
            return False
        code = self.code_pane.current_code()
        tests = self._tests.get(snippet.key, "") if language == PYTHON else ""
        self.tasks.start(self._run(tab, snippet, language, code, tests))
        return True

    async def _run(
        self, tab: ChatTab, snippet: Snippet, language: str, code: str, tests: str
    ) -> None:
        pane = self.pane
        network = pane.network.isChecked()
        self._run_key = self._key(snippet)
        pane.set_running(True)
        pane.clear()
        pane.say_status(self.tr("Starting…"))
        self._position, self._live = 0, True
        try:
            try:
                run = await self.service.prepare(
                    language, code, tab.conversation.workspace, network, tests
                )
            except RunRefused as exc:
                pane.say_status(str(exc), "error")
                return
            self.show_sandbox()
            if run.request.layer.value == "none" and not self._confirm_unsandboxed():
                pane.say_status(self.tr("Not run."))
                return
            runtime = run.request.runtime
            pane.note(
                self.tr("Running with {runtime} in {layer}, {network}…").format(
                    runtime=runtime.label,
                    layer=layer_words(run.request.layer.value),
                    network=self.tr("network allowed") if network else self.tr("no network"),
                )
            )
            pane.say_status(self.tr("Running…"))
            self.run = run
            record = await self.service.track(run, self._flush_soon)
        finally:
            self.run = None
            self._flush_timer.stop()
            pane.set_running(False)
            pane.network.setChecked(False)  # allowed for one run only
        record.block = snippet.block_index
        message = tab.conversation.nodes.get(snippet.message_id)
        if message is not None and not tab.closed:
            mine = [r for r in message.runs if r.block == record.block][-(RUNS_KEPT - 1) :]
            others = [r for r in message.runs if r.block != record.block]
            message.runs = [*others, *mine, record]
            tab.session.save_message(message)
        current = self.code_pane.current_snippet()
        run_key, self._run_key, self._live = self._run_key, None, False
        if current is not None and self._key(current) == run_key:
            self._show_record(record)
        self.statusText.emit(self._summary(record))

    def _flush_soon(self) -> None:
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        run = self.run
        if run is None or not self._live:
            return
        pieces, gap, self._position = run.output.since(self._position)
        if gap:
            self.pane.clear()
            self.pane.note(
                self.tr("… {cut} characters of output cut so far (the last part is kept)").format(
                    cut=f"{run.output.cut:,}"
                )
            )
        if pieces:
            self.pane.append(pieces)

    def stop(self) -> bool:
        """Stop the pane's run (and everything it started); False when none runs."""
        if self.run is None:
            return False
        self.run.stop()
        return True

    def _confirm_unsandboxed(self) -> bool:  # tests replace it
        answer = QMessageBox.warning(
            self.window,
            self.tr("Run without a sandbox?"),
            self.tr(
                "No sandbox works on this machine, so this snippet would run with your "
                "permissions: it could read and change your files and reach the network. Only "
                "limits (time, memory, processes) apply.\n\nRun it?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # --- Fix it ------------------------------------------------------------------------

    def fix_it(self) -> bool:
        """Send the failed run to the model; False when the snippet shown has none."""
        from app.core.runner.outcome import fix_request

        snippet = self.code_pane.current_snippet()
        record = self.last_record()
        tab = self._tab()
        if snippet is None or record is None or tab is None or not record.failed or tab.busy:
            return False
        self.fixRequested.emit(fix_request(record), f"{snippet.message_id}:{snippet.block_index}")
        return True

    def after_answer(self, tab: ChatTab, message: ChatMessage) -> bool:
        """An answer to Fix it: its code is the snippet's new version, shown with its diff."""
        question = tab.conversation.nodes.get(message.parent_id or "")
        if question is None or not question.fixes or tab is not self._tab():
            return False
        from app.core.snippets import message_snippets

        new = next((s for s in message_snippets(message) if s.block_index >= 0), None)
        if new is None or not self.code_pane.show_snippet(message.id, new.block_index):
            return False
        group = self.code_pane.current_group()
        if group is not None and len(group.versions) > 1:
            self.code_pane.show_diff()
        self.statusText.emit(self.tr("The fixed version is in the code pane: Run it (Ctrl+R)."))
        return True

    # --- the menus ----------------------------------------------------------------------

    def _fill_runtime_menu(self) -> None:
        menu = self._runtime_menu
        menu.clear()
        tab = self._tab()
        workspace = tab.conversation.workspace if tab is not None else ""
        chosen = self.service.python_for(workspace)
        where = (
            self.tr("for the workspace {folder}").format(folder=workspace)
            if workspace
            else self.tr("for conversations without a workspace")
        )
        info = menu.addAction(self.tr("Python {where}:").format(where=where))
        info.setEnabled(False)
        default = menu.addAction(self.tr("python3 from PATH"))
        default.setObjectName("runPythonDefault")
        default.setCheckable(True)
        default.setChecked(not chosen)
        default.triggered.connect(lambda: self.set_python(""))
        if chosen:
            mine = menu.addAction(chosen)
            mine.setCheckable(True)
            mine.setChecked(True)
        choose = menu.addAction(self.tr("Choose an interpreter or virtual environment…"))
        choose.setObjectName("runPythonChoose")
        choose.triggered.connect(self.choose_python)
        menu.addSeparator()
        self.tasks.start(self._list_runtimes(menu, workspace))

    async def _list_runtimes(self, menu: QMenu, workspace: str) -> None:
        found = await self.service.runtimes(workspace)
        for language, runtime in found.items():
            label = runtime if isinstance(runtime, str) else runtime.label
            menu.addAction(f"{NAMES[language]}: {label}").setEnabled(False)

    def choose_python(self) -> str:
        tab = self._tab()
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Choose a Python interpreter (in a virtual environment's bin)")
        )
        if path:
            self.set_python(path, tab.conversation.workspace if tab is not None else "")
        return path

    def set_python(self, interpreter: str, workspace: str | None = None) -> None:
        tab = self._tab()
        if workspace is None:
            workspace = tab.conversation.workspace if tab is not None else ""
        self.service.set_python(workspace, interpreter)

    def _fill_tests_menu(self) -> None:
        menu = self._tests_menu
        menu.clear()
        snippet = self.code_pane.current_snippet()
        if snippet is None:
            return
        chosen = self._tests.get(snippet.key, "")
        none = menu.addAction(self.tr("No tests"))
        none.setCheckable(True)
        none.setChecked(not chosen)
        none.triggered.connect(lambda: self.set_tests(snippet.key, ""))
        for group in self.code_pane.groups():
            other = group.snippet
            if other.key == snippet.key or language_of(other.language) != PYTHON:
                continue
            action = menu.addAction(self.tr("Test with: {title}").format(title=group.title))
            action.setCheckable(True)
            action.setChecked(bool(chosen) and chosen == other.code)
            action.triggered.connect(lambda _=False, c=other.code: self.set_tests(snippet.key, c))
        menu.addSeparator()
        typed = menu.addAction(self.tr("Type tests…"))
        typed.setObjectName("runTypeTests")
        typed.triggered.connect(lambda: self.type_tests(snippet.key))

    def set_tests(self, key: tuple[str, int], tests: str) -> None:
        if tests.strip():
            self._tests[key] = tests
        else:
            self._tests.pop(key, None)
        self.pane.tests.setText(self.tr("Tests ✓") if tests.strip() else self.tr("Tests"))

    def type_tests(self, key: tuple[str, int]) -> None:
        dialog = TestsDialog(self._tests.get(key, ""), self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_tests(key, dialog.text())

    def shutdown(self) -> None:
        self.stop()
        self.tasks.cancel()


class TestsDialog(QDialog):
    """Tests typed by the user: asserts, or test functions, against the snippet's names."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runTestsDialog")
        self.setWindowTitle(self.tr("Tests for the snippet"))
        label = QLabel(
            self.tr(
                "Asserts or test functions (def test_…) that use the snippet's names (or "
                "import snippet); each test is reported passed or failed."
            )
        )
        label.setWordWrap(True)
        self.editor = QPlainTextEdit(text)
        self.editor.setObjectName("runTestsEditor")
        self.editor.setFont(code_font())
        self.editor.setPlaceholderText("assert add(2, 3) == 5\n\ndef test_negative():\n    ...")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def text(self) -> str:
        return self.editor.toPlainText()


def layer_words(layer: str) -> str:
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    return {
        "bubblewrap": translate(
            "RunController", "bubblewrap (system read-only, home hidden, its own folder only)"
        ),
        "namespaces": translate(
            "RunController", "namespaces (unshare: home hidden, its own folder only)"
        ),
        "none": translate("RunController", "no sandbox (limits only)"),
    }.get(layer, layer)
