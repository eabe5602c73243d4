"""A pytest plugin: a UI test fails if it leaves something running behind it.

After each test under tests/ui, and after that test's own fixtures have been torn down (the
``window`` closed, the ``qloop`` closed, ``qtbot``'s widgets closed and deleted), the check
delivers pending ``deleteLater`` events and reports as a teardown error:

- an active ``QTimer`` that was not active when the test started, among the children of the
  application and of every top-level widget (Qt's widgets use ``QBasicTimer``, which is no
  QObject; the app-wide timers, such as the garbage collector's, were active before the test
  and are not reported);
- a thread started during the test that is still alive after a grace period of
  ``GRACE_SECONDS`` (a pool shut down with ``wait=False``, as ``HistoryService`` does, needs a
  moment to end); the app has no process-wide pool, so no thread is exempt;
- a visible top-level widget that did not exist when the test started.

It does not collect garbage first: a thread or window that only a collection would end (a
``HistoryService`` dropped without ``flush_and_close``, its pool ending when the executor is
freed) is left behind until the app's timer-driven collector happens to run. Each item names
the object's class, ``objectName``, the attribute that holds it (``MainWindow._sidebar_timer``)
and its parents.

``find_leaks`` is the check itself; tests/ui/test_leaks.py tests it directly.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

UI_TESTS = Path(__file__).resolve().parent
GRACE_SECONDS = 2.0


def _address(obj: QObject) -> int:
    return shiboken6.getCppPointer(obj)[0]


@dataclass(frozen=True)
class Snapshot:
    """What was already there when a test started."""

    timers: frozenset[int] = field(default_factory=frozenset)  # active QTimers' addresses
    widgets: frozenset[int] = field(default_factory=frozenset)  # top-level widgets' addresses
    threads: frozenset[threading.Thread] = field(default_factory=frozenset)


def flush_deletions() -> None:
    """Deliver every pending ``deleteLater``, and the queued calls and events that may post
    more. Timers are not run (no ``processEvents``): the garbage collector's timer among them
    could free what a test forgot, and make the check pass or fail by chance."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.sendPostedEvents()  # queued signals, events (not DeferredDelete)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _live(objects: list[QObject]) -> list[QObject]:
    return [o for o in objects if shiboken6.isValid(o)]


def top_level_widgets() -> list[QWidget]:
    return _live(QApplication.topLevelWidgets()) if QApplication.instance() else []


def active_timers() -> list[QTimer]:
    """Active QTimers among the children of the application and of every top-level widget."""
    app = QCoreApplication.instance()
    if app is None:
        return []
    found: dict[int, QTimer] = {}
    for owner in [app, *top_level_widgets()]:
        for timer in _live(owner.findChildren(QTimer)):
            if timer.isActive():
                found.setdefault(_address(timer), timer)
    return list(found.values())


def _thread_alive(thread: threading.Thread) -> bool:
    # A thread Python did not start (a QThread running Python code, as qasync's executor
    # does) is a _DummyThread, which on 3.11 says it is alive forever: ask the kernel.
    if isinstance(thread, threading._DummyThread):
        native = thread.native_id
        task_dir = Path(f"/proc/{os.getpid()}/task")
        if native is None or not task_dir.is_dir():
            return False  # cannot tell: do not accuse it
        return (task_dir / str(native)).exists()
    return thread.is_alive()


def _forget_dead_dummies() -> None:
    """On 3.11 a _DummyThread stays in `threading._active` after its OS thread ended, and a
    new thread that gets the same ident is then taken for it (its `current_thread()` is the
    old object, with the old native id): a thread leaked by a test would pass for one from
    before it. Drop the dummies whose thread is gone."""
    with threading._active_limbo_lock:  # type: ignore[attr-defined]
        for ident, thread in list(threading._active.items()):  # type: ignore[attr-defined]
            if isinstance(thread, threading._DummyThread) and not _thread_alive(thread):
                del threading._active[ident]  # type: ignore[attr-defined]


def snapshot() -> Snapshot:
    _forget_dead_dummies()
    return Snapshot(
        timers=frozenset(_address(t) for t in active_timers()),
        widgets=frozenset(_address(w) for w in top_level_widgets()),
        threads=frozenset(threading.enumerate()),  # a thread from before is not this test's
    )


def _name(obj: QObject) -> str:
    return type(obj).__name__ + (f" {obj.objectName()!r}" if obj.objectName() else "")


def held_as(obj: object) -> str:
    """``Owner.attribute`` for the first Python object whose attribute is ``obj``, else ""."""
    for ref in gc.get_referrers(obj):
        owners = [ref] if not isinstance(ref, dict) else gc.get_referrers(ref)
        for owner in owners:
            attrs = getattr(owner, "__dict__", None)
            if isinstance(attrs, dict) and (ref is owner or attrs is ref):
                for key, value in attrs.items():
                    if value is obj:
                        return f"{type(owner).__name__}.{key}"
    return ""


def describe(obj: QObject) -> str:
    """``ClassName 'objectName'``, the attribute that holds it, and its parents."""
    text = _name(obj)
    holder = held_as(obj)
    if holder:
        text += f" ({holder})"
    chain = []
    parent = obj.parent()
    while parent is not None:
        chain.append(_name(parent))
        parent = parent.parent()
    return text + (" in " + " < ".join(chain) if chain else ", no parent")


def _new_threads(before: Snapshot, grace: float) -> list[threading.Thread]:
    deadline = time.monotonic() + grace
    while True:
        alive = [t for t in threading.enumerate() if t not in before.threads and _thread_alive(t)]
        if not alive or time.monotonic() >= deadline:
            return alive
        QCoreApplication.sendPostedEvents()  # a thread may wait for a queued call's answer
        time.sleep(0.01)


def find_leaks(before: Snapshot, grace: float = GRACE_SECONDS) -> list[str]:
    """What was left behind since ``before``: one line per timer, window and thread."""
    flush_deletions()
    leaks: list[str] = []
    for t in active_timers():
        if _address(t) not in before.timers:
            kind = "single-shot" if t.isSingleShot() else "repeating"
            leaks.append(f"active QTimer ({kind}, {t.interval()} ms): {describe(t)}")
    for w in top_level_widgets():
        if w.isVisible() and _address(w) not in before.widgets:
            title = f", title {w.windowTitle()!r}" if w.windowTitle() else ""
            leaks.append(f"visible top-level widget: {describe(w)}{title}")
    for t in _new_threads(before, grace):
        daemon = "daemon " if t.daemon else ""
        leaks.append(f"{daemon}thread still running: {t.name!r} ({type(t).__name__})")
    return leaks


def _is_ui_test(request: pytest.FixtureRequest) -> bool:
    return UI_TESTS in Path(request.node.path).resolve().parents


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Autouse and requested before the test's own fixtures, so it tears down after them."""
    if not _is_ui_test(request):
        yield
        return
    request.getfixturevalue("qapp")
    before = snapshot()
    yield
    leaks = find_leaks(before)
    if leaks:
        pytest.fail(
            "left behind after the test and its fixtures ended:\n  " + "\n  ".join(leaks),
            pytrace=False,
        )
