"""JSON mode: response_format where the backend takes it (Z.AI, llama-server with an
optional schema, not OpenRouter), the answer shown pretty-printed and highlighted, an invalid
one pointed out at its line and column and kept as it came, after a restart too."""

from __future__ import annotations

import json

import pytest

from app.core import json_answer
from app.core.settings import Settings
from app.core.store import HistoryStore
from app.services.backend import Backend
from app.services.settings import SettingsService
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import settings_window, until, wait_idle
from tests.ui.test_web_search import session_for

KEYS = {"OPENROUTER_API_KEY": "test-key", "ZAI_API_KEY": "test-key"}
FLAVORS = {"openrouter": "openrouter", "zai": "zai", "llama": "local"}
SCHEMA = '{"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}'


@pytest.mark.parametrize("flavor", ["zai", "llama", "openrouter"])
@pytest.mark.parametrize("schema", ["", SCHEMA])
def test_response_format_where_the_backend_takes_it(qloop, flavor, schema):
    with ProtocolServer(flavor) as server:
        session, provider, backend = session_for(
            flavor, server, False, json_mode=True, json_schema=schema
        )
        server.push(Reply(text='{"name": "GLM"}'))
        assert session.send("Name?", provider)
        wait_idle(qloop, session)
        body = next(r.body for r in server.requests if r.path.endswith("/completions"))
        answer = session.conversation.messages[-1]
        if flavor == "openrouter":
            assert "response_format" not in body and answer.format == ""
        elif flavor == "llama" and schema:
            assert body["response_format"] == {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": json.loads(SCHEMA)},
            }
        else:  # Z.AI takes no schema
            assert body["response_format"] == {"type": "json_object"}
        if flavor != "openrouter":
            assert answer.format == "json"
        qloop.run_until_complete(backend.aclose())


def test_the_check_points_at_line_and_column():
    assert json_answer.check('{"a": [1, 2]}').pretty == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert json_answer.check('```json\n{"a": 1}\n```').pretty == '{\n  "a": 1\n}'
    bad = json_answer.check('{\n  "a": 1,\n  "b": \n}')
    assert bad.pretty is None and (bad.line, bad.column) == (4, 1)
    assert bad.problem == "Expecting value"


def window_with_llama(qtbot, history, server):
    settings = Settings()
    settings.set("providers.local.base_url", server.base_url)
    backend = Backend(environ=KEYS)
    return settings_window(qtbot, history, backend, SettingsService(settings), "local")


@pytest.mark.parametrize("valid", [True, False])
def test_a_json_answer_is_shown_pretty_or_its_error_pointed_out(qloop, qtbot, history, valid):
    with ProtocolServer("llama") as server:
        win = window_with_llama(qtbot, history, server)
        tab = win.tabs.current_tab()
        button = win.json_mode.button
        assert button.isEnabled() and not button.isChecked()
        button.setChecked(True)
        assert tab.conversation.params == {"json_mode": True}
        text = (
            '{"name": "GLM-4", "sizes": [9, 32]}'
            if valid
            else '{"name": "GLM-4",\n "sizes": [9, 32}'
        )
        server.push(Reply(chunks=[text[:10], text[10:]]))
        win.composer.setPlainText("Describe the model as JSON")
        win.send_button.click()
        qloop.run_until_complete(until(lambda: not tab.session.busy and server.requests, 10))
        answer = tab.conversation.messages[-1]
        assert answer.content == text and answer.format == "json"  # kept as it came
        shown = tab.view.toPlainText()
        if valid:
            assert '"sizes": [\n    9,\n    32\n  ]' in shown
            assert "Not valid JSON" not in shown
        else:
            assert "Not valid JSON: Expecting ',' delimiter at line 2, column 17." in shown
            assert text.splitlines()[1] in shown
        # After a restart it is shown the same way.
        qloop.run_until_complete(win.history.load(tab.conversation.id))
        store = HistoryStore(win.history.path, read_only=True)
        try:
            assert store.load(tab.conversation.id).messages[-1].format == "json"
        finally:
            store.close()


def test_openrouter_has_the_toggle_off_with_the_reason(qloop, qtbot, history):
    settings = SettingsService(Settings())
    win = settings_window(qtbot, history, Backend(environ=KEYS), settings, "openrouter")
    button = win.json_mode.button
    assert not button.isEnabled() and not button.isChecked()
    assert "takes no response_format" in button.toolTip()
