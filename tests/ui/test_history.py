"""History in the window: saved as it streams, sidebar, trash with undo, search, message
actions with versions, export and import, session restore, a disk that refuses writes."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.protocol import Role
from app.core.store import HistoryStore, conversation_record
from app.services.history import HistoryService
from app.ui.chat_view import INTERRUPTED_TEXT, PAGE, action_url
from app.ui.main_window import MainWindow
from tests.protocol_servers import Reply
from tests.ui.conftest import until, wait_idle
from tests.ui.test_main_window import type_and_send


def stored(history: HistoryService, qloop, cid: str) -> Conversation | None:
    return qloop.run_until_complete(history.run(lambda s: s.load(cid), None))


def click(window: MainWindow, action: str, message_id: str) -> None:
    window.current_view().anchorClicked.emit(QUrl(action_url(action, message_id)))


def chat(window, server, qloop, *turns: tuple[str, str]) -> None:
    for question, answer in turns:
        server.push(Reply(text=answer))
        window.composer.setPlainText(question)  # QTest types ASCII only
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        wait_idle(qloop, window.current_tab().session)


def sidebar_titles(window, qloop) -> list[str]:
    qloop.run_until_complete(window.history_controller.fill_sidebar())
    lst = window.sidebar.list
    return [lst.item(i).text() for i in range(lst.count())]


def test_answers_are_saved_while_streaming_and_at_the_end(window, server, history, qloop):
    server.push(Reply(text=" ".join(["word"] * 80), delay=0.01))
    type_and_send(window, "stream please")
    session = window.current_tab().session
    cid = session.conversation.id

    async def saved_while_streaming() -> ChatMessage:
        while True:
            answer = (await history.run(lambda s: s.load(cid), None)).messages[-1]
            if answer.content:
                return answer
            await asyncio.sleep(0.02)

    mid = qloop.run_until_complete(asyncio.wait_for(saved_while_streaming(), 5))
    assert mid.state == AnswerState.STREAMING  # saved before the end
    assert session.busy
    wait_idle(qloop, session)
    final = stored(history, qloop, cid)
    assert [m.content for m in final.messages] == ["stream please", " ".join(["word"] * 80)]
    assert final.messages[-1].state == AnswerState.DONE
    assert final.title == "stream please"


def test_sidebar_lists_renames_pins_and_trash_has_undo(window, server, qloop, qtbot):
    chat(window, server, qloop, ("first topic", "a"))
    window.new_tab()
    chat(window, server, qloop, ("second topic", "b"))
    assert sidebar_titles(window, qloop) == ["second topic", "first topic"]

    first_id = window.sidebar.ids()[1]
    window.history_controller.pin(first_id, True)
    assert sidebar_titles(window, qloop) == ["★ first topic", "second topic"]
    window.history_controller.rename(first_id, "Renamed 重命名")
    assert sidebar_titles(window, qloop)[0] == "★ Renamed 重命名"
    assert window.tabs.tabText(0) == "Renamed 重命名"

    window.history_controller.trash(first_id)
    assert window.tabs.count() == 1  # its tab closed
    assert sidebar_titles(window, qloop) == ["second topic"]
    bar = window.sidebar.undo_bar
    assert bar.isVisible() and "moved to the Trash" in bar.label.text()
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert sidebar_titles(window, qloop) == ["★ Renamed 重命名", "second topic"]
    qloop.run_until_complete(until(lambda: window.tabs.count() == 2))  # its tab is back
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Renamed 重命名"

    window.history_controller.trash(first_id)
    window.sidebar.trash_button.click()
    assert sidebar_titles(window, qloop) == ["★ Renamed 重命名"]
    window.sidebar.trash_button.click()
    assert sidebar_titles(window, qloop) == ["second topic"]
    # clicking an entry opens it (in the current tab if that one is empty)
    window.new_tab()
    count = window.tabs.count()
    second_id = window.sidebar.ids()[0]
    qloop.run_until_complete(window.history_controller.open_stored(second_id))
    assert window.tabs.count() == count
    assert "second topic" in window.current_view().toPlainText()


def test_search_opens_the_conversation_at_the_message(window, server, qloop, qtbot):
    chat(window, server, qloop, ("tell me about 数据库索引", "B-trees keep keys sorted."))
    window.new_tab()
    chat(window, server, qloop, ("unrelated", "nothing here"))
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window, Qt.Key.Key_F, ctrl_shift)
    dialog = window.history_controller.search
    assert dialog is not None and dialog.isVisible()
    dialog.field.setText("数据库")
    qloop.run_until_complete(until(lambda: dialog.results.count() == 1))
    assert dialog.summary.text() == "1 result"
    label = dialog.results.itemWidget(dialog.results.item(0))
    assert "<b" in label.text() and "数据库" in label.text()
    QTest.keyClick(dialog.field, Qt.Key.Key_Return)
    qloop.run_until_complete(until(lambda: "数据库索引" in window.current_view().toPlainText()))
    assert not dialog.isVisible()
    dialog.field.setText("zzz-nothing")
    qloop.run_until_complete(until(lambda: "Nothing found" in dialog.summary.text()))


def test_regenerate_keeps_versions_and_edit_keeps_the_old_branch(window, server, qloop):
    chat(window, server, qloop, ("question", "answer one"))
    session = window.current_tab().session
    conv = session.conversation
    server.push(Reply(text="answer two"))
    click(window, "regenerate", conv.messages[1].id)
    wait_idle(qloop, session)
    assert [m.content for m in conv.messages] == ["question", "answer two"]
    assert "2/2" in window.current_view().toPlainText()
    click(window, "previous", conv.messages[1].id)
    assert [m.content for m in conv.messages] == ["question", "answer one"]
    assert "1/2" in window.current_view().toPlainText()

    click(window, "edit", conv.messages[0].id)
    assert window.edit_banner.isVisible()
    assert window.composer.toPlainText() == "question"
    window.composer.selectAll()
    server.push(Reply(text="edited answer"))
    type_and_send(window, "better question")
    wait_idle(qloop, session)
    assert [m.content for m in conv.messages] == ["better question", "edited answer"]
    assert not window.edit_banner.isVisible()
    click(window, "previous", conv.messages[0].id)
    assert [m.content for m in conv.messages] == ["question", "answer one"]
    # all of it is in the history, with the branch on screen
    again = stored(window.history, qloop, conv.id)
    assert len(again.nodes) == 5
    assert [m.content for m in again.messages] == ["question", "answer one"]
    # what is sent is the branch on screen only
    server.push(Reply(text="ok"))
    type_and_send(window, "next")
    wait_idle(qloop, session)
    sent = [m["content"] for m in server.requests[-1].body["messages"]]
    assert sent == ["question", "answer one", "next"]


def test_copy_and_delete_a_message(window, server, qloop):
    chat(window, server, qloop, ("q1", "a1"), ("q2", "a2"))
    conv = window.current_tab().session.conversation
    click(window, "copy", conv.messages[1].id)
    assert QApplication.clipboard().text() == "a1"
    gone = conv.messages[1].id
    click(window, "delete", gone)
    assert [m.content for m in conv.messages] == ["q1", "q2", "a2"]
    assert "a1" not in window.current_view().toPlainText().split()
    again = stored(window.history, qloop, conv.id)
    assert [m.content for m in again.messages] == ["q1", "q2", "a2"]


def interrupted_profile(path) -> Conversation:
    store = HistoryStore(path)
    conv = Conversation(title="Cut off")
    conv.add(ChatMessage(Role.USER, "count to ten"))
    conv.add(ChatMessage(Role.ASSISTANT, "one two three", state=AnswerState.STREAMING))
    store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
    store.set_meta("session", json.dumps({"tabs": [{"id": conv.id, "top": -1}], "current": 0}))
    store.close()
    return conv


@pytest.fixture
def interrupted(tmp_path):
    return interrupted_profile(tmp_path / "history.db")


def test_an_interrupted_answer_offers_continue_and_regenerate(interrupted, window, server, qloop):
    qloop.run_until_complete(window.history_controller.restore_session())
    session = window.current_tab().session
    assert session.conversation.id == interrupted.id
    shown = window.current_view().toPlainText()
    assert INTERRUPTED_TEXT in shown and "Continue" in shown and "Regenerate" in shown
    server.push(Reply(text=" four five"))
    click(window, "continue", session.conversation.messages[1].id)
    wait_idle(qloop, session)
    answer = session.conversation.messages[1]
    assert answer.content == "one two three four five" and answer.state == AnswerState.DONE
    sent = server.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == "one two three"
    assert INTERRUPTED_TEXT not in window.current_view().toPlainText()


def test_tabs_reopen_with_drafts_after_a_restart(window, server, history, qloop, qtbot, tmp_path):
    qloop.run_until_complete(window.history_controller.restore_session())
    chat(window, server, qloop, ("kept tab", "yes"))
    window.new_tab()
    QTest.keyClicks(window.composer, "unsent draft")
    window.tabs.setCurrentIndex(0)
    window.close()
    qloop.run_until_complete(window.wait_stopped())
    assert history.flush_and_close()

    again = HistoryService(tmp_path / "history.db")
    win2 = MainWindow(
        window.backend, again, window.providers.providers, initial_provider="openrouter"
    )
    qtbot.addWidget(win2)
    win2.show()
    qloop.run_until_complete(win2.history_controller.restore_session())
    assert win2.tabs.count() == 2 and win2.tabs.currentIndex() == 0
    assert "kept tab" in win2.current_view().toPlainText()
    win2.tabs.setCurrentIndex(1)
    assert win2.composer.toPlainText() == "unsent draft"
    win2.close()
    again.flush_and_close()


def test_a_tab_is_remembered_once_it_has_a_conversation(window, server, history, qloop):
    """Not only when tabs open or close: an app killed after the first question of a new
    tab reopens that tab, with its answer marked interrupted."""
    qloop.run_until_complete(window.history_controller.restore_session())
    chat(window, server, qloop, ("first tab", "a"))
    window.new_tab()
    chat(window, server, qloop, ("second tab", "b"))
    state, loaded = qloop.run_until_complete(history.load_session_state())
    ids = [tab.conversation.id for tab in window.tabs.all_tabs()]
    assert [t["id"] for t in state["tabs"]] == ids and set(loaded) == set(ids)
    assert state["current"] == 1


def test_export_and_import_from_the_window(window, server, qloop, tmp_path):
    chat(window, server, qloop, ("export me", "fine"))
    out = tmp_path / "all.json"
    assert qloop.run_until_complete(window.history_controller.export_to(out, None, "json"))
    records = json.loads(out.read_text())
    assert [m["content"] for m in records[0]["messages"]] == ["export me", "fine"]
    md = tmp_path / "one.md"
    cid = window.current_tab().session.conversation.id
    assert qloop.run_until_complete(window.history_controller.export_to(md, cid, "md"))
    assert md.read_text().startswith("# export me")

    records[0]["id"] = "another"
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(records))
    assert qloop.run_until_complete(window.history_controller.import_from(copy)) == (1, 0)
    assert len(sidebar_titles(window, qloop)) == 2

    bad = tmp_path / "photo.json"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert qloop.run_until_complete(window.history_controller.import_from(bad)) is None
    assert window.status_label.text() == "Not imported: it is not a text file."


class FullDisk:
    """The store's connection on a disk that fills up: while `full`, every write statement
    fails as SQLite's do then ("database or disk is full"; the transaction is rolled back)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.full = False

    def _check(self, sql: str) -> None:
        if self.full and sql.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args):
        self._check(sql)
        return self._db.execute(sql, *args)

    def executemany(self, sql: str, *args):
        self._check(sql)
        return self._db.executemany(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._db, name)

    def __enter__(self):
        return self._db.__enter__()

    def __exit__(self, *exc):
        return self._db.__exit__(*exc)


