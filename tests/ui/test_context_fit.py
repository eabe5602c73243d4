"""A conversation longer than the model's context is sent in the part that fits."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from app.core.conversation import ChatMessage
from app.core.errors import ErrorKind
from app.core.protocol import Role
from app.core.providers import PROVIDERS
from app.services.backend import Backend
from app.services.chat_session import ChatSession
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import wait_idle


def long_session(backend: Backend) -> ChatSession:
    session = ChatSession(backend)
    for i in range(12):
        session.conversation.add(ChatMessage(Role.USER, f"question {i} " + "x" * 400))
        session.conversation.add(ChatMessage(Role.ASSISTANT, f"answer {i} " + "y" * 400))
    return session


def test_only_what_fits_the_local_models_context_is_sent(qloop):
    with ProtocolServer("llama") as server:
        local = PROVIDERS["local"].with_overrides(base_url=server.base_url).with_context(1024)
        backend = Backend(environ={})
        session = long_session(backend)
        server.push(Reply(text="short answer"))
        assert session.send("the newest question", local)
        wait_idle(qloop, session)
        sent = server.requests[-1].body["messages"]
        assert sent[-1] == {"role": "user", "content": "the newest question"}
        assert 1 < len(sent) < 25 and sent[0]["role"] == "user"
        answer = session.conversation.messages[-1]
        assert answer.content == "short answer"
        assert f"{25 - len(sent)} earlier messages were left out" in answer.notice
        assert "1,024 tokens" in answer.notice

        # the model still refuses: "trim history" sends less again
        server.push(Reply(text="shorter"))
        assert session.retry(local, trim=True)
        wait_idle(qloop, session)
        assert len(server.requests[-1].body["messages"]) < len(sent)
        qloop.run_until_complete(backend.aclose())


def test_trim_link_after_a_context_error_sends_less(window, server, qloop):
    session = window.current_tab().session
    for i in range(10):  # about 70,000 tokens: fits the 128K window, not half of it
        session.conversation.add(ChatMessage(Role.USER, f"q{i} " + "x" * 10_000))
        session.conversation.add(ChatMessage(Role.ASSISTANT, f"a{i} " + "y" * 10_000))
    too_long = {"error": {"code": 400, "message": "maximum context length is 1000 tokens"}}
    server.push(Reply(status=400, body=too_long))
    window.composer.setPlainText("and now?")
    window.composer.submit()
    wait_idle(qloop, session)
    answer = session.conversation.messages[-1]
    assert answer.error is not None and answer.error.kind == ErrorKind.CONTEXT
    view = window.current_view()
    assert "Trim the history and retry" in view.toPlainText()
    first = len(server.requests[-1].body["messages"])
    assert first == 21

    server.push(Reply(text="fits now"))
    view.anchorClicked.emit(QUrl(f"glmdesk:trim/{answer.id}"))
    wait_idle(qloop, session)
    assert session.conversation.messages[-1].content == "fits now"
    sent = server.requests[-1].body["messages"]
    assert len(sent) < first and sent[-1]["content"] == "and now?"
    assert "left out" in session.conversation.messages[-1].notice
