"""Prompt presets: the shipped ones (English, Chinese), choosing one sets the conversation's
system prompt (and what is sent), the user's own added, saved, deleted, imported, exported."""

from __future__ import annotations

import json

from app.core.presets import parse, shipped
from app.core.settings import Settings
from app.services.backend import Backend
from app.services.settings import SettingsService
from tests.protocol_servers import ProtocolServer, Reply
from tests.ui.conftest import settings_window, until


def test_five_shipped_presets_in_each_language():
    en, zh = shipped("en_US"), shipped("zh_CN")
    assert [p.name for p in en] == [
        "Write code",
        "Review code",
        "Explain code",
        "Write tests",
        "Fix a bug from a traceback",
    ]
    assert len(zh) == 5 and zh[1].name == "审查代码" and all(p.shipped for p in zh)


def window_at(qtbot, history, server):
    settings = Settings()
    settings.set("providers.openrouter.base_url", server.base_url)
    backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
    return settings_window(qtbot, history, backend, SettingsService(settings), "openrouter")


def test_choosing_a_preset_sets_what_is_sent(qloop, qtbot, history):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        combo = win.presets.combo
        tab = win.tabs.current_tab()
        index = combo.findText("Review code")
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
        review = win.presets.presets[1].prompt
        assert tab.conversation.params["system_prompt"] == review
        server.push(Reply(text="Looks fine."))
        win.composer.setPlainText("def f(): pass")
        win.send_button.click()
        qloop.run_until_complete(until(lambda: not tab.session.busy and server.requests, 10))
        body = next(r.body for r in server.requests if r.path.endswith("/completions"))
        assert body["messages"][0] == {"role": "system", "content": review}
        combo.activated.emit(combo.findData(""))  # No preset
        assert "system_prompt" not in tab.conversation.params


def test_own_presets_are_saved_deleted_imported_and_exported(qloop, qtbot, history, tmp_path):
    with ProtocolServer("openrouter") as server:
        win = window_at(qtbot, history, server)
        dialog = win.presets.open_dialog()
        dialog.new()
        dialog.name.setText("SQL")
        dialog.prompt.setPlainText("You write PostgreSQL.")
        assert dialog.save()
        dialog.name.setText("Review code")  # a shipped one's name: a copy of one's own
        dialog.prompt.setPlainText("Be brief.")
        assert dialog.save()
        names = [p.name for p in win.presets.own]
        assert names == ["SQL", "Review code (mine)"]
        assert win.presets.combo.findText("SQL") > 0
        saved = win.history.path.parent / "presets.json"
        qloop.run_until_complete(until(lambda: saved.exists() and "SQL" in saved.read_text(), 5))
        out = tmp_path / "out.json"
        assert dialog.export(str(out))
        assert [p.name for p in parse(out.read_text())] == names  # the shipped ones stay out
        dialog.list.setCurrentRow(dialog.list.count() - 2)  # SQL
        dialog.delete()
        assert [p.name for p in win.presets.own] == ["Review code (mine)"]
        (tmp_path / "in.json").write_text(
            json.dumps({"presets": [{"name": "Go", "prompt": "Write Go."}]})
        )
        assert dialog.import_(str(tmp_path / "in.json")) == 1
        (tmp_path / "bad.json").write_text('{"presets": [{"name": ""}]}')
        assert dialog.import_(str(tmp_path / "bad.json")) == 0
        assert "needs a name and a prompt" in dialog.message.text()
        dialog.close()
