"""Usage in the window: each answer's tokens and cost, the conversation's total, View → Usage
from the history (after a restart too), the monthly budget's question, and an answer that
was stopped counted by us ("≈")."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.core.settings import Settings
from app.services.backend import Backend
from app.services.history import HistoryService
from app.services.settings import SettingsService
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import close_window, settings_window, until

KEYS = {"OPENROUTER_API_KEY": "test-key", "ZAI_API_KEY": "test-key"}


def window_at(qtbot, history, server, budget: float = 0.0):
    settings = Settings()
    settings.set("providers.openrouter.base_url", server.base_url)
    settings.set("usage.monthly_budget_usd", budget)
    return settings_window(
        qtbot, history, Backend(environ=KEYS), SettingsService(settings), "openrouter"
    )


def ask(qloop, win, text: str) -> None:
    tab = win.tabs.current_tab()
    win.composer.setPlainText(text)
    win.send_button.click()
    qloop.run_until_complete(until(lambda: not tab.session.busy, 10))


def test_each_answer_and_the_conversation_say_what_they_cost(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        server.push(Reply(text="one two three"), Reply(text="four five"))
        ask(qloop, win, "first question")
        ask(qloop, win, "second")
        shown = win.tabs.current_tab().view.toPlainText()
        # OpenRouter's own cost (the test server reports $0.0000123), so no "≈".
        assert "2 in · 3 out · $0.00001" in shown
        assert win.usage.label.text().startswith("This conversation: ")
        assert "$0.00002" in win.usage.label.text() and "≈" not in win.usage.label.text()

        window = win.usage.open_window()
        qloop.run_until_complete(until(lambda: "In all" in window.totals.text(), 5))
        assert "OpenRouter" in window.totals.text()
        assert window.month_choice.count() == 1
        assert "No budget" in window.budget.text()
        window.close()


def test_usage_comes_back_from_the_history_after_a_restart(qloop, qtbot, tmp_path):
    path = tmp_path / "restart" / "history.db"
    path.parent.mkdir()
    with ProtocolServer("openrouter") as server:
        first = HistoryService(path)
        win = window_at(qtbot, first, server)
        server.push(Reply(text="an answer"))
        ask(qloop, win, "q")
        qloop.run_until_complete(win.history.load(win.tabs.current_tab().conversation.id))
        rows = qloop.run_until_complete(first.usage_rows())
        assert len(rows) == 1 and rows[0].cost.usd == 0.0000123
        close_window(qloop, win, win.backend)
        first.flush_and_close()
    again = HistoryService(path)
    try:
        rows = qloop.run_until_complete(again.usage_rows())
        assert [r.provider_id for r in rows] == ["openrouter"]  # computed from the history
    finally:
        again.flush_and_close()


def test_past_the_budget_a_paid_request_asks_first(qloop, qtbot, history, monkeypatch):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server, budget=0.00001)
        server.push(Reply(text="costly"), Reply(text="sent anyway"), Reply(text="and again"))
        ask(qloop, win, "first")  # under the budget: no question
        qloop.run_until_complete(win.usage.refresh())
        assert win.usage.month_spent > 0.00001
        asked: list[str] = []

        def answer(button):
            def question(parent, title, text, *a, **k):
                asked.append(text)
                return button

            return question

        monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
        requests = len(server.requests)
        win.composer.setPlainText("second")
        win.send_button.click()
        assert len(asked) == 1 and "has passed your budget of $0.00" in asked[0]
        assert len(server.requests) == requests  # not sent
        assert win.composer.toPlainText() == "second"  # nothing lost
        monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
        ask(qloop, win, "second")
        ask(qloop, win, "third")  # "Send anyway" holds for the month
        assert len(asked) == 2
        assert win.tabs.current_tab().conversation.messages[-1].content == "and again"


def test_a_stopped_answer_is_counted_by_us(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        server.push(Reply(chunks=["part", " of", " it"] + [" more"] * 200, delay=0.02))
        tab = win.tabs.current_tab()
        win.composer.setPlainText("long")
        win.send_button.click()
        qloop.run_until_complete(until(lambda: "of" in tab.conversation.messages[-1].content, 10))
        win.stop_button.click()
        qloop.run_until_complete(until(lambda: not tab.session.busy, 5))
        usage = tab.conversation.messages[-1].usage
        assert usage is not None and usage.estimated and usage.completion_tokens >= 1
        assert "≈$" in tab.view.toPlainText()
