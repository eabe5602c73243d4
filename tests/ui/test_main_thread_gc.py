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


def test_a_growing_heap_gets_a_full_pass_only_when_it_grew_by_a_quarter(qapp):
    thresholds = gc.get_threshold()
    gc.set_threshold(100, 2, 2)  # small thresholds: the ratio rule is what limits full passes
    collector = MainThreadGarbageCollector(interval_ms=60_000)  # driven by hand below
    try:
        collector.freeze()  # this session's heap out of the way: a known start
        kept: list = []
        kept.extend([] for _ in range(50_000))  # long-lived objects: they survive into gen 2
        passes = 0
        for _ in range(400):  # as the timer would, between allocations
            kept.extend([] for _ in range(1_000))  # 2% of the start each round
            passes += collector.check() == 2
        # CPython's rule: a full pass each time the heap grew by a quarter since the last
        # one, so from 50,000 to 450,000 objects about log(9)/log(1.25) ~ 10 passes. The
        # thresholds alone would allow one every 9 rounds: 44.
        assert len(kept) == 450_000
        assert 5 <= passes <= 14, passes
    finally:
        collector.stop()
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        gc.disable()


def test_a_cycle_that_reached_gen_2_is_still_collected(qapp):
    collector = MainThreadGarbageCollector(interval_ms=60_000)
    try:
        freed: list[str] = []
        ref = cyclic_qobject_freed_in(freed)
        holder = [ref()]
        gc.collect(1)
        gc.collect(1)  # the object is now in generation 2, and then becomes garbage
        holder.clear()
        assert ref() is not None and freed == []
        kept: list = []
        for _ in range(20_000):
            kept.extend([] for _ in range(100))
            collector.check()
            if freed:
                break
        assert freed == ["MainThread"] and ref() is None
    finally:
        collector.stop()
        gc.disable()


def test_checks_space_out_while_nothing_is_allocated_and_come_back_when_busy(qapp):
    collector = MainThreadGarbageCollector(interval_ms=10)
    collector._timer.stop()  # driven by hand: the rest of the process allocates meanwhile
    try:
        gc.collect()
        intervals = []
        for _ in range(4):  # idle: each tick doubles the wait, up to its ceiling
            collector.tick()
            intervals.append(collector.interval_ms)
        assert intervals == [20, 40, 80, 160]
        for _ in range(20):
            collector.tick()
        assert collector.interval_ms == 8000
        kept: list = []
        kept.extend([] for _ in range(5_000))  # busy: past gen 0's threshold
        collector.tick()
        assert collector.interval_ms == 10
    finally:
        collector.stop()
        gc.disable()
