"""Answers as rendered Markdown in the message view: streamed, safe, with code block actions."""

from __future__ import annotations

import random
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QTextCursor, QTextFormat
from PySide6.QtTest import QTest

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.protocol import Role
from app.ui.chat_view import ChatView
from app.ui.rich_text import code_frame_at, frame_key
from tests.protocol_servers import Reply
from tests.ui.conftest import wait_idle

ANSWER = (
    "# Plan 计划\n\nSome **bold** text, `inline`, and a [link](https://example.com).\n\n"
    "- one\n- two\n  - nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "```python\n# file: src/app.py\ndef main():\n    return 42\n```\n\n"
    "> quoted\n\n---\n```\nSELECT name FROM users WHERE id = 1;\n```\n\nThe end.\n"
)


def conversation_with(answer: str, state: AnswerState = AnswerState.DONE) -> Conversation:
    conv = Conversation()
    conv.add(ChatMessage(Role.USER, "question"))
    conv.add(ChatMessage(Role.ASSISTANT, answer, state=state))
    return conv


def shown(qtbot, conv: Conversation) -> ChatView:
    view = ChatView(conv)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.rebuild()
    view.show()
    qtbot.waitExposed(view)
    return view


def stream_into(qtbot, text: str, cuts: list[int]) -> ChatView:
    conv = conversation_with("", AnswerState.STREAMING)
    view = shown(qtbot, conv)
    answer, prev = conv.messages[-1], 0
    for cut in [*sorted(cuts), len(text)]:
        answer.content += text[prev:cut]
        view.append_text(1, text[prev:cut])
        prev = cut
    answer.state = AnswerState.DONE
    view.finish_message(1, answer)
    view.drain()  # what the next turns of the loop write (in ~6 ms slices), written now
    return view


def block_formats(view: ChatView) -> list[tuple[str, bool, float, float]]:
    """(text, has a rule, left margin, top margin) of every block."""
    out, block = [], view.document().begin()
    while block.isValid():
        fmt = block.blockFormat()
        rule = fmt.hasProperty(QTextFormat.Property.BlockTrailingHorizontalRulerWidth)
        out.append((block.text(), rule, fmt.leftMargin(), fmt.topMargin()))
        block = block.next()
    return out


def code_frames(view: ChatView) -> list[tuple[str, str]]:
    """(key, text) of each code block frame, in document order."""
    out, seen = [], set()
    block = view.document().begin()
    while block.isValid():
        frame = code_frame_at(QTextCursor(block))
        if frame is not None and frame_key(frame) not in seen:
            seen.add(frame_key(frame))
            cursor = QTextCursor(view.document())
            cursor.setPosition(frame.firstPosition())
            cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
            out.append((frame_key(frame), cursor.selectedText().replace("\u2029", "\n")))
        block = block.next()
    return out


def test_streamed_answer_ends_as_the_full_render(qtbot):
    """Streaming at random points gives the document a finished answer gets on opening."""
    full = shown(qtbot, conversation_with(ANSWER))
    rng = random.Random(7)
    for _ in range(5):
        cuts = rng.sample(range(len(ANSWER)), 40)
        view = stream_into(qtbot, ANSWER, cuts)
        assert view.toPlainText() == full.toPlainText()
        assert block_formats(view) == block_formats(full)  # rules, quotes, margins too
        ids = view.conversation.messages[1].id, full.conversation.messages[1].id
        assert [(k.replace(*ids), t) for k, t in code_frames(view)] == code_frames(full)
    mid = full.conversation.messages[1].id
    assert code_frames(full) == [
        (f"{mid}/0", "# file: src/app.py\ndef main():\n    return 42"),
        (f"{mid}/1", "SELECT name FROM users WHERE id = 1;"),
    ]
    text = full.toPlainText()
    assert "Plan 计划" in text and "**" not in text and "```" not in text and "nested" in text


def test_closed_code_is_highlighted_and_open_code_is_plain(qtbot):
    conv = conversation_with("", AnswerState.STREAMING)
    view = shown(qtbot, conv)
    view.append_text(1, "```python\ndef f():\n    return 1\n")

    def keyword_colour() -> object:
        cursor = view.document().find("def")
        return cursor.charFormat().foreground().color().name()

    plain = keyword_colour()
    view.append_text(1, "```\n\nafter\n")
    assert keyword_colour() != plain  # highlighted once the fence closed
    assert view.document().find("def").charFormat().fontFixedPitch() or "mono" in (
        view.document().find("def").charFormat().font().family().lower()
    )


def test_no_remote_resource_is_ever_requested(qtbot):
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        text = (
            f"![chart]({base}/chart.png)\n\n<img src='{base}/raw.png'>\n\n"
            f'<iframe src="{base}/frame"></iframe>\n\n[a link]({base}/page)\n\n'
            f"| x |\n|---|\n| ![in table]({base}/t.png) |\n"
        )
        view = stream_into(qtbot, text, [5, 30, 60])
        view.viewport().grab()  # a full paint
        qtbot.wait(300)
        assert hits == []
        assert "[image: chart]" in view.toPlainText()
        assert f"<img src='{base}/raw.png'>" in view.toPlainText()  # shown as text
    finally:
        server.shutdown()
        server.server_close()


