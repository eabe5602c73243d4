"""Web search with sources, against the protocol test servers: what each provider is asked
for (and nothing when off or unavailable), sources from Z.AI's `web_search` in the first or a
later chunk and from OpenRouter's `url_citation` annotations, shown under the answer with
[ref_N] as links, saved, exported and back after a restart; OpenRouter's older plugin when
its server tool is refused; the composer's toggle."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.core.exchange import to_json, to_markdown
from app.core.protocol import Source
from app.core.providers import PROVIDERS
from app.core.settings import Settings
from app.core.store import HistoryStore, conversation_record
from app.services.backend import Backend
from app.services.chat_session import ChatSession
from app.services.settings import SettingsService
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import settings_window, until, wait_idle

KEYS = {"OPENROUTER_API_KEY": "test-key", "ZAI_API_KEY": "test-key"}
FLAVORS = {"openrouter": "openrouter", "zai": "zai", "llama": "local"}
RESULTS = [
    {
        "title": "GLM-4-32B-0414 release notes",
        "link": "https://example.com/glm4",
        "media": "Example News",
        "publish_date": "2025-04-14",
        "content": "…",
        "refer": "ref_1",
    },
    {"title": "Second page", "link": "https://example.org/two", "media": "", "refer": "ref_2"},
    {"title": "Bad link", "link": "javascript:alert(1)", "media": "x"},
]
CITATIONS = [
    {
        "type": "url_citation",
        "url_citation": {
            "url": "https://docs.example.com/page",
            "title": "Docs page",
            "content": "…",
            "start_index": 0,
            "end_index": 5,
        },
    },
    {"type": "url_citation", "url": "https://flat.example.net/x", "title": "Flat citation"},
]


def session_for(flavor: str, server: ProtocolServer, web_search: bool = True, **params):
    """A session, and the flavor's provider at `server` asking for these request options."""
    base = PROVIDERS[FLAVORS[flavor]]
    defaults = replace(base.defaults, web_search=web_search, **params)
    provider = replace(base.with_overrides(base_url=server.base_url), defaults=defaults)
    backend = Backend(environ=KEYS)
    return ChatSession(backend), provider, backend


def first_request(server: ProtocolServer) -> dict:
    return next(r.body for r in server.requests if r.path.endswith("/completions"))


@pytest.mark.parametrize("flavor", ["zai", "openrouter", "llama"])
@pytest.mark.parametrize("on", [True, False])
def test_what_each_provider_is_asked_for(qloop, flavor, on):
    with ProtocolServer(flavor) as server:
        session, provider, backend = session_for(flavor, server, web_search=on)
        server.push(Reply(text="Hi."))
        assert session.send("Hi", provider)
        wait_idle(qloop, session)
        body = first_request(server)
        tools = body.get("tools") or []
        if on and flavor == "zai":
            (tool,) = tools
            assert tool == {
                "type": "web_search",
                "web_search": {
                    "enable": True,
                    "search_engine": "search_pro_jina",
                    "search_result": True,
                    "count": 5,
                    "search_recency_filter": "noLimit",
                },
            }
        elif on and flavor == "openrouter":
            assert tools == [{"type": "openrouter:web_search"}] and "plugins" not in body
        else:  # off, or a local model: nothing of it
            assert tools == [] and "plugins" not in body and "web_search" not in json.dumps(body)
        qloop.run_until_complete(backend.aclose())


@pytest.mark.parametrize("at", [0, 3])
def test_zai_sources_from_any_chunk_are_kept_in_order(qloop, at):
    with ProtocolServer("zai") as server:
        session, provider, backend = session_for("zai", server)
        text = "GLM-4-32B came out in April [ref_1], with more since [ref_2]. Also [ref_9]."
        server.push(Reply(text=text, web_search=RESULTS, web_search_at=at))
        assert session.send("When did GLM-4-32B come out?", provider)
        wait_idle(qloop, session)
        answer = session.conversation.messages[-1]
        assert answer.content == text  # the text stays as it came
        assert answer.sources == [
            Source(
                "GLM-4-32B-0414 release notes",
                "https://example.com/glm4",
                "Example News",
                "2025-04-14",
            ),
            Source("Second page", "https://example.org/two", "example.org", ""),
        ]  # the javascript: link is dropped
        qloop.run_until_complete(backend.aclose())


@pytest.mark.parametrize("placed", ["delta", "message"])
def test_openrouter_citations_become_sources(qloop, placed):
    with ProtocolServer("openrouter") as server:
        session, provider, backend = session_for("openrouter", server)
        server.push(Reply(text="See the docs.", annotations=CITATIONS, annotations_in=placed))
        assert session.send("Where are the docs?", provider)
        wait_idle(qloop, session)
        sources = session.conversation.messages[-1].sources
        assert [(s.title, s.link, s.site) for s in sources] == [
            ("Docs page", "https://docs.example.com/page", "docs.example.com"),
            ("Flat citation", "https://flat.example.net/x", "flat.example.net"),
        ]
        qloop.run_until_complete(backend.aclose())


