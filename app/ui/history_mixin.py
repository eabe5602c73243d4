"""The main window's history side: sidebar, trash with undo, search, export and import,
and the tabs restored at start. A mixin of MainWindow, kept apart because it is one idea."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from app.core.conversation import Conversation
from app.core.exchange import ImportRefused, export_records, import_into, parse_import, render
from app.core.store import HistoryStore
from app.services.history import HistoryService
from app.services.translation import exception_text
from app.ui.chat_view import ChatView
from app.ui.search_dialog import SearchDialog
from app.ui.sidebar import Sidebar

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTabWidget

    from app.services.chat_session import ChatSession
    from app.ui.composer import Composer

SESSION_KEY = "session"  # meta key: the tabs open at quit


class HistoryMixin:
    history: HistoryService
    sidebar: Sidebar
    status_label: QLabel
    history_warning: QLabel
    tabs: QTabWidget
    composer: Composer
    _sessions: dict[ChatView, ChatSession]
    _draft_owner: ChatSession | None
    _search: SearchDialog | None
    _session_restored: bool
    _sidebar_timer: QTimer

    if TYPE_CHECKING:  # provided by MainWindow

        def current_session(self) -> ChatSession | None: ...
        def session_for(self, conversation_id: str) -> tuple[ChatView, ChatSession] | None: ...
        def open_conversation(self, c: Conversation, message_id: str = "") -> ChatView: ...
        def new_tab(self, conversation: Conversation | None = None) -> ChatView: ...
        def close_tab(self, index: int, reopen: bool = True) -> None: ...
        def close_current_tab(self, reopen: bool = True) -> None: ...
        def _on_busy(self, view: ChatView) -> None: ...
        def _on_tab_changed(self, index: int) -> None: ...

    # --- history: sidebar, trash, search, export, session ----------------------------

    def refresh_sidebar(self) -> None:
        self._sidebar_timer.start()  # coalesces bursts (a stream finishing, several saves)

    async def _fill_sidebar(self) -> None:
        trash = self.sidebar.showing_trash
        infos = await self.history.run(lambda s: s.list_conversations(trash), [])
        if trash == self.sidebar.showing_trash:
            self.sidebar.set_items(infos)
            session = self.current_session()
            if session is not None:
                self.sidebar_select(session.conversation.id)

    def sidebar_select(self, conversation_id: str) -> None:
        item = self.sidebar.item_for(conversation_id)
        if item is not None:
            self.sidebar.list.setCurrentItem(item)

    def _open_by_id(self, conversation_id: str, message_id: str = "") -> None:
        asyncio.ensure_future(self.open_stored(conversation_id, message_id))

    async def open_stored(self, conversation_id: str, message_id: str = "") -> None:
        found = self.session_for(conversation_id)
        if found is not None:
            self.open_conversation(found[1].conversation, message_id)
            return
        conv = await self.history.run(lambda s: s.load(conversation_id), None)
        if conv is None:
            self.status_label.setText(
                QCoreApplication.translate(
                    "HistoryMixin", "That conversation is no longer in the history."
                )
            )
            self.refresh_sidebar()
            return
        if self.session_for(conversation_id) is None:  # not opened meanwhile
            self.open_conversation(conv, message_id)

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        found = self.session_for(conversation_id)
        if found is not None:
            view, session = found
            session.conversation.title = title
            self.history.save(session.conversation)
            self._on_busy(view)
        else:
            self.history.run_soon(lambda s: s.rename(conversation_id, title))
        self.refresh_sidebar()

    def pin_conversation(self, conversation_id: str, pinned: bool) -> None:
        found = self.session_for(conversation_id)
        if found is not None:
            found[1].conversation.pinned = pinned
            self.history.save(found[1].conversation)
        else:
            self.history.run_soon(lambda s: s.set_pinned(conversation_id, pinned))
        self.refresh_sidebar()

    def trash_conversation(self, conversation_id: str) -> None:
        found = self.session_for(conversation_id)
        title = self.sidebar.title_of(conversation_id)
        if found is not None:
            title = found[1].conversation.title
            self.close_tab(self.tabs.indexOf(found[0]))
        self.history.run_soon(lambda s: s.trash(conversation_id))
        self.refresh_sidebar()

        def undo() -> None:
            self._restore_from_trash(conversation_id)
            if found is not None:  # it was open: bring its tab back too
                self._open_by_id(conversation_id)

        title = title or QCoreApplication.translate("HistoryMixin", "Untitled")
        self.sidebar.undo_bar.offer(
            QCoreApplication.translate("HistoryMixin", "“{title}” moved to the Trash.").format(
                title=title
            ),
            undo,
        )

    def _restore_from_trash(self, conversation_id: str) -> None:
        self.history.run_soon(lambda s: s.restore(conversation_id))
        self.refresh_sidebar()

    def _delete_forever(self, conversation_id: str) -> None:
        answer = QMessageBox.question(
            self,
            QCoreApplication.translate("HistoryMixin", "Delete forever"),
            QCoreApplication.translate(
                "HistoryMixin", "Delete this conversation forever? This cannot be undone."
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.history.run_soon(lambda s: s.delete_forever(conversation_id))
            self.refresh_sidebar()

    def open_search(self) -> None:
        if self._search is None:
            self._search = SearchDialog(self)
            self._search.queryChanged.connect(lambda q: asyncio.ensure_future(self._search_for(q)))
            self._search.resultChosen.connect(self._open_by_id)
        self._search.open_with_focus()

    async def _search_for(self, query: str) -> None:
        hits = await self.history.run(lambda s: s.search(query), []) if query else []
        if self._search is not None:
            self._search.set_results(query, hits)

    def _export_current(self, fmt: str) -> None:
        session = self.current_session()
        if session is None or not session.conversation.nodes:
            self.status_label.setText(
                QCoreApplication.translate(
                    "HistoryMixin", "Nothing to export yet: this conversation is empty."
                )
            )
            return
        self._export_dialog(session.conversation.id, fmt)

    def _export_dialog(self, conversation_id: str | None, fmt: str) -> None:
        name = "glm-desk-conversations" if conversation_id is None else "conversation"
        path, _ = QFileDialog.getSaveFileName(
            self,
            QCoreApplication.translate("HistoryMixin", "Export"),
            str(Path.home() / f"{name}.{fmt}"),
            QCoreApplication.translate("HistoryMixin", "Markdown (*.md)")
            if fmt == "md"
            else QCoreApplication.translate("HistoryMixin", "JSON (*.json)"),
        )
        if path:
            asyncio.ensure_future(self.export_to(Path(path), conversation_id, fmt))

    async def export_to(self, path: Path, conversation_id: str | None, fmt: str) -> bool:
        text = await self.history.run(lambda s: render(export_records(s, conversation_id), fmt), "")
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: path.write_text(text, encoding="utf-8")
            )
        except OSError as exc:
            self.status_label.setText(
                QCoreApplication.translate(
                    "HistoryMixin", "Could not write {name}: {error}."
                ).format(name=path.name, error=exc.strerror or exc)
            )
            return False
        self.status_label.setText(
            QCoreApplication.translate("HistoryMixin", "Exported to {path}.").format(path=path)
        )
        return True

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            QCoreApplication.translate("HistoryMixin", "Import conversations"),
            str(Path.home()),
            QCoreApplication.translate("HistoryMixin", "GLM Desk export (*.json)"),
        )
        if path:
            asyncio.ensure_future(self.import_from(Path(path)))

    async def import_from(self, path: Path) -> tuple[int, int] | None:
        try:
            text = await asyncio.get_running_loop().run_in_executor(
                None, lambda: path.read_text(encoding="utf-8")
            )
            conversations = parse_import(text)
        except (OSError, UnicodeDecodeError, ImportRefused) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exception_text(exc)
            if isinstance(exc, UnicodeDecodeError):
                reason = QCoreApplication.translate("HistoryMixin", "it is not a text file")
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                QCoreApplication.translate("HistoryMixin", "Import"),
                QCoreApplication.translate(
                    "HistoryMixin",
                    "{name} was not imported: {reason}.\n\n"
                    "GLM Desk imports the JSON files it exports.",
                ).format(name=path.name, reason=reason),
                parent=self,
            )
            box.setObjectName("importRefused")
            box.open()
            self.status_label.setText(
                QCoreApplication.translate("HistoryMixin", "Not imported: {reason}.").format(
                    reason=reason
                )
            )
            return None
        counts = await self.history.run(lambda s: import_into(s, conversations), (0, 0))
        imported, skipped = counts
        if skipped:
            text = QCoreApplication.translate(
                "HistoryMixin",
                "Imported %n conversation(s) ({skipped} already in the history).",
                None,
                imported,
            ).format(skipped=skipped)
        else:
            text = QCoreApplication.translate(
                "HistoryMixin", "Imported %n conversation(s).", None, imported
            )
        self.status_label.setText(text)
        self.refresh_sidebar()
        return counts

    def session_state(self) -> dict[str, object]:
        """The open tabs, for the next start: conversation, scroll position, draft."""
        current = self.current_session()
        if current is not None and current is self._draft_owner:
            current.draft = self.composer.toPlainText()
        tabs = []
        for i in range(self.tabs.count()):
            view = self.tabs.widget(i)
            if not isinstance(view, ChatView):
                continue
            session = self._sessions[view]
            conv = session.conversation
            tabs.append(
                {
                    "id": conv.id if conv.nodes else None,
                    "top": list(view.top_anchor()),
                    "draft": session.draft,
                }
            )
        return {"tabs": tabs, "current": self.tabs.currentIndex()}

    def _save_session_soon(self) -> None:
        if not self._session_restored:
            return
        state = json.dumps(self.session_state())
        self.history.run_soon(lambda s: s.set_meta(SESSION_KEY, state))

    async def restore_session(self) -> None:
        """Reopen the tabs that were open at the last quit, with their scroll positions."""

        def read(store: HistoryStore) -> tuple[dict, dict[str, Conversation]]:
            try:
                state = json.loads(store.get_meta(SESSION_KEY, "{}"))
            except ValueError:
                state = {}
            ids = [t.get("id") for t in state.get("tabs", []) if isinstance(t, dict)]
            loaded = {cid: c for cid in ids if cid and (c := store.load(cid)) is not None}
            return state, loaded

        state, loaded = await self.history.run(read, ({}, {}))
        self._session_restored = True
        tabs = [t for t in state.get("tabs", []) if isinstance(t, dict)]
        if not tabs:
            return
        first = self.current_session()
        if first is not None and (first.conversation.nodes or first.busy):
            return  # the user started already
        self.close_current_tab(reopen=False)
        for tab in tabs:
            conv = loaded.get(tab.get("id") or "")
            if tab.get("id") and conv is None:
                continue  # deleted since
            view = self.new_tab(conv)
            self._sessions[view].draft = str(tab.get("draft") or "")
            top = tab.get("top")
            if isinstance(top, list) and len(top) == 2 and top[0] >= 0:
                index, offset = int(top[0]), int(top[1])
                QTimer.singleShot(0, lambda v=view, i=index, o=offset: v.scroll_to_anchor(i, o))
        if self.tabs.count() == 0:
            self.new_tab()
        self._draft_owner = None
        self.tabs.setCurrentIndex(min(int(state.get("current", 0)), self.tabs.count() - 1))
        self._on_tab_changed(self.tabs.currentIndex())

    def _on_history_problem(self, text: str) -> None:
        first = text.split(". ")[0].split("。")[0]  # what happened (English or Chinese)
        self.history_warning.setText("⚠ " + first)
        self.history_warning.setToolTip(text)  # and what to do
        self.history_warning.show()
        self.status_label.setText(text)

    def _on_history_recovered(self) -> None:
        self.history_warning.hide()
        self.status_label.setText(
            QCoreApplication.translate("HistoryMixin", "History saved again; nothing was lost.")
        )

    def _on_history_notice(self, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            QCoreApplication.translate("HistoryMixin", "History"),
            text,
            parent=self,
        )
        box.setObjectName("historyNotice")
        box.open()
