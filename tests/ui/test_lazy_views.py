"""A conversation's view is written when it is first shown: restored background tabs cost
neither start-up time nor memory until they are looked at, and behave the same once shown."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.protocol import Role
from app.ui.chat_view import ChatView


def long_conversation(n: int = 60) -> Conversation:
    conv = Conversation()
    for i in range(n):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        conv.add(ChatMessage(role, f"message number {i} " + "words " * 40))
    return conv


def tabs_with(qtbot, *views: ChatView) -> QTabWidget:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.resize(700, 500)
    for n, view in enumerate(views):
        tabs.addTab(view, str(n))
    tabs.show()
    qtbot.waitExposed(tabs)
    return tabs


def test_a_background_view_is_written_when_first_shown_where_it_was_left(qtbot):
    front, back = ChatView(long_conversation()), ChatView(long_conversation())
    front.rebuild()
    back.rebuild()
    back.scroll_to_anchor(30, 5)  # as the session restore asks, before it is ever shown
    tabs = tabs_with(qtbot, front, back)
    assert "message number 59" in front.toPlainText()
    assert back.toPlainText() == ""  # nothing laid out for it yet
    assert back.top_anchor() == (30, 5)  # what the session saves for it meanwhile
    tabs.setCurrentIndex(1)
    assert "message number 59" in back.toPlainText()
    assert back.top_anchor()[0] == 30  # scrolled to where it was left


def test_a_message_arriving_in_a_view_never_shown_is_written_once(qtbot):
    conv = long_conversation(4)
    front, back = ChatView(Conversation()), ChatView(conv)
    back.rebuild()
    tabs = tabs_with(qtbot, front, back)
    conv.add(ChatMessage(Role.USER, "a new question"))
    back.add_message(len(conv.messages) - 1, conv.messages[-1])
    answer = ChatMessage(Role.ASSISTANT, "", state=AnswerState.STREAMING)
    conv.add(answer)
    back.add_message(len(conv.messages) - 1, answer)
    answer.content = "the answer so far"
    back.append_text(len(conv.messages) - 1, "the answer so far")
    answer.state = AnswerState.DONE
    back.finish_message(len(conv.messages) - 1, answer)
    back.drain()
    tabs.setCurrentIndex(1)
    text = back.toPlainText()
    assert text.count("a new question") == 1 and text.count("the answer so far") == 1
    assert text.count("message number 3") == 1


def test_a_view_at_the_end_stays_at_the_end_when_its_width_changes(qtbot):
    view = ChatView(long_conversation())
    view.rebuild()
    tabs = tabs_with(qtbot, view)
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    tabs.resize(420, 500)  # narrower: the document grows taller
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() and view.top_anchor() == (-1, 0))
    view.scroll_to_anchor(10, 0)  # a reader further up stays where they are
    tabs.resize(700, 500)
    assert view.top_anchor()[0] == 10
