"""The main window driven like a person would: keys into the composer, clicks, Esc."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QPlainTextEdit, QPushButton, QTabWidget

from app.core.conversation import AnswerState
from app.core.errors import ErrorKind
from app.ui.chat_view import RETRY_URL, ChatView
from app.ui.code_pane import CodePane
from tests.protocol_servers import Reply
from tests.ui.conftest import until, wait_idle


def type_and_send(win, text: str) -> None:
    QTest.keyClicks(win.composer, text)
    QTest.keyClick(win.composer, Qt.Key.Key_Return)


def send_long_answer(win, server, word: str, count: int):
    """Send a message whose answer streams `count` words slowly; return the session."""
    server.push(Reply(text=" ".join([word] * count), delay=0.01))
    type_and_send(win, "go")
    return win.current_tab().session


async def first_text(session) -> None:
    await until(lambda: session.conversation.messages[-1].content)


def test_public_object_and_accessible_names(window):
    expected = {
        "conversationTabs": QTabWidget,
        "composer": QPlainTextEdit,
        "sendButton": QPushButton,
        "stopButton": QPushButton,
        "messageView": ChatView,
        "codePane": CodePane,
        "providerSelector": QComboBox,
    }
    for name, cls in expected.items():
        widget = window.findChild(cls, name)
        assert widget is not None, name
        assert widget.accessibleName(), name


def test_composer_has_focus_when_the_window_opens(window, qtbot):
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.composer)


def test_enter_sends_and_the_answer_streams_into_the_view(window, server, qloop):
    server.push(Reply(text="Paris is the capital of France.", delay=0.01))
    type_and_send(window, "Capital of France?")
    session = window.current_tab().session
    assert window.composer.toPlainText() == ""
    assert session.busy and window.stop_button.isEnabled()

    wait_idle(qloop, session)
    text = window.current_view().toPlainText()
    assert "Capital of France?" in text
    assert "Paris is the capital of France." in text
    answer = session.conversation.messages[-1]
    assert answer.state == AnswerState.DONE
    assert answer.content == "Paris is the capital of France."
    assert server.requests[0].body["messages"][-1] == {
        "role": "user",
        "content": "Capital of France?",
    }
    assert window.status_label.text().startswith("Done")
    assert window.send_button.isEnabled() and not window.stop_button.isEnabled()
    assert window.tabs.tabText(0) == "Capital of France?"


def test_shift_enter_inserts_newline_and_empty_enter_sends_nothing(window, server):
    QTest.keyClick(window.composer, Qt.Key.Key_Return)
    QTest.keyClicks(window.composer, "line one")
    QTest.keyClick(window.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(window.composer, "line two")
    assert window.composer.toPlainText() == "line one\nline two"
    assert window.current_tab().session.conversation.messages == []
    assert server.requests == []


def test_stop_mid_answer_keeps_the_partial_text(window, server, qloop):
    server.push(Reply(text=" ".join(f"w{i}" for i in range(400)), delay=0.01))
    type_and_send(window, "long please")
    session = window.current_tab().session

    async def scenario():
        await until(lambda: len(session.conversation.messages[-1].content) > 20)
        QTest.keyClick(window.composer, Qt.Key.Key_Escape)
        await until(lambda: not session.busy)
        await until(lambda: server.disconnects == 1)

    qloop.run_until_complete(scenario())
    answer = session.conversation.messages[-1]
    assert answer.state == AnswerState.STOPPED
    assert answer.content.startswith("w0 w1 w2")
    assert "w399" not in answer.content
    shown = window.current_view().toPlainText()
    assert answer.content in shown and "Stopped." in shown
    assert server.completed == 0


def test_stop_button_also_stops(window, server, qloop):
    session = send_long_answer(window, server, "x", 300)

    async def scenario():
        await first_text(session)
        QTest.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
        await until(lambda: not session.busy)

    qloop.run_until_complete(scenario())
    assert session.conversation.messages[-1].state == AnswerState.STOPPED


def test_two_tabs_streaming_at_once_do_not_mix(window, server, qloop):
    def reply_for(req):
        word = req.body["messages"][-1]["content"]
        return Reply(text=" ".join([word] * 60), delay=0.005)

    server.reply_for = reply_for
    type_and_send(window, "alpha")
    first_view, first = window.current_view(), window.current_tab().session
    QTest.keyClick(window.composer, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 2
    type_and_send(window, "beta")
    second_view, second = window.current_view(), window.current_tab().session
    assert first is not second

    async def scenario():
        await until(lambda: first.busy and second.busy or server.completed >= 1, 2)
        await until(lambda: not first.busy and not second.busy)

    qloop.run_until_complete(scenario())
    a = first.conversation.messages[-1].content
    b = second.conversation.messages[-1].content
    assert a == " ".join(["alpha"] * 60)
    assert b == " ".join(["beta"] * 60)
    assert "beta" not in first_view.toPlainText()
    assert "alpha" not in second_view.toPlainText()


def test_errors_are_shown_in_words_and_retry_works(window, server, qloop):
    server.push(Reply(status=402, body={"error": {"code": 402, "message": "Insufficient credits"}}))
    type_and_send(window, "hello")
    session = window.current_tab().session

    wait_idle(qloop, session)
    failed = session.conversation.messages[-1]
    assert failed.state == AnswerState.ERROR and failed.error.kind == ErrorKind.CREDIT
    shown = window.current_view().toPlainText()
    assert "out of credits" in shown and "Add credit" in shown and "Retry" in shown
    assert window.status_label.text().startswith("Error:")
    assert len(server.requests) == 1  # 402 is not retried

    window.current_view().anchorClicked.emit(QUrl(RETRY_URL))  # a click on "Retry"
    wait_idle(qloop, session)
    assert session.conversation.messages[-1].content == "You said: hello"
    # The failed empty answer is not sent back to the model.
    assert [m["role"] for m in server.requests[-1].body["messages"]] == ["user"]


def test_missing_key_explains_what_to_do_and_keeps_the_text(window, qloop, server):
    window.backend._environ = {}
    window.settings_controller.show_readiness()
    assert "No API key for OpenRouter" in window.composer.placeholderText()
    assert "Settings (Ctrl+,)" in window.composer.placeholderText()
    type_and_send(window, "hi")
    session = window.current_tab().session
    assert not session.busy and session.conversation.messages == []
    assert window.composer.toPlainText() == "hi"  # nothing lost
    status = window.status_label.text()
    assert "OpenRouter needs an API key" in status and "Settings (Ctrl+,)" in status
    assert server.requests == []

    window.backend.set_session_key("openrouter", "sk-or-test")  # a key: it goes
    window.settings_controller.show_readiness()
    assert "No API key" not in window.composer.placeholderText()
    type_and_send(window, "")
    wait_idle(qloop, session)
    assert session.conversation.messages[-1].content == "You said: hi"


def test_tab_shortcuts_and_drafts(window):
    QTest.keyClicks(window.composer, "draft one")
    QTest.keyClick(window.composer, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 2 and window.composer.toPlainText() == ""
    QTest.keyClicks(window.composer, "draft two")
    QTest.keyClick(window.composer, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    assert window.composer.toPlainText() == "draft one"
    QTest.keyClick(window.composer, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.toPlainText() == "draft two"
    QTest.keyClick(window.composer, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 1 and window.composer.toPlainText() == "draft one"
    QTest.keyClick(window.composer, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 1  # the last tab is replaced by a fresh one
    assert window.current_tab().session.conversation.messages == []


def test_closing_a_streaming_tab_cancels_its_request(window, server, qloop):
    session = send_long_answer(window, server, "z", 500)

    async def scenario():
        await first_text(session)
        QTest.keyClick(window.composer, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: server.disconnects == 1)

    qloop.run_until_complete(scenario())
    assert window.tabs.count() == 1 and window.current_tab().session is not session


def test_code_blocks_reach_the_code_pane(window, server, qloop):
    server.push(Reply(text="Try:\n\n```python\nprint('hi')\n```\n\nand\n\n```bash\nls -la\n```\n"))
    type_and_send(window, "code")
    session = window.current_tab().session

    wait_idle(qloop, session)
    pane = window.code_pane
    qloop.run_until_complete(until(lambda: pane.list.count() == 2))  # just after the answer
    assert pane.current_code() == "ls -la"
    pane.list.setCurrentRow(0)
    assert pane.current_code() == "print('hi')"
    assert "print" in pane.editor.toPlainText()


def test_provider_selector_lists_every_configured_provider(window):
    ids = [window.provider_selector.itemData(i) for i in range(window.provider_selector.count())]
    assert ids == ["zai", "bigmodel", "openrouter", "openrouter-free", "local"]
    assert window.providers.current.id == "openrouter"
    assert "OpenRouter" in window.settings_controller.provider_label.text()


def test_busy_tab_is_marked_while_streaming(window, server, qloop):
    server.push(Reply(text=" ".join(["y"] * 100), delay=0.01))
    type_and_send(window, "mark me")
    assert window.tabs.tabText(0) == "● mark me"
    session = window.current_tab().session

    wait_idle(qloop, session)
    assert window.tabs.tabText(0) == "mark me"


def test_composer_grows_with_its_text_up_to_a_limit(window):
    small = window.composer.height()
    for _ in range(5):
        QTest.keyClicks(window.composer, "line")
        QTest.keyClick(window.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    grown = window.composer.height()
    assert grown > small
    for _ in range(30):
        QTest.keyClick(window.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    capped = window.composer.height()
    assert grown < capped < 3 * grown
