"""The context meter's estimate (cloud providers): against 128K, or 32K for the free
model, growing with the draft, the history counted once per change."""

from __future__ import annotations

from app.core.context import estimate_tokens
from tests.ui.conftest import until


def test_the_estimate_follows_the_draft_and_the_provider(qloop, window):
    meter = window.context_meter
    window.composer.setPlainText("请用中文回答 " + "word " * 100)
    qloop.run_until_complete(until(lambda: meter.used > 0, 5))
    assert meter.used == estimate_tokens(window.composer.toPlainText()) and not meter.exact
    assert meter.label.text() == f"≈{meter.used:,} / 128,000 tokens"
    assert window.providers.select("openrouter-free")
    qloop.run_until_complete(until(lambda: "32,768" in meter.label.text(), 5))
    window.composer.setPlainText("")
    qloop.run_until_complete(until(lambda: meter.used == 0, 5))


def choose(monkeypatch, text: str) -> list[str]:
    """The next question box answers with the button of this text; what it asked is kept."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or 0)
    monkeypatch.setattr(
        QMessageBox,
        "clickedButton",
        lambda self: next(b for b in self.buttons() if b.text() == text),
    )
    return asked


def test_past_the_window_a_send_asks_and_can_start_a_summary(qloop, window, server, monkeypatch):
    from tests.protocol_servers import Reply

    win = window  # OpenRouter: 128K
    old = win.tabs.current_tab()
    long_answer = "An answer about the parser. " + "token " * 130_000  # ~260K tokens
    server.push(Reply(chunks=[long_answer]))
    win.composer.setPlainText("How does the parser work?")
    win.send_button.click()
    qloop.run_until_complete(until(lambda: not old.session.busy and server.requests, 10))
    draft = "And the lexer?"
    asked = choose(monkeypatch, "Cancel")
    win.composer.setPlainText(draft)
    win.send_button.click()
    assert asked and "no longer fits the model's context window" in asked[0]
    assert win.composer.toPlainText() == draft and win.tabs.count() == 1  # nothing sent or lost

    choose(monkeypatch, "New conversation with a summary")
    server.push(Reply(text="Summary: we discussed the parser."))
    win.send_button.click()
    new = win.tabs.current_tab()
    assert new is not old and win.tabs.count() == 2
    qloop.run_until_complete(until(lambda: not new.session.busy, 10))
    sent = [r.body for r in server.requests if r.path.endswith("/completions")][-1]
    request = sent["messages"][-1]["content"]
    assert request.startswith("Summarize the conversation below")
    assert "Assistant: An answer about the parser." not in request  # its end only: it fits
    assert "token token" in request and len(request) < 128_000 * 2
    assert win.composer.toPlainText() == draft  # waits to be sent in the new conversation