def full_disk(history: HistoryService, qloop):
    disk = FullDisk(qloop.run_until_complete(history.run(lambda s: s.db, None)))
    qloop.run_until_complete(history.run(lambda s: setattr(s, "db", disk), None))

    def refuse(on: bool) -> None:
        disk.full = on

    return refuse


def read_only(history: HistoryService, qloop):
    """SQLite itself refuses every write ("attempt to write a readonly database")."""

    def refuse(on: bool) -> None:
        pragma = f"PRAGMA query_only={'ON' if on else 'OFF'}"
        qloop.run_until_complete(history.run(lambda s: s.db.execute(pragma), None))

    return refuse


@pytest.mark.parametrize(
    ("refusal", "warning"),
    [
        (full_disk, "⚠ Could not save history: the disk is full"),
        (read_only, "⚠ Could not save history: the history file is read-only"),
    ],
)
def test_history_refused_while_streaming_loses_nothing_once_it_can_be_written(
    refusal, warning, window, server, history, qloop, qtbot, tmp_path
):
    """The disk fills up (or the file turns read-only) in the middle of an answer: the answer
    streams on to its end, a rename and the open tabs wait with it, and once the history can
    be written again all of it is, and is there after a restart."""
    other = Conversation(title="Other")
    other.add(ChatMessage(Role.USER, "stored before"))
    history.save_all(other)
    qloop.run_until_complete(window.history_controller.restore_session())
    refuse = refusal(history, qloop)
    history._retry.setInterval(50)
    answer_text = " ".join(f"w{i:03d}" for i in range(120))
    server.push(Reply(text=answer_text, delay=0.01))  # about 1.2 s
    type_and_send(window, "a long answer")
    session = window.current_tab().session
    cid = session.conversation.id

    async def stored_answer() -> ChatMessage | None:
        conv = await history.run(lambda s: s.load(cid), None)
        return conv.messages[-1] if conv and len(conv.messages) == 2 else None

    async def first_save() -> None:
        while not ((answer := await stored_answer()) and answer.content):
            await asyncio.sleep(0.01)

    qloop.run_until_complete(asyncio.wait_for(first_save(), 5))
    refuse(True)  # mid-answer, some of it saved
    qloop.run_until_complete(until(lambda: window.history_controller.warning.isVisible()))
    assert window.history_controller.warning.text() == warning
    assert "kept in memory" in window.history_controller.warning.toolTip()
    assert session.busy, "the history failed only after the answer ended"
    window.history_controller.rename(other.id, "Renamed meanwhile")  # not in a tab
    window.new_tab()  # the open tabs change
    wait_idle(qloop, session, timeout=10)
    first_tab = window.tabs.widget(0)
    assert session.conversation.messages[-1].content == answer_text
    assert answer_text in first_tab.view.toPlainText()
    partial = qloop.run_until_complete(stored_answer())
    assert partial.state == AnswerState.STREAMING and partial.content != answer_text
    assert window.history_controller.warning.isVisible()  # still refused

    refuse(False)
    qloop.run_until_complete(until(lambda: not window.history_controller.warning.isVisible()))
    done = qloop.run_until_complete(stored_answer())
    assert (done.content, done.state) == (answer_text, AnswerState.DONE)
    assert stored(history, qloop, other.id).title == "Renamed meanwhile"
    state, _ = qloop.run_until_complete(history.load_session_state())
    assert [t["id"] for t in state["tabs"]] == [cid, None] and state["current"] == 1

    # Restarted: all of it is there, nothing marked interrupted.
    window.close()
    qloop.run_until_complete(window.wait_stopped())
    assert history.flush_and_close()
    again = HistoryService(tmp_path / "history.db")
    win2 = MainWindow(
        window.backend, again, window.providers.providers, initial_provider="openrouter"
    )
    qtbot.addWidget(win2)
    win2.show()
    qloop.run_until_complete(win2.history_controller.restore_session())
    assert win2.tabs.count() == 2
    win2.tabs.setCurrentIndex(0)
    reopened = win2.current_tab()
    assert reopened.conversation.id == cid
    assert [m.content for m in reopened.conversation.messages] == ["a long answer", answer_text]
    assert reopened.conversation.messages[-1].state == AnswerState.DONE
    shown = reopened.view.toPlainText()
    assert answer_text in shown and INTERRUPTED_TEXT not in shown
    assert qloop.run_until_complete(again.load(other.id)).title == "Renamed meanwhile"
    win2.close()
    assert again.flush_and_close()


