"""The code pane: the conversation's code blocks as files, in a real editor.

Lists every snippet of the branch shown (a file named by the answer appears once, with its
versions from later answers and regenerations); shows the selected one in a highlighted editor
with line numbers and find; copies, saves, diffs, and compares or applies it to a file.
The file side (Save, Save all, Compare, Apply and their dialogs) is in snippet_actions.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.conversation import ChatMessage, Conversation
from app.core.snippets import Snippet, SnippetGroup, group_snippets, message_snippets, unified_diff
from app.ui.code_editor import CodeEditor, FindBar
from app.ui.diff_dialog import DiffDialog
from app.ui.snippet_actions import SnippetFileActions
from app.ui.theme import set_tone

Key = tuple[str, int]  # (message id, block index)
# Characters of one snippet loaded into the editor: Qt takes ~300 ms for 1.2 MB here. A
# longer snippet is previewed read-only (its first lines); Copy, Save, Compare and Apply use
# all of it.
EDITOR_LIMIT = 200_000
PREVIEW_LINES = 2_000


def preview(code: str) -> str:
    """The first PREVIEW_LINES lines of code, at most EDITOR_LIMIT characters."""
    return "\n".join(code.split("\n", PREVIEW_LINES)[:PREVIEW_LINES])[:EDITOR_LIMIT]


class CodePane(SnippetFileActions, QWidget):
    snippetShown = Signal()  # another snippet (or version) is shown, or none
    runRequested = Signal()  # Run (the button, Ctrl+R)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codePane")
        self.setAccessibleName(self.tr("Code pane"))
        self._conversation_id: str | None = None
        self._signature: tuple = ()
        self._groups: list[SnippetGroup] = []
        self._chosen: dict[str, tuple[int, int]] = {}  # group key -> (version, of how many)
        self._edits: dict[str | None, dict[Key, str]] = {}  # per conversation
        self._cache: dict[str, tuple[str, list[Snippet]]] = {}  # message id -> (text, snippets)
        self._loading = False
        self._preview = False  # the editor shows the beginning of a snippet too long to load
        self._shown: tuple[Key, str] | None = None  # the snippet in the editor, its language
        self._last_dir = str(Path.home())
        self.diff_dialog: DiffDialog | None = None

        title = QLabel(self.tr("Code"))
        title.setObjectName("codePaneTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.version_selector = QComboBox()
        self.version_selector.setObjectName("codeVersionSelector")
        self.version_selector.setAccessibleName(self.tr("Snippet version"))
        self.version_selector.setToolTip(
            self.tr("Versions of this file from later or regenerated answers")
        )
        self.version_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_selector.currentIndexChanged.connect(self._on_version_chosen)
        self.diff_button = self._button(
            "codeDiffButton", self.tr("Diff"), self.tr("Diff with previous version")
        )
        self.diff_button.setToolTip(self.tr("Show what changed from the previous version"))
        self.diff_button.clicked.connect(self.show_diff)
        self.read_only_toggle = QToolButton()
        self.read_only_toggle.setObjectName("codeReadOnlyToggle")
        self.read_only_toggle.setAccessibleName(self.tr("Read-only"))
        self.read_only_toggle.setText(self.tr("Read-only"))
        self.read_only_toggle.setCheckable(True)
        self.read_only_toggle.setChecked(True)
        self.read_only_toggle.setToolTip(
            self.tr(
                "Uncheck to edit the snippet; edits stay with it while the conversation is open"
            )
        )
        self.read_only_toggle.toggled.connect(self.set_read_only)
        self.run_button = self._button(
            "codeRunButton", self.tr("Run"), self.tr("Run the snippet in the sandbox (Ctrl+R)")
        )
        self.run_button.clicked.connect(self.runRequested)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.run_button)
        top.addStretch(1)
        top.addWidget(self.version_selector)
        top.addWidget(self.diff_button)

        self.list = QListWidget()
        self.list.setObjectName("codeSnippetList")
        self.list.setAccessibleName(self.tr("Code snippets"))
        self.list.currentRowChanged.connect(self._show_row)
        self.info = QLabel()
        self.info.setObjectName("codeSnippetInfo")
        self.info.setAccessibleName(self.tr("Snippet details"))
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editor = CodeEditor()
        self.editor.setObjectName("codeEditor")
        self.editor.setAccessibleName(self.tr("Code"))
        self.editor.setPlaceholderText(self.tr("Code blocks from the conversation appear here."))
        self.editor.textChanged.connect(self._on_text_changed)
        self.find_bar = FindBar(self.editor)
        info_row = QHBoxLayout()
        info_row.addWidget(self.info, 1)
        info_row.addWidget(self.read_only_toggle)
        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.setSpacing(2)
        editor_layout.addLayout(info_row)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addWidget(self.find_bar)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(editor_box)
        split.setStretchFactor(1, 3)
        split.setSizes([120, 400])

        self.copy_button = self._button("codeCopyButton", self.tr("Copy"), self.tr("Copy code"))
        self.copy_button.clicked.connect(self.copy_current)
        self.save_button = self._button(
            "codeSaveButton", self.tr("Save…"), self.tr("Save snippet as")
        )
        self.save_button.clicked.connect(self.save_current)
        self.save_all_button = self._button(
            "codeSaveAllButton", self.tr("Save all…"), self.tr("Save all snippets")
        )
        self.save_all_button.clicked.connect(self.save_all)
        self.compare_button = self._button(
            "codeCompareButton", self.tr("Compare…"), self.tr("Compare with file")
        )
        self.compare_button.clicked.connect(self.compare_with_file)
        self.apply_button = self._button(
            "codeApplyButton", self.tr("Apply…"), self.tr("Apply to file")
        )
        self.apply_button.clicked.connect(self.apply_to_file)
        bottom = QHBoxLayout()
        for button in (
            self.copy_button,
            self.save_button,
            self.save_all_button,
            self.compare_button,
            self.apply_button,
        ):
            bottom.addWidget(button)
        bottom.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("codeStatus")
        self.status.setAccessibleName(self.tr("Code pane status"))
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.find_bar.open)
        run = QShortcut(QKeySequence("Ctrl+R"), self)
        run.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        run.activated.connect(self.runRequested)
        self._refresh_controls()

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(accessible)
        return button

    # --- the conversation -----------------------------------------------------------------

    def set_conversation(self, conversation: Conversation | None) -> None:
        """Show the code of this conversation; cheap when nothing changed since last time."""
        if conversation is None:
            signature: tuple = ()
        else:
            signature = (
                conversation.id,
                tuple(m.id for m in conversation.messages),
                tuple((m.id, hash(m.content)) for m in conversation.nodes.values()),
            )
        if signature == self._signature:
            return
        self._signature = signature
        new_id = conversation.id if conversation else None
        if new_id != self._conversation_id:
            if len(self._cache) > 5000:
                self._cache.clear()  # kept across tabs (ids are unique), within reason
            self._chosen.clear()
            self._conversation_id = new_id
            self._set_groups([], keep=False)
        groups = group_snippets(conversation, self._snippets_of) if conversation else []
        self._set_groups(groups, keep=True)

    async def prepare(self, message: ChatMessage) -> None:
        """Find a long message's snippets on a worker thread (parsing a 1 MB answer takes a
        quarter of a second), so that showing them next costs the GUI thread nothing."""
        stamp = _stamp(message)
        cached = self._cache.get(message.id)
        if cached is None or cached[0] != stamp:
            snippets = await asyncio.to_thread(message_snippets, message)
            if _stamp(message) == stamp:  # not changed meanwhile
                self._cache[message.id] = (stamp, snippets)

    def _snippets_of(self, message: ChatMessage) -> list[Snippet]:
        """A message's snippets, extracted again only when its text (or a tool call's state:
        a file it wrote) changed."""
        stamp = _stamp(message)
        cached = self._cache.get(message.id)
        if cached is None or cached[0] != stamp:
            cached = (stamp, message_snippets(message))
            self._cache[message.id] = cached
        return cached[1]

    def _set_groups(self, groups: list[SnippetGroup], keep: bool) -> None:
        old = self.current_group()
        was_last = self.list.currentRow() in (-1, self.list.count() - 1)
        self._groups = groups
        for g in groups:
            chosen = self._chosen.get(g.key)
            if chosen and chosen[1] == len(g.versions):
                g.current = chosen[0]  # the user's pick, while no version was added
            else:
                self._chosen.pop(g.key, None)
        self.list.blockSignals(True)
        self.list.clear()
        for row, g in enumerate(groups, 1):
            item = QListWidgetItem(self._label(row, g), self.list)
            item.setToolTip(g.snippet.name or self._title(g))
        row = len(groups) - 1
        if keep and old is not None and not was_last:
            row = next((i for i, g in enumerate(groups) if g.key == old.key), 0)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._show_row(row)

    def _label(self, row: int, group: SnippetGroup) -> str:
        count = len(group.versions)
        edited = " ✎" if any(v.snippet.key in self._my_edits() for v in group.versions) else ""
        label = f"{row}. {self._title(group)}"
        if count > 1:  # never one: no plural forms needed
            label += self.tr("  ({n} versions)").format(n=count)
        return label + edited

    def _title(self, group: SnippetGroup) -> str:
        """The file's name, or its language and first line (SnippetGroup.title, translated)."""
        s = group.snippet
        if s.name:
            return s.name
        first = next((ln.strip() for ln in s.code.splitlines() if ln.strip()), "")
        return f"{s.language or self.tr('text')} · {first[:40]}"

    def _version_label(self, group: SnippetGroup, i: int) -> str:
        """Which version and where it is from (SnippetGroup.version_label, translated)."""
        v = group.versions[i]
        if v.shown:
            where = self.tr("answer {n}").format(n=v.answer)
        else:
            where = self.tr("answer {n}, another version").format(n=v.answer)
        return f"v{i + 1} · {where}"

    def _my_edits(self) -> dict[Key, str]:
        return self._edits.setdefault(self._conversation_id, {})

    def show_snippet(self, message_id: str, block_index: int) -> bool:
        """Select the snippet from this block of this message (and its version)."""
        for row, g in enumerate(self._groups):
            version = g.index_of((message_id, block_index))
            if version >= 0:
                self._choose(g, version)
                self.list.setCurrentRow(row)
                self._show_row(row)
                return True
        return False

    # --- what is shown ----------------------------------------------------------------------

    def groups(self) -> list[SnippetGroup]:
        return list(self._groups)

    def current_group(self) -> SnippetGroup | None:
        row = self.list.currentRow()
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def current_snippet(self) -> Snippet | None:
        group = self.current_group()
        return group.snippet if group else None

    def current_code(self) -> str:
        """The code shown, with the user's edits (all of it, when only its beginning is)."""
        snippet = self.current_snippet()
        if snippet is None:
            return ""
        return self._code_of(snippet) if self._preview else self.editor.toPlainText()

    def _code_of(self, snippet: Snippet) -> str:
        return self._my_edits().get(snippet.key, snippet.code)

    def _show_row(self, _row: int) -> None:
        group = self.current_group()
        self._loading = True
        try:
            self.version_selector.blockSignals(True)
            self.version_selector.clear()
            if group is None:
                self.editor.set_code("", "")
                self._shown = None
                self.info.clear()
            else:
                for i in range(len(group.versions)):
                    self.version_selector.addItem(self._version_label(group, i))
                self.version_selector.setCurrentIndex(group.current)
                s = group.snippet
                code = self._code_of(s)
                self._preview = len(code) > EDITOR_LIMIT
                if self._preview:
                    code = preview(code)
                    self.set_read_only(True)
                self.read_only_toggle.setEnabled(not self._preview)
                if (s.key, s.language) != self._shown or self.editor.toPlainText() != code:
                    self.editor.set_code(code, s.language)  # else: cursor and scroll stay
                self._shown = (s.key, s.language)
                n = s.code.count("\n") + 1
                parts = [
                    s.name or self.tr("unnamed"),
                    s.language or self.tr("plain text"),
                    QCoreApplication.translate("CodePane", "%n line(s)", None, n),
                ]
                if not s.closed:
                    parts.append(self.tr("unfinished"))
                if self._preview:
                    parts.append(
                        self.tr(
                            "too long to edit here: the first {lines} lines are shown; Copy, "
                            "Save, Compare and Apply use all of it"
                        ).format(lines=f"{code.count(chr(10)) + 1:,}")
                    )
                self.info.setText(" · ".join(parts))
            self.version_selector.blockSignals(False)
        finally:
            self._loading = False
        self._refresh_controls()
        self.snippetShown.emit()

    def _choose(self, group: SnippetGroup, version: int) -> None:
        group.current = version
        self._chosen[group.key] = (version, len(group.versions))

    def _on_version_chosen(self, index: int) -> None:
        group = self.current_group()
        if group is not None and 0 <= index < len(group.versions):
            self._choose(group, index)
            self._show_row(self.list.currentRow())

    def _refresh_controls(self) -> None:
        has = self.current_snippet() is not None
        group = self.current_group()
        for button in (self.copy_button, self.save_button, self.compare_button, self.apply_button):
            button.setEnabled(has)
        self.save_all_button.setEnabled(bool(self._groups))
        from app.core.runner.languages import language_of

        snippet = self.current_snippet()
        self.run_button.setEnabled(bool(snippet and language_of(snippet.language)))
        self.version_selector.setEnabled(bool(group and len(group.versions) > 1))
        self.diff_button.setEnabled(bool(group and len(group.versions) > 1))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only_toggle.setChecked(read_only)
        self.read_only_toggle.setText(self.tr("Read-only") if read_only else self.tr("Editing"))
        self.editor.setReadOnly(read_only)

    def _on_text_changed(self) -> None:
        snippet = self.current_snippet()
        if self._loading or snippet is None or self.editor.isReadOnly():
            return
        edits = self._my_edits()
        text = self.editor.toPlainText()
        had = snippet.key in edits
        if text == snippet.code:
            edits.pop(snippet.key, None)
        else:
            edits[snippet.key] = text
        if had != (snippet.key in edits):
            row = self.list.currentRow()
            self.list.item(row).setText(self._label(row + 1, self._groups[row]))

    # --- actions ----------------------------------------------------------------------------

    def _say(self, text: str, error: bool = False) -> None:
        """A line under the buttons: what was done, or in red what could not be."""
        self.status.setText(text)
        set_tone(self.status, "error" if error else "")

    def copy_current(self) -> None:
        code = self.current_code()
        if code:
            QGuiApplication.clipboard().setText(code)
            self._say(self.tr("Copied the code."))

    def show_diff(self) -> None:
        """The selected version against the one before it (the first: against the second)."""
        group = self.current_group()
        if group is None or len(group.versions) < 2:
            return
        new = group.current
        old = new - 1 if new > 0 else 1
        a, b = group.versions[old].snippet, group.versions[new].snippet
        name = group.snippet.name or self.tr("snippet")
        diff = unified_diff(
            self._code_of(a),
            self._code_of(b),
            f"{name} (v{old + 1})",
            f"{name} (v{new + 1})",
        )
        self._diff_window().show_diff(
            f"{name}: v{old + 1} → v{new + 1}", diff, f"v{old + 1} → v{new + 1}"
        )

    def _diff_window(self) -> DiffDialog:
        if self.diff_dialog is None:
            self.diff_dialog = DiffDialog(self)
        return self.diff_dialog


def _stamp(message: ChatMessage) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What a message's snippets depend on: its text, and its tool calls' states."""
    return message.content, tuple((c.id, c.state) for c in message.tool_calls)