def test_openrouter_refusing_its_server_tool_gets_the_web_plugin(qloop):
    with ProtocolServer("openrouter") as server:
        session, provider, backend = session_for("openrouter", server)
        refusal = {"error": {"code": 400, "message": "Unknown tool type: openrouter:web_search"}}
        server.push(Reply(status=400, body=refusal), Reply(text="Found it."))
        assert session.send("Search", provider)
        wait_idle(qloop, session)
        first, second = (r.body for r in server.requests if r.path.endswith("/completions"))
        assert first["tools"] == [{"type": "openrouter:web_search"}]
        assert second.get("tools") is None and second["plugins"] == [
            {"id": "web", "max_results": 5}
        ]
        assert session.conversation.messages[-1].content == "Found it."
        qloop.run_until_complete(backend.aclose())


def settings_window_at(qtbot, history, server):
    """A window with settings (a conversation's own settings apply), OpenRouter at server."""
    settings = Settings()
    settings.set("providers.openrouter.base_url", server.base_url)
    backend = Backend(environ=KEYS)
    return settings_window(qtbot, history, backend, SettingsService(settings), "openrouter")


def test_sources_are_shown_saved_exported_and_restored(qloop, qtbot, history, server):
    win = settings_window_at(qtbot, history, server)
    tab = win.tabs.current_tab()
    win.web_search.button.setChecked(True)
    assert tab.conversation.params["web_search"] is True
    server.push(Reply(text="It is documented [ref_1].", annotations=CITATIONS))
    win.composer.setPlainText("Where is it documented?")
    win.send_button.click()
    qloop.run_until_complete(until(lambda: not tab.session.busy and server.requests, 10))
    body = first_request(server)
    assert body["tools"] == [{"type": "openrouter:web_search"}]
    view = tab.view
    qloop.run_until_complete(until(lambda: "Sources" in view.toPlainText(), 5))
    shown = view.toPlainText()
    assert "1. Docs page  docs.example.com" in shown and "2. Flat citation" in shown
    assert "It is documented [1]." in shown  # [ref_1] became a link…
    hrefs = anchors(view)
    assert "https://docs.example.com/page" in hrefs  # …to its source, and the title too
    # Saved with the answer, in both exports, and back after a restart.
    answer = tab.conversation.messages[-1]
    # A load queues behind the saves on the history's one worker: they are on disk after it.
    qloop.run_until_complete(win.history.load(tab.conversation.id))
    reopened = HistoryStore(win.history.path, read_only=True)  # as after a restart
    try:
        again = reopened.load(tab.conversation.id)
        assert again.messages[-1].sources == answer.sources
        record = conversation_record(again)
        record["messages"] = [m.to_dict() for m in again.nodes.values()]
        exported = json.loads(to_json([record]))
        sources = exported[0]["messages"][-1]["sources"]
        assert sources[0] == {
            "title": "Docs page",
            "link": "https://docs.example.com/page",
            "site": "docs.example.com",
            "date": "",
        }
        assert "1. [Docs page](https://docs.example.com/page) · docs.example.com" in to_markdown(
            [record]
        )
    finally:
        reopened.close()


def anchors(view) -> set[str]:
    """Every link target in the view's document."""
    found = set()
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                found.add(fmt.anchorHref())
            it += 1
        block = block.next()
    return found


def test_the_toggle_is_off_and_says_why_with_a_local_model(qloop, qtbot, history, server):
    win = settings_window_at(qtbot, history, server)
    assert win.web_search.button.isEnabled()  # OpenRouter searches
    assert "$4 per 1,000 results" in win.web_search.button.toolTip()
    assert win.providers.select("local")
    assert not win.web_search.button.isEnabled() and not win.web_search.button.isChecked()
    assert "not available" in win.web_search.button.toolTip()


@pytest.mark.parametrize("flavor", ["zai", "openrouter"])
def test_a_knowledge_base_adds_zais_retrieval_tool(qloop, flavor):
    with ProtocolServer(flavor) as server:
        template = "From {{knowledge}}, answer: {{question}}"
        session, provider, backend = session_for(
            flavor, server, False, knowledge_id="kb_123", knowledge_prompt=template
        )
        server.push(Reply(text="From the docs."))
        assert session.send("What does the manual say?", provider)
        wait_idle(qloop, session)
        tools = first_request(server).get("tools") or []
        if flavor == "zai":
            assert tools == [
                {
                    "type": "retrieval",
                    "retrieval": {"knowledge_id": "kb_123", "prompt_template": template},
                }
            ]
        else:
            assert tools == []  # Z.AI's own: nothing is sent elsewhere
        qloop.run_until_complete(backend.aclose())


def test_conversation_settings_keep_web_search_and_the_knowledge_base(
    qloop, qtbot, history, server
):
    win = settings_window_at(qtbot, history, server)
    tab = win.tabs.current_tab()
    dialog = win.settings_controller.open_conversation_settings()
    dialog.web_search.setChecked(True)
    dialog.knowledge_id.setText("kb_9")
    dialog.knowledge_prompt.setPlainText("no placeholders here")
    dialog._accept()
    assert dialog.isVisible() and "{{knowledge}} and {{question}}" in dialog.problem.text()
    dialog.knowledge_prompt.setPlainText("")
    dialog._accept()
    assert not dialog.isVisible()
    assert tab.conversation.params == {"web_search": True, "knowledge_id": "kb_9"}
    assert win.web_search.button.isChecked()  # the toggle follows the dialog