def test_a_refused_write_alone_waits_and_the_warning_goes_once_it_is_written(
    window, history, qloop
):
    conv = Conversation(title="Old title")
    conv.add(ChatMessage(Role.USER, "stored"))
    history.save_all(conv)
    refuse = read_only(history, qloop)
    history._retry.setInterval(50)
    refuse(True)
    window.history_controller.rename(conv.id, "New title")  # no tab: a write of its own
    qloop.run_until_complete(until(lambda: window.history_controller.warning.isVisible()))
    refuse(False)
    qloop.run_until_complete(until(lambda: not window.history_controller.warning.isVisible()))
    assert stored(history, qloop, conv.id).title == "New title"


@pytest.fixture
def corrupt(tmp_path):
    (tmp_path / "history.db").write_bytes(b"not a database " * 200)


def test_a_corrupt_history_is_moved_aside_with_a_message(corrupt, window, qtbot, tmp_path):
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "historyNotice") is not None)
    box = window.findChild(QMessageBox, "historyNotice")
    assert "could not be read" in box.text() and ".corrupt-" in box.text()
    assert any(".corrupt-" in p.name for p in tmp_path.iterdir())
    box.close()


@pytest.fixture
def from_the_future(tmp_path):
    db = sqlite3.connect(tmp_path / "history.db")
    db.execute("PRAGMA user_version=99")
    db.execute("CREATE TABLE x(y)")
    db.commit()
    db.close()


