"""The history side of the window: the sidebar, the Trash with undo, search, export and
import, and the tabs restored at start.

Owns the sidebar, the search dialog, the history warning in the status bar and the import
and export actions; the window places them. Talks to the database only through the named
operations of `HistoryService`, and to the tabs through `ConversationTabs`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu, QMessageBox, QWidget

from app.core.asyncutil import Tasks
from app.core.conversation import Conversation
from app.services.history import HistoryError, HistoryService
from app.ui.composer import Composer
from app.ui.conversation_tabs import ConversationTabs
from app.ui.search_dialog import SearchDialog
from app.ui.sidebar import Sidebar

SIDEBAR_DELAY_MS = 150  # a burst of changes (a stream ending, several saves): one refresh


class HistoryController(QObject):
    statusText = Signal(str)  # for the window's status line

    def __init__(
        self,
        history: HistoryService,
        tabs: ConversationTabs,
        composer: Composer,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.history = history
        self.tabs = tabs
        self.composer = composer
        self.window = window
        self.tasks = Tasks()
        self.search: SearchDialog | None = None
        self._session_restored = False  # until then, the stored tabs must not be overwritten
        self._saved_tab_ids: list[str | None] = []  # the conversations of the tabs last saved

        self.sidebar = Sidebar()
        self.sidebar.openRequested.connect(self.open_by_id)
        self.sidebar.renameRequested.connect(self.rename)
        self.sidebar.pinRequested.connect(self.pin)
        self.sidebar.deleteRequested.connect(self.trash)
        self.sidebar.restoreRequested.connect(self.restore_from_trash)
        self.sidebar.deleteForeverRequested.connect(self.delete_forever)
        self.sidebar.exportRequested.connect(self.export_dialog)
        self.sidebar.trashToggled.connect(lambda _on: self.refresh_sidebar())
        self.warning = QLabel()
        self.warning.setObjectName("historyWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self._sidebar_timer = QTimer(self)
        self._sidebar_timer.setSingleShot(True)
        self._sidebar_timer.setInterval(SIDEBAR_DELAY_MS)
        self._sidebar_timer.timeout.connect(lambda: self.tasks.start(self.fill_sidebar()))

        self.search_action = QAction(self.tr("&Search all conversations…"), self)
        self.search_action.triggered.connect(self.open_search)
        self.import_action = QAction(self.tr("&Import conversations…"), self)
        self.import_action.triggered.connect(self.import_dialog)
        self.export_actions = [
            (self.tr("This conversation as Markdown…"), lambda: self.export_current("md")),
            (self.tr("This conversation as JSON…"), lambda: self.export_current("json")),
            (self.tr("All conversations as JSON…"), lambda: self.export_dialog(None, "json")),
            (self.tr("All conversations as Markdown…"), lambda: self.export_dialog(None, "md")),
        ]

        history.problem.connect(self._on_problem)
        history.recovered.connect(self._on_recovered)
        history.notice.connect(self._on_notice)
        tabs.arrangementChanged.connect(self.save_session_soon)
        # A tab's first message gives it a conversation to reopen: saved then, not only when
        # the tabs change, so that a killed app reopens it too.
        tabs.tabOpened.connect(lambda tab: tab.conversationChanged.connect(self._tabs_may_change))
        tabs.currentTabChanged.connect(
            lambda tab: tab is not None and self.select_in_sidebar(tab.conversation.id)
        )

    def add_export_menu(self, menu: QMenu) -> None:
        for text, slot in self.export_actions:
            menu.addAction(text, slot)

    # --- the sidebar -----------------------------------------------------------------------

    def refresh_sidebar(self) -> None:
        self._sidebar_timer.start()  # coalesces bursts

    async def fill_sidebar(self) -> None:
        self._sidebar_timer.stop()
        trash = self.sidebar.showing_trash
        try:
            infos = await self.history.list_conversations(trash)
        except HistoryError as exc:
            self.statusText.emit(exc.reason)
            return
        if trash == self.sidebar.showing_trash:
            self.sidebar.set_items(infos)
            tab = self.tabs.current_tab()
            if tab is not None:
                self.select_in_sidebar(tab.conversation.id)

    def select_in_sidebar(self, conversation_id: str) -> None:
        item = self.sidebar.item_for(conversation_id)
        if item is not None:
            self.sidebar.list.setCurrentItem(item)

    def open_by_id(self, conversation_id: str, message_id: str = "") -> None:
        self.tasks.start(self.open_stored(conversation_id, message_id))

    async def open_stored(self, conversation_id: str, message_id: str = "") -> None:
        tab = self.tabs.tab_for(conversation_id)
        if tab is not None:
            self.open(tab.conversation, message_id)
            return
        try:
            conv = await self.history.load(conversation_id)
        except HistoryError as exc:
            self.statusText.emit(exc.reason)
            return
        if conv is None:
            self.statusText.emit(self.tr("That conversation is no longer in the history."))
            self.refresh_sidebar()
            return
        if self.tabs.tab_for(conversation_id) is None:  # not opened meanwhile
            self.open(conv, message_id)

    def open(self, conversation: Conversation, message_id: str = "") -> None:
        self.tabs.open_conversation(conversation, message_id)
        self.select_in_sidebar(conversation.id)

    def rename(self, conversation_id: str, title: str) -> None:
        tab = self.tabs.tab_for(conversation_id)
        if tab is not None:
            tab.conversation.title = title
            self.history.save(tab.conversation)
            tab.titleChanged.emit(tab.title())
        else:
            self.history.rename(conversation_id, title)
        self.refresh_sidebar()

    def pin(self, conversation_id: str, pinned: bool) -> None:
        tab = self.tabs.tab_for(conversation_id)
        if tab is not None:
            tab.conversation.pinned = pinned
            self.history.save(tab.conversation)
        else:
            self.history.set_pinned(conversation_id, pinned)
        self.refresh_sidebar()

    def trash(self, conversation_id: str) -> None:
        tab = self.tabs.tab_for(conversation_id)
        title = self.sidebar.title_of(conversation_id)
        if tab is not None:
            title = tab.conversation.title
            self.tabs.close_tab(self.tabs.indexOf(tab))
        self.history.trash(conversation_id)
        self.refresh_sidebar()
        was_open = tab is not None

        def undo() -> None:
            self.restore_from_trash(conversation_id)
            if was_open:  # bring its tab back too
                self.open_by_id(conversation_id)

        title = title or self.tr("Untitled")
        self.sidebar.undo_bar.offer(
            self.tr("“{title}” moved to the Trash.").format(title=title), undo
        )

    def restore_from_trash(self, conversation_id: str) -> None:
        self.history.restore(conversation_id)
        self.refresh_sidebar()

    def delete_forever(self, conversation_id: str) -> None:
        answer = QMessageBox.question(
            self.window,
            self.tr("Delete forever"),
            self.tr("Delete this conversation forever? This cannot be undone."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.history.delete_forever(conversation_id)
            self.refresh_sidebar()

    # --- search ----------------------------------------------------------------------------

    def open_search(self) -> SearchDialog:
        if self.search is None:
            self.search = SearchDialog(self.window)
            self.search.queryChanged.connect(lambda q: self.tasks.start(self.search_for(q)))
            self.search.resultChosen.connect(self.open_by_id)
        self.search.open_with_focus()
        return self.search

    async def search_for(self, query: str) -> None:
        try:
            hits = await self.history.search(query)
        except HistoryError as exc:
            self.statusText.emit(exc.reason)
            hits = []
        if self.search is not None:
            self.search.set_results(query, hits)

    # --- export and import -------------------------------------------------------------------

    def export_current(self, fmt: str) -> None:
        tab = self.tabs.current_tab()
        if tab is None or not tab.conversation.nodes:
            self.statusText.emit(self.tr("Nothing to export yet: this conversation is empty."))
            return
        self.export_dialog(tab.conversation.id, fmt)

    def export_dialog(self, conversation_id: str | None, fmt: str) -> None:
        name = "glm-desk-conversations" if conversation_id is None else "conversation"
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Export"),
            str(Path.home() / f"{name}.{fmt}"),
            self.tr("Markdown (*.md)") if fmt == "md" else self.tr("JSON (*.json)"),
        )
        if path:
            self.tasks.start(self.export_to(Path(path), conversation_id, fmt))

    async def export_to(self, path: Path, conversation_id: str | None, fmt: str) -> bool:
        try:
            await self.history.export_to(path, conversation_id, fmt)
        except HistoryError as exc:
            text = self.tr("Could not write {name}: {error}.")
            self.statusText.emit(text.format(name=path.name, error=exc.reason))
            return False
        self.statusText.emit(self.tr("Exported to {path}.").format(path=path))
        return True

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            self.tr("Import conversations"),
            str(Path.home()),
            self.tr("GLM Desk export (*.json)"),
        )
        if path:
            self.tasks.start(self.import_from(Path(path)))

    async def import_from(self, path: Path) -> tuple[int, int] | None:
        try:
            imported, skipped = await self.history.import_from(path)
        except HistoryError as exc:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Import"),
                self.tr(
                    "{name} was not imported: {reason}.\n\n"
                    "GLM Desk imports the JSON files it exports."
                ).format(name=path.name, reason=exc.reason),
                parent=self.window,
            )
            box.setObjectName("importRefused")
            box.open()
            self.statusText.emit(self.tr("Not imported: {reason}.").format(reason=exc.reason))
            return None
        if skipped:
            text = self.tr(
                "Imported %n conversation(s) ({skipped} already in the history).", None, imported
            ).format(skipped=skipped)
        else:
            text = self.tr("Imported %n conversation(s).", None, imported)
        self.statusText.emit(text)
        self.refresh_sidebar()
        return imported, skipped

    # --- the tabs open at quit ---------------------------------------------------------------

    def session_state(self) -> dict[str, object]:
        """The open tabs, for the next start: conversation, scroll position, draft."""
        current = self.tabs.current_tab()
        tabs = []
        for tab in self.tabs.all_tabs():
            draft = self.composer.toPlainText() if tab is current else tab.draft
            conv = tab.conversation
            tabs.append(
                {
                    "id": conv.id if conv.nodes else None,
                    "top": list(tab.view.top_anchor()),
                    "draft": draft,
                }
            )
        return {"tabs": tabs, "current": self.tabs.currentIndex()}

    def save_session_soon(self) -> None:
        if self._session_restored:
            self._saved_tab_ids = self._tab_ids()
            self.history.save_session_state(self.session_state())

    def _tab_ids(self) -> list[str | None]:
        return [t.conversation.id if t.conversation.nodes else None for t in self.tabs.all_tabs()]

    def _tabs_may_change(self) -> None:
        if self._tab_ids() != self._saved_tab_ids:
            self.save_session_soon()

    async def restore_session(self) -> None:
        """Reopen the tabs that were open at the last quit, with their scroll positions."""
        try:
            state, loaded = await self.history.load_session_state()
        except HistoryError as exc:
            self.statusText.emit(exc.reason)
            state, loaded = {}, {}
        self._session_restored = True
        tabs = [t for t in state.get("tabs", []) if isinstance(t, dict)]
        if not tabs:
            return
        first = self.tabs.current_tab()
        if first is not None and (first.conversation.nodes or first.busy):
            return  # the user started already
        self._session_restored = False  # no saves while the tabs are rebuilt
        self.tabs.close_current_tab(reopen=False)
        for saved in tabs:
            conv = loaded.get(saved.get("id") or "")
            if saved.get("id") and conv is None:
                continue  # deleted since
            draft = str(saved.get("draft") or "")
            tab = self.tabs.new_tab(conv, draft=draft, current=False)
            top = saved.get("top")
            if isinstance(top, list) and len(top) == 2 and top[0] >= 0:
                index, offset = int(top[0]), int(top[1])
                view = tab.view
                QTimer.singleShot(
                    0, view, lambda v=view, i=index, o=offset: v.scroll_to_anchor(i, o)
                )
        if self.tabs.count() == 0:
            self.tabs.new_tab()
        self.tabs.setCurrentIndex(min(int(state.get("current", 0)), self.tabs.count() - 1))
        self._session_restored = True
        self.save_session_soon()

    def close(self) -> None:
        """The window is closing: nothing more to show (the session state was saved)."""
        self._sidebar_timer.stop()
        self.tasks.cancel()

    # --- what the history service reports ----------------------------------------------------

    def _on_problem(self, text: str) -> None:
        first = text.split(". ")[0].split("。")[0]  # what happened (English or Chinese)
        self.warning.setText("⚠ " + first)
        self.warning.setToolTip(text)  # and what to do
        self.warning.show()
        self.statusText.emit(text)

    def _on_recovered(self) -> None:
        self.warning.hide()
        self.statusText.emit(self.tr("History saved again; nothing was lost."))

    def _on_notice(self, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("History"), text, parent=self.window
        )
        box.setObjectName("historyNotice")
        box.open()
