"""The snippet library window: every code block of the history, filters, pins, preview, and
the way back to the conversation (code pane, message)."""

from __future__ import annotations

import time

from PySide6.QtGui import QGuiApplication

from app.core.store import HistoryStore
from tests.ui.conftest import until
from tests.unit.test_snippet_index import JS, PY, SH, chat, save


def fill(history) -> list:
    store = HistoryStore(history.path, mark_interrupted=False)
    convs = [chat("Means", PY, when=time.time() - 100), chat("Shell", SH, JS, when=time.time())]
    for conv in convs:
        save(store, conv)
    store.close()
    return convs


def test_the_library_lists_filters_pins_and_opens(window, qloop, qtbot, history, tmp_path):
    means, shell = fill(history)
    dialog = window.snippets.open()
    assert dialog.objectName() == "snippetLibrary" and dialog.isVisible()
    qloop.run_until_complete(until(lambda: len(dialog.entries) == 4))
    assert dialog.list.topLevelItem(0).text(1) == "js"
    assert dialog.list.topLevelItem(0).text(2) == "Shell"
    assert [dialog.language.itemData(i) for i in range(dialog.language.count())] == [
        "",
        "python",
        "bash",
        "js",
    ]
    assert "console.log" in dialog.preview.toPlainText()
    # Filter by language, then by text (debounced)
    dialog.language.setCurrentIndex(dialog.language.findData("python"))
    qloop.run_until_complete(until(lambda: len(dialog.entries) == 2))
    dialog.field.setText("mean")
    qloop.run_until_complete(until(lambda: len(dialog.entries) == 1))
    entry = dialog.current()
    assert entry.name == "tools/mean.py" and dialog.list.topLevelItem(0).text(0) == "tools/mean.py"
    # Copy, Save as…
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == entry.code
    target = tmp_path / "saved.py"
    window.snippets._ask_save_path = lambda suggested: target if suggested == "mean.py" else None
    assert window.snippets.save_as() == target and target.read_text() == entry.code + "\n"
    # Pin: first from now on, whatever the filter
    dialog.field.clear()
    dialog.language.setCurrentIndex(0)
    qloop.run_until_complete(until(lambda: len(dialog.entries) == 4))
    dialog.list.setCurrentItem(dialog.list.topLevelItem(3))
    dialog.pin_button.click()
    qloop.run_until_complete(until(lambda: dialog.entries and dialog.entries[0].pinned))
    assert dialog.entries[0].name == "tools/mean.py"
    assert dialog.list.topLevelItem(0).text(0).startswith("★ ")
    # Open in code pane: its conversation opens, the snippet is shown
    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    dialog.open_button.click()
    qloop.run_until_complete(
        until(lambda: window.tabs.current_tab().conversation.id == means.id, 5)
    )
    qloop.run_until_complete(until(lambda: window.code_pane.current_snippet() is not None))
    assert window.code_pane.current_snippet().name == "tools/mean.py"
    # Go to the message: the other conversation, at that answer
    dialog.list.setCurrentItem(dialog.list.topLevelItem(1))
    target_message = dialog.current().message_id
    dialog.goto_button.click()
    qloop.run_until_complete(
        until(lambda: window.tabs.current_tab().conversation.id == shell.id, 5)
    )
    assert target_message in window.tabs.current_tab().conversation.nodes
    dialog.close()