def test_a_history_from_a_newer_version_is_left_alone_and_said_so(
    from_the_future, window, server, qloop, tmp_path
):
    before = (tmp_path / "history.db").read_bytes()
    qloop.run_until_complete(until(lambda: window.history_controller.warning.isVisible()))
    assert "newer GLM Desk" in window.history_controller.warning.toolTip()
    assert "kept only until GLM Desk closes" in window.history_controller.warning.toolTip()
    chat(window, server, qloop, ("still works", "yes"))  # chatting goes on, in memory
    assert "yes" in window.current_view().toPlainText()
    assert (tmp_path / "history.db").read_bytes() == before


def test_a_long_conversation_opens_at_its_end_and_lays_out_older_messages_on_demand(
    window, history, qloop
):
    conv = Conversation(title="long")
    for i in range(200):
        conv.add(ChatMessage(Role.USER if i % 2 == 0 else Role.ASSISTANT, f"message {i}.\n" * 3))
    history.save_all(conv)
    qloop.run_until_complete(window.history_controller.open_stored(conv.id))
    view = window.current_view()
    shown = view.toPlainText()
    assert f"Show {200 - PAGE} earlier messages" in shown
    assert "message 199." in shown and f"message {199 - PAGE}." not in shown
    view.verticalScrollBar().setValue(0)  # scrolling to the top brings older ones
    qloop.run_until_complete(until(lambda: f"message {199 - PAGE}." in view.toPlainText()))
    assert view.top_anchor()[0] >= 200 - PAGE - 1  # what was on screen stayed there
    view.scroll_to_message(2)  # e.g. a search result far back
    assert "message 2." in view.toPlainText()
    assert view.top_anchor() == (2, 0)
