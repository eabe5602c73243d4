"""Settings → Tools: the server form (add, edit, rename, remove) with its secrets in the
secret store, enabling, the import dialog, and the MCP menu's state."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.core.mcp.config import secret_account
from app.core.settings import Settings
from app.services.backend import Backend
from app.services.settings import SettingsService
from tests.ui.conftest import settings_window, until

TOKEN = "tok_abcdefghijklmnop0123"


def tools_page(qtbot, history):
    backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
    win = settings_window(qtbot, history, backend, SettingsService(Settings()), "openrouter")
    dialog = win.settings_controller.open_settings("tools")
    return win, dialog.tools_page


def fill(dialog, **fields) -> None:
    for name, value in fields.items():
        widget = getattr(dialog, name)
        if hasattr(widget, "setPlainText"):
            widget.setPlainText(value)
        elif hasattr(widget, "setChecked"):
            widget.setChecked(value)
        else:
            widget.setText(value)


def test_add_edit_rename_and_remove_a_server_through_the_form(qloop, qtbot, history):
    win, page = tools_page(qtbot, history)
    store = win.backend.secrets
    dialog = page.edit_server(None)
    fill(dialog, name="gh", command="npx", args="-y '@scope/server x'", env=f"GH_TOKEN={TOKEN}")
    fill(dialog, allow="search, list", start=True)
    dialog.buttons.accepted.emit()
    qloop.run_until_complete(until(lambda: win.mcp.config("gh") is not None, 5))
    config = win.mcp.config("gh")
    assert config.args == ("-y", "@scope/server x") and config.env_keys == ("GH_TOKEN",)
    assert config.always_allow == {"search", "list"} and config.start_with_app
    assert store.get(secret_account("gh", "env", "GH_TOKEN")) == TOKEN
    saved = (win.history.path.parent / "mcp.json").read_text()
    assert TOKEN not in saved and json.loads(saved)["mcpServers"]["gh"]["command"] == "npx"

    # Edit: the stored value shows only as its name and is kept; then a rename moves it.
    dialog = page.edit_server("gh")
    assert dialog.env.toPlainText() == "GH_TOKEN=\n" and TOKEN not in dialog.env.toPlainText()
    fill(dialog, name="github")
    dialog.buttons.accepted.emit()
    qloop.run_until_complete(until(lambda: win.mcp.config("github") is not None, 5))
    assert win.mcp.config("gh") is None
    assert store.get(secret_account("github", "env", "GH_TOKEN")) == TOKEN
    assert store.get(secret_account("gh", "env", "GH_TOKEN")) is None

    # A bad entry is refused in the dialog, with the reason.
    dialog = page.edit_server(None)
    fill(dialog, name="github", command="x")
    dialog.buttons.accepted.emit()
    assert "already is a server of that name" in dialog.problem.text() and dialog.isVisible()
    dialog.reject()

    page.servers.setCurrentRow(0)
    page.remove_button.click()
    qloop.run_until_complete(until(lambda: win.mcp.config("github") is None, 5))
    assert store.get(secret_account("github", "env", "GH_TOKEN")) is None
    assert json.loads((win.history.path.parent / "mcp.json").read_text()) == {"mcpServers": {}}


def test_unchecking_a_server_disables_it_and_the_menu_follows(qloop, qtbot, history):
    win, page = tools_page(qtbot, history)
    text = '{"mcpServers": {"a": {"command": "x"}, "b": {"command": "y"}}}'
    assert qloop.run_until_complete(page.import_text(text)) == 2
    assert win.tools_controller.mcp_action.text() == "MCP: 2"
    page.servers.item(0).setCheckState(Qt.CheckState.Unchecked)
    qloop.run_until_complete(until(lambda: win.mcp.config("a").disabled, 5))
    assert win.mcp.enabled() == ["b"] and win.tools_controller.mcp_action.text() == "MCP: 1"
    win.tools_controller.fill_mcp_menu()
    names = [a.objectName() for a in win.tools_controller.mcp_menu.actions()]
    assert "mcpServer:b" in names and "mcpServer:a" not in names
    assert "manageMcpServersAction" in names


def test_importing_text_that_is_no_configuration_says_why(qloop, qtbot, history):
    win, page = tools_page(qtbot, history)
    assert qloop.run_until_complete(page.import_text('{"theme": "dark"}')) == 0
    assert "No servers found" in page.message.text()
    text = '{"mcpServers": {"ok": {"command": "x"}, "bad": {"args": []}}}'
    assert qloop.run_until_complete(page.import_text(text)) == 1
    assert "Skipped: bad: a local server needs a command" in page.message.text()
    dialog = page.import_json()
    dialog.edit.setPlainText('{"mcpServers": {"c": {"url": "https://example.com/mcp"}}}')
    dialog.accept()
    qloop.run_until_complete(until(lambda: win.mcp.config("c") is not None, 5))
    assert win.mcp.config("c").remote
