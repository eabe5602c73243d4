"""Input that must not freeze the window: a 5 MB stream event, a huge table, a huge paste.

Each case watches the event loop with a 2 ms timer and fails when one turn is away for
longer than STALL_S. The bound is loose for noisy CI machines (before the display text,
the 5 MB event froze the window for minutes); `tests/perf/bench_hostile.py` reports the
real figures. What is stored and copied stays exact whatever is shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl
from PySide6.QtWidgets import QApplication

from app.core.display import LINE_LIMIT, MESSAGE_LIMIT, TABLE_ROWS
from app.core.store import HistoryStore
from app.ui.chat_view import MessageAction, action_url
from app.ui.composer import MESSAGE_LIMIT as COMPOSER_LIMIT
from tests.protocol_servers import Reply
from tests.ui.conftest import until, wait_idle
from tests.ui.test_main_window import type_and_send

STALL_S = 1.0


@contextmanager
def loop_watch() -> Iterator[list[float]]:
    """The gaps between turns of the event loop while the block runs."""
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(2)
    try:
        yield gaps
    finally:
        timer.stop()


def settle(qloop, window) -> None:
    wait_idle(qloop, window.current_tab().session, timeout=60)
    qloop.run_until_complete(_until_rendered(window))


async def _until_rendered(window) -> None:
    import asyncio

    for _ in range(500):
        await asyncio.sleep(0.01)
        if not window.current_view().rendering:
            return


def test_a_5_mb_stream_event_is_shown_folded_and_kept_whole(window, server, qloop, history):
    blob = "QUFB" * 1_250_000  # 5,000,000 characters of base64 on one line
    server.push(Reply(chunks=["Here it is:\n\n", blob, "\n\nDone."]))
    with loop_watch() as gaps:
        type_and_send(window, "a blob please")
        settle(qloop, window)
    assert max(gaps) < STALL_S, f"the loop was away for {max(gaps):.2f} s"
    answer = window.current_tab().conversation.messages[-1]
    assert answer.content == f"Here it is:\n\n{blob}\n\nDone."  # exact
    shown = window.current_view().toPlainText()
    assert len(shown) < LINE_LIMIT + 2000 and "Done." in shown
    assert f"{len(blob) - LINE_LIMIT:,} more characters on this line" in shown
    window.current_view().anchorClicked.emit(QUrl(action_url(MessageAction.COPY, answer.id)))
    assert QApplication.clipboard().text() == answer.content  # Copy gives all of it
    history.wait_idle()
    stored = HistoryStore(history.path).load(window.current_tab().conversation.id)
    assert stored is not None and stored.messages[-1].content == answer.content


def test_a_5000_row_table_shows_its_first_rows(window, server, qloop):
    rows = [f"| {i} | row {i} | {i * i} |\n" for i in range(5000)]
    server.push(Reply(chunks=["| a | b | c |\n|---|---|---|\n", *rows, "\nThe end.\n"]))
    with loop_watch() as gaps:
        type_and_send(window, "a table")
        settle(qloop, window)
    assert max(gaps) < STALL_S, f"the loop was away for {max(gaps):.2f} s"
    shown = window.current_view().toPlainText()
    assert "row 50" in shown and "row 4999" not in shown and "The end." in shown
    assert f"{5002 - TABLE_ROWS:,} more rows are not shown" in shown
    assert window.current_tab().conversation.messages[-1].content.count("\n|") == 5001


def test_an_answer_of_unmatched_brackets_streams_and_reopens_without_a_stall(window, server, qloop):
    # markdown-it tries a link at every "[": 100,000 of them took 2.5 s to parse.
    lines = ["[" * 79 + "\n"] * 1250
    server.push(Reply(chunks=lines))
    with loop_watch() as gaps:
        type_and_send(window, "brackets")
        settle(qloop, window)
        window.current_view().rebuild()  # shown again (a theme change, reopening it)
    assert max(gaps) < STALL_S, f"the loop was away for {max(gaps):.2f} s"
    shown = window.current_view().toPlainText()
    # Up to the display limit (the escapes count): the marker says how many are left out.
    on_screen = shown.count("[") - 1  # the marker's own bracket
    left = re.search(r"([\d,]+) more characters are not shown", shown)
    assert on_screen > 40_000 and left is not None
    # In the message's characters (79 brackets and a newline a line), not the escapes'.
    assert abs(int(left[1].replace(",", "")) + on_screen * 80 / 79 - 100_000) < 200
    assert window.current_tab().conversation.messages[-1].content == "".join(lines)


def test_a_huge_answer_is_shown_up_to_the_limit(window, server, qloop):
    lines = [f"Line {i}: some ordinary text of a very long answer.\n" for i in range(40_000)]
    server.push(Reply(chunks=lines))
    with loop_watch() as gaps:
        type_and_send(window, "go on and on")
        settle(qloop, window)
    assert max(gaps) < STALL_S, f"the loop was away for {max(gaps):.2f} s"
    shown = window.current_view().toPlainText()
    assert len(shown) < MESSAGE_LIMIT + 5000 and "more characters are not shown" in shown
    assert len(window.current_tab().conversation.messages[-1].content) == len("".join(lines))


def test_a_10_mb_paste_is_refused_in_words_and_nothing_is_lost(window, qloop):
    window.composer.setPlainText("my question")
    data = QMimeData()
    data.setText("x" * 10_000_000)
    start = time.perf_counter()
    window.composer.insertFromMimeData(data)
    assert time.perf_counter() - start < STALL_S
    assert window.composer.toPlainText() == "my question"
    said = window.status_label.text()
    assert "10,000,000 characters" in said and f"{COMPOSER_LIMIT:,}" in said


def test_a_message_over_the_limit_is_not_sent_and_stays(window, server, qloop):
    text = "y" * (COMPOSER_LIMIT + 1)
    window.composer.setPlainText(text)
    window.composer.submit()
    assert window.composer.toPlainText() == text
    assert not window.current_tab().conversation.messages and server.requests == []
    assert "Not sent" in window.status_label.text()


def test_a_dropped_file_gives_its_name_not_its_contents(window, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0\xff" * 5_000_000)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(big))])
    window.composer.insertFromMimeData(data)
    assert window.composer.toPlainText().endswith("big.bin")


def test_a_1_mb_code_block_streams_and_the_code_pane_keeps_all_of_it(window, server, qloop):
    code = "".join(f"value_{i} = {i} * 2  # a line of generated code\n" for i in range(25_000))
    lines = code.splitlines(keepends=True)
    server.push(Reply(chunks=["```python\n", *lines, "```\n", "\nThat is all.\n"]))
    with loop_watch() as gaps:
        type_and_send(window, "lots of code")
        settle(qloop, window)
        pane = window.code_pane
        qloop.run_until_complete(until(lambda: pane.current_code() == code.rstrip("\n"), 10))
    assert max(gaps) < STALL_S, f"the loop was away for {max(gaps):.2f} s"
    shown = window.current_view().toPlainText()
    assert "more lines of this code block are not shown here" in shown and "That is all." in shown
    assert pane.editor.isReadOnly() and not pane.read_only_toggle.isEnabled()
    assert (
        len(pane.editor.toPlainText()) < len(code) and "too long to edit here" in pane.info.text()
    )