def test_links_open_in_the_browser_only_when_clicked_and_only_web_links(qtbot, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    view = shown(qtbot, conversation_with("see [docs](https://example.com/docs)\n"))
    qtbot.wait(50)
    assert opened == []
    view.anchorClicked.emit(QUrl("https://example.com/docs"))
    view.anchorClicked.emit(QUrl("file:///etc/passwd"))
    view.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert opened == ["https://example.com/docs"]


def hover_code(qtbot, view: ChatView, text: str) -> None:
    cursor = view.document().find(text)
    point = view.cursorRect(cursor).center()
    QTest.mouseMove(view.viewport(), point)
    qtbot.waitUntil(lambda: view._code_actions.isVisible())


def test_hovering_a_code_block_shows_its_actions(qtbot, tmp_path, monkeypatch):
    view = shown(qtbot, conversation_with(ANSWER))
    mid = view.conversation.messages[1].id
    opened: list[tuple[str, int]] = []
    view.openInCodePane.connect(lambda m, n: opened.append((m, n)))
    view.scroll_to_position(view.document().find("SELECT").position())

    hover_code(qtbot, view, "SELECT")
    actions = view._code_actions
    assert actions.objectName() == "codeBlockActions" and actions.key == f"{mid}/1"
    assert actions.language.text() == "sql"  # guessed: the fence names no language
    actions.buttons["copy"].click()
    assert QGuiApplication.clipboard().text() == "SELECT name FROM users WHERE id = 1;"
    actions.buttons["open"].click()
    assert opened == [(mid, 1)]
    target = tmp_path / "query.sql"
    monkeypatch.setattr(view, "_ask_save_path", lambda suggested: target)
    actions.buttons["save"].click()
    assert target.read_text() == "SELECT name FROM users WHERE id = 1;\n"

    QTest.mouseMove(view.viewport(), QPoint(5, 5))  # over the heading: no code there
    view.scroll_to_position(0)
    qtbot.waitUntil(lambda: not view._code_actions.isVisible())


def test_save_failure_is_reported(qtbot, tmp_path, monkeypatch):
    view = shown(qtbot, conversation_with(ANSWER))
    warnings: list[str] = []
    (tmp_path / "x.py").mkdir()  # a folder where the file should go
    monkeypatch.setattr(view, "_ask_save_path", lambda s: tmp_path / "x.py")
    monkeypatch.setattr(view, "_warn", lambda title, text: warnings.append(text))
    assert view.save_code(view.conversation.messages[1].id, 0) is None
    assert warnings and "x.py" in warnings[0]


def test_save_as_offers_the_snippet_name(qtbot, tmp_path, monkeypatch):
    view = shown(qtbot, conversation_with(ANSWER))
    offered: list[str] = []
    monkeypatch.setattr(view, "_ask_save_path", lambda s: offered.append(s) or tmp_path / s)
    saved = view.save_code(view.conversation.messages[1].id, 0)
    assert offered == ["app.py"] and saved.read_text().startswith("# file: src/app.py\n")


def test_model_output_cannot_forge_the_apps_own_links(qtbot):
    """A link in an answer to glmdesk:retry or glmdesk:delete/... is plain text, not an action."""
    view = shown(qtbot, conversation_with("[Show more](glmdesk:retry) <glmdesk:delete/x>\n"))
    anchors = []
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            href = it.fragment().charFormat().anchorHref()
            if href and "Show more" in it.fragment().text():
                anchors.append(href)
            it += 1
        block = block.next()
    assert anchors == [] and "[Show more](glmdesk:retry)" in view.toPlainText()


def test_code_block_keys_match_the_code_pane_numbering(qtbot):
    text = "<details>\n```python\nprint('a')\n```\n</details>\n\n```bash\nrm -rf build\n```\n"
    view = shown(qtbot, conversation_with(text))
    mid = view.conversation.messages[1].id
    assert [(k, t) for k, t in code_frames(view)] == [
        (f"{mid}/0", "print('a')"),
        (f"{mid}/1", "rm -rf build"),
    ]
    assert view.code_block(f"{mid}/1")[2].code == "rm -rf build"


def test_a_rebuild_mid_stream_shows_what_arrived_once(qtbot):
    conv = conversation_with("", AnswerState.STREAMING)
    view = shown(qtbot, conv)
    answer = conv.messages[-1]
    answer.content = "Hello"
    view.append_text(1, "Hello")
    answer.content += " world"  # arrived, not yet passed on by the session
    view.rebuild()  # e.g. older messages laid out above
    assert view.toPlainText().rstrip().endswith("Hello")
    view.append_text(1, " world")
    assert view.toPlainText().rstrip().endswith("Hello world")

    continued = conversation_with("Partial paragraph", AnswerState.STREAMING)
    view2 = shown(qtbot, continued)  # an answer being continued: its text shows at once
    assert view2.toPlainText().rstrip().endswith("Partial paragraph")


@pytest.mark.parametrize("scrolled_up", [False, True])
def test_auto_scroll_follows_unless_scrolled_up(window, server, qloop, qtbot, scrolled_up):
    server.push(Reply(text="\n\n".join(f"Paragraph {i}." for i in range(80)), delay=0.005))
    QTest.keyClicks(window.composer, "long")
    QTest.keyClick(window.composer, Qt.Key.Key_Return)
    session, view = window.current_tab().session, window.current_view()
    bar = view.verticalScrollBar()
    qloop.run_until_complete(_until(lambda: bar.maximum() > 200))
    if scrolled_up:
        bar.setValue(0)
    wait_idle(qloop, session)
    jump = view.findChild(type(view._jump), "jumpToBottomButton")
    if scrolled_up:
        assert bar.value() == 0 and jump.isVisible()
        jump.click()
        assert bar.value() == bar.maximum() and not jump.isVisible()
    else:
        assert bar.value() == bar.maximum() and not jump.isVisible()


async def _until(predicate: object) -> None:
    from tests.ui.conftest import until

    await until(predicate)
