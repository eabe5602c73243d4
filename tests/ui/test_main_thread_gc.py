from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from app.services.main_thread_gc import MainThreadGarbageCollector


def cyclic_qobject_freed_in(freed: list[str]) -> weakref.ref:
    """A QObject only the cyclic collector can free; the freeing thread's name lands in freed."""
    obj = QObject()
    obj.me = obj  # type: ignore[attr-defined]
    return weakref.ref(obj, lambda _r: freed.append(threading.current_thread().name))


def churn_in_thread(keep: list) -> None:
    def churn() -> None:  # live allocations: enough to cross the gen-0 threshold there
        keep.extend([] for _ in range(50_000))

    worker = threading.Thread(target=churn, name="worker")
    worker.start()
    worker.join()


def test_without_it_a_worker_thread_frees_qt_objects(qapp):
    assert gc.isenabled() is False  # the session runs with the collector, as the app does
    gc.enable()
    try:
        gc.collect()
        freed: list[str] = []
        ref = cyclic_qobject_freed_in(freed)
        churn_in_thread([])
        assert freed == ["worker"] and ref() is None
    finally:
        gc.disable()


def test_cycles_are_collected_on_the_gui_thread_only(qapp, qtbot):
    collector = MainThreadGarbageCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        freed: list[str] = []
        ref = cyclic_qobject_freed_in(freed)
        kept: list = []
        churn_in_thread(kept)
        assert freed == []  # nothing was collected in the worker
        qtbot.waitUntil(lambda: freed == ["MainThread"], timeout=3000)
        assert ref() is None
    finally:
        collector.stop()
    assert gc.isenabled()
    gc.disable()  # back to the session's collector
