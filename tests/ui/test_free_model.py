"""OpenRouter's free GLM-4 (`thudm/glm-4-32b:free`): a 429 names the limit hit (a minute's
or a day's, from the message and the X-RateLimit-* headers) and when to try again; a listing
that is gone says so and offers the paid z-ai/glm-4-32b, which one click switches to."""

from __future__ import annotations

import time

from PySide6.QtCore import QUrl

from app.core.errors import ErrorKind, error_from_http
from app.core.settings import Settings
from app.services.backend import Backend
from app.services.settings import SettingsService
from app.ui.chat_view import SWITCH_PAID_URL
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import settings_window, until

FREE = "thudm/glm-4-32b:free"


def openrouter_429(message: str) -> dict:
    return {"error": {"code": 429, "message": message, "metadata": {}}}


def test_a_daily_limit_is_named_with_when_it_resets():
    reset = int((time.time() + 3 * 3600) * 1000)
    headers = {
        "x-ratelimit-limit": "50",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": str(reset),
    }
    err = error_from_http(
        429,
        openrouter_429("Rate limit exceeded: free-models-per-day"),
        headers,
        "OpenRouter (free)",
        FREE,
    )
    assert err.kind == ErrorKind.QUOTA and not err.retryable
    when = time.strftime("%H:%M", time.localtime(reset / 1000))
    assert err.message == (
        f"The free model's daily limit (50 requests) is used up. Try again after {when}, or use "
        "the paid z-ai/glm-4-32b."
    )


def test_a_minute_limit_honours_retry_after():
    headers = {"retry-after": "12", "x-ratelimit-limit": "20"}
    err = error_from_http(
        429,
        openrouter_429("Rate limit exceeded: free-models-per-min"),
        headers,
        "OpenRouter (free)",
        FREE,
    )
    assert err.kind == ErrorKind.RATE_LIMIT and err.retry_after == 12
    assert "limit of 20 requests a minute was reached" in err.message


def test_the_paid_model_gets_the_ordinary_message():
    err = error_from_http(429, openrouter_429("slow down"), {}, "OpenRouter", "z-ai/glm-4-32b")
    assert err.message == "OpenRouter is rate-limiting requests."


def test_a_listing_that_is_gone_offers_the_paid_one_and_one_click_switches(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        settings = Settings()
        settings.set("providers.openrouter-free.base_url", server.base_url)
        settings.set("providers.openrouter.base_url", server.base_url)
        backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
        win = settings_window(qtbot, history, backend, SettingsService(settings), "openrouter-free")
        gone = {"error": {"code": 404, "message": f"No endpoints found for {FREE}."}}
        server.push(Reply(status=404, body=gone), Reply(text="From the paid one."))
        tab = win.tabs.current_tab()
        win.composer.setPlainText("Hello")
        win.send_button.click()
        qloop.run_until_complete(until(lambda: not tab.session.busy and server.requests, 10))
        shown = tab.view.toPlainText()
        assert (
            f"OpenRouter no longer offers {FREE}. The paid z-ai/glm-4-32b is the same model"
            in shown
        )
        assert "Use z-ai/glm-4-32b" in shown
        tab.view.anchorClicked.emit(QUrl(SWITCH_PAID_URL))
        assert win.providers.current.id == "openrouter"


def test_a_429_from_the_free_model_through_the_server_says_which_limit(qloop):

    from app.core.providers import PROVIDERS
    from app.services.chat_session import ChatSession
    from tests.ui.conftest import wait_idle

    with ProtocolServer("openrouter") as server:
        reset = int((time.time() + 7200) * 1000)
        headers = {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0"}
        headers["X-RateLimit-Reset"] = str(reset)
        body = {"error": {"code": 429, "message": "Rate limit exceeded: free-models-per-day"}}
        server.push(Reply(status=429, body=body, headers=headers))
        free = PROVIDERS["openrouter-free"].with_overrides(base_url=server.base_url)
        backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
        session = ChatSession(backend)
        assert session.send("Hi", free)
        wait_idle(qloop, session)
        error = session.conversation.messages[-1].error
        assert error is not None and error.kind == ErrorKind.QUOTA
        assert "daily limit (50 requests) is used up" in error.message
        assert time.strftime("%H:%M", time.localtime(reset / 1000)) in error.message
        assert len([r for r in server.requests if r.path.endswith("/completions")]) == 1
        qloop.run_until_complete(backend.aclose())
