"""The code pane, offscreen: snippets of a conversation in a highlighted editor, with line
numbers, find, read-only toggle, versions and diffs, Save all, Apply with a backup, Copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo, QFontMetricsF, QGuiApplication, QTextCharFormat, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QListWidget, QPlainTextEdit, QPushButton, QToolButton

import app.ui.code_pane as code_pane_module
from app.core.conversation import ChatMessage, Conversation
from app.core.protocol import Role
from app.ui.code_editor import CodeEditor
from app.ui.code_pane import CodePane
from app.ui.syntax import code_font
from tests.protocol_servers import Reply
from tests.ui.conftest import until, wait_idle

APP_V1 = 'def greet(name):\n    """Say hello.\n\n    Twice."""\n    return "hi " + name\n'
APP_V2 = 'def greet(name):\n    """Say hello."""\n    return "hello " + name\n'


def fence(code: str, info: str = "") -> str:
    return f"```{info}\n{code}\n```\n\n"


def conversation() -> tuple[Conversation, ChatMessage, ChatMessage]:
    """app.py in two regenerated versions, a shell snippet, then a later answer's SQL."""
    c = Conversation()
    c.add(ChatMessage(Role.USER, "write app.py"))
    first = ChatMessage(Role.ASSISTANT, fence(APP_V1, "python app.py") + fence("ls -la"))
    c.add(first)
    c.truncate(1)
    second = ChatMessage(Role.ASSISTANT, fence(APP_V2, "python app.py") + fence("ls -l"))
    c.add(second)
    c.add(ChatMessage(Role.USER, "and the schema"))
    c.add(ChatMessage(Role.ASSISTANT, fence("-- file: db/schema.sql\nCREATE TABLE t (id int);")))
    return c, first, second


@pytest.fixture
def pane(qtbot) -> CodePane:
    p = CodePane()
    qtbot.addWidget(p)
    p.resize(520, 720)
    p.show()
    qtbot.waitExposed(p)
    return p


def format_at(editor: QPlainTextEdit, line: int, column: int) -> QTextCharFormat:
    block = editor.document().findBlockByNumber(line)
    for r in block.layout().formats():
        if r.start <= column < r.start + r.length:
            return QTextCharFormat(r.format)  # a copy: the range list is a temporary
    return QTextCharFormat()


def colour_at(editor: QPlainTextEdit, line: int, column: int) -> str:
    fmt = format_at(editor, line, column)
    return fmt.foreground().color().name() if fmt.hasProperty(fmt.Property.ForegroundBrush) else ""


def select(pane: CodePane, title: str) -> None:
    rows = [pane.list.item(i).text() for i in range(pane.list.count())]
    pane.list.setCurrentRow(next(i for i, t in enumerate(rows) if title in t))


