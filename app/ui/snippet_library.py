"""The snippet library (View → Snippets, Ctrl+Shift+S): every code block of every
conversation, pinned ones first, then newest first, with its language, file name,
conversation and date; filtered by language and by text (the history's index,
app/core/snippet_index.py); a highlighted preview; Copy, Save as…, Open in code pane, Go to
the message, Pin. `SnippetLibraryController` fetches through `HistoryService` and acts; the
window draws.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.asyncutil import Tasks
from app.services.history import HistoryError, HistoryService, SnippetEntry
from app.ui.code_editor import CodeEditor
from app.ui.theme import set_tone

DEBOUNCE_MS = 120
PREVIEW_LIMIT = 200_000  # characters shown in the preview (Copy and Save use all)


class SnippetLibrary(QDialog):
    filterChanged = Signal()  # debounced text, or the language

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("snippetLibrary")
        self.setWindowTitle(self.tr("Snippets"))
        self.resize(900, 600)
        self.entries: list[SnippetEntry] = []
        self.field = QLineEdit()
        self.field.setObjectName("snippetFilter")
        self.field.setPlaceholderText(self.tr("Filter by text in the code or the file name"))
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName(self.tr("Filter snippets"))
        self.language = QComboBox()
        self.language.setObjectName("snippetLanguage")
        self.language.setAccessibleName(self.tr("Language"))
        self.language.addItem(self.tr("All languages"), "")
        self.list = QTreeWidget()
        self.list.setObjectName("snippetList")
        self.list.setAccessibleName(self.tr("Snippets"))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels(
            [self.tr("Snippet"), self.tr("Language"), self.tr("Conversation"), self.tr("Date")]
        )
        self.list.setColumnWidth(0, 240)
        self.list.setColumnWidth(1, 80)
        self.list.setColumnWidth(2, 180)
        self.preview = CodeEditor()
        self.preview.setObjectName("snippetPreview")
        self.preview.setAccessibleName(self.tr("Snippet preview"))
        self.preview.setReadOnly(True)
        self.summary = QLabel()
        self.summary.setObjectName("snippetSummary")
        buttons = QHBoxLayout()
        self.pin_button = self._button("snippetPin", self.tr("Pin"))
        self.copy_button = self._button("snippetCopy", self.tr("Copy"))
        self.save_button = self._button("snippetSave", self.tr("Save as…"))
        self.open_button = self._button("snippetOpen", self.tr("Open in code pane"))
        self.goto_button = self._button("snippetGoTo", self.tr("Go to the message"))
        self.actions = (
            self.pin_button,
            self.copy_button,
            self.save_button,
            self.open_button,
            self.goto_button,
        )
        for button in self.actions:
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.field, 1)
        top.addWidget(self.language)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.preview)
        split.setSizes([300, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.filterChanged)
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.language.currentIndexChanged.connect(lambda _i: self.filterChanged.emit())
        self.list.currentItemChanged.connect(lambda _a, _b: self._show_current())
        self._show_current()

    def _button(self, name: str, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        return button

    def query(self) -> tuple[str, str]:
        return self.field.text().strip(), str(self.language.currentData() or "")

    def set_languages(self, languages: list[tuple[str, int]]) -> None:
        chosen = self.language.currentData()
        self.language.blockSignals(True)
        self.language.clear()
        self.language.addItem(self.tr("All languages"), "")
        for name, count in languages:
            self.language.addItem(f"{name} ({count:,})", name)
        index = self.language.findData(chosen)
        self.language.setCurrentIndex(max(0, index))
        self.language.blockSignals(False)

    def set_entries(self, entries: list[SnippetEntry]) -> None:
        current = self.current()
        self.entries = entries
        self.list.clear()
        items = []
        for entry in entries:
            first = next((ln.strip() for ln in entry.code.splitlines() if ln.strip()), "")
            title = entry.name or first[:60]
            item = QTreeWidgetItem(
                [
                    ("★ " if entry.pinned else "") + title,
                    entry.language or self.tr("text"),
                    entry.title or self.tr("Untitled"),
                    time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created)),
                ]
            )
            item.setToolTip(0, entry.name or first)
            items.append(item)
        self.list.addTopLevelItems(items)
        if current is not None:
            keys = [(e.message_id, e.block) for e in entries]
            key = (current.message_id, current.block)
            self.list.setCurrentItem(self.list.topLevelItem(keys.index(key) if key in keys else 0))
        elif items:
            self.list.setCurrentItem(items[0])
        n = len(entries)
        self.summary.setText(
            self.tr("{n} snippets").format(n=f"{n:,}") if n else self.tr("No snippet matches.")
        )
        self._show_current()

    def current(self) -> SnippetEntry | None:
        item = self.list.currentItem()
        row = self.list.indexOfTopLevelItem(item) if item is not None else -1
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _show_current(self) -> None:
        entry = self.current()
        for button in self.actions:
            button.setEnabled(entry is not None)
        if entry is None:
            self.preview.set_code("", "")
            return
        self.pin_button.setText(self.tr("Unpin") if entry.pinned else self.tr("Pin"))
        self.preview.set_code(entry.code[:PREVIEW_LIMIT], entry.language)

    def say(self, text: str, error: bool = False) -> None:
        self.summary.setText(text)
        set_tone(self.summary, "error" if error else "")


class SnippetLibraryController(QObject):
    openSnippet = Signal(str, str, int)  # conversation id, message id, block: in the code pane
    goToMessage = Signal(str, str)  # conversation id, message id

    def __init__(self, history: HistoryService, window: QWidget) -> None:
        super().__init__(window)
        self.history = history
        self.window = window
        self.tasks = Tasks()
        self.dialog: SnippetLibrary | None = None
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+S"), window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.open)

    def open(self) -> SnippetLibrary:
        if self.dialog is None:
            dialog = SnippetLibrary(self.window)
            dialog.filterChanged.connect(self.refresh)
            dialog.copy_button.clicked.connect(self.copy)
            dialog.save_button.clicked.connect(self.save_as)
            dialog.pin_button.clicked.connect(self.toggle_pin)
            dialog.open_button.clicked.connect(self._open_in_code_pane)
            dialog.goto_button.clicked.connect(self._go_to)
            dialog.list.itemActivated.connect(lambda _i, _c: self._open_in_code_pane())
            self.dialog = dialog
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.field.setFocus()
        self.tasks.start(self._fill(languages=True))
        return self.dialog

    def refresh(self) -> None:
        self.tasks.start(self._fill())

    async def _fill(self, languages: bool = False) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        query = dialog.query()
        try:
            if languages:
                dialog.set_languages(await self.history.snippet_languages())
                query = dialog.query()
            entries = await self.history.snippets(*query)
        except HistoryError as exc:
            dialog.say(exc.reason, error=True)
            return
        if dialog.query() == query:  # not an older filter's answer
            dialog.set_entries(entries)

    def copy(self) -> None:
        entry = self.dialog.current() if self.dialog else None
        if entry is not None:
            QGuiApplication.clipboard().setText(entry.code)
            self.dialog.say(self.tr("Copied the code."))

    def save_as(self) -> Path | None:
        from app.core.snippets import Snippet, file_name, file_text_for, write_text

        entry = self.dialog.current() if self.dialog else None
        if entry is None or self.dialog is None:
            return None
        snippet = Snippet(entry.message_id, entry.block, entry.language, entry.code, entry.name)
        path = self._ask_save_path(file_name(snippet))
        if path is None:
            return None
        try:
            write_text(path, file_text_for(entry.code))
        except OSError as exc:
            self.dialog.say(
                self.tr("Could not save {path}: {error}").format(
                    path=path, error=exc.strerror or exc
                ),
                error=True,
            )
            return None
        self.dialog.say(self.tr("Saved {path}").format(path=path))
        return path

    def _ask_save_path(self, suggested: str) -> Path | None:  # tests replace the dialog
        name, _ = QFileDialog.getSaveFileName(self.dialog, self.tr("Save snippet as"), suggested)
        return Path(name) if name else None

    def toggle_pin(self) -> None:
        entry = self.dialog.current() if self.dialog else None
        if entry is None:
            return
        self.history.set_snippet_pinned(entry.message_id, entry.block, not entry.pinned)
        self.refresh()

    def _open_in_code_pane(self) -> None:
        entry = self.dialog.current() if self.dialog else None
        if entry is not None:
            self.openSnippet.emit(entry.conversation_id, entry.message_id, entry.block)

    def _go_to(self) -> None:
        entry = self.dialog.current() if self.dialog else None
        if entry is not None:
            self.goToMessage.emit(entry.conversation_id, entry.message_id)
