"""A stream that goes wrong, through the real window: the connection drops, the server falls
silent, sends bad JSON, a 5 MB line, bytes that are not UTF-8, or its own error mid-answer.

Each time: the text that arrived stays, in the conversation and in the history; the answer
and the status line say in words what happened; Retry (the link in the answer) asks again;
and the next message goes out as usual.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest

from app.core.client import RetryPolicy
from app.core.conversation import AnswerState
from app.core.errors import ErrorKind
from app.core.providers import PROVIDERS
from app.services.backend import Backend
from app.ui.chat_view import RETRY_URL
from app.ui.main_window import MainWindow
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import close_window, shut_down, until, wait_idle
from tests.ui.test_main_window import type_and_send

PROVIDER_OF = {"openrouter": "openrouter", "zai": "zai", "llama": "local"}
WORDS = "alpha beta gamma delta epsilon zeta eta theta"
FIRST_THREE = "alpha beta gamma"


def fault_window(qtbot, history, server: ProtocolServer) -> tuple[MainWindow, Backend]:
    """A shown window whose current provider (the one that speaks the server's flavor) points
    at the server; retries quick, as in make_window."""
    provider_id = PROVIDER_OF[server.flavor]
    providers = [
        p.with_overrides(base_url=server.base_url) if p.id == provider_id else p
        for p in PROVIDERS.values()
        if p.base_url
    ]
    backend = Backend(
        environ={"OPENROUTER_API_KEY": "test-key", "ZAI_API_KEY": "test-key"},
        retry=RetryPolicy(attempts=2, base_delay=0.01),
    )
    win = MainWindow(backend, history, providers, initial_provider=provider_id)
    qtbot.addWidget(win, before_close_func=lambda w: shut_down(w, backend))
    win.show()
    qtbot.waitExposed(win)
    return win, backend


@pytest.fixture
def faulty(qtbot, qloop, history) -> Iterator:
    """make(flavor) -> (window, backend, server); windows are closed and servers stopped."""
    made: list[tuple[MainWindow, Backend, ProtocolServer]] = []

    def make(flavor: str = "openrouter") -> tuple[MainWindow, Backend, ProtocolServer]:
        server = ProtocolServer(flavor).start()
        win, backend = fault_window(qtbot, history, server)
        made.append((win, backend, server))
        return win, backend, server

    yield make
    for win, backend, server in made:
        close_window(qloop, win, backend)
        server.stop()


def stored(qloop, history, conversation_id: str, message_id: str) -> dict:
    """The message as the history database holds it (queued writes done first)."""
    records = qloop.run_until_complete(
        history.run(lambda store: store.message_records(conversation_id), [])
    )
    (record,) = [r for r in records if r["id"] == message_id]
    return record


def check_usable_after(win, server, qloop, history, failed, question: str = "hello") -> None:
    """Retry asks again and gets a whole answer (the failed one stays as an earlier version,
    in the history too); then a new message is sent and answered."""
    session = win.current_tab().session
    win.current_view().anchorClicked.emit(QUrl(RETRY_URL))  # a click on "Retry"
    wait_idle(qloop, session, 10)
    retried = session.conversation.messages[-1]
    assert retried.id != failed.id and retried.state == AnswerState.DONE
    assert retried.content == f"You said: {question}"
    assert failed in session.conversation.siblings(retried)
    assert [m["role"] for m in server.requests[-1].body["messages"]] == ["user"]
    assert win.status_label.text().startswith("Done")
    conversation_id = session.conversation.id
    assert stored(qloop, history, conversation_id, failed.id)["content"] == failed.content

    type_and_send(win, "and now?")
    wait_idle(qloop, session, 10)
    answer = session.conversation.messages[-1]
    assert answer.state == AnswerState.DONE and answer.content == "You said: and now?"
    assert stored(qloop, history, conversation_id, answer.id)["state"] == "done"


def check_failed(win, qloop, history, kind: ErrorKind, partial: str, words: str):
    """The answer failed with `kind`, kept `partial`, and says `words`: in the answer (with a
    Retry link), in the status line, and in the history."""
    session = win.current_tab().session
    answer = session.conversation.messages[-1]
    assert answer.state == AnswerState.ERROR and answer.error.kind == kind, answer.error
    assert answer.content == partial
    assert words in answer.error.message
    status = win.status_label.text()
    assert status == f"Error: {answer.error.message}"
    shown = win.current_view().toPlainText()
    if len(partial) < 10_000:  # the 5 MB answer: its rendering is not what is tested here
        assert partial in shown
        if partial:
            assert f"The answer was interrupted. {answer.error.message}" in shown
        else:
            assert answer.error.message in shown
        assert answer.error.action in shown and "Retry" in shown
    record = stored(qloop, history, session.conversation.id, answer.id)
    assert record["content"] == partial and record["state"] == "error"
    assert record["error"]["kind"] == kind.value and record["error"]["message"]
    return answer


def send_and_wait(win, qloop, question: str = "hello", timeout: float = 10) -> None:
    type_and_send(win, question)
    wait_idle(qloop, win.current_tab().session, timeout)


# --- (a) the connection drops -------------------------------------------------------------


def test_connection_dropped_mid_answer(faulty, qloop, history):
    win, _backend, server = faulty()
    server.push(Reply(text=WORDS, drop_after=3))
    send_and_wait(win, qloop)
    failed = check_failed(
        win, qloop, history, ErrorKind.NETWORK, FIRST_THREE, "The connection to OpenRouter dropped"
    )
    assert len(server.requests) == 1  # text had arrived: not retried behind the user's back
    check_usable_after(win, server, qloop, history, failed)


def test_connection_closed_without_finishing(faulty, qloop, history):
    # A clean close with no finish_reason and no [DONE]: not a complete answer either.
    win, _backend, server = faulty()
    server.push(Reply(text=WORDS, finish_reason="", done=False))
    send_and_wait(win, qloop)
    failed = check_failed(
        win, qloop, history, ErrorKind.INTERRUPTED, WORDS, "closed before the answer was finished"
    )
    check_usable_after(win, server, qloop, history, failed)


# --- (b) the server stalls past the read timeout ------------------------------------------


def test_server_silent_past_the_read_timeout(faulty, qloop, history):
    win, backend, server = faulty()
    backend.pool.configure(read_timeout=0.5)  # as Settings > Network does (120 s by default)
    server.push(Reply(text=WORDS, stall_after=3, stall=30))
    start = time.monotonic()
    send_and_wait(win, qloop)
    assert time.monotonic() - start < 5  # the timeout, not the 30 s silence
    failed = check_failed(
        win, qloop, history, ErrorKind.TIMEOUT, FIRST_THREE, "did not answer in time (waiting)"
    )
    assert server.wait_for(lambda: server.disconnects == 1)  # the connection was closed
    check_usable_after(win, server, qloop, history, failed)


def test_server_silent_before_the_first_token(faulty, qloop, history):
    # Nothing had arrived: the client retries once by itself (make_window's policy), then
    # gives up with nothing to keep.
    win, backend, server = faulty()
    backend.pool.configure(read_timeout=0.3)
    server.push(Reply(text=WORDS, stall_after=0), Reply(text=WORDS, stall_after=0))
    statuses: list[str] = []
    win.current_tab().session.statusChanged.connect(statuses.append)
    send_and_wait(win, qloop)
    assert any("Retrying in" in s and "did not answer in time" in s for s in statuses)
    assert len(server.requests) == 2
    failed = check_failed(win, qloop, history, ErrorKind.TIMEOUT, "", "did not answer in time")
    assert "The answer was interrupted" not in win.current_view().toPlainText()
    check_usable_after(win, server, qloop, history, failed)


def test_stop_during_the_silence_ends_it_at_once(faulty, qloop, history):
    # With the default read timeout (120 s) the user need not wait: Esc stops the answer.
    win, _backend, server = faulty()
    server.push(Reply(text=WORDS, stall_after=3, stall=30))
    type_and_send(win, "hello")
    session = win.current_tab().session
    qloop.run_until_complete(
        until(lambda: session.conversation.messages[-1].content == FIRST_THREE)
    )
    start = time.monotonic()
    QTest.keyClick(win.composer, Qt.Key.Key_Escape)
    wait_idle(qloop, session)
    assert time.monotonic() - start < 1
    answer = session.conversation.messages[-1]
    assert answer.state == AnswerState.STOPPED and answer.content == FIRST_THREE
    assert win.status_label.text() == "Stopped · the partial answer is kept"
    assert stored(qloop, history, session.conversation.id, answer.id)["state"] == "stopped"
    assert server.wait_for(lambda: server.disconnects == 1)
    send_and_wait(win, qloop, "again")
    assert session.conversation.messages[-1].content == "You said: again"


# --- (c) malformed JSON in a data event ---------------------------------------------------


def test_malformed_json_mid_answer(faulty, qloop, history):
    win, _backend, server = faulty()
    server.push(Reply(text=WORDS, raw_after=b'data: {"choices":[{"delta":\n\n', raw_at=3))
    send_and_wait(win, qloop)
    failed = check_failed(
        win, qloop, history, ErrorKind.PROTOCOL, FIRST_THREE, "not a valid chat stream"
    )
    assert "not JSON" in failed.error.detail
    assert "(server said: not JSON" in win.current_view().toPlainText()
    check_usable_after(win, server, qloop, history, failed)


# --- (d) one 5 MB data line ---------------------------------------------------------------


@pytest.mark.slow
def test_a_5_mb_data_line_then_the_connection_drops(faulty, qloop, history):
    win, _backend, server = faulty()
    big = "".join(f"{i:07d} " for i in range(625_000))  # 5,000,000 characters, no line break
    assert len(big) == 5_000_000 and "\n" not in big
    server.push(Reply(chunks=[big, " never sent"], drop_after=1))
    send_and_wait(win, qloop, timeout=120)
    failed = check_failed(
        win, qloop, history, ErrorKind.NETWORK, big, "The connection to OpenRouter dropped"
    )
    check_usable_after(win, server, qloop, history, failed)


# --- (e) bytes that are not UTF-8 ---------------------------------------------------------


def test_invalid_utf8_in_the_text_is_shown_as_replacement_characters(faulty, qloop, history):
    win, _backend, server = faulty()
    bad = b'data: {"choices":[{"delta":{"content":" caf\xc3 \xff\xfe!"}}]}\n\n'
    server.push(Reply(text=WORDS, raw_after=bad, raw_at=3))
    send_and_wait(win, qloop)
    session = win.current_tab().session
    answer = session.conversation.messages[-1]
    expected = FIRST_THREE + " caf\ufffd \ufffd\ufffd!" + WORDS[len(FIRST_THREE) :]
    assert answer.state == AnswerState.DONE and answer.content == expected
    assert "caf\ufffd \ufffd\ufffd!" in win.current_view().toPlainText()
    assert win.status_label.text().startswith("Done")
    assert stored(qloop, history, session.conversation.id, answer.id)["content"] == expected
    send_and_wait(win, qloop, "next")
    assert session.conversation.messages[-1].content == "You said: next"


def test_invalid_utf8_outside_the_json_strings_is_a_protocol_error(faulty, qloop, history):
    win, _backend, server = faulty()
    bad = b'data: {"choices":[{"delta":{"content":" x"}}]}\xff\xfe\n\n'
    server.push(Reply(text=WORDS, raw_after=bad, raw_at=3))
    send_and_wait(win, qloop)
    failed = check_failed(
        win, qloop, history, ErrorKind.PROTOCOL, FIRST_THREE, "not a valid chat stream"
    )
    check_usable_after(win, server, qloop, history, failed)


def test_half_a_surrogate_pair_is_stored(faulty, qloop, history):
    # A JSON escape of a lone UTF-16 surrogate: SQLite refused such text, and the answer
    # was silently left out of the history.
    win, _backend, server = faulty()
    bad = b'data: {"choices":[{"delta":{"content":" \\ud83d!"}}]}\n\n'
    server.push(Reply(text=WORDS, raw_after=bad, raw_at=3))
    send_and_wait(win, qloop)
    session = win.current_tab().session
    answer = session.conversation.messages[-1]
    expected = FIRST_THREE + " \ufffd!" + WORDS[len(FIRST_THREE) :]
    assert answer.state == AnswerState.DONE and answer.content == expected
    assert stored(qloop, history, session.conversation.id, answer.id)["content"] == expected
    assert not history.failing


# --- (f) each backend's own mid-stream error ----------------------------------------------


@pytest.mark.parametrize(
    ("flavor", "error", "kind", "words", "said"),
    [
        # OpenRouter: status 200, then a chunk with an `error` object and finish_reason "error"
        (
            "openrouter",
            {"code": 502, "message": "Provider returned error"},
            ErrorKind.OVERLOADED,
            "OpenRouter is unavailable right now (HTTP 502)",
            "Provider returned error",
        ),
        # Z.AI: a data event with an `error` key (a business code), then [DONE]
        (
            "zai",
            {"code": "1301", "message": "系统检测到输入或生成内容可能包含不安全或敏感内容"},
            ErrorKind.FILTERED,
            "Z.AI refused the content as unsafe",
            "不安全",
        ),
        # llama-server: data: {"error":{...}}, then the connection closes without [DONE]
        (
            "llama",
            {"code": 500, "message": "slot failed", "type": "server_error"},
            ErrorKind.SERVER,
            "Local llama.cpp had a server error (HTTP 500)",
            "slot failed",
        ),
    ],
)
def test_mid_stream_error_in_each_backends_shape(
    faulty, qloop, history, flavor, error, kind, words, said
):
    win, _backend, server = faulty(flavor)
    server.push(Reply(text=WORDS, error_after=3, error=error))
    send_and_wait(win, qloop)
    failed = check_failed(win, qloop, history, kind, FIRST_THREE, words)
    assert said in failed.error.detail
    assert f"(server said: {failed.error.detail})" in win.current_view().toPlainText()
    # One answer request, not retried (a llama-server is also asked to count the context).
    assert len([r for r in server.requests if r.path.endswith("/completions")]) == 1
    check_usable_after(win, server, qloop, history, failed)
