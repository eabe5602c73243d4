"""The leak check of tests/ui/leaks.py, tested through its checking function: what a test
leaves behind is reported by name, and what is no leak is not."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QThread, QTimer
from PySide6.QtWidgets import QWidget

from app.services.history import HistoryService
from tests.ui import leaks


class Poller(QObject):
    """A service-like object that owns a timer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tick = QTimer(self)
        self._tick.setObjectName("pollTick")


@pytest.fixture
def window(qtbot) -> QWidget:
    w = QWidget()
    w.setObjectName("leakyWindow")
    qtbot.addWidget(w)
    return w


def test_a_timer_left_running_on_a_window_is_reported(window):
    before = leaks.snapshot()
    timer = QTimer(window)
    timer.setObjectName("refreshTimer")
    window._refresh = timer
    timer.start(1000)

    (report,) = leaks.find_leaks(before, grace=0)
    assert report.startswith("active QTimer (repeating, 1000 ms): QTimer 'refreshTimer'")
    assert "(QWidget._refresh) in QWidget 'leakyWindow'" in report

    timer.stop()
    assert leaks.find_leaks(before, grace=0) == []


def test_a_single_shot_timer_is_reported_with_the_attribute_and_the_parents(qtbot):
    before = leaks.snapshot()
    window = QWidget()
    qtbot.addWidget(window)
    window.poller = Poller(window)
    window.poller._tick.setSingleShot(True)
    window.poller._tick.start(5000)

    (report,) = leaks.find_leaks(before, grace=0)
    assert report == (
        "active QTimer (single-shot, 5000 ms): QTimer 'pollTick' (Poller._tick) in Poller < QWidget"
    )
    window.poller._tick.stop()


def test_a_new_visible_window_is_reported_and_a_hidden_or_older_one_is_not(qtbot, window):
    window.show()  # from before the snapshot
    before = leaks.snapshot()
    dialog = QWidget()
    qtbot.addWidget(dialog)
    dialog.setObjectName("leakyDialog")
    dialog.setWindowTitle("Leaky")
    dialog.show()
    assert leaks.find_leaks(before, grace=0) == [
        "visible top-level widget: QWidget 'leakyDialog', no parent, title 'Leaky'"
    ]
    dialog.hide()
    assert leaks.find_leaks(before, grace=0) == []


def test_a_thread_still_running_after_the_grace_period_is_reported(qapp):
    before = leaks.snapshot()
    release = threading.Event()
    worker = threading.Thread(target=release.wait, name="leaky-worker", daemon=True)
    worker.start()
    try:
        started = time.monotonic()
        report = leaks.find_leaks(before, grace=0.2)
        assert time.monotonic() - started >= 0.2  # it waited for the thread first
        assert report == ["daemon thread still running: 'leaky-worker' (Thread)"]
    finally:
        release.set()
        worker.join()
    assert leaks.find_leaks(before, grace=0) == []


def test_a_qthread_running_python_is_reported_until_it_ends(qapp):
    """A QThread that ran Python has a threading._DummyThread, which never says it ended."""
    before = leaks.snapshot()
    release = threading.Event()

    class Worker(QThread):
        def run(self) -> None:
            threading.current_thread()  # registers the dummy
            release.wait()

    worker = Worker()
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while not leaks.find_leaks(before, grace=0) and time.monotonic() < deadline:
            time.sleep(0.01)
        (report,) = leaks.find_leaks(before, grace=0)
        assert report.startswith("daemon thread still running: 'Dummy-")
    finally:
        release.set()
        worker.wait()
    assert leaks.find_leaks(before) == []  # the OS thread ends a moment after wait() returns


def test_what_is_no_leak_is_not_reported(window, tmp_path):
    before = leaks.snapshot()
    # scheduled for deletion with its window
    doomed = QWidget()
    doomed.show()
    QTimer(doomed).start(1000)
    doomed.deleteLater()
    # created but never started, and started then stopped
    QTimer(window)
    stopped = QTimer(window)
    stopped.start(10)
    stopped.stop()
    # a thread that ends within the grace period
    threading.Thread(target=time.sleep, args=(0.1,), name="brief").start()
    # a history service closed as the app closes it: its pool ends without being waited for
    service = HistoryService(tmp_path / "history.db")
    service.wait_idle()
    service.flush_and_close()
    assert leaks.find_leaks(before) == []


def test_a_history_service_left_open_is_reported_by_its_thread(qapp, tmp_path):
    before = leaks.snapshot()
    owner = QObject()
    owner.history = HistoryService(tmp_path / "history.db")
    owner.history.wait_idle()
    try:
        assert leaks.find_leaks(before, grace=0.2) == ["thread still running: 'history_0' (Thread)"]
    finally:
        owner.history.flush_and_close()
    assert leaks.find_leaks(before) == []


def test_what_ran_before_the_test_is_not_this_tests_leak(window):
    early = QTimer(window)
    early.start(1000)
    before = leaks.snapshot()
    assert leaks.find_leaks(before, grace=0) == []
    early.stop()


@pytest.fixture
def timer_stopped_at_teardown(window) -> Iterator[QTimer]:
    timer = QTimer(window)
    timer.start(1000)
    yield timer
    timer.stop()


def test_the_check_runs_after_the_tests_own_fixtures_are_torn_down(
    request, timer_stopped_at_teardown
):
    """This test passes only if the autouse check is set up first, so it tears down last:
    the timer is still running when the test body ends."""
    names = request.fixturenames
    assert names.index("_no_leaks") < names.index("timer_stopped_at_teardown")
    assert names.index("_no_leaks") < names.index("qtbot")
    assert timer_stopped_at_teardown.isActive()