def test_names_of_the_controls(pane):
    expected = {
        "codeSnippetList": QListWidget,
        "codeEditor": CodeEditor,
        "codeCopyButton": QPushButton,
        "codeSaveButton": QPushButton,
        "codeSaveAllButton": QPushButton,
        "codeDiffButton": QPushButton,
        "codeCompareButton": QPushButton,
        "codeApplyButton": QPushButton,
        "codeReadOnlyToggle": QToolButton,
        "codeVersionSelector": QComboBox,
    }
    assert pane.objectName() == "codePane" and pane.accessibleName()
    for name, cls in expected.items():
        widget = pane.findChild(cls, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    bar = pane.find_bar
    assert bar.objectName() == "codeFindBar" and bar.accessibleName()
    assert isinstance(pane.editor, QPlainTextEdit)


def test_lists_the_snippets_of_the_branch_shown(pane):
    c, first, second = conversation()
    pane.set_conversation(c)
    rows = [pane.list.item(i).text() for i in range(pane.list.count())]
    assert rows == [
        "1. app.py  (2 versions)",
        "2. bash · ls -l  (2 versions)",
        "3. db/schema.sql",
    ]
    assert pane.list.currentRow() == 2  # the newest code
    assert pane.current_code().startswith("-- file: db/schema.sql")
    assert "sql" in pane.info.text()

    assert pane.show_snippet(first.id, 0)  # a version not on screen: selected too
    assert pane.list.currentRow() == 0 and pane.version_selector.currentIndex() == 0
    assert pane.current_code() == APP_V1
    assert pane.show_snippet(second.id, 1) and pane.current_code() == "ls -l"
    assert not pane.show_snippet("no-such-message", 0)

    pane.set_conversation(None)
    assert pane.list.count() == 0 and pane.editor.toPlainText() == ""
    assert not pane.copy_button.isEnabled()


def assert_monospaced(editor: QPlainTextEdit) -> None:
    """The editor uses the system's fixed font, and every glyph there has the same advance.

    Not QFontInfo.fixedPitch(): on Linux that is fontconfig's "spacing" property, computed over
    all of a font's glyphs, and fonts made for code can miss it (Noto Sans Mono and Noto Sans
    Mono CJK report False), so it fails on machines where every column lines up."""
    assert editor.font().family() == code_font().family()
    metrics = QFontMetricsF(editor.font())
    advances = {c: metrics.horizontalAdvance(c) for c in "iWm .0_"}
    assert len(set(advances.values())) == 1, f"{QFontInfo(editor.font()).family()}: {advances}"


def test_the_editor_highlights_keywords_and_multi_line_strings(pane):
    c, _, _ = conversation()
    pane.set_conversation(c)
    select(pane, "app.py")
    editor = pane.editor
    assert editor.toPlainText() == APP_V2
    assert editor.isReadOnly()
    assert_monospaced(editor)
    pane.version_selector.setCurrentIndex(0)
    assert editor.toPlainText() == APP_V1
    keyword = format_at(editor, 0, 0)  # "def"
    assert keyword.hasProperty(QTextCharFormat.Property.ForegroundBrush)
    docstring = colour_at(editor, 1, 6)
    assert docstring and docstring != colour_at(editor, 0, 0)
    assert colour_at(editor, 3, 6) == docstring  # "Twice." is inside the string too


def test_an_edit_recolours_the_lines_it_affects(pane, qtbot):
    editor = pane.editor
    editor.set_code("x = 1\ny = 2\nz = 3\n", "python")
    digit = colour_at(editor, 2, 4)
    pane.set_read_only(False)
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.insertText('s = """\n')  # everything after it is now inside a string
    qtbot.waitUntil(lambda: colour_at(editor, 3, 4) not in ("", digit))
    assert colour_at(editor, 2, 0) == colour_at(editor, 0, 4)


def test_colours_land_on_the_right_columns_after_wide_characters(pane):
    editor = pane.editor
    editor.set_code('s = "😀中"; n = 42\n', "python")
    before = 's = "😀中"; n = '
    column = len(before.encode("utf-16-le")) // 2  # Qt counts UTF-16 units: the emoji is two
    assert column == len(before) + 1
    number = colour_at(editor, 0, column)
    assert number and number == colour_at(editor, 0, column + 1)
    assert colour_at(editor, 0, column - 1) != number


def test_a_large_snippet_is_lexed_off_the_hot_path(pane, qtbot):
    editor = pane.editor
    code = "def f():\n    return 1\n" * 2000
    editor.set_code(code, "python")
    assert editor.highlighter.busy  # shown at once, coloured when the background lex ends
    qtbot.waitUntil(lambda: not editor.highlighter.busy, timeout=10000)
    qtbot.waitUntil(
        lambda: format_at(editor, 3998, 0).hasProperty(QTextCharFormat.Property.ForegroundBrush)
    )

    pane.set_read_only(False)
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.insertText('"""\n')
    assert editor.highlighter.busy
    qtbot.waitUntil(lambda: not editor.highlighter.busy, timeout=10000)
    qtbot.waitUntil(lambda: colour_at(editor, 3000, 0) == colour_at(editor, 0, 0))


def test_the_line_number_gutter_grows_with_the_line_count(pane):
    editor = pane.editor
    editor.set_code("one line", "")
    narrow = editor.gutter_width()
    assert editor.viewportMargins().left() == narrow
    editor.set_code("\n".join(str(i) for i in range(1500)), "")
    assert editor.gutter_width() > narrow
    assert editor.viewportMargins().left() == editor.gutter_width()
    assert editor.gutter.width() == editor.gutter_width()


def test_ctrl_f_finds_text(pane, qtbot):
    pane.editor.set_code("alpha\nneedle one\nbeta\nneedle two\n", "")
    pane.editor.setFocus()
    QTest.keyClick(pane.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = pane.find_bar
    assert bar.isVisible()
    qtbot.waitUntil(lambda: bar.input.hasFocus())
    QTest.keyClicks(bar.input, "needle")
    cursor = pane.editor.textCursor()
    assert cursor.selectedText() == "needle" and cursor.blockNumber() == 1
    QTest.keyClick(bar.input, Qt.Key.Key_Return)
    assert pane.editor.textCursor().blockNumber() == 3
    QTest.keyClick(bar.input, Qt.Key.Key_Return)  # wraps around
    assert pane.editor.textCursor().blockNumber() == 1
    QTest.keyClick(bar.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert pane.editor.textCursor().blockNumber() == 3
    assert bar.status.text() == ""

    bar.input.clear()
    QTest.keyClicks(bar.input, "missing")
    assert bar.status.text() == "Not found"
    QTest.keyClick(bar.input, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_read_only_by_default_and_edits_stay_with_the_snippet(pane):
    c, _, _ = conversation()
    pane.set_conversation(c)
    select(pane, "schema.sql")
    toggle = pane.read_only_toggle
    assert toggle.isChecked() and pane.editor.isReadOnly()
    QTest.keyClicks(pane.editor, "zzz")
    assert "zzz" not in pane.current_code()

    toggle.click()
    assert not pane.editor.isReadOnly() and toggle.text() == "Editing"
    pane.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClick(pane.editor, Qt.Key.Key_Return)
    QTest.keyClicks(pane.editor, "-- edited")
    assert pane.current_code().endswith("-- edited")
    assert pane.list.currentItem().text().endswith("✎")

    select(pane, "app.py")
    assert "edited" not in pane.current_code()
    select(pane, "schema.sql")
    assert pane.current_code().endswith("-- edited")
    c.add(ChatMessage(Role.USER, "thanks"))
    c.add(ChatMessage(Role.ASSISTANT, "You're welcome."))
    pane.set_conversation(c)  # a new answer: the edit is still there
    select(pane, "schema.sql")
    assert pane.current_code().endswith("-- edited")

    cursor = pane.editor.textCursor()
    cursor.setPosition(5)
    pane.editor.setTextCursor(cursor)
    c.add(ChatMessage(Role.USER, "one more"))
    c.add(ChatMessage(Role.ASSISTANT, "Nothing to add."))
    pane.set_conversation(c)  # the snippet being edited is not reloaded under the cursor
    assert pane.editor.textCursor().position() == 5

    toggle.click()
    assert pane.editor.isReadOnly()


def test_versions_and_a_diff_in_one_click(pane, qtbot):
    c, _, _ = conversation()
    pane.set_conversation(c)
    select(pane, "app.py")
    selector = pane.version_selector
    assert selector.isEnabled() and selector.count() == 2
    assert selector.currentIndex() == 1 and pane.current_code() == APP_V2
    assert selector.itemText(0) == "v1 · answer 1, another version"
    selector.setCurrentIndex(0)
    assert pane.current_code() == APP_V1
    selector.setCurrentIndex(1)

    pane.diff_button.click()
    dialog = pane.diff_dialog
    assert dialog is not None and dialog.isVisible()
    diff = dialog.view.toPlainText()
    assert diff.startswith("--- app.py (v1)\n+++ app.py (v2)\n@@")
    assert '-    return "hi " + name' in diff and '+    return "hello " + name' in diff
    assert dialog.summary.text() == "v1 → v2: 2 lines added, 4 removed."
    assert dialog.view.highlighter.language == "diff"
    assert dialog.view.gutter_width() == 0  # a diff numbers its lines in its hunk headers
    plus = next(i for i, ln in enumerate(diff.splitlines()) if ln.startswith("+    return"))
    assert colour_at(dialog.view, plus, 0)  # inserted lines are coloured

    select(pane, "schema.sql")  # one version: nothing to diff
    assert not pane.diff_button.isEnabled() and not selector.isEnabled()


def test_save_all_into_a_folder(pane, tmp_path, monkeypatch):
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q"))
    c.add(
        ChatMessage(
            Role.ASSISTANT,
            fence("x = 1", "python src/x.py")
            + fence("# ../../escape.py\nprint('no')", "python")
            + fence("echo hi", "bash")
            + fence("x = 2", "python SRC/X.py"),
        )
    )
    pane.set_conversation(c)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(pane, "_ask_folder", lambda: str(out))
    asked: list[tuple[list[str], list[str]]] = []

    def confirm(folder: str, names: list[str], existing: list[str], answer: bool = True) -> bool:
        asked.append((names, existing))
        return answer

    monkeypatch.setattr(pane, "_confirm_save_all", confirm)
    pane.save_all_button.click()  # every name is shown before anything is written
    assert asked == [(["src/x.py", "escape.py", "snippet-3.sh", "SRC/X-2.py"], [])]
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == ["SRC/X-2.py", "escape.py", "snippet-3.sh", "src/x.py"]
    assert (out / "src/x.py").read_text() == "x = 1\n"
    assert not (tmp_path / "escape.py").exists()
    assert "Saved 4 files" in pane.status.text()

    monkeypatch.setattr(pane, "_confirm_save_all", lambda f, n, e: confirm(f, n, e, False))
    (out / "src/x.py").write_text("mine\n")
    pane.save_all_button.click()  # the files exist now: shown as replaced, and declined
    assert asked[-1][1] == ["src/x.py", "escape.py", "snippet-3.sh", "SRC/X-2.py"]
    assert (out / "src/x.py").read_text() == "mine\n"


def test_save_as_uses_the_hinted_name(pane, tmp_path, monkeypatch):
    c, _, _ = conversation()
    pane.set_conversation(c)
    offered: list[str] = []

    def ask(default: str) -> str:
        offered.append(default)
        return str(tmp_path / "saved.sql")

    monkeypatch.setattr(pane, "_ask_save_path", ask)
    pane.save_button.click()
    assert Path(offered[0]).name == "schema.sql"
    assert (
        tmp_path / "saved.sql"
    ).read_text() == "-- file: db/schema.sql\nCREATE TABLE t (id int);\n"


def test_apply_to_file_shows_the_diff_and_writes_a_backup_first(pane, tmp_path, monkeypatch):
    c, _, _ = conversation()
    pane.set_conversation(c)
    select(pane, "app.py")
    target = tmp_path / "app.py"
    target.write_text(APP_V1)
    monkeypatch.setattr(pane, "_ask_open_path", lambda _title: str(target))
    shown: list[str] = []
    monkeypatch.setattr(pane, "_confirm_apply", lambda _path, diff: shown.append(diff) or False)

    pane.apply_button.click()  # declined: nothing written
    assert '+    return "hello " + name' in shown[0]
    assert target.read_text() == APP_V1 and not (tmp_path / "app.py.bak").exists()

    monkeypatch.setattr(pane, "_confirm_apply", lambda _path, _diff: True)
    pane.apply_button.click()
    assert target.read_text() == APP_V2
    assert (tmp_path / "app.py.bak").read_text() == APP_V1
    assert "app.py.bak" in pane.status.text()

    target.write_text("changed by hand\n")
    pane.apply_button.click()  # a second backup does not overwrite the first
    assert (tmp_path / "app.py.bak.1").read_text() == "changed by hand\n"
    assert (tmp_path / "app.py.bak").read_text() == APP_V1


def test_compare_with_a_file_and_refusals(pane, tmp_path, monkeypatch):
    c, _, _ = conversation()
    pane.set_conversation(c)
    select(pane, "app.py")
    path = {"p": ""}
    monkeypatch.setattr(pane, "_ask_open_path", lambda _title: path["p"])

    text = tmp_path / "old.py"
    text.write_text(APP_V1)
    path["p"] = str(text)
    pane.compare_button.click()
    assert pane.diff_dialog is not None and pane.diff_dialog.isVisible()
    assert '+    return "hello " + name' in pane.diff_dialog.view.toPlainText()
    pane.diff_dialog.close()

    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    path["p"] = str(binary)
    pane.compare_button.click()
    assert "binary" in pane.status.text() and not pane.diff_dialog.isVisible()

    big = tmp_path / "big.log"
    with big.open("wb") as f:
        f.truncate(6 * 1024 * 1024)
    path["p"] = str(big)
    pane.apply_button.click()
    assert "over 5 MB" in pane.status.text()
    assert big.stat().st_size == 6 * 1024 * 1024 and not (tmp_path / "big.log.bak").exists()


def test_copy_puts_the_code_on_the_clipboard(pane):
    c, _, _ = conversation()
    pane.set_conversation(c)
    select(pane, "ls -l")
    pane.copy_button.click()
    assert QGuiApplication.clipboard().text() == "ls -l"


def test_refreshing_an_unchanged_conversation_does_no_work(pane, monkeypatch):
    c, _, _ = conversation()
    calls = {"group": 0, "extract": 0}
    real_group, real_extract = code_pane_module.group_snippets, code_pane_module.message_snippets

    def group(*args):
        calls["group"] += 1
        return real_group(*args)

    def extract(message):
        calls["extract"] += 1
        return real_extract(message)

    monkeypatch.setattr(code_pane_module, "group_snippets", group)
    monkeypatch.setattr(code_pane_module, "message_snippets", extract)
    pane.set_conversation(c)
    assert calls == {"group": 1, "extract": 3}
    pane.set_conversation(c)
    assert calls == {"group": 1, "extract": 3}
    c.add(ChatMessage(Role.USER, "more"))
    c.add(ChatMessage(Role.ASSISTANT, fence("y = 2", "python")))
    pane.set_conversation(c)
    assert calls == {"group": 2, "extract": 4}  # only the new answer is read
    assert pane.list.count() == 4 and pane.current_code() == "y = 2"


def test_the_window_opens_a_block_in_the_code_pane(window, server, qloop):
    server.push(Reply(text=fence("print('a')", "python a.py") + fence("echo b", "bash")))
    QTest.keyClicks(window.composer, "code")
    QTest.keyClick(window.composer, Qt.Key.Key_Return)
    session = window.current_tab().session
    wait_idle(qloop, session)
    pane = window.code_pane
    qloop.run_until_complete(until(lambda: pane.current_code() == "echo b"))
    answer = session.conversation.messages[-1]
    assert window.open_in_code_pane(answer.id, 0)
    assert pane.current_code() == "print('a')" and pane.current_snippet().name == "a.py"
    assert not window.open_in_code_pane(answer.id, 7)
    # the chat view's "Open in code pane" on a code block reaches the pane
    window.current_view()._code_actions.triggered.emit("open", f"{answer.id}/1")
    assert pane.current_code() == "echo b"

    pane.editor.setFocus()
    QTest.keyClick(pane.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.find_bar.isVisible()
    QTest.keyClick(pane.find_bar.input, Qt.Key.Key_Escape)  # the bar's Esc, not the window's
    assert not pane.find_bar.isVisible()
